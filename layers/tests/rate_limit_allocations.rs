//! Allocations `RateLimit` adds to one request, counted per thread around `call` and the poll
//! that answers (the bare inner service allocates nothing, so every count is the layer's).
//!
//! | request                                                  | added |
//! |----------------------------------------------------------|-------|
//! | admitted by the global bucket                            | 0     |
//! | admitted, its key (a peer IP) tracked already            | 0     |
//! | admitted, keyless (drawing from the shared bucket)       | 0     |
//! | over the limit, global: `429` instead of the inner call  | 2     |
//! | over the limit, a tracked key                            | 2     |
//!
//! A `429`'s two allocations are its response's header map (its indices and its entries, made by
//! the first insert); the `Retry-After` value is a clone of one prepared when the layer was
//! built. Only a request with a key the table has never seen may allocate more, while the table
//! grows.

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use http::{Request, Response, StatusCode};
use silent_tower_layers::rate_limit::{peer_ip, RateLimitLayer};
use silent_tower_layers::request_time_logger::PeerAddr;
use tower::service_fn;
use tower_layer::Layer;
use tower_service::Service;

#[global_allocator]
static ALLOC: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc;

type Inner = tower::util::ServiceFn<fn(Request<()>) -> Ready<Result<Response<()>, Infallible>>>;

fn inner() -> Inner {
    service_fn(|_| ready(Ok(Response::new(()))))
}

/// The status of one request through `service`, polled to completion in place, and the
/// allocations it made (the request is built before the count starts).
fn serve<S>(service: &mut S, request: Request<()>) -> (StatusCode, usize)
where
    S: Service<Request<()>, Response = Response<()>, Error = Infallible>,
{
    let (status, allocations, _) = counting_alloc::count(|| {
        let mut cx = Context::from_waker(Waker::noop());
        assert!(service.poll_ready(&mut cx).is_ready());
        let future = pin!(service.call(request));
        let Poll::Ready(Ok(response)) = future.poll(&mut cx) else {
            panic!("answers at once");
        };
        response.status()
    });
    (status, allocations)
}

fn from_peer() -> Request<()> {
    let mut request = Request::new(());
    request
        .extensions_mut()
        .insert(PeerAddr(([10, 0, 0, 7], 51234).into()));
    request
}

/// Each case on a runtime with the clock paused, so no token comes back while it runs.
fn paused() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap()
}

#[test]
fn the_bare_service_allocates_nothing() {
    assert_eq!(serve(&mut inner(), Request::new(())), (StatusCode::OK, 0));
}

#[test]
fn admitted_requests_allocate_nothing() {
    let runtime = paused();
    let _entered = runtime.enter();

    let mut global = RateLimitLayer::new(1.0, 3).layer(inner());
    assert_eq!(serve(&mut global, Request::new(())), (StatusCode::OK, 0));
    assert_eq!(serve(&mut global, Request::new(())), (StatusCode::OK, 0));

    let mut keyed = RateLimitLayer::new(1.0, 3).keyed_by(peer_ip).layer(inner());
    // The first request of a key grows the table; the key's next ones allocate nothing.
    assert_eq!(serve(&mut keyed, from_peer()).0, StatusCode::OK);
    assert_eq!(serve(&mut keyed, from_peer()), (StatusCode::OK, 0));
    assert_eq!(serve(&mut keyed, from_peer()), (StatusCode::OK, 0));
    assert_eq!(serve(&mut keyed, Request::new(())), (StatusCode::OK, 0));
}

#[test]
fn a_429_allocates_only_its_header_map() {
    let runtime = paused();
    let _entered = runtime.enter();

    let mut global = RateLimitLayer::new(1.0, 1).layer(inner());
    assert_eq!(serve(&mut global, Request::new(())).0, StatusCode::OK);
    for _ in 0..2 {
        assert_eq!(
            serve(&mut global, Request::new(())),
            (StatusCode::TOO_MANY_REQUESTS, 2)
        );
    }

    let mut keyed = RateLimitLayer::new(1.0, 1).keyed_by(peer_ip).layer(inner());
    assert_eq!(serve(&mut keyed, from_peer()).0, StatusCode::OK);
    for _ in 0..2 {
        assert_eq!(
            serve(&mut keyed, from_peer()),
            (StatusCode::TOO_MANY_REQUESTS, 2)
        );
    }
}
