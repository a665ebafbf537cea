//! `TimeoutLayer` and `ExceptionHandlerLayer` fail a gRPC call the way gRPC servers do — HTTP
//! `200`, `content-type: application/grpc`, `grpc-status`, `grpc-message`, empty body — and any
//! other request as before; `.grpc(false)` turns that off.

use std::any::Any;
use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http::{header, HeaderMap, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use silent_tower_layers::exception_handler::ExceptionHandlerLayer;
use silent_tower_layers::timeout::TimeoutLayer;
use tower::{service_fn, Layer, ServiceExt};

type Body = Full<Bytes>;

fn with_content_type(content_type: Option<&'static str>) -> Request<()> {
    let mut request = Request::post("/echo.Echo/Say");
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    request.body(()).unwrap()
}

fn grpc() -> Request<()> {
    with_content_type(Some("application/grpc"))
}

fn headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
        .collect()
}

fn grpc_headers(status: &str, message: &str) -> Vec<(String, String)> {
    vec![
        ("content-type".into(), "application/grpc".into()),
        ("grpc-status".into(), status.into()),
        ("grpc-message".into(), message.into()),
    ]
}

async fn body(response: Response<Body>) -> Bytes {
    response.into_body().collect().await.unwrap().to_bytes()
}

async fn slow(_: Request<()>) -> Result<Response<Body>, Infallible> {
    tokio::time::sleep(Duration::from_secs(60)).await;
    Ok(Response::new(Full::from("late")))
}

#[tokio::test(start_paused = true)]
async fn a_timed_out_grpc_call_gets_deadline_exceeded() {
    let layer = TimeoutLayer::new(Duration::from_secs(1))
        .status(StatusCode::GATEWAY_TIMEOUT)
        .body_fn(|| Full::from("timed out"));
    for content_type in [
        "application/grpc",
        "application/grpc+proto",
        "application/grpc+json",
        "application/grpc; charset=utf-8",
    ] {
        let request = with_content_type(Some(content_type));
        let response = layer
            .layer(service_fn(slow))
            .oneshot(request)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{content_type}");
        assert_eq!(
            headers(response.headers()),
            grpc_headers("4", "request timed out")
        );
        assert_eq!(body(response).await, "", "{content_type}");
    }

    // Anything else, and every request under `grpc(false)`, gets the configured answer.
    for (layer, request) in [
        (layer, with_content_type(None)),
        (layer, with_content_type(Some("application/grpc-web"))),
        (layer, with_content_type(Some("application/json"))),
        (layer.grpc(false), grpc()),
    ] {
        let response = layer
            .layer(service_fn(slow))
            .oneshot(request)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(headers(response.headers()), []);
        assert_eq!(body(response).await, "timed out");
    }
}

#[tokio::test(start_paused = true)]
async fn a_grpc_call_on_time_is_untouched() {
    let fast = service_fn(|_: Request<()>| async {
        Ok::<_, Infallible>(Response::new(Full::from("fast")))
    });
    let service = TimeoutLayer::new(Duration::from_secs(1)).layer(fast);
    let response = service.oneshot(grpc()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(headers(response.headers()), []);
    assert_eq!(body(response).await, "fast");
}

fn failing(_: Request<()>) -> std::future::Ready<Result<Response<Body>, &'static str>> {
    std::future::ready(Err("database down"))
}

fn panicking(_: Request<()>) -> std::future::Ready<Result<Response<Body>, &'static str>> {
    panic!("boom")
}

#[tokio::test]
async fn a_failed_or_panicked_grpc_call_gets_internal() {
    let layer = ExceptionHandlerLayer::new();
    let response = layer
        .layer(service_fn(failing))
        .oneshot(grpc())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        headers(response.headers()),
        grpc_headers("13", "internal error")
    );
    assert_eq!(body(response).await, "");

    let response = layer
        .layer(service_fn(panicking))
        .oneshot(grpc())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        headers(response.headers()),
        grpc_headers("13", "internal error (panic)")
    );
    assert_eq!(body(response).await, "");
}

#[tokio::test]
async fn other_requests_and_grpc_false_keep_the_plain_500() {
    for (layer, request) in [
        (ExceptionHandlerLayer::new(), with_content_type(None)),
        (
            ExceptionHandlerLayer::new(),
            with_content_type(Some("text/plain")),
        ),
        (ExceptionHandlerLayer::new().grpc(false), grpc()),
    ] {
        let response = layer
            .layer(service_fn(failing))
            .oneshot(request)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(headers(response.headers()), []);
    }
    let response = ExceptionHandlerLayer::new()
        .grpc(false)
        .layer(service_fn(panicking))
        .oneshot(grpc())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(headers(response.headers()), []);
}

#[tokio::test]
async fn handlers_you_set_answer_grpc_calls_as_written() {
    let layer = ExceptionHandlerLayer::new()
        .handler(|_: &'static str| {
            let mut response = Response::new(Full::from("mine"));
            *response.status_mut() = StatusCode::BAD_GATEWAY;
            response
        })
        .on_panic(|_: Box<dyn Any + Send>| {
            let mut response = Response::new(Full::from("my panic"));
            *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            response
        });
    let response = layer
        .layer(service_fn(failing))
        .oneshot(grpc())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(body(response).await, "mine");
    let response = layer
        .layer(service_fn(panicking))
        .oneshot(grpc())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body(response).await, "my panic");
}
