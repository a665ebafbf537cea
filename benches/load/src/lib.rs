//! What the load servers share: the arguments, one current-thread runtime, the TLS settings.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The scenario and port a server is started with: `server-x SCENARIO PORT`.
pub struct Args {
    /// `A` (plaintext), `B` (param + query → JSON), `C-static`, `C-param`.
    pub scenario: String,
    /// Where to listen, on loopback.
    pub addr: SocketAddr,
}

/// Reads `SCENARIO PORT` from the command line.
pub fn args() -> Args {
    let mut args = std::env::args().skip(1);
    let scenario = args.next().expect("usage: server SCENARIO PORT");
    let port: u16 = args
        .next()
        .and_then(|port| port.parse().ok())
        .expect("usage: server SCENARIO PORT");
    Args {
        scenario,
        addr: ([127, 0, 0, 1], port).into(),
    }
}

/// One thread serves everything: the load test pins the server to one core.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime")
}

/// Says which scenario is unknown and exits.
pub fn unknown(scenario: &str) -> ! {
    eprintln!("unknown scenario {scenario:?}: A, B, C-static or C-param");
    std::process::exit(2)
}

/// The TLS and HTTP/3 servers' arguments: `server PORT CERT_DIR`.
pub struct TlsArgs {
    /// Where to listen, on loopback (TCP, and UDP for HTTP/3).
    pub addr: SocketAddr,
    /// `CERT_DIR/cert.pem`, written by `tls-cert`.
    pub cert: PathBuf,
    /// `CERT_DIR/key.pem`, written by `tls-cert`.
    pub key: PathBuf,
}

/// Reads `PORT CERT_DIR` from the command line.
pub fn tls_args() -> TlsArgs {
    let mut args = std::env::args().skip(1);
    let usage = "usage: server PORT CERT_DIR";
    let port: u16 = args.next().and_then(|port| port.parse().ok()).expect(usage);
    let dir = PathBuf::from(args.next().expect(usage));
    TlsArgs {
        addr: ([127, 0, 0, 1], port).into(),
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    }
}

/// A rustls server configuration on the `ring` provider with the certificate and key of `args`
/// and the ALPN protocols `alpn`: the settings silent-tower's `TlsConfig::from_pem_files` makes
/// (safe default protocol versions, no client authentication), for the peers.
pub fn server_config(args: &TlsArgs, alpn: &[&[u8]]) -> rustls::ServerConfig {
    let chain = CertificateDer::pem_file_iter(&args.cert)
        .expect("CERT_DIR/cert.pem")
        .collect::<Result<Vec<_>, _>>()
        .expect("a PEM certificate");
    let key = PrivateKeyDer::from_pem_file(&args.key).expect("CERT_DIR/key.pem");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS 1.2 and 1.3")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("a certificate and its key");
    config.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
    config
}

/// Serves TLS on `args.addr` for ever, on one current-thread runtime: each accepted connection
/// (`TCP_NODELAY`) has its handshake completed (ALPN `h2`, then `http/1.1`) in a task of its own,
/// then `serve` is given the stream and whether ALPN agreed on `h2`. The loop of `tls-router` and
/// `tls-hyper-util`; `tls-bare`, the limit they are held to, spells the same loop out.
pub fn serve_tls<F, Fut>(args: &TlsArgs, serve: F)
where
    F: Fn(tokio_rustls::server::TlsStream<tokio::net::TcpStream>, bool) -> Fut
        + Clone
        + Send
        + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let acceptor =
        tokio_rustls::TlsAcceptor::from(Arc::new(server_config(args, &[b"h2", b"http/1.1"])));
    runtime().block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr).await.unwrap();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let acceptor = acceptor.clone();
            let serve = serve.clone();
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(stream).await else {
                    return;
                };
                let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
                serve(stream, h2).await;
            });
        }
    });
}
