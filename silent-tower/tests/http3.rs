//! `serve(..).tls(..).http3(..)` over real sockets on 127.0.0.1: an h3 client (h3 + quinn) over
//! loopback UDP and a hyper client over TLS on TCP, both against one router, with a self-signed
//! certificate made by each test.
#![cfg(feature = "http3")]

use std::future::{poll_fn, IntoFuture};
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::sync::Arc;
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use http::{HeaderMap, HeaderValue, Request, StatusCode, Version};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use silent_tower::serve::rustls::pki_types::pem::PemObject;
use silent_tower::serve::rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use silent_tower::serve::rustls::{self, ClientConfig, RootCertStore};
use silent_tower::serve::{PeerAddr, RequestBody, TlsConfig};
use silent_tower::{get, post, Body, RequestExt, Router, Serve};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, Semaphore};
use tokio::task::JoinHandle;

/// Upper bound for anything that should happen at once; never the thing a test measures.
const GENEROUS: Duration = Duration::from_secs(10);

type SendRequest = h3::client::SendRequest<h3_quinn::OpenStreams, Bytes>;

/// A self-signed certificate for `localhost`: PEM for the server, DER for the client's roots.
struct Identity {
    cert_pem: String,
    key_pem: String,
    cert_der: CertificateDer<'static>,
}

fn new_identity() -> Identity {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    Identity {
        cert_pem: certified.cert.pem(),
        key_pem: certified.signing_key.serialize_pem(),
        cert_der: certified.cert.der().clone(),
    }
}

/// A server configuration and the certificate a client must trust for it.
fn identity() -> (TlsConfig, CertificateDer<'static>) {
    let identity = new_identity();
    let tls =
        TlsConfig::from_pem(identity.cert_pem.as_bytes(), identity.key_pem.as_bytes()).unwrap();
    (tls, identity.cert_der)
}

fn client_tls(trusted: &CertificateDer<'static>, alpn: &[u8]) -> ClientConfig {
    let mut roots = RootCertStore::empty();
    roots.add(trusted.clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![alpn.to_vec()];
    config
}

/// What the slow route is told and waits for.
#[derive(Clone)]
struct Gate {
    arrived: mpsc::UnboundedSender<()>,
    open: Arc<Semaphore>,
}

/// The bytes the slow route answers with: large enough to span many QUIC packets.
fn slow_body() -> Bytes {
    Bytes::from(
        (0..256 * 1024)
            .map(|i| (i % 251) as u8)
            .collect::<Vec<u8>>(),
    )
}

fn app(gate: Gate) -> Router<(), RequestBody> {
    Router::<(), RequestBody>::with_body()
        .route("/", get(|| async { "hello" }))
        .route(
            "/connection-fields",
            get(|| async {
                (
                    [
                        ("connection", "close"),
                        ("keep-alive", "timeout=5"),
                        ("proxy-connection", "keep-alive"),
                        ("upgrade", "h2c"),
                        ("x-kept", "1"),
                    ],
                    "fields",
                )
            }),
        )
        .route(
            "/peer",
            get(|request: silent_tower::Request<RequestBody>| async move {
                match request.extensions().get::<PeerAddr>() {
                    Some(peer) => peer.0.to_string(),
                    None => "none".to_owned(),
                }
            }),
        )
        .route(
            "/protocol",
            get(|request: silent_tower::Request<RequestBody>| async move {
                format!(
                    "{:?} http3={}",
                    request.version(),
                    request.body().is_http3()
                )
            }),
        )
        .route(
            "/n/<n:u32>",
            get(|request: silent_tower::Request<RequestBody>| async move {
                let n: u32 = request.param("n").unwrap();
                format!("n={n}")
            }),
        )
        .route(
            // Read whole by the `Bytes` extractor (and its default limit), then sent back.
            "/echo",
            post(|body: Bytes| async move { body }),
        )
        .route(
            // The request body streamed straight back: data and trailers.
            "/stream",
            post(|request: silent_tower::Request<RequestBody>| async move {
                Body::new(request.into_body())
            }),
        )
        .route(
            // A `content-length` of 5 on a body of 16 bytes, then one of 50.
            "/lying-length/<length:u32>",
            get(|request: silent_tower::Request<RequestBody>| async move {
                let length: u32 = request.param("length").unwrap();
                let mut response = http::Response::new(Body::from("sixteen bytes!!!"));
                response
                    .headers_mut()
                    .insert("content-length", HeaderValue::from(length));
                response
            }),
        )
        .route(
            // Statuses that have no content, from a handler that gives them some anyway.
            "/no-content",
            get(|| async { (StatusCode::NO_CONTENT, "not empty") }),
        )
        .route(
            "/not-modified",
            get(|| async { (StatusCode::NOT_MODIFIED, "not empty") }),
        )
        .route(
            "/slow",
            get(move || {
                let gate = gate.clone();
                async move {
                    gate.arrived.send(()).unwrap();
                    let _permit = gate.open.acquire().await.unwrap();
                    slow_body()
                }
            }),
        )
}

struct Server {
    tls: TlsConfig,
    tcp: SocketAddr,
    udp: SocketAddr,
    cert: CertificateDer<'static>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
    arrived: mpsc::UnboundedReceiver<()>,
    open: Arc<Semaphore>,
}

impl Server {
    async fn start() -> Self {
        Self::start_with(false).await
    }

    async fn start_with(peer_addr: bool) -> Self {
        Self::start_configured(peer_addr, |s| s).await
    }

    /// A server with `configure` applied to its settings before `.http3(..)`.
    async fn start_configured(
        peer_addr: bool,
        configure: impl FnOnce(Serve<Router<(), RequestBody>>) -> Serve<Router<(), RequestBody>>,
    ) -> Self {
        let (tls, cert) = identity();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        let (tcp_addr, udp_addr) = (listener.local_addr().unwrap(), udp.local_addr().unwrap());
        let (arrived_tx, arrived) = mpsc::unbounded_channel();
        let open = Arc::new(Semaphore::new(0));
        let gate = Gate {
            arrived: arrived_tx,
            open: Arc::clone(&open),
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let server = configure(silent_tower::serve(listener, app(gate)))
            .tls(tls.clone())
            .http3(udp)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            });
        let server = if peer_addr {
            server.with_peer_addr()
        } else {
            server
        };
        Self {
            tls,
            tcp: tcp_addr,
            udp: udp_addr,
            cert,
            stop,
            task: tokio::spawn(server.into_future()),
            arrived,
            open,
        }
    }

    /// One HTTP/3 connection to the server; its driver runs on a task of its own.
    async fn connect(&self) -> (SendRequest, JoinHandle<h3::error::ConnectionError>) {
        self.connect_trusting(&self.cert).await.unwrap()
    }

    /// Like [`connect`](Self::connect), and the QUIC connection under it, for raw streams.
    async fn connect_raw(
        &self,
    ) -> (
        quinn::Connection,
        SendRequest,
        JoinHandle<h3::error::ConnectionError>,
    ) {
        let endpoint = client_endpoint(&self.cert);
        let connection =
            tokio::time::timeout(GENEROUS, endpoint.connect(self.udp, "localhost").unwrap())
                .await
                .expect("the QUIC handshake ends")
                .unwrap();
        let (mut driver, send_request) =
            h3::client::new(h3_quinn::Connection::new(connection.clone()))
                .await
                .unwrap();
        let driver = tokio::spawn(async move { poll_fn(|cx| driver.poll_close(cx)).await });
        (connection, send_request, driver)
    }

    /// Like [`connect`](Self::connect), trusting `cert` only; fails when the handshake does.
    async fn connect_trusting(
        &self,
        cert: &CertificateDer<'static>,
    ) -> Result<(SendRequest, JoinHandle<h3::error::ConnectionError>), quinn::ConnectionError> {
        let endpoint = client_endpoint(cert);
        let connection =
            tokio::time::timeout(GENEROUS, endpoint.connect(self.udp, "localhost").unwrap())
                .await
                .expect("the QUIC handshake ends")?;
        let (mut driver, send_request) = h3::client::new(h3_quinn::Connection::new(connection))
            .await
            .unwrap();
        let driver = tokio::spawn(async move { poll_fn(|cx| driver.poll_close(cx)).await });
        Ok((send_request, driver))
    }
}

