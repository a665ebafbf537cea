//! Serve a [`tower_service::Service`] over TCP with hyper: HTTP/1.1 and HTTP/2 on one port.
//!
//! [`serve`] takes a bound [`TcpListener`] and any `Clone` service from
//! `http::Request<hyper::body::Incoming>` to `http::Response<B>`, and gives back a [`Serve`]: a
//! builder you configure, then `.await`. Each accepted connection runs on its own tokio task:
//!
//! - the protocol is chosen per connection by hyper-util's `auto::Builder`: a client that opens
//!   with the HTTP/2 preface speaks HTTP/2 (h2c with prior knowledge, as gRPC clients do), any other
//!   speaks HTTP/1.1. Over TLS (`Serve::tls`) the protocol ALPN agreed on is used instead.
//!   Without the `http2` feature (on by default) hyper's HTTP/1 builder serves every connection
//!   and neither hyper nor hyper-util is built with HTTP/2;
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
//! listener is closed, in-flight requests get up to the [`shutdown_grace`](Serve::shutdown_grace)
//! (30 s) to finish, every connection still open after it is closed, and then the `.await`
//! returns. A server whose future is dropped instead (its task aborted, or the losing branch of
//! a `select!`) closes every connection at once: with the server gone, nothing would bound a
//! drain.
//!
//! # Limits
//!
//! Every setting below has a default meant for a server on the open internet; each is a method
//! of [`Serve`] (or, for WebSocket, of `ws::WebSocketUpgrade`).
//!
//! | setting | default | at the limit |
//! |---|---|---|
//! | [`header_read_timeout`](Serve::header_read_timeout) | 30 s | the connection is closed without a response; counted from accept, it covers the TLS handshake, protocol detection and, again after each response, every HTTP/1 request head. HTTP/3: it bounds the QUIC handshake, and each request stream's `HEADERS` frame, counted from the stream's opening; a late one is reset with `H3_REQUEST_REJECTED` |
//! | [`max_connections`](Serve::max_connections) | 10 000 | TCP, TLS, QUIC and WebSocket connections all count; a new connection makes room by closing the longest-idle one (no request in flight, none started lately; WebSockets only when no other is idle); if every connection is busy, it waits until one is idle or closes |
//! | [`max_connections_per_ip`](Serve::max_connections_per_ip) | none | a new connection from that address closes the address's longest-idle one, or is closed unanswered if none is idle |
//! | `http2_max_concurrent_streams` (`http2` feature) | 200 | advertised in the HTTP/2 `SETTINGS`; clients queue further requests, a stream opened past it is reset with `REFUSED_STREAM` |
//! | `http3_max_concurrent_streams` (`http3` feature) | 100 | QUIC's stream limit: the client cannot open more request streams until one ends |
//! | `http3_address_validation` (`http3` feature) | on | a new QUIC client must echo a Retry token from its address before its handshake (one round trip) |
//! | [`keep_alive`](Serve::keep_alive) | on | off: every HTTP/1 response says `Connection: close` and the connection closes after it |
//! | [`idle_timeout`](Serve::idle_timeout) | 120 s | a connection that has done nothing for 1–2 × the timeout is closed gracefully (in-flight requests may finish), and at once if it is still idle one timeout later. Activity is a request starting, or, while one is in flight, a response write or 1 KiB of request body per timeout: HTTP/2 `PING`s and other control frames, QUIC keep-alives and a body trickled in slower are not activity |
//! | [`shutdown_grace`](Serve::shutdown_grace) | 30 s | after the shutdown signal, connections still open are closed at once and the server's future returns |
//! | [`max_header_size`](Serve::max_header_size) | 64 KiB | HTTP/1: `431 Request Header Fields Too Large`, then the connection closes (a head under the limit always passes, one of twice the limit never: see the method); HTTP/2: that stream is answered `431`, the connection goes on; HTTP/3: advertised as `SETTINGS_MAX_FIELD_SECTION_SIZE`, a larger head is answered `431`, and a stream that sends more than 4 × this while its head is read is reset with `H3_EXCESSIVE_LOAD` |
//! | [`max_headers`](Serve::max_headers) | 100 | HTTP/1: `431`, then the connection closes |
//! | WebSocket message and frame size (`ws` feature) | 64 KiB each | the connection is closed; the handler's `recv` yields the error |
//! | WebSocket `ping_interval` (`ws` feature) | 30 s | a silent client is pinged; silent one interval more, `recv` yields an error |
//!
//! Malformed HTTP/3 requests (RFC 9114 §4.1.2, §4.2) are reset with `H3_MESSAGE_ERROR` before
//! the service sees them: connection-specific fields (`connection`, `keep-alive`,
//! `proxy-connection`, `transfer-encoding`, `upgrade`), `te` other than `trailers`, a
//! `content-length` that is not one number, and a body whose data does not add up to its
//! `content-length` (found as the body is read). HTTP/1 and HTTP/2 get the same checks from
//! hyper and h2. A response body that disagrees with its own `content-length` is cut with
//! `H3_INTERNAL_ERROR`, as hyper cuts it on TCP.
//!
//! # TLS
//!
//! With the `tls` feature, `Serve::tls` serves HTTPS through rustls (with its `ring` crypto
//! provider, so no C toolchain beyond `cc` is needed) and tokio-rustls. Certificates come from
//! PEM files or a `rustls::ServerConfig` you build, in a `TlsConfig` that can be swapped
//! while the server runs; it is read once per accepted connection. A failed or timed-out
//! handshake closes that connection only and is logged at `debug`.
//!
//! The TLS setting is a method of [`Serve`] rather than a second `serve_tls` function because
//! every other setting applies to TLS connections just as to plain ones: one builder keeps one
//! set of methods and one future type.
//!
//! # HTTP/3
//!
//! With the `http3` feature, `Serve::http3` adds a QUIC endpoint on a UDP socket (quinn, with
//! rustls on `ring`, and h3), served with the same `TlsConfig` as the TCP listener plus ALPN
//! `h3`. TCP responses then carry `Alt-Svc: h3=":PORT"; ma=86400`. Each QUIC connection runs on
//! its own task and each request on another; request bodies stream in as the client sends them,
//! response bodies stream out frame by frame (data, then trailers), and a response body of known
//! length gets a `content-length`; answers to `HEAD`, `204` and `304` carry no body. A new
//! client must first prove its address with a QUIC Retry (one round trip more, so that a
//! spoofed source address cannot turn the server into an amplifier), and 0-RTT is refused, so
//! no request can be replayed. On graceful shutdown the endpoint refuses new connections at once
//! (`CONNECTION_CLOSE` with `CONNECTION_REFUSED`), every connection sends `GOAWAY`, finishes the
//! requests it accepted within the shutdown grace and closes with `H3_NO_ERROR`; one that was
//! serving requests first gives the client up to a second to close it, since a QUIC close drops
//! response bytes not yet acknowledged.
//!
//! The request body. hyper gives TCP requests an `Incoming` that only hyper can make, and h3
//! gives HTTP/3 requests a QUIC stream, while a router has one body type. So a server with
//! HTTP/3 calls its service with `http::Request<RequestBody>` on both sides: an enum of hyper's
//! body and an `H3Body` (h3's receiving stream as an `http_body::Body`), with `Bytes` data, a
//! boxed error and `is_http3()`. One `Router::<(), RequestBody>::with_body()` serves TCP and QUIC;
//! a server without `.http3` still takes services of `Request<Incoming>`, unchanged. The
//! alternative, a service of `Request<H3Body>` for QUIC beside one of `Request<Incoming>` for
//! TCP, would make every app with HTTP/3 build its router twice.
//!
//! Cost: per QUIC connection a task, per HTTP/3 request a task (hyper spawns one per HTTP/2
//! stream too) and h3's own buffers; per TCP request of a server with HTTP/3, the `Alt-Svc`
//! header: a reference-count increment and an insert into the response's header map.
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
//! reference-count increments, two tokio timers (the header read deadline and the idle check,
//! each armed in place, no allocation), one shared record of its
//! activity (one allocation; a lock to enter it in the server's table of connections and one to
//! leave it), a relaxed counter update and a relaxed flag load per read or write and, until the
//! protocol is known, one clock read per read that has to wait. Per request, `serve` adds no
//! allocation to what hyper does. It clones the service for every request, as hyper-util's
//! [`TowerToHyperService`] does (so keep it cheap to clone: an `Arc` or a handful of them), and
//! calls it at once when it is ready, so the request's future is the service's from the start
//! rather than after a first poll (one copy of it fewer than `TowerToHyperService`): two atomic
//! additions on the connection's record (request started, request ended), a clock read when the
//! request ends, and one reference-count increment and decrement; this crate's tests count
//! allocations per request against bare hyper-util to hold that, and with every default
//! protection a request costs fewer instructions than on bare hyper-util with hyper's own header
//! read timeout (BENCHMARKS.md). At [`max_connections`](Serve::max_connections), each new connection
//! costs a pass over the open ones. [`Serve::with_peer_addr`] is opt-in because it does add
//! per-request work.
//!
//! [`serve_connection_with_upgrades`]: https://docs.rs/hyper-util/0.1/hyper_util/server/conn/auto/struct.Builder.html#method.serve_connection_with_upgrades
//! [`TowerToHyperService`]: https://docs.rs/hyper-util/0.1/hyper_util/service/struct.TowerToHyperService.html

