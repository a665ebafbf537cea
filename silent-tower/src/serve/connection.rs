//! The accept loop and the task that serves one connection.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::Instant;
use tower_service::Service;

use super::deadlines::after;
use super::idle::Counted;
use super::in_flight::ServeRequests;
use super::peer_addr::AddPeerAddr;
use super::preface::PrefaceWatch;
use super::protocol::{Builders, Protocol};
use super::slots::{Refused, Slot, Slots};
#[cfg(feature = "tls")]
use super::transport::TlsSocket;
use super::transport::Transport;
use super::watch::{Phase, Watch};
use super::{BoxError, Config, Tls};

/// Ends a shutdown: waits for every connection (every holder of a receiver of `shutdown`) to
/// close, for at most `grace`, then tells the rest to close at once and waits for that.
pub(super) async fn drain(shutdown: &watch::Sender<Phase>, slots: &Slots, grace: Option<Duration>) {
    shutdown.send_replace(Phase::Draining);
    // Connections read the phase when woken (see `poll_signal`): wake them all.
    slots.wake_all();
    let drained = match grace {
        Some(grace) => tokio::time::timeout(grace, shutdown.closed()).await.is_ok(),
        None => {
            shutdown.closed().await;
            true
        }
    };
    if !drained {
        tracing::debug!(
            target: "silent_tower::serve",
            connections = shutdown.receiver_count(),
            "shutdown grace over: closing the connections still open",
        );
        shutdown.send_replace(Phase::Closing);
        slots.wake_all();
        shutdown.closed().await;
    }
    // What is left are upgraded connections (WebSocket), which no task of ours drives: their IO
    // fails from now on, and a task parked on it is woken to see that.
    slots.evict_detached();
}

/// How long to wait before accepting again after `accept` failed with an error that is not about
/// one connection (out of file descriptors, out of memory): retrying at once would spin.
const ACCEPT_RETRY_DELAY: Duration = Duration::from_secs(1);

pub(super) async fn accept_loop<S, B>(
    listener: TcpListener,
    service: S,
    signal: impl Future<Output = ()>,
    config: Config,
    tls: Tls,
    slots: Arc<Slots>,
) -> io::Result<()>
where
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    // Built once and shared: every connection borrows them for its whole life.
    let builders = Arc::new(Builders::new(&config));
    let _wake_all_when_dropped = slots.wake_all_when_dropped();
    // Every connection holds a receiver: the server's shutdown is a send, and its end is when
    // the last receiver has been dropped.
    let (shutdown, shutdown_seen) = watch::channel(Phase::Serving);
    let mut signal = pin!(signal);

    loop {
        let accepted = tokio::select! {
            biased;
            () = &mut signal => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer_addr)) => {
                // At the cap this makes room (or waits for it) with the new client in hand.
                let slot = tokio::select! {
                    biased;
                    () = &mut signal => break,
                    slot = slots.admit(peer_addr.ip()) => slot,
                };
                let slot = match slot {
                    Ok(slot) => slot,
                    Err(Refused::PerIp) => {
                        tracing::debug!(target: "silent_tower::serve", %peer_addr, "max_connections_per_ip: refused");
                        continue;
                    }
                };
                let connection = Connection {
                    peer_addr,
                    builders: Arc::clone(&builders),
                    shutdown: shutdown_seen.clone(),
                    config,
                    slot,
                };
                if config.with_peer_addr {
                    let service = AddPeerAddr::new(service.clone(), peer_addr);
                    connection.spawn(stream, &tls, service);
                } else {
                    connection.spawn(stream, &tls, service.clone());
                }
            }
            Err(error) if is_about_one_connection(&error) => {
                tracing::debug!(target: "silent_tower::serve", %error, "accept failed");
            }
            Err(error) => {
                tracing::warn!(
                    target: "silent_tower::serve",
                    %error,
                    retry_in = ?ACCEPT_RETRY_DELAY,
                    "accept failed",
                );
                tokio::select! {
                    biased;
                    () = &mut signal => break,
                    () = tokio::time::sleep(ACCEPT_RETRY_DELAY) => {}
                }
            }
        }
    }

    // Closing the listener refuses new connections while the open ones finish.
    drop(listener);
    drop(shutdown_seen);
    tracing::debug!(
        target: "silent_tower::serve",
        connections = shutdown.receiver_count(),
        "shutting down: waiting for open connections",
    );
    drain(&shutdown, &slots, config.shutdown_grace).await;
    Ok(())
}

/// What the task serving one connection owns.
struct Connection {
    peer_addr: SocketAddr,
    builders: Arc<Builders>,
    /// Changes when the server shuts down.
    shutdown: watch::Receiver<Phase>,
    config: Config,
    /// Its place among [`Config::max_connections`], given back when its IO is dropped.
    slot: Slot,
}

