//! Heap allocations per request added by `Cors`, counted with a per-thread counting allocator.
//!
//! Each measurement makes one warm-up call, then counts one call; the request is built and the
//! response dropped outside the count. Requests carry `HeaderValue::from_static` values: like
//! the values hyper parses (slices of its shared read buffer), cloning them bumps a count at
//! most. Inner services answer synchronously, so every future completes on its first poll.

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use std::convert::Infallible;
use std::future::{poll_fn, ready, Future};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;
use silent_tower_layers::cors::{Any, CorsLayer};
use tower::{service_fn, Layer, Service};

#[global_allocator]
static ALLOC: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc;

const APP: &str = "https://app.example";

fn now<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("every future here completes on its first poll"),
    }
}

fn call<S>(service: &mut S, request: Request<()>) -> Response<Full<Bytes>>
where
    S: Service<Request<()>, Response = Response<Full<Bytes>>, Error = Infallible>,
{
    now(poll_fn(|cx| service.poll_ready(cx))).unwrap();
    now(service.call(request)).unwrap()
}

/// Allocations made by one call of `service`, after a warm-up call.
fn allocations<S>(service: &mut S, request: impl Fn() -> Request<()>) -> usize
where
    S: Service<Request<()>, Response = Response<Full<Bytes>>, Error = Infallible>,
{
    drop(call(service, request()));
    let request = request();
    let (response, allocations, _bytes) = counting_alloc::count(|| call(service, request));
    drop(response);
    allocations
}

/// An inner service whose response already carries a header, so its `HeaderMap` is allocated
/// (index table + entry vector, room for six entries) before the layer adds to it.
fn inner() -> impl Service<Request<()>, Response = Response<Full<Bytes>>, Error = Infallible> + Clone
{
    service_fn(|_: Request<()>| {
        let mut response = Response::new(Full::default());
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        ready(Ok(response))
    })
}

/// Allocations the layer adds to the bare inner service's for the same request.
fn added_by(layer: &CorsLayer, request: impl Fn() -> Request<()>) -> usize {
    let bare = allocations(&mut inner(), &request);
    assert_eq!(
        bare, 2,
        "the inner response's HeaderMap: index table + entries"
    );
    allocations(&mut layer.layer(inner()), &request) - bare
}

