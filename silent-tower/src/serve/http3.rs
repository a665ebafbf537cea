//! HTTP/3: a QUIC endpoint (quinn) beside the TCP listener, serving the same service through h3.
//!
//! [`run`] starts both accept loops on one shutdown signal. The TCP loop is the ordinary one,
//! with the service wrapped so its requests carry a [`RequestBody`] and its responses advertise
//! HTTP/3 (`Alt-Svc`). The QUIC loop accepts connections with a quinn server configuration made
//! from the server's [`TlsConfig`] (ALPN `h3`), runs one task per connection that accepts
//! request streams, and one task per request that calls the service and streams the response
//! back: data frames as the body yields them, then trailers, then the end of the stream.
//!
//! Shutdown: the endpoint stops accepting; each connection sends `GOAWAY`, lets the requests it
//! has accepted finish, then closes with `H3_NO_ERROR`. Because a QUIC close discards data not
//! yet acknowledged, a connection that was serving requests when the shutdown began waits a
//! little ([`CLOSE_LINGER`]) for the client to close first, so the last responses arrive whole.

use std::future::{poll_fn, Future};
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use bytes::{Buf, Bytes};
use http::{header, Request, Response};
use pin_project::pin_project;
use quinn::crypto::rustls::QuicServerConfig;
use quinn::{Endpoint, EndpointConfig, IdleTimeout, TokioRuntime, TransportConfig, VarInt};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::rustls;
use tower_service::Service;

use super::activity::{Activity, Seen};
use super::alt_svc::{alt_svc_value, AdvertiseHttp3};
use super::body::{H3Body, RequestBody};
use super::connection::{self, drain};
use super::deadlines::after;
use super::h3_bound::{reading_fields, BoundedBidi, BoundedConnection};
use super::in_flight::InFlight;
use super::peer_addr::AddPeerAddr;
use super::phases::Phases;
use super::slots::{Refused, Slot, Slots};
use super::watch::{poll_signal, read_phase, Phase, Signal};
use super::{BoxError, Config, TlsConfig};

/// `H3_NO_ERROR`: the code of a connection closed because it is no longer needed.
const H3_NO_ERROR: u32 = 0x100;

/// How long the endpoint waits, once every connection has closed, for their `CONNECTION_CLOSE`
/// frames to be acknowledged before it returns anyway.
const ENDPOINT_LINGER: Duration = Duration::from_secs(1);

/// How long a connection that was serving requests when the server began to shut down waits,
/// once they have finished, for the client to close it, before the server closes it.
const CLOSE_LINGER: Duration = Duration::from_secs(1);

type Resolver = h3::server::RequestResolver<BoundedConnection, Bytes>;
type H3SendStream = h3::server::RequestStream<h3_quinn::SendStream<Bytes>, Bytes>;

pub(super) async fn run<S, B>(
    listener: tokio::net::TcpListener,
    socket: UdpSocket,
    service: S,
    signal: impl Future<Output = ()>,
    config: Config,
    tls: Option<TlsConfig>,
) -> io::Result<()>
where
    S: Service<Request<RequestBody>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let Some(tls) = tls else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "HTTP/3 needs TLS: call `.tls(..)` on the server too",
        ));
    };
    let port = socket.local_addr()?.port();
    let mut configs = QuicConfigs::new(tls.clone(), &config);
    let endpoint = Endpoint::new(
        EndpointConfig::default(),
        Some(Arc::unwrap_or_clone(configs.current()?)),
        socket,
        Arc::new(TokioRuntime),
    )?;

    // One signal, two loops: each waits for the flag.
    let (stop, stopped) = watch::channel(false);
    let wait = |mut stopped: watch::Receiver<bool>| async move {
        // An error means the sender is gone, which happens only after it said "stop".
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    // One cap for both: a QUIC connection takes a slot as a TCP one does.
    let slots = Slots::new(config.max_connections, config.max_connections_per_ip);
    let tcp = connection::accept_loop(
        listener,
        AdvertiseHttp3::new(service.clone(), alt_svc_value(port)),
        wait(stopped.clone()),
        config,
        Some(tls),
        Arc::clone(&slots),
    );
    let quic = accept_loop(endpoint, configs, service, wait(stopped), config, slots);
    let signal = async move {
        signal.await;
        stop.send_replace(true);
    };
    let (tcp, quic, ()) = tokio::join!(tcp, quic, signal);
    tcp.and(quic)
}

