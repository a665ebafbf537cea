//! One router over HTTPS (HTTP/1.1 and HTTP/2 on TCP) and HTTP/3 (QUIC on UDP), with a
//! self-signed certificate made at start.
//!
//! The router's body type is [`RequestBody`]: hyper's body for TCP requests, h3's for QUIC
//! ones, so that the same routes answer both. `GET /` says which protocol carried the request;
//! `POST /echo` sends the request body back as it arrives.

use std::io;

use silent_tower::serve::rustls::pki_types::CertificateDer;
use silent_tower::serve::{RequestBody, TlsConfig};
use silent_tower::{get, post, Body, Request, Router};

/// `GET /`: `Hello, World! (HTTP/3.0)`, or whichever version the request came in.
pub async fn hello(request: Request<RequestBody>) -> String {
    format!("Hello, World! ({:?})", request.version())
}

/// `POST /echo`: the request body, streamed back (trailers too).
pub async fn echo(request: Request<RequestBody>) -> Body {
    Body::new(request.into_body())
}

/// The https app.
pub fn app() -> Router<(), RequestBody> {
    Router::<(), RequestBody>::with_body()
        .route("/", get(hello))
        .route("/echo", post(echo))
}

/// A certificate for `localhost`, `127.0.0.1` and `::1`, signed by itself.
pub struct SelfSigned {
    /// The server's configuration: the certificate and its key.
    pub tls: TlsConfig,
    /// The certificate in PEM, for a client to trust (`curl --cacert`).
    pub cert_pem: String,
    /// The certificate in DER, for a rustls client's root store.
    pub cert_der: CertificateDer<'static>,
}

/// Makes a new key and a certificate for it; each run of the example has its own.
pub fn self_signed() -> io::Result<SelfSigned> {
    let names = ["localhost", "127.0.0.1", "::1"].map(String::from).to_vec();
    let certified = rcgen::generate_simple_self_signed(names).map_err(io::Error::other)?;
    let cert_pem = certified.cert.pem();
    let tls = TlsConfig::from_pem(
        cert_pem.as_bytes(),
        certified.signing_key.serialize_pem().as_bytes(),
    )?;
    Ok(SelfSigned {
        tls,
        cert_pem,
        cert_der: certified.cert.der().clone(),
    })
}