fn request(method: Method, headers: &[(header::HeaderName, &'static str)]) -> Request<()> {
    let mut request = Request::builder().method(method).uri("/items");
    for (name, value) in headers {
        request = request.header(name, HeaderValue::from_static(value));
    }
    request.body(()).unwrap()
}

fn simple_from(origin: &'static str) -> Request<()> {
    request(Method::GET, &[(header::ORIGIN, origin)])
}

fn preflight() -> Request<()> {
    request(
        Method::OPTIONS,
        &[
            (header::ORIGIN, APP),
            (header::ACCESS_CONTROL_REQUEST_METHOD, "PUT"),
            (
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "content-type, x-key",
            ),
        ],
    )
}

/// Every header a simple response can get: allow-origin, allow-credentials, expose, vary.
fn full_layer() -> CorsLayer {
    CorsLayer::new()
        .origin([APP, "https://admin.example"])
        .methods("GET,PUT")
        .headers("content-type,x-key")
        .credentials(true)
        .expose("x-total,x-page")
        .max_age(600)
}

#[test]
fn simple_request_from_an_allowed_origin_adds_nothing() {
    // Four inserts into a map with room for six: the values are clones of shared
    // `HeaderValue`s held by the layer's `Arc`, and the map does not grow.
    assert_eq!(added_by(&full_layer(), || simple_from(APP)), 0);
}

#[test]
fn simple_request_through_a_predicate_adds_nothing() {
    let cors = CorsLayer::new()
        .origin_predicate(|origin, _| origin.as_bytes().ends_with(b".example"))
        .credentials(true);
    assert_eq!(added_by(&cors, || simple_from(APP)), 0);
}

#[test]
fn disallowed_origin_adds_nothing() {
    assert_eq!(
        added_by(&full_layer(), || simple_from("https://evil.example")),
        0
    );
}

#[test]
fn request_without_origin_adds_nothing() {
    assert_eq!(added_by(&full_layer(), || request(Method::GET, &[])), 0);
}

#[test]
fn preflight_allocates_only_its_headermap() {
    // The inner service is not called. The answer's `HeaderMap::with_capacity(7)` allocates
    // its index table and its entry vector; the six headers then fit, and every value is a
    // shared clone from the layer's configuration.
    let mut service = full_layer().layer(inner());
    assert_eq!(allocations(&mut service, preflight), 2);
    assert_eq!(call(&mut service, preflight()).headers().len(), 6);
}

#[test]
fn reflecting_preflight_allocates_only_its_headermap() {
    // With credentials, `*` methods and headers are answered with the request's own values,
    // moved out of the request (which the inner service never sees) rather than copied.
    let cors = CorsLayer::new()
        .origin(APP)
        .methods(Any)
        .headers(Any)
        .credentials(true);
    let mut service = cors.layer(inner());
    assert_eq!(allocations(&mut service, preflight), 2);
    let response = call(&mut service, preflight());
    assert_eq!(
        response.headers()[header::ACCESS_CONTROL_ALLOW_HEADERS],
        "content-type, x-key"
    );
}

#[test]
fn echoing_several_request_headers_lines_allocates_only_the_joined_value() {
    // Browsers send one line; a request that sends several has them joined with `,` into one
    // value, the one buffer echoing can cost on top of the answer's `HeaderMap`.
    let cors = CorsLayer::new()
        .origin(APP)
        .methods(Any)
        .headers(Any)
        .credentials(true);
    let two_lines = || {
        request(
            Method::OPTIONS,
            &[
                (header::ORIGIN, APP),
                (header::ACCESS_CONTROL_REQUEST_METHOD, "PUT"),
                (header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type"),
                (header::ACCESS_CONTROL_REQUEST_HEADERS, "x-key"),
            ],
        )
    };
    let mut service = cors.layer(inner());
    assert_eq!(allocations(&mut service, two_lines), 3);
    let response = call(&mut service, two_lines());
    assert_eq!(
        response.headers()[header::ACCESS_CONTROL_ALLOW_HEADERS],
        "content-type,x-key"
    );
}

#[test]
fn a_preflight_refused_by_the_bounds_allocates_only_its_headermap() {
    // 65 names, one over the bound: refused without looking any of them up.
    const SIXTY_FIVE: &str = "content-type,content-type,content-type,content-type,content-type,\
        content-type,content-type,content-type,content-type,content-type,content-type,\
        content-type,content-type,content-type,content-type,content-type,content-type,\
        content-type,content-type,content-type,content-type,content-type,content-type,\
        content-type,content-type,content-type,content-type,content-type,content-type,\
        content-type,content-type,content-type,content-type,content-type,content-type,\
        content-type,content-type,content-type,content-type,content-type,content-type,\
        content-type,content-type,content-type,content-type,content-type,content-type,\
        content-type,content-type,content-type,content-type,content-type,content-type,\
        content-type,content-type,content-type,content-type,content-type,content-type,\
        content-type,content-type,content-type,content-type,content-type,content-type";
    assert_eq!(SIXTY_FIVE.split(',').count(), 65);
    let hostile = || {
        request(
            Method::OPTIONS,
            &[
                (header::ORIGIN, APP),
                (header::ACCESS_CONTROL_REQUEST_METHOD, "PUT"),
                (header::ACCESS_CONTROL_REQUEST_HEADERS, SIXTY_FIVE),
            ],
        )
    };
    let mut service = full_layer().layer(inner());
    assert_eq!(allocations(&mut service, hostile), 2);
    let response = call(&mut service, hostile());
    assert!(!response
        .headers()
        .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
}

#[test]
fn rejection_allocates_only_its_headermap() {
    // The `403` carries `Vary: origin`: a first insert into an empty map, index table + entries.
    let mut service = full_layer().reject_disallowed().layer(inner());
    let from_evil = || simple_from("https://evil.example");
    assert_eq!(allocations(&mut service, from_evil), 2);
    assert_eq!(
        call(&mut service, from_evil()).status(),
        StatusCode::FORBIDDEN
    );
}

#[test]
fn costs_that_belong_to_the_headermap() {
    // An inner response without headers has an unallocated map: the layer's first insert
    // allocates its table, as any first insert does.
    let empty =
        || service_fn(|_: Request<()>| ready(Ok::<_, Infallible>(Response::new(Full::default()))));
    let bare = allocations(&mut empty(), || simple_from(APP));
    let layered = allocations(&mut full_layer().layer(empty()), || simple_from(APP));
    assert_eq!((bare, layered), (0, 2));

    // An inner response that already has a `Vary`: the appended `Vary: origin` is a second
    // value of the same name, which the map keeps in its side vector, allocated on first use.
    let varying = || {
        service_fn(|_: Request<()>| {
            let mut response = Response::new(Full::default());
            response
                .headers_mut()
                .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            ready(Ok::<_, Infallible>(response))
        })
    };
    let bare = allocations(&mut varying(), || simple_from(APP));
    let layered = allocations(&mut full_layer().layer(varying()), || simple_from(APP));
    assert_eq!((bare, layered), (2, 3));
}
