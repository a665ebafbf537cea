//! Serve a [`tower_service::Service`] over TCP with hyper: HTTP/1.1 and HTTP/2 on one port.
//!
//! [`serve`] takes a bound [`TcpListener`] and any `Clone` service from
//! `http::Request<hyper::body::Incoming>` to `http::Response<B>`, and gives back a [`Serve`]: a
//! builder you configure, then `.await`. Each accepted connection runs on its own tokio task:
//!
//! - the protocol is chosen per connection by hyper-util's [`auto::Builder`]: a client that opens
//!   with the HTTP/2 preface speaks HTTP/2 (h2c with prior knowledge, as gRPC clients do), any other
//!   speaks HTTP/1.1;
//! - HTTP/1 upgrades (WebSocket) work: connections are served with
//!   [`serve_connection_with_upgrades`], so `hyper::upgrade::on(request)` resolves (the upgraded
//!   IO wraps the `TcpStream` in a private type, so it cannot be downcast back to one);
//! - `TCP_NODELAY` is set on every accepted socket, so small responses are not held back by Nagle;
//! - a client gets [`header_read_timeout`](Serve::header_read_timeout) (30 s unless changed) to
//!   start its request and to send an HTTP/1 request head, which cuts off clients that connect
//!   and then send nothing, or trickle their head in (slowloris).
//!
//! The server never stops on its own. An `accept` that fails (the process ran out of file
//! descriptors, say) is logged with `tracing::warn!` under the target `silent_tower::serve` and
//! retried a second later; an error on one connection is logged at `debug` and ends only that
//! connection. To stop, give [`Serve::with_graceful_shutdown`] a future: when it completes the
//! listener is closed, in-flight requests finish and their connections close, and then the
//! `.await` returns.
//!
//! # Example
//!
//! A server on a free port, one request to it, then a graceful shutdown:
//!
//! ```
//! use std::convert::Infallible;
//! use std::future::IntoFuture;
//!
//! use bytes::Bytes;
//! use http::{Request, Response};
//! use http_body_util::Full;
//! use hyper::body::Incoming;
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! use tokio::net::{TcpListener, TcpStream};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let listener = TcpListener::bind("127.0.0.1:0").await?;
//! let addr = listener.local_addr()?;
//!
//! let hello = tower::service_fn(|_request: Request<Incoming>| async {
//!     Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"hello"))))
//! });
//!
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let server = tokio::spawn(
//!     silent_tower::serve(listener, hello)
//!         .with_graceful_shutdown(async {
//!             let _ = stopped.await;
//!         })
//!         .into_future(),
//! );
//!
//! let mut client = TcpStream::connect(addr).await?;
//! client
//!     .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
//!     .await?;
//! let mut response = String::new();
//! client.read_to_string(&mut response).await?;
//! assert!(response.starts_with("HTTP/1.1 200 OK\r\n"));
//! assert!(response.ends_with("\r\n\r\nhello"));
//!
//! stop.send(()).unwrap();
//! server.await.unwrap()?;
//! # Ok(())
//! # }
//! ```
//!
//! # Cost
//!
//! Per server: one boxed future, see [`ServeFuture`]. Per connection: the spawned task, a few
//! reference-count increments, one tokio timer (no allocation) and, until the protocol is known,
//! one clock read per read that has to wait. Per request, `serve` adds nothing of its own to what hyper and
//! [`TowerToHyperService`] do (the latter clones the service for every request, so keep it cheap
//! to clone: an `Arc` or a handful of them); this crate's tests count allocations per request
//! against bare hyper-util to hold that. [`Serve::with_peer_addr`] is opt-in because it does add
//! per-request work.
//!
//! [`auto::Builder`]: hyper_util::server::conn::auto::Builder
//! [`serve_connection_with_upgrades`]: hyper_util::server::conn::auto::Builder::serve_connection_with_upgrades
//! [`TowerToHyperService`]: hyper_util::service::TowerToHyperService

mod connection;
mod detection_deadline;
mod future;
mod peer_addr;

use std::fmt;
use std::future::{Future, IntoFuture, Pending};
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use tokio::net::TcpListener;
use tower_service::Service;

pub use self::future::ServeFuture;
pub use self::peer_addr::PeerAddr;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Serves `service` on every connection accepted from `listener`.
///
/// Returns a [`Serve`] to configure and then `.await`. Without
/// [`with_graceful_shutdown`](Serve::with_graceful_shutdown) the server runs until its task is
/// dropped. See the [module docs](self) for what happens on each connection.
///
/// The service is cloned for every connection and for every request, so it should be cheap to
/// clone. It is called with `http::Request<hyper::body::Incoming>`; its error type only needs to
/// convert into a boxed error, and when it returns one hyper closes the connection, so prefer
/// services whose error is [`Infallible`](std::convert::Infallible).
pub fn serve<S, B>(listener: TcpListener, service: S) -> Serve<S>
where
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    Serve {
        listener,
        service,
        signal: std::future::pending(),
        config: Config::default(),
    }
}

