//! [`Router`]: the route table and its endpoints, one `tower::Service` of one type.

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower_service::Service;

use super::erased::{Endpoint, SharedEndpoint};
use super::future::RouterFuture;
use super::merged::merge_methods;
use super::method_router::MethodRouter;
use super::service::{NotFound, ServiceEndpoint};
use super::table::{EntryKind, RouteTable};
use crate::body::{Body, BoxError};
use crate::endpoint::tree::Endpoints;
use crate::endpoint::CallContext;
use crate::error::RouteError;
use crate::params::Captures;

/// Routes requests by path to endpoints.
///
/// A `Router` is built once, by chaining [`route`](Router::route), [`nest`](Router::nest),
/// [`merge`](Router::merge) and [`fallback`](Router::fallback), and its type never changes as
/// routes are added: `Router<S, B>`, a router that still needs a state `S` (`()` when it needs
/// none, or once [`with_state`](Router::with_state) gave it) for requests of body `B` (hyper's,
/// what [`serve`] feeds, unless built with [`with_body`](Router::with_body)). So a function can
/// build a group of routes and return `Router<AppState>`, and routes can be added in a loop from
/// a table read at run time. Only a `Router<()>` is a `Service`. The built table lives behind one `Arc`:
/// cloning a router, as servers do per connection, is one atomic increment.
///
/// Each path's [`MethodRouter`](crate::MethodRouter) keeps its concrete type and is put behind a
/// vtable once, when the route is added. A request then costs one tree walk and **one indirect
/// call**, which writes the endpoint's future into a buffer from a per-thread pool, behind a
/// handle the router's future holds (see [`EndpointFuture`](crate::EndpointFuture)): no
/// allocation on a static route, nor on a route whose handler reads its parameters with `Path`
/// (the parameters go into the request's extensions only for handlers and services that read
/// them from there).
///
/// [`serve`]: https://docs.rs/silent-tower/latest/silent_tower/fn.serve.html
///
/// # Paths
/// | syntax | matches |
/// |---|---|
/// | `/users` | exactly `/users` (and not `/users/`: a trailing slash is part of the path) |
/// | `<id>`, `<id:str>`, `<id:path>`, `{id}` | one non-empty segment |
/// | `<id:int>`/`<id:i64>`, `<id:i32>`, `<id:u64>`, `<id:u32>` | one segment that parses as that integer |
/// | `<id:uuid>` | one segment that parses as a UUID |
/// | `<rest:**>`, `<rest:full_path>`, `{*rest}` | the rest of the path, at least one byte |
/// | `/{file}.png`, `/new-{id}`, `/x{a}x`, `/v<n:i64>.json` | a parameter with a literal prefix and/or suffix in its segment: a non-empty value (of the type, if typed) between them; `/x{a}x` takes `/xax` (`a` = `a`), not `/xx` |
/// | `/static/x{*rest}` | a catch-all after a literal prefix: `/static/xa/b` (`rest` = `a/b`) |
/// | `{{`, `}}` | a literal `{`, `}` as the client sent it unescaped (as in matchit); clients that escape it send `%7B`, `%7D`, which a route spells `%7B`, `%7D` |
/// | `\:`, `\*` at the start of a segment | a literal `:`, `*` (`r"/\:id"` matches `/:id`); elsewhere in a segment `:` and `*` are plain characters |
///
/// A segment holds one parameter at most (`/v{major}.{minor}` is refused, as in matchit: capture
/// the segment and split it in the handler). A segment that starts with `:` or `*` is refused
/// with the spelling to use: `/users/:id` and `/files/*rest` are axum 0.7's syntax, which would
/// otherwise match only the literal text; axum 0.8 refuses them too, and they are
/// `/users/{id}` and `/files/{*rest}` here.
///
/// A route holds only what can reach it in a request path, and refuses the rest with the reason:
/// `?` (the query is not part of the path: read it with
/// [`query_param`](crate::RequestExt::query_param)), `#` (clients never send the fragment), a
/// space, `` ` `` and control characters (never unescaped in a request path: spell them `%20`,
/// `%60`, `%09`…). Other characters, non-ASCII included, match when the client sends them as
/// they are, which hyper accepts; a client that escapes `é` sends `%C3%A9`, which a route
/// spells so.
///
/// Where several routes could match, the more specific wins: literal > typed parameter > untyped
/// parameter > catch-all, read from the left. Literal bytes come first, so a longer literal
/// prefix wins (`/new-item` over `/new-{id}` over `/{id}`; `/b{x}` over `/{x}a` for `/bza`);
/// of parameters with the same prefix, the longest suffix (`/{x}.tar.gz` over `/{x}.gz` over
/// `/{x}`), then the typed ones, then the untyped one. A typed parameter that does not parse
/// falls through to the next candidate, so `/users/<id:i64>` and `/users/<name>` live side by
/// side; of two typed parameters at the same place, the one registered first is tried first. A
/// candidate that dead-ends further right falls through to the next one too, with one exception
/// taken from matchit (so that a table behaves as in axum): the suffix is chosen by the segment.
/// Of the parameters at one place that can take a segment (a non-empty value of the type before
/// the suffix, and a route going on after it — ending there when the segment is the path's last),
/// those with the longest suffix are tried, and those with shorter suffixes are not: with
/// `/{x}.png/a` and `/{x}/b`, `/f.png/b` answers `404`, as in axum.
/// A request no route takes answers `404` — also when the only candidate was a typed parameter
/// that did not parse. For a `400` naming the bad value instead, route an untyped parameter and
/// read it typed: `/users/{id}` with `req.param::<i64>("id")?`.
/// Paths are matched byte for byte as the client sent them, still percent-encoded and never
/// normalised (`/a/../b` is not `/b`, `//b` is not `/b`); parameters are decoded when read. So
/// integer parameters take what Rust's integer parsing takes (`42`, `-7`, `+5`), and an escaped
/// digit (`%34%32`) is not an integer. Two routes that match exactly the same paths — the same
/// literals, and parameters of the same type with the same prefix and suffix, whatever their
/// names (`/{a}.png` and `/{b}.png`) — are refused when added, in a nest prefix too, with a
/// message naming both, unless they are the same pattern with different methods (see
/// [`route`](Router::route)). Routes that overlap otherwise are ordered by the rules above, so
/// the router takes tables matchit refuses as ambiguous (`/{x}` beside `/{*rest}`, `/a{x}b`
/// beside `/a{x}`); on a table matchit takes, a path finds the route and the captures matchit
/// finds (the router's tests compare the two on generated tables).
///
/// # Methods
/// See [`MethodRouter`](crate::MethodRouter): `HEAD` is answered by `GET` when not routed,
/// `OPTIONS` with `204` and `Allow`, other unrouted methods with `405` and `Allow`. Unknown paths
/// go to the [fallback](Router::fallback), `404` by default.
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
/// fn users() -> Router<(), ()> {
///     Router::with_body()
///         .route("/", get(|| async { "all users" }))
///         .route("/<id:i64>", get(user))
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let app = Router::with_body()
///     .route("/", get(|| async { "Hello, World!" }))
///     .nest("/users", users());
///
/// let response = app.oneshot(Request::get("/users/42").body(()).unwrap()).await.unwrap();
/// assert_eq!(response.status(), 200);
/// # }
/// ```
pub struct Router<S = (), B = hyper::body::Incoming> {
    pub(super) inner: Arc<Inner<B, S>>,
}

