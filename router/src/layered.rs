//! [`Layered`]: a router with its router-wide layers, statically typed.

use std::task::{Context, Poll};

use http::Request;
use tower_layer::Layer;
use tower_service::Service;

/// A [`Router`](crate::Router) wrapped in layers by [`Router::layer`](crate::Router::layer): the
/// layers' own service, with their own named futures, and nothing boxed.
///
/// ```
/// use http::Request;
/// use silent_tower_router::{get, Router};
/// use tower::ServiceExt;
/// use tower::util::{MapRequestLayer, MapResponseLayer};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let app = Router::<()>::with_body()
///     .route("/", get(|| async { "Hello, World!" }))
///     .layer(MapResponseLayer::new(|mut res: http::Response<_>| {
///         res.headers_mut().insert("x-served-by", "silent-tower".parse().unwrap());
///         res
///     }))
///     .layer(MapRequestLayer::new(|req: Request<()>| req));
///
/// let response = app.oneshot(Request::get("/nowhere").body(()).unwrap()).await.unwrap();
/// assert_eq!(response.status(), 404);
/// assert_eq!(response.headers()["x-served-by"], "silent-tower");
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Layered<S> {
    service: S,
}

impl<S> Layered<S> {
    pub(crate) fn new(service: S) -> Self {
        Layered { service }
    }

    /// Wraps this service in one more layer, outside the ones already there.
    pub fn layer<L: Layer<S>>(self, layer: L) -> Layered<L::Service> {
        Layered::new(layer.layer(self.service))
    }

    /// The layered service.
    pub fn into_inner(self) -> S {
        self.service
    }
}

impl<S, B> Service<Request<B>> for Layered<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.service.poll_ready(cx)
    }

    #[inline]
    fn call(&mut self, req: Request<B>) -> Self::Future {
        self.service.call(req)
    }
}
