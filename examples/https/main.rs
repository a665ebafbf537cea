//! HTTPS and HTTP/3 on one port number (TCP and UDP), with a self-signed certificate made at
//! start: `cargo run --release -p silent-tower-examples --example https`. It writes the
//! certificate to `silent-tower-https-example.pem` in the system's temporary directory; then
//!
//! - `curl --cacert <that file> https://localhost:3000/` answers over HTTP/2 (or HTTP/1.1) and
//!   its `alt-svc` header points at HTTP/3 (`curl -i` shows it), and
//! - `curl --http3-only --cacert <that file> https://localhost:3000/`, with a curl built with
//!   HTTP/3, answers over HTTP/3.
//!
//! Set `RUST_LOG=silent_tower::request=info` to see one log line per request.

use silent_tower::layers::RequestTimeLoggerLayer;
use silent_tower::serve;
use silent_tower_examples::{https, listen_addr, shutdown_signal};
use tower::Layer;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    silent_tower_examples::init_tracing();
    let certificate = https::self_signed()?;
    let cert_file = std::env::temp_dir().join("silent-tower-https-example.pem");
    std::fs::write(&cert_file, &certificate.cert_pem)?;

    let listener = tokio::net::TcpListener::bind(listen_addr()).await?;
    let addr = listener.local_addr()?;
    // The same port on UDP, where `Alt-Svc` sends HTTP/3 clients.
    let udp = std::net::UdpSocket::bind(addr)?;
    println!("listening on https://{addr} (TCP: HTTP/1.1 and HTTP/2; UDP: HTTP/3)");
    println!("certificate: {}", cert_file.display());

    let app = RequestTimeLoggerLayer::new().layer(https::app());
    serve(listener, app)
        .tls(certificate.tls)
        .http3(udp)
        .with_graceful_shutdown(shutdown_signal())
        .await
}
