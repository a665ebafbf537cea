//! The "after" snippets of `silent-tower/docs/migrating-from-silent.md`, compiled and served.
//!
//! Each file in `tests/migration/` is one snippet, word for word: [`the_guide_shows_these_files`]
//! fails when the guide and the files drift apart. Each snippet ends in a `run(listener)` that
//! serves its app; the tests here serve it on 127.0.0.1 and check that it behaves as the guide
//! says.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use std::io::Read;

use flate2::read::GzDecoder;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use silent_tower::http::{header, HeaderMap, Method, Request, StatusCode};
use tokio::net::TcpListener;

#[path = "migration/compression.rs"]
mod compression;
#[path = "migration/cookies.rs"]
mod cookies;
#[path = "migration/cors.rs"]
mod cors;
#[path = "migration/exception_handler.rs"]
mod exception_handler;
#[path = "migration/extractors.rs"]
mod extractors;
#[path = "migration/handler.rs"]
mod handler;
#[path = "migration/headers.rs"]
mod headers;
#[path = "migration/logger.rs"]
mod logger;
#[path = "migration/middleware.rs"]
mod middleware;
#[path = "migration/multipart.rs"]
mod multipart;
#[path = "migration/openapi.rs"]
mod openapi;
#[path = "migration/rate_limit.rs"]
mod rate_limit;
#[path = "migration/request_helpers.rs"]
mod request_helpers;
#[path = "migration/request_id.rs"]
mod request_id;
#[path = "migration/responses.rs"]
mod responses;
#[path = "migration/routes.rs"]
mod routes;
#[path = "migration/server.rs"]
mod server;
#[path = "migration/sessions.rs"]
mod sessions;
#[path = "migration/sse.rs"]
mod sse;
#[path = "migration/state.rs"]
mod state;
#[path = "migration/static_files.rs"]
mod static_files;
#[path = "migration/structured_logger.rs"]
mod structured_logger;
#[path = "migration/templates.rs"]
mod templates;
#[path = "migration/timeout.rs"]
mod timeout;
#[path = "migration/websocket.rs"]
mod websocket;

const GUIDE: &str = include_str!("../../silent-tower/docs/migrating-from-silent.md");

const SNIPPETS: [(&str, &str); 25] = [
    ("routes", include_str!("migration/routes.rs")),
    ("handler", include_str!("migration/handler.rs")),
    ("extractors", include_str!("migration/extractors.rs")),
    ("state", include_str!("migration/state.rs")),
    ("headers", include_str!("migration/headers.rs")),
    (
        "request_helpers",
        include_str!("migration/request_helpers.rs"),
    ),
    ("middleware", include_str!("migration/middleware.rs")),
    ("cors", include_str!("migration/cors.rs")),
    ("timeout", include_str!("migration/timeout.rs")),
    (
        "exception_handler",
        include_str!("migration/exception_handler.rs"),
    ),
    ("logger", include_str!("migration/logger.rs")),
    (
        "structured_logger",
        include_str!("migration/structured_logger.rs"),
    ),
    ("request_id", include_str!("migration/request_id.rs")),
    ("rate_limit", include_str!("migration/rate_limit.rs")),
    ("compression", include_str!("migration/compression.rs")),
    ("responses", include_str!("migration/responses.rs")),
    ("server", include_str!("migration/server.rs")),
    ("sessions", include_str!("migration/sessions.rs")),
    ("templates", include_str!("migration/templates.rs")),
    ("static_files", include_str!("migration/static_files.rs")),
    ("sse", include_str!("migration/sse.rs")),
    ("websocket", include_str!("migration/websocket.rs")),
    ("openapi", include_str!("migration/openapi.rs")),
    ("cookies", include_str!("migration/cookies.rs")),
    ("multipart", include_str!("migration/multipart.rs")),
];