mod activity;
#[cfg(feature = "http3")]
mod alt_svc;
#[cfg(feature = "http3")]
mod body;
mod connection;
mod deadlines;
mod fits;
mod future;
#[cfg(feature = "http3")]
mod h3_bound;
#[cfg(feature = "http3")]
mod h3_request;
#[cfg(feature = "http3")]
mod h3_tasks;
#[cfg(feature = "http3")]
mod http3;
mod idle;
mod in_flight;
mod peer_addr;
#[cfg(feature = "http3")]
mod phases;
mod preface;
mod protocol;
mod slots;
#[cfg(feature = "tls")]
mod tls;
mod transport;
mod watch;

use std::fmt;
use std::future::{Future, IntoFuture, Pending};
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use tokio::net::TcpListener;
use tower_service::Service;

#[cfg(feature = "http3")]
pub use self::body::{H3Body, RequestBody};
pub use self::fits::{ServeError, ServeResponse, ServeService};
pub use self::future::ServeFuture;
pub use self::peer_addr::PeerAddr;
#[cfg(feature = "tls")]
pub use self::tls::TlsConfig;
/// The rustls crate `serve` is built with, to build a [`rustls::ServerConfig`] of your own.
#[cfg(feature = "tls")]
pub use tokio_rustls::rustls;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The TLS configuration a server was given, if any.
#[cfg(feature = "tls")]
type Tls = Option<TlsConfig>;
/// Without the `tls` feature: nothing.
#[cfg(not(feature = "tls"))]
#[derive(Clone, Debug)]
struct Tls;

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
///
/// The service is checked here, part by part ([`ServeService`], [`ServeResponse`],
/// [`ServeError`]), so that a layer stack that does not fit is an error that says which part —
/// the request it takes, its response body, its error — and names its type. `Req`, `Res` and
/// `Err` only tell the impls of those traits apart: they are inferred, never written. A function
/// generic over the service it serves states what `serve` needs in the usual words —
/// `S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static`,
/// `S::Future: Send + 'static`, `S::Error: Into<BoxError>`, `B: http_body::Body<Data = Bytes> +
/// Send + 'static`, `B::Error: Into<BoxError>` — and those bounds satisfy these traits.
#[cfg(not(feature = "http3"))]
pub fn serve<S, Req, Res, Err>(listener: TcpListener, service: S) -> Serve<S>
where
    S: Clone + Send + 'static,
    S: ServeService<Incoming, Req>,
    <S as ServeService<Incoming, Req>>::Response: ServeResponse<Res>,
    <S as ServeService<Incoming, Req>>::Error: ServeError<Err>,
    <S as ServeService<Incoming, Req>>::Future: Send,
    Req: fits::Marker,
    Res: fits::Marker,
    Err: fits::Marker,
{
    new_serve(listener, service)
}

