//! `MapRejectionLayer` around a router behind `serve`, as a client sees it: every rejection in
//! the app's JSON error format, with the status it always had; a handler's own answer untouched.
#![cfg(feature = "json")]

use std::future::IntoFuture;
use std::net::SocketAddr;

use http::header::CONTENT_TYPE;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize};
use silent_tower::extract::rejection::Rejection;
use silent_tower::middleware::{MapRejection, MapRejectionLayer};
use silent_tower::prelude::*;
use tower::Layer;

#[derive(Deserialize)]
struct Todo {
    title: String,
}

/// The app's error body.
#[derive(Serialize)]
struct ApiError {
    error: &'static str,
    message: String,
}

/// The app-wide error format: every rejection as an `ApiError`.
fn api_error(rejection: Rejection) -> (StatusCode, Json<ApiError>) {
    let body = ApiError {
        error: rejection.kind(),
        message: rejection.to_string(),
    };
    (rejection.status(), Json(body))
}

type App = MapRejection<Router, fn(Rejection) -> (StatusCode, Json<ApiError>)>;

fn app() -> App {
    let router = Router::new()
        .route(
            "/todos/{id}",
            get(|Path(id): Path<u64>| async move { format!("todo {id}") }),
        )
        .route(
            "/todos",
            post(|Json(todo): Json<Todo>| async move { todo.title }),
        )
        .route(
            "/gone",
            get(|| async { (StatusCode::GONE, "handler's own") }),
        )
        .body_limit(16);
    MapRejectionLayer::new(api_error as fn(Rejection) -> _).layer(router)
}

async fn start(app: App) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app).into_future());
    addr
}

/// Sends a request, answering the status, the content type and the body.
async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    body: &'static str,
) -> (StatusCode, String, String) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let request = http::Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"))
        .header(CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let status = response.status();
    let content_type = response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        content_type,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

#[tokio::test]
async fn rejections_reach_the_client_in_the_apps_format_and_other_answers_do_not() {
    let addr = start(app()).await;
    let json = "application/json".to_owned();
    assert_eq!(
        send(addr, Method::GET, "/todos/abc", "").await,
        (
            StatusCode::BAD_REQUEST,
            json.clone(),
            r#"{"error":"path_parse","message":"cannot parse path parameter `id` value \"abc\" as u64: invalid digit found in string"}"#
                .to_owned()
        )
    );
    let (status, content_type, body) = send(addr, Method::POST, "/todos", "{").await;
    assert_eq!((status, &content_type), (StatusCode::BAD_REQUEST, &json));
    assert!(
        body.starts_with(r#"{"error":"json_syntax","message":"#),
        "{body}"
    );
    let (status, content_type, body) = send(
        addr,
        Method::POST,
        "/todos",
        r#"{"title": "seventeen bytes+"}"#,
    )
    .await;
    assert_eq!(
        (status, &content_type),
        (StatusCode::PAYLOAD_TOO_LARGE, &json)
    );
    assert_eq!(
        body,
        r#"{"error":"body_too_large","message":"request body larger than 16 bytes"}"#
    );
    assert_eq!(
        send(addr, Method::GET, "/gone", "").await,
        (
            StatusCode::GONE,
            "text/plain; charset=utf-8".to_owned(),
            "handler's own".to_owned()
        )
    );
}
