//! `Timeout` adds no allocation to a request: not on the happy path, not when the timer is
//! registered in Tokio's wheel, not when it fires (in either flavour).
//!
//! Every count is taken on a current-thread runtime with the time driver enabled, after one
//! warm-up request, and is the layered service's count minus the bare inner service's.

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

#[global_allocator]
static ALLOC: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc;

use std::convert::Infallible;
use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use silent_tower_layers::timeout::{Elapsed, TimeoutLayer};
use tower_layer::Layer;
use tower_service::Service;

/// Answers `200 hello` after returning `Pending` `pending_polls` times, waking itself each time.
#[derive(Clone, Copy)]
struct Inner {
    pending_polls: u8,
}

impl Service<Request<()>> for Inner {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Countdown;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> Countdown {
        Countdown(self.pending_polls)
    }
}

struct Countdown(u8);

impl Future for Countdown {
    type Output = Result<Response<Full<Bytes>>, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.0 == 0 {
            return Poll::Ready(Ok(Response::new(Full::new(Bytes::from_static(b"hello")))));
        }
        self.0 -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// Allocations of one `call` polled to completion (and dropped), the request built beforehand.
fn allocations_per_request<S>(service: &mut S) -> usize
where
    S: Service<Request<()>, Response = Response<Full<Bytes>>>,
    S::Error: std::fmt::Debug,
{
    let mut one_request = || {
        let request = Request::new(());
        let ((), allocations, _) = counting_alloc::count(|| {
            let mut future = pin!(service.call(request));
            loop {
                if let Poll::Ready(response) = poll_once(future.as_mut()) {
                    assert_eq!(response.unwrap().status(), StatusCode::OK);
                    break;
                }
            }
        });
        allocations
    };
    one_request(); // warm-up: lazily built runtime state is not the layer's cost
    one_request()
}

fn runtime(start_paused: bool) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(start_paused)
        .build()
        .unwrap()
}

#[test]
fn happy_path_adds_no_allocation() {
    let runtime = runtime(false);
    let _entered = runtime.enter();
    let inner = Inner { pending_polls: 0 };

    let bare = allocations_per_request(&mut inner.clone());
    let responding =
        allocations_per_request(&mut TimeoutLayer::new(Duration::from_secs(30)).layer(inner));
    let erroring =
        allocations_per_request(&mut TimeoutLayer::erroring(Duration::from_secs(30)).layer(inner));

    assert_eq!(bare, 0);
    assert_eq!(responding - bare, 0);
    assert_eq!(erroring - bare, 0);
}

/// A pending inner future makes the `Sleep` poll, which inserts its entry in Tokio's timer wheel;
/// dropping the future removes it. The entry lives inline in the `Sleep`: no allocation.
#[test]
fn registering_and_cancelling_the_timer_adds_no_allocation() {
    let runtime = runtime(false);
    let _entered = runtime.enter();
    let inner = Inner { pending_polls: 3 };

    let bare = allocations_per_request(&mut inner.clone());
    let responding =
        allocations_per_request(&mut TimeoutLayer::new(Duration::from_secs(30)).layer(inner));
    let erroring =
        allocations_per_request(&mut TimeoutLayer::erroring(Duration::from_secs(30)).layer(inner));

    assert_eq!(bare, 0);
    assert_eq!(responding - bare, 0);
    assert_eq!(erroring - bare, 0);
}

/// The inner future never answers; the poll that observes the fired timer is counted.
#[test]
fn elapsing_allocates_nothing_in_either_flavour() {
    const TIMEOUT: Duration = Duration::from_secs(1);
    let runtime = runtime(true);
    let never = Inner {
        pending_polls: u8::MAX,
    };
    let mut responding = TimeoutLayer::new(TIMEOUT).layer(never);
    let mut erroring = TimeoutLayer::erroring(TIMEOUT).layer(never);

    runtime.block_on(async {
        for _warm_up_then_count in 0..2 {
            let mut future = pin!(responding.call(Request::new(())));
            assert!(poll_once(future.as_mut()).is_pending());
            tokio::time::advance(TIMEOUT).await;
            let (polled, allocations, _) = counting_alloc::count(|| poll_once(future.as_mut()));
            let Poll::Ready(Ok(response)) = polled else {
                panic!("the timer should have fired");
            };
            assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
            assert_eq!(allocations, 0);
        }

        for _warm_up_then_count in 0..2 {
            let mut future = pin!(erroring.call(Request::new(())));
            assert!(poll_once(future.as_mut()).is_pending());
            tokio::time::advance(TIMEOUT).await;
            // `Box<Elapsed>` is the box of a zero-sized type: it does not allocate.
            let (polled, allocations, _) = counting_alloc::count(|| poll_once(future.as_mut()));
            let Poll::Ready(Err(error)) = polled else {
                panic!("the timer should have fired");
            };
            assert!(error.is::<Elapsed>());
            assert_eq!(allocations, 0);
        }
    });
}

fn grpc_request() -> Request<()> {
    Request::post("/echo.Echo/Say")
        .header(http::header::CONTENT_TYPE, "application/grpc+proto")
        .body(())
        .unwrap()
}

/// A gRPC call on time costs what any request does: reading its `content-type` in `call` is a
/// comparison, not an allocation.
#[test]
fn a_grpc_call_on_time_adds_no_allocation() {
    let runtime = runtime(false);
    let _entered = runtime.enter();
    let mut service = TimeoutLayer::new(Duration::from_secs(30)).layer(Inner { pending_polls: 3 });
    let mut one_request = || {
        let request = grpc_request();
        let ((), allocations, _) = counting_alloc::count(|| {
            let mut future = pin!(service.call(request));
            while poll_once(future.as_mut()).is_pending() {}
        });
        allocations
    };
    one_request();
    assert_eq!(one_request(), 0);
}

/// A gRPC call that runs out of time gets gRPC's answer; its values are static, so its header
/// map (index table + entries) is all it allocates. With `grpc(false)` it gets the plain `408`,
/// which allocates nothing.
#[test]
fn elapsing_for_a_grpc_call_allocates_only_the_answers_header_map() {
    const TIMEOUT: Duration = Duration::from_secs(1);
    let runtime = runtime(true);
    let never = Inner {
        pending_polls: u8::MAX,
    };
    for (grpc, expected_allocations) in [(true, 2), (false, 0)] {
        let mut service = TimeoutLayer::new(TIMEOUT).grpc(grpc).layer(never);
        runtime.block_on(async {
            for _warm_up_then_count in 0..2 {
                let mut future = pin!(service.call(grpc_request()));
                assert!(poll_once(future.as_mut()).is_pending());
                tokio::time::advance(TIMEOUT).await;
                let (polled, allocations, _) = counting_alloc::count(|| poll_once(future.as_mut()));
                let Poll::Ready(Ok(response)) = polled else {
                    panic!("the timer should have fired");
                };
                let expected_status = if grpc {
                    StatusCode::OK
                } else {
                    StatusCode::REQUEST_TIMEOUT
                };
                assert_eq!(response.status(), expected_status);
                assert_eq!(
                    response.headers().get("grpc-status").is_some(),
                    grpc,
                    "grpc({grpc})"
                );
                assert_eq!(allocations, expected_allocations, "grpc({grpc})");
            }
        });
    }
}
