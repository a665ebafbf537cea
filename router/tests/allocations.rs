//! Allocations per request, counted by a global allocator: the router adds none on a static
//! route, nor on a route with parameters read with `Path`, nor for `MatchedPath`; the one
//! `Extensions::insert` of `PathParams` for what reads them from the request; and, where a layer
//! of the route's own wraps it, the `MatchedPath` the layer reads.

#[path = "../../layers/tests/support/counting_alloc.rs"]
mod counting_alloc;

use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use http::{Request, Response, StatusCode};
use silent_tower_router::extract::Path;
use silent_tower_router::{get, handler_fn, Body, RequestExt, Router};
use tower::Service;

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
    Request::get(path).body(()).unwrap()
}

async fn hello() -> &'static str {
    "Hello, World!"
}

/// The allocations of the bare handler, the baseline every router figure is compared with.
fn bare_handler_allocations() -> usize {
    let mut bare = handler_fn(hello);
    allocations(&mut bare, request("/")).1
}

#[test]
fn a_static_route_adds_no_allocation() {
    let baseline = bare_handler_allocations();
    let mut app = Router::<(), ()>::with_body()
        .route("/", get(hello))
        .route("/users/<id:i64>", get(hello))
        .route("/about", get(hello));
    // Warm up once: nothing in the router is lazily initialised, but prove it.
    allocations(&mut app, request("/"));
    let (response, count) = allocations(&mut app, request("/"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        count - baseline,
        0,
        "router added allocations on a static route"
    );
    // The baseline is the content-type header's map: two allocations (indices and entries).
    assert_eq!(baseline, 2);
}

#[test]
fn not_found_and_a_static_route_deep_in_a_big_table_add_none_either() {
    let baseline = bare_handler_allocations();
    let mut app = Router::<(), ()>::with_body()
        .route("/a/b/c/d/e/f/g/h/i/j", get(hello))
        .route("/a/b/c/d/e/f/g/h/i/k", get(hello))
        .route("/a/{x}/c", get(hello))
        .nest(
            "/n1",
            Router::<(), ()>::with_body().nest(
                "/n2",
                Router::<(), ()>::with_body().nest(
                    "/n3",
                    Router::<(), ()>::with_body().route("/leaf", get(hello)),
                ),
            ),
        );
    let (response, count) = allocations(&mut app, request("/a/b/c/d/e/f/g/h/i/k"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count - baseline, 0);
    let (response, count) = allocations(&mut app, request("/n1/n2/n3/leaf"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count - baseline, 0);
    let (response, count) = allocations(&mut app, request("/nowhere"));
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        count, 0,
        "the default 404 has no headers and allocates nothing"
    );
}

#[test]
fn a_route_with_parameters_inserts_them_only_for_handlers_that_take_the_request() {
    let baseline = bare_handler_allocations();
    let mut app = Router::<(), ()>::with_body()
        .route("/", get(hello))
        .route("/users/<id:i64>/posts/{post}", get(hello))
        .route(
            "/typed/<id:i64>/{post}",
            get(|Path((id, post)): Path<(i64, String)>| async move {
                assert_eq!((id, post.as_str()), (42, "hello"));
                "Hello, World!"
            }),
        )
        .route(
            "/number/{id}",
            get(|Path(id): Path<i64>| async move {
                assert_eq!(id, 42);
                "Hello, World!"
            }),
        )
        .route(
            "/request/<id:i64>/{post}",
            get(|req: Request<()>| async move {
                assert_eq!(req.param::<i64>("id").unwrap(), 42);
                "Hello, World!"
            }),
        );
    // A handler that does not read the parameters: nothing.
    let (response, count) = allocations(&mut app, request("/users/42/posts/hello"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count - baseline, 0);
    // `Path<i64>` reads the captures the router hands the route: nothing.
    let (response, count) = allocations(&mut app, request("/number/42"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count - baseline, 0);
    // `Path<(i64, String)>`: the `String` alone.
    let (response, count) = allocations(&mut app, request("/typed/42/hello"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count - baseline, 1);
    // An escaped `String` is decoded once, into the `String` the handler gets.
    let (response, count) = allocations(&mut app, request("/typed/42/hel%6Co"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count - baseline, 1);
    // A handler that takes the request reads them from its extensions: the map's box, its table
    // and the boxed `PathParams` value.
    let (response, count) = allocations(&mut app, request("/request/42/hello"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count - baseline, 3);
}

#[test]
fn reading_parameters_allocates_nothing_unless_decoding() {
    let mut app = Router::<(), ()>::with_body().route(
        "/users/<id:i64>/{name}",
        get(|req: Request<()>| async move {
            let ((), count, _) = counting_alloc::count(|| {
                assert_eq!(req.param::<i64>("id").unwrap(), 42);
                assert_eq!(req.param_str("name").unwrap(), "ann");
            });
            assert_eq!(count, 0, "reading params allocated");
            StatusCode::NO_CONTENT
        }),
    );
    let (response, _) = allocations(&mut app, request("/users/42/ann"));
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

#[test]
fn a_head_answer_drops_its_body_and_allocates_only_its_length_value() {
    let mut app = Router::<(), ()>::with_body()
        .route("/", get(hello))
        .route("/own", get(hello).head(hello));
    for path in ["/", "/own"] {
        allocations(&mut app, request(path));
        let (_, get_count) = allocations(&mut app, request(path));
        let (response, head_count) = allocations(&mut app, Request::head(path).body(()).unwrap());
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-length"], "13");
        // `GET`'s, and the `Content-Length` value's bytes (its place is in the header map the
        // handler's `content-type` made): hyper writes `GET`'s length into its buffer instead.
        assert_eq!(head_count, get_count + 1, "{path}");
    }
}

/// A handler whose future holds more than the largest pooled buffer across an `.await`.
async fn large() -> String {
    let scratch = [7u8; 2 * silent_tower_router::ENDPOINT_FUTURE_SIZE];
    std::future::ready(()).await;
    format!("{}", scratch.iter().map(|&b| usize::from(b)).sum::<usize>())
}

/// `large` without the scratch array: the same answer, the same allocations, a small future.
async fn same_but_small() -> String {
    std::future::ready(()).await;
    format!("{}", 7 * 2 * silent_tower_router::ENDPOINT_FUTURE_SIZE)
}

#[test]
fn a_future_larger_than_the_largest_buffer_is_boxed_on_its_own_route_only() {
    assert!(!silent_tower_router::EndpointFuture::is_unboxed(&large()));
    let mut app = Router::<(), ()>::with_body()
        .route("/", get(hello))
        .route("/large", get(large));
    let mut small = Router::<(), ()>::with_body().route("/large", get(same_but_small));
    let (_, small_count) = allocations(&mut small, request("/large"));
    let (response, count) = allocations(&mut app, request("/large"));
    assert_eq!(response.status(), StatusCode::OK);
    // The one box that holds the future, as the docs of `EndpointFuture` say.
    assert_eq!(count - small_count, 1);
    // The routes beside it take no box.
    let (_, count) = allocations(&mut app, request("/"));
    assert_eq!(count - bare_handler_allocations(), 0);
}

#[test]
fn merged_methods_and_a_layer_around_the_whole_router_add_no_allocation() {
    use tower_layer::Layer;

    let baseline = bare_handler_allocations();
    let router = Router::<(), ()>::with_body()
        .route("/", get(hello))
        .route("/", silent_tower_router::post(hello));
    let mut app = tower::util::MapRequestLayer::new(|req: Request<()>| req).layer(router);
    let (response, count) = allocations(&mut app, request("/"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count - baseline, 0);
    let (response, count) = allocations(&mut app, Request::delete("/").body(()).unwrap());
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    // The response's header map for `Allow` (indices and entries); the value itself is shared.
    assert_eq!(count, 2);
}

#[test]
fn map_rejection_around_the_router_adds_nothing_to_a_request_that_is_not_rejected() {
    use silent_tower_router::extract::rejection::Rejection;
    use silent_tower_router::middleware::MapRejectionLayer;
    use tower_layer::Layer;

    async fn user(Path(id): Path<i64>) -> String {
        id.to_string()
    }
    let router = || {
        Router::<(), ()>::with_body()
            .route("/", get(hello))
            .route("/users/{id}", get(user))
    };
    let mut plain = router();
    let mut mapped = MapRejectionLayer::new(|r: Rejection| (r.status(), "mapped")).layer(router());
    for path in ["/", "/users/7"] {
        let (response, without) = allocations(&mut plain, request(path));
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let (response, with) = allocations(&mut mapped, request(path));
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(with, without, "{path}");
    }
    // A rejection is mapped (what that costs is the mapped response's own).
    let (response, _) = allocations(&mut mapped, request("/users/x"));
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.extensions().get::<Rejection>().is_none());
}

#[test]
fn a_route_layer_costs_only_the_matched_path_it_carries_across() {
    let baseline = bare_handler_allocations();
    let mut app = Router::<(), ()>::with_body()
        .route("/", get(hello))
        .route_layer(tower::util::MapRequestLayer::new(|req: Request<()>| req));
    // The thread's first layered request makes the extension map (its box and its table) for
    // the route's `MatchedPath`; the handler gives it back, emptied, for the next one.
    let (response, count) = allocations(&mut app, request("/"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count - baseline, MATCHED_PATH_INSERT + 2);
    let (response, count) = allocations(&mut app, request("/"));
    assert_eq!(response.status(), StatusCode::OK);
    // The layered future is larger than the handler's, and takes a larger pooled buffer: no
    // box. The route's `MatchedPath` crosses the layer in the request's extensions, for the
    // layer to read: the boxed value, in the map the last request gave back.
    assert_eq!(count - baseline, MATCHED_PATH_INSERT);
}

/// What putting the route's `MatchedPath` in the request's extensions costs where a layer of the
/// route's own wraps it, once a request on the same thread has given its extension map back: the
/// boxed value, which carries the route's parameters too.
const MATCHED_PATH_INSERT: usize = 1;

#[test]
fn original_uri_as_an_extractor_adds_no_allocation() {
    use silent_tower_router::extract::OriginalUri;

    let baseline = bare_handler_allocations();
    let mut app = Router::<(), ()>::with_body().route(
        "/users/{id}",
        get(|uri: OriginalUri| async move {
            assert_eq!(uri.path(), "/users/7");
            "Hello, World!"
        }),
    );
    // The URI as hyper hands it over: its bytes shared with the connection's read buffer, so a
    // clone is a reference count.
    let mut read_buffer = bytes::BytesMut::from(&b"/users/7?page=2"[..]);
    let uri = http::Uri::from_maybe_shared(read_buffer.split().freeze()).unwrap();
    let request = || Request::get(uri.clone()).body(()).unwrap();
    allocations(&mut app, request());
    let (response, count) = allocations(&mut app, request());
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count - baseline, 0);
}

#[test]
fn matched_path_as_an_extractor_adds_no_allocation() {
    use silent_tower_router::extract::MatchedPath;

    let baseline = bare_handler_allocations();
    let mut app = Router::<(), ()>::with_body()
        .route(
            "/about",
            get(|path: MatchedPath| async move {
                assert_eq!(path.as_str(), "/about");
                "Hello, World!"
            }),
        )
        .route(
            "/users/{id}",
            get(|path: MatchedPath| async move {
                assert_eq!(path.as_str(), "/users/{id}");
                "Hello, World!"
            }),
        )
        .nest(
            "/api",
            Router::<(), ()>::with_body().route(
                "/items/{id}",
                get(|path: MatchedPath| async move {
                    assert_eq!(path.as_str(), "/api/items/{id}");
                    "Hello, World!"
                }),
            ),
        );
    for path in ["/about", "/users/7", "/api/items/3"] {
        let (response, count) = allocations(&mut app, request(path));
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(count - baseline, 0, "{path}");
    }
}

#[test]
fn router_layer_costs_each_route_only_the_matched_path_it_carries_across() {
    let baseline = bare_handler_allocations();
    let mut app = Router::<(), ()>::with_body()
        .route("/", get(hello))
        .layer(tower::util::MapRequestLayer::new(|req: Request<()>| req))
        .route("/after", get(hello));
    allocations(&mut app, request("/"));
    let (response, count) = allocations(&mut app, request("/"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count - baseline, MATCHED_PATH_INSERT);
    // A route added after the layer is not wrapped: it costs nothing.
    let (response, count) = allocations(&mut app, request("/after"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(count - baseline, 0);
}

#[test]
fn a_layer_on_a_paths_method_router_adds_only_its_matched_path() {
    let baseline = bare_handler_allocations();
    let mut app = Router::<(), ()>::with_body().route(
        "/",
        get(hello).layer(tower::util::MapRequestLayer::new(|req: Request<()>| req)),
    );
    allocations(&mut app, request("/"));
    let (response, count) = allocations(&mut app, request("/"));
    assert_eq!(response.status(), StatusCode::OK);
    // The handler's future and the layered one each take a pooled buffer: no
    // box. The route's `MatchedPath` crosses the layer in the request's extensions.
    assert_eq!(count - baseline, MATCHED_PATH_INSERT);
}

// Composition: middleware functions, `Router::layer`, state through `FromRef`. Each figure is
// the difference with the same app without the composition, on the same request, so the
// handlers' own allocations (the `String` of the parameter route's answer, the content-type
// header's map) cancel out.

mod composition {
    use std::sync::Arc;

    use super::*;
    use silent_tower_router::extract::{FromRef, State};
    use silent_tower_router::middleware::{self, Next};
    use silent_tower_router::response::IntoResponse;
    use tower_layer::Layer;

    /// A part of the app's state: cloning it is an atomic increment.
    #[derive(Clone)]
    struct Sub(Arc<u32>);

    #[derive(Clone)]
    struct AppState {
        sub: Sub,
        #[allow(dead_code)] // a part the handlers do not take
        name: Arc<str>,
    }

    impl FromRef<AppState> for Sub {
        fn from_ref(state: &AppState) -> Self {
            state.sub.clone()
        }
    }

    fn app_state() -> AppState {
        AppState {
            sub: Sub(Arc::new(7)),
            name: Arc::from("app"),
        }
    }

    async fn user(Path(id): Path<u32>) -> String {
        id.to_string()
    }

    async fn hello_state(State(Sub(sub)): State<Sub>) -> &'static str {
        assert_eq!(*sub, 7);
        "Hello, World!"
    }

    async fn user_state(State(Sub(sub)): State<Sub>, Path(id): Path<u32>) -> String {
        assert_eq!(*sub, 7);
        id.to_string()
    }

    /// Passes the request on, unless it carries `x-deny`.
    async fn pass(req: Request<()>, next: Next<()>) -> silent_tower_router::response::Response {
        if req.headers().contains_key("x-deny") {
            return StatusCode::FORBIDDEN.into_response();
        }
        next.run(req).await
    }

    fn plain() -> Router<(), ()> {
        Router::<(), ()>::with_body()
            .route("/", get(hello))
            .route("/users/{id}", get(user))
    }

    fn with_state() -> Router<(), ()> {
        Router::<AppState, ()>::with_body()
            .route("/", get(hello_state))
            .route("/users/{id}", get(user_state))
            .with_state(app_state())
    }

    /// What `app` allocates on each of the two routes beyond [`plain`], after a warm-up request
    /// on each; every answer must be `200` with the body of the plain app.
    fn added<S>(mut app: S) -> [usize; 2]
    where
        S: Service<Request<()>, Response = Response<Body>, Error = Infallible>,
    {
        let mut base = plain();
        ["/", "/users/42"].map(|path| {
            allocations(&mut base, request(path));
            allocations(&mut app, request(path));
            let (expected, plain_count) = allocations(&mut base, request(path));
            let (response, count) = allocations(&mut app, request(path));
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(expected.status(), StatusCode::OK, "{path}");
            count.checked_sub(plain_count).unwrap_or_else(|| {
                panic!("{path}: {count} allocations, fewer than the plain app's {plain_count}")
            })
        })
    }

    #[test]
    fn from_fn_around_the_whole_router_adds_no_allocation() {
        assert_eq!(added(middleware::from_fn(pass).layer(plain())), [0, 0]);
        // The middleware does answer on its own when it should, and that costs what a `403`
        // costs, not more.
        let mut app = middleware::from_fn(pass).layer(plain());
        let denied = Request::get("/").header("x-deny", "1").body(()).unwrap();
        let (response, count) = allocations(&mut app, denied);
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(count, 0);
    }

    #[test]
    fn router_layer_from_fn_costs_the_matched_path_and_the_parameters_it_forwards() {
        // `Router::layer` wraps each route: the route's future, which now holds the
        // middleware's, takes a larger pooled buffer, and the middleware's own future one of its
        // own: no box. The route's `MatchedPath` crosses the layer in the request's extensions,
        // for the layer to read, in the map the warm-up request gave back; on the parameter
        // route it carries the parameters too, in the same value.
        let expected = [MATCHED_PATH_INSERT; 2];
        assert_eq!(added(plain().layer(middleware::from_fn(pass))), expected);
        assert_eq!(
            added(plain().route_layer(middleware::from_fn(pass))),
            expected
        );
    }

    #[test]
    fn state_through_from_ref_adds_no_allocation() {
        assert_eq!(added(with_state()), [0, 0]);
    }

    #[test]
    fn from_fn_around_a_router_with_state_adds_no_allocation() {
        assert_eq!(added(middleware::from_fn(pass).layer(with_state())), [0, 0]);
    }

    #[test]
    fn from_fn_with_state_and_an_extractor_around_the_whole_router_adds_no_allocation() {
        async fn pass_with_state(
            State(Sub(sub)): State<Sub>,
            req: Request<()>,
            next: Next<()>,
        ) -> silent_tower_router::response::Response {
            assert_eq!(*sub, 7);
            next.run(req).await
        }
        let app = middleware::from_fn_with_state(app_state(), pass_with_state).layer(with_state());
        assert_eq!(added(app), [0, 0]);
    }
}
