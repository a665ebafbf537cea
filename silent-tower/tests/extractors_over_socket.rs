//! Extractors behind `serve` on a real socket: what a handler receives, and every rejection as a
//! client sees it — status and the body that names what was at fault.
#![cfg(feature = "json")]

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use http::header::CONTENT_TYPE;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize};
use silent_tower::extract::rejection::JsonRejection;
use silent_tower::prelude::*;
use silent_tower::{Incoming as HyperBody, PeerAddr};

#[derive(Default)]
struct Counter {
    hits: AtomicU64,
}

type App = Router<Arc<Counter>, HyperBody>;

#[derive(Deserialize, Serialize)]
struct Todo {
    title: String,
    done: bool,
}

#[derive(Deserialize)]
struct Page {
    page: u32,
    per_page: Option<u32>,
}

#[derive(Deserialize)]
struct Ids {
    user: u64,
    post: String,
}

async fn hit(State(counter): State<Arc<Counter>>) -> String {
    let hits = counter.hits.fetch_add(1, Ordering::SeqCst) + 1;
    format!("hit {hits}")
}

async fn user(Path(id): Path<u64>, Query(page): Query<Page>) -> String {
    format!(
        "user {id} page {} per {}",
        page.page,
        page.per_page.unwrap_or(20)
    )
}

async fn show_post(Path(ids): Path<Ids>, method: Method, headers: HeaderMap) -> String {
    let agent = headers
        .get("x-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    format!("{method} {}/{} by {agent}", ids.user, ids.post)
}

async fn create(
    State(counter): State<Arc<Counter>>,
    Json(todo): Json<Todo>,
) -> (StatusCode, Json<Todo>) {
    counter.hits.fetch_add(1, Ordering::SeqCst);
    (StatusCode::CREATED, Json(todo))
}

async fn create_or_explain(todo: Result<Json<Todo>, JsonRejection>) -> (StatusCode, String) {
    match todo {
        Ok(Json(todo)) => (StatusCode::OK, todo.title),
        Err(rejection) => (rejection.status(), format!("{{\"error\":\"{rejection}\"}}")),
    }
}

#[derive(Deserialize)]
struct SignUp {
    email: String,
}

async fn sign_up(Form(form): Form<SignUp>) -> String {
    format!("welcome {}", form.email)
}

async fn echo(body: Bytes) -> Bytes {
    body
}

async fn text(body: String) -> String {
    body.to_uppercase()
}

async fn optional(agent: Option<Extension<PeerAddr>>) -> &'static str {
    if agent.is_some() {
        "with peer"
    } else {
        "no peer"
    }
}

async fn needs_extension(Extension(peer): Extension<PeerAddr>) -> String {
    format!("{peer:?}")
}

fn app() -> App {
    App::with_body()
        .route("/hits", get(hit))
        .route("/users/{id}", get(user))
        .route("/users/{user}/posts/{post}", get(show_post))
        .route("/todos", post(create))
        .route("/todos/explained", post(create_or_explain))
        .route("/sign-up", post(sign_up))
        .route("/echo", post(echo))
        .route("/small", post(echo).body_limit(8))
        .route("/text", post(text))
        .route("/optional", get(optional))
        .route("/extension", get(needs_extension))
        .body_limit(1024)
}

async fn start(app: Router<(), HyperBody>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app).into_future());
    addr
}