/// The guide's ```` ```rust ```` blocks: its "after" snippets. ("Before" snippets are fenced
/// ```` ```rust silent ````, which GitHub highlights the same.)
fn after_blocks(guide: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in guide.lines() {
        match &mut current {
            None if line == "```rust" => current = Some(String::new()),
            None => {}
            Some(_) if line == "```" => blocks.extend(current.take()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    blocks
}

#[test]
fn the_guide_shows_these_files() {
    let blocks = after_blocks(GUIDE);
    for (name, snippet) in SNIPPETS {
        assert!(
            blocks.iter().any(|block| block == snippet),
            "tests/migration/{name}.rs is not in the guide word for word"
        );
    }
    for block in &blocks {
        assert!(
            SNIPPETS.iter().any(|(_, snippet)| snippet == block),
            "a ```rust block of the guide is not one of tests/migration/*.rs:\n{block}"
        );
    }
}

const PATIENCE: Duration = Duration::from_secs(5);

async fn within<F: Future>(what: &str, future: F) -> F::Output {
    tokio::time::timeout(PATIENCE, future)
        .await
        .unwrap_or_else(|_| panic!("timed out after {PATIENCE:?} waiting for {what}"))
}

async fn start<F, Fut>(run: F) -> SocketAddr
where
    F: FnOnce(TcpListener) -> Fut,
    Fut: Future<Output = io::Result<()>> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(run(listener));
    addr
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    /// The body as text (invalid UTF-8 replaced), for the answers that are text.
    body: String,
    bytes: Bytes,
}

async fn ask(method: Method, addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Answer {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let mut request = Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"));
    for &(name, value) in headers {
        request = request.header(name, value);
    }
    let response = within(
        "a response",
        client.request(request.body(Empty::new()).unwrap()),
    )
    .await
    .unwrap();
    let (parts, body) = response.into_parts();
    let body = within("a body", body.collect()).await.unwrap().to_bytes();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        bytes: body,
    }
}

async fn get(addr: SocketAddr, path: &str) -> Answer {
    ask(Method::GET, addr, path, &[]).await
}

/// Sends `body` with `content-type: content_type`; answers the status and the body text.
async fn send(
    method: Method,
    addr: SocketAddr,
    path: &str,
    content_type: &str,
    body: &'static str,
) -> (StatusCode, String) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let request = Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap();
    let response = within("a response", client.request(request)).await.unwrap();
    let status = response.status();
    let body = within("a body", response.into_body().collect())
        .await
        .unwrap()
        .to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn extractors_read_the_path_the_query_and_the_body() {
    let addr = start(extractors::run).await;
    assert_eq!(get(addr, "/users/42").await.body, "user #42");
    assert_eq!(
        get(addr, "/users/42/posts/intro").await.body,
        "post intro of user #42"
    );
    assert_eq!(get(addr, "/todos?page=2").await.body, "page 2 of 20");
    assert_eq!(
        get(addr, "/todos?page=2&per_page=5").await.body,
        "page 2 of 5"
    );
    let missing = get(addr, "/todos").await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.body, "invalid query string: missing field `page`");

    let todo = r#"{"title":"write docs","done":false}"#;
    assert_eq!(
        send(Method::POST, addr, "/todos", JSON, todo).await,
        (StatusCode::CREATED, todo.to_owned())
    );
    assert_eq!(
        send(Method::POST, addr, "/todos", JSON, r#"{"title":"x"}"#).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "JSON does not fit: missing field `done` at line 1 column 13".to_owned()
        )
    );
    assert_eq!(
        send(Method::POST, addr, "/todos", FORM, "title=x").await,
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected request with `content-type: application/json`".to_owned()
        )
    );
    assert_eq!(
        send(Method::POST, addr, "/login", FORM, "name=Ferris+the+crab").await,
        (StatusCode::OK, "welcome, Ferris the crab".to_owned())
    );
    assert_eq!(
        send(Method::POST, addr, "/login", FORM, "nom=Ferris").await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid form: missing field `name`".to_owned()
        )
    );

    assert_eq!(
        send(Method::PUT, addr, "/todos/7?page=3", JSON, todo).await,
        (
            StatusCode::OK,
            r#"todo #7 on page 3 is now "write docs""#.to_owned()
        )
    );
    assert_eq!(
        send(Method::PUT, addr, "/todos/7?page=3", JSON, "not JSON").await,
        (
            StatusCode::BAD_REQUEST,
            "invalid JSON: expected ident at line 1 column 2".to_owned()
        )
    );
    // The first extractor that fails answers, and the body is not read.
    assert_eq!(
        send(Method::PUT, addr, "/todos/7", JSON, "not JSON").await,
        (
            StatusCode::BAD_REQUEST,
            "invalid query string: missing field `page`".to_owned()
        )
    );
}

