//! Allocations the request-time logger adds to one request, counted per thread and measured as
//! the layered service's count minus the bare inner service's, after one warm-up call of each
//! (the first event registers its callsites with the dispatcher).
//!
//! - Target disabled: 0, whatever the request — nothing is captured.
//! - Target enabled, with a subscriber that does not allocate itself: 0 for a URI from
//!   `Uri::from_static` and for one whose bytes are already shared, as hyper's HTTP/1 parser
//!   makes them (a slice of its read buffer); 1 for a URI parsed from an owned or borrowed string,
//!   whose first clone moves the bytes into a shared header; 1 for an extension method longer
//!   than 15 bytes, which `http` keeps in a `Box<[u8]>`. A `RequestId` extension adds nothing:
//!   its header value is cloned by reference count.

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use std::convert::Infallible;
use std::fmt::{self, Write as _};
use std::future::{ready, Future, Ready};
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use bytes::{Bytes, BytesMut};
use http::{HeaderValue, Method, Request, Response, Uri};
use silent_tower_layers::request_id::RequestId;
use silent_tower_layers::request_time_logger::{PeerAddr, RequestTimeLoggerLayer, TARGET};
use tower::service_fn;
use tower_layer::Layer;
use tower_service::Service;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

#[global_allocator]
static ALLOC: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc;

/// Callsite interest is global: one scenario at a time, so none sees another's subscriber.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    // A failed scenario poisons the lock; the others should still report their own results.
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Events of [`TARGET`] that reached [`NonAllocatingSubscriber`].
static REQUEST_EVENTS: AtomicUsize = AtomicUsize::new(0);

/// A subscriber that formats every field of every event, into a byte counter instead of a buffer,
/// so that whatever the count shows is the layer's doing. It logs [`TARGET`] only if asked to.
struct NonAllocatingSubscriber {
    log_requests: bool,
}

struct ByteCounter(usize);

impl fmt::Write for ByteCounter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

impl Visit for ByteCounter {
    fn record_debug(&mut self, _: &Field, value: &dyn fmt::Debug) {
        write!(self, "{value:?}").unwrap();
    }
}

