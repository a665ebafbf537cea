use std::convert::Infallible;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use tokio::time::Instant;
use tower::{service_fn, BoxError, ServiceBuilder, ServiceExt};
use tower_layer::Layer;
use tower_service::Service;

use super::{Elapsed, Timeout, TimeoutLayer};

const SECOND: Duration = Duration::from_secs(1);

/// Answers "ok" after `delay`, or at once for a zero delay; sets `dropped` when its future goes.
fn answering_after(
    delay: Duration,
    dropped: Arc<AtomicBool>,
) -> impl Service<
    Request<()>,
    Response = Response<Full<Bytes>>,
    Error = Infallible,
    Future = impl Future<Output = Result<Response<Full<Bytes>>, Infallible>> + Send,
> + Clone {
    service_fn(move |_: Request<()>| {
        let guard = DropGuard(dropped.clone());
        async move {
            let _guard = guard;
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            Ok(Response::new(Full::from("ok")))
        }
    })
}

struct DropGuard(Arc<AtomicBool>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

async fn body_of<B: http_body::Body>(response: Response<B>) -> Bytes
where
    B::Error: std::fmt::Debug,
{
    response.into_body().collect().await.unwrap().to_bytes()
}

#[tokio::test(start_paused = true)]
async fn elapsed_request_gets_408_with_an_empty_body_and_the_inner_future_is_dropped() {
    let dropped = Arc::new(AtomicBool::new(false));
    let mut service =
        TimeoutLayer::new(10 * SECOND).layer(answering_after(60 * SECOND, dropped.clone()));
    let start = Instant::now();

    let mut future = pin!(service.call(Request::new(())));
    let response = future.as_mut().await.unwrap();

    // Dropped when the timer fired, while the response future itself is still alive.
    assert!(dropped.load(Ordering::SeqCst));
    assert_eq!(start.elapsed(), 10 * SECOND);
    assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
    assert!(response.headers().is_empty());
    assert_eq!(body_of(response).await, "");
}

#[tokio::test(start_paused = true)]
async fn response_within_the_deadline_passes_through_untouched() {
    let dropped = Arc::new(AtomicBool::new(false));
    let service = Timeout::new(answering_after(9 * SECOND, dropped), 10 * SECOND);
    let start = Instant::now();

    let response = service.oneshot(Request::new(())).await.unwrap();

    assert_eq!(start.elapsed(), 9 * SECOND);
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_of(response).await, "ok");
}

#[tokio::test(start_paused = true)]
async fn response_ready_exactly_at_the_deadline_wins() {
    let dropped = Arc::new(AtomicBool::new(false));
    let service = Timeout::new(answering_after(10 * SECOND, dropped), 10 * SECOND);

    let response = service.oneshot(Request::new(())).await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test(start_paused = true)]
async fn custom_status_and_body() {
    let dropped = Arc::new(AtomicBool::new(false));
    let layer = TimeoutLayer::new(SECOND)
        .status(StatusCode::GATEWAY_TIMEOUT)
        .body_fn(|| Full::from(Bytes::from_static(b"upstream too slow")));
    let service = layer.layer(answering_after(60 * SECOND, dropped));

    let response = service.oneshot(Request::new(())).await.unwrap();

    assert_eq!(response.status(), StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(body_of(response).await, "upstream too slow");
}

#[tokio::test(start_paused = true)]
async fn body_fn_keeps_a_status_set_before_it() {
    let layer = TimeoutLayer::new(SECOND)
        .status(StatusCode::SERVICE_UNAVAILABLE)
        .body_fn(|| Full::from("busy"));
    let service = layer.layer(answering_after(60 * SECOND, Arc::default()));

    let response = service.oneshot(Request::new(())).await.unwrap();

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body_of(response).await, "busy");
}

#[tokio::test(start_paused = true)]
async fn erroring_flavour_fails_with_elapsed_and_drops_the_inner_future() {
    let dropped = Arc::new(AtomicBool::new(false));
    let mut service =
        TimeoutLayer::erroring(SECOND).layer(answering_after(60 * SECOND, dropped.clone()));

    let mut future = pin!(service.call(Request::new(())));
    let error: BoxError = future.as_mut().await.unwrap_err();

    assert!(dropped.load(Ordering::SeqCst));
    assert!(error.is::<Elapsed>());
    assert_eq!(error.to_string(), "request timed out");
}

#[tokio::test(start_paused = true)]
async fn erroring_flavour_passes_responses_and_boxes_inner_errors() {
    #[derive(Debug, PartialEq)]
    struct Broken;
    impl std::fmt::Display for Broken {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("broken")
        }
    }
    impl std::error::Error for Broken {}

    let layer = TimeoutLayer::erroring(SECOND);
    let ok = layer.layer(answering_after(Duration::ZERO, Arc::default()));
    let response = ok.oneshot(Request::new(())).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_of(response).await, "ok");

    let failing = layer.layer(service_fn(|_: Request<()>| async {
        Err::<Response<()>, _>(Broken)
    }));
    let error = failing.oneshot(Request::new(())).await.unwrap_err();
    assert_eq!(error.downcast_ref::<Broken>(), Some(&Broken));
}

