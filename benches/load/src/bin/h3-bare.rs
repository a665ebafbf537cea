//! Bare HTTP/3: a quinn endpoint and h3 with nothing in between. One task per connection
//! accepts requests, one task per request reads its head and answers `Hello, World!` with the
//! headers silent-tower sends (`content-type`, `content-length`). The limit ours is held to.

use std::sync::Arc;

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use http::{Response, StatusCode};
use quinn::crypto::rustls::QuicServerConfig;
use silent_tower_benches::data::HELLO;
use silent_tower_load::{runtime, server_config, tls_args};

type Resolver = h3::server::RequestResolver<h3_quinn::Connection, Bytes>;

fn main() {
    let args = tls_args();
    let tls = Arc::new(server_config(&args, &[b"h3"]));
    let crypto = QuicServerConfig::try_from(tls).expect("a TLS 1.3 configuration");
    let config = quinn::ServerConfig::with_crypto(Arc::new(crypto));
    runtime().block_on(async {
        let endpoint = quinn::Endpoint::server(config, args.addr).unwrap();
        while let Some(incoming) = endpoint.accept().await {
            tokio::spawn(connection(incoming));
        }
    });
}

async fn connection(incoming: quinn::Incoming) {
    let Ok(quic) = incoming.await else { return };
    let Ok(mut h3) = h3::server::Connection::<_, Bytes>::new(h3_quinn::Connection::new(quic)).await
    else {
        return;
    };
    while let Ok(Some(resolver)) = h3.accept().await {
        tokio::spawn(request(resolver));
    }
}

async fn request(resolver: Resolver) {
    let Ok((_request, mut stream)) = resolver.resolve_request().await else {
        return;
    };
    let response = Response::builder()
        .status(StatusCode::OK)
        .header(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )
        .header(CONTENT_LENGTH, HeaderValue::from(HELLO.len()))
        .body(())
        .unwrap();
    if stream.send_response(response).await.is_err() {
        return;
    }
    if stream
        .send_data(Bytes::from_static(HELLO.as_bytes()))
        .await
        .is_err()
    {
        return;
    }
    let _ = stream.finish().await;
}
