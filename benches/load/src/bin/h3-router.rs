//! silent-tower's router on bare HTTP/3: `h3-bare`'s quinn endpoint and h3 loop (a task per
//! connection, a task per request), with the router answering each request instead of a
//! hand-written response, and without `serve`: what the router costs over HTTP/3 apart from
//! `serve`'s protections. The request's body is left unread, as `h3-bare` leaves it (scenario A
//! is `GET /`); the response's head gets the `content-length` its body's size gives, as `serve`
//! sends it.

use std::sync::Arc;

use bytes::{Buf, Bytes};
use http::header::{HeaderValue, CONTENT_LENGTH};
use http::Request;
use http_body_util::{BodyExt, Empty};
use hyper::body::Body as _;
use quinn::crypto::rustls::QuicServerConfig;
use silent_tower_benches::ours::{self, App};
use silent_tower_load::{runtime, server_config, tls_args};
use tower::ServiceExt;

type Resolver = h3::server::RequestResolver<h3_quinn::Connection, Bytes>;

fn main() {
    let args = tls_args();
    let tls = Arc::new(server_config(&args, &[b"h3"]));
    let crypto = QuicServerConfig::try_from(tls).expect("a TLS 1.3 configuration");
    let config = quinn::ServerConfig::with_crypto(Arc::new(crypto));
    let app = ours::plaintext::<Empty<Bytes>>();
    runtime().block_on(async {
        let endpoint = quinn::Endpoint::server(config, args.addr).unwrap();
        while let Some(incoming) = endpoint.accept().await {
            tokio::spawn(connection(incoming, app.clone()));
        }
    });
}

async fn connection<A: App<Empty<Bytes>, Future: Send>>(incoming: quinn::Incoming, app: A) {
    let Ok(quic) = incoming.await else { return };
    let Ok(mut h3) = h3::server::Connection::<_, Bytes>::new(h3_quinn::Connection::new(quic)).await
    else {
        return;
    };
    while let Ok(Some(resolver)) = h3.accept().await {
        tokio::spawn(request(resolver, app.clone()));
    }
}

async fn request<A: App<Empty<Bytes>>>(resolver: Resolver, app: A) {
    let Ok((head, mut stream)) = resolver.resolve_request().await else {
        return;
    };
    let (parts, ()) = head.into_parts();
    let Ok(response) = app.oneshot(Request::from_parts(parts, Empty::new())).await;
    let (mut parts, mut body) = response.into_parts();
    if let Some(length) = body.size_hint().exact() {
        parts
            .headers
            .insert(CONTENT_LENGTH, HeaderValue::from(length));
    }
    if stream
        .send_response(http::Response::from_parts(parts, ()))
        .await
        .is_err()
    {
        return;
    }
    while let Some(Ok(frame)) = body.frame().await {
        if let Ok(mut data) = frame.into_data() {
            let data = data.copy_to_bytes(data.remaining());
            if stream.send_data(data).await.is_err() {
                return;
            }
        }
    }
    let _ = stream.finish().await;
}
