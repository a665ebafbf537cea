//! [`Router`]: the route table and the endpoints, one `tower::Service`.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use http::{Request, Response, StatusCode};
use pin_project::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::body::Body;
use crate::endpoints::{Endpoints, LayerTree, Nil, Node, Push};
use crate::error::RouteError;
use crate::method_router::MethodRouter;
use crate::params::{Captures, PathParams, RouteInfo};
use crate::pattern::{self, Piece};
use crate::route::Route;
use crate::tree;

/// Routes requests by path to endpoints kept at their concrete types.
///
/// A `Router` is built once, by chaining [`route`](Router::route), [`nest`](Router::nest),
/// [`layer`](Router::layer) and [`fallback`](Router::fallback); each call returns a router of a
/// new type, so the compiler sees every endpoint and dispatch needs no box and no vtable. The
/// built table lives behind one `Arc`: cloning a router, as servers do per connection, is one
/// atomic increment.
///
/// # Paths
/// | syntax | matches |
/// |---|---|
/// | `/users` | exactly `/users` (and not `/users/`: a trailing slash is part of the path) |
/// | `<id>`, `<id:str>`, `<id:path>`, `{id}` | one non-empty segment |
/// | `<id:int>`/`<id:i64>`, `<id:i32>`, `<id:u64>`, `<id:u32>` | one segment that parses as that integer |
/// | `<id:uuid>` | one segment that parses as a UUID |
/// | `<rest:**>`, `<rest:full_path>`, `{*rest}` | the rest of the path, at least one byte |
///
/// A parameter fills a whole segment. Where several routes could match, the more specific wins:
/// literal > typed parameter > untyped parameter > catch-all. A typed parameter that does not
/// parse falls through to the next candidate, so `/users/<id:i64>` and `/users/<name>` live side
/// by side; of two typed parameters at the same place, the one registered first is tried first.
/// Paths are matched byte for byte as the client sent them, still percent-encoded and never
/// normalised (`/a/../b` is not `/b`, `//b` is not `/b`); parameters are decoded when read. So
/// integer parameters take what Rust's integer parsing takes (`42`, `-7`, `+5`), and an escaped
/// digit (`%34%32`) is not an integer. Two routes that match exactly the same paths are refused
/// when added.
///
/// # Methods
/// See [`MethodRouter`]: `HEAD` is answered by `GET` when not routed, `OPTIONS` with `204` and
/// `Allow`, other unrouted methods with `405` and `Allow`. Unknown paths go to the
/// [fallback](Router::fallback), `404` by default.
///
/// # Naming a router's type
/// The type spells out every endpoint, so a function that builds a router returns it as
/// `impl Service`, which keeps it statically dispatched (`Router<impl Clone, impl Clone>` would hide
/// the bounds that make it a service). Or erase it with [`boxed`](Router::boxed), at the cost of
/// a box per request.
///
/// ```
/// use std::convert::Infallible;
///
/// use http::{Request, Response};
/// use silent_tower_router::{get, Body, Router};
/// use tower::Service;
///
/// fn app() -> impl Service<Request<()>, Response = Response<Body>, Error = Infallible> + Clone {
///     Router::new().route("/", get(|| async { "Hello, World!" }))
/// }
/// # let _ = app();
/// ```
///
/// # Example
/// ```
/// use http::Request;
/// use silent_tower_router::{get, Router, RequestExt};
/// use tower::ServiceExt;
///
/// async fn user(req: Request<()>) -> String {
///     match req.param::<i64>("id") {
///         Ok(id) => format!("user #{id}"),
///         Err(err) => err.to_string(),
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let app = Router::new()
///     .route("/", get(|| async { "Hello, World!" }))
///     .route("/users/<id:i64>", get(user));
///
/// let response = app.oneshot(Request::get("/users/42").body(()).unwrap()).await.unwrap();
/// assert_eq!(response.status(), 200);
/// # }
/// ```
pub struct Router<E = Nil, F = NotFound> {
    inner: Arc<Inner<E, F>>,
}

#[derive(Clone)]
struct Inner<E, F> {
    table: RouteTable,
    endpoints: E,
    fallback: Route<F>,
    custom_fallback: bool,
}

#[derive(Clone, Default)]
struct RouteTable {
    tree: tree::Node,
    routes: Vec<RouteEntry>,
    endpoint_count: usize,
}