/// Serves `service` on every connection accepted from `listener`.
///
/// Returns a [`Serve`] to configure and then `.await`. Without
/// [`with_graceful_shutdown`](Serve::with_graceful_shutdown) the server runs until its task is
/// dropped. See the [module docs](self) for what happens on each connection.
///
/// The service is cloned for every connection and for every request, so it should be cheap to
/// clone. It is called with `http::Request<hyper::body::Incoming>`, or with `Serve::http3`,
/// `http::Request<RequestBody>`; its error type only needs to convert into a boxed error, and
/// when it returns one hyper closes the connection, so prefer services whose error is
/// [`Infallible`](std::convert::Infallible).
///
/// With the `http3` feature the request body is chosen after this call, so the bounds are
/// checked when the server is awaited; without it, they are checked here, part by part, with
/// errors that name the part that does not fit.
#[cfg(feature = "http3")]
pub fn serve<S>(listener: TcpListener, service: S) -> Serve<S>
where
    S: Clone + Send + 'static,
{
    new_serve(listener, service)
}

/// The server for `service`, with every setting at its default.
fn new_serve<S>(listener: TcpListener, service: S) -> Serve<S> {
    Serve {
        listener,
        service,
        signal: std::future::pending(),
        config: Config::default(),
        #[cfg(feature = "tls")]
        tls: None,
        #[cfg(not(feature = "tls"))]
        tls: Tls,
        http3: TcpOnly,
    }
}

