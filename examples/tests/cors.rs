//! The cors example's two servers on real sockets, asked by a plain HTTP client what a browser
//! would ask: every header of every answer is checked. (`compat-tests/tests/browser_cors.rs` has a
//! real browser judge the same setup.)

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use silent_tower::http::{header, HeaderMap, Method, Request, StatusCode};
use silent_tower_examples::cors::{self, GREETING_PATH};
use tokio::net::TcpListener;

const PATIENCE: Duration = Duration::from_secs(5);

async fn within<F: Future>(what: &str, future: F) -> F::Output {
    tokio::time::timeout(PATIENCE, future)
        .await
        .unwrap_or_else(|_| panic!("timed out after {PATIENCE:?} waiting for {what}"))
}

struct Origins {
    page: SocketAddr,
    api: SocketAddr,
}

/// The page server and the API server, each on its own ephemeral port.
async fn start() -> Origins {
    let page_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let page = page_listener.local_addr().unwrap();
    let api = api_listener.local_addr().unwrap();
    tokio::spawn(silent_tower::serve(page_listener, cors::page(api)).into_future());
    tokio::spawn(silent_tower::serve(api_listener, cors::api(&cors::origin(page))).into_future());
    Origins { page, api }
}

struct Answer {
    status: StatusCode,
    /// Every header but `date`, as `name: value` lines, sorted.
    headers: Vec<String>,
    body: String,
}

async fn ask(method: Method, url: String, headers: &[(&str, &str)]) -> Answer {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let mut request = Request::builder().method(method).uri(url);
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
        headers: lines(&parts.headers),
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

fn lines(headers: &HeaderMap) -> Vec<String> {
    let mut lines: Vec<String> = headers
        .iter()
        .filter(|(name, _)| *name != header::DATE)
        .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap()))
        .collect();
    lines.sort();
    lines
}

fn sorted(lines: &[&str]) -> Vec<String> {
    let mut lines: Vec<String> = lines.iter().map(|line| line.to_string()).collect();
    lines.sort();
    lines
}

fn preflight_headers(origin: &str) -> [(&str, &str); 3] {
    [
        ("origin", origin),
        ("access-control-request-method", "GET"),
        ("access-control-request-headers", "x-demo"),
    ]
}

#[tokio::test]
async fn the_preflight_from_the_page_origin_is_answered_by_the_layer() {
    let Origins { page, api } = start().await;
    let page_origin = cors::origin(page);
    let answer = ask(
        Method::OPTIONS,
        format!("http://{api}{GREETING_PATH}"),
        &preflight_headers(&page_origin),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(
        answer.headers,
        sorted(&[
            &format!("access-control-allow-origin: {page_origin}"),
            "access-control-allow-credentials: true",
            "access-control-allow-headers: x-demo",
            "access-control-max-age: 600",
            "vary: origin, access-control-request-method, access-control-request-headers",
        ])
    );
    assert_eq!(answer.body, "");
}

#[tokio::test]
async fn the_credentialed_request_from_the_page_origin_gets_json_and_permission() {
    let Origins { page, api } = start().await;
    let page_origin = cors::origin(page);
    let answer = ask(
        Method::GET,
        format!("http://{api}{GREETING_PATH}"),
        &[
            ("origin", &page_origin),
            ("x-demo", "sent-by-the-page"),
            ("cookie", "demo_session=from-the-page"),
        ],
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = r#"{"message":"hello from the API","x_demo":"sent-by-the-page","cookie":"demo_session=from-the-page"}"#;
    assert_eq!(answer.body, body);
    assert_eq!(
        answer.headers,
        sorted(&[
            &format!("access-control-allow-origin: {page_origin}"),
            "access-control-allow-credentials: true",
            "access-control-expose-headers: x-served-by",
            "content-type: application/json",
            &format!("content-length: {}", body.len()),
            "vary: origin",
            "x-served-by: silent-tower",
        ])
    );
}

#[tokio::test]
async fn another_origin_gets_no_permission_but_the_same_response() {
    let Origins { page, api } = start().await;
    // Same host, next port: another origin to a browser.
    let stranger = cors::origin(SocketAddr::new(page.ip(), page.port().wrapping_add(1)));

    let preflight = ask(
        Method::OPTIONS,
        format!("http://{api}{GREETING_PATH}"),
        &preflight_headers(&stranger),
    )
    .await;
    assert_eq!(preflight.status, StatusCode::NO_CONTENT);
    assert_eq!(
        preflight.headers,
        sorted(&["vary: origin, access-control-request-method, access-control-request-headers"])
    );

    let simple = ask(
        Method::GET,
        format!("http://{api}{GREETING_PATH}"),
        &[("origin", &stranger)],
    )
    .await;
    assert_eq!(simple.status, StatusCode::OK);
    let body = r#"{"message":"hello from the API","x_demo":null,"cookie":null}"#;
    assert_eq!(simple.body, body);
    assert_eq!(
        simple.headers,
        sorted(&[
            "content-type: application/json",
            &format!("content-length: {}", body.len()),
            "vary: origin",
            "x-served-by: silent-tower",
        ])
    );
}

#[tokio::test]
async fn the_page_fetches_from_the_api_origin() {
    let Origins { page, api } = start().await;
    let answer = ask(Method::GET, format!("http://{page}/"), &[]).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer
        .headers
        .contains(&"content-type: text/html; charset=utf-8".to_owned()));
    assert!(
        answer
            .body
            .contains(&format!(r#"fetch("http://{api}/api/greeting", {{"#)),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains(r#"credentials: "include""#),
        "{}",
        answer.body
    );
    assert!(
        answer
            .body
            .contains(r#"<output id="result">pending</output>"#),
        "{}",
        answer.body
    );
}