#[derive(Clone)]
struct RouteEntry {
    endpoint: usize,
    info: Arc<RouteInfo>,
    kind: EntryKind,
    /// Whether the router puts [`PathParams`] in the request: only routes with parameters do.
    exposes_params: bool,
}

/// What put an entry in the table.
#[derive(Clone, Copy, PartialEq, Eq)]
enum EntryKind {
    /// A route the user added.
    Route,
    /// A path under a nest prefix that the nested router's fallback answers.
    NestedFallback,
}

impl RouteTable {
    fn insert(
        &mut self,
        pattern: &str,
        endpoint: usize,
        kind: EntryKind,
    ) -> Result<(), RouteError> {
        let pieces = pattern::parse(pattern)?;
        let id = u32::try_from(self.routes.len())
            .map_err(|_| RouteError::invalid(pattern, "too many routes"))?;
        self.tree.insert(pattern, &pieces, id)?;
        self.routes.push(RouteEntry {
            endpoint,
            info: Arc::new(RouteInfo {
                pattern: pattern.into(),
                names: pattern::param_names(&pieces).into(),
            }),
            kind,
            exposes_params: kind == EntryKind::Route
                && pieces
                    .iter()
                    .any(|piece| !matches!(piece, Piece::Static(_))),
        });
        Ok(())
    }
}

impl Default for Router {
    fn default() -> Self {
        Self::new()
    }
}

impl Router {
    /// A router with no routes: everything answers `404`.
    pub fn new() -> Self {
        Router {
            inner: Arc::new(Inner {
                table: RouteTable::default(),
                endpoints: Nil,
                fallback: Route(NotFound),
                custom_fallback: false,
            }),
        }
    }
}

impl<E: Clone, F: Clone> Router<E, F> {
    fn into_inner(self) -> Inner<E, F> {
        Arc::try_unwrap(self.inner).unwrap_or_else(|shared| (*shared).clone())
    }

    fn from_inner<E2, F2>(inner: Inner<E2, F2>) -> Router<E2, F2> {
        Router {
            inner: Arc::new(inner),
        }
    }

    /// Routes `path` to the handlers of `method_router`.
    ///
    /// # Panics
    /// When the path is malformed or conflicts with a route already added, with the message of
    /// [`try_route`](Router::try_route)'s error — a bad route table is a bug to stop at start-up.
    #[track_caller]
    pub fn route<H, N>(self, path: &str, method_router: MethodRouter<H, N>) -> Router<E::Output, F>
    where
        E: Push<MethodRouter<H, N>>,
    {
        self.try_route(path, method_router)
            .unwrap_or_else(|err| panic!("{err}"))
    }

    /// Routes `path` to the handlers of `method_router`, or says why it cannot.
    pub fn try_route<H, N>(
        self,
        path: &str,
        method_router: MethodRouter<H, N>,
    ) -> Result<Router<E::Output, F>, RouteError>
    where
        E: Push<MethodRouter<H, N>>,
    {
        self.try_add(path, method_router)
    }

    /// Routes every method of `path` to `service` (any `Clone` service with `Error = Infallible`
    /// whose response body yields `Bytes`).
    ///
    /// # Panics
    /// As [`route`](Router::route).
    #[track_caller]
    pub fn route_service<S>(self, path: &str, service: S) -> Router<E::Output, F>
    where
        E: Push<Route<S>>,
    {
        self.try_add(path, Route(service))
            .unwrap_or_else(|err| panic!("{err}"))
    }

    fn try_add<X>(self, path: &str, endpoint: X) -> Result<Router<E::Output, F>, RouteError>
    where
        E: Push<X>,
    {
        let mut inner = self.into_inner();
        let index = inner.table.endpoint_count;
        inner.table.insert(path, index, EntryKind::Route)?;
        inner.table.endpoint_count += 1;
        Ok(Self::from_inner(Inner {
            table: inner.table,
            endpoints: inner.endpoints.push(endpoint),
            fallback: inner.fallback,
            custom_fallback: inner.custom_fallback,
        }))
    }