#[tokio::test]
async fn state_is_the_routers_and_extensions_come_from_a_layer() {
    let addr = start(state::run).await;
    assert_eq!(get(addr, "/hits").await.body, "hit #1");
    assert_eq!(get(addr, "/hits").await.body, "hit #2");
    assert_eq!(get(addr, "/whoami").await.body, "you are guest");
    let ferris = ask(Method::GET, addr, "/whoami", &[("x-user", "Ferris")]).await;
    assert_eq!(ferris.body, "you are Ferris");
}

#[tokio::test]
async fn headers_are_read_from_the_map_or_by_an_extractor_of_your_own() {
    let addr = start(headers::run).await;
    let agent = [("user-agent", "curl/8.5")];
    assert_eq!(
        ask(Method::GET, addr, "/agent", &agent).await.body,
        "you use curl/8.5"
    );
    assert_eq!(get(addr, "/agent").await.body, "you use something unnamed");
    assert_eq!(
        ask(Method::GET, addr, "/strict", &agent).await.body,
        "you use curl/8.5"
    );
    let missing = get(addr, "/strict").await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.body, "missing header `user-agent`");
}

#[tokio::test]
async fn silents_request_helpers_read_the_query_state_and_body() {
    let addr = start(request_helpers::run).await;
    assert_eq!(get(addr, "/todos?page=3").await.body, "page 3");
    let bad = get(addr, "/todos?page=three").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad.body,
        "invalid query string: query parameter `page` is not a valid integer (u32)"
    );
    assert_eq!(get(addr, "/about").await.body, "this is the todo app");
    assert_eq!(
        send(
            Method::POST,
            addr,
            "/todos",
            JSON,
            r#"{"title":"write docs"}"#
        )
        .await,
        (StatusCode::OK, r#"created "write docs""#.to_owned())
    );
    assert_eq!(
        send(Method::POST, addr, "/todos", JSON, "{").await,
        (
            StatusCode::BAD_REQUEST,
            "invalid JSON: EOF while parsing an object at line 1 column 1".to_owned()
        )
    );
    assert_eq!(
        send(Method::POST, addr, "/login", FORM, "name=Ferris").await,
        (StatusCode::OK, "welcome, Ferris".to_owned())
    );
    assert_eq!(
        send(Method::POST, addr, "/login", JSON, r#"{"name":"Ferris"}"#).await,
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected request with `content-type: application/x-www-form-urlencoded`".to_owned()
        )
    );
}

#[tokio::test]
async fn routes_nest_and_read_params_and_queries() {
    let addr = start(routes::run).await;
    assert_eq!(get(addr, "/").await.body, "Hello, World!");
    assert_eq!(get(addr, "/api/users/42").await.body, "user #42");
    assert_eq!(
        get(addr, "/api/search?q=tower%20layers").await.body,
        "searching for tower layers"
    );
    assert_eq!(
        get(addr, "/api/users/x").await.status,
        StatusCode::NOT_FOUND
    );
    // A trailing slash is another path, not a panic.
    assert_eq!(
        get(addr, "/api/search/").await.status,
        StatusCode::NOT_FOUND
    );

    let head = ask(Method::HEAD, addr, "/", &[]).await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(head.headers[header::CONTENT_LENGTH], "13");
    assert_eq!(head.body, "");
    let options = ask(Method::OPTIONS, addr, "/api/search", &[]).await;
    assert_eq!(options.status, StatusCode::NO_CONTENT);
    assert_eq!(options.headers[header::ALLOW], "GET,HEAD,OPTIONS");
    let post = ask(Method::POST, addr, "/api/search", &[]).await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(post.headers[header::ALLOW], "GET,HEAD,OPTIONS");
}

