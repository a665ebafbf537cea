//! [`Router`]: the route table and its endpoints, one `tower::Service` of one type.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response, StatusCode};
use pin_project::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::body::{Body, BoxError};
use crate::endpoint::{CallContext, EndpointFuture, RouteService, SharedEndpoint};
use crate::endpoints::Endpoints;
use crate::error::RouteError;
use crate::layered::Layered;
use crate::method_router::merge_methods;
use crate::method_router::MethodRouter;
use crate::params::Captures;
use crate::pattern::{self, Piece};
use crate::route::{LayeredEndpoint, Route, ServiceEndpoint};
use crate::strip_prefix::StripPrefix;
use crate::table::{EntryKind, RouteTable};

/// Routes requests by path to endpoints.
///
/// A `Router` is built once, by chaining [`route`](Router::route), [`nest`](Router::nest),
/// [`merge`](Router::merge) and [`fallback`](Router::fallback), and its type never changes as
/// routes are added: `Router` (for hyper's request body, what [`serve`] feeds) or `Router<B>` for
/// another body. So a function can build a group of routes and return `Router`, and routes can
/// be added in a loop from a table read at run time. The built table lives behind one `Arc`:
/// cloning a router, as servers do per connection, is one atomic increment.
///
/// Each path's [`MethodRouter`](crate::MethodRouter) keeps its concrete type and is put behind a
/// vtable once, when the route is added. A request then costs one tree walk and **one indirect
/// call**, which writes the endpoint's future inline into the router's future (see
/// [`EndpointFuture`]): no allocation on a static route, one `Extensions::insert` of the
/// [`PathParams`] on a route with parameters.
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
/// fn users() -> Router<()> {
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
pub struct Router<B = hyper::body::Incoming, S = ()> {
    inner: Arc<Inner<B, S>>,
}

struct Inner<B, S> {
    table: RouteTable<B, S>,
    fallback: SharedEndpoint<B, S>,
    custom_fallback: bool,
    state: Option<S>,
    body_limit: usize,
}

impl<B, S: Clone> Clone for Inner<B, S> {
    fn clone(&self) -> Self {
        Inner {
            table: self.table.clone(),
            fallback: Arc::clone(&self.fallback),
            custom_fallback: self.custom_fallback,
            state: self.state.clone(),
            body_limit: self.body_limit,
        }
    }
}

impl Default for Router {
    fn default() -> Self {
        Self::new()
    }
}

impl Router {
    /// A router for hyper's request body — what [`serve`] feeds it — with no routes: everything
    /// answers `404`. For another request body, [`with_body`](Router::with_body).
    ///
    /// [`serve`]: https://docs.rs/silent-tower/latest/silent_tower/fn.serve.html
    pub fn new() -> Self {
        Self::with_body().with_state(())
    }
}

impl<S: Clone + Send + Sync + 'static> Router<hyper::body::Incoming, S> {
    /// A router for hyper's request body whose handlers share `state`: `State<S>` in a handler
    /// is a clone of it. The same as `Router::<Incoming, S>::with_body().with_state(state)`, with
    /// the state's type read from the argument.
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// use silent_tower_router::extract::State;
    /// use silent_tower_router::{get, Router};
    ///
    /// struct Db;
    ///
    /// async fn count(State(db): State<Arc<Db>>) -> String {
    ///     format!("{} handle(s) on the database", Arc::strong_count(&db))
    /// }
    ///
    /// let app = Router::from_state(Arc::new(Db)).route("/count", get(count));
    /// # let _ = app;
    /// ```
    pub fn from_state(state: S) -> Self {
        Self::with_body().with_state(state)
    }
}

impl<B: Send + 'static, S: Clone + Send + Sync + 'static> Router<B, S> {
    /// A router for requests with body `B` and handlers whose state is an `S`, with no routes:
    /// `Router::<()>::with_body()` in tests, axum's body to mount it in axum,
    /// `Router::<Incoming, AppState>::with_body()` for an app with state. The types are fixed
    /// here, where they are written once, rather than inferred from the end of a long chain of
    /// routes. Give the state with [`with_state`](Router::with_state), before or after the routes.
    pub fn with_body() -> Self {
        Router {
            inner: Arc::new(Inner {
                table: RouteTable::default(),
                fallback: Arc::new(ServiceEndpoint::new(NotFound)),
                custom_fallback: false,
                state: None,
                body_limit: crate::extract::DEFAULT_BODY_LIMIT,
            }),
        }
    }

