//! `ExceptionHandler` adds no allocation to a request: not when it passes a response through,
//! not when it turns an error into a response, not when it rewrites an error status. A panic
//! costs what the panic machinery allocates, and nothing more.
//!
//! Every count is taken after one warm-up request and is the layered service's count minus the
//! bare inner service's doing the same work.

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

#[global_allocator]
static ALLOC: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc;

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use silent_tower_layers::exception_handler::{ExceptionHandler, ExceptionHandlerLayer};
use tower::service_fn;
use tower_layer::Layer;
use tower_service::Service;

type Body = Full<Bytes>;

#[derive(Debug)]
struct AppError;

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("app error")
    }
}

fn response(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from_static(b"hello")));
    *response.status_mut() = status;
    response
}

/// Answers with `status`, or fails with `AppError` when `status` is `None`.
fn inner(
    status: Option<StatusCode>,
) -> impl Service<
    Request<()>,
    Response = Response<Body>,
    Error = AppError,
    Future = impl Future<Output = Result<Response<Body>, AppError>>,
> + Clone {
    service_fn(move |_: Request<()>| std::future::ready(status.map(response).ok_or(AppError)))
}

/// Allocations of one `call` polled to completion, the request built beforehand, the result
/// checked and dropped after the count.
fn allocations_per_request<S, T>(service: &mut S, check: impl Fn(T)) -> usize
where
    S: Service<Request<()>, Response = Response<Body>>,
    S::Future: Future<Output = T>,
{
    allocations_per(Request::new, service, check)
}

/// A gRPC call, as tonic's client sends it.
fn grpc_request(_: ()) -> Request<()> {
    Request::post("/echo.Echo/Say")
        .header(http::header::CONTENT_TYPE, "application/grpc")
        .body(())
        .unwrap()
}

/// [`allocations_per_request`] for requests made by `request`.
fn allocations_per<S, T>(
    request: impl Fn(()) -> Request<()>,
    service: &mut S,
    check: impl Fn(T),
) -> usize
where
    S: Service<Request<()>, Response = Response<Body>>,
    S::Future: Future<Output = T>,
{
    let mut one_request = || {
        let request = request(());
        let (output, allocations, _) = counting_alloc::count(|| {
            let waker = Waker::noop();
            let mut context = Context::from_waker(waker);
            assert!(service.poll_ready(&mut context).is_ready());
            let mut future = pin!(service.call(request));
            loop {
                if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
                    break output;
                }
            }
        });
        check(output);
        allocations
    };
    one_request(); // warm-up: tracing's callsite registration, lazily built statics
    one_request()
}

fn status_is<E: fmt::Debug>(status: StatusCode) -> impl Fn(Result<Response<Body>, E>) {
    move |output| assert_eq!(output.unwrap().status(), status)
}

#[test]
fn passing_a_response_through_adds_no_allocation() {
    let bare = allocations_per_request(&mut inner(Some(StatusCode::OK)), status_is(StatusCode::OK));

    let default = allocations_per_request(
        &mut ExceptionHandler::new(inner(Some(StatusCode::OK))),
        status_is(StatusCode::OK),
    );

    // Handlers capturing application state behind an `Arc` are cloned into each future: a
    // reference-count increment, not an allocation.
    let state = Arc::new(String::from("state"));
    let (s1, s2, s3) = (state.clone(), state.clone(), state);
    let mut custom = ExceptionHandlerLayer::new()
        .handler(move |_: AppError| {
            let _ = &s1;
            response(StatusCode::IM_A_TEAPOT)
        })
        .on_panic(move |_: Box<dyn Any + Send>| {
            let _ = &s2;
            response(StatusCode::INTERNAL_SERVER_ERROR)
        })
        .on_error_status(move |response: Response<Body>| {
            let _ = &s3;
            response
        })
        .layer(inner(Some(StatusCode::OK)));
    let custom = allocations_per_request(&mut custom, status_is(StatusCode::OK));

    assert_eq!(bare, 0);
    assert_eq!(default - bare, 0);
    assert_eq!(custom - bare, 0);
}

