//! axum 0.8: our layers on an axum `Router`, our `Router` inside axum (fallback and nested
//! service), and axum inside our `Router`, each over a real socket.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body as AxumBody;
use axum::handler::HandlerWithoutStateExt;
use bytes::Bytes;
use http::{header, Method, Request, Response, StatusCode};
use http_body_util::Full;
use silent_tower::layers::{
    CorsLayer, ExceptionHandlerLayer, RequestTimeLoggerLayer, TimeoutLayer,
};
use silent_tower::{get, Body, RequestExt, Router};
use silent_tower_compat_tests::{fetch, get as get_request, http1_client, serve_on_loopback};
use tokio::net::TcpListener;
use tower::Service;

/// Serves `app` with `axum::serve` on a free port.
async fn serve_axum(app: axum::Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

fn request(method: Method, addr: SocketAddr, path: &str) -> http::request::Builder {
    Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"))
}

#[tokio::test]
async fn our_four_layers_wrap_an_axum_router() {
    async fn slow() -> &'static str {
        tokio::time::sleep(Duration::from_secs(10)).await;
        "too late"
    }
    async fn boom() -> &'static str {
        panic!("axum handler failed")
    }
    let app = axum::Router::new()
        .route("/", axum::routing::get(|| async { "from axum" }))
        .route("/slow", axum::routing::get(slow))
        .route("/boom", axum::routing::get(boom))
        // axum applies its last `.layer` outermost.
        .layer(TimeoutLayer::new(Duration::from_millis(50)))
        .layer(
            CorsLayer::new()
                .origin("https://app.example")
                .methods("GET,PUT")
                .max_age(600),
        )
        .layer(RequestTimeLoggerLayer::new())
        .layer(ExceptionHandlerLayer::new());
    let addr = serve_axum(app).await;
    let client = http1_client();

    let hello = request(Method::GET, addr, "/")
        .header(header::ORIGIN, "https://app.example")
        .body(Full::default())
        .unwrap();
    let reply = fetch(&client, hello).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(
        reply.header("access-control-allow-origin"),
        "https://app.example"
    );
    assert_eq!(reply.header("vary"), "origin");
    assert_eq!(reply.text(), "from axum");

    let preflight = request(Method::OPTIONS, addr, "/")
        .header(header::ORIGIN, "https://app.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
        .body(Full::default())
        .unwrap();
    let reply = fetch(&client, preflight).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        "https://app.example"
    );
    assert_eq!(reply.header("access-control-allow-methods"), "GET, PUT");
    assert_eq!(reply.header("access-control-max-age"), "600");
    assert_eq!(reply.text(), "");

    let reply = fetch(&client, get_request(addr, "/slow")).await;
    assert_eq!(reply.status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(reply.header("content-length"), "0");
    assert_eq!(reply.header("vary"), "origin");
    assert_eq!(reply.text(), "");

    let reply = fetch(&client, get_request(addr, "/boom")).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(reply.header("content-length"), "0");
    assert!(
        reply.headers.get("vary").is_none(),
        "the panic skipped the CORS layer"
    );
    assert_eq!(reply.text(), "");

    // axum's own 404, through our layers.
    let reply = fetch(&client, get_request(addr, "/missing")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.header("vary"), "origin");
    assert_eq!(reply.text(), "");
}

/// Our router with a typed route, for mounting in axum: its handlers see axum's body type.
fn users() -> impl Service<
    Request<AxumBody>,
    Response = Response<Body>,
    Error = Infallible,
    Future: Send + 'static,
> + Clone
       + Send
       + Sync
       + 'static {
    Router::<(), AxumBody>::with_body().route(
        "/users/<id:i64>",
        get(|request: Request<AxumBody>| async move {
            let id: i64 = request.param("id").unwrap();
            format!("user {id} at {}", request.uri().path())
        }),
    )
}

#[tokio::test]
async fn our_router_answers_as_axums_fallback_service() {
    let app = axum::Router::new()
        .route("/axum", axum::routing::get(|| async { "axum route" }))
        .fallback_service(users());
    let addr = serve_axum(app).await;
    let client = http1_client();

    let reply = fetch(&client, get_request(addr, "/axum")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(reply.text(), "axum route");

    let reply = fetch(&client, get_request(addr, "/users/42")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(reply.text(), "user 42 at /users/42");

    // Our router's own answers: 405 with `Allow`, and a typed param that does not parse → 404.
    let post = request(Method::POST, addr, "/users/42")
        .body(Full::default())
        .unwrap();
    let reply = fetch(&client, post).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.header("allow"), "GET,HEAD,OPTIONS");
    assert_eq!(reply.text(), "");

    let reply = fetch(&client, get_request(addr, "/users/ann")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.header("content-length"), "0");
    assert_eq!(reply.text(), "");
}

#[tokio::test]
async fn our_router_nested_in_axum_sees_the_path_without_the_prefix() {
    let app = axum::Router::new()
        .route("/", axum::routing::get(|| async { "axum root" }))
        .nest_service("/silent", users());
    let addr = serve_axum(app).await;
    let client = http1_client();

    let reply = fetch(&client, get_request(addr, "/silent/users/-7")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(reply.text(), "user -7 at /users/-7");

    let reply = fetch(&client, get_request(addr, "/")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.text(), "axum root");

    let reply = fetch(&client, get_request(addr, "/silent/nope")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.text(), "");
}

#[tokio::test]
async fn an_axum_router_and_an_axum_handler_mounted_in_our_router() {
    async fn echo(body: Bytes) -> (StatusCode, [(header::HeaderName, &'static str); 1], Bytes) {
        (
            StatusCode::CREATED,
            [(header::CONTENT_TYPE, "application/octet-stream")],
            body,
        )
    }
    let axum_app = axum::Router::new()
        .route(
            "/axum/hello",
            axum::routing::get(|| async { "hello from axum" }),
        )
        .route("/axum/echo", axum::routing::post(echo));
    let axum_handler = (|| async { "an axum handler" }).into_service();
    // Served by our `serve`: the request body is hyper's `Incoming`, which axum takes as is.
    let app = Router::new()
        .route("/", get(|| async { "ours" }))
        .route_service("/axum/{*rest}", axum_app)
        .route_service("/handler", axum_handler);
    let addr = serve_on_loopback(app).await;
    let client = http1_client();

    let reply = fetch(&client, get_request(addr, "/axum/hello")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(reply.text(), "hello from axum");

    let post = request(Method::POST, addr, "/axum/echo")
        .body(Full::from("ping bytes"))
        .unwrap();
    let reply = fetch(&client, post).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.header("content-type"), "application/octet-stream");
    assert_eq!(reply.header("content-length"), "10");
    assert_eq!(reply.text(), "ping bytes");

    let reply = fetch(&client, get_request(addr, "/handler")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(reply.text(), "an axum handler");

    // Under the mount, axum decides: its 404 and its 405.
    let reply = fetch(&client, get_request(addr, "/axum/missing")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.text(), "");
    let reply = fetch(&client, get_request(addr, "/axum/echo")).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.header("allow"), "POST");

    let reply = fetch(&client, get_request(addr, "/")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.text(), "ours");
}