    /// Gives the handlers their state: [`State<S>`](crate::extract::State) is then a clone of
    /// `state` — wrap it in an `Arc`, and each request costs an atomic increment. A router never
    /// given its state answers `500` to the handlers that ask for it. Nested and merged routers
    /// use the state of the router they are added to.
    pub fn with_state(self, state: S) -> Self {
        self.set(|inner| inner.state = Some(state))
    }

    /// The most bytes a body extractor (`Json`, `Form`, `Bytes`, `String`) reads before it
    /// answers `413`: [`DEFAULT_BODY_LIMIT`](crate::extract::DEFAULT_BODY_LIMIT) (2 MiB) unless
    /// set. A path's own limit, [`MethodRouter::body_limit`](crate::MethodRouter::body_limit),
    /// wins over it.
    pub fn body_limit(self, limit: usize) -> Self {
        self.set(|inner| inner.body_limit = limit)
    }

    fn set(self, set: impl FnOnce(&mut Inner<B, S>)) -> Self {
        let mut inner = self.into_inner();
        set(&mut inner);
        Router {
            inner: Arc::new(inner),
        }
    }

    fn into_inner(self) -> Inner<B, S> {
        Arc::try_unwrap(self.inner).unwrap_or_else(|shared| (*shared).clone())
    }

    fn edit(
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
        Route<N>: Endpoints<B, S>,
        N: Send + Sync + 'static,
    {
        match self.try_route(path, method_router) {
            Ok(router) => router,
            Err(err) => refused(err),
        }
    }

    /// Routes `path` to the handlers of `method_router`, or says why it cannot.
    pub fn try_route<H, N>(
        self,
        path: &str,
        method_router: MethodRouter<H, N>,
    ) -> Result<Self, RouteError>
    where
        H: Endpoints<B, S> + Send + Sync + 'static,
        Route<N>: Endpoints<B, S>,
        N: Send + Sync + 'static,
    {
        self.add_endpoint(path, Arc::new(method_router))
    }

    /// The part of `try_route` that does not depend on the handlers' types, built once: a
    /// closure written in `try_route` would be a new type, and `edit` a new copy, per route.
    fn add_endpoint(self, path: &str, endpoint: SharedEndpoint<B, S>) -> Result<Self, RouteError> {
        self.edit(|inner| add_route(&mut inner.table, path, endpoint))
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
        let endpoint: SharedEndpoint<B, S> = Arc::new(ServiceEndpoint::new(service));
        match self.edit(|inner| inner.table.insert(path, endpoint, EntryKind::Route)) {
            Ok(router) => router,
            Err(err) => refused(err),
        }
    }

    /// Serves `router`'s routes under `prefix`: `/users` in `router` becomes `/api/users` for
    /// `nest("/api", router)`, and `/` becomes `/api`.
    ///
    /// Nesting is flattened into this router's one tree: a route nested five deep is looked up
    /// and dispatched as fast as the same route added flat. Handlers see the full request path,
    /// prefix included. `router`'s `route_layer`s stay on its routes. To nest a router with
    /// router-wide layers (a [`Layered`]), use [`nest_service`](Router::nest_service).
    ///
    /// # A nested router's fallback
    /// If `router` has a [fallback](Router::fallback), it answers what is left under `prefix`:
    /// `prefix`, `prefix/` and the paths below that no route matches — its own routes, and this
    /// router's, whenever they were added. A route of this router always wins over it, in either
    /// order: `.route("/api/{*rest}", h).nest("/api", inner)` and
    /// `.nest("/api", inner).route("/api/{*rest}", h)` both send `/api/zzz` to `h`, and the
    /// fallback keeps `/api` and `/api/`. The fallback sees the prefix's parameters
    /// (`req.param_str("tenant")` under `nest("/{tenant}", inner)`), and nothing else: the rest
    /// of the path is not a parameter. Two nested routers with fallbacks at the same prefix are
    /// refused, as [`merge`](Router::merge) refuses two fallbacks.
    ///
    /// # Panics
    /// As [`try_nest`](Router::try_nest) errors.
    #[track_caller]
    pub fn nest(self, prefix: &str, router: Router<B, S>) -> Self {
        match self.try_nest(prefix, router) {
            Ok(router) => router,
            Err(err) => refused(err),
        }
    }

    /// [`nest`](Router::nest), or why it cannot: a prefix that is `/`, does not start with `/`,
    /// ends with `/` or holds a catch-all, a nested route that conflicts with one here, or a
    /// nested fallback where a router nested at the same prefix already has one.
    pub fn try_nest(self, prefix: &str, router: Router<B, S>) -> Result<Self, RouteError> {
        check_prefix(prefix)?;
        let nested = router.into_inner();
        self.edit(|inner| {
            for entry in &nested.table.routes {
                let path = match &*entry.info.pattern {
                    "/" => prefix.to_owned(),
                    path => format!("{prefix}{path}"),
                };
                inner
                    .table
                    .insert(&path, Arc::clone(&entry.endpoint), entry.kind)?;
            }
            if nested.custom_fallback {
                add_prefix_routes(
                    &mut inner.table,
                    prefix,
                    &nested.fallback,
                    EntryKind::NestedFallback,
                )?;
            }
            Ok(())
        })
    }

    /// Serves every path under `prefix` — `prefix` itself, `prefix/` and `prefix/…` — with
    /// `service`, as axum's `nest_service` does: for a router with its own router-wide layers
    /// ([`Layered`]), or any other service. The service sees the path with the prefix taken off
    /// (`/api/users?page=2` reaches it as `/users?page=2`, `/api` as `/`), so a nested router's
    /// routes are written as they are when it is served alone.
    ///
    /// The service's future is held in the same inline slot as a route's: a layered router's
    /// future holds a router's future and the layers' state, so it is usually larger than
    /// [`ENDPOINT_FUTURE_SIZE`](crate::ENDPOINT_FUTURE_SIZE) and is boxed, and the shortened URI
    /// is built anew: a few allocations per request under `prefix`. A nested [`Router`] given to
    /// [`nest`](Router::nest) costs none of them.
    ///
    /// # Panics
    /// As [`nest`](Router::nest).
    #[track_caller]
    pub fn nest_service<Svc, ResBody>(self, prefix: &str, service: Svc) -> Self
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
        let stripped = StripPrefix::new(prefix, service);
        let endpoint: SharedEndpoint<B, S> = Arc::new(ServiceEndpoint::new(stripped));
        let nested = check_prefix(prefix).and_then(|()| {
            self.edit(|inner| {
                add_prefix_routes(
                    &mut inner.table,
                    prefix,
                    &endpoint,
                    EntryKind::NestedService,
                )
            })
        });
        match nested {
            Ok(router) => router,
            Err(err) => refused(err),
        }
    }

