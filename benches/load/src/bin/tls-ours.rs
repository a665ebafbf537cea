//! silent-tower over TLS: scenario A's router served by `silent_tower::serve(..).tls(..)`
//! (HTTP/1.1 or HTTP/2, as ALPN agrees).

use silent_tower::serve::TlsConfig;
use silent_tower_benches::ours;
use silent_tower_load::{runtime, tls_args};

fn main() {
    let args = tls_args();
    let tls = TlsConfig::from_pem_files(&args.cert, &args.key).expect("CERT_DIR");
    runtime().block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr).await.unwrap();
        silent_tower::serve(listener, ours::plaintext())
            .tls(tls)
            .await
            .unwrap();
    });
}
