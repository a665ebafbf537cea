//! The router behind `serve` on a real socket, asked by hyper's client: what a user sees on the
//! wire.

use std::future::IntoFuture;
use std::net::SocketAddr;

use http::{header, Method, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use silent_tower::prelude::*;

async fn user(req: Request) -> Result<String, ParamError> {
    let id: i64 = req.param("id")?;
    Ok(format!("user #{id}"))
}

async fn start() -> SocketAddr {
    let app = Router::new()
        .route("/", get(|| async { "Hello, World!" }))
        .route(
            "/users/<id:i64>",
            get(user).delete(|| async { StatusCode::NO_CONTENT }),
        )
        .route(
            "/files/{*path}",
            get(|req: Request| async move { req.param_str("path").map(|path| path.into_owned()) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app).into_future());
    addr
}

async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
) -> (StatusCode, http::HeaderMap, String) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let request = http::Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"))
        .body(Empty::new())
        .unwrap();
    let response = client.request(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

#[tokio::test]
async fn get_root_answers_hello_world() {
    let addr = start().await;
    let (status, headers, body) = send(addr, Method::GET, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "Hello, World!");
    assert_eq!(headers[header::CONTENT_LENGTH], "13");
}

#[tokio::test]
async fn typed_params_methods_and_head_on_the_wire() {
    let addr = start().await;
    assert_eq!(send(addr, Method::GET, "/users/42").await.2, "user #42");
    assert_eq!(
        send(addr, Method::DELETE, "/users/42").await.0,
        StatusCode::NO_CONTENT
    );
    let (status, headers, body) = send(addr, Method::PUT, "/users/42").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[header::ALLOW], "GET,HEAD,DELETE,OPTIONS");
    assert_eq!(body, "");
    let (status, headers, body) = send(addr, Method::HEAD, "/users/7").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_LENGTH], "7");
    assert_eq!(body, "");
    assert_eq!(
        send(addr, Method::GET, "/users/x").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(addr, Method::GET, "/files/a/b%20c.txt").await.2,
        "a/b c.txt"
    );
}

#[tokio::test]
async fn head_answers_keep_the_length_get_sends_on_the_wire() {
    // The router drops `HEAD` bodies itself now (an explicit `HEAD` handler's too): hyper must
    // still send the length `GET` sends, not `0`.
    let app = Router::new()
        .route(
            "/page",
            get(|| async { "the page itself" }).head(|| async { "same length, head" }),
        )
        .route("/known", get(|| async { "thirteen byte" }))
        .route("/empty", get(|| async {}))
        .route_service(
            "/svc",
            tower::service_fn(|_: Request| async {
                Ok::<_, std::convert::Infallible>(Response::new(Body::from("from a service")))
            }),
        )
        .route_layer(tower::util::MapRequestLayer::new(|req: Request| req));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app).into_future());
    for (path, length) in [
        ("/page", "17"),
        ("/known", "13"),
        ("/empty", "0"),
        ("/svc", "14"),
    ] {
        let (status, head_headers, body) = send(addr, Method::HEAD, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(body, "", "{path}");
        assert_eq!(head_headers[header::CONTENT_LENGTH], length, "HEAD {path}");
        assert!(
            !head_headers.contains_key(header::TRANSFER_ENCODING),
            "{path}"
        );
    }
    // `GET` sends what its `HEAD` announced.
    for (path, length) in [("/known", "13"), ("/empty", "0"), ("/svc", "14")] {
        let (_, headers, body) = send(addr, Method::GET, path).await;
        assert_eq!(headers[header::CONTENT_LENGTH], length, "GET {path}");
        assert_eq!(body.len().to_string(), length, "GET {path}");
    }
}