    /// Serves `router`'s routes under `prefix`: `/users` in `router` becomes `/api/users` for
    /// `nest("/api", router)`, and `/` becomes `/api`.
    ///
    /// Nesting is flattened into this router's one tree: a route nested five deep is looked up
    /// and dispatched as fast as the same route added flat. Handlers see the full request path,
    /// prefix included. `router`'s layers stay on its routes; its fallback, if it has one,
    /// answers the paths under `prefix` that none of its routes match.
    ///
    /// # Panics
    /// As [`try_nest`](Router::try_nest) errors.
    #[track_caller]
    pub fn nest<E2, F2>(self, prefix: &str, router: Router<E2, F2>) -> Router<E::Output, F>
    where
        E: Push<Node<E2, Route<F2>>>,
        E2: Clone,
        F2: Clone,
    {
        self.try_nest(prefix, router)
            .unwrap_or_else(|err| panic!("{err}"))
    }

    /// [`nest`](Router::nest), or why it cannot: a prefix that is `/`, does not start with `/`,
    /// ends with `/` or holds a catch-all, or a nested route that conflicts with one here.
    pub fn try_nest<E2, F2>(
        self,
        prefix: &str,
        router: Router<E2, F2>,
    ) -> Result<Router<E::Output, F>, RouteError>
    where
        E: Push<Node<E2, Route<F2>>>,
        E2: Clone,
        F2: Clone,
    {
        let invalid = |reason: &str| Err(RouteError::invalid(prefix, reason));
        if !prefix.starts_with('/') || prefix == "/" {
            return invalid("a nest prefix must start with `/` and be more than `/`");
        }
        if prefix.ends_with('/') {
            return invalid("a nest prefix must not end with `/`");
        }
        if pattern::parse(prefix)?
            .iter()
            .any(|piece| matches!(piece, Piece::CatchAll { .. }))
        {
            return invalid("a nest prefix cannot hold a catch-all parameter");
        }
        let nested = router.into_inner();
        let mut inner = self.into_inner();
        let offset = inner.table.endpoint_count;
        for entry in &nested.table.routes {
            let path = match &*entry.info.pattern {
                "/" => prefix.to_owned(),
                path => format!("{prefix}{path}"),
            };
            inner
                .table
                .insert(&path, offset + entry.endpoint, entry.kind)?;
        }
        let nested_fallback = offset + nested.table.endpoint_count;
        if nested.custom_fallback {
            for path in [
                prefix.to_owned(),
                format!("{prefix}/"),
                format!("{prefix}/{{*__rest}}"),
            ] {
                // A nested route already answering one of these paths keeps it.
                match inner
                    .table
                    .insert(&path, nested_fallback, EntryKind::NestedFallback)
                {
                    Err(err) if err.conflicts_with().is_some() => {}
                    other => other?,
                }
            }
        }
        inner.table.endpoint_count = nested_fallback + 1;
        Ok(Self::from_inner(Inner {
            table: inner.table,
            endpoints: inner
                .endpoints
                .push(Node(nested.endpoints, nested.fallback)),
            fallback: inner.fallback,
            custom_fallback: inner.custom_fallback,
        }))
    }

    /// Wraps every route *and* the fallback in `layer`: each endpoint becomes
    /// `layer.layer(endpoint)`, so the router stays statically dispatched. To wrap the router as
    /// one service instead, use `tower::ServiceBuilder` around it.
    pub fn layer<L>(self, layer: L) -> Router<E::Output, L::Service>
    where
        E: LayerTree<L>,
        L: Layer<F>,
    {
        let inner = self.into_inner();
        Self::from_inner(Inner {
            table: inner.table,
            endpoints: inner.endpoints.layer_tree(&layer),
            fallback: Route(layer.layer(inner.fallback.0)),
            custom_fallback: inner.custom_fallback,
        })
    }

    /// Wraps every route, but not the fallback, in `layer`: for middleware that should only see
    /// requests that matched a route (authorisation, say, which must not turn a 404 into a 401).
    pub fn route_layer<L>(self, layer: L) -> Router<E::Output, F>
    where
        E: LayerTree<L>,
    {
        let inner = self.into_inner();
        Self::from_inner(Inner {
            table: inner.table,
            endpoints: inner.endpoints.layer_tree(&layer),
            fallback: inner.fallback,
            custom_fallback: inner.custom_fallback,
        })
    }

    /// Answers requests that match no route with `service` instead of `404`. Wrap an `async fn`
    /// with [`handler_fn`](crate::handler_fn).
    pub fn fallback<S>(self, service: S) -> Router<E, S> {
        let inner = self.into_inner();
        Self::from_inner(Inner {
            table: inner.table,
            endpoints: inner.endpoints,
            fallback: Route(service),
            custom_fallback: true,
        })
    }
}