#[tokio::test]
async fn handlers_with_state_are_closures_or_services() {
    let addr = start(handler::run).await;
    assert_eq!(get(addr, "/greet").await.body, "Hello, World!");
    let count = get(addr, "/count").await;
    assert_eq!(count.status, StatusCode::OK);
    assert_eq!(count.body, "counting from 7");
}

#[tokio::test]
async fn a_middleware_may_answer_alone_or_wrap_the_answer() {
    let addr = start(middleware::run).await;
    let refused = get(addr, "/").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.body, "missing x-api-key");
    assert!(!refused.headers.contains_key("x-powered-by"));

    let allowed = ask(Method::GET, addr, "/", &[("x-api-key", "k")]).await;
    assert_eq!(allowed.status, StatusCode::OK);
    assert_eq!(allowed.body, "Hello, World!");
    assert_eq!(allowed.headers["x-powered-by"], "silent-tower");
}

#[tokio::test]
async fn cors_answers_preflights_and_leaves_strangers_without_headers() {
    let addr = start(cors::run).await;
    let preflight = ask(
        Method::OPTIONS,
        addr,
        "/items",
        &[
            ("origin", "https://app.example"),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "content-type"),
        ],
    )
    .await;
    assert_eq!(preflight.status, StatusCode::NO_CONTENT);
    let h = &preflight.headers;
    assert_eq!(
        h[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://app.example"
    );
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_METHODS], "GET, POST, PUT");
    assert_eq!(
        h[header::ACCESS_CONTROL_ALLOW_HEADERS],
        "authorization, content-type"
    );
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
    assert_eq!(h[header::ACCESS_CONTROL_MAX_AGE], "600");

    // silent answered 403 here; the request goes through, without permission for the browser.
    let stranger = ask(
        Method::GET,
        addr,
        "/items",
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(stranger.status, StatusCode::OK);
    assert_eq!(stranger.body, "[]");
    assert!(!stranger
        .headers
        .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
    assert_eq!(stranger.headers[header::VARY], "origin");
}

#[tokio::test]
async fn a_slow_handler_is_answered_408() {
    let addr = start(timeout::run).await;
    let answer = get(addr, "/slow").await;
    assert_eq!(answer.status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(answer.body, "");
}

#[tokio::test]
async fn error_statuses_become_json_problems() {
    let addr = start(exception_handler::run).await;
    assert_eq!(get(addr, "/users/1").await.body, "alice");
    let missing = get(addr, "/users/2").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(missing.body, r#"{"code":404,"msg":"Not Found"}"#);
    let unrouted = get(addr, "/nowhere").await;
    assert_eq!(unrouted.body, r#"{"code":404,"msg":"Not Found"}"#);
    let wrong_method = ask(Method::DELETE, addr, "/users/1", &[]).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        wrong_method.body,
        r#"{"code":405,"msg":"Method Not Allowed"}"#
    );
}

/// Collects what a `tracing_subscriber::fmt` subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

// One thread, so the subscriber set for this test's thread sees the server's events too.
#[tokio::test(flavor = "current_thread")]
async fn the_logger_writes_one_line_per_request_with_the_peer() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("silent_tower::request=info")
        .with_ansi(false)
        .with_writer({
            let captured = captured.clone();
            move || captured.clone()
        })
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let addr = start(logger::run).await;
    assert_eq!(get(addr, "/?page=2").await.body, "Hello, World!");
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(
        log.contains(" INFO silent_tower::request: method=GET path=/ version=HTTP/1.1 latency_us="),
        "{log}"
    );
    assert!(log.contains(" peer=127.0.0.1:"), "{log}");
    assert!(log.ends_with(" status=200 outcome=completed\n"), "{log}");
}

#[tokio::test]
async fn request_ids_are_kept_when_valid_and_made_otherwise() {
    let addr = start(request_id::run).await;

    let kept = ask(Method::GET, addr, "/", &[("x-request-id", "checkout-7f3a")]).await;
    assert_eq!(kept.headers["x-request-id"], "checkout-7f3a");
    assert_eq!(kept.body, "request checkout-7f3a");

    for headers in [&[][..], &[("x-request-id", "not valid!")][..]] {
        let made = ask(Method::GET, addr, "/", headers).await;
        let id = made.headers["x-request-id"].to_str().unwrap().to_owned();
        assert_eq!(id.len(), 32, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
        assert_eq!(made.body, format!("request {id}"));
    }
}

#[tokio::test]
async fn a_client_over_its_rate_is_answered_429_with_retry_after() {
    let addr = start(rate_limit::run).await;
    for _ in 0..2 {
        let admitted = get(addr, "/").await;
        assert_eq!(admitted.status, StatusCode::OK);
        assert_eq!(admitted.body, "Hello, World!");
    }
    let refused = get(addr, "/").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.body, "");
    // The next token is a minute after the first request, less the time these requests took.
    let retry_after: u64 = refused.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
}

#[tokio::test]
async fn responses_are_gzipped_for_clients_that_accept_it() {
    let addr = start(compression::run).await;
    let text = "All quiet on every front. ".repeat(40);

    let gzipped = ask(Method::GET, addr, "/report", &[("accept-encoding", "gzip")]).await;
    assert_eq!(gzipped.status, StatusCode::OK);
    assert_eq!(gzipped.headers[header::CONTENT_ENCODING], "gzip");
    assert_eq!(gzipped.headers[header::VARY], "accept-encoding");
    assert!(
        gzipped.bytes.len() < text.len() / 4,
        "{}",
        gzipped.bytes.len()
    );
    let mut unzipped = String::new();
    GzDecoder::new(&gzipped.bytes[..])
        .read_to_string(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, text);

    let plain = get(addr, "/report").await;
    assert!(!plain.headers.contains_key(header::CONTENT_ENCODING));
    assert_eq!(plain.body, text);
}

// One thread, so the subscriber set for this test's thread sees the server's events too.
#[tokio::test(flavor = "current_thread")]
async fn the_log_line_carries_the_request_id() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("silent_tower::request=info")
        .with_ansi(false)
        .with_writer({
            let captured = captured.clone();
            move || captured.clone()
        })
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let addr = start(structured_logger::run).await;
    let answer = ask(Method::GET, addr, "/", &[("x-request-id", "trace-42")]).await;
    assert_eq!(answer.body, "Hello, World!");
    assert_eq!(answer.headers["x-request-id"], "trace-42");
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(
        log.contains(" INFO silent_tower::request: method=GET path=/ version=HTTP/1.1 latency_us="),
        "{log}"
    );
    assert!(log.contains(" peer=127.0.0.1:"), "{log}");
    assert!(
        log.ends_with(" request_id=trace-42 status=200 outcome=completed\n"),
        "{log}"
    );
}

#[tokio::test]
async fn responses_carry_their_status_type_and_location() {
    let addr = start(responses::run).await;
    let created = ask(Method::POST, addr, "/users", &[]).await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(created.body, r#"{"id":1,"name":"Ferris"}"#);

    let page = get(addr, "/page").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.headers[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
    assert_eq!(page.body, "<h1>Hello</h1>");

    let moved = get(addr, "/old-page").await;
    assert_eq!(moved.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(moved.headers[header::LOCATION], "/page");
    assert_eq!(moved.body, "");
}

// One thread, so the subscriber set for this test's thread sees the server's events too.
#[tokio::test(flavor = "current_thread")]
async fn the_server_says_where_it_listens() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("info")
        .with_ansi(false)
        .with_writer({
            let captured = captured.clone();
            move || captured.clone()
        })
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let addr = start(server::run).await;
    assert_eq!(get(addr, "/").await.body, "Hello, World!");
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains(&format!(
            " INFO migration_snippets::server: listening on {addr}\n"
        )),
        "{log}"
    );
}

#[tokio::test]
async fn a_session_counts_the_requests_that_bring_its_cookie() {
    let addr = start(sessions::run).await;
    let first = get(addr, "/counter").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body, "1");
    let set_cookie = first.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(set_cookie.starts_with("id="), "{set_cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    // Neither `Secure` (`with_secure(false)`) nor `Max-Age`: it ends with the browser's session.
    for absent in ["Secure", "Max-Age", "Expires"] {
        assert!(!set_cookie.contains(absent), "{set_cookie}");
    }
    let cookie = set_cookie.split(';').next().unwrap();

    for count in ["2", "3"] {
        let again = ask(Method::GET, addr, "/counter", &[("cookie", cookie)]).await;
        assert_eq!(again.body, count);
    }
    // Every request is a new connection: the session lives in the store, not the connection.
    assert_eq!(get(addr, "/counter").await.body, "1");
    let unknown = ask(Method::GET, addr, "/counter", &[("cookie", "id=forged")]).await;
    assert_eq!(unknown.body, "1");
}

#[tokio::test]
async fn templates_render_html_and_escape_what_they_print() {
    let addr = start(templates::run).await;
    let page = get(addr, "/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.headers[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
    assert_eq!(page.body, "<h1>Hello, world!</h1>");

    let hostile = get(addr, "/?name=%3Cb%3EFerris%3C%2Fb%3E%22%26").await;
    assert_eq!(
        hostile.body,
        "<h1>Hello, &lt;b&gt;Ferris&lt;&#x2f;b&gt;&quot;&amp;!</h1>"
    );
}

#[tokio::test]
async fn static_files_are_served_with_ranges_and_etags_and_never_outside() {
    // The snippet's directory is relative: cargo runs tests in the package's directory, where
    // `static-files/assets` is.
    let addr = start(static_files::run).await;
    let file = get(addr, "/static/hello.txt").await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.headers[header::CONTENT_TYPE], "text/plain");
    assert_eq!(file.headers[header::CONTENT_LENGTH], "26");
    assert_eq!(file.body, "Hello from a static file!\n");

    let index = get(addr, "/static/").await;
    assert_eq!(index.status, StatusCode::OK);
    assert_eq!(index.headers[header::CONTENT_TYPE], "text/html");

    let part = ask(
        Method::GET,
        addr,
        "/static/hello.txt",
        &[("range", "bytes=0-4")],
    )
    .await;
    assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers[header::CONTENT_RANGE], "bytes 0-4/26");
    assert_eq!(part.body, "Hello");

    let etag = file.headers[header::ETAG].to_str().unwrap();
    let unchanged = ask(
        Method::GET,
        addr,
        "/static/hello.txt",
        &[("if-none-match", etag)],
    )
    .await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
    assert_eq!(unchanged.body, "");

    for outside in [
        "/static/../Cargo.toml",
        "/static/%2e%2e/Cargo.toml",
        "/static/nothing.txt",
    ] {
        assert_eq!(
            get(addr, outside).await.status,
            StatusCode::NOT_FOUND,
            "{outside}"
        );
    }
}

#[tokio::test]
async fn a_chat_message_reaches_every_listener_as_an_event() {
    let addr = start(sse::run).await;
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let mut listeners = Vec::new();
    for _ in 0..2 {
        let request = Request::get(format!("http://{addr}/chat"))
            .body(Empty::new())
            .unwrap();
        let response = within("the event stream", client.request(request))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/event-stream"
        );
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
        // The handler has subscribed by the time its response's head is here.
        listeners.push(response.into_body());
    }

    assert_eq!(
        send(Method::POST, addr, "/chat", JSON, r#"{"msg":"hello"}"#).await,
        (StatusCode::NO_CONTENT, String::new())
    );
    for body in &mut listeners {
        let frame = within("an event", body.frame()).await.unwrap().unwrap();
        assert_eq!(frame.into_data().unwrap(), "data: hello\n\n");
    }
    assert_eq!(
        send(Method::POST, addr, "/chat", JSON, r#"{"text":"hello"}"#)
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn the_websocket_echoes_and_a_plain_get_is_told_why_not() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let addr = start(websocket::run).await;
    let (mut socket, response) = within(
        "the handshake",
        tokio_tungstenite::connect_async(format!("ws://{addr}/ws")),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
    for message in [Message::text("hello"), Message::binary(&b"\x00\x01"[..])] {
        socket.send(message.clone()).await.unwrap();
        let echoed = within("the echo", socket.next()).await.unwrap().unwrap();
        assert_eq!(echoed, message);
    }
    socket.close(None).await.unwrap();

    let plain = get(addr, "/ws").await;
    assert_eq!(plain.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        plain.body,
        "not a WebSocket handshake: `Connection` must include `upgrade`"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_route_it_is_served_beside() {
    let addr = start(openapi::run).await;
    let user = get(addr, "/users/7").await;
    assert_eq!(user.status, StatusCode::OK);
    assert_eq!(user.body, r#"{"id":7,"name":"user #7"}"#);

    let doc = get(addr, "/api-docs/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.headers[header::CONTENT_TYPE], "application/json");
    let doc: serde_json::Value = serde_json::from_str(&doc.body).unwrap();
    assert_eq!(doc["info"]["title"], "Users");
    assert_eq!(doc["info"]["version"], "1.0.0");
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(paths.keys().collect::<Vec<_>>(), ["/users/{id}"]);
    let operation = &paths["/users/{id}"]["get"];
    assert_eq!(operation["summary"], "Reads a user.");
    assert_eq!(operation["tags"], serde_json::json!(["users"]));
    assert_eq!(operation["parameters"][0]["name"], "id");
    assert_eq!(
        operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/User"
    );
    assert!(doc["components"]["schemas"]["User"].is_object(), "{doc}");
}

#[tokio::test]
async fn a_signed_cookie_reads_back_and_a_tampered_one_is_absent() {
    let addr = start(cookies::run).await;
    assert_eq!(get(addr, "/").await.body, "hello, stranger");

    let remembered = ask(Method::POST, addr, "/remember", &[]).await;
    assert_eq!(remembered.body, "remembered");
    let set_cookie = remembered.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(set_cookie.starts_with("name="), "{set_cookie}");
    assert!(
        set_cookie.ends_with("ferris; HttpOnly; Path=/"),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap();
    let again = ask(Method::GET, addr, "/", &[("cookie", cookie)]).await;
    assert_eq!(again.body, "hello again, ferris");

    // The same signature on another value, and the value without a signature: not in the jar.
    let tampered = cookie.replace("ferris", "mallory");
    for forged in [tampered.as_str(), "name=ferris"] {
        let answer = ask(Method::GET, addr, "/", &[("cookie", forged)]).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.body, "hello, stranger", "{forged}");
    }
}

/// Posts `body` as `content-type: content_type`; answers the status and the body text.
async fn post_bytes(
    addr: SocketAddr,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, String) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let request = Request::post(format!("http://{addr}{path}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let response = within("a response", client.request(request)).await.unwrap();
    let status = response.status();
    let body = within("a body", response.into_body().collect())
        .await
        .unwrap()
        .to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// A `multipart/form-data` body (boundary `XyZ`) of a `title` field and a `file` of `file`.
fn form_with_file(file: &[u8]) -> Vec<u8> {
    let mut body = b"--XyZ\r\n\
        content-disposition: form-data; name=\"title\"\r\n\r\n\
        notes\r\n\
        --XyZ\r\n\
        content-disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\
        content-type: text/plain\r\n\r\n"
        .to_vec();
    body.extend_from_slice(file);
    body.extend_from_slice(b"\r\n--XyZ--\r\n");
    body
}

#[tokio::test]
async fn an_upload_is_read_field_by_field_within_the_limit() {
    let addr = start(multipart::run).await;
    let form = "multipart/form-data; boundary=XyZ";
    assert_eq!(
        post_bytes(addr, "/upload", form, form_with_file(b"hello")).await,
        (
            StatusCode::OK,
            "title = notes\nfile: a.txt, 5 bytes\n".to_owned()
        )
    );

    let too_big = form_with_file(&vec![b'x'; 1024 * 1024]);
    let (status, body) = post_bytes(addr, "/upload", form, too_big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body, "request body larger than 1048576 bytes");

    assert_eq!(
        post_bytes(addr, "/upload", "text/plain", b"title=notes".to_vec()).await,
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected request with `content-type: multipart/form-data`".to_owned()
        )
    );
    assert_eq!(
        post_bytes(addr, "/upload", "multipart/form-data", form_with_file(b"x")).await,
        (
            StatusCode::BAD_REQUEST,
            "invalid `boundary` for `multipart/form-data` request".to_owned()
        )
    );
}