/// quinn server configurations made from the [`TlsConfig`], remade only when it changes.
struct QuicConfigs {
    tls: TlsConfig,
    transport: Arc<TransportConfig>,
    last: Option<(Arc<rustls::ServerConfig>, Arc<quinn::ServerConfig>)>,
}

impl QuicConfigs {
    fn new(tls: TlsConfig, config: &Config) -> Self {
        let mut transport = TransportConfig::default();
        // quinn's own default is 30 s; an unrepresentable timeout (over 2^62 ms) means none.
        transport.max_idle_timeout(
            config
                .idle_timeout
                .and_then(|timeout| IdleTimeout::try_from(timeout).ok()),
        );
        // Each request stream costs a task and h3's buffers: this bounds them per connection.
        transport
            .max_concurrent_bidi_streams(VarInt::from_u32(config.http3_max_concurrent_streams));
        Self {
            tls,
            transport: Arc::new(transport),
            last: None,
        }
    }

    /// The configuration for the next connection: the current certificate, ALPN `h3`.
    fn current(&mut self) -> io::Result<Arc<quinn::ServerConfig>> {
        let tls = self.tls.server_config();
        if let Some((seen, quic)) = &self.last {
            if Arc::ptr_eq(seen, &tls) {
                return Ok(Arc::clone(quic));
            }
        }
        let quic = Arc::new(quic_server_config(&tls, Arc::clone(&self.transport))?);
        self.last = Some((tls, Arc::clone(&quic)));
        Ok(quic)
    }
}

fn quic_server_config(
    tls: &rustls::ServerConfig,
    transport: Arc<TransportConfig>,
) -> io::Result<quinn::ServerConfig> {
    let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidInput, message);
    let mut tls = tls.clone();
    tls.alpn_protocols = vec![b"h3".to_vec()];
    // No 0-RTT: requests sent in early data could be replayed.
    tls.max_early_data_size = 0;
    let tls = Arc::new(tls);
    // quinn panics on a configuration rustls refuses for QUIC (one without TLS 1.3): ask first.
    rustls::quic::ServerConnection::new(Arc::clone(&tls), rustls::quic::Version::V1, Vec::new())
        .map_err(|error| invalid(format!("the TLS configuration cannot serve QUIC: {error}")))?;
    let crypto = QuicServerConfig::try_from(tls)
        .map_err(|error| invalid(format!("the TLS configuration cannot serve QUIC: {error}")))?;
    let mut config = quinn::ServerConfig::with_crypto(Arc::new(crypto));
    config.transport_config(transport);
    Ok(config)
}

async fn accept_loop<S, B>(
    endpoint: Endpoint,
    mut configs: QuicConfigs,
    service: S,
    signal: impl Future<Output = ()>,
    config: Config,
    slots: Arc<Slots>,
) -> io::Result<()>
where
    S: Service<Request<RequestBody>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let _wake_all_when_dropped = slots.wake_all_when_dropped();
    // As on TCP: every connection holds a receiver, and the end is when the last is dropped.
    let (shutdown, shutdown_seen) = watch::channel(Phase::Serving);
    let mut signal = pin!(signal);
    loop {
        let incoming = tokio::select! {
            biased;
            () = &mut signal => break,
            incoming = endpoint.accept() => incoming,
        };
        // `None` only once the endpoint is closed, which only this function does.
        let Some(incoming) = incoming else { break };
        let peer_addr = incoming.remote_address();
        // Address validation: a client whose address is not proven yet gets a Retry (a token
        // it must echo from that address) before the server spends a handshake or a slot on it,
        // so a spoofed source address cannot make the server send to a victim.
        if config.http3_address_validation
            && !incoming.remote_address_validated()
            && incoming.may_retry()
        {
            if let Err(error) = incoming.retry() {
                tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "QUIC retry failed");
            }
            continue;
        }
        let server_config = match configs.current() {
            Ok(server_config) => server_config,
            Err(error) => {
                tracing::warn!(target: "silent_tower::serve", %error, "QUIC connection refused");
                incoming.refuse();
                continue;
            }
        };
        let slot = tokio::select! {
            biased;
            () = &mut signal => {
                incoming.refuse();
                break;
            }
            slot = slots.admit(peer_addr.ip()) => slot,
        };
        let slot = match slot {
            Ok(slot) => slot,
            Err(Refused::PerIp) => {
                tracing::debug!(target: "silent_tower::serve", %peer_addr, "max_connections_per_ip: refused");
                incoming.refuse();
                continue;
            }
        };
        match incoming.accept_with(server_config) {
            Ok(connecting) => {
                let connection = QuicConnection {
                    peer_addr,
                    shutdown: shutdown_seen.clone(),
                    config,
                    slot,
                };
                if config.with_peer_addr {
                    let service = AddPeerAddr::new(service.clone(), peer_addr);
                    tokio::spawn(connection.run(connecting, service));
                } else {
                    tokio::spawn(connection.run(connecting, service.clone()));
                }
            }
            Err(error) => {
                tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "QUIC accept failed");
            }
        }
    }

    drop(shutdown_seen);
    // While the open connections drain, a new one is refused at once (CONNECTION_CLOSE with
    // CONNECTION_REFUSED) rather than left to time out.
    let refuse_new = async {
        while let Some(incoming) = endpoint.accept().await {
            incoming.refuse();
        }
    };
    tokio::select! {
        () = drain(&shutdown, &slots, config.shutdown_grace) => {}
        () = refuse_new => {}
    }
    endpoint.set_server_config(None);
    // Every connection has closed; let their CONNECTION_CLOSE frames go out.
    endpoint.close(VarInt::from_u32(H3_NO_ERROR), b"");
    let _ = tokio::time::timeout(ENDPOINT_LINGER, endpoint.wait_idle()).await;
    Ok(())
}

