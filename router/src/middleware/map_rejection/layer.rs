//! The layer: holds the function and hands a copy to each service it wraps.

use std::fmt;

use tower_layer::Layer;

use super::MapRejection;

/// Wraps a service so that every rejection it answers with is answered by `map` instead.
///
/// Every rejection — of an extractor, of [`ParamError`](crate::ParamError), of an extractor of
/// your own that rejects with a [`Rejection`](crate::extract::rejection::Rejection) — answers
/// with a plain-text response that carries the `Rejection` in its extensions. The layer looks at
/// a response only when its status is an error, takes the `Rejection` out, and answers with what
/// the function makes of it: the status stays the function's, the headers a layer below added
/// (`vary`, CORS, a request id) are kept, a `HEAD` request still gets no body. A handler's own
/// error response carries no `Rejection` and is passed on as it is.
///
/// Put it around the whole router, as the last layer, and it maps the rejections of every route,
/// fallback and nested router below it, at no cost to a request that is not rejected: no
/// allocation, and its future is the router's with a word beside it.
///
/// ```
/// use http::{Request, StatusCode};
/// use silent_tower_router::extract::{rejection::Rejection, Path};
/// use silent_tower_router::middleware::MapRejectionLayer;
/// use silent_tower_router::{get, Router};
/// use tower::{Layer, ServiceExt};
///
/// // The app's error format, here `<kind>: <message>` (with the `json` feature, a `Json` body).
/// fn app_errors(rejection: Rejection) -> (StatusCode, String) {
///     (rejection.status(), format!("{}: {}", rejection.kind(), rejection.message()))
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let router = Router::<(), ()>::with_body()
///     .route("/users/{id}", get(|Path(id): Path<u64>| async move { format!("user {id}") }));
/// let app = MapRejectionLayer::new(app_errors).layer(router);
///
/// let response = app.oneshot(Request::get("/users/abc").body(()).unwrap()).await.unwrap();
/// assert_eq!(response.status(), 400);
/// # }
/// ```
///
/// `map` is any `Fn(Rejection) -> impl IntoResponse + Clone`; it is cloned for each request, so
/// make it a `fn` item or a closure that captures nothing, or captures an `Arc`.
#[derive(Clone, Copy)]
pub struct MapRejectionLayer<F> {
    map: F,
}

impl<F> MapRejectionLayer<F> {
    /// A layer that answers every rejection below it with `map(rejection)`.
    pub const fn new(map: F) -> Self {
        MapRejectionLayer { map }
    }
}

impl<S, F: Clone> Layer<S> for MapRejectionLayer<F> {
    type Service = MapRejection<S, F>;

    fn layer(&self, inner: S) -> MapRejection<S, F> {
        MapRejection::new(inner, self.map.clone())
    }
}

impl<F> fmt::Debug for MapRejectionLayer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapRejectionLayer").finish_non_exhaustive()
    }
}
