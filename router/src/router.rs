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
use crate::endpoint::{CallContext, Endpoint, EndpointFuture, RouteService, SharedEndpoint};
use crate::endpoints::Endpoints;
use crate::error::RouteError;
use crate::handler::{handler_fn, Handler, HandlerEndpoint, HandlerSignature};
use crate::method_router::merge_methods;
use crate::method_router::MethodRouter;
use crate::method_router::MethodSet;
use crate::params::Captures;
use crate::pattern::{self, Piece};
use crate::route::{LayeredEndpoint, Route, ServiceEndpoint};
use crate::strip_prefix::NestedService;
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
    inner: Arc<Inner<B, S>>,
}

struct Inner<B, S> {
    table: RouteTable<B, S>,
    fallback: SharedEndpoint<B, S>,
    custom_fallback: bool,
    /// Answers a method a matched path does not route, instead of the path's own `405`.
    method_not_allowed: Option<SharedEndpoint<B, S>>,
    body_limit: usize,
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
        self.add_endpoint(path, SharedEndpoint::NeedsState(Arc::new(method_router)))
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

    /// Serves `router`'s routes under `prefix`: `/users` in `router` becomes `/api/users` for
    /// `nest("/api", router)`, and `/` becomes `/api`.
    ///
    /// Nesting is flattened into this router's one tree: a route nested five deep is looked up
    /// and dispatched as fast as the same route added flat. Handlers see the full request path,
    /// prefix included. `router`'s `route_layer`s stay on its routes. To nest a router with
    /// its own state, give it first: `nest("/api", api.with_state(db))`.
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
    pub fn nest(self, prefix: &str, router: Router<S, B>) -> Self {
        match self.try_nest(prefix, router) {
            Ok(router) => router,
            Err(err) => refused(err),
        }
    }