/// What the task serving one QUIC connection owns.
struct QuicConnection {
    peer_addr: SocketAddr,
    shutdown: watch::Receiver<Phase>,
    config: Config,
    /// Its place among the server's `max_connections`, shared with TCP.
    slot: Slot,
}

impl QuicConnection {
    async fn run<S, B>(mut self, connecting: quinn::Connecting, service: S)
    where
        S: Service<Request<RequestBody>, Response = Response<B>> + Clone + Send + 'static,
        S::Future: Send,
        S::Error: Into<BoxError>,
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        let peer_addr = self.peer_addr;
        let Some(quic) = self.handshake(connecting).await else {
            return;
        };
        let mut builder = h3::server::builder();
        builder
            .max_field_section_size(u64::try_from(self.config.max_header_size).unwrap_or(u64::MAX));
        // What a request stream may deliver while its head (or trailers) is read: room for a
        // head of `max_header_size` however it is encoded, not for an endless frame.
        let budget = u64::try_from(self.config.max_header_size)
            .unwrap_or(u64::MAX / 4)
            .saturating_mul(4);
        let h3 = builder.build::<_, Bytes>(BoundedConnection::new(
            h3_quinn::Connection::new(quic.clone()),
            budget,
        ));
        let mut h3 = tokio::select! {
            biased;
            _ = self.shutdown.changed() => return,
            h3 = h3 => match h3 {
                Ok(h3) => h3,
                Err(error) => {
                    tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "HTTP/3 connection failed");
                    return;
                }
            },
        };

        let activity = Arc::clone(self.slot.activity());
        let mut requests = JoinSet::new();
        let mut closing = false;
        let mut linger = false;
        // One timer for the connection's life, reset when it fires: a `sleep_until` made in the
        // loop would register a new timer on every pass, several per request.
        let idle_timeout = self.config.idle_timeout;
        let mut idle_check = pin!(tokio::time::sleep_until(after(
            idle_timeout.unwrap_or_default()
        )));
        let mut seen = Seen::default();
        // The server's signals come as on TCP (see `watch::poll_signal`): flags in the
        // connection's activity, read at each wake, not a `watch` and a `Notify` registered
        // anew at each pass of the loop — several hundred instructions a request.
        let mut parked = None;
        loop {
            // h3 itself ends a connection only once the client has sent GOAWAY too, so a
            // server-side close is over when the requests it let in have finished.
            if closing && requests.is_empty() {
                break;
            }
            tokio::select! {
                biased;
                signal = poll_fn(|cx| poll_signal(cx, &activity, &self.shutdown, &mut parked)) => {
                    if let Signal::Evicted = signal {
                        tracing::debug!(target: "silent_tower::serve", %peer_addr, "closed to make room");
                        return force_close(&quic, requests);
                    }
                    // `Signal::Timer` is TCP's: this loop keeps its own timer.
                    let phase = read_phase(&mut self.shutdown);
                    if phase == Phase::Closing {
                        tracing::debug!(target: "silent_tower::serve", %peer_addr, "closed at the end of the shutdown grace");
                        return force_close(&quic, requests);
                    }
                    if phase == Phase::Draining && !closing {
                        closing = true;
                        linger = !requests.is_empty();
                        // GOAWAY: the requests accepted so far finish, later ones are refused.
                        if let Err(error) = h3.shutdown(0).await {
                            tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "HTTP/3 GOAWAY failed");
                            break;
                        }
                    }
                }
                Some(_) = requests.join_next(), if !requests.is_empty() => {}
                // QUIC's own idle timeout never fires while the client sends keep-alive PINGs:
                // as on TCP, only requests count.
                () = &mut idle_check, if idle_timeout.is_some() => {
                    let timeout = idle_timeout.expect("checked by the branch's condition");
                    let (idle, now) = activity.idle_since(seen);
                    seen = now;
                    idle_check.as_mut().reset(after(timeout));
                    if idle && closing {
                        tracing::debug!(target: "silent_tower::serve", %peer_addr, "idle after GOAWAY: closed");
                        return force_close(&quic, requests);
                    }
                    if idle {
                        tracing::debug!(target: "silent_tower::serve", %peer_addr, "idle timeout");
                        closing = true;
                        if let Err(error) = h3.shutdown(0).await {
                            tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "HTTP/3 GOAWAY failed");
                            break;
                        }
                    }
                }
                accepted = h3.accept() => match accepted {
                    Ok(Some(resolver)) => {
                        linger |= closing;
                        requests.spawn(serve_request(
                            resolver,
                            service.clone(),
                            peer_addr,
                            self.config.header_read_timeout,
                            Arc::clone(&activity),
                        ));
                    }
                    // The client sent GOAWAY, and every request it sent before has ended.
                    Ok(None) => break,
                    Err(error) => {
                        if !error.is_h3_no_error() {
                            tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "HTTP/3 connection error");
                        }
                        break;
                    }
                },
            }
        }
        // The requests' streams have ended; their tasks are about to.
        while requests.join_next().await.is_some() {}
        if linger {
            let _ = tokio::time::timeout(CLOSE_LINGER, quic.closed()).await;
        }
        // Dropping the h3 connection closes the QUIC connection with H3_NO_ERROR.
        drop(h3);
        quic.close(VarInt::from_u32(H3_NO_ERROR), b"");
    }

    /// Completes the QUIC handshake within the header read timeout (or, without one, the idle
    /// timeout), as on TCP; `None` ends the connection.
    async fn handshake(&mut self, connecting: quinn::Connecting) -> Option<quinn::Connection> {
        let peer_addr = self.peer_addr;
        let deadline = self
            .config
            .header_read_timeout
            .or(self.config.idle_timeout)
            .map(after);
        let handshake = async {
            match deadline {
                Some(deadline) => match tokio::time::timeout_at(deadline, connecting).await {
                    Ok(result) => result.map_err(io::Error::from),
                    Err(_) => Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "QUIC handshake timed out",
                    )),
                },
                None => connecting.await.map_err(io::Error::from),
            }
        };
        let activity = Arc::clone(self.slot.activity());
        tokio::select! {
            biased;
            _ = self.shutdown.changed() => None,
            () = activity.evicted() => None,
            result = handshake => match result {
                Ok(connection) => Some(connection),
                Err(error) => {
                    tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "QUIC handshake failed");
                    None
                }
            },
        }
    }
}

