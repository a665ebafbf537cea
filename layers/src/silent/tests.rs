use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http::{header, HeaderMap, Request, Response, StatusCode};
use http_body_util::Full;
use tower::{service_fn, ServiceBuilder, ServiceExt};

use super::*;

const APP: &str = "https://app.example";

fn cors() -> CorsLayer {
    CorsLayer::new()
        .origin(APP)
        .credentials(true)
        .expose("x-request-id")
}

fn from_app(path: &'static str) -> Request<()> {
    Request::get(path)
        .header(header::ORIGIN, APP)
        .body(())
        .unwrap()
}

/// Every header of a response, in order, as strings.
fn headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
        .collect()
}

/// What `cors()` adds to every answer for a request from `APP`.
fn cors_headers() -> Vec<(String, String)> {
    [
        ("access-control-allow-origin", APP),
        ("access-control-allow-credentials", "true"),
        ("access-control-expose-headers", "x-request-id"),
        ("vary", "origin"),
    ]
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .to_vec()
}

async fn handler(request: Request<()>) -> Result<Response<Full<Bytes>>, Infallible> {
    match request.uri().path() {
        "/panic" => panic!("handler bug"),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(Response::new(Full::from("late")))
        }
        _ => Ok(Response::new(Full::from("ok"))),
    }
}

#[tokio::test(start_paused = true)]
async fn a_panics_500_carries_the_cors_headers() {
    let app = ServiceBuilder::new()
        .layer(SilentLayer::new(cors(), Duration::from_secs(10)))
        .service_fn(handler);
    let response = app.oneshot(from_app("/panic")).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(headers(response.headers()), cors_headers());
}

#[tokio::test(start_paused = true)]
async fn a_timeouts_408_carries_the_cors_headers() {
    let app = SilentLayer::new(cors(), Duration::from_secs(10)).layer(service_fn(handler));
    let response = app.oneshot(from_app("/slow")).await.unwrap();
    assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
    assert_eq!(headers(response.headers()), cors_headers());
}

#[tokio::test(start_paused = true)]
async fn the_parts_can_be_replaced() {
    let app = SilentLayer::new(CorsLayer::new(), Duration::from_secs(10))
        .cors(cors())
        .logger(RequestTimeLoggerLayer::new())
        .timeout(TimeoutLayer::new(Duration::from_secs(1)).status(StatusCode::GATEWAY_TIMEOUT))
        .exception_handler(ExceptionHandlerLayer::new().on_panic(|_| {
            let mut response = Response::new(Full::from("sorry"));
            *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            response
        }));
    let service: Silent<_, DefaultErrorHandler, _, KeepResponse, _> =
        app.layer(service_fn(handler));

    let response = service.clone().oneshot(from_app("/slow")).await.unwrap();
    assert_eq!(response.status(), StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(headers(response.headers()), cors_headers());
    let response = service.clone().oneshot(from_app("/panic")).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(headers(response.headers()), cors_headers());
    let response = service.oneshot(from_app("/")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(headers(response.headers()), cors_headers());
}

/// The order matters: with the exception handler outside CORS, as one might stack them by
/// hand, the panic's 500 leaves without them — what `SilentLayer` exists to prevent.
#[tokio::test]
async fn the_other_order_loses_the_cors_headers() {
    let app = ServiceBuilder::new()
        .layer(ExceptionHandlerLayer::new())
        .layer(cors())
        .service_fn(handler);
    let response = app.oneshot(from_app("/panic")).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(headers(response.headers()), []);
}
