//! hyper-util 0.1: our `Router` served by `hyper_util::server::conn::auto::Builder` directly, not
//! through our `serve`, over HTTP/1.1 and h2c, many requests on one connection.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use http::{header, Method, Request, StatusCode, Version};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use silent_tower::layers::{CorsLayer, RequestTimeLoggerLayer};
use silent_tower::{get, post, Body, RequestExt, Router};
use silent_tower_compat_tests::Reply;
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceBuilder;

/// Serves our router, with two of our layers, from a hand-written accept loop; returns the
/// address and the number of connections accepted so far.
async fn serve_with_hyper_util() -> (SocketAddr, Arc<AtomicUsize>) {
    let app = ServiceBuilder::new()
        .layer(RequestTimeLoggerLayer::new())
        .layer(CorsLayer::new().origin("*"))
        .service(
            Router::new()
                .route(
                    "/items/<n:u32>",
                    get(|request: Request<Incoming>| async move {
                        let n: u32 = request.param("n").unwrap();
                        format!("item {n} over {:?}", request.version())
                    }),
                )
                .route(
                    "/echo",
                    post(
                        |request: Request<Incoming>| async move { Body::new(request.into_body()) },
                    ),
                ),
        );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            counter.fetch_add(1, Ordering::SeqCst);
            let service = TowerToHyperService::new(app.clone());
            tokio::spawn(async move {
                auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await
            });
        }
    });
    (addr, accepted)
}

/// `GET /items/{n}`, the URI in origin form for HTTP/1.1 and absolute for HTTP/2 (whose
/// `:scheme` and `:authority` come from it).
fn item(version: Version, n: u32) -> Request<Full<Bytes>> {
    let base = if version == Version::HTTP_2 {
        "http://localhost"
    } else {
        ""
    };
    Request::get(format!("{base}/items/{n}"))
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "https://anywhere.example")
        .body(Full::default())
        .unwrap()
}

fn echo(version: Version, text: &'static str) -> Request<Full<Bytes>> {
    let base = if version == Version::HTTP_2 {
        "http://localhost"
    } else {
        ""
    };
    Request::post(format!("{base}/echo"))
        .header(header::HOST, "localhost")
        .body(Full::from(text))
        .unwrap()
}

#[tokio::test]
async fn http1_keep_alive_serves_many_requests_on_one_connection() {
    let (addr, accepted) = serve_with_hyper_util().await;
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);

    for n in 0..100 {
        sender.ready().await.unwrap();
        let reply = Reply::read(
            sender
                .send_request(item(Version::HTTP_11, n))
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.version, Version::HTTP_11);
        assert_eq!(reply.header("content-type"), "text/plain; charset=utf-8");
        assert_eq!(reply.header("access-control-allow-origin"), "*");
        assert_eq!(reply.text(), format!("item {n} over HTTP/1.1"));
    }

    // A request body streams in and, through `Body::new`, back out.
    sender.ready().await.unwrap();
    let reply = Reply::read(
        sender
            .send_request(echo(Version::HTTP_11, "round trip"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-length"), "10");
    assert_eq!(reply.text(), "round trip");

    // The router's own answers, on the same connection too.
    sender.ready().await.unwrap();
    let options = Request::builder()
        .method(Method::OPTIONS)
        .uri("/echo")
        .header(header::HOST, "localhost")
        .body(Full::default())
        .unwrap();
    let reply = Reply::read(sender.send_request(options).await.unwrap()).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(reply.header("allow"), "POST,OPTIONS");
    assert_eq!(reply.text(), "");

    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn h2c_serves_many_concurrent_streams_on_one_connection() {
    let (addr, accepted) = serve_with_hyper_util().await;
    let stream = TcpStream::connect(addr).await.unwrap();
    let (sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);

    let requests: Vec<_> = (0..100)
        .map(|n| {
            let mut sender = sender.clone();
            tokio::spawn(async move {
                sender.ready().await.unwrap();
                Reply::read(sender.send_request(item(Version::HTTP_2, n)).await.unwrap()).await
            })
        })
        .collect();
    for (n, request) in requests.into_iter().enumerate() {
        let reply = request.await.unwrap();
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.version, Version::HTTP_2);
        assert_eq!(reply.header("content-type"), "text/plain; charset=utf-8");
        assert_eq!(reply.header("access-control-allow-origin"), "*");
        assert_eq!(reply.text(), format!("item {n} over HTTP/2.0"));
    }

    let mut sender = sender;
    sender.ready().await.unwrap();
    let reply = Reply::read(
        sender
            .send_request(echo(Version::HTTP_2, "over h2c"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.version, Version::HTTP_2);
    assert_eq!(reply.text(), "over h2c");

    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_pooled_client_reuses_its_connection_to_hyper_util() {
    let (addr, accepted) = serve_with_hyper_util().await;
    let client = silent_tower_compat_tests::http1_client();
    for n in 0..20 {
        let request = silent_tower_compat_tests::get(addr, &format!("/items/{n}"));
        let reply = silent_tower_compat_tests::fetch(&client, request).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.header("content-type"), "text/plain; charset=utf-8");
        // `origin("*")` answers every request alike, with or without `Origin`.
        assert_eq!(reply.header("access-control-allow-origin"), "*");
        assert_eq!(reply.text(), format!("item {n} over HTTP/1.1"));
    }
    let reply =
        silent_tower_compat_tests::fetch(&client, silent_tower_compat_tests::get(addr, "/items/x"))
            .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(
        reply.headers.get("vary").is_none(),
        "origin `*`: the answer is the same for all"
    );
    assert_eq!(reply.text(), "");
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}