impl Connection {
    /// Starts the task that serves the connection: over TLS, one that first completes the
    /// handshake; in the clear, the connection itself, with one `async` level fewer to pass
    /// through at each request.
    fn spawn<S, B>(self, stream: TcpStream, tls: &Tls, service: S)
    where
        S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
        S::Future: Send,
        S::Error: Into<BoxError>,
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        let deadline = self.accepted(&stream);
        #[cfg(feature = "tls")]
        if let Some(tls) = tls {
            tokio::spawn(self.serve_tls(stream, tls.clone(), deadline, service));
            return;
        }
        #[cfg(not(feature = "tls"))]
        let super::Tls = tls;
        tokio::spawn(self.serve(
            Transport::Plain(stream),
            Protocol::Detect,
            deadline,
            service,
        ));
    }

    /// Sets `TCP_NODELAY` and starts the header read timeout's clock, which covers a TLS
    /// handshake too: when the first request head is due.
    fn accepted(&self, stream: &TcpStream) -> Option<Instant> {
        if let Err(error) = stream.set_nodelay(true) {
            let peer_addr = self.peer_addr;
            tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "set TCP_NODELAY failed");
        }
        self.config.header_read_timeout.map(after)
    }

    #[cfg(feature = "tls")]
    async fn serve_tls<S, B>(
        self,
        stream: TcpStream,
        tls: super::TlsConfig,
        deadline: Option<Instant>,
        service: S,
    ) where
        S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
        S::Future: Send,
        S::Error: Into<BoxError>,
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        let Some(stream) = self.handshake(&tls, stream, deadline).await else {
            return;
        };
        let protocol = Protocol::from_alpn(stream.get_ref().1.alpn_protocol());
        let transport = Transport::Tls(Box::new(stream));
        self.serve(transport, protocol, deadline, service).await;
    }

    /// Completes the TLS handshake, or logs why not; `None` ends the connection.
    #[cfg(feature = "tls")]
    async fn handshake(
        &self,
        tls: &super::TlsConfig,
        stream: TcpStream,
        deadline: Option<Instant>,
    ) -> Option<tokio_rustls::server::TlsStream<TlsSocket>> {
        let peer_addr = self.peer_addr;
        let mut shutdown = self.shutdown.clone();
        let activity = Arc::clone(self.slot.activity());
        let accept = tokio_rustls::TlsAcceptor::from(tls.server_config()).accept(TlsSocket(stream));
        // Without a header read timeout, the idle timeout still bounds a stalled handshake.
        let deadline = deadline.or_else(|| self.config.idle_timeout.map(after));
        let handshake = async {
            match deadline {
                Some(deadline) => match tokio::time::timeout_at(deadline, accept).await {
                    Ok(result) => result,
                    Err(_) => Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "TLS handshake timed out",
                    )),
                },
                None => accept.await,
            }
        };
        tokio::select! {
            biased;
            // Not an HTTP connection yet: nothing to finish.
            _ = shutdown.changed() => None,
            () = activity.evicted() => None,
            result = handshake => match result {
                Ok(stream) => Some(stream),
                Err(error) => {
                    tracing::debug!(
                        target: "silent_tower::serve",
                        %peer_addr,
                        %error,
                        "TLS handshake failed",
                    );
                    None
                }
            },
        }
    }

    async fn serve<S, B>(
        self,
        io: Transport,
        protocol: Protocol,
        deadline: Option<Instant>,
        service: S,
    ) where
        S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
        S::Future: Send,
        S::Error: Into<BoxError>,
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        let Self {
            peer_addr,
            builders,
            shutdown,
            config,
            slot,
        } = self;
        let activity = Arc::clone(slot.activity());
        // Even with `h2` agreed by ALPN, the connection is timed until the preface is in: a client
        // that never sends it starts no request and is closed at the head deadline.
        let io = TokioIo::new(PrefaceWatch::new(
            Counted::new(io, slot),
            deadline.is_some(),
            Arc::clone(&activity),
        ));
        let service = ServeRequests::new(service, Arc::clone(&activity));
        let watch = Watch {
            peer_addr,
            shutdown,
            head_deadline: deadline.zip(config.header_read_timeout),
            idle_timeout: config.idle_timeout,
            activity,
        };
        #[cfg(feature = "http2")]
        {
            let connection = builders
                .get(protocol)
                .serve_connection_with_upgrades(io, service);
            watch.drive(connection, |c| c.graceful_shutdown()).await;
        }
        #[cfg(not(feature = "http2"))]
        {
            let _ = protocol;
            let connection = builders.http1.serve_connection(io, service).with_upgrades();
            watch.drive(connection, |c| c.graceful_shutdown()).await;
        }
    }
}

/// Errors that end the connection being accepted but say nothing about the listener.
fn is_about_one_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}
