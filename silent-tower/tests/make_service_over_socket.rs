//! axum's make-service spellings on a real socket: `serve(listener, app.into_make_service())`,
//! a handler's `into_make_service()`, and `into_make_service_with_connect_info::<SocketAddr>()`
//! under an accept loop of hyper-util's, where each connection's requests read the client's
//! address as `ConnectInfo`.

use std::future::IntoFuture;
use std::net::SocketAddr;

use http::{Method, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use silent_tower::extract::ConnectInfo;
use silent_tower::handler::HandlerWithoutStateExt;
use silent_tower::routing::get;
use silent_tower::{serve, Router};
use tower::Service;

async fn send(addr: SocketAddr, path: &str) -> (StatusCode, String) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let request = http::Request::builder()
        .method(Method::GET)
        .uri(format!("http://{addr}{path}"))
        .body(Empty::new())
        .unwrap();
    let response = client.request(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

async fn listener() -> (tokio::net::TcpListener, SocketAddr) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

#[tokio::test]
async fn serve_takes_a_router_as_a_make_service_as_axum_writes_it() {
    let app = Router::new().route("/", get(|| async { "root" })).route(
        "/users/{id}",
        get(
            |silent_tower::extract::Path(id): silent_tower::extract::Path<u32>| async move {
                format!("user {id}")
            },
        ),
    );
    let (listener, addr) = listener().await;
    tokio::spawn(serve(listener, app.into_make_service()).into_future());

    assert_eq!(send(addr, "/").await, (StatusCode::OK, "root".to_owned()));
    assert_eq!(
        send(addr, "/users/7").await,
        (StatusCode::OK, "user 7".to_owned())
    );
    assert_eq!(send(addr, "/nope").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn serve_takes_a_handler_as_a_make_service() {
    async fn pong() -> &'static str {
        "pong"
    }
    let (listener, addr) = listener().await;
    tokio::spawn(serve(listener, pong.into_make_service()).into_future());

    // A handler alone answers every path and method.
    assert_eq!(
        send(addr, "/any/path").await,
        (StatusCode::OK, "pong".to_owned())
    );
}

async fn whoami(ConnectInfo(client): ConnectInfo<SocketAddr>) -> String {
    client.to_string()
}

/// An accept loop of hyper-util's that asks the make-service for one service per connection,
/// with the client's address: what a server that takes a make-service does.
async fn accept_with_make_service<M, S>(listener: tokio::net::TcpListener, mut make: M)
where
    M: Service<SocketAddr, Response = S, Error = std::convert::Infallible>,
    S: Service<http::Request<hyper::body::Incoming>, Response = http::Response<silent_tower::Body>>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Into<silent_tower::BoxError>,
{
    loop {
        let (stream, peer) = listener.accept().await.unwrap();
        let service = make.call(peer).await.unwrap();
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
                .await;
        });
    }
}

#[tokio::test]
async fn a_router_with_connect_info_gives_each_connection_its_client_address() {
    let app = Router::new().route("/whoami", get(whoami));
    let (listener, addr) = listener().await;
    tokio::spawn(accept_with_make_service(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    ));

    // The client's own address, as the server saw it: read it from a connection of our own.
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let client_addr = stream.local_addr().unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let response = sender
        .send_request(
            http::Request::get("/whoami")
                .header("host", addr.to_string())
                .body(Empty::<Bytes>::new())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, client_addr.to_string());
}

#[tokio::test]
async fn a_handler_with_connect_info_reads_the_client_address() {
    let (listener, addr) = listener().await;
    tokio::spawn(accept_with_make_service(
        listener,
        whoami.into_make_service_with_connect_info::<SocketAddr>(),
    ));
    let (status, body) = send(addr, "/").await;
    assert_eq!(status, StatusCode::OK);
    let seen: SocketAddr = body.parse().unwrap();
    assert!(seen.ip().is_loopback(), "{seen}");
    assert_ne!(seen.port(), addr.port());
}