pub(super) struct Inner<B, S> {
    pub(super) table: RouteTable<B, S>,
    pub(super) fallback: SharedEndpoint<B, S>,
    pub(super) custom_fallback: bool,
    /// Answers a method a matched path does not route, instead of the path's own `405`.
    pub(super) method_not_allowed: Option<SharedEndpoint<B, S>>,
    pub(super) body_limit: usize,
}

impl<B, S> Clone for Inner<B, S> {
    fn clone(&self) -> Self {
        Inner {
            table: self.table.clone(),
            fallback: self.fallback.clone(),
            custom_fallback: self.custom_fallback,
            method_not_allowed: self.method_not_allowed.clone(),
            body_limit: self.body_limit,
        }
    }
}

impl<S: Clone + Send + Sync + 'static> Default for Router<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Clone + Send + Sync + 'static> Router<S> {
    /// A router for hyper's request body — what [`serve`] feeds it — with no routes: everything
    /// answers `404`. `S` is the state its handlers still need, inferred as in axum: `()` for a
    /// router that is served as it is, the type given to [`with_state`](Router::with_state)
    /// otherwise. For another request body, [`with_body`](Router::with_body).
    ///
    /// [`serve`]: https://docs.rs/silent-tower/latest/silent_tower/fn.serve.html
    pub fn new() -> Self {
        Self::with_body()
    }
}

impl<S: Clone + Send + Sync + 'static, B: Send + 'static> Router<S, B> {
    /// A router for requests with body `B`, with no routes: `Router::<(), ()>::with_body()` in
    /// tests, axum's body to mount it in axum. The body type is fixed here, where it is written
    /// once, rather than inferred from the end of a long chain of routes.
    pub fn with_body() -> Self {
        Router {
            inner: Arc::new(Inner {
                table: RouteTable::default(),
                fallback: SharedEndpoint::Ready(Arc::new(ServiceEndpoint::new(NotFound))),
                custom_fallback: false,
                method_not_allowed: None,
                body_limit: crate::extract::DEFAULT_BODY_LIMIT,
            }),
        }
    }