    /// Adds every route of `other` to this router, as if added here one by one (axum's
    /// `merge`). A fallback set on either is kept; set on both, the merge is refused.
    ///
    /// # Panics
    /// When a route of `other` conflicts with one here, or both have a fallback.
    #[track_caller]
    pub fn merge(self, other: Router<B, S>) -> Self {
        match self.try_merge(other) {
            Ok(router) => router,
            Err(err) => refused(err),
        }
    }

    /// [`merge`](Router::merge), or why it cannot.
    pub fn try_merge(self, other: Router<B, S>) -> Result<Self, RouteError> {
        let other = other.into_inner();
        self.edit(|inner| {
            for entry in &other.table.routes {
                match entry.kind {
                    EntryKind::Route => add_route(
                        &mut inner.table,
                        &entry.info.pattern,
                        Arc::clone(&entry.endpoint),
                    )?,
                    EntryKind::NestedFallback | EntryKind::NestedService => inner.table.insert(
                        &entry.info.pattern,
                        Arc::clone(&entry.endpoint),
                        entry.kind,
                    )?,
                }
            }
            if other.custom_fallback {
                if inner.custom_fallback {
                    return Err(RouteError::invalid(
                        "/",
                        "both merged routers have a fallback: keep one (a router answers unknown \
                         paths one way)",
                    ));
                }
                inner.fallback = Arc::clone(&other.fallback);
                inner.custom_fallback = true;
            }
            Ok(())
        })
    }

    /// Wraps the whole router in `layer`, routing included: every request reaches the layer
    /// first — those that match a route, the `405`s and `OPTIONS` answers, and the fallback's —
    /// as it would with `tower::ServiceBuilder::new().layer(layer).service(router)`.
    ///
    /// The result is a [`Layered`] service, statically typed, with no box: call `.layer` on it
    /// again to add more layers (the last added is outermost, as in axum). Add routes and the
    /// fallback first; a layer that must see only matched requests, or read [`PathParams`], goes
    /// on the routes: [`route_layer`](Router::route_layer) or
    /// [`MethodRouter::layer`](crate::MethodRouter::layer).
    pub fn layer<L: Layer<Self>>(self, layer: L) -> Layered<L::Service> {
        Layered::new(layer.layer(self))
    }

