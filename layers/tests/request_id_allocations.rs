//! Allocations `RequestIdService` adds to one request, measured as the layered service's count
//! minus the bare inner service's, after one warm-up call of each.
//!
//! The request carries a `host` header and the inner response a `content-type`, as requests
//! parsed by hyper and responses made by handlers do, so neither header map is empty:
//!
//! | request                                          | added |
//! |--------------------------------------------------|-------|
//! | valid client id, no other extension              | 3     |
//! | valid client id, a `PeerAddr` extension already  | 1     |
//! | no id (a new one is made), no other extension    | 4     |
//! | no id, a `PeerAddr` extension already            | 2     |
//! | no id, and a request whose header map is empty   | 6     |
//!
//! The extension insert costs 1 (the boxed `RequestId`), plus 2 when the request had no
//! extension yet (`http::Extensions` allocates its map and the map's table on first insert).
//! Making an id costs 1 (its 32 bytes, in a `Bytes` whose clones are atomic increments); the
//! client's id costs nothing, its header value is shared. Writing the id into a header map costs
//! nothing unless the map has no room yet: a `Request::new` or `Response::new` starts with an
//! empty one, which allocates its two tables on the first insert.
//!
//! An id made with `HeaderValue::from_bytes` from a stack buffer instead costs 2: the copy into a
//! `Bytes`, and the first clone, which moves those bytes into a shared allocation
//! (`Bytes::from_owner`, used by the default maker, allocates once and clones by reference count).

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use http::header::{CONTENT_TYPE, HOST};
use http::{HeaderValue, Request, Response};
use silent_tower_layers::request_id::{MakeRequestId, RequestIdLayer};
use silent_tower_layers::request_time_logger::PeerAddr;
use tower::service_fn;
use tower_layer::Layer;
use tower_service::Service;

#[global_allocator]
static ALLOC: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc;

type Inner = tower::util::ServiceFn<fn(Request<()>) -> Ready<Result<Response<()>, Infallible>>>;

/// Answers with a response that has a `content-type` already.
fn inner() -> Inner {
    service_fn(|_| {
        let mut response = Response::new(());
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        ready(Ok(response))
    })
}

/// One request through `service`, polled to completion in place; the response is dropped.
fn serve<S>(service: &mut S, request: Request<()>)
where
    S: Service<Request<()>, Response = Response<()>, Error = Infallible>,
{
    let mut cx = Context::from_waker(Waker::noop());
    assert!(service.poll_ready(&mut cx).is_ready());
    let future = pin!(service.call(request));
    let Poll::Ready(Ok(response)) = future.poll(&mut cx) else {
        panic!("the inner service answers at once");
    };
    assert!(response.headers().contains_key("x-request-id"));
}

/// Allocations the default layer adds to one request made by `make_request`.
fn added_allocations(make_request: fn() -> Request<()>) -> usize {
    added_allocations_with(RequestIdLayer::new(), make_request)
}

/// Allocations `layer` adds to one request made by `make_request`.
fn added_allocations_with<M: MakeRequestId>(
    layer: RequestIdLayer<M>,
    make_request: fn() -> Request<()>,
) -> usize {
    let mut bare = inner();
    let mut with_id = layer.layer(inner());
    let warm_up = make_request();
    let mut cx = Context::from_waker(Waker::noop());
    assert!(bare.poll_ready(&mut cx).is_ready());
    drop(pin!(bare.call(warm_up)).poll(&mut cx));
    serve(&mut with_id, make_request());

    let request = make_request();
    let (_, bare_allocations, _) = counting_alloc::count(|| {
        let future = pin!(bare.call(request));
        drop(future.poll(&mut cx));
    });
    let request = make_request();
    let ((), layered_allocations, _) = counting_alloc::count(|| serve(&mut with_id, request));
    assert_eq!(
        bare_allocations, 2,
        "the bare service allocates its response's header map"
    );
    layered_allocations - bare_allocations
}

fn request(id: Option<&'static str>, peer: bool) -> Request<()> {
    let mut request = Request::new(());
    request
        .headers_mut()
        .insert(HOST, HeaderValue::from_static("example.com"));
    if let Some(id) = id {
        request
            .headers_mut()
            .insert("x-request-id", HeaderValue::from_static(id));
    }
    if peer {
        request
            .extensions_mut()
            .insert(PeerAddr(([10, 0, 0, 7], 51234).into()));
    }
    request
}

fn client_id() -> Request<()> {
    request(Some("4bf92f3577b34da6a3ce929d0e0e4736"), false)
}

fn client_id_and_peer() -> Request<()> {
    request(Some("4bf92f3577b34da6a3ce929d0e0e4736"), true)
}

fn no_id() -> Request<()> {
    request(None, false)
}

fn no_id_and_peer() -> Request<()> {
    request(None, true)
}

fn no_id_no_headers() -> Request<()> {
    Request::new(())
}

#[test]
fn allocations_per_request() {
    let added: Vec<_> = [
        ("valid client id", client_id as fn() -> Request<()>),
        ("valid client id, PeerAddr", client_id_and_peer),
        ("no id", no_id),
        ("no id, PeerAddr", no_id_and_peer),
        ("no id, empty header map", no_id_no_headers),
    ]
    .into_iter()
    .map(|(name, make_request)| (name, added_allocations(make_request)))
    .collect();

    assert_eq!(
        added,
        [
            ("valid client id", 3),
            ("valid client id, PeerAddr", 1),
            ("no id", 4),
            ("no id, PeerAddr", 2),
            ("no id, empty header map", 6),
        ]
    );
}

#[test]
fn an_id_copied_with_from_bytes_costs_one_more() {
    let from_bytes = RequestIdLayer::new().make_id(|| {
        let stack_buffer = *b"0123456789abcdef0123456789abcdef";
        HeaderValue::from_bytes(&stack_buffer).unwrap()
    });
    assert_eq!(added_allocations_with(from_bytes, no_id), 5);
}