impl Subscriber for NonAllocatingSubscriber {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.log_requests || metadata.target() != TARGET
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut written = ByteCounter(0);
        event.record(&mut written);
        assert!(written.0 > 0);
        if event.metadata().target() == TARGET {
            REQUEST_EVENTS.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

type Inner = tower::util::ServiceFn<fn(Request<()>) -> Ready<Result<Response<()>, Infallible>>>;

fn inner() -> Inner {
    service_fn(|_| ready(Ok(Response::new(()))))
}

/// One request through `service`, polled to completion in place; the response is dropped.
fn serve<S>(service: &mut S, request: Request<()>)
where
    S: Service<Request<()>, Response = Response<()>, Error = Infallible>,
{
    let mut cx = Context::from_waker(Waker::noop());
    assert!(service.poll_ready(&mut cx).is_ready());
    let future = pin!(service.call(request));
    assert!(matches!(future.poll(&mut cx), Poll::Ready(Ok(_))));
}

/// Allocations the logger adds to one request made by `make_request`.
fn added_allocations(make_request: impl Fn() -> Request<()>) -> usize {
    let mut bare = inner();
    let mut logged = RequestTimeLoggerLayer::new().layer(inner());
    serve(&mut bare, make_request());
    serve(&mut logged, make_request());

    let request = make_request();
    let ((), bare_allocations, _) = counting_alloc::count(|| serve(&mut bare, request));
    let request = make_request();
    let ((), logged_allocations, _) = counting_alloc::count(|| serve(&mut logged, request));
    assert_eq!(bare_allocations, 0, "the bare service allocates nothing");
    logged_allocations - bare_allocations
}

fn static_uri() -> Request<()> {
    let mut request = Request::new(());
    *request.uri_mut() = Uri::from_static("/users/42?fields=name");
    request
        .extensions_mut()
        .insert(PeerAddr(SocketAddr::from(([10, 0, 0, 7], 51234))));
    request
}

/// A request id as `RequestIdLayer` leaves it: logging it clones a shared header value.
fn with_request_id() -> Request<()> {
    let mut request = static_uri();
    let id =
        HeaderValue::from_maybe_shared(Bytes::from_owner(*b"4bf92f3577b34da6a3ce929d0e0e4736"));
    request
        .extensions_mut()
        .insert(RequestId::try_from(id.unwrap()).unwrap());
    request
}

fn bare_socket_addr_peer() -> Request<()> {
    let mut request = Request::new(());
    *request.uri_mut() = Uri::from_static("/");
    request
        .extensions_mut()
        .insert(SocketAddr::from(([10, 0, 0, 7], 51234)));
    request
}

/// The URI as hyper's HTTP/1 parser hands it over: a slice of the connection's read buffer.
fn hyper_parsed_uri() -> Request<()> {
    let mut read_buffer = BytesMut::with_capacity(1024);
    read_buffer.extend_from_slice(b"GET /users/42?fields=name HTTP/1.1\r\n\r\n");
    let head = read_buffer.split_to(read_buffer.len()).freeze();
    let mut request = Request::new(());
    *request.uri_mut() = Uri::from_maybe_shared(head.slice(4..25)).unwrap();
    request
}

fn string_uri() -> Request<()> {
    let mut request = Request::new(());
    *request.uri_mut() = Uri::try_from(String::from("/users/42?fields=name")).unwrap();
    request
}

fn long_extension_method() -> Request<()> {
    let mut request = Request::new(());
    *request.method_mut() = Method::from_bytes(b"VERSION-CONTROL-CHECKOUT").unwrap();
    *request.uri_mut() = Uri::from_static("/");
    request
}

type MakeRequest = fn() -> Request<()>;

const ALL_REQUESTS: [(&str, MakeRequest); 6] = [
    ("static URI with a PeerAddr", static_uri),
    ("with a RequestId", with_request_id),
    ("bare SocketAddr peer", bare_socket_addr_peer),
    ("hyper-parsed URI", hyper_parsed_uri),
    ("URI parsed from a String", string_uri),
    ("long extension method", long_extension_method),
];

#[test]
fn without_a_subscriber_the_logger_adds_no_allocation() {
    let _serial = serial();

    for (name, make_request) in ALL_REQUESTS {
        assert_eq!(added_allocations(make_request), 0, "{name}");
    }
}

#[test]
fn with_the_target_filtered_out_the_logger_adds_no_allocation() {
    let _serial = serial();
    let _subscriber = tracing::subscriber::set_default(NonAllocatingSubscriber {
        log_requests: false,
    });
    let events_before = REQUEST_EVENTS.load(Ordering::Relaxed);

    for (name, make_request) in ALL_REQUESTS {
        assert_eq!(added_allocations(make_request), 0, "{name}");
    }
    assert_eq!(REQUEST_EVENTS.load(Ordering::Relaxed), events_before);
}

#[test]
fn with_the_target_enabled_the_logger_allocates_only_to_share_an_unshared_uri_or_long_method() {
    let _serial = serial();
    let _subscriber =
        tracing::subscriber::set_default(NonAllocatingSubscriber { log_requests: true });
    let events_before = REQUEST_EVENTS.load(Ordering::Relaxed);

    let added: Vec<_> = ALL_REQUESTS
        .iter()
        .map(|(name, make_request)| (*name, added_allocations(make_request)))
        .collect();

    assert_eq!(
        added,
        [
            ("static URI with a PeerAddr", 0),
            ("with a RequestId", 0),
            ("bare SocketAddr peer", 0),
            ("hyper-parsed URI", 0),
            ("URI parsed from a String", 1),
            ("long extension method", 1),
        ]
    );
    // Each scenario serves one warm-up and one measured request, and each one was logged.
    assert_eq!(
        REQUEST_EVENTS.load(Ordering::Relaxed) - events_before,
        2 * ALL_REQUESTS.len()
    );
}