/// Closes a QUIC connection at once, ending the requests it was serving without a response.
fn force_close(quic: &quinn::Connection, requests: JoinSet<()>) {
    drop(requests); // aborts their tasks
    quic.close(VarInt::from_u32(H3_NO_ERROR), b"");
}

/// The connection-specific header fields (RFC 9114 §4.2), which make a message malformed in
/// HTTP/3; its name if `name` is one.
fn connection_specific(name: &header::HeaderName) -> Option<&'static str> {
    [
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "upgrade",
    ]
    .into_iter()
    .find(|specific| name.as_str() == *specific)
}

/// Checks a request head as RFC 9114 §4.2 requires — no connection-specific field, `te` only
/// `trailers`, every `content-length` the same one number — and gives the body's length, if
/// given; or the field that makes the head malformed. One pass over the fields, not a look-up
/// per rule: a head has a handful.
fn checked_length(headers: &http::HeaderMap) -> Result<Option<u64>, &'static str> {
    let mut length = None;
    for (name, value) in headers {
        if let Some(field) = connection_specific(name) {
            return Err(field);
        }
        if name == header::TE
            && !value
                .as_bytes()
                .trim_ascii()
                .eq_ignore_ascii_case(b"trailers")
        {
            return Err("te");
        }
        if name == header::CONTENT_LENGTH {
            let parsed = parse_length(value).ok_or("content-length")?;
            if length.is_some_and(|length| length != parsed) {
                return Err("content-length");
            }
            length = Some(parsed);
        }
    }
    Ok(length)
}