#[tokio::test(start_paused = true)]
async fn respond_flavour_keeps_the_inner_error_type() {
    let service = Timeout::new(
        service_fn(|_: Request<()>| async { Err::<Response<Full<Bytes>>, _>("inner failure") }),
        SECOND,
    );

    let error: &str = service.oneshot(Request::new(())).await.unwrap_err();

    assert_eq!(error, "inner failure");
}

/// Ready only once `open` is set; fails readiness with "closed" once `closed` is set.
#[derive(Clone, Default)]
struct Gate {
    open: Arc<AtomicBool>,
    closed: Arc<AtomicBool>,
}

impl Service<Request<()>> for Gate {
    type Response = Response<Full<Bytes>>;
    type Error = &'static str;
    type Future = std::future::Ready<Result<Self::Response, &'static str>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), &'static str>> {
        if self.closed.load(Ordering::SeqCst) {
            Poll::Ready(Err("closed"))
        } else if self.open.load(Ordering::SeqCst) {
            Poll::Ready(Ok(()))
        } else {
            Poll::Pending
        }
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        std::future::ready(Ok(Response::new(Full::from("ok"))))
    }
}

#[tokio::test(start_paused = true)]
async fn poll_ready_delegates_to_the_inner_service() {
    let gate = Gate::default();
    let mut service = TimeoutLayer::new(SECOND).layer(gate.clone());

    poll_fn(|cx| {
        assert_eq!(service.poll_ready(cx), Poll::Pending);
        gate.open.store(true, Ordering::SeqCst);
        assert_eq!(service.poll_ready(cx), Poll::Ready(Ok(())));
        gate.closed.store(true, Ordering::SeqCst);
        assert_eq!(service.poll_ready(cx), Poll::Ready(Err("closed")));
        Poll::Ready(())
    })
    .await;

    let mut erroring = TimeoutLayer::erroring(SECOND).layer(gate);
    let error = poll_fn(|cx| erroring.poll_ready(cx)).await.unwrap_err();
    assert_eq!(error.to_string(), "closed");
}

#[tokio::test(start_paused = true)]
async fn zero_duration_times_out_a_pending_response_at_the_first_poll() {
    let dropped = Arc::new(AtomicBool::new(false));
    let mut service =
        TimeoutLayer::new(Duration::ZERO).layer(answering_after(SECOND, dropped.clone()));
    let start = Instant::now();

    let mut future = pin!(service.call(Request::new(())));
    let polled = poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx))).await;

    let Poll::Ready(Ok(response)) = polled else {
        panic!("expected a response at the first poll");
    };
    assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
    assert!(dropped.load(Ordering::SeqCst));
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn zero_duration_lets_a_ready_response_through() {
    let service = Timeout::new(
        answering_after(Duration::ZERO, Arc::default()),
        Duration::ZERO,
    );

    let response = service.oneshot(Request::new(())).await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test(start_paused = true)]
async fn the_clock_starts_at_call_not_at_first_poll() {
    let mut service = Timeout::new(answering_after(60 * SECOND, Arc::default()), 10 * SECOND);

    let future = service.call(Request::new(()));
    tokio::time::advance(10 * SECOND).await;
    let start = Instant::now();
    let response = future.await.unwrap();

    assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn works_inside_service_builder() {
    let service = ServiceBuilder::new()
        .map_response(|mut response: Response<Full<Bytes>>| {
            response
                .headers_mut()
                .insert("x-outer", "1".parse().unwrap());
            response
        })
        .layer(TimeoutLayer::new(SECOND).status(StatusCode::SERVICE_UNAVAILABLE))
        .service(answering_after(60 * SECOND, Arc::default()));

    let response = service.oneshot(Request::new(())).await.unwrap();

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["x-outer"], "1");
    assert_eq!(body_of(response).await, "");
}

#[tokio::test(start_paused = true)]
async fn erroring_flavour_works_with_tower_error_handling() {
    let service = ServiceBuilder::new()
        .map_result(|result: Result<Response<Full<Bytes>>, BoxError>| {
            Ok::<_, BoxError>(result.unwrap_or_else(|error| {
                let status = if error.is::<Elapsed>() {
                    StatusCode::GATEWAY_TIMEOUT
                } else {
                    StatusCode::INTERNAL_SERVER_ERROR
                };
                let mut response = Response::new(Full::default());
                *response.status_mut() = status;
                response
            }))
        })
        .layer(TimeoutLayer::erroring(SECOND))
        .service(answering_after(60 * SECOND, Arc::default()));

    let response = service.oneshot(Request::new(())).await.unwrap();

    assert_eq!(response.status(), StatusCode::GATEWAY_TIMEOUT);
}

#[test]
fn futures_are_send_when_the_inner_future_is() {
    fn assert_send<T: Send>(_: &T) {}
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let _entered = runtime.enter();

    let mut responding = TimeoutLayer::new(SECOND).layer(answering_after(SECOND, Arc::default()));
    assert_send(&responding.call(Request::new(())));
    let mut erroring =
        TimeoutLayer::erroring(SECOND).layer(answering_after(SECOND, Arc::default()));
    assert_send(&erroring.call(Request::new(())));
}

#[tokio::test(start_paused = true)]
#[should_panic(expected = "polled after completion")]
async fn polling_after_completion_panics_with_a_clear_message() {
    let mut service = Timeout::new(answering_after(Duration::ZERO, Arc::default()), SECOND);
    let mut future = pin!(service.call(Request::new(())));
    let _ = future.as_mut().await;
    let _ = future.as_mut().await;
}
