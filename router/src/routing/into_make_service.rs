//! [`IntoMakeService`]: a service as the make-service some servers take, as axum's.

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::task::{Context, Poll};

use http::Request;
use tower_service::Service;

/// A service as a *make-service*: called with a connection (any `&T`), it answers a clone of the
/// service, for a server that makes one service per connection. Made by
/// [`Router::into_make_service`](crate::Router::into_make_service) and
/// [`HandlerWithoutStateExt::into_make_service`](crate::handler::HandlerWithoutStateExt::into_make_service),
/// as in axum.
///
/// It is also the service itself (`Service<Request<B>>`, passed straight through), so
/// `silent_tower::serve(listener, app.into_make_service())`, axum's spelling, serves `app` as
/// `serve(listener, app)` does. That is one difference from axum's type, which is a make-service
/// for any target: here the target is taken by reference (`&T`, as hyper and tower's
/// `MakeService` callers pass a connection), so that the two impls cannot meet.
///
/// ```
/// use silent_tower_router::{get, Router};
/// use tower::{Service, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let app: Router<(), String> = Router::with_body().route("/", get(|| async { "hi" }));
/// let mut make = app.into_make_service();
/// let peer: std::net::SocketAddr = ([127, 0, 0, 1], 4000).into();
/// // One service per connection, as a server that takes a make-service asks for it.
/// let per_connection = make.call(&peer).await.unwrap();
/// let response = per_connection
///     .oneshot(http::Request::new(String::new()))
///     .await
///     .unwrap();
/// assert_eq!(response.status(), 200);
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct IntoMakeService<S> {
    service: S,
}

impl<S> IntoMakeService<S> {
    pub(crate) fn new(service: S) -> Self {
        Self { service }
    }
}

impl<'a, S: Clone, T: ?Sized> Service<&'a T> for IntoMakeService<S> {
    type Response = S;
    type Error = Infallible;
    type Future = Ready<Result<S, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _connection: &'a T) -> Self::Future {
        ready(Ok(self.service.clone()))
    }
}

impl<S, B> Service<Request<B>> for IntoMakeService<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.service.poll_ready(cx)
    }

    #[inline]
    fn call(&mut self, request: Request<B>) -> S::Future {
        self.service.call(request)
    }
}

impl<B> super::Router<(), B> {
    /// The router as a make-service, as axum's: see [`IntoMakeService`]. Only a router whose state
    /// is given (`Router<()>`, after [`with_state`](super::Router::with_state) if it took one)
    /// has it, as only such a router serves.
    pub fn into_make_service(self) -> IntoMakeService<Self> {
        IntoMakeService::new(self)
    }

    /// The router as a make-service that gives each connection's requests `ConnectInfo<C>`, as
    /// axum's: see
    /// [`IntoMakeServiceWithConnectInfo`](crate::extract::connect_info::IntoMakeServiceWithConnectInfo).
    /// Under `silent_tower::serve`, `serve(listener, app).with_peer_addr()` gives
    /// `ConnectInfo<SocketAddr>` instead.
    pub fn into_make_service_with_connect_info<C>(
        self,
    ) -> crate::extract::connect_info::IntoMakeServiceWithConnectInfo<Self, C> {
        crate::extract::connect_info::IntoMakeServiceWithConnectInfo::new(self)
    }
}
