//! HTTP/3: a QUIC endpoint (quinn) beside the TCP listener, serving the same service through h3.
//!
//! [`run`] starts both accept loops on one shutdown signal. The TCP loop is the ordinary one,
//! with the service wrapped so its requests carry a [`RequestBody`] and its responses advertise
//! HTTP/3 (`Alt-Svc`). The QUIC loop accepts connections with a quinn server configuration made
//! from the server's [`TlsConfig`] (ALPN `h3`), runs one task per connection that accepts
//! request streams, and one task per request (`h3_request`) that calls the service and streams
//! the response back: data frames as the body yields them, then trailers, then the end of the
//! stream. A request's task ends on its own; the connection counts them (`h3_tasks`), to wait for
//! them when it closes gracefully and to abort them when it is closed at once or lost.
//!
//! Shutdown: the endpoint stops accepting; each connection sends `GOAWAY`, lets the requests it
//! has accepted finish, then closes with `H3_NO_ERROR`. Because a QUIC close discards data not
//! yet acknowledged, a connection that was serving requests when the shutdown began waits a
//! little ([`CLOSE_LINGER`]) for the client to close first, so the last responses arrive whole.

use std::future::{poll_fn, Future};
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use quinn::crypto::rustls::QuicServerConfig;
use quinn::{Endpoint, EndpointConfig, IdleTimeout, TokioRuntime, TransportConfig, VarInt};
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_rustls::rustls;
use tower_service::Service;

use super::alt_svc::{alt_svc_value, AdvertiseHttp3};
use super::body::RequestBody;
use super::connection::{self, drain};
use super::deadlines::{after, Deadlines, Verdict};
use super::h3_bound::BoundedConnection;
use super::h3_request::serve_request;
use super::h3_tasks::RequestTasks;
use super::peer_addr::AddPeerAddr;
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

/// How long a connection's GOAWAY may wait for room on its control stream.
const GOAWAY_TIMEOUT: Duration = Duration::from_secs(1);

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
    // Its own, though TCP's loop wakes the same connections: whichever loop is dropped last,
    // the QUIC connections are woken after their own channel has closed.
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
        // Each stream times its own head (`h3_request`): the connection times none.
        activity.mark_multiplexed();
        let mut requests = RequestTasks::new();
        let mut closing = false;
        let mut accepting = true;
        let mut linger = false;
        // The idle check's timer is TCP's (see `deadlines`): polled with the connection's
        // activity as its waker, so that it sets a flag when it fires, and is not polled at
        // every pass of the loop.
        let mut deadlines = Deadlines::new(&activity, None, self.config.idle_timeout);
        let mut timer = pin!(tokio::time::sleep_until(after(Duration::ZERO)));
        deadlines.arm(timer.as_mut(), &activity);
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
                    match signal {
                        Signal::Evicted => {
                            tracing::debug!(target: "silent_tower::serve", %peer_addr, "closed to make room");
                            return force_close(&quic, requests);
                        }
                        Signal::Phase => match read_phase(&mut self.shutdown) {
                            Phase::Closing => {
                                tracing::debug!(target: "silent_tower::serve", %peer_addr, "closed at the end of the shutdown grace");
                                return force_close(&quic, requests);
                            }
                            Phase::Draining if !closing => {
                                closing = true;
                                linger = !requests.is_empty();
                                // GOAWAY: the requests accepted so far finish, later ones are
                                // refused.
                                if !goaway(&mut h3, peer_addr).await {
                                    break;
                                }
                            }
                            Phase::Draining | Phase::Serving => {}
                        },
                        // QUIC's own idle timeout never fires while the client sends keep-alive
                        // PINGs: as on TCP, only requests count.
                        Signal::Timer => {
                            match deadlines.fire(&activity, closing, Instant::now()) {
                                Verdict::Carry => {}
                                Verdict::CloseGracefully(why) => {
                                    tracing::debug!(target: "silent_tower::serve", %peer_addr, "{why}");
                                    closing = true;
                                    linger |= !requests.is_empty();
                                    if !goaway(&mut h3, peer_addr).await {
                                        break;
                                    }
                                }
                                Verdict::Close(why) => {
                                    tracing::debug!(target: "silent_tower::serve", %peer_addr, "{why}");
                                    return force_close(&quic, requests);
                                }
                            }
                            deadlines.arm(timer.as_mut(), &activity);
                        }
                    }
                }
                // A request's task ends on its own, without waking this one (see
                // `RequestTasks`): the connection waits for none to run only while closing, or
                // to let go of the ended tasks' memory after a burst.
                () = requests.all_ended(), if closing || requests.holds_many() => requests.let_go(),
                accepted = h3.accept(), if accepting => match accepted {
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
                    // The client sent GOAWAY and every request stream has ended (h3 says so
                    // only then): the last tasks finish, still bounded by the server's
                    // signals, and the close waits for the last responses to be acknowledged.
                    Ok(None) => {
                        closing = true;
                        accepting = false;
                        linger = true;
                    }
                    Err(error) => {
                        if !error.is_h3_no_error() {
                            tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "HTTP/3 connection error");
                        }
                        // The connection is gone: no response can be sent.
                        break;
                    }
                },
            }
        }
        // Only a broken connection leaves the loop with requests running: they are aborted
        // as `requests` is dropped, as hyper drops a lost connection's requests.
        drop(requests);
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

/// Sends GOAWAY: the requests accepted so far finish, later ones are refused. `false` if it
/// failed, or could not be sent within [`GOAWAY_TIMEOUT`] (a client that gives the control
/// stream no room would otherwise hold this connection's loop, deaf to eviction and to the end
/// of the shutdown grace): the connection is then closed.
async fn goaway(
    h3: &mut h3::server::Connection<BoundedConnection, Bytes>,
    peer_addr: SocketAddr,
) -> bool {
    match tokio::time::timeout(GOAWAY_TIMEOUT, h3.shutdown(0)).await {
        Ok(Ok(())) => true,
        Ok(Err(error)) => {
            tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "HTTP/3 GOAWAY failed");
            false
        }
        Err(_) => {
            tracing::debug!(target: "silent_tower::serve", %peer_addr, "HTTP/3 GOAWAY not sent in time");
            false
        }
    }
}

/// Closes a QUIC connection at once, ending the requests it was serving without a response.
fn force_close(quic: &quinn::Connection, requests: RequestTasks) {
    drop(requests); // aborts their tasks
    quic.close(VarInt::from_u32(H3_NO_ERROR), b"");
}