/// A server being configured; `.await` it (it implements [`IntoFuture`]) to run it.
///
/// Made by [`serve`]. `Signal` is the graceful-shutdown future, never-completing unless
/// [`with_graceful_shutdown`](Serve::with_graceful_shutdown) set one.
#[must_use = "a server does nothing until it is `.await`ed"]
pub struct Serve<S, Signal = Pending<()>> {
    listener: TcpListener,
    service: S,
    signal: Signal,
    config: Config,
}

#[derive(Clone, Copy, Debug)]
struct Config {
    header_read_timeout: Option<Duration>,
    with_peer_addr: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            header_read_timeout: Some(Duration::from_secs(30)),
            with_peer_addr: false,
        }
    }
}

impl<S> Serve<S> {
    /// Stops the server gracefully when `signal` completes.
    ///
    /// Then the listener is closed at once, so new connections are refused. Each open connection is
    /// told to finish: an HTTP/1 connection completes the request it is serving and closes, an
    /// HTTP/2 connection sends `GOAWAY` and completes its open streams. When every connection has
    /// closed, the server's future returns `Ok(())`. Connections already upgraded (WebSocket) are
    /// no longer HTTP connections and are not waited for.
    ///
    /// ```
    /// use std::convert::Infallible;
    ///
    /// use http::{Request, Response};
    /// use hyper::body::Incoming;
    ///
    /// async fn run(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    ///     let app = tower::service_fn(|_request: Request<Incoming>| async {
    ///         Ok::<_, Infallible>(Response::new(String::from("hello")))
    ///     });
    ///     silent_tower::serve(listener, app)
    ///         .with_graceful_shutdown(async {
    ///             // Ctrl-C, or a failure to listen for it, both mean "stop".
    ///             let _ = tokio::signal::ctrl_c().await;
    ///         })
    ///         .await
    /// }
    /// ```
    pub fn with_graceful_shutdown<Signal>(self, signal: Signal) -> Serve<S, Signal>
    where
        Signal: Future<Output = ()> + Send + 'static,
    {
        Serve {
            listener: self.listener,
            service: self.service,
            signal,
            config: self.config,
        }
    }
}

impl<S, Signal> Serve<S, Signal> {
    /// Sets how long a client has to start its request; `None` disables the limit.
    ///
    /// The clock starts when the connection is accepted. A client that has not sent enough bytes
    /// to tell HTTP/1 from HTTP/2 by then, nothing at all say, is disconnected. An HTTP/1 client
    /// then gets the same time again to complete its request head, and again after each response
    /// on a keep-alive connection, so this also bounds how long an idle HTTP/1 connection stays
    /// open. A client cut off this way gets no response. An HTTP/2 connection, once its preface is
    /// in, is not limited: idle HTTP/2 connections are normal. The default is 30 seconds.
    ///
    /// hyper applies the HTTP/1 part; the part before it is ours, because hyper-util's protocol
    /// detection has no timeout of its own
    /// ([hyper#3756](https://github.com/hyperium/hyper/issues/3756)).
    ///
    /// Cost: while set, hyper allocates one timer per HTTP/1 request head it reads.
    pub fn header_read_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.config.header_read_timeout = timeout.into();
        self
    }

    /// Puts the client's address into each request's extensions as a [`PeerAddr`].
    ///
    /// Read it with `request.extensions().get::<PeerAddr>()`; a request logger can then report
    /// who sent the request.
    ///
    /// ```
    /// use silent_tower::serve::PeerAddr;
    ///
    /// fn client_of<B>(request: &http::Request<B>) -> Option<std::net::SocketAddr> {
    ///     request.extensions().get::<PeerAddr>().map(|peer| peer.0)
    /// }
    /// ```
    ///
    /// Opt-in because it costs allocations on every request: inserting into a request's empty
    /// extensions map allocates the map, its table and the boxed value.
    pub fn with_peer_addr(mut self) -> Self {
        self.config.with_peer_addr = true;
        self
    }

    /// The local address the listener is bound to; useful after binding port 0.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

impl<S, B, Signal> IntoFuture for Serve<S, Signal>
where
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
    Signal: Future<Output = ()> + Send + 'static,
{
    type Output = io::Result<()>;
    type IntoFuture = ServeFuture;

    fn into_future(self) -> ServeFuture {
        ServeFuture::new(connection::accept_loop(
            self.listener,
            self.service,
            self.signal,
            self.config,
        ))
    }
}

impl<S: fmt::Debug, Signal> fmt::Debug for Serve<S, Signal> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Serve")
            .field("listener", &self.listener)
            .field("service", &self.service)
            .field("header_read_timeout", &self.config.header_read_timeout)
            .field("with_peer_addr", &self.config.with_peer_addr)
            .finish_non_exhaustive()
    }
}
