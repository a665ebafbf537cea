//! The accept loop and the task that serves one connection.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tower_service::Service;

use super::detection_deadline::DetectionDeadline;
use super::idle::{Activity, Counted};
use super::peer_addr::AddPeerAddr;
use super::protocol::{Builders, Protocol};
use super::{BoxError, Config, Tls};

/// How long to wait before accepting again after `accept` failed with an error that is not about
/// one connection (out of file descriptors, out of memory): retrying at once would spin.
const ACCEPT_RETRY_DELAY: Duration = Duration::from_secs(1);

pub(super) async fn accept_loop<S, B>(
    listener: TcpListener,
    service: S,
    signal: impl Future<Output = ()>,
    config: Config,
    tls: Tls,
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
    // Every connection holds a receiver: the server's shutdown is a send, and its end is when
    // the last receiver has been dropped.
    let (shutdown, shutdown_seen) = watch::channel(());
    let permits = config
        .max_connections
        .map(|max| Arc::new(Semaphore::new(max)));
    let mut signal = pin!(signal);

    loop {
        // Back-pressure: at the limit, stop accepting; new clients wait in the listen backlog.
        let permit = match &permits {
            Some(permits) => tokio::select! {
                biased;
                () = &mut signal => break,
                permit = Arc::clone(permits).acquire_owned() => {
                    Some(permit.expect("the semaphore is never closed"))
                }
            },
            None => None,
        };
        let accepted = tokio::select! {
            biased;
            () = &mut signal => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer_addr)) => {
                let connection = Connection {
                    peer_addr,
                    builders: Arc::clone(&builders),
                    shutdown: shutdown_seen.clone(),
                    config,
                    _permit: permit,
                };
                let tls = tls.clone();
                if config.with_peer_addr {
                    let service = AddPeerAddr::new(service.clone(), peer_addr);
                    tokio::spawn(connection.run(stream, tls, service));
                } else {
                    tokio::spawn(connection.run(stream, tls, service.clone()));
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
    shutdown.send_replace(());
    tracing::debug!(
        target: "silent_tower::serve",
        connections = shutdown.receiver_count(),
        "shutting down: waiting for open connections",
    );
    shutdown.closed().await;
    Ok(())
}

/// What the task serving one connection owns.
struct Connection {
    peer_addr: SocketAddr,
    builders: Arc<Builders>,
    /// Changes when the server shuts down.
    shutdown: watch::Receiver<()>,
    config: Config,
    /// Holds one of [`Config::max_connections`] until the connection closes.
    _permit: Option<OwnedSemaphorePermit>,
}

impl Connection {
    async fn run<S, B>(self, stream: TcpStream, tls: Tls, service: S)
    where
        S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
        S::Future: Send,
        S::Error: Into<BoxError>,
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        if let Err(error) = stream.set_nodelay(true) {
            let peer_addr = self.peer_addr;
            tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "set TCP_NODELAY failed");
        }
        // The header read timeout's clock starts at accept, and covers a TLS handshake too.
        let deadline = self
            .config
            .header_read_timeout
            .map(|timeout| Instant::now() + timeout);
        #[cfg(feature = "tls")]
        if let Some(tls) = tls {
            let Some(stream) = self.handshake(&tls, stream, deadline).await else {
                return;
            };
            let protocol = Protocol::from_alpn(stream.get_ref().1.alpn_protocol());
            return self.serve(stream, protocol, deadline, service).await;
        }
        #[cfg(not(feature = "tls"))]
        let super::Tls = tls;
        self.serve(stream, Protocol::Detect, deadline, service)
            .await;
    }

    /// Completes the TLS handshake, or logs why not; `None` ends the connection.
    #[cfg(feature = "tls")]
    async fn handshake(
        &self,
        tls: &super::TlsConfig,
        stream: TcpStream,
        deadline: Option<Instant>,
    ) -> Option<tokio_rustls::server::TlsStream<TcpStream>> {
        let peer_addr = self.peer_addr;
        let mut shutdown = self.shutdown.clone();
        let accept = tokio_rustls::TlsAcceptor::from(tls.server_config()).accept(stream);
        // Without a header read timeout, the idle timeout still bounds a stalled handshake.
        let deadline = deadline.or_else(|| {
            self.config
                .idle_timeout
                .map(|timeout| Instant::now() + timeout)
        });
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

    async fn serve<I, S, B>(self, io: I, protocol: Protocol, deadline: Option<Instant>, service: S)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
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
            _permit,
        } = self;
        let idle = config
            .idle_timeout
            .map(|timeout| (timeout, Activity::default()));
        let activity = idle.as_ref().map(|(_, activity)| activity.clone());
        let io = TokioIo::new(DetectionDeadline::new(Counted::new(io, activity), deadline));
        let service = TowerToHyperService::new(service);
        let watch = Watch {
            peer_addr,
            shutdown,
            detection_deadline: deadline,
            idle,
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

/// What runs beside a connection: the server's shutdown, the protocol detection deadline and
/// the idle timeout.
struct Watch {
    peer_addr: SocketAddr,
    shutdown: watch::Receiver<()>,
    detection_deadline: Option<Instant>,
    idle: Option<(Duration, Activity)>,
}

impl Watch {
    async fn drive<C, E>(mut self, connection: C, graceful_shutdown: impl Fn(Pin<&mut C>))
    where
        C: Future<Output = Result<(), E>>,
        E: fmt::Display,
    {
        let peer_addr = self.peer_addr;
        let mut connection = pin!(connection);
        let mut closing = false;
        let mut idle_check = self
            .idle
            .as_ref()
            .map(|(timeout, _)| Instant::now() + *timeout);
        let mut last_count = 0;
        let result = loop {
            tokio::select! {
                biased;
                result = &mut connection => break result,
                _ = self.shutdown.changed(), if !closing => {
                    closing = true;
                    graceful_shutdown(connection.as_mut());
                }
                // The IO fails a read that waits past its deadline, but only when polled: poll
                // it once more then.
                () = sleep_until(self.detection_deadline) => self.detection_deadline = None,
                () = sleep_until(idle_check), if !closing => {
                    let (timeout, activity) = self.idle.as_ref().expect("idle_check is set");
                    let count = activity.count();
                    if count == last_count {
                        tracing::debug!(target: "silent_tower::serve", %peer_addr, "idle timeout");
                        closing = true;
                        graceful_shutdown(connection.as_mut());
                    } else {
                        last_count = count;
                        idle_check = Some(Instant::now() + *timeout);
                    }
                }
            }
        };
        if let Err(error) = result {
            tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "connection error");
        }
    }
}

/// Sleeps until `deadline`, or forever.
async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
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
