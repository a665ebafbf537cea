//! The apps behind the runnable examples, kept in a library so that tests can serve them too.
//!
//! Each example binary in this crate binds a listener and serves one of these apps; the tests in
//! `examples/tests/` serve the same apps on `127.0.0.1:0` and talk to them with a real client.

pub mod cors;
pub mod grpc;
pub mod hello_world;
pub mod https;
pub mod openapi;
pub mod sessions;
pub mod static_files;
pub mod templates;
pub mod todo_api;
pub mod upload;
pub mod websocket_chat;

use std::net::SocketAddr;

/// The address an example listens on: `$ADDR`, else `127.0.0.1:$PORT`, else `127.0.0.1:3000`.
pub fn listen_addr() -> SocketAddr {
    if let Ok(addr) = std::env::var("ADDR") {
        return addr
            .parse()
            .unwrap_or_else(|err| panic!("ADDR={addr:?} is not a socket address: {err}"));
    }
    let port = match std::env::var("PORT") {
        Ok(port) => port
            .parse()
            .unwrap_or_else(|err| panic!("PORT={port:?} is not a port number: {err}")),
        Err(_) => 3000,
    };
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// Logs to stderr, filtered by `RUST_LOG` (default `silent_tower=warn`; try
/// `RUST_LOG=silent_tower::request=info` for one line per request).
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "silent_tower=warn".into()),
        )
        .init();
}

/// Resolves when the process receives Ctrl-C (or SIGTERM on Unix), for graceful shutdown.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
