//! tower-http 0.7: its `TraceLayer`, `CompressionLayer` and `SetResponseHeaderLayer` around our
//! `Router`, and our layers around tower-http's.

use std::convert::Infallible;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use flate2::read::GzDecoder;
use http::{header, HeaderValue, Request, Response, StatusCode};
use http_body_util::Full;
use silent_tower::layers::timeout::Elapsed;
use silent_tower::layers::{
    CorsLayer, ExceptionHandlerLayer, RequestTimeLoggerLayer, TimeoutLayer,
};
use silent_tower::{get, Body, Router};
use silent_tower_compat_tests::{
    fetch, get as get_request, http1_client, serve_on_loopback, HttpClient, Reply,
};
use tower::{Service, ServiceBuilder, ServiceExt};
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// 600 bytes of text: enough for `CompressionLayer` (which leaves bodies of 32 bytes or less).
fn long_text() -> String {
    "silent-tower ".repeat(46) + "!!"
}

fn app<B: Send + 'static>(
) -> impl Service<Request<B>, Response = Response<Body>, Error = Infallible, Future: Send + 'static>
       + Clone
       + Send
       + Sync
       + 'static {
    Router::<(), B>::with_body()
        .route("/text", get(|| async { long_text() }))
        .route("/short", get(|| async { "tiny" }))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(10)).await;
                long_text()
            }),
        )
}

fn gunzip(body: &[u8]) -> String {
    let mut text = String::new();
    GzDecoder::new(body).read_to_string(&mut text).unwrap();
    text
}

async fn get_gzip(client: &HttpClient, addr: SocketAddr, path: &str, origin: &str) -> Reply {
    let request = Request::get(format!("http://{addr}{path}"))
        .header(header::ACCEPT_ENCODING, "gzip")
        .header(header::ORIGIN, origin)
        .body(Full::default())
        .unwrap();
    fetch(client, request).await
}

#[tokio::test]
async fn tower_http_layers_wrap_our_router() {
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let trace = TraceLayer::new_for_http().on_response({
        let statuses = statuses.clone();
        move |response: &Response<_>, _latency: Duration, _span: &tracing::Span| {
            statuses.lock().unwrap().push(response.status().as_u16());
        }
    });
    let service = ServiceBuilder::new()
        .layer(trace)
        .layer(SetResponseHeaderLayer::overriding(
            header::SERVER,
            HeaderValue::from_static("silent-tower"),
        ))
        .layer(CompressionLayer::new())
        .service(app());
    let addr = serve_on_loopback(service).await;
    let client = http1_client();

    let reply = get_gzip(&client, addr, "/text", "https://any.example").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-encoding"), "gzip");
    assert_eq!(reply.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(reply.header("server"), "silent-tower");
    assert_eq!(reply.header("vary"), "accept-encoding");
    assert!(
        reply.headers.get("content-length").is_none(),
        "compressed as a stream"
    );
    assert!(
        reply.body.len() < 100,
        "{} bytes: not compressed",
        reply.body.len()
    );
    assert_eq!(gunzip(&reply.body), long_text());

    // Too short to compress: sent as our router made it.
    let reply = get_gzip(&client, addr, "/short", "https://any.example").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.headers.get("content-encoding").is_none());
    assert_eq!(reply.header("content-length"), "4");
    assert_eq!(reply.header("server"), "silent-tower");
    assert_eq!(reply.text(), "tiny");

    let reply = fetch(&client, get_request(addr, "/missing")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.header("server"), "silent-tower");
    assert_eq!(reply.text(), "");

    assert_eq!(*statuses.lock().unwrap(), [200, 200, 404]);
}

#[tokio::test]
async fn our_layers_wrap_tower_http_layers() {
    let service = ServiceBuilder::new()
        .layer(ExceptionHandlerLayer::new())
        .layer(RequestTimeLoggerLayer::new())
        .layer(
            CorsLayer::new()
                .origin("https://app.example")
                .expose("server"),
        )
        .layer(TimeoutLayer::new(Duration::from_millis(50)))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::SERVER,
            HeaderValue::from_static("silent-tower"),
        ))
        .layer(CompressionLayer::new())
        .service(app());
    let addr = serve_on_loopback(service).await;
    let client = http1_client();

    let reply = get_gzip(&client, addr, "/text", "https://app.example").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-encoding"), "gzip");
    assert_eq!(reply.header("server"), "silent-tower");
    assert_eq!(
        reply.header("access-control-allow-origin"),
        "https://app.example"
    );
    assert_eq!(reply.header("access-control-expose-headers"), "server");
    let vary: Vec<_> = reply.headers.get_all("vary").iter().collect();
    assert_eq!(vary, ["accept-encoding", "origin"]);
    assert_eq!(gunzip(&reply.body), long_text());

    // Our timeout answers with tower-http's body type, made empty through its `Default`.
    let reply = get_gzip(&client, addr, "/slow", "https://elsewhere.example").await;
    assert_eq!(reply.status, StatusCode::REQUEST_TIMEOUT);
    assert!(reply.headers.get("access-control-allow-origin").is_none());
    assert!(
        reply.headers.get("server").is_none(),
        "the timeout answered above it"
    );
    assert_eq!(reply.header("vary"), "origin");
    assert_eq!(reply.header("content-length"), "0");
    assert_eq!(reply.text(), "");
}

#[tokio::test(start_paused = true)]
async fn our_logger_and_erroring_timeout_wrap_tower_https_trace_layer() {
    // tower-http's trace body has no `Default`, so layers that make a body of their own (CORS,
    // `TimeoutLayer::new`, the exception handler's defaults) belong outside it; these two make
    // none.
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let trace = TraceLayer::new_for_http().on_response({
        let statuses = statuses.clone();
        move |response: &Response<_>, _latency: Duration, _span: &tracing::Span| {
            statuses.lock().unwrap().push(response.status().as_u16());
        }
    });
    let service = ServiceBuilder::new()
        .layer(RequestTimeLoggerLayer::new())
        .layer(TimeoutLayer::erroring(Duration::from_secs(1)))
        .layer(trace)
        .service(app());

    let request = |path: &str| Request::get(path).body(Full::<Bytes>::default()).unwrap();
    let response = service.clone().oneshot(request("/short")).await.unwrap();
    let reply = Reply::read(response).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(reply.text(), "tiny");

    let Err(error) = service.oneshot(request("/slow")).await else {
        panic!("answered although the deadline passed");
    };
    assert!(error.is::<Elapsed>(), "{error}");
    // The trace saw the first response; the second was cancelled before it had one.
    assert_eq!(*statuses.lock().unwrap(), [200]);
}
