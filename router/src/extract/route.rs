//! What the router knows of the request besides its head: the URI as the client sent it, the
//! matched route's pattern, the path parameters as raw text.

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;

use http::request::Parts;
use http::{Extensions, Uri};

use super::rejection::MatchedPathMissing;
use super::{FromRequestParts, RequestContext};
use crate::params::{Captures, PathParams, RouteInfo};

/// The request's URI as the client sent it, before any rewrite on the way in.
///
/// A service mounted with [`nest_service`](crate::Router::nest_service) sees its request's path
/// without the prefix it is mounted at (`/api/users` reaches it as `/users`), so its
/// [`Uri`] is not what the client asked for; the router keeps the original in the request's
/// extensions when it rewrites it, and `OriginalUri` reads it — or the URI itself, when nothing
/// rewrote it. A layer that rewrites URIs before the router can insert an `OriginalUri` of its
/// own first: the first one inserted is kept.
///
/// ```
/// use http::Request;
/// use silent_tower_router::extract::OriginalUri;
/// use silent_tower_router::{get, Router};
/// use tower::ServiceExt;
///
/// async fn show(OriginalUri(uri): OriginalUri) -> String {
///     uri.to_string()
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let inner = Router::<(), ()>::with_body().route("/users", get(show));
/// let app = Router::<(), ()>::with_body().nest_service("/api", inner);
/// let response = app.oneshot(Request::get("/api/users?page=2").body(()).unwrap()).await.unwrap();
/// # use http_body_util::BodyExt;
/// let body = response.into_body().collect().await.unwrap().to_bytes();
/// assert_eq!(body, "/api/users?page=2");
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginalUri(pub Uri);

impl<S: Sync> FromRequestParts<S> for OriginalUri {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &RequestContext<S>,
    ) -> Result<Self, Infallible> {
        Ok(parts
            .extensions
            .get::<OriginalUri>()
            .cloned()
            .unwrap_or_else(|| OriginalUri(parts.uri.clone())))
    }
}

impl std::ops::Deref for OriginalUri {
    type Target = Uri;

    fn deref(&self) -> &Uri {
        &self.0
    }
}

/// The pattern of the route that matched, as it was registered (`/users/{id}`, `/about`) with
/// the prefix of any [`nest`](crate::Router::nest) before it (`/api/users/{id}`): the label for
/// metrics and logs, which, unlike the path, does not grow with every id.
///
/// As an extractor it reads what the router hands the handler — no lookup, no allocation (a
/// reference count is incremented). A layer of the route's own —
/// [`Router::layer`](crate::Router::layer), [`Router::route_layer`](crate::Router::route_layer),
/// [`MethodRouter::layer`](crate::MethodRouter::layer) — finds it in the request's extensions,
/// as in axum: `req.extensions().get::<MatchedPath>()`. That insert is made only where such a
/// layer wraps the route; a layer around the whole router sees the request before it is routed,
/// so no route has matched yet. A fallback matched no route: `MatchedPath` there answers
/// [`MatchedPathMissing`] (`500`), and `Option<MatchedPath>` is `None`. A router given to
/// [`nest_service`](crate::Router::nest_service) names its routes under the prefix too
/// (`/api/users/{id}`), as axum does, at the cost of building that text for each request that
/// reads it (one allocation; a nested service already costs a few).
///
/// ```
/// use http::Request;
/// use silent_tower_router::extract::MatchedPath;
/// use silent_tower_router::{get, Router};
/// use tower::ServiceExt;
///
/// async fn show(path: MatchedPath) -> String {
///     path.as_str().to_owned()
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let api = Router::<(), ()>::with_body()
///     .route("/users/{id}", get(show))
///     .route("/about", get(show));
/// let app = Router::<(), ()>::with_body().nest("/api", api);
/// # use http_body_util::BodyExt;
/// let response = app.clone().oneshot(Request::get("/api/users/7").body(()).unwrap()).await.unwrap();
/// let body = response.into_body().collect().await.unwrap().to_bytes();
/// assert_eq!(body, "/api/users/{id}");
/// let response = app.oneshot(Request::get("/api/about").body(()).unwrap()).await.unwrap();
/// let body = response.into_body().collect().await.unwrap().to_bytes();
/// assert_eq!(body, "/api/about");
/// # }
/// ```
///
/// A route layer that labels each request with its route (a `map_request` here; a metrics
/// layer reads it the same way):
///
/// ```
/// use http::Request;
/// use silent_tower_router::extract::MatchedPath;
/// use silent_tower_router::middleware::map_request;
/// use silent_tower_router::{get, Router, RequestExt};
///
/// async fn label<B>(req: Request<B>) -> Request<B> {
///     let route = req.extensions().get::<MatchedPath>().map(MatchedPath::as_str);
///     tracing::info!(route, "request");
///     req
/// }
///
/// let app = Router::<(), ()>::with_body()
///     .route("/users/{id}", get(|| async { "a user" }))
///     .route_layer(map_request(label));
/// # let _ = app;
/// ```
#[derive(Clone)]
pub struct MatchedPath {
    /// The route, and its parameters when a route's own layer carries them across with it
    /// (none otherwise).
    route: PathParams,
    /// The pattern under the prefix of the services this router is nested in, when it is.
    full: Option<Arc<str>>,
}