/// A server being configured; `.await` it (it implements [`IntoFuture`]) to run it.
///
/// Made by [`serve`]. `Signal` is the graceful-shutdown future, never-completing unless
/// [`with_graceful_shutdown`](Serve::with_graceful_shutdown) set one. `Http3` is [`TcpOnly`]
/// unless `Serve::http3` (feature `http3`) added a QUIC endpoint; it decides the request body
/// the service takes.
#[must_use = "a server does nothing until it is `.await`ed"]
pub struct Serve<S, Signal = Pending<()>, Http3 = TcpOnly> {
    listener: TcpListener,
    service: S,
    signal: Signal,
    config: Config,
    tls: Tls,
    http3: Http3,
}

/// The `Http3` parameter of a [`Serve`] that serves TCP only: its service takes
/// `http::Request<hyper::body::Incoming>`.
#[derive(Clone, Copy, Debug, Default)]
pub struct TcpOnly;

/// The `Http3` parameter of a [`Serve`] that also serves HTTP/3 on a UDP socket: its service
/// takes `http::Request<`[`RequestBody`]`>`. Made by `Serve::http3`.
#[cfg(feature = "http3")]
#[derive(Debug)]
pub struct WithHttp3 {
    socket: std::net::UdpSocket,
}

#[derive(Clone, Copy, Debug)]
struct Config {
    header_read_timeout: Option<Duration>,
    with_peer_addr: bool,
    max_connections: Option<usize>,
    #[cfg_attr(not(feature = "http2"), allow(dead_code))]
    http2_max_concurrent_streams: u32,
    keep_alive: bool,
    idle_timeout: Option<Duration>,
    max_header_size: usize,
    max_headers: usize,
    shutdown_grace: Option<Duration>,
    max_connections_per_ip: Option<usize>,
    #[cfg_attr(not(feature = "http3"), allow(dead_code))]
    http3_max_concurrent_streams: u32,
    #[cfg_attr(not(feature = "http3"), allow(dead_code))]
    http3_address_validation: bool,
}

/// hyper's HTTP/1 read buffer cannot be smaller.
const MIN_MAX_HEADER_SIZE: usize = 8 * 1024;

impl Default for Config {
    fn default() -> Self {
        Self {
            header_read_timeout: Some(Duration::from_secs(30)),
            with_peer_addr: false,
            max_connections: Some(10_000),
            http2_max_concurrent_streams: 200,
            keep_alive: true,
            idle_timeout: Some(Duration::from_secs(120)),
            max_header_size: 64 * 1024,
            max_headers: 100,
            shutdown_grace: Some(Duration::from_secs(30)),
            max_connections_per_ip: None,
            http3_max_concurrent_streams: 100,
            http3_address_validation: true,
        }
    }
}

impl<S, Http3> Serve<S, Pending<()>, Http3> {
    /// Stops the server gracefully when `signal` completes.
    ///
    /// Then the listener is closed at once, so new connections are refused. Each open connection is
    /// told to finish: an HTTP/1 connection completes the request it is serving and closes, an
    /// HTTP/2 connection sends `GOAWAY` and completes its open streams. When every connection has
    /// closed, the server's future returns `Ok(())`.
    ///
    /// The wait is bounded by the [`shutdown_grace`](Self::shutdown_grace) (30 s unless changed):
    /// when it runs out, every connection still open, of every protocol, is closed at once and the
    /// future returns. A client that never answers the `GOAWAY` (an HTTP/2 connection that sent
    /// its preface and then nothing), one that never finishes its request head, or a request that
    /// never ends delays the exit by the grace at most. Connections already upgraded (WebSocket)
    /// are not waited for; when the grace runs out, their next read or write fails.
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
    pub fn with_graceful_shutdown<Signal>(self, signal: Signal) -> Serve<S, Signal, Http3>
    where
        Signal: Future<Output = ()> + Send + 'static,
    {
        Serve {
            listener: self.listener,
            service: self.service,
            signal,
            config: self.config,
            tls: self.tls,
            http3: self.http3,
        }
    }
}

