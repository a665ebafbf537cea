//! The accept loop and the task that serves one connection.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tower_service::Service;

use super::detection_deadline::DetectionDeadline;
use super::peer_addr::AddPeerAddr;
use super::{BoxError, Config};

/// How long to wait before accepting again after `accept` failed with an error that is not about
/// one connection (out of file descriptors, out of memory): retrying at once would spin.
const ACCEPT_RETRY_DELAY: Duration = Duration::from_secs(1);

pub(super) async fn accept_loop<S, B>(
    listener: TcpListener,
    service: S,
    signal: impl Future<Output = ()>,
    config: Config,
) -> io::Result<()>
where
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    // Built once and shared: every connection borrows it for its whole life.
    let builder = Arc::new(connection_builder(config));
    let connections = GracefulShutdown::new();
    let mut signal = pin!(signal);

    loop {
        let accepted = tokio::select! {
            biased;
            () = &mut signal => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer_addr)) => {
                let io = connection_io(stream, peer_addr, config);
                let builder = Arc::clone(&builder);
                let watcher = connections.watcher();
                if config.with_peer_addr {
                    let service = AddPeerAddr::new(service.clone(), peer_addr);
                    tokio::spawn(serve_connection(io, peer_addr, service, builder, watcher));
                } else {
                    let service = service.clone();
                    tokio::spawn(serve_connection(io, peer_addr, service, builder, watcher));
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
    tracing::debug!(
        target: "silent_tower::serve",
        connections = connections.count(),
        "shutting down: waiting for open connections",
    );
    connections.shutdown().await;
    Ok(())
}

fn connection_builder(config: Config) -> Builder<TokioExecutor> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout);
    // RFC 8441 extended CONNECT, which WebSocket over HTTP/2 needs.
    builder.http2().enable_connect_protocol();
    builder
}

/// Readies an accepted socket for hyper; the header read timeout's clock starts here.
fn connection_io(
    stream: TcpStream,
    peer_addr: SocketAddr,
    config: Config,
) -> TokioIo<DetectionDeadline<TcpStream>> {
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "set TCP_NODELAY failed");
    }
    TokioIo::new(DetectionDeadline::new(stream, config.header_read_timeout))
}

async fn serve_connection<S, B>(
    io: TokioIo<DetectionDeadline<TcpStream>>,
    peer_addr: SocketAddr,
    service: S,
    builder: Arc<Builder<TokioExecutor>>,
    watcher: Watcher,
) where
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Into<BoxError>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let detection_deadline = io.inner().deadline();
    let connection = builder.serve_connection_with_upgrades(io, TowerToHyperService::new(service));
    let mut connection = pin!(watcher.watch(connection));
    if let Some(deadline) = detection_deadline {
        // The IO fails a read that waits past its deadline, but only when polled: poll it then.
        tokio::select! {
            biased;
            result = &mut connection => return log_end(result, peer_addr),
            () = tokio::time::sleep_until(deadline) => {}
        }
    }
    log_end(connection.await, peer_addr);
}

fn log_end(result: Result<(), BoxError>, peer_addr: SocketAddr) {
    if let Err(error) = result {
        tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "connection error");
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
