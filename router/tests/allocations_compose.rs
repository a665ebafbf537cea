//! Allocations per request of the composition pieces that stand beside the router: a handler
//! made a service with its state (`Handler::with_state`), `middleware::from_extractor`, and
//! merged method routers. Each figure is the difference with the bare handler on the same
//! request, so the handler's own allocations (the content-type header's map) cancel out.

#[path = "../../layers/tests/support/counting_alloc.rs"]
mod counting_alloc;

use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use http::request::Parts;
use http::{Request, Response, StatusCode};
use silent_tower_router::extract::{FromRequestParts, RequestContext, State};
use silent_tower_router::middleware::{from_extractor, from_extractor_with_state};
use silent_tower_router::{get, handler_fn, post, Body, Handler, Router};
use tower::Service;
use tower_layer::Layer;

#[global_allocator]
static ALLOC: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc;

/// Calls `service` and polls its future to completion (every future here is ready at once),
/// returning the response and the allocations the call and the poll made.
fn allocations<S>(service: &mut S, request: Request<()>) -> (Response<Body>, usize)
where
    S: Service<Request<()>, Response = Response<Body>, Error = Infallible>,
{
    // The pool's buffers, which a thread allocates for its first futures only, are there
    // already: what is counted is what every request costs.
    silent_tower_pool::fill(4);
    let (response, count, _) = counting_alloc::count(|| {
        let mut future = pin!(service.call(request));
        let mut cx = Context::from_waker(Waker::noop());
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(Ok(response)) => response,
            Poll::Pending => panic!("the handlers here never wait"),
        }
    });
    (response, count)
}

fn request(path: &'static str) -> Request<()> {
    Request::get(path).header("x-pass", "yes").body(()).unwrap()
}

async fn hello() -> &'static str {
    "Hello, World!"
}

async fn hello_state(State(_): State<Arc<String>>) -> &'static str {
    "Hello, World!"
}

/// The allocations of the bare handler, the baseline every figure is compared with.
fn baseline() -> usize {
    let mut bare = handler_fn(hello);
    let count = allocations(&mut bare, request("/")).1;
    // The content-type header's map: two allocations (indices and entries).
    assert_eq!(count, 2);
    count
}

/// Lets through requests whose `x-pass` header is `yes`: reads the head, allocates nothing.
struct Pass;

impl<S: Sync> FromRequestParts<S> for Pass {
    type Rejection = StatusCode;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &RequestContext<S>,
    ) -> Result<Self, StatusCode> {
        match parts.headers.get("x-pass") {
            Some(value) if value == "yes" => Ok(Pass),
            _ => Err(StatusCode::FORBIDDEN),
        }
    }
}

#[test]
fn a_handler_with_its_state_as_a_service_adds_no_allocation() {
    let baseline = baseline();
    let state = Arc::new(String::from("state"));
    // Alone: the state is cloned for the extractor (a reference count), nothing allocated.
    let mut alone = hello_state.with_state(Arc::clone(&state));
    let (response, count) = allocations(&mut alone, request("/"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count - baseline, 0);
    // Routed as a service on a static route: its future takes a pooled buffer, no box.
    let mut app = Router::<(), ()>::with_body()
        .route_service("/", hello_state.with_state(state))
        .route("/other", get(hello));
    let (response, count) = allocations(&mut app, request("/"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count - baseline, 0);
}

/// What a layer of a route's own costs on a route without parameters: the route's
/// `MatchedPath` crosses the layer in the request's extensions, for the layer to read — the
/// boxed value, in the extension map an earlier request on the thread gave back.
const MATCHED_PATH_INSERT: usize = 1;

#[test]
fn from_extractor_on_a_static_route_adds_only_the_routes_matched_path() {
    let baseline = baseline();
    let mut app = Router::<(), ()>::with_body()
        .route("/", get(hello).layer(from_extractor::<Pass>()))
        .route(
            "/state",
            get(hello_state)
                .layer(from_extractor_with_state::<Pass, _>(()))
                .with_state(Arc::new(String::from("state"))),
        );
    // The first request makes the map its handler gives back.
    allocations(&mut app, request("/"));
    let (response, count) = allocations(&mut app, request("/"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        count - baseline,
        MATCHED_PATH_INSERT,
        "from_extractor on a path's method router"
    );
    let (response, count) = allocations(&mut app, request("/state"));
    assert_eq!(response.status(), StatusCode::OK);
    // The handler reads the state from inside a path's layer: the state crosses the layer in
    // the request's extensions beside the `MatchedPath`, one boxed value more in the same map —
    // the documented cost of a stateful handler under any layer of its path, not of
    // `from_extractor`.
    assert_eq!(
        count - baseline,
        MATCHED_PATH_INSERT + 1,
        "a stateful handler under a path's layer"
    );
    // A rejection answers without the handler: the rejection's own response (a bare status,
    // no headers: none) and the `MatchedPath` the route put across its layer.
    let (response, count) = allocations(&mut app, Request::get("/").body(()).unwrap());
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(count, MATCHED_PATH_INSERT);
}

#[test]
fn from_extractor_around_the_whole_router_adds_no_allocation() {
    let baseline = baseline();
    let router = Router::<(), ()>::with_body().route("/", get(hello));
    let mut app = from_extractor::<Pass>().layer(router);
    let (response, count) = allocations(&mut app, request("/"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count - baseline, 0);
}

#[test]
fn a_merged_method_router_adds_no_allocation_and_its_405_none_of_its_own() {
    let baseline = baseline();
    let mut app = Router::<(), ()>::with_body().route("/", get(hello).merge(post(hello)));
    let (response, count) = allocations(&mut app, request("/"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count - baseline, 0);
    let (response, count) = allocations(&mut app, Request::delete("/").body(()).unwrap());
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    // The response's header map for `Allow` (indices and entries); the value itself is shared.
    assert_eq!(count, 2);
}