async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> (StatusCode, String) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut request = http::Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = client
        .request(request.body(Full::new(body.into())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

const JSON: &[(&str, &str)] = &[("content-type", "application/json")];

#[tokio::test]
async fn extractors_read_what_the_handler_asks_for() {
    let addr = start(app().with_state(Arc::new(Counter::default()))).await;
    let get = |path: &'static str| send(addr, Method::GET, path, &[], Bytes::new());
    assert_eq!(get("/hits").await, (StatusCode::OK, "hit 1".into()));
    assert_eq!(get("/hits").await, (StatusCode::OK, "hit 2".into()));
    assert_eq!(
        get("/users/7?page=2").await,
        (StatusCode::OK, "user 7 page 2 per 20".into())
    );
    assert_eq!(
        send(
            addr,
            Method::GET,
            "/users/7/posts/hello%20world",
            &[("x-agent", "curl")],
            Bytes::new()
        )
        .await,
        (StatusCode::OK, "GET 7/hello world by curl".into())
    );
    let (status, body) = send(
        addr,
        Method::POST,
        "/todos",
        JSON,
        r#"{"title":"write docs","done":false}"#,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body, r#"{"title":"write docs","done":false}"#);
    assert_eq!(
        send(
            addr,
            Method::POST,
            "/sign-up",
            &[("content-type", "application/x-www-form-urlencoded")],
            "email=a%40b.example"
        )
        .await,
        (StatusCode::OK, "welcome a@b.example".into())
    );
    assert_eq!(
        send(addr, Method::POST, "/echo", &[], "raw bytes").await,
        (StatusCode::OK, "raw bytes".into())
    );
    assert_eq!(
        send(addr, Method::POST, "/text", &[], "shout").await,
        (StatusCode::OK, "SHOUT".into())
    );
    assert_eq!(get("/optional").await, (StatusCode::OK, "no peer".into()));
}

#[tokio::test]
async fn every_rejection_names_what_was_at_fault() {
    let addr = start(app().with_state(Arc::new(Counter::default()))).await;
    let get = |path: &'static str| send(addr, Method::GET, path, &[], Bytes::new());
    assert_eq!(
        get("/users/x?page=1").await,
        (
            StatusCode::BAD_REQUEST,
            "cannot parse path parameter `id` value \"x\" as u64: invalid digit found in string"
                .into()
        )
    );
    assert_eq!(
        get("/users/7/posts/p").await.0,
        StatusCode::OK,
        "a struct of parameters reads each by name"
    );
    assert_eq!(
        get("/users/7?page=first").await,
        (
            StatusCode::BAD_REQUEST,
            "invalid query string: query parameter `page` is not a valid integer (u32)".into()
        )
    );
    assert_eq!(
        get("/users/7").await,
        (
            StatusCode::BAD_REQUEST,
            "invalid query string: missing field `page`".into()
        )
    );

    let todo = r#"{"title":"t","done":false}"#;
    assert_eq!(
        send(
            addr,
            Method::POST,
            "/todos",
            &[("content-type", "text/plain")],
            todo
        )
        .await,
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected request with `content-type: application/json`".into()
        )
    );
    let (status, body) = send(addr, Method::POST, "/todos", JSON, "{\"title\":").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.starts_with("invalid JSON: EOF while parsing"),
        "{body}"
    );
    let (status, body) = send(addr, Method::POST, "/todos", JSON, r#"{"title":"t"}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.starts_with("JSON does not fit: missing field `done`"),
        "{body}"
    );
    // `application/problem+json` and parameters are JSON too.
    assert_eq!(
        send(
            addr,
            Method::POST,
            "/todos",
            &[(
                "content-type",
                "application/merge-patch+json; charset=utf-8"
            )],
            todo
        )
        .await
        .0,
        StatusCode::CREATED
    );

    // The router's limit (1024), and a path's own (8): refused from `content-length` at once.
    let big = vec![b'a'; 1025];
    assert_eq!(
        send(addr, Method::POST, "/echo", &[], big).await,
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body larger than 1024 bytes".into()
        )
    );
    assert_eq!(
        send(addr, Method::POST, "/small", &[], "123456789").await,
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body larger than 8 bytes".into()
        )
    );
    assert_eq!(
        send(addr, Method::POST, "/small", &[], "12345678").await.0,
        StatusCode::OK
    );
    assert_eq!(
        send(addr, Method::POST, "/text", &[], vec![0xff, 0xfe]).await,
        (
            StatusCode::BAD_REQUEST,
            "request body is not valid UTF-8 (from byte 0)".into()
        )
    );

    assert_eq!(
        send(addr, Method::POST, "/sign-up", JSON, "{}").await,
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected request with `content-type: application/x-www-form-urlencoded`".into()
        )
    );
    let (status, body) = send(
        addr,
        Method::POST,
        "/sign-up",
        &[("content-type", "application/x-www-form-urlencoded")],
        "name=x",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, "invalid form: missing field `email`");

    let (status, body) = get("/extension").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.starts_with("missing request extension `"), "{body}");
    assert!(body.contains("PeerAddr"), "{body}");

    // A rejection the handler maps itself, into its own JSON format.
    assert_eq!(
        send(addr, Method::POST, "/todos/explained", &[], "{}").await,
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            r#"{"error":"expected request with `content-type: application/json`"}"#.into()
        )
    );
}

/// A body of `chunks` chunks of 64 bytes with no length known in advance, so that it goes out
/// chunked, with no `content-length`.
struct Chunks {
    chunks: usize,
}

impl hyper::body::Body for Chunks {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        if self.chunks == 0 {
            return std::task::Poll::Ready(None);
        }
        self.chunks -= 1;
        std::task::Poll::Ready(Some(Ok(hyper::body::Frame::data(Bytes::from(vec![
            b'x';
            64
        ])))))
    }
}