/// A QUIC client on 127.0.0.1 that trusts `cert` only and offers ALPN `h3`.
fn client_endpoint(cert: &CertificateDer<'static>) -> quinn::Endpoint {
    let tls = client_tls(cert, b"h3");
    let quic_tls = quinn::crypto::rustls::QuicClientConfig::try_from(tls).unwrap();
    let mut endpoint = quinn::Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap();
    endpoint.set_default_client_config(quinn::ClientConfig::new(Arc::new(quic_tls)));
    endpoint
}

/// A response's status, headers, data and trailers, read to the end.
struct Received {
    status: StatusCode,
    version: Version,
    headers: HeaderMap,
    body: Bytes,
    trailers: Option<HeaderMap>,
}

/// Sends `request` with `body` (in chunks of 16 KiB) and `trailers`, and reads the response.
async fn send(
    sender: &mut SendRequest,
    request: Request<()>,
    body: &[u8],
    trailers: Option<HeaderMap>,
) -> Result<Received, h3::error::StreamError> {
    let mut stream = sender.send_request(request).await?;
    for chunk in body.chunks(16 * 1024) {
        stream.send_data(Bytes::copy_from_slice(chunk)).await?;
    }
    if let Some(trailers) = trailers {
        stream.send_trailers(trailers).await?;
    }
    stream.finish().await?;
    let response = stream.recv_response().await?;
    let mut received = BytesMut::new();
    while let Some(mut data) = stream.recv_data().await? {
        while data.has_remaining() {
            let chunk = data.chunk();
            received.extend_from_slice(chunk);
            let length = chunk.len();
            data.advance(length);
        }
    }
    let trailers = stream.recv_trailers().await?;
    Ok(Received {
        status: response.status(),
        version: response.version(),
        headers: response.headers().clone(),
        body: received.freeze(),
        trailers,
    })
}

fn request(method: &str, path: &str) -> Request<()> {
    Request::builder()
        .method(method)
        .uri(format!("https://localhost{path}"))
        .body(())
        .unwrap()
}

/// FNV-1a, 64 bits: a checksum that notices reordered or altered bytes.
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// 1 MiB that is not one byte repeated.
fn mebibyte() -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..1024 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

