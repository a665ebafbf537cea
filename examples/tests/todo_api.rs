//! The todo-api app served on a real socket: each route, each error, the nested layer.

use std::future::IntoFuture;
use std::net::SocketAddr;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use silent_tower::http::{header, HeaderMap, Method, Request, StatusCode};
use silent_tower_examples::todo_api;

async fn start() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(silent_tower::serve(listener, todo_api::app()).into_future());
    addr
}

/// Sends `body` (as JSON when there is one) and answers the status, headers and body text.
async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    body: Option<&'static str>,
) -> (StatusCode, HeaderMap, String) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut request = Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"));
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let request = request
        .body(Full::new(Bytes::from_static(
            body.unwrap_or_default().as_bytes(),
        )))
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

async fn create(addr: SocketAddr, body: &'static str) -> (StatusCode, HeaderMap, String) {
    send(addr, Method::POST, "/api/v1/todos", Some(body)).await
}

#[tokio::test]
async fn create_answers_201_with_a_location_that_serves_the_todo() {
    let addr = start().await;
    let (status, headers, body) = create(addr, r#"{"title":"write docs"}"#).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(headers[header::LOCATION], "/api/v1/todos/1");
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(body, r#"{"id":1,"title":"write docs","done":false}"#);

    let (status, _, body) = send(addr, Method::GET, "/api/v1/todos/1", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, r#"{"id":1,"title":"write docs","done":false}"#);

    let (_, headers, _) = create(addr, r#"{"title":"test"}"#).await;
    assert_eq!(headers[header::LOCATION], "/api/v1/todos/2");
}

#[tokio::test]
async fn the_list_is_paginated_ten_per_page_by_default() {
    let addr = start().await;
    let titles = [
        r#"{"title":"t1"}"#,
        r#"{"title":"t2"}"#,
        r#"{"title":"t3"}"#,
        r#"{"title":"t4"}"#,
        r#"{"title":"t5"}"#,
        r#"{"title":"t6"}"#,
        r#"{"title":"t7"}"#,
        r#"{"title":"t8"}"#,
        r#"{"title":"t9"}"#,
        r#"{"title":"t10"}"#,
        r#"{"title":"t11"}"#,
        r#"{"title":"t12"}"#,
    ];
    for title in titles {
        assert_eq!(create(addr, title).await.0, StatusCode::CREATED);
    }
    let ids = |body: &str| -> Vec<u64> {
        body.split("\"id\":")
            .skip(1)
            .map(|rest| rest.split(',').next().unwrap().parse().unwrap())
            .collect()
    };

    let (status, headers, body) = send(addr, Method::GET, "/api/v1/todos", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(ids(&body), (1..=10).collect::<Vec<_>>());

    let (_, _, body) = send(addr, Method::GET, "/api/v1/todos?page=2", None).await;
    assert_eq!(
        body,
        r#"[{"id":11,"title":"t11","done":false},{"id":12,"title":"t12","done":false}]"#
    );
    let path = "/api/v1/todos?page=2&per_page=5";
    let (_, _, body) = send(addr, Method::GET, path, None).await;
    assert_eq!(ids(&body), [6, 7, 8, 9, 10]);
    let (_, _, body) = send(addr, Method::GET, "/api/v1/todos?page=4", None).await;
    assert_eq!(body, "[]");

    let (status, _, body) = send(addr, Method::GET, "/api/v1/todos?page=two", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        "invalid query string: query parameter `page` is not a valid integer (u64)"
    );
}

#[tokio::test]
async fn update_changes_the_given_fields_and_delete_removes_the_todo() {
    let addr = start().await;
    create(addr, r#"{"title":"write docs"}"#).await;

    let done = Some(r#"{"done":true}"#);
    let (status, _, body) = send(addr, Method::PATCH, "/api/v1/todos/1", done).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, r#"{"id":1,"title":"write docs","done":true}"#);
    let title = Some(r#"{"title":"write more docs"}"#);
    let (_, _, body) = send(addr, Method::PATCH, "/api/v1/todos/1", title).await;
    assert_eq!(body, r#"{"id":1,"title":"write more docs","done":true}"#);
    let (_, _, body) = send(addr, Method::GET, "/api/v1/todos", None).await;
    assert_eq!(body, r#"[{"id":1,"title":"write more docs","done":true}]"#);

    let (status, _, body) = send(addr, Method::DELETE, "/api/v1/todos/1", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(body, "");
    let (status, _, body) = send(addr, Method::GET, "/api/v1/todos/1", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, r#"{"error":"no todo with id 1"}"#);
    let (_, _, body) = send(addr, Method::GET, "/api/v1/todos", None).await;
    assert_eq!(body, "[]");
}

#[tokio::test]
async fn a_missing_todo_answers_404_in_json() {
    let addr = start().await;
    let not_found = r#"{"error":"no todo with id 7"}"#;
    for method in [Method::GET, Method::DELETE] {
        let (status, headers, body) = send(addr, method, "/api/v1/todos/7", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
        assert_eq!(body, not_found);
    }
    let done = Some(r#"{"done":true}"#);
    let (status, _, body) = send(addr, Method::PATCH, "/api/v1/todos/7", done).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, not_found);
}

#[tokio::test]
async fn an_empty_title_answers_422_in_json_and_stores_nothing() {
    let addr = start().await;
    let (status, headers, body) = create(addr, r#"{"title":"  "}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(body, r#"{"error":"title is empty"}"#);

    create(addr, r#"{"title":"write docs"}"#).await;
    let empty = Some(r#"{"title":""}"#);
    let (status, _, body) = send(addr, Method::PATCH, "/api/v1/todos/1", empty).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body, r#"{"error":"title is empty"}"#);
    let (_, _, body) = send(addr, Method::GET, "/api/v1/todos", None).await;
    assert_eq!(body, r#"[{"id":1,"title":"write docs","done":false}]"#);
}

#[tokio::test]
async fn bad_json_answers_the_rejection_in_the_same_json_format() {
    let addr = start().await;
    let (status, headers, body) = create(addr, r#"{"title":"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(
        body,
        r#"{"error":"invalid JSON: EOF while parsing a value at line 1 column 9"}"#
    );

    let (status, _, body) = create(addr, r#"{"name":"write docs"}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body,
        r#"{"error":"JSON does not fit: missing field `title` at line 1 column 21"}"#
    );

    let (status, _, body) = send(addr, Method::POST, "/api/v1/todos", None).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        body,
        r#"{"error":"expected request with `content-type: application/json`"}"#
    );
}

#[tokio::test]
async fn the_api_answers_through_its_request_id_layer_and_only_the_api_does() {
    let addr = start().await;
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let request = Request::get(format!("http://{addr}/api/v1/todos"))
        .header("x-request-id", "trace-42")
        .body(Full::default())
        .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-request-id"], "trace-42");

    let (_, headers, _) = send(addr, Method::GET, "/api/v1/todos/9", None).await;
    let id = headers["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));

    // Outside `/api/v1`, the layer is not in the way.
    let (status, headers, body) = send(addr, Method::GET, "/todos", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(headers.get("x-request-id").is_none());
    assert_eq!(body, "");
}
