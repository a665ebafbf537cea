//! The https example served on real sockets: a hyper client over rustls on TCP, and an h3
//! client over QUIC on UDP, ask the same router.

use std::future::{poll_fn, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::{Buf, Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use silent_tower::http::{header, Request, StatusCode, Version};
use silent_tower::serve::rustls::pki_types::{CertificateDer, ServerName};
use silent_tower::serve::rustls::{self, ClientConfig, RootCertStore};
use silent_tower_examples::https;

struct Started {
    addr: SocketAddr,
    cert: CertificateDer<'static>,
}

/// Serves the example as its binary does: TCP and UDP on one port number.
async fn start() -> Started {
    let certificate = https::self_signed().unwrap();
    // The UDP port is chosen first, then TCP is bound to the same number; another process may
    // hold that TCP port, so try a few.
    for _ in 0..20 {
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = udp.local_addr().unwrap();
        let Ok(listener) = tokio::net::TcpListener::bind(addr).await else {
            continue;
        };
        let server = silent_tower::serve(listener, https::app())
            .tls(certificate.tls)
            .http3(udp);
        tokio::spawn(server.into_future());
        return Started {
            addr,
            cert: certificate.cert_der,
        };
    }
    panic!("no port free on both TCP and UDP");
}

fn client_tls(cert: &CertificateDer<'static>, alpn: &[u8]) -> ClientConfig {
    let mut roots = RootCertStore::empty();
    roots.add(cert.clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![alpn.to_vec()];
    config
}

#[tokio::test]
async fn https_answers_with_alt_svc_pointing_at_http3() {
    let started = start().await;
    let connector =
        tokio_rustls::TlsConnector::from(Arc::new(client_tls(&started.cert, b"http/1.1")));
    let tcp = tokio::net::TcpStream::connect(started.addr).await.unwrap();
    let stream = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);

    let response = sender
        .send_request(
            Request::get("/")
                .header(header::HOST, "localhost")
                .body(Full::new(Bytes::new()))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::ALT_SVC],
        format!("h3=\":{}\"; ma=86400", started.addr.port()).as_str()
    );
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "Hello, World! (HTTP/1.1)");
}

#[tokio::test]
async fn http3_answers_on_the_same_port_number() {
    let started = start().await;
    let quic_tls =
        quinn::crypto::rustls::QuicClientConfig::try_from(client_tls(&started.cert, b"h3"))
            .unwrap();
    let mut endpoint = quinn::Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap();
    endpoint.set_default_client_config(quinn::ClientConfig::new(Arc::new(quic_tls)));
    let connection = endpoint
        .connect(started.addr, "localhost")
        .unwrap()
        .await
        .unwrap();
    let (mut driver, mut sender) = h3::client::new(h3_quinn::Connection::new(connection))
        .await
        .unwrap();
    tokio::spawn(async move { poll_fn(|cx| driver.poll_close(cx)).await });

    let request = Request::get("https://localhost/").body(()).unwrap();
    let mut stream = sender.send_request(request).await.unwrap();
    stream.finish().await.unwrap();
    let response = stream.recv_response().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.version(), Version::HTTP_3);
    let mut body = BytesMut::new();
    while let Some(mut data) = stream.recv_data().await.unwrap() {
        body.extend_from_slice(&data.copy_to_bytes(data.remaining()));
    }
    assert_eq!(body, "Hello, World! (HTTP/3.0)");

    let request = Request::post("https://localhost/echo").body(()).unwrap();
    let mut stream = sender.send_request(request).await.unwrap();
    stream
        .send_data(Bytes::from_static(b"over QUIC"))
        .await
        .unwrap();
    stream.finish().await.unwrap();
    let response = stream.recv_response().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = BytesMut::new();
    while let Some(mut data) = stream.recv_data().await.unwrap() {
        body.extend_from_slice(&data.copy_to_bytes(data.remaining()));
    }
    assert_eq!(body, "over QUIC");
}