impl MatchedPath {
    /// `route`'s pattern, under the prefix of the service the request's router is nested in
    /// with `nest_service`, if it is (found in `extensions`).
    pub(crate) fn new(route: Arc<RouteInfo>, extensions: &Extensions) -> Self {
        Self::carrying(route, Captures::new(), extensions)
    }

    /// As [`new`](Self::new), the route's parameters carried with it: what a route's own layer
    /// puts in the request's extensions, one value for both (see `request_params::params_in`).
    pub(crate) fn carrying(
        route: Arc<RouteInfo>,
        captures: Captures,
        extensions: &Extensions,
    ) -> Self {
        let full = extensions
            .get::<NestedPrefix>()
            .map(|prefix| joined(&prefix.0, &route.pattern));
        MatchedPath {
            route: PathParams::new(route, captures),
            full,
        }
    }

    pub(crate) fn info(&self) -> &Arc<RouteInfo> {
        self.route.parts().0
    }

    /// The route's parameters, if it has any and they were carried with it.
    pub(crate) fn carried_params(&self) -> Option<&PathParams> {
        Some(&self.route).filter(|params| params.parts().1.len() > 0)
    }

    /// The matched route's pattern.
    pub fn as_str(&self) -> &str {
        self.full.as_deref().unwrap_or(&self.info().pattern)
    }
}

impl fmt::Debug for MatchedPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MatchedPath").field(&self.as_str()).finish()
    }
}

impl<S: Sync> FromRequestParts<S> for MatchedPath {
    type Rejection = MatchedPathMissing;

    async fn from_request_parts(
        parts: &mut Parts,
        cx: &RequestContext<S>,
    ) -> Result<Self, MatchedPathMissing> {
        cx.params
            .as_ref()
            .map(|params| params.parts().0)
            .filter(|info| info.user_route)
            .map(|info| MatchedPath::new(Arc::clone(info), &parts.extensions))
            .ok_or(MatchedPathMissing {})
    }
}

/// The pattern a request matched on its way to a service given to
/// [`nest_service`](crate::Router::nest_service), up to the service's prefix: a router nested so
/// prepends it to its own routes' patterns in [`MatchedPath`], as axum does.
#[derive(Clone, Debug)]
pub(crate) struct NestedPrefix(pub(crate) Arc<str>);

/// `pattern` under `prefix`, written as [`nest`](crate::Router::nest) writes it: a nested
/// router's `/` is the prefix itself.
pub(crate) fn joined(prefix: &str, pattern: &str) -> Arc<str> {
    match pattern {
        "/" => Arc::from(prefix),
        _ => Arc::from(format!("{prefix}{pattern}")),
    }
}

/// The matched route's path parameters as `(name, value)` pairs of text, in route order, the
/// values as they stand in the path — not percent-decoded, not parsed: for a handler or a
/// middleware that reads whichever parameters there are, or decodes them its own way. The
/// parameters of the prefix of a service this router is nested under
/// (`nest_service("/t/{tenant}", ..)`) come first, as for [`Path`](super::Path).
///
/// ```
/// use http::Request;
/// use silent_tower_router::extract::RawPathParams;
/// use silent_tower_router::{get, Router};
/// use tower::ServiceExt;
///
/// async fn show(params: RawPathParams) -> String {
///     params.iter().map(|(name, value)| format!("{name}={value};")).collect()
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let app = Router::<(), ()>::with_body().route("/{user}/{file}", get(show));
/// let response = app.oneshot(Request::get("/ann/a%20b").body(()).unwrap()).await.unwrap();
/// # use http_body_util::BodyExt;
/// let body = response.into_body().collect().await.unwrap().to_bytes();
/// assert_eq!(body, "user=ann;file=a%20b;");
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct RawPathParams {
    /// The request's URI, whose path the captures point into (a clone shares its bytes).
    uri: Uri,
    outer: Option<PathParams>,
    params: Option<PathParams>,
}

impl RawPathParams {
    /// Every parameter as `(name, raw value)`, in route order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        let path = self.uri.path();
        let outer = self.outer.iter().flat_map(move |p| p.iter(path));
        let own = self.params.iter().flat_map(move |p| p.iter(path));
        outer.chain(own).map(|(name, param)| (name, param.raw()))
    }

    /// The raw value of the parameter `name` (the route's own first, then a nest prefix's).
    pub fn get(&self, name: &str) -> Option<&str> {
        let path = self.uri.path();
        self.params
            .iter()
            .chain(&self.outer)
            .find_map(|p| p.get(path, name))
            .map(|param| param.raw())
    }

    /// The number of parameters.
    pub fn len(&self) -> usize {
        self.outer.as_ref().map_or(0, PathParams::len)
            + self.params.as_ref().map_or(0, PathParams::len)
    }

    /// True when the route has no parameters.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<S: Sync> FromRequestParts<S> for RawPathParams {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        cx: &RequestContext<S>,
    ) -> Result<Self, Infallible> {
        Ok(RawPathParams {
            uri: parts.uri.clone(),
            outer: parts
                .extensions
                .get::<PathParams>()
                .filter(|outer| outer.is_nested())
                .cloned(),
            params: cx.params.clone(),
        })
    }
}
