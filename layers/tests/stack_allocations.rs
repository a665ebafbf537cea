//! The four layers stacked the way an app uses them — logger outermost, then exception handler,
//! CORS and timeout — add no allocation to a request: not on a simple cross-origin request, not
//! on a request without `Origin`, not with the logger's level enabled.
//!
//! Counts are taken on a current-thread runtime with the time driver (the timeout needs it),
//! after one warm-up request, as the stack's count minus the bare inner service's.

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

#[global_allocator]
static ALLOC: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc;

use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE, ORIGIN};
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use silent_tower_layers::cors::CorsLayer;
use silent_tower_layers::exception_handler::ExceptionHandlerLayer;
use silent_tower_layers::request_time_logger::RequestTimeLoggerLayer;
use silent_tower_layers::silent::SilentLayer;
use silent_tower_layers::timeout::TimeoutLayer;
use tower::ServiceBuilder;
use tower_service::Service;

/// Answers at once with a body and a content type, as a handler would.
#[derive(Clone, Copy)]
struct Hello;

impl Service<Request<()>> for Hello {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Ready<Result<Response<Full<Bytes>>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        let mut response = Response::new(Full::new(Bytes::from_static(b"Hello, World!")));
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        ready(Ok(response))
    }
}

fn request(origin: Option<&'static str>) -> Request<()> {
    let mut request = Request::get("/").body(()).unwrap();
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert(ORIGIN, HeaderValue::from_static(origin));
    }
    request
}

fn allocations<S>(service: &mut S, origin: Option<&'static str>) -> (Response<Full<Bytes>>, usize)
where
    S: Service<Request<()>, Response = Response<Full<Bytes>>, Error = Infallible>,
{
    let request = request(origin);
    let (response, count, _) = counting_alloc::count(|| {
        let mut future = pin!(service.call(request));
        loop {
            if let Poll::Ready(Ok(response)) = future
                .as_mut()
                .poll(&mut Context::from_waker(Waker::noop()))
            {
                break response;
            }
        }
    });
    (response, count)
}

fn added_by_stack(origin: Option<&'static str>) -> (Response<Full<Bytes>>, usize) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let _entered = runtime.enter();
    let mut stack = ServiceBuilder::new()
        .layer(RequestTimeLoggerLayer::new())
        .layer(ExceptionHandlerLayer::new())
        .layer(
            CorsLayer::new()
                .origin(["https://app.example", "https://admin.example"])
                .methods("GET,POST")
                .credentials(true)
                .expose("x-request-id")
                .max_age(600),
        )
        .layer(TimeoutLayer::new(Duration::from_secs(10)))
        .service(Hello);
    let mut bare = Hello;
    allocations(&mut stack, origin);
    allocations(&mut bare, origin);
    let (response, layered) = allocations(&mut stack, origin);
    let (_, baseline) = allocations(&mut bare, origin);
    (response, layered - baseline)
}

/// The same four through `SilentLayer`, in its order (CORS outside the exception handler).
fn added_by_silent_layer(origin: Option<&'static str>) -> (Response<Full<Bytes>>, usize) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let _entered = runtime.enter();
    let cors = CorsLayer::new()
        .origin(["https://app.example", "https://admin.example"])
        .methods("GET,POST")
        .credentials(true)
        .expose("x-request-id")
        .max_age(600);
    let mut stack = ServiceBuilder::new()
        .layer(SilentLayer::new(cors, Duration::from_secs(10)))
        .service(Hello);
    let mut bare = Hello;
    allocations(&mut stack, origin);
    allocations(&mut bare, origin);
    let (response, layered) = allocations(&mut stack, origin);
    let (_, baseline) = allocations(&mut bare, origin);
    (response, layered - baseline)
}

#[test]
fn the_silent_layer_adds_nothing_either() {
    for origin in [Some("https://app.example"), None] {
        let (response, added) = added_by_silent_layer(origin);
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response
                .headers()
                .get("access-control-allow-origin")
                .is_some(),
            origin.is_some()
        );
        assert_eq!(added, 0, "origin {origin:?}");
    }
}

#[test]
fn a_cross_origin_request_through_all_four_layers_adds_nothing() {
    let (response, added) = added_by_stack(Some("https://app.example"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    assert_eq!(added, 0);
}

#[test]
fn a_request_without_origin_through_all_four_layers_adds_nothing() {
    let (response, added) = added_by_stack(None);
    assert_eq!(response.status(), StatusCode::OK);
    assert!(!response
        .headers()
        .contains_key("access-control-allow-origin"));
    assert_eq!(added, 0);
}

#[test]
fn with_the_request_log_enabled_the_stack_still_adds_nothing() {
    // A subscriber that keeps nothing: what is measured is the logger's capture, not a sink.
    struct Discard;
    impl tracing::Subscriber for Discard {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, _: &tracing::Event<'_>) {}
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }
    let _guard = tracing::subscriber::set_default(Discard);
    let (response, added) = added_by_stack(Some("https://admin.example"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(added, 0);
}