    /// Gives the routes added so far, and the fallback, the state they need, and returns a router
    /// that needs an `S2` — any type: `()` for the router that is served, the state of a parent
    /// router for a group with a state of its own, nested or merged into it.
    ///
    /// [`State<T>`](crate::extract::State) is then a clone of `state`, or of the part of it `T`
    /// is made from ([`FromRef`](crate::extract::FromRef)): wrap what is costly to clone in an
    /// `Arc`, and each request costs an atomic increment. Only a `Router<()>` is a `Service`, so
    /// a state never given is a compile error, not a `500` at run time. A router given its state
    /// costs one more indirect call per request than one that needs none.
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// use silent_tower_router::extract::State;
    /// use silent_tower_router::{get, Router};
    ///
    /// #[derive(Clone)]
    /// struct Db(Arc<Vec<&'static str>>);
    ///
    /// async fn count(State(Db(rows)): State<Db>) -> String {
    ///     rows.len().to_string()
    /// }
    ///
    /// // A group with its own state, nested under a router that needs none.
    /// let users = Router::new()
    ///     .route("/count", get(count))
    ///     .with_state(Db(Arc::new(vec!["ada", "grace"])));
    /// let app: Router = Router::new().nest("/users", users);
    /// # let _ = app;
    /// ```
    pub fn with_state<S2>(self, state: S) -> Router<S2, B> {
        let inner = self.into_inner();
        let bind = |endpoint: &SharedEndpoint<B, S>| -> SharedEndpoint<B, S2> {
            SharedEndpoint::Ready(endpoint.provide_state(&state))
        };
        Router {
            inner: Arc::new(Inner {
                table: inner.table.map_endpoints(bind),
                fallback: bind(&inner.fallback),
                custom_fallback: inner.custom_fallback,
                method_not_allowed: inner.method_not_allowed.as_ref().map(bind),
                body_limit: inner.body_limit,
            }),
        }
    }

    /// The most bytes a body extractor (`Json`, `Form`, `Bytes`, `String`, `Multipart`) reads
    /// before it answers `413`: [`DEFAULT_BODY_LIMIT`](crate::extract::DEFAULT_BODY_LIMIT)
    /// (2 MiB) unless set. A path's own limit,
    /// [`MethodRouter::body_limit`](crate::MethodRouter::body_limit), wins over it.
    pub fn body_limit(self, limit: usize) -> Self {
        self.set(|inner| inner.body_limit = limit)
    }

    pub(super) fn set(self, set: impl FnOnce(&mut Inner<B, S>)) -> Self {
        let mut inner = self.into_inner();
        set(&mut inner);
        Router {
            inner: Arc::new(inner),
        }
    }

    pub(super) fn into_inner(self) -> Inner<B, S> {
        Arc::try_unwrap(self.inner).unwrap_or_else(|shared| (*shared).clone())
    }

    pub(super) fn edit(
        self,
        edit: impl FnOnce(&mut Inner<B, S>) -> Result<(), RouteError>,
    ) -> Result<Self, RouteError> {
        let mut inner = self.into_inner();
        edit(&mut inner)?;
        Ok(Router {
            inner: Arc::new(inner),
        })
    }

    /// Routes `path` to the handlers of `method_router`.
    ///
    /// A path routed again with other methods gets them too, as in axum:
    /// `.route("/users", get(list)).route("/users", post(create))` is
    /// `.route("/users", get(list).post(create))`. The same method twice on one path is refused.
    ///
    /// # Panics
    /// When the path is malformed or conflicts with a route already added, with the message of
    /// [`try_route`](Router::try_route)'s error — a bad route table is a bug to stop at start-up,
    /// and the message points at the line that added the route.
    #[track_caller]
    pub fn route<H, N>(self, path: &str, method_router: MethodRouter<H, N>) -> Self
    where
        H: Endpoints<B, S> + Send + Sync + 'static,
        N: Endpoints<B, S> + Send + Sync + 'static,
    {
        self.add_endpoint_or_refuse(path, SharedEndpoint::NeedsState(Arc::new(method_router)))
    }

    /// Routes `path` to the handlers of `method_router`, or says why it cannot.
    pub fn try_route<H, N>(
        self,
        path: &str,
        method_router: MethodRouter<H, N>,
    ) -> Result<Self, RouteError>
    where
        H: Endpoints<B, S> + Send + Sync + 'static,
        N: Endpoints<B, S> + Send + Sync + 'static,
    {
        self.add_endpoint(path, SharedEndpoint::NeedsState(Arc::new(method_router)))
    }

