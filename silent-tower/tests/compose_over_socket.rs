//! Composition pieces served on a real socket and asked by hyper's client: a handler given its
//! state served alone, and a router whose paths merge method routers, answer other methods with
//! a fallback, and sit behind `from_extractor`.

use std::convert::Infallible;
use std::future::IntoFuture;
use std::net::SocketAddr;

use http::request::Parts;
use http::{header, HeaderMap, Method, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use silent_tower::extract::{FromRequestParts, RequestContext, State};
use silent_tower::handler::Handler;
use silent_tower::middleware::from_extractor;
use silent_tower::routing::{get, post};
use silent_tower::{serve, Body, Incoming, Router};
use tower::Service;

async fn greet(State(name): State<&'static str>) -> String {
    format!("hello from {name}")
}

async fn not_here(method: Method) -> (StatusCode, String) {
    (StatusCode::IM_A_TEAPOT, format!("no {method} here"))
}

/// Requests whose `x-pass` header is `yes`.
struct Pass;

impl<S: Sync> FromRequestParts<S> for Pass {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(
        parts: &mut Parts,
        _: &RequestContext<S>,
    ) -> Result<Self, Self::Rejection> {
        match parts.headers.get("x-pass") {
            Some(value) if value == "yes" => Ok(Pass),
            _ => Err((StatusCode::FORBIDDEN, "header `x-pass` must be `yes`")),
        }
    }
}

/// Serves `service` on a free loopback port. The bounds are `serve`'s: a service of hyper's
/// request whose response and error `serve` can send.
async fn start<S>(service: S) -> SocketAddr
where
    S: Service<http::Request<Incoming>, Response = http::Response<Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, service).into_future());
    addr
}

async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let mut request = http::Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = client
        .request(request.body(Empty::new()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

#[tokio::test]
async fn a_handler_given_its_state_is_served_alone() {
    let addr = start(greet.with_state("alone")).await;
    let (status, headers, body) = send(addr, Method::GET, "/any/path", &[]).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, "hello from alone")
    );
    assert_eq!(headers[header::CONTENT_LENGTH], "16");
}

#[tokio::test]
async fn merged_method_routers_fallbacks_and_from_extractor_on_the_wire() {
    let app: Router = Router::new()
        .route(
            "/todos",
            get(greet)
                .with_state("todos")
                .merge(post(|| async { "created" }))
                .fallback(not_here),
        )
        .route(
            "/plain",
            get(|| async { "plain" }).merge(post(|| async { "posted" })),
        )
        .route(
            "/gated",
            get(|| async { "in" }).layer(from_extractor::<Pass>()),
        );
    let addr = start(app).await;
    assert_eq!(
        send(addr, Method::GET, "/todos", &[]).await.2,
        "hello from todos"
    );
    assert_eq!(send(addr, Method::POST, "/todos", &[]).await.2, "created");
    let (status, _, body) = send(addr, Method::DELETE, "/todos", &[]).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::IM_A_TEAPOT, "no DELETE here")
    );
    let (status, headers, body) = send(addr, Method::HEAD, "/plain", &[]).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
    assert_eq!(headers[header::CONTENT_LENGTH], "5");
    let (status, headers, _) = send(addr, Method::PATCH, "/plain", &[]).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[header::ALLOW], "GET,HEAD,POST,OPTIONS");
    let (status, _, body) = send(addr, Method::GET, "/gated", &[]).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::FORBIDDEN, "header `x-pass` must be `yes`")
    );
    let (status, _, body) = send(addr, Method::GET, "/gated", &[("x-pass", "yes")]).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "in"));
}