/// A `content-length` value: digits only.
fn parse_length(value: &http::HeaderValue) -> Option<u64> {
    std::str::from_utf8(value.as_bytes())
        .ok()
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|digits| digits.parse::<u64>().ok())
}

/// A message's `content-length`, if any: every value must be the same number.
fn content_length(headers: &http::HeaderMap) -> Result<Option<u64>, ()> {
    let mut length = None;
    for value in headers.get_all(header::CONTENT_LENGTH) {
        let parsed = parse_length(value).ok_or(())?;
        if length.is_some_and(|length| length != parsed) {
            return Err(());
        }
        length = Some(parsed);
    }
    Ok(length)
}

/// Resets a request stream whose head went over its byte budget (see [`BoundedConnection`]).
fn reset_excessive(mut resolver: Resolver, peer_addr: SocketAddr) {
    use h3::quic::{RecvStream as _, SendStream as _};

    tracing::debug!(target: "silent_tower::serve", %peer_addr, "HTTP/3 request head over its byte budget");
    let code = h3::error::Code::H3_EXCESSIVE_LOAD.value();
    resolver.frame_stream.reset(code);
    resolver.frame_stream.into_inner().stop_sending(code);
}

/// Reads one request's head (within the header read timeout), checks it, calls the service,
/// and sends its response.
///
/// The future is moved whole into the request's task, and every move copies it: it is made of
/// [`Phases`] — the head's first frame, its decoding, the service's call, the response's
/// sending — so that each phase holds only what it needs, in bytes the others reuse (1.4 KiB
/// in all where one `async fn` took 4.5 KiB).
fn serve_request<S, B>(
    resolver: Resolver,
    service: S,
    peer_addr: SocketAddr,
    header_read_timeout: Option<Duration>,
    activity: Arc<Activity>,
) -> impl Future<Output = ()>
where
    S: Service<Request<RequestBody>, Response = Response<B>>,
    S::Error: Into<BoxError>,
    B: http_body::Body,
    B::Error: Into<BoxError>,
{
    let head = Phases::new(
        first_frame(resolver, header_read_timeout, peer_addr),
        move |resolving| {
            resolving.map(|resolving| CheckedHead {
                resolving,
                peer_addr,
            })
        },
    );
    Phases::new(head, move |head| {
        head.map(|(request, stream, length)| {
            respond(request, stream, length, service, peer_addr, activity)
        })
    })
}

/// The request stream with its head read: where the body is read and the response sent.
type H3RequestStream = h3::server::RequestStream<BoundedBidi<Bytes>, Bytes>;

/// Waits for the request's HEADERS frame (whole by the header read timeout, and within the
/// stream's byte budget) and gives the future that decodes it; `None` if the stream was reset.
fn first_frame(
    mut resolver: Resolver,
    header_read_timeout: Option<Duration>,
    peer_addr: SocketAddr,
) -> impl Future<
    Output = Option<
        impl Future<Output = Result<(Request<()>, H3RequestStream), h3::error::StreamError>>,
    >,
