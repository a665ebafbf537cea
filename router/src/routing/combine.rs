//! [`Router::nest`], [`Router::nest_service`] and [`Router::merge`]: routers made one.

use std::convert::Infallible;
use std::sync::Arc;

use http::{Request, Response};
use tower_service::Service;

use super::erased::SharedEndpoint;
use super::nested_service::NestedService;
use super::router::{add_route, refused, Router};
use super::table::{EntryKind, RouteTable};
use crate::body::BoxError;
use crate::error::RouteError;
use crate::pattern::{self, Piece};

impl<S: Clone + Send + Sync + 'static, B: Send + 'static> Router<S, B> {
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
    /// This is how to serve files: `.nest_service("/static", ServeDir::new("assets"))` with
    /// tower-http's `ServeDir`, which is handed the rest of the path as the client sent it
    /// (percent-encoding untouched) and refuses paths that leave its directory (the
    /// `static-files` example).
    ///
    /// The service's future goes into a pooled buffer as a route's does
    /// ([`EndpointFuture`](crate::EndpointFuture)): a layered router's future, which holds a
    /// router's future (a few words) and the layers' state, is boxed only if it is larger than
    /// [`ENDPOINT_FUTURE_SIZE`](crate::ENDPOINT_FUTURE_SIZE). But the prefix (and its parameters,
    /// if it has any) goes into the request's extensions and the shortened URI is built anew: a
    /// few allocations per request under `prefix`. A nested [`Router`] given to
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