impl<E, F> Clone for Router<E, F> {
    fn clone(&self) -> Self {
        Router {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<E, F> fmt::Debug for Router<E, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Router")
            .field("routes", &self.routes().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl<B, E, F> Service<Request<B>> for Router<E, F>
where
    E: Endpoints<B>,
    Route<F>: Endpoints<B>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = RouterFuture<E::Future, <Route<F> as Endpoints<B>>::Future>;

    #[inline]
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    #[inline]
    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        let inner = &*self.inner;
        let mut captures = Captures::new();
        let found = inner
            .table
            .tree
            .find(req.uri().path().as_bytes(), &mut captures)
            .and_then(|id| inner.table.routes.get(id as usize));
        let state = match found {
            Some(entry) => {
                if entry.exposes_params {
                    req.extensions_mut()
                        .insert(PathParams::new(Arc::clone(&entry.info), captures));
                }
                State::Endpoint(inner.endpoints.call_at(entry.endpoint, req))
            }
            None => State::Fallback(inner.fallback.call_at(0, req)),
        };
        RouterFuture { state }
    }
}

/// The future of a [`Router`]: the matched endpoint's, or the fallback's.
#[pin_project]
pub struct RouterFuture<E, F> {
    #[pin]
    state: State<E, F>,
}

#[pin_project(project = StateProj)]
enum State<E, F> {
    Endpoint(#[pin] E),
    Fallback(#[pin] F),
}

impl<E, F> Future for RouterFuture<E, F>
where
    E: Future<Output = Response<Body>>,
    F: Future<Output = Response<Body>>,
{
    type Output = Result<Response<Body>, Infallible>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let response = match self.project().state.project() {
            StateProj::Endpoint(future) => ready!(future.poll(cx)),
            StateProj::Fallback(future) => ready!(future.poll(cx)),
        };
        Poll::Ready(Ok(response))
    }
}

/// A future of a response, as a service's `Result` that cannot fail.
#[pin_project]
pub struct InfallibleFuture<F> {
    #[pin]
    future: F,
}

impl<F> InfallibleFuture<F> {
    pub(crate) fn new(future: F) -> Self {
        InfallibleFuture { future }
    }
}

impl<F: Future<Output = Response<Body>>> Future for InfallibleFuture<F> {
    type Output = Result<Response<Body>, Infallible>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().future.poll(cx).map(Ok)
    }
}

/// The default fallback: `404 Not Found` with an empty body.
#[derive(Debug, Clone, Copy, Default)]
pub struct NotFound;

impl<B> Service<Request<B>> for NotFound {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Response<Body>, Infallible>>;

    #[inline]
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    #[inline]
    fn call(&mut self, _: Request<B>) -> Self::Future {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NOT_FOUND;
        std::future::ready(Ok(response))
    }
}

/// A router with its endpoints' types erased: one box per request for the future, one `Arc` for
/// the service. The one allocating path, for those who prefer a nameable type over speed — to
/// store routers in a collection, say, or to pick one at run time.
pub type BoxRouter<B> = tower::util::BoxCloneSyncService<Request<B>, Response<Body>, Infallible>;

impl<E, F> Router<E, F> {
    /// The patterns of every route, in the order they were added (nested ones with their prefix).
    pub fn routes(&self) -> impl Iterator<Item = &str> + '_ {
        self.inner
            .table
            .routes
            .iter()
            .filter(|entry| entry.kind == EntryKind::Route)
            .map(|entry| &*entry.info.pattern)
    }

    /// Looks `path` up as [`call`](Service::call) does, and returns the matched route's pattern:
    /// the radix-tree walk alone, with its captures, for benchmarks against other routers'
    /// lookups. Not part of the API.
    #[doc(hidden)]
    pub fn __lookup(&self, path: &str) -> Option<&str> {
        let table = &self.inner.table;
        let mut captures = Captures::new();
        let id = table.tree.find(path.as_bytes(), &mut captures)?;
        table
            .routes
            .get(id as usize)
            .map(|entry| &*entry.info.pattern)
    }

    /// Erases the router's type into a [`BoxRouter`].
    pub fn boxed<B>(self) -> BoxRouter<B>
    where
        Self: Service<Request<B>, Response = Response<Body>, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        <Self as Service<Request<B>>>::Future: Send + 'static,
    {
        BoxRouter::new(self)
    }
}