#[test]
fn turning_an_error_into_a_response_adds_no_allocation() {
    let bare = allocations_per_request(&mut inner(None), |output| assert!(output.is_err()));

    // With no subscriber installed, the default handler's `tracing::error!` formats nothing.
    let default = allocations_per_request(
        &mut ExceptionHandler::new(inner(None)),
        status_is(StatusCode::INTERNAL_SERVER_ERROR),
    );
    let custom = allocations_per_request(
        &mut ExceptionHandlerLayer::new()
            .handler(|_: AppError| response(StatusCode::BAD_GATEWAY))
            .layer(inner(None)),
        status_is(StatusCode::BAD_GATEWAY),
    );

    assert_eq!(bare, 0);
    assert_eq!(default - bare, 0);
    assert_eq!(custom - bare, 0);
}

#[test]
fn rewriting_an_error_status_adds_no_allocation() {
    let bare = allocations_per_request(
        &mut inner(Some(StatusCode::NOT_FOUND)),
        status_is(StatusCode::NOT_FOUND),
    );

    let rewriting = allocations_per_request(
        &mut ExceptionHandlerLayer::new()
            .on_error_status(|mut response: Response<Body>| {
                *response.status_mut() = StatusCode::GONE;
                response
            })
            .layer(inner(Some(StatusCode::NOT_FOUND))),
        status_is(StatusCode::GONE),
    );

    assert_eq!(bare, 0);
    assert_eq!(rewriting - bare, 0);
}

/// A panic allocates its payload; catching it and answering through the panic handler adds
/// nothing to that.
#[test]
fn catching_a_panic_adds_no_allocation_to_the_panic_itself() {
    // The default hook's allocations vary with `RUST_BACKTRACE` and the depth of the stack: count
    // without it. No other test in this binary panics.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));

    fn panicking(_: Request<()>) -> std::future::Ready<Result<Response<Body>, AppError>> {
        panic!("boom")
    }
    let bare_panic = || {
        let request = Request::new(());
        let mut service = service_fn(panicking);
        let (payload, allocations, _) =
            counting_alloc::count(|| catch_unwind(AssertUnwindSafe(|| service.call(request))));
        assert!(payload.is_err());
        allocations
    };
    bare_panic();
    let bare = bare_panic();

    let layered = allocations_per_request(
        &mut ExceptionHandlerLayer::new()
            .on_panic(|_: Box<dyn Any + Send>| response(StatusCode::INTERNAL_SERVER_ERROR))
            .layer(service_fn(panicking)),
        status_is(StatusCode::INTERNAL_SERVER_ERROR),
    );

    // A gRPC call's panic gets the gRPC answer: its header map is all it adds.
    let grpc = allocations_per(
        grpc_request,
        &mut ExceptionHandler::new(service_fn(panicking)),
        grpc_internal,
    );

    std::panic::set_hook(default_hook);
    assert_eq!(
        bare, 2,
        "the payload's box and the unwinder's exception object"
    );
    assert_eq!(layered - bare, 0);
    assert_eq!(grpc - bare, 2, "the gRPC answer's header map");
}

/// Checks the default handlers' gRPC answer: `200`, `grpc-status: 13`.
fn grpc_internal<E: fmt::Debug>(output: Result<Response<Body>, E>) {
    let response = output.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["grpc-status"], "13");
}

#[test]
fn a_grpc_call_passes_through_without_allocating() {
    let default = allocations_per(
        grpc_request,
        &mut ExceptionHandler::new(inner(Some(StatusCode::OK))),
        status_is(StatusCode::OK),
    );
    assert_eq!(default, 0);
}

/// Inserting the three static headers of the gRPC answer allocates the response's header map
/// (index table + entries), nothing else; `grpc(false)` keeps the plain `500`, which allocates
/// nothing.
#[test]
fn a_grpc_calls_error_allocates_only_the_answers_header_map() {
    let grpc = allocations_per(
        grpc_request,
        &mut ExceptionHandler::new(inner(None)),
        grpc_internal,
    );
    let plain = allocations_per(
        grpc_request,
        &mut ExceptionHandlerLayer::new().grpc(false).layer(inner(None)),
        status_is(StatusCode::INTERNAL_SERVER_ERROR),
    );
    assert_eq!((grpc, plain), (2, 0));
}