#[tokio::test]
async fn get_is_answered_over_http3() {
    let server = Server::start().await;
    let (mut sender, _driver) = server.connect().await;

    let response = send(&mut sender, request("GET", "/"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.version, Version::HTTP_3);
    assert_eq!(response.body, "hello");
    assert_eq!(response.headers["content-length"], "5");
    // Alt-Svc is for TCP responses: over HTTP/3 the client is already there.
    assert!(response.headers.get("alt-svc").is_none());

    let response = send(&mut sender, request("GET", "/protocol"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.body, "HTTP/3.0 http3=true");

    let response = send(&mut sender, request("GET", "/missing"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_post_of_one_mebibyte_is_echoed_whole() {
    let server = Server::start().await;
    let (mut sender, _driver) = server.connect().await;
    let sent = mebibyte();

    let response = send(&mut sender, request("POST", "/echo"), &sent, None)
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body.len(), 1024 * 1024);
    assert_eq!(checksum(&response.body), checksum(&sent));
    assert_eq!(response.trailers, None);
}

#[tokio::test]
async fn bodies_stream_both_ways_and_trailers_pass_through() {
    let server = Server::start().await;
    let (mut sender, _driver) = server.connect().await;
    let sent = mebibyte();
    let mut trailers = HeaderMap::new();
    trailers.insert("x-checksum", HeaderValue::from(checksum(&sent)));

    let response = send(
        &mut sender,
        request("POST", "/stream"),
        &sent,
        Some(trailers.clone()),
    )
    .await
    .unwrap();
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body.len(), sent.len());
    assert_eq!(checksum(&response.body), checksum(&sent));
    assert_eq!(response.trailers, Some(trailers));
}

#[tokio::test]
async fn a_hundred_concurrent_streams_on_one_connection_are_all_answered() {
    let server = Server::start().await;
    let (sender, _driver) = server.connect().await;

    let requests = (0..100u32).map(|n| {
        let mut sender = sender.clone();
        tokio::spawn(async move {
            let response = send(&mut sender, request("GET", &format!("/n/{n}")), b"", None)
                .await
                .unwrap();
            (n, response.status, response.body)
        })
    });
    let requests: Vec<_> = requests.collect();
    let mut answered = 0;
    for request in requests {
        let (n, status, body) = tokio::time::timeout(GENEROUS, request)
            .await
            .expect("every request is answered")
            .unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, format!("n={n}"));
        answered += 1;
    }
    assert_eq!(answered, 100);
}

#[tokio::test]
async fn a_slow_upload_is_activity_for_the_idle_timeout() {
    // 2 KiB every 50 ms for 1.5 s: seven idle timeouts, each with 8 KiB read. Before bytes on
    // HTTP/3 streams counted, the connection was closed two timeouts in, mid-upload.
    let server =
        Server::start_configured(false, |s| s.idle_timeout(Duration::from_millis(200))).await;
    let (mut sender, _driver) = server.connect().await;
    let body = mebibyte()[..60 * 1024].to_vec();
    let mut stream = sender.send_request(request("POST", "/echo")).await.unwrap();
    for chunk in body.chunks(2048) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        stream
            .send_data(Bytes::copy_from_slice(chunk))
            .await
            .unwrap();
    }
    stream.finish().await.unwrap();
    let response = stream.recv_response().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut received = BytesMut::new();
    while let Some(mut data) = stream.recv_data().await.unwrap() {
        let length = data.remaining();
        received.extend_from_slice(&data.copy_to_bytes(length));
    }
    assert_eq!(checksum(&received), checksum(&body));
    assert_eq!(received.len(), body.len());
}

#[tokio::test]
async fn a_connection_that_only_sends_keep_alives_is_closed_at_the_idle_timeout() {
    const IDLE: Duration = Duration::from_millis(200);
    let server = Server::start_configured(false, |s| s.idle_timeout(IDLE)).await;
    // QUIC keep-alives every 50 ms: QUIC's own idle timeout never fires, only the server's
    // request-based check can close the connection.
    let mut transport = quinn::TransportConfig::default();
    transport.keep_alive_interval(Some(Duration::from_millis(50)));
    let tls =
        quinn::crypto::rustls::QuicClientConfig::try_from(client_tls(&server.cert, b"h3")).unwrap();
    let mut config = quinn::ClientConfig::new(Arc::new(tls));
    config.transport_config(Arc::new(transport));
    let mut endpoint = quinn::Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap();
    endpoint.set_default_client_config(config);
    let connection =
        tokio::time::timeout(GENEROUS, endpoint.connect(server.udp, "localhost").unwrap())
            .await
            .expect("the QUIC handshake ends")
            .unwrap();
    let (mut driver, mut sender) = h3::client::new(h3_quinn::Connection::new(connection.clone()))
        .await
        .unwrap();
    tokio::spawn(async move { poll_fn(|cx| driver.poll_close(cx)).await });
    let response = send(&mut sender, request("GET", "/"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.body, "hello");

    let answered = std::time::Instant::now();
    let reason = tokio::time::timeout(GENEROUS, connection.closed())
        .await
        .expect("the server closes the idle connection");
    assert!(
        matches!(reason, quinn::ConnectionError::ApplicationClosed(_)),
        "{reason:?}"
    );
    assert!(answered.elapsed() >= IDLE, "{:?}", answered.elapsed());
}

#[tokio::test]
async fn graceful_shutdown_lets_requests_in_flight_finish() {
    let mut server = Server::start().await;
    let (mut sender, driver) = server.connect().await;

    let in_flight: Vec<_> = (0..3)
        .map(|_| {
            let mut sender = sender.clone();
            tokio::spawn(async move { send(&mut sender, request("GET", "/slow"), b"", None).await })
        })
        .collect();
    for _ in 0..3 {
        tokio::time::timeout(GENEROUS, server.arrived.recv())
            .await
            .expect("the requests reach the handler")
            .unwrap();
    }

    server.stop.send(()).unwrap();
    // The connection gets GOAWAY: a new request on it is refused while the three are open.
    tokio::time::timeout(GENEROUS, async {
        loop {
            if send(&mut sender, request("GET", "/"), b"", None)
                .await
                .is_err()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the server sends GOAWAY");
    // And the TCP listener is closed.
    tokio::time::timeout(GENEROUS, async {
        while tokio::net::TcpStream::connect(server.tcp).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the listener closes");
    assert!(!server.task.is_finished());

    server.open.add_permits(3);
    for request in in_flight {
        let response = tokio::time::timeout(GENEROUS, request)
            .await
            .expect("the request in flight completes")
            .unwrap()
            .unwrap();
        assert_eq!(response.status, StatusCode::OK);
        assert_eq!(response.body, slow_body());
    }
    tokio::time::timeout(GENEROUS, server.task)
        .await
        .expect("the server stops")
        .unwrap()
        .unwrap();
    // The server closed the connection, saying nothing went wrong.
    let closed = tokio::time::timeout(GENEROUS, driver)
        .await
        .expect("the connection closes")
        .unwrap();
    assert!(closed.is_h3_no_error(), "{closed}");
    drop(sender);
}

#[tokio::test]
async fn tcp_responses_advertise_http3_and_share_the_router() {
    let server = Server::start().await;
    let connector =
        tokio_rustls::TlsConnector::from(Arc::new(client_tls(&server.cert, b"http/1.1")));
    let tcp = tokio::net::TcpStream::connect(server.tcp).await.unwrap();
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
            Request::get("/protocol")
                .header("host", "localhost")
                .body(Full::new(Bytes::new()))
                .unwrap(),
        )
        .await
        .unwrap();
    let expected = format!("h3=\":{}\"; ma=86400", server.udp.port());
    assert_eq!(response.headers()["alt-svc"], expected.as_str());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "HTTP/1.1 http3=false");

    let sent = mebibyte();
    let response = sender
        .send_request(
            Request::post("/echo")
                .header("host", "localhost")
                .body(Full::new(Bytes::from(sent.clone())))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["alt-svc"], expected.as_str());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(checksum(&body), checksum(&sent));
}

#[tokio::test]
async fn http3_without_tls_fails_at_start() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let gate = Gate {
        arrived: mpsc::unbounded_channel().0,
        open: Arc::new(Semaphore::new(0)),
    };
    let error = tokio::time::timeout(
        GENEROUS,
        silent_tower::serve(listener, app(gate))
            .http3(udp)
            .into_future(),
    )
    .await
    .expect("the server fails at once")
    .unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
}

#[tokio::test]
async fn a_certificate_swapped_in_the_tls_config_serves_the_next_quic_connection() {
    let server = Server::start().await;
    let next = new_identity();
    // Before the swap, a client that trusts only the next certificate is refused...
    assert!(server.connect_trusting(&next.cert_der).await.is_err());
    let (mut before, _driver) = server.connect().await;

    server
        .tls
        .reload_from_pem(next.cert_pem.as_bytes(), next.key_pem.as_bytes())
        .unwrap();

    // ...after it, it is served, and a client that trusts only the old one is refused.
    let (mut after, _driver) = server.connect_trusting(&next.cert_der).await.unwrap();
    let response = send(&mut after, request("GET", "/"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.body, "hello");
    assert!(server.connect_trusting(&server.cert).await.is_err());
    // A connection made before the swap keeps going.
    let response = send(&mut before, request("GET", "/"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.body, "hello");
}

#[tokio::test]
async fn a_tls_configuration_without_tls13_is_refused_at_start() {
    let identity = new_identity();
    let key = PrivateKeyDer::from_pem_slice(identity.key_pem.as_bytes()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls12_only = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![identity.cert_der], key)
        .unwrap();

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let gate = Gate {
        arrived: mpsc::unbounded_channel().0,
        open: Arc::new(Semaphore::new(0)),
    };
    let error = tokio::time::timeout(
        GENEROUS,
        silent_tower::serve(listener, app(gate))
            .tls(TlsConfig::from_server_config(tls12_only))
            .http3(udp)
            .into_future(),
    )
    .await
    .expect("the server fails at once")
    .unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
    assert!(error.to_string().contains("cannot serve QUIC"), "{error}");
}

#[tokio::test]
async fn with_peer_addr_puts_the_quic_client_address_in_requests() {
    let server = Server::start_with(true).await;
    let endpoint = client_endpoint(&server.cert);
    let client_addr = endpoint.local_addr().unwrap();
    let connection = endpoint
        .connect(server.udp, "localhost")
        .unwrap()
        .await
        .unwrap();
    let (mut driver, mut sender) = h3::client::new(h3_quinn::Connection::new(connection))
        .await
        .unwrap();
    tokio::spawn(async move { poll_fn(|cx| driver.poll_close(cx)).await });

    let response = send(&mut sender, request("GET", "/peer"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.body, client_addr.to_string());

    // Without it, nothing is inserted.
    let server = Server::start().await;
    let (mut sender, _driver) = server.connect().await;
    let response = send(&mut sender, request("GET", "/peer"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.body, "none");
}

/// The code a stream was reset or stopped with, from the client's side.
fn stream_code(error: &h3::error::StreamError) -> Option<h3::error::Code> {
    match error {
        h3::error::StreamError::RemoteTerminate { code, .. } => Some(*code),
        h3::error::StreamError::StreamError { code, .. } => Some(*code),
        _ => None,
    }
}

/// Opens a raw request stream on `connection` and sends the start of a HEADERS frame that says
/// it holds 32 bytes, then only one of them.
async fn stalled_request_stream(
    connection: &quinn::Connection,
) -> (quinn::SendStream, quinn::RecvStream) {
    let (mut send, recv) = connection.open_bi().await.unwrap();
    send.write_all(&[0x01, 0x20, 0x00]).await.unwrap();
    (send, recv)
}

#[tokio::test]
async fn a_stalled_request_head_is_reset_at_the_header_read_timeout() {
    const TIMEOUT: Duration = Duration::from_millis(300);
    let server = Server::start_configured(false, |s| s.header_read_timeout(TIMEOUT)).await;
    let (connection, mut sender, _driver) = server.connect_raw().await;

    let started = std::time::Instant::now();
    let (_send, mut recv) = stalled_request_stream(&connection).await;
    let mut buffer = [0; 64];
    let read = tokio::time::timeout(GENEROUS, recv.read(&mut buffer))
        .await
        .expect("the server resets the stream");
    let elapsed = started.elapsed();
    // H3_REQUEST_REJECTED: nothing was processed, a retry is safe.
    assert_eq!(
        read.unwrap_err(),
        quinn::ReadError::Reset(quinn::VarInt::from_u32(0x10b))
    );
    assert!(elapsed >= TIMEOUT, "{elapsed:?}");

    // The connection goes on.
    let response = send(&mut sender, request("GET", "/"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.body, "hello");
}

#[tokio::test]
async fn the_shutdown_grace_bounds_a_stalled_stream_and_new_quic_connections_are_refused() {
    const GRACE: Duration = Duration::from_secs(1);
    let server = Server::start_configured(false, |s| s.shutdown_grace(GRACE)).await;
    let (connection, _sender, driver) = server.connect_raw().await;
    let (_send, mut recv) = stalled_request_stream(&connection).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let signalled = std::time::Instant::now();
    server.stop.send(()).unwrap();
    // A client that comes after the signal is told at once, not left to its own timeout.
    let endpoint = client_endpoint(&server.cert);
    let refused = tokio::time::timeout(
        Duration::from_secs(2),
        endpoint.connect(server.udp, "localhost").unwrap(),
    )
    .await
    .expect("a new connection is answered at once");
    match refused {
        Err(quinn::ConnectionError::ConnectionClosed(close)) => {
            assert_eq!(
                close.error_code,
                quinn::TransportErrorCode::CONNECTION_REFUSED
            );
        }
        other => panic!("expected CONNECTION_REFUSED, got {other:?}"),
    }

    tokio::time::timeout(GRACE + Duration::from_secs(3), server.task)
        .await
        .expect("serve waited past its shutdown grace")
        .unwrap()
        .unwrap();
    assert!(signalled.elapsed() >= GRACE - Duration::from_millis(50));
    // The stalled stream and its connection are gone.
    let mut buffer = [0; 64];
    let read = tokio::time::timeout(GENEROUS, recv.read(&mut buffer))
        .await
        .expect("the stream ends");
    assert!(read.is_err(), "{read:?}");
    tokio::time::timeout(GENEROUS, driver)
        .await
        .expect("the connection is closed")
        .unwrap();
}

#[tokio::test]
async fn quic_connections_count_toward_max_connections() {
    let server = Server::start_configured(false, |s| s.max_connections(1)).await;
    let (mut sender, driver) = server.connect().await;
    let response = send(&mut sender, request("GET", "/"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.body, "hello");

    // The QUIC connection holds the only slot; it is idle, so a TCP client makes it close.
    let connector =
        tokio_rustls::TlsConnector::from(Arc::new(client_tls(&server.cert, b"http/1.1")));
    let tcp = tokio::net::TcpStream::connect(server.tcp).await.unwrap();
    let stream = tokio::time::timeout(
        GENEROUS,
        connector.connect(ServerName::try_from("localhost").unwrap(), tcp),
    )
    .await
    .expect("the TCP client is served")
    .unwrap();
    let (mut http1, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let response = http1
        .send_request(
            Request::get("/")
                .header("host", "localhost")
                .body(Full::new(Bytes::new()))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    tokio::time::timeout(GENEROUS, driver)
        .await
        .expect("the idle QUIC connection was closed to make room")
        .unwrap();
}

#[tokio::test]
async fn http3_max_concurrent_streams_caps_the_requests_open_on_one_connection() {
    let mut server = Server::start_configured(false, |s| s.http3_max_concurrent_streams(2)).await;
    let (sender, _driver) = server.connect().await;
    let requests: Vec<_> = (0..3)
        .map(|_| {
            let mut sender = sender.clone();
            tokio::spawn(async move { send(&mut sender, request("GET", "/slow"), b"", None).await })
        })
        .collect();
    for _ in 0..2 {
        tokio::time::timeout(GENEROUS, server.arrived.recv())
            .await
            .expect("two requests reach the handler")
            .unwrap();
    }
    // The third waits for a stream: the client may not open it.
    let third = tokio::time::timeout(Duration::from_millis(300), server.arrived.recv()).await;
    assert!(third.is_err(), "a third stream was open at once");

    server.open.add_permits(1);
    tokio::time::timeout(GENEROUS, server.arrived.recv())
        .await
        .expect("the third request starts once one has finished")
        .unwrap();
    server.open.add_permits(2);
    for request in requests {
        let response = tokio::time::timeout(GENEROUS, request)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(response.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn malformed_requests_are_reset_with_h3_message_error() {
    let server = Server::start().await;
    let (sender, _driver) = server.connect().await;

    let fields = [
        ("connection", "keep-alive"),
        ("keep-alive", "timeout=5"),
        ("proxy-connection", "keep-alive"),
        ("transfer-encoding", "chunked"),
        ("upgrade", "websocket"),
        ("te", "gzip"),
        ("content-length", "ten"),
    ];
    for (name, value) in fields {
        let mut sender = sender.clone();
        let mut malformed = request("POST", "/echo");
        malformed
            .headers_mut()
            .insert(name, HeaderValue::from_static(value));
        let error = send(&mut sender, malformed, b"0123456789", None)
            .await
            .err()
            .unwrap_or_else(|| panic!("`{name}: {value}` was answered"));
        assert_eq!(
            stream_code(&error),
            Some(h3::error::Code::H3_MESSAGE_ERROR),
            "{name}: {error}"
        );
    }

    // `te: trailers` is the one `te` allowed, and a true content-length passes.
    let mut sender = sender.clone();
    let mut fine = request("POST", "/echo");
    fine.headers_mut()
        .insert("te", HeaderValue::from_static("trailers"));
    fine.headers_mut()
        .insert("content-length", HeaderValue::from_static("10"));
    let response = send(&mut sender, fine, b"0123456789", None).await.unwrap();
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body, "0123456789");
}

#[tokio::test]
async fn a_body_that_does_not_match_its_content_length_is_reset_with_h3_message_error() {
    let server = Server::start().await;
    let (sender, _driver) = server.connect().await;

    // More data than it says, then less.
    for (length, body) in [("10", vec![7u8; 100_000]), ("100000", vec![7u8; 10])] {
        let mut sender = sender.clone();
        let mut lying = request("POST", "/echo");
        lying
            .headers_mut()
            .insert("content-length", HeaderValue::from_static(length));
        let error = tokio::time::timeout(GENEROUS, send(&mut sender, lying, &body, None))
            .await
            .expect("the server answers")
            .err()
            .unwrap_or_else(|| {
                panic!(
                    "content-length {length} with {} bytes was answered",
                    body.len()
                )
            });
        assert_eq!(
            stream_code(&error),
            Some(h3::error::Code::H3_MESSAGE_ERROR),
            "content-length {length}: {error}"
        );
    }
    // The connection goes on.
    let mut sender = sender.clone();
    let response = send(&mut sender, request("GET", "/"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.body, "hello");
}

#[tokio::test]
async fn head_204_and_304_answers_carry_no_body() {
    let server = Server::start().await;
    let (mut sender, _driver) = server.connect().await;

    let response = send(&mut sender, request("GET", "/no-content"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    assert_eq!(response.body, "");
    assert!(response.headers.get("content-length").is_none());

    let response = send(&mut sender, request("GET", "/not-modified"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::NOT_MODIFIED);
    assert_eq!(response.body, "");

    let response = send(&mut sender, request("HEAD", "/"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body, "");
}

/// A UDP relay between a client and the server that counts the server's Retry packets.
async fn retry_counting_relay(server: SocketAddr) -> (SocketAddr, Arc<AtomicUsize>) {
    relay(server, usize::MAX).await
}

/// A UDP relay that passes the client's first `passed` datagrams to the server and drops the
/// rest, and every datagram back; it counts the server's Retry packets.
async fn relay(server: SocketAddr, passed: usize) -> (SocketAddr, Arc<AtomicUsize>) {
    let front = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let back = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    back.connect(server).await.unwrap();
    let addr = front.local_addr().unwrap();
    let retries = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&retries);
    tokio::spawn(async move {
        let mut client = None;
        let mut sent = 0;
        let (mut up, mut down) = ([0; 2048], [0; 2048]);
        loop {
            tokio::select! {
                received = front.recv_from(&mut up) => {
                    let (length, from) = received.unwrap();
                    client = Some(from);
                    if sent < passed {
                        sent += 1;
                        let _ = back.send(&up[..length]).await;
                    }
                }
                received = back.recv(&mut down) => {
                    let length = received.unwrap();
                    let packet = &down[..length];
                    // A QUIC v1 long header whose type bits say Retry (RFC 9000 §17.2.5).
                    if packet.len() > 5
                        && packet[0] & 0x80 != 0
                        && packet[1..5] == [0, 0, 0, 1]
                        && (packet[0] >> 4) & 0x3 == 0x3
                    {
                        counted.fetch_add(1, AtomicOrdering::SeqCst);
                    }
                    if let Some(client) = client {
                        let _ = front.send_to(packet, client).await;
                    }
                }
            }
        }
    });
    (addr, retries)
}

/// `GET /` from a new client through a relay that counts the server's Retry packets: the body,
/// and how many Retries the server sent.
async fn get_through_retry_counting_relay(server: &Server) -> (Bytes, usize) {
    let (relay, retries) = retry_counting_relay(server.udp).await;
    let endpoint = client_endpoint(&server.cert);
    let connection = tokio::time::timeout(GENEROUS, endpoint.connect(relay, "localhost").unwrap())
        .await
        .expect("the QUIC handshake ends")
        .unwrap();
    let (mut driver, mut sender) = h3::client::new(h3_quinn::Connection::new(connection))
        .await
        .unwrap();
    tokio::spawn(async move { poll_fn(|cx| driver.poll_close(cx)).await });
    let response = send(&mut sender, request("GET", "/"), b"", None)
        .await
        .unwrap();
    (response.body, retries.load(AtomicOrdering::SeqCst))
}

#[tokio::test]
async fn a_new_quic_client_must_prove_its_address_with_a_retry() {
    let server = Server::start().await;
    let (body, retries) = get_through_retry_counting_relay(&server).await;
    assert_eq!(body, "hello");
    assert_eq!(retries, 1);
}

#[tokio::test]
async fn without_address_validation_a_new_client_is_served_with_no_retry() {
    let server = Server::start_configured(false, |s| s.http3_address_validation(false)).await;
    let (body, retries) = get_through_retry_counting_relay(&server).await;
    assert_eq!(body, "hello");
    assert_eq!(retries, 0);
}

#[tokio::test]
async fn zero_rtt_is_refused_so_no_request_can_be_replayed() {
    let server = Server::start().await;
    // A client that would send early data if the server's session ticket allowed it.
    let mut tls = client_tls(&server.cert, b"h3");
    tls.enable_early_data = true;
    let quic_tls = quinn::crypto::rustls::QuicClientConfig::try_from(tls).unwrap();
    let mut endpoint = quinn::Endpoint::client("127.0.0.1:0".parse().unwrap()).unwrap();
    endpoint.set_default_client_config(quinn::ClientConfig::new(Arc::new(quic_tls)));

    // A first connection, long enough to receive the server's session tickets.
    let connection = endpoint
        .connect(server.udp, "localhost")
        .unwrap()
        .await
        .unwrap();
    let (mut driver, mut sender) = h3::client::new(h3_quinn::Connection::new(connection.clone()))
        .await
        .unwrap();
    tokio::spawn(async move { poll_fn(|cx| driver.poll_close(cx)).await });
    let response = send(&mut sender, request("GET", "/"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.body, "hello");
    connection.close(quinn::VarInt::from_u32(0x100), b"");

    // The second may resume the session, but not send anything before the handshake ends.
    let connecting = endpoint.connect(server.udp, "localhost").unwrap();
    assert!(
        connecting.into_0rtt().is_err(),
        "the server's ticket allows 0-RTT"
    );
}

#[tokio::test]
async fn a_quic_handshake_that_stalls_is_given_up_at_the_header_read_timeout() {
    const TIMEOUT: Duration = Duration::from_millis(500);
    let server = Server::start_configured(false, |s| s.header_read_timeout(TIMEOUT)).await;
    // The client's Initial, then its Initial with the Retry token reach the server; its
    // handshake Finished never does.
    let (relay, retries) = relay(server.udp, 2).await;
    let endpoint = client_endpoint(&server.cert);
    let started = std::time::Instant::now();
    let connecting = endpoint.connect(relay, "localhost").unwrap();
    // The client may think it is connected (it sent its Finished); the server is not.
    let closed = tokio::time::timeout(GENEROUS, async {
        match connecting.await {
            Ok(connection) => connection.closed().await,
            Err(error) => error,
        }
    })
    .await
    .expect("the server gives the handshake up");
    let elapsed = started.elapsed();
    assert_eq!(retries.load(AtomicOrdering::SeqCst), 1);
    // Closed by the server, not by the client's own idle timeout, and not before the deadline.
    assert!(
        !matches!(closed, quinn::ConnectionError::TimedOut),
        "{closed:?} after {elapsed:?}"
    );
    assert!(elapsed >= TIMEOUT, "{closed:?} after {elapsed:?}");
}

#[tokio::test]
async fn a_response_body_that_does_not_match_its_content_length_is_reset() {
    let server = Server::start().await;
    let (sender, _driver) = server.connect().await;
    for length in [5, 50] {
        let mut sender = sender.clone();
        let path = format!("/lying-length/{length}");
        let error = send(&mut sender, request("GET", &path), b"", None)
            .await
            .err()
            .unwrap_or_else(|| panic!("a body of 16 bytes passed as {length}"));
        assert_eq!(
            stream_code(&error),
            Some(h3::error::Code::H3_INTERNAL_ERROR),
            "{length}: {error}"
        );
    }
    // The true length passes.
    let mut sender = sender.clone();
    let response = send(&mut sender, request("GET", "/lying-length/16"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.body, "sixteen bytes!!!");
}

#[tokio::test]
async fn an_endless_headers_frame_is_reset_at_its_byte_budget_not_buffered() {
    let server = Server::start().await;
    let (connection, mut sender, _driver) = server.connect_raw().await;

    // A HEADERS frame that says it holds 1 MiB, and 320 KiB of it: past the budget of four
    // times max_header_size (64 KiB by default), long before the header read timeout.
    let started = std::time::Instant::now();
    let (mut send_half, mut recv) = connection.open_bi().await.unwrap();
    send_half
        .write_all(&[0x01, 0x80, 0x10, 0x00, 0x00])
        .await
        .unwrap();
    let filler = vec![0u8; 16 * 1024];
    let writing = tokio::spawn(async move {
        for _ in 0..20 {
            if send_half.write_all(&filler).await.is_err() {
                break;
            }
        }
        send_half
    });
    let mut buffer = [0; 64];
    let read = tokio::time::timeout(Duration::from_secs(5), recv.read(&mut buffer))
        .await
        .expect("the server resets the stream before its header read timeout");
    // H3_EXCESSIVE_LOAD.
    assert_eq!(
        read.unwrap_err(),
        quinn::ReadError::Reset(quinn::VarInt::from_u32(0x107))
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(writing);

    // The connection goes on.
    let response = send(&mut sender, request("GET", "/"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.body, "hello");
}

/// A request head over `max_header_size` is answered 431 on its stream, which then ends, and the
/// connection goes on. Sent on a raw stream: h3's client refuses to send a head over the limit
/// the server advertised.
#[tokio::test]
async fn a_request_head_over_max_header_size_is_answered_431() {
    let server = Server::start_configured(false, |s| s.max_header_size(8192)).await;
    let (connection, mut sender, _driver) = server.connect_raw().await;

    // QPACK, static table and literals only: GET https://localhost/ and `x-big` of 10 000 bytes
    // (a field section of about 10 KiB, counted as RFC 9114 §4.2.2 does).
    let mut block = vec![0x00, 0x00, 0xd1, 0xd7, 0xc1, 0x50, 0x09];
    block.extend_from_slice(b"localhost");
    block.extend_from_slice(&[0x25]);
    block.extend_from_slice(b"x-big");
    // A length of 10 000: 127 in the 7-bit prefix, then 9 873 in 7-bit groups.
    block.extend_from_slice(&[0x7f, 0x91, 0x4d]);
    block.extend_from_slice(&[b'a'; 10_000]);
    let length = u16::try_from(block.len()).unwrap();
    let mut frame = vec![0x01];
    frame.extend_from_slice(&(0x4000 | length).to_be_bytes());
    frame.extend_from_slice(&block);

    let (mut send_half, mut recv) = connection.open_bi().await.unwrap();
    send_half.write_all(&frame).await.unwrap();
    send_half.finish().unwrap();
    let answer = tokio::time::timeout(GENEROUS, recv.read_to_end(64 * 1024))
        .await
        .expect("the stream is answered")
        .expect("and ends, not reset");
    // One HEADERS frame (type 1, 8 bytes) and the end of the stream. Its field section: no
    // dynamic table (0, 0), then `:status` by reference to the static table's `:status: 103`
    // (index 24: 0x5f 0x09) with the value `431`, Huffman-coded (0x83: three bytes).
    assert_eq!(
        answer,
        [0x01, 0x08, 0x00, 0x00, 0x5f, 0x09, 0x83, 0x69, 0x90, 0xff],
        "{answer:x?}"
    );

    let response = send(&mut sender, request("GET", "/"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.body, "hello");
}

/// A server whose future is dropped is gone: its QUIC connections are closed at once, as its
/// TCP ones are (`hardening_shutdown.rs`), not left open with no server behind them.
#[tokio::test]
async fn dropping_the_server_closes_its_quic_connections() {
    let server = Server::start().await;
    let (mut sender, driver) = server.connect().await;
    let response = send(&mut sender, request("GET", "/"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.body, "hello");

    server.task.abort();
    tokio::time::timeout(GENEROUS, driver)
        .await
        .expect("the QUIC connection of a dropped server is closed")
        .unwrap();
}

/// A client that closes its connection while a handler is still at work: the request can no
/// longer be answered, so the handler's future is dropped, as hyper drops a lost connection's
/// requests, and a shutdown does not wait for it (here the handler would wait for ever, and the
/// default shutdown grace is 30 s).
#[tokio::test]
async fn a_lost_connections_handlers_are_dropped_and_do_not_hold_the_shutdown() {
    let mut server = Server::start().await;
    let (connection, sender, driver) = server.connect_raw().await;
    let mut stuck_sender = sender.clone();
    let stuck =
        tokio::spawn(
            async move { send(&mut stuck_sender, request("GET", "/slow"), b"", None).await },
        );
    tokio::time::timeout(GENEROUS, server.arrived.recv())
        .await
        .expect("the request reaches the handler")
        .unwrap();

    connection.close(quinn::VarInt::from_u32(0x100), b"gone");
    let _ = tokio::time::timeout(GENEROUS, driver).await;
    assert!(tokio::time::timeout(GENEROUS, stuck)
        .await
        .unwrap()
        .unwrap()
        .is_err());
    server.stop.send(()).unwrap();
    tokio::time::timeout(GENEROUS, server.task)
        .await
        .expect("the server stops without waiting for the lost request")
        .unwrap()
        .unwrap();
    drop(sender);
}

/// Connection-specific fields make an HTTP/3 message malformed (RFC 9114 §4.2): a response that
/// carries them, as one written for HTTP/1 may, is sent without them, its other fields intact.
#[tokio::test]
async fn connection_specific_response_fields_are_not_sent_over_http3() {
    let server = Server::start().await;
    let (mut sender, _driver) = server.connect().await;
    let response = send(&mut sender, request("GET", "/connection-fields"), b"", None)
        .await
        .unwrap();
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body, "fields");
    for name in ["connection", "keep-alive", "proxy-connection", "upgrade"] {
        assert!(
            response.headers.get(name).is_none(),
            "{name}: {:?}",
            response.headers
        );
    }
    assert_eq!(response.headers["x-kept"], "1");
    assert_eq!(response.headers["content-length"], "6");
}