impl<S, Signal, Http3> Serve<S, Signal, Http3> {
    /// Sets how long a client has to send a request head; `None` disables the limit.
    ///
    /// The clock starts when the connection is accepted: by then the TLS handshake (with
    /// [`tls`](Self::tls)), the bytes that tell HTTP/1 from HTTP/2 and, on HTTP/1, the first
    /// request head must be in. On a keep-alive HTTP/1 connection it starts again when each
    /// response ends, so this also bounds how long an idle HTTP/1 connection stays open. A client
    /// cut off this way gets no response. An HTTP/2 connection, once its preface is in, is not
    /// limited: idle HTTP/2 connections are normal, and the [`idle_timeout`](Self::idle_timeout)
    /// closes them. The default is 30 seconds.
    ///
    /// The task serving the connection keeps this deadline with one timer for the connection's
    /// whole life; it is not hyper's own HTTP/1 header read timeout, which boxes and arms a new
    /// timer for every request head (about 15 % of the instructions of a plain-text request, see
    /// BENCHMARKS.md), and which would leave hyper-util's protocol detection untimed
    /// ([hyper#3756](https://github.com/hyperium/hyper/issues/3756)).
    ///
    /// Cost: one clock read per request (when it ends); no allocation.
    pub fn header_read_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.config.header_read_timeout = timeout.into();
        self
    }

    /// Puts the client's address into each request's extensions, twice: as a [`PeerAddr`], which
    /// the request logger and the rate limiter read, and as axum's
    /// `ConnectInfo<SocketAddr>`, which a handler reads as an extractor
    /// (`ConnectInfo(client): ConnectInfo<SocketAddr>`; axum's
    /// `into_make_service_with_connect_info::<SocketAddr>()` becomes this call).
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
    /// extensions map allocates the map, its table and the boxed value, and the second value one
    /// box more (four in all).
    pub fn with_peer_addr(mut self) -> Self {
        self.config.with_peer_addr = true;
        self
    }

    /// Serves HTTPS: every accepted connection starts with a TLS handshake (rustls).
    ///
    /// Needs the `tls` feature. The handshake must finish within the
    /// [`header_read_timeout`](Self::header_read_timeout), counted from accept like the rest of
    /// the request head; a handshake that fails or times out closes that connection only, logged
    /// at `debug`. The protocol is the one ALPN agreed on (`h2` or `http/1.1`); a client that
    /// offered no ALPN is served as on plain TCP, by its first bytes. All the other settings
    /// apply as they do without TLS. The [`TlsConfig`] is read once per accepted connection, so
    /// a certificate swapped through a clone of it applies to the next connection.
    #[cfg(feature = "tls")]
    pub fn tls(mut self, config: TlsConfig) -> Self {
        self.tls = Some(config);
        self
    }

    /// Caps how many connections are served at once; `None` lifts the cap. Default 10 000.
    ///
    /// Every connection counts: plain and TLS, HTTP/1 and HTTP/2, QUIC connections of
    /// `Serve::http3`, and WebSocket connections until they close. At the cap, a new connection
    /// is accepted and the connection that has been idle the longest is closed to make room:
    /// idle meaning no request in flight and none started lately (an HTTP/2 `PING`, `SETTINGS`
    /// or other control frame is not activity). So one client that opens thousands of idle
    /// connections cannot lock others out; it only pushes out idle connections. If every
    /// connection is serving a request, the new one waits, unread, until one closes, and clients
    /// after it wait in the listen backlog. Upgraded (WebSocket) connections are closed to make
    /// room only when no other connection is idle, the one quiet the longest first: closing a
    /// keep-alive HTTP connection costs its client an unseen reconnect, closing a WebSocket ends
    /// a session, but WebSockets that answer pings must not be able to hold every slot. Cost: a pass over the open connections, under a lock, for each connection
    /// accepted at the cap; nothing below it.
    pub fn max_connections(mut self, max: impl Into<Option<usize>>) -> Self {
        self.config.max_connections = max.into();
        self
    }

    /// Caps the streams (requests) one HTTP/2 connection may have open at once. Default 200.
    ///
    /// Advertised to the client in `SETTINGS_MAX_CONCURRENT_STREAMS`; a client waits for a stream
    /// to finish before opening another, and a stream opened past the cap is refused with
    /// `REFUSED_STREAM`. Needs the `http2` feature.
    #[cfg(feature = "http2")]
    pub fn http2_max_concurrent_streams(mut self, max: u32) -> Self {
        self.config.http2_max_concurrent_streams = max;
        self
    }

    /// Caps the request streams one HTTP/3 connection may have open at once. Default 100.
    ///
    /// Advertised to the client as QUIC's bidirectional stream limit, so a client cannot open
    /// more: it waits for a request to finish before it starts another. Each open request costs
    /// a task and h3's buffers, so with [`max_connections`](Self::max_connections) this bounds
    /// what QUIC clients can make the server hold. A request's head is bounded in bytes too: h3
    /// (0.0.8) buffers a `HEADERS` frame whole before it compares its decoded size with
    /// [`max_header_size`](Self::max_header_size), so the server stops a stream that delivers
    /// more than four times `max_header_size` while its head (or its trailers) is being read,
    /// and resets it with `H3_EXCESSIVE_LOAD`. Needs the `http3` feature.
    #[cfg(feature = "http3")]
    pub fn http3_max_concurrent_streams(mut self, max: u32) -> Self {
        self.config.http3_max_concurrent_streams = max;
        self
    }

    /// Whether a new QUIC client must first prove its address with a Retry. Default `true`.
    ///
    /// A Retry costs a new client one round trip before its handshake: the server answers its
    /// first packet with a token that the client must send back from the same address. Without
    /// it, a packet with a spoofed source address makes the server send its handshake (up to
    /// three times the packet's size, RFC 9000 §8) to a victim, and a flood of them makes it
    /// spend a handshake and a connection slot on each. Turn it off only when something in front
    /// of the server already validates addresses (a QUIC-aware load balancer issuing its own
    /// Retry), or on a network where sources cannot be spoofed. Needs the `http3` feature.
    #[cfg(feature = "http3")]
    pub fn http3_address_validation(mut self, enabled: bool) -> Self {
        self.config.http3_address_validation = enabled;
        self
    }

    /// Whether an HTTP/1.1 connection may serve more than one request. Default `true`.
    ///
    /// With `false`, every HTTP/1 response carries `Connection: close` and the server closes the
    /// connection after it. HTTP/2 connections are not affected: they multiplex by design, and
    /// [`idle_timeout`](Self::idle_timeout) bounds how long they stay open unused.
    pub fn keep_alive(mut self, enabled: bool) -> Self {
        self.config.keep_alive = enabled;
        self
    }

    /// Closes a connection that has done nothing for this long; `None` disables it. Default 120
    /// seconds.
    ///
    /// Doing something means starting a request, or, while a request is in flight (from the
    /// call to the service to the end of the response body), writing response bytes or reading
    /// at least 1 KiB per `timeout`. Bytes moved with no request in flight do not count: an
    /// HTTP/2 client that only sends `PING`s, `SETTINGS` or `WINDOW_UPDATE`s, or a QUIC client's
    /// keep-alives, is idle; so is a client that trickles its request body in slower than 1 KiB
    /// per `timeout` (under 9 bytes a second at the default) to hold its connection.
    ///
    /// The close is graceful first: an HTTP/1 connection waiting for its next request closes, one
    /// serving a request closes after the response; an HTTP/2 connection sends `GOAWAY` and
    /// closes when its open streams have finished; an HTTP/3 one sends `GOAWAY` too. The check
    /// runs every `timeout`, so a connection is asked to close between one and two `timeout`s
    /// after it last did something. If it is still idle at the next check, it is closed at once:
    /// a client that stopped sending its request body, stopped reading its response, or ignores
    /// `GOAWAY` does not keep its connection for ever. So a handler that sends nothing for two
    /// timeouts (a long poll, a quiet event stream) loses its connection: send a heartbeat more
    /// often than the timeout, or raise it. An idle HTTP/1 connection is also bounded by the
    /// [`header_read_timeout`](Self::header_read_timeout), which restarts after each
    /// response. Without a header read timeout, this timeout also bounds a TLS handshake.
    ///
    /// Cost: a relaxed counter update per read or write, and per request two atomic additions
    /// (started, ended); nothing allocated per request.
    pub fn idle_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.config.idle_timeout = timeout.into();
        self
    }

    /// Caps the size of a request's head, in bytes. Default 64 KiB.
    ///
    /// HTTP/1: this is the size of hyper's read buffer (`max_buf_size`). When the buffer is full
    /// and still holds no complete request head, the request is answered `431 Request Header
    /// Fields Too Large` and the connection is closed. Because the check runs between reads, a
    /// head that completes in the read that crosses the limit is still served: heads under the
    /// limit always pass, heads of twice the limit or more never do, and in between it depends on
    /// how the bytes arrive. (hyper 1.12 has an exact `max_header_size` for HTTP/1, but
    /// hyper-util's `auto` builder does not expose it yet.)
    /// HTTP/2: advertised as `SETTINGS_MAX_HEADER_LIST_SIZE` (the decoded size of the header
    /// fields, each counted with 32 bytes of overhead as RFC 9113 says); a request over it is
    /// answered `431` too, and the connection keeps serving other streams.
    ///
    /// hyper's HTTP/1 read buffer is the same buffer, so this is also the most an HTTP/1
    /// connection reads from its socket at once (hyper's own default is about 400 KiB); request
    /// bodies still stream through it, in reads of at most this size.
    ///
    /// # Panics
    ///
    /// If `bytes` is less than 8 KiB (8 192), the smallest read buffer hyper's HTTP/1 accepts.
    pub fn max_header_size(mut self, bytes: usize) -> Self {
        assert!(
            bytes >= MIN_MAX_HEADER_SIZE,
            "max_header_size must be at least {MIN_MAX_HEADER_SIZE} bytes, got {bytes}",
        );
        self.config.max_header_size = bytes;
        self
    }

    /// Caps how many header fields an HTTP/1 request may have. Default 100.
    ///
    /// A request with more is answered `431 Request Header Fields Too Large` and the connection
    /// is closed. HTTP/2 requests are bounded by [`max_header_size`](Self::max_header_size).
    pub fn max_headers(mut self, count: usize) -> Self {
        self.config.max_headers = count;
        self
    }

    /// Bounds how long a graceful shutdown waits for open connections; `None` waits for ever.
    /// Default 30 seconds.
    ///
    /// Counted from the moment the [`with_graceful_shutdown`](Self::with_graceful_shutdown)
    /// signal completes: requests in flight get that long to finish, then every connection still
    /// open (TCP and QUIC alike) is closed at once, without a response for the requests it was
    /// serving, and the server's future returns. Set it below what your process manager allows
    /// between its stop signal and its kill (systemd's default is 90 s, Kubernetes' 30 s).
    pub fn shutdown_grace(mut self, grace: impl Into<Option<Duration>>) -> Self {
        self.config.shutdown_grace = grace.into();
        self
    }

    /// Caps how many connections one client IP address may hold at once; `None` (the default)
    /// sets no per-address cap.
    ///
    /// A connection from an address at its cap makes room by closing that address's own
    /// longest-idle connection; if none of them is idle, the new connection is closed at once,
    /// unanswered. Off by default because many clients can share one address (a NAT, a
    /// corporate proxy, a CDN in front of the server); set it when clients reach the server
    /// directly. QUIC connections count too.
    pub fn max_connections_per_ip(mut self, max: impl Into<Option<usize>>) -> Self {
        self.config.max_connections_per_ip = max.into();
        self
    }

    /// The local address the listener is bound to; useful after binding port 0.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