    /// [`nest`](Router::nest), or why it cannot: a prefix that is `/`, does not start with `/`,
    /// ends with `/` or holds a catch-all, a nested route that conflicts with one here, or a
    /// nested fallback where a router nested at the same prefix already has one.
    pub fn try_nest(self, prefix: &str, router: Router<S, B>) -> Result<Self, RouteError> {
        check_prefix(prefix)?;
        let nested = router.into_inner();
        self.edit(|inner| {
            for entry in &nested.table.routes {
                let path = match &*entry.info.pattern {
                    "/" => prefix.to_owned(),
                    path => format!("{prefix}{path}"),
                };
                match entry.kind {
                    EntryKind::Route => add_route(&mut inner.table, &path, entry.endpoint.clone())?,
                    kind => inner.table.insert(&path, entry.endpoint.clone(), kind)?,
                }
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
    /// (wrapped whole with `ServiceBuilder`), or any other service. The service sees the path with the prefix taken off
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
        let endpoint: SharedEndpoint<B, S> =
            SharedEndpoint::Ready(Arc::new(NestedService::new(service)));
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
    pub fn merge(self, other: Router<S, B>) -> Self {
        match self.try_merge(other) {
            Ok(router) => router,
            Err(err) => refused(err),
        }
    }

    /// [`merge`](Router::merge), or why it cannot.
    pub fn try_merge(self, other: Router<S, B>) -> Result<Self, RouteError> {
        let other = other.into_inner();
        self.edit(|inner| {
            for entry in &other.table.routes {
                match entry.kind {
                    EntryKind::Route => add_route(
                        &mut inner.table,
                        &entry.info.pattern,
                        entry.endpoint.clone(),
                    )?,
                    EntryKind::NestedFallback | EntryKind::NestedService => inner.table.insert(
                        &entry.info.pattern,
                        entry.endpoint.clone(),
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
                inner.fallback = other.fallback.clone();
                inner.custom_fallback = true;
            }
            if let Some(fallback) = &other.method_not_allowed {
                inner.method_not_allowed = Some(fallback.clone());
            }
            Ok(())
        })
    }

    /// Wraps every route added so far, and the fallback, in `layer`, as axum's `Router::layer`
    /// does, and returns the router: routes added afterwards are not wrapped. Each route keeps
    /// its own `405`/`OPTIONS` answers inside the layer, so a CORS layer answers preflights.
    ///
    /// The layer sees each route as a [`RouteService`], its state already given; the route's
    /// parameters cross the layer in the request's extensions (an insert per request on a route
    /// with parameters), and a layered route's future that outgrows the inline slot is boxed on
    /// that route. For a layer around the *whole* router at no allocation, wrap the router
    /// instead: `tower::ServiceBuilder::new().layer(layer).service(router)`, or
    /// `layer.layer(router)` — the layer then also sees requests no route matches, before
    /// routing.
    ///
    /// On a router that still needs its state, the layer is applied when the state is given
    /// ([`with_state`](Router::with_state)), once per route, never per request.
    pub fn layer<L, ResBody>(self, layer: L) -> Self
    where
        L: Layer<RouteService<B>> + Clone + Send + Sync + 'static,
        L::Service: Service<Request<B>, Response = Response<ResBody>, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<Request<B>>>::Future: Send + 'static,
        ResBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
        ResBody::Error: Into<BoxError>,
    {
        self.apply_layer(layer_fn(layer), true)
    }

    /// Wraps every route added so far in `layer` — not the fallback, nor a nested router's
    /// fallback or a nested service — for middleware that should only see requests that matched
    /// a route (authorisation, say, which must not turn a `404` into a `401`). Routes added
    /// afterwards are not wrapped. Costs as [`layer`](Router::layer).
    pub fn route_layer<L, ResBody>(self, layer: L) -> Self
    where
        L: Layer<RouteService<B>> + Clone + Send + Sync + 'static,
        L::Service: Service<Request<B>, Response = Response<ResBody>, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<Request<B>>>::Future: Send + 'static,
        ResBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
        ResBody::Error: Into<BoxError>,
    {
        self.apply_layer(layer_fn(layer), false)
    }

    /// The part of `layer` and `route_layer` that does not depend on the layer's type.
    fn apply_layer(self, apply: LayerFn<B>, everything: bool) -> Self {
        self.set(|inner| {
            for entry in &mut inner.table.routes {
                if everything || entry.kind == EntryKind::Route {
                    entry.endpoint = layered(&entry.endpoint, &apply);
                }
            }
            if everything {
                inner.fallback = layered(&inner.fallback, &apply);
                if let Some(fallback) = &mut inner.method_not_allowed {
                    *fallback = layered(fallback, &apply);
                }
            }
        })
    }

    /// Answers requests that match no route with `handler` instead of `404`: an `async fn` with
    /// extractors, `State` included, as a route's handler.
    ///
    /// # Panics
    /// When the router already has a fallback: a router answers unknown paths one way.
    #[track_caller]
    pub fn fallback<H, T>(self, handler: H) -> Self
    where
        H: Handler<T, B, S> + HandlerSignature<T>,
        T: 'static,
    {
        let endpoint = Arc::new(HandlerEndpoint(handler_fn(handler)));
        self.set_fallback(SharedEndpoint::NeedsState(endpoint))
    }

    /// Answers requests that match no route with `service` instead of `404`.
    ///
    /// # Panics
    /// As [`fallback`](Router::fallback).
    #[track_caller]
    pub fn fallback_service<Svc, ResBody>(self, service: Svc) -> Self
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
        let endpoint = Arc::new(ServiceEndpoint::new(service));
        self.set_fallback(SharedEndpoint::Ready(endpoint))
    }

    /// Answers the methods a matched path does not route with `handler`, instead of each path's
    /// own `405 Method Not Allowed` (as axum's `method_not_allowed_fallback`). `OPTIONS` keeps
    /// its automatic answer; the handler may read the state, and sets its own headers (an
    /// `Allow` included, if it wants one).
    pub fn method_not_allowed_fallback<H, T>(self, handler: H) -> Self
    where
        H: Handler<T, B, S> + HandlerSignature<T>,
        T: 'static,
    {
        let endpoint = Arc::new(HandlerEndpoint(handler_fn(handler)));
        self.set(|inner| inner.method_not_allowed = Some(SharedEndpoint::NeedsState(endpoint)))
    }

    #[track_caller]
    fn set_fallback(self, fallback: SharedEndpoint<B, S>) -> Self {
        if self.inner.custom_fallback {
            refused::<()>(RouteError::invalid(
                "/",
                "the router already has a fallback: a router answers unknown paths one way",
            ));
        }
        self.set(|inner| {
            inner.fallback = fallback;
            inner.custom_fallback = true;
        })
    }
}

/// A layer, applied to one route's service and erased: built once per `layer` call, so that
/// wrapping each route is not generic code per route.
type LayerFn<B> = Arc<dyn Fn(RouteService<B>) -> Arc<dyn Endpoint<B, ()>> + Send + Sync>;

fn layer_fn<B, L, ResBody>(layer: L) -> LayerFn<B>
where
    B: Send + 'static,
    L: Layer<RouteService<B>> + Send + Sync + 'static,
    L::Service: Service<Request<B>, Response = Response<ResBody>, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    <L::Service as Service<Request<B>>>::Future: Send + 'static,
    ResBody: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    Arc::new(move |route: RouteService<B>| {
        let methods = route.endpoint().methods().cloned();
        let endpoint: Arc<dyn Endpoint<B, ()>> =
            Arc::new(LayeredEndpoint::new(layer.layer(route), methods));
        endpoint
    })
}

/// `endpoint` wrapped by `apply`: now when it needs no state (or `()`), else when it is given.
fn layered<B: Send + 'static, S: Send + Sync + 'static>(
    endpoint: &SharedEndpoint<B, S>,
    apply: &LayerFn<B>,
) -> SharedEndpoint<B, S> {
    match endpoint.ready_now() {
        Some(ready) => SharedEndpoint::Ready(apply(RouteService::new(ready))),
        None => SharedEndpoint::NeedsState(Arc::new(PendingLayer {
            inner: endpoint.clone(),
            apply: Arc::clone(apply),
        })),
    }
}

/// A route of a router that still needs its state, with a layer to apply when it is given.
struct PendingLayer<B, S> {
    inner: SharedEndpoint<B, S>,
    apply: LayerFn<B>,
}

impl<B: Send + 'static, S: Send + Sync + 'static> PendingLayer<B, S> {
    fn bind(&self, state: &S) -> Arc<dyn Endpoint<B, ()>> {
        (self.apply)(RouteService::new(self.inner.provide_state(state)))
    }
}

impl<B: Send + 'static, S: Send + Sync + 'static> Endpoint<B, S> for PendingLayer<B, S> {
    fn call(&self, req: Request<B>, cx: CallContext<'_, S>) -> EndpointFuture {
        // Only a router whose state was given is served, and giving it binds this route: a call
        // here comes from a caller that kept the unbound endpoint. Answer all the same.
        Endpoint::call(
            &*self.bind(cx.state),
            req,
            CallContext {
                state: &(),
                route: cx.route,
                body_limit: cx.body_limit,
            },
        )
    }

    fn methods(&self) -> Option<&MethodSet> {
        self.inner.methods()
    }

    fn provide_state(self: Arc<Self>, state: &S) -> Arc<dyn Endpoint<B, ()>> {
        self.bind(state)
    }
}

/// Adds a user's route; a pattern already routed with other methods gets the new ones merged in.
fn add_route<B: Send + 'static, S: Send + Sync + 'static>(
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
        match table.insert(&path, endpoint.clone(), kind) {
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
        // the router's: a call in each arm of a `match` costs a copy of the slot on the way out.
        let (endpoint, route) = match found {
            Some(entry) => match &inner.method_not_allowed {
                Some(fallback) if !routes_method(&entry.endpoint, req.method()) => (fallback, None),
                _ => (
                    &entry.endpoint,
                    entry.exposes_params.then_some((&entry.info, &captures)),
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

    #[inline]
    pub(crate) fn into_endpoint_future(self) -> EndpointFuture {
        self.future
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