#[tokio::test]
async fn a_body_larger_than_the_limit_is_refused_while_it_streams() {
    let addr = start(app().with_state(Arc::new(Counter::default()))).await;
    let client = Client::builder(TokioExecutor::new()).build_http::<Chunks>();
    let send = |chunks| {
        let request = http::Request::post(format!("http://{addr}/echo"))
            .body(Chunks { chunks })
            .unwrap();
        client.request(request)
    };
    // 16 × 64 = 1024 bytes: at the limit, read whole.
    let response = send(16).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .len(),
        1024
    );
    // 17 × 64: refused when the 1025th byte arrives.
    let response = send(17).await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        response.headers()[CONTENT_TYPE],
        "text/plain; charset=utf-8"
    );
}

#[tokio::test]
async fn silents_request_helpers_read_the_routers_state_and_the_query() {
    use silent_tower::extract::SilentRequestExt;

    #[derive(Clone)]
    struct AppName(&'static str);

    async fn about(req: Request) -> Result<String, silent_tower::extract::rejection::MissingState> {
        let AppName(name) = req.get_state::<AppName>()?;
        Ok(name.to_string())
    }

    async fn search(
        req: Request,
    ) -> Result<String, silent_tower::extract::rejection::QueryRejection> {
        let page: Page = req.params_parse()?;
        Ok(format!("page {}", page.page))
    }

    let app = Router::new()
        .route("/about", get(about))
        .route("/search", get(search))
        .with_state(AppName("todo"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app).into_future());
    assert_eq!(
        send(addr, Method::GET, "/about", &[], Bytes::new()).await,
        (StatusCode::OK, "todo".into())
    );
    assert_eq!(
        send(addr, Method::GET, "/search?page=4", &[], Bytes::new()).await,
        (StatusCode::OK, "page 4".into())
    );
}

#[cfg(feature = "typed-header")]
#[tokio::test]
async fn a_typed_header_is_parsed_or_its_absence_named() {
    use silent_tower::extract::TypedHeader;
    use silent_tower::headers::authorization::Bearer;
    use silent_tower::headers::{Authorization, UserAgent};

    async fn agent(TypedHeader(agent): TypedHeader<UserAgent>) -> String {
        agent.as_str().to_owned()
    }

    async fn token(TypedHeader(auth): TypedHeader<Authorization<Bearer>>) -> String {
        auth.token().to_owned()
    }

    let app = Router::new()
        .route("/agent", get(agent))
        .route("/token", get(token));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app).into_future());
    assert_eq!(
        send(
            addr,
            Method::GET,
            "/agent",
            &[("user-agent", "curl/8")],
            Bytes::new()
        )
        .await,
        (StatusCode::OK, "curl/8".into())
    );
    assert_eq!(
        send(addr, Method::GET, "/agent", &[], Bytes::new()).await,
        (
            StatusCode::BAD_REQUEST,
            "missing header `user-agent`".into()
        )
    );
    assert_eq!(
        send(
            addr,
            Method::GET,
            "/token",
            &[("authorization", "Bearer abc")],
            Bytes::new()
        )
        .await,
        (StatusCode::OK, "abc".into())
    );
    assert_eq!(
        send(
            addr,
            Method::GET,
            "/token",
            &[("authorization", "Basic abc")],
            Bytes::new()
        )
        .await,
        (
            StatusCode::BAD_REQUEST,
            "invalid header `authorization`".into()
        )
    );
}

#[tokio::test]
async fn connect_info_is_the_clients_address_with_peer_addr_and_named_without() {
    use silent_tower::extract::ConnectInfo;

    async fn whoami(ConnectInfo(client): ConnectInfo<SocketAddr>) -> String {
        client.to_string()
    }

    async fn one_request(addr: SocketAddr) -> (StatusCode, String, SocketAddr) {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let client_addr = stream.local_addr().unwrap();
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .unwrap();
        tokio::spawn(connection);
        let request = http::Request::get("/whoami")
            .header("host", "localhost")
            .body(Full::new(Bytes::new()))
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            String::from_utf8(body.to_vec()).unwrap(),
            client_addr,
        )
    }

    let app = Router::new().route("/whoami", get(whoami));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let with = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app.clone()).with_peer_addr().into_future());
    let (status, body, client) = one_request(with).await;
    assert_eq!((status, body), (StatusCode::OK, client.to_string()));

    let without = start(app).await;
    let (status, body, _) = one_request(without).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        body,
        "no `ConnectInfo<core::net::socket_addr::SocketAddr>` in the request: serve with \
         `serve(..).with_peer_addr()`, or add `ConnectInfoLayer` around each connection's service"
    );
}