impl<S, B, Signal> IntoFuture for Serve<S, Signal, TcpOnly>
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
        let slots = slots::Slots::new(
            self.config.max_connections,
            self.config.max_connections_per_ip,
        );
        ServeFuture::new(connection::accept_loop(
            self.listener,
            self.service,
            self.signal,
            self.config,
            self.tls,
            slots,
        ))
    }
}

#[cfg(feature = "http3")]
impl<S, Signal> Serve<S, Signal, TcpOnly> {
    /// Serves HTTP/3 too, over QUIC on `socket`, beside the TCP listener; needs [`tls`](Self::tls).
    ///
    /// Needs the `http3` feature. The QUIC endpoint (quinn, with h3 on top) uses the same
    /// [`TlsConfig`] as the TCP listener, with ALPN `h3`: a certificate swapped through it applies
    /// to the next connection on either side. The TLS configuration must allow TLS 1.3, which
    /// QUIC requires (configurations made from PEM do); 0-RTT is not accepted. TCP responses get
    /// an `Alt-Svc: h3=":PORT"; ma=86400` header naming `socket`'s port (unless the service set
    /// one), so that browsers move to HTTP/3. Bind `socket` to the same address as the listener,
    /// with the same port if you can: clients look for HTTP/3 on the host they already use.
    ///
    /// The service then takes `http::Request<`[`RequestBody`]`>` on both sides, so that one
    /// router serves both: `Router::<(), RequestBody>::with_body()`. Over TCP the body wraps hyper's
    /// `Incoming`, over QUIC an [`H3Body`]. Request bodies stream in and response bodies stream
    /// out, data frames and trailers alike.
    ///
    /// Settings that apply to HTTP/3: [`with_graceful_shutdown`](Self::with_graceful_shutdown)
    /// and [`shutdown_grace`](Self::shutdown_grace) (the endpoint refuses new connections at
    /// once, each connection sends `GOAWAY`, finishes the requests it accepted within the grace
    /// and closes with `H3_NO_ERROR`), [`header_read_timeout`](Self::header_read_timeout) (bounds
    /// the QUIC handshake and each request's `HEADERS` frame; a late one is reset with
    /// `H3_REQUEST_REJECTED`), [`idle_timeout`](Self::idle_timeout) (QUIC's own idle timeout, and
    /// the same request-based check as on TCP, since a client's keep-alives stop QUIC's),
    /// [`max_connections`](Self::max_connections) and
    /// [`max_connections_per_ip`](Self::max_connections_per_ip) (one count for TCP and QUIC),
    /// `http3_max_concurrent_streams` (100 requests open at once per connection),
    /// [`max_header_size`](Self::max_header_size) (advertised as
    /// `SETTINGS_MAX_FIELD_SECTION_SIZE`) and [`with_peer_addr`](Self::with_peer_addr). New
    /// clients are asked to prove their address with a Retry before the handshake
    /// ([`http3_address_validation`](Self::http3_address_validation)), and 0-RTT is refused. Malformed requests are reset with `H3_MESSAGE_ERROR` (see the
    /// [module docs](self#limits)). If the TLS configuration cannot serve QUIC, the server's
    /// future fails at start with [`io::ErrorKind::InvalidInput`], as it does without `tls`.
    ///
    /// ```no_run
    /// use silent_tower::prelude::*;
    /// use silent_tower::serve::{RequestBody, TlsConfig};
    ///
    /// # async fn run() -> std::io::Result<()> {
    /// let app = Router::<(), RequestBody>::with_body().route("/", get(|| async { "hello" }));
    /// let listener = tokio::net::TcpListener::bind("0.0.0.0:443").await?;
    /// let udp = std::net::UdpSocket::bind("0.0.0.0:443")?;
    /// let tls = TlsConfig::from_pem_files("cert.pem", "key.pem")?;
    /// serve(listener, app).tls(tls).http3(udp).await
    /// # }
    /// ```
    pub fn http3(self, socket: std::net::UdpSocket) -> Serve<S, Signal, WithHttp3> {
        Serve {
            listener: self.listener,
            service: self.service,
            signal: self.signal,
            config: self.config,
            tls: self.tls,
            http3: WithHttp3 { socket },
        }
    }
}

