//! silent-tower over HTTP/3: scenario A's router served by
//! `silent_tower::serve(..).tls(..).http3(..)` (TCP and UDP on the same port).

use silent_tower::serve::{RequestBody, TlsConfig};
use silent_tower_benches::ours;
use silent_tower_load::{runtime, tls_args};

fn main() {
    let args = tls_args();
    let tls = TlsConfig::from_pem_files(&args.cert, &args.key).expect("CERT_DIR");
    runtime().block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr).await.unwrap();
        let udp = std::net::UdpSocket::bind(args.addr).unwrap();
        silent_tower::serve(listener, ours::plaintext::<RequestBody>())
            .tls(tls)
            .http3(udp)
            .await
            .unwrap();
    });
}