> {
    use h3::error::Code;
    use h3::quic::{RecvStream as _, SendStream as _};

    async move {
        // Until it is whole, the frame is buffered, up to `max_header_size`.
        let first_frame =
            poll_fn(
                |cx| match reading_fields(|| resolver.frame_stream.poll_next(cx)) {
                    (polled, false) => polled.map(Ok),
                    (_, true) => Poll::Ready(Err(())),
                },
            );
        let frame = match header_read_timeout {
            Some(timeout) => match tokio::time::timeout(timeout, first_frame).await {
                Ok(Ok(frame)) => frame,
                Ok(Err(())) => {
                    reset_excessive(resolver, peer_addr);
                    return None;
                }
                Err(_) => {
                    tracing::debug!(target: "silent_tower::serve", %peer_addr, "HTTP/3 request head timed out");
                    // Nothing was processed: the client may safely retry.
                    let code = Code::H3_REQUEST_REJECTED.value();
                    resolver.frame_stream.reset(code);
                    resolver.frame_stream.into_inner().stop_sending(code);
                    return None;
                }
            },
            None => match first_frame.await {
                Ok(frame) => frame,
                Err(()) => {
                    reset_excessive(resolver, peer_addr);
                    return None;
                }
            },
        };
        match resolver.accept_with_frame(frame) {
            Ok(resolved) => Some(resolved.resolve()),
            Err(error) => {
                tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "HTTP/3 request head failed");
                None
            }
        }
    }
}

/// Decodes the request's head and checks it is well formed (RFC 9114 §4.1.2, §4.2): the head
/// and its stream, or `None` when the stream failed or was reset. A named future: an `async`
/// block would keep room for the decoding future twice, as its capture and as what it awaits.
#[pin_project]
struct CheckedHead<R> {
    #[pin]
    resolving: R,
    peer_addr: SocketAddr,
}

impl<R> Future for CheckedHead<R>
where
    R: Future<Output = Result<(Request<()>, H3RequestStream), h3::error::StreamError>>,
{
    type Output = Option<(Request<()>, H3RequestStream, Option<u64>)>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        use h3::error::Code;

        let this = self.project();
        let peer_addr = *this.peer_addr;
        let (request, mut stream) = match ready!(this.resolving.poll(cx)) {
            Ok(resolved) => resolved,
            Err(error) => {
                tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "HTTP/3 request head failed");
                return Poll::Ready(None);
            }
        };
        // A malformed request is a stream error of type H3_MESSAGE_ERROR. An app that forwards
        // requests to an HTTP/1 upstream would otherwise be open to smuggling.
        match checked_length(request.headers()) {
            Ok(length) => Poll::Ready(Some((request, stream, length))),
            Err(field) => {
                tracing::debug!(target: "silent_tower::serve", %peer_addr, field, "malformed HTTP/3 request");
                stream.stop_stream(Code::H3_MESSAGE_ERROR);
                stream.stop_sending(Code::H3_MESSAGE_ERROR);
                Poll::Ready(None)
            }
        }
    }
}

/// Calls the service with a well-formed request, then sends its response.
fn respond<S, B>(
    request: Request<()>,
    stream: H3RequestStream,
    length: Option<u64>,
    mut service: S,
    peer_addr: SocketAddr,
    activity: Arc<Activity>,
) -> impl Future<Output = ()>
where
    S: Service<Request<RequestBody>, Response = Response<B>>,
    S::Error: Into<BoxError>,
    B: http_body::Body,
    B::Error: Into<BoxError>,
{
    let in_flight = InFlight::start(&activity);
    let (send, recv) = stream.split();
    let is_head = request.method() == http::Method::HEAD;
    // Checked as it is read: the body's data must add up to `length`.
    let malformed_body = length.map(|_| Arc::new(AtomicBool::new(false)));
    let body = H3Body::new(recv, length, malformed_body.clone(), Arc::clone(&activity));
    let request = request.map(|()| RequestBody::from(body));
    let call = async move {
        // Errors become boxed at once: the service's own need not be `Send`.
        let ready: Result<(), BoxError> =
            poll_fn(|cx| service.poll_ready(cx).map_err(Into::into)).await;
        match ready {
            Ok(()) => service.call(request).await.map_err(Into::into),
            Err(error) => Err(error),
        }
    };
    Phases::new(call, move |response: Result<Response<B>, BoxError>| {
        let answer = Answer {
            send,
            is_head,
            malformed_body,
            peer_addr,
            activity,
            _in_flight: in_flight,
        };
        Some(answer.send(response))
    })
}

/// What sending a response needs besides the response.
struct Answer {
    send: H3SendStream,
    is_head: bool,
    /// Set by the request's body when its data did not add up to its `content-length`.
    malformed_body: Option<Arc<AtomicBool>>,
    peer_addr: SocketAddr,
    activity: Arc<Activity>,
    /// The request is in flight until its response is sent.
    _in_flight: InFlight,
}

