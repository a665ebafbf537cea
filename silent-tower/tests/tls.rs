//! `serve(..).tls(..)` over real sockets on 127.0.0.1, with rustls clients and self-signed
//! certificates made by each test.

use std::convert::Infallible;
use std::future::IntoFuture;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response, StatusCode, Version};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use silent_tower::serve::rustls::pki_types::{CertificateDer, ServerName};
use silent_tower::serve::rustls::{self, ClientConfig, RootCertStore};
use silent_tower::serve::TlsConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// Upper bound for anything that should happen at once; never the thing a test measures.
const GENEROUS: Duration = Duration::from_secs(10);

/// A self-signed certificate for `localhost`, as the server's PEM and the client's DER.
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

impl Identity {
    fn tls_config(&self) -> TlsConfig {
        TlsConfig::from_pem(self.cert_pem.as_bytes(), self.key_pem.as_bytes()).unwrap()
    }
}

/// Answers every request with `<version> <path>`.
async fn echo(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let version = request.version();
    let body = format!("{version:?} {}", request.uri().path());
    Ok(Response::new(Full::new(Bytes::from(body))))
}

struct Server {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
}

impl Server {
    async fn start(tls: TlsConfig, header_read_timeout: Duration) -> Self {
        Self::start_with(
            tls,
            Some(header_read_timeout),
            Some(Duration::from_secs(120)),
        )
        .await
    }

    async fn start_with(
        tls: TlsConfig,
        header_read_timeout: Option<Duration>,
        idle_timeout: Option<Duration>,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = silent_tower::serve(listener, tower::service_fn(echo))
            .tls(tls)
            .header_read_timeout(header_read_timeout)
            .idle_timeout(idle_timeout)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            });
        let task = tokio::spawn(server.into_future());
        Self { addr, stop, task }
    }

    async fn stop(self) {
        self.stop.send(()).unwrap();
        tokio::time::timeout(GENEROUS, self.task)
            .await
            .expect("the server stops")
            .unwrap()
            .unwrap();
    }
}

/// A client that trusts `trusted` and offers `alpn`.
fn client(trusted: &[&CertificateDer<'static>], alpn: &[&[u8]]) -> TlsConnector {
    let mut roots = RootCertStore::empty();
    for cert in trusted {
        roots.add((*cert).clone()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
    TlsConnector::from(Arc::new(config))
}

async fn connect(connector: &TlsConnector, addr: SocketAddr) -> io::Result<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(addr).await?;
    let name = ServerName::try_from("localhost").unwrap();
    tokio::time::timeout(GENEROUS, connector.connect(name, tcp))
        .await
        .expect("the handshake ends")
}

fn alpn(stream: &TlsStream<TcpStream>) -> Option<&[u8]> {
    stream.get_ref().1.alpn_protocol()
}

fn peer_cert(stream: &TlsStream<TcpStream>) -> CertificateDer<'static> {
    stream.get_ref().1.peer_certificates().unwrap()[0].clone()
}

async fn http1(
    stream: TlsStream<TcpStream>,
) -> hyper::client::conn::http1::SendRequest<Empty<Bytes>> {
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    sender
}

fn get(uri: &str) -> Request<Empty<Bytes>> {
    Request::get(uri)
        .header(http::header::HOST, "localhost")
        .body(Empty::new())
        .unwrap()
}

/// Sends `GET path` and returns the response's version and body.
async fn send(
    sender: &mut hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
    path: &str,
) -> (Version, String) {
    sender.ready().await.unwrap();
    let response = sender.send_request(get(path)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let version = response.version();
    (version, body_text(response).await)
}

async fn body_text(response: Response<Incoming>) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn http1_over_tls_when_the_client_offers_only_http1() {
    let identity = new_identity();
    let server = Server::start(identity.tls_config(), GENEROUS).await;

    let stream = connect(&client(&[&identity.cert_der], &[b"http/1.1"]), server.addr)
        .await
        .unwrap();
    assert_eq!(alpn(&stream), Some(&b"http/1.1"[..]));
    let mut sender = http1(stream).await;
    assert_eq!(
        send(&mut sender, "/one").await,
        (Version::HTTP_11, "HTTP/1.1 /one".to_owned())
    );
    // Keep-alive over TLS: the same connection serves a second request.
    assert_eq!(
        send(&mut sender, "/two").await,
        (Version::HTTP_11, "HTTP/1.1 /two".to_owned())
    );
    drop(sender);
    server.stop().await;
}

#[cfg(feature = "http2")]
#[tokio::test]
async fn http2_over_tls_when_alpn_picks_h2() {
    let identity = new_identity();
    let server = Server::start(identity.tls_config(), GENEROUS).await;

    let connector = client(&[&identity.cert_der], &[b"h2", b"http/1.1"]);
    let stream = connect(&connector, server.addr).await.unwrap();
    assert_eq!(alpn(&stream), Some(&b"h2"[..]));
    let (mut sender, connection) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        TokioIo::new(stream),
    )
    .await
    .unwrap();
    tokio::spawn(connection);
    let response = sender
        .send_request(get("https://localhost/h2"))
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.version(), Version::HTTP_2);
    assert_eq!(body_text(response).await, "HTTP/2.0 /h2");
    drop(sender);
    server.stop().await;
}