#[cfg(feature = "http3")]
impl<S, B, Signal> IntoFuture for Serve<S, Signal, WithHttp3>
where
    S: Service<Request<RequestBody>, Response = Response<B>> + Clone + Send + 'static,
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
        ServeFuture::new(http3::run(
            self.listener,
            self.http3.socket,
            self.service,
            self.signal,
            self.config,
            self.tls,
        ))
    }
}

impl<S: fmt::Debug, Signal, Http3: fmt::Debug> fmt::Debug for Serve<S, Signal, Http3> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Serve")
            .field("listener", &self.listener)
            .field("service", &self.service)
            .field("header_read_timeout", &self.config.header_read_timeout)
            .field("with_peer_addr", &self.config.with_peer_addr)
            .field("max_connections", &self.config.max_connections)
            .field("keep_alive", &self.config.keep_alive)
            .field("idle_timeout", &self.config.idle_timeout)
            .field("max_header_size", &self.config.max_header_size)
            .field("max_headers", &self.config.max_headers)
            .field("shutdown_grace", &self.config.shutdown_grace)
            .field(
                "max_connections_per_ip",
                &self.config.max_connections_per_ip,
            )
            .field("tls", &self.tls)
            .field("http3", &self.http3)
            .finish_non_exhaustive()
    }
}