impl Answer {
    fn body_was_malformed(&self) -> bool {
        self.malformed_body
            .as_ref()
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
    }

    /// Sends `response`, or resets the stream with the code that says why not. (Not an `async
    /// fn`, which would keep room for its arguments twice.)
    fn send<B>(mut self, response: Result<Response<B>, BoxError>) -> impl Future<Output = ()>
    where
        B: http_body::Body,
        B::Error: Into<BoxError>,
    {
        use h3::error::Code;

        async move {
            let peer_addr = self.peer_addr;
            if self.body_was_malformed() {
                tracing::debug!(target: "silent_tower::serve", %peer_addr, "HTTP/3 request body does not match its content-length");
                self.send.stop_stream(Code::H3_MESSAGE_ERROR);
                return;
            }
            let result = match response {
                Ok(response) => {
                    send_response(&mut self.send, response, self.is_head, &self.activity).await
                }
                Err(error) => Err(error),
            };
            if let Err(error) = result {
                tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "HTTP/3 request failed");
                // The client must not take a cut-off response for a whole one.
                let code = if self.body_was_malformed() {
                    Code::H3_MESSAGE_ERROR
                } else {
                    Code::H3_INTERNAL_ERROR
                };
                self.send.stop_stream(code);
            }
        }
    }
}

/// Sends the head, then the body's data frames as they come, then its trailers, then the end.
fn send_response<'a, B>(
    send: &'a mut H3SendStream,
    response: Response<B>,
    is_head: bool,
    activity: &'a Activity,
) -> impl Future<Output = Result<(), BoxError>> + 'a
where
    B: http_body::Body + 'a,
    B::Error: Into<BoxError>,
{
    let (mut parts, body) = response.into_parts();
    // Connection-specific fields mean nothing in HTTP/3, and make the response malformed. One
    // pass finds them (most responses have none), not a look-up per name.
    if parts
        .headers
        .keys()
        .any(|name| connection_specific(name).is_some())
    {
        for name in [
            header::CONNECTION,
            header::TRANSFER_ENCODING,
            header::UPGRADE,
            header::HeaderName::from_static("keep-alive"),
            header::HeaderName::from_static("proxy-connection"),
        ] {
            parts.headers.remove(name);
        }
    }
    // As hyper does on TCP: a body of known length says so, unless it has no body to measure.
    let status = parts.status;
    let no_content = status.is_informational()
        || status == http::StatusCode::NO_CONTENT
        || status == http::StatusCode::NOT_MODIFIED;
    if !is_head && !no_content && !parts.headers.contains_key(header::CONTENT_LENGTH) {
        if let Some(length) = body.size_hint().exact() {
            parts
                .headers
                .insert(header::CONTENT_LENGTH, http::HeaderValue::from(length));
        }
    }
    // What the client will hold the body to: as hyper does on TCP, a body that disagrees with
    // its `content-length` is cut (the caller resets the stream) rather than sent malformed.
    let mut promised = content_length(&parts.headers).ok().flatten();
    async move {
        send.send_response(Response::from_parts(parts, ())).await?;
        // A response to HEAD, a 204 and a 304 have no content (RFC 9110 §6.4.1), whatever the
        // service's body holds: it is dropped unread, as hyper does on TCP.
        if is_head || no_content {
            drop(body);
            send.finish().await?;
            return Ok(());
        }
        let mut body = pin!(body);
        loop {
            let frame = match poll_fn(|cx| Pin::as_mut(&mut body).poll_frame(cx)).await {
                Some(frame) => frame.map_err(Into::into)?,
                None => break,
            };
            match frame.into_data() {
                Ok(mut data) => {
                    if data.has_remaining() {
                        if let Some(left) = &mut promised {
                            *left = left
                                .checked_sub(data.remaining() as u64)
                                .ok_or("the response body is longer than its content-length")?;
                        }
                        send.send_data(data.copy_to_bytes(data.remaining())).await?;
                        activity.wrote_bytes();
                    }
                }
                Err(frame) => {
                    if let Ok(trailers) = frame.into_trailers() {
                        send.send_trailers(trailers).await?;
                    }
                }
            }
        }
        if promised.is_some_and(|left| left > 0) {
            return Err("the response body is shorter than its content-length".into());
        }
        send.finish().await?;
        Ok(())
    }
}