    /// Wraps every route added so far, but not the fallback, in `layer`: for middleware that
    /// should only see requests that matched a route (authorisation, say, which must not turn a
    /// 404 into a 401). Routes added afterwards are not wrapped.
    ///
    /// The layered route's future holds the route's own inline future and the layer's state, so
    /// it no longer fits the slot and is boxed, and the router's state and the route's parameters
    /// cross the layer in the request's extensions: four allocations per request on those
    /// routes. A layer given to a path's [`MethodRouter::layer`](crate::MethodRouter::layer)
    /// instead costs none for a handler whose future fits
    /// [`HANDLER_FUTURE_SIZE`](crate::HANDLER_FUTURE_SIZE) (there, a stateless handler's).
    pub fn route_layer<L, ResBody>(self, layer: L) -> Self
    where
        L: Layer<RouteService<B, S>>,
        L::Service: Service<Request<B>, Response = Response<ResBody>, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<Request<B>>>::Future: Send + 'static,
        ResBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
        ResBody::Error: Into<BoxError>,
    {
        self.edit(|inner| {
            for entry in &mut inner.table.routes {
                let wrapped = layer.layer(RouteService::new(Arc::clone(&entry.endpoint)));
                entry.endpoint = Arc::new(LayeredEndpoint(Route(wrapped)));
            }
            Ok(())
        })
        .unwrap_or_else(|err: RouteError| unreachable!("{err}"))
    }

    /// Answers requests that match no route with `service` instead of `404`. Wrap an `async fn`
    /// with [`handler_fn`](crate::handler_fn).
    pub fn fallback<Svc, ResBody>(self, service: Svc) -> Self
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
        let fallback: SharedEndpoint<B, S> = Arc::new(ServiceEndpoint::new(service));
        self.edit(|inner| {
            inner.fallback = fallback;
            inner.custom_fallback = true;
            Ok(())
        })
        .unwrap_or_else(|err: RouteError| unreachable!("{err}"))
    }
}

/// Adds a user's route; a pattern already routed with other methods gets the new ones merged in.
fn add_route<B: Send + 'static, S: 'static>(
    table: &mut RouteTable<B, S>,
    path: &str,
    endpoint: SharedEndpoint<B, S>,
) -> Result<(), RouteError> {
    match table.insert(path, Arc::clone(&endpoint), EntryKind::Route) {
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

/// Routes `prefix`, `prefix/` and everything under `prefix/` to `endpoint`; a route already at
/// one of those keeps it. The catch-all is the hidden one, which no request sees among its
/// parameters and no error message names.
fn add_prefix_routes<B, S>(
    table: &mut RouteTable<B, S>,
    prefix: &str,
    endpoint: &SharedEndpoint<B, S>,
    kind: EntryKind,
) -> Result<(), RouteError> {
    for path in [
        prefix.to_owned(),
        format!("{prefix}/"),
        format!("{prefix}/{}", pattern::HIDDEN_REST),
    ] {
        match table.insert(&path, Arc::clone(endpoint), kind) {
            Err(err) if err.conflicts_with().is_some() => {}
            other => other?,
        }
    }
    Ok(())
}

/// Stops the build with the reason a route was refused, reported at the user's call (every
/// caller is `#[track_caller]`, and so is this).
#[track_caller]
fn refused<T>(err: RouteError) -> T {
    panic!("{err}")
}

fn check_prefix(prefix: &str) -> Result<(), RouteError> {
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
    Ok(())
}

impl<B, S> Clone for Router<B, S> {
    fn clone(&self) -> Self {
        Router {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<B, S> fmt::Debug for Router<B, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Router")
            .field("routes", &self.routes().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl<B: 'static, S: 'static> Service<Request<B>> for Router<B, S> {
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
        // the router's: a call in each arm of a `match` costs a copy of the slot on the way out.
        let (endpoint, route) = match found {
            Some(entry) => (
                &entry.endpoint,
                entry.exposes_params.then_some((&entry.info, &captures)),
            ),
            None => (&inner.fallback, None),
        };
        RouterFuture::new(endpoint.call(
            req,
            CallContext {
                state: inner.state.as_ref(),
                route,
                body_limit: inner.body_limit,
            },
        ))
    }
}

/// The future of a [`Router`]: the matched endpoint's future, held inline.
#[pin_project]
#[derive(Debug)]
pub struct RouterFuture {
    #[pin]
    future: EndpointFuture,
}

impl RouterFuture {
    #[inline]
    pub(crate) fn new(future: EndpointFuture) -> Self {
        RouterFuture { future }
    }
}

impl Future for RouterFuture {
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

impl<B, S> Router<B, S> {
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