    /// The part of `try_route` that does not depend on the handlers' types, built once: a
    /// closure written in `try_route` would be a new type, and `edit` a new copy, per route.
    fn add_endpoint(self, path: &str, endpoint: SharedEndpoint<B, S>) -> Result<Self, RouteError> {
        self.edit(|inner| add_route(&mut inner.table, path, endpoint))
    }

    /// [`add_endpoint`](Self::add_endpoint) for `route`, which stops at a refused route: out of
    /// line, so each route's own code is the `Arc` of its method router and one call.
    #[track_caller]
    #[inline(never)]
    fn add_endpoint_or_refuse(self, path: &str, endpoint: SharedEndpoint<B, S>) -> Self {
        match self.add_endpoint(path, endpoint) {
            Ok(router) => router,
            Err(err) => refused(err),
        }
    }

    /// Routes every method of `path` to `service`: any `Clone + Send + Sync` service with
    /// `Error = Infallible` whose response body yields `Bytes`, and whose future is `Send`.
    ///
    /// # Panics
    /// As [`route`](Router::route).
    #[track_caller]
    pub fn route_service<Svc, ResBody>(self, path: &str, service: Svc) -> Self
    where
        Svc: Service<Request<B>, Response = Response<ResBody>, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        Svc::Future: Send + 'static,
        ResBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
        ResBody::Error: Into<BoxError>,
    {
        if (&service as &dyn std::any::Any).is::<Router<(), B>>() {
            refused::<()>(RouteError::invalid(
                path,
                "`Router::route_service` cannot take a `Router`: use `Router::nest` (or \
                 `nest_service` for a router with its own layers)",
            ));
        }
        let endpoint: SharedEndpoint<B, S> =
            SharedEndpoint::Ready(Arc::new(ServiceEndpoint::new(service)));
        match self.edit(|inner| inner.table.insert(path, endpoint, EntryKind::Route)) {
            Ok(router) => router,
            Err(err) => refused(err),
        }
    }
}

/// Adds a user's route; a pattern already routed with other methods gets the new ones merged in.
pub(super) fn add_route<B: Send + 'static, S: Send + Sync + 'static>(
    table: &mut RouteTable<B, S>,
    path: &str,
    endpoint: SharedEndpoint<B, S>,
) -> Result<(), RouteError> {
    match table.insert(path, endpoint.clone(), EntryKind::Route) {
        Err(err) if err.conflicts_with() == Some(path) => {
            let Some(existing) = table.route_mut(path) else {
                return Err(err);
            };
            existing.endpoint = merge_methods(path, &existing.endpoint, &endpoint).ok_or(err)??;
            Ok(())
        }
        other => other,
    }
}

/// Stops the build with the reason a route was refused, reported at the user's call (every
/// caller is `#[track_caller]`, and so is this).
#[track_caller]
pub(super) fn refused<T>(err: RouteError) -> T {
    panic!("{err}")
}

impl<S, B> Clone for Router<S, B> {
    fn clone(&self) -> Self {
        Router {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<S, B> fmt::Debug for Router<S, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Router")
            .field("routes", &self.routes().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Only a router that needs no more state is a service: give it with
/// [`with_state`](Router::with_state). `serve` refuses a `Router<AppState>` at compile time, with an
/// error that names `Router<AppState>`.
impl<B: 'static> Service<Request<B>> for Router<(), B> {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = RouterFuture;

    #[inline]
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    #[inline]
    fn call(&mut self, req: Request<B>) -> RouterFuture {
        let inner = &*self.inner;
        let mut captures = Captures::new();
        let found = inner
            .table
            .tree
            .find(req.uri().path().as_bytes(), &mut captures)
            .and_then(|id| inner.table.routes.get(id as usize));
        // One call site for both outcomes, so that the endpoint writes its future straight into
        // the router's: a call in each arm of a `match` costs a copy of it on the way out.
        let (endpoint, route) = match found {
            Some(entry) => match &inner.method_not_allowed {
                Some(fallback) if !routes_method(&entry.endpoint, req.method()) => (fallback, None),
                _ => (
                    &entry.endpoint,
                    entry.hands_route.then_some((&entry.info, &captures)),
                ),
            },
            None => (&inner.fallback, None),
        };
        RouterFuture::new(Endpoint::call(
            &**endpoint.as_ready(),
            req,
            CallContext {
                state: &(),
                route,
                body_limit: inner.body_limit,
            },
        ))
    }
}

/// Whether `endpoint` answers `method` with a handler of its own: a service always does.
#[inline(never)]
fn routes_method<B: 'static>(endpoint: &SharedEndpoint<B, ()>, method: &http::Method) -> bool {
    endpoint
        .methods()
        .is_none_or(|methods| methods.answers(method))
}

impl<S, B> Router<S, B> {
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
}