#[tokio::test]
async fn a_client_without_alpn_is_served_by_its_first_bytes() {
    let identity = new_identity();
    let server = Server::start(identity.tls_config(), GENEROUS).await;

    let stream = connect(&client(&[&identity.cert_der], &[]), server.addr)
        .await
        .unwrap();
    assert_eq!(alpn(&stream), None);
    let mut sender = http1(stream).await;
    assert_eq!(
        send(&mut sender, "/plain").await,
        (Version::HTTP_11, "HTTP/1.1 /plain".to_owned())
    );
    drop(sender);
    server.stop().await;
}

#[tokio::test]
async fn failed_handshakes_close_only_their_own_connection() {
    let identity = new_identity();
    let stranger = new_identity();
    let server = Server::start(identity.tls_config(), GENEROUS).await;

    // A good connection, open across the failures below.
    let good = client(&[&identity.cert_der], &[b"http/1.1"]);
    let mut sender = http1(connect(&good, server.addr).await.unwrap()).await;
    assert_eq!(send(&mut sender, "/before").await.1, "HTTP/1.1 /before");

    // A client that trusts another certificate gives up during the handshake.
    let distrustful = client(&[&stranger.cert_der], &[b"http/1.1"]);
    let error = connect(&distrustful, server.addr).await.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData, "{error}");
    assert!(error.to_string().contains("certificate"), "{error}");

    // Plain HTTP on the TLS port is not a ClientHello: the server answers with at most a TLS
    // alert (a record of type 21), never HTTP, and closes.
    let mut plain = TcpStream::connect(server.addr).await.unwrap();
    plain
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(GENEROUS, plain.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection");
    assert!(read.is_ok() || read.unwrap_err().kind() == io::ErrorKind::ConnectionReset);
    assert!(answer.is_empty() || answer[0] == 21, "{answer:?}");

    // The good connection still serves, and new good ones are accepted.
    assert_eq!(send(&mut sender, "/after").await.1, "HTTP/1.1 /after");
    let mut second = http1(connect(&good, server.addr).await.unwrap()).await;
    assert_eq!(send(&mut second, "/new").await.1, "HTTP/1.1 /new");
    drop((sender, second));
    server.stop().await;
}

#[tokio::test]
async fn a_client_that_never_sends_a_client_hello_is_cut_off_at_the_header_read_timeout() {
    const TIMEOUT: Duration = Duration::from_millis(200);
    let identity = new_identity();
    let server = Server::start(identity.tls_config(), TIMEOUT).await;
    let good = client(&[&identity.cert_der], &[b"http/1.1"]);

    let connected = Instant::now();
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    // Meanwhile a good client is served.
    let mut sender = http1(connect(&good, server.addr).await.unwrap()).await;
    assert_eq!(
        send(&mut sender, "/meanwhile").await.1,
        "HTTP/1.1 /meanwhile"
    );

    let mut buf = [0; 64];
    let read = tokio::time::timeout(GENEROUS, silent.read(&mut buf))
        .await
        .expect("the server closes a silent connection");
    // Closed without a byte: end of stream (or a reset, if the close raced our read).
    assert!(matches!(read, Ok(0)) || read.unwrap_err().kind() == io::ErrorKind::ConnectionReset);
    assert!(connected.elapsed() >= TIMEOUT);
    drop(sender);
    server.stop().await;
}

#[tokio::test]
async fn without_a_header_read_timeout_the_idle_timeout_cuts_a_stalled_handshake() {
    const IDLE: Duration = Duration::from_millis(200);
    let identity = new_identity();
    let server = Server::start_with(identity.tls_config(), None, Some(IDLE)).await;

    let connected = Instant::now();
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    let mut buf = [0; 64];
    let read = tokio::time::timeout(GENEROUS, silent.read(&mut buf))
        .await
        .expect("the server closes a silent connection");
    assert!(matches!(read, Ok(0)) || read.unwrap_err().kind() == io::ErrorKind::ConnectionReset);
    assert!(connected.elapsed() >= IDLE);
    server.stop().await;
}

