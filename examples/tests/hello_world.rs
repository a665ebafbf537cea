//! The hello-world app served on a real socket and asked by a real HTTP client.

use std::future::IntoFuture;
use std::net::SocketAddr;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use silent_tower::http::{self, header, Request, StatusCode};
use silent_tower_examples::hello_world;

async fn start() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(silent_tower::serve(listener, hello_world::app()).into_future());
    addr
}

async fn get(addr: SocketAddr, path: &str) -> (StatusCode, http::HeaderMap, String) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let request = Request::get(format!("http://{addr}{path}"))
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
async fn hello_world_answers_thirteen_bytes_of_text() {
    let addr = start().await;
    let (status, headers, body) = get(addr, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "Hello, World!");
    assert_eq!(headers[header::CONTENT_LENGTH], "13");
    assert_eq!(headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
}

#[tokio::test]
async fn the_user_route_answers_json_from_the_typed_param_and_the_query() {
    let addr = start().await;
    let (status, headers, body) = get(addr, "/users/42?fields=name%2Cemail").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(body, r#"{"id":42,"fields":"name,email"}"#);
    let (_, _, body) = get(addr, "/users/-7").await;
    assert_eq!(body, r#"{"id":-7,"fields":null}"#);
    // Not an i64: no route matches.
    let (status, _, _) = get(addr, "/users/abc").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
