//! [`ConnectInfo`]: what the server knew of the connection, the client's address first; and,
//! for servers that take a make-service, [`IntoMakeServiceWithConnectInfo`] and [`Connected`],
//! as axum's `extract::connect_info`.

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::task::{Context, Poll};

use http::request::Parts;
use http::Request;
use tower_layer::Layer;
use tower_service::Service;

use super::rejection::MissingConnectInfo;
use super::{FromRequestParts, RequestContext};

/// Information about the connection a request came in on, as axum's `ConnectInfo`: with
/// `silent_tower::serve(..).with_peer_addr()`, `ConnectInfo<SocketAddr>` is the client's address.
///
/// It is read from the request's extensions. `serve` puts it there when asked to
/// (`with_peer_addr`, which also adds the `PeerAddr` the request logger and the rate limiter
/// read); without it the extractor answers `500` ([`MissingConnectInfo`]), naming the fix. Under
/// another server (hyper-util's accept loop, say), wrap each connection's service in
/// [`ConnectInfoLayer`] with what you know of the connection; in tests, insert a `ConnectInfo`
/// into the request's extensions.
///
/// ```
/// use std::net::SocketAddr;
///
/// use http::Request;
/// use silent_tower_router::extract::{ConnectInfo, ConnectInfoLayer};
/// use silent_tower_router::{get, Router};
/// use tower::{Layer, ServiceExt};
///
/// async fn whoami(ConnectInfo(client): ConnectInfo<SocketAddr>) -> String {
///     client.to_string()
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let app = Router::<(), ()>::with_body().route("/", get(whoami));
/// // What an accept loop does for each connection it accepts:
/// let client: SocketAddr = "192.0.2.7:51000".parse().unwrap();
/// let served = ConnectInfoLayer::new(client).layer(app);
/// let response = served.oneshot(Request::get("/").body(()).unwrap()).await.unwrap();
/// # use http_body_util::BodyExt;
/// let body = response.into_body().collect().await.unwrap().to_bytes();
/// assert_eq!(body, "192.0.2.7:51000");
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConnectInfo<T>(pub T);

impl<S: Sync, T> FromRequestParts<S> for ConnectInfo<T>
where
    T: Clone + Send + Sync + 'static,
{
    type Rejection = MissingConnectInfo;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &RequestContext<S>,
    ) -> Result<Self, MissingConnectInfo> {
        parts
            .extensions
            .get::<ConnectInfo<T>>()
            .cloned()
            .ok_or_else(MissingConnectInfo::of::<T>)
    }
}

impl<T> std::ops::Deref for ConnectInfo<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// Puts a [`ConnectInfo`] into every request: for a server other than `silent_tower::serve`,
/// layered around each connection's service when the connection is accepted.
///
/// Cost: inserting into a request's extensions allocates (the map, its table and the value, on a
/// request that had none).
#[derive(Clone, Debug)]
pub struct ConnectInfoLayer<T> {
    info: T,
}

impl<T> ConnectInfoLayer<T> {
    /// A layer that gives every request `ConnectInfo(info)`.
    pub fn new(info: T) -> Self {
        Self { info }
    }
}

impl<S, T: Clone> Layer<S> for ConnectInfoLayer<T> {
    type Service = AddConnectInfo<S, T>;

    fn layer(&self, inner: S) -> Self::Service {
        AddConnectInfo {
            inner,
            info: self.info.clone(),
        }
    }
}

/// The service of [`ConnectInfoLayer`].
#[derive(Clone, Debug)]
pub struct AddConnectInfo<S, T> {
    inner: S,
    info: T,
}

impl<S, T, B> Service<Request<B>> for AddConnectInfo<S, T>
where
    S: Service<Request<B>>,
    T: Clone + Send + Sync + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> S::Future {
        request
            .extensions_mut()
            .insert(ConnectInfo(self.info.clone()));
        self.inner.call(request)
    }
}

/// What a make-service learns of a connection it is called with, as axum's `Connected`: the
/// type given to [`ConnectInfo`] for every request on that connection.
///
/// A server of your own implements it for your type, from what your accept loop knows; the
/// client's address is `SocketAddr`, from `SocketAddr` or `&SocketAddr`.
pub trait Connected<T>: Clone + Send + Sync + 'static {
    /// What the connection's requests get as `ConnectInfo<Self>`.
    fn connect_info(target: T) -> Self;
}

impl Connected<SocketAddr> for SocketAddr {
    fn connect_info(target: SocketAddr) -> Self {
        target
    }
}

impl Connected<&SocketAddr> for SocketAddr {
    fn connect_info(target: &SocketAddr) -> Self {
        *target
    }
}

/// A service as a make-service that gives each connection's requests `ConnectInfo<C>`, as
/// axum's: made by
/// [`Router::into_make_service_with_connect_info`](crate::Router::into_make_service_with_connect_info).
/// Called with a connection `T` where `C: Connected<T>`, it answers the service wrapped in
/// [`AddConnectInfo`].
///
/// For a server that takes a make-service (an accept loop of your own over hyper-util, for
/// one). `silent_tower::serve` takes the service itself and gives the client's address with
/// `serve(listener, app).with_peer_addr()`; the migration guide has the row.
///
/// ```
/// use std::net::SocketAddr;
///
/// use silent_tower_router::extract::ConnectInfo;
/// use silent_tower_router::{get, Router};
/// use tower::{Service, ServiceExt};
///
/// async fn whoami(ConnectInfo(client): ConnectInfo<SocketAddr>) -> String {
///     client.to_string()
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let app: Router<(), String> = Router::with_body().route("/", get(whoami));
/// let mut make = app.into_make_service_with_connect_info::<SocketAddr>();
/// let client: SocketAddr = ([192, 0, 2, 7], 50_000).into();
/// let per_connection = make.call(client).await.unwrap();
/// let response = per_connection
///     .oneshot(http::Request::new(String::new()))
///     .await
///     .unwrap();
/// let body = http_body_util::BodyExt::collect(response.into_body()).await.unwrap();
/// assert_eq!(body.to_bytes(), "192.0.2.7:50000");
/// # }
/// ```
pub struct IntoMakeServiceWithConnectInfo<S, C> {
    service: S,
    connect_info: PhantomData<fn() -> C>,
}

impl<S, C> IntoMakeServiceWithConnectInfo<S, C> {
    pub(crate) fn new(service: S) -> Self {
        Self {
            service,
            connect_info: PhantomData,
        }
    }
}

impl<S: Clone, C> Clone for IntoMakeServiceWithConnectInfo<S, C> {
    fn clone(&self) -> Self {
        Self::new(self.service.clone())
    }
}

impl<S: std::fmt::Debug, C> std::fmt::Debug for IntoMakeServiceWithConnectInfo<S, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntoMakeServiceWithConnectInfo")
            .field("service", &self.service)
            .field("connect_info", &std::any::type_name::<C>())
            .finish()
    }
}

impl<S: Clone, C: Connected<T>, T> Service<T> for IntoMakeServiceWithConnectInfo<S, C> {
    type Response = AddConnectInfo<S, C>;
    type Error = Infallible;
    type Future = Ready<Result<AddConnectInfo<S, C>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, target: T) -> Self::Future {
        ready(Ok(AddConnectInfo {
            inner: self.service.clone(),
            info: C::connect_info(target),
        }))
    }
}