#[cfg(feature = "http2")]
#[tokio::test]
async fn a_client_that_picks_h2_and_never_sends_the_preface_is_cut_off_at_the_same_deadline() {
    const TIMEOUT: Duration = Duration::from_millis(200);
    let identity = new_identity();
    let server = Server::start(identity.tls_config(), TIMEOUT).await;

    let connected = Instant::now();
    let connector = client(&[&identity.cert_der], &[b"h2"]);
    let mut stream = connect(&connector, server.addr).await.unwrap();
    assert_eq!(alpn(&stream), Some(&b"h2"[..]));
    let mut received = Vec::new();
    let read = tokio::time::timeout(GENEROUS, stream.read_to_end(&mut received))
        .await
        .expect("the server closes a connection that never sends the preface");
    if let Err(error) = read {
        // Closed without close_notify, or reset: still closed.
        let kind = error.kind();
        assert!(
            matches!(
                kind,
                io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset
            ),
            "{error}"
        );
    }
    assert!(connected.elapsed() >= TIMEOUT);
    server.stop().await;
}

#[tokio::test]
async fn a_certificate_swap_applies_to_the_next_connection() {
    let a = new_identity();
    let b = new_identity();
    assert_ne!(a.cert_der, b.cert_der);
    let tls = a.tls_config();
    let server = Server::start(tls.clone(), GENEROUS).await;
    let connector = client(&[&a.cert_der, &b.cert_der], &[b"http/1.1"]);

    let first = connect(&connector, server.addr).await.unwrap();
    assert_eq!(peer_cert(&first), a.cert_der);
    let mut first = http1(first).await;
    assert_eq!(send(&mut first, "/a").await.1, "HTTP/1.1 /a");

    tls.reload_from_pem(b.cert_pem.as_bytes(), b.key_pem.as_bytes())
        .unwrap();

    let second = connect(&connector, server.addr).await.unwrap();
    assert_eq!(peer_cert(&second), b.cert_der);
    let mut second = http1(second).await;
    assert_eq!(send(&mut second, "/b").await.1, "HTTP/1.1 /b");
    // The first connection keeps its session and keeps serving.
    assert_eq!(send(&mut first, "/a-again").await.1, "HTTP/1.1 /a-again");

    // A reload that fails keeps the configuration in use.
    let error = tls.reload_from_pem(b"not pem", b"not pem").unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    let third = connect(&connector, server.addr).await.unwrap();
    assert_eq!(peer_cert(&third), b.cert_der);
    drop((first, second, third));
    server.stop().await;
}

#[test]
fn pem_that_does_not_parse_or_match_is_refused() {
    let a = new_identity();
    let b = new_identity();
    let kind = |result: io::Result<TlsConfig>| result.unwrap_err().kind();
    assert_eq!(
        kind(TlsConfig::from_pem(b"", a.key_pem.as_bytes())),
        io::ErrorKind::InvalidData
    );
    assert_eq!(
        kind(TlsConfig::from_pem(a.cert_pem.as_bytes(), b"")),
        io::ErrorKind::InvalidData
    );
    // A's certificate with B's key.
    assert_eq!(
        kind(TlsConfig::from_pem(
            a.cert_pem.as_bytes(),
            b.key_pem.as_bytes()
        )),
        io::ErrorKind::InvalidData
    );
    let alpn = a.tls_config().server_config().alpn_protocols.clone();
    let expected: Vec<Vec<u8>> = if cfg!(feature = "http2") {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    assert_eq!(alpn, expected);
}

#[tokio::test]
async fn certificates_are_read_from_pem_files_and_reloaded_from_them() {
    let a = new_identity();
    let b = new_identity();
    let dir = std::env::temp_dir().join(format!("silent-tower-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, pem: &str| {
        let path = dir.join(name);
        std::fs::write(&path, pem).unwrap();
        path
    };
    let (cert_a, key_a) = (write("a.crt", &a.cert_pem), write("a.key", &a.key_pem));
    let (cert_b, key_b) = (write("b.crt", &b.cert_pem), write("b.key", &b.key_pem));

    let tls = TlsConfig::from_pem_files(&cert_a, &key_a).unwrap();
    let server = Server::start(tls.clone(), GENEROUS).await;
    let connector = client(&[&a.cert_der, &b.cert_der], &[b"http/1.1"]);
    let first = connect(&connector, server.addr).await.unwrap();
    assert_eq!(peer_cert(&first), a.cert_der);

    tls.reload_from_pem_files(&cert_b, &key_b).unwrap();
    let second = connect(&connector, server.addr).await.unwrap();
    assert_eq!(peer_cert(&second), b.cert_der);

    let missing = tls
        .reload_from_pem_files(dir.join("missing.crt"), &key_b)
        .unwrap_err();
    assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    std::fs::remove_dir_all(&dir).unwrap();
    drop((first, second));
    server.stop().await;
}
