//! The upload app served on a real socket: a browser-like two-field upload is answered field
//! by field, exactly; an upload over the limit is `413`, a field over its own limit `413`
//! naming it, a malformed body `400`, another content type `415`.

use std::future::IntoFuture;
use std::net::SocketAddr;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use silent_tower::http::{header, Request, StatusCode};
use silent_tower_examples::upload::{self, DESCRIPTION_LIMIT, UPLOAD_LIMIT};

const BOUNDARY: &str = "----form-boundary-7MA4YWxk";

async fn start() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(silent_tower::serve(listener, upload::app()).into_future());
    addr
}

/// A text field.
fn text(name: &str, value: &str) -> Vec<u8> {
    format!("--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
        .into_bytes()
}

/// A file field, as a browser sends one.
fn file(name: &str, file_name: &str, content_type: &str, data: &[u8]) -> Vec<u8> {
    let mut part = format!(
        "--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"{name}\"; \
         filename=\"{file_name}\"\r\ncontent-type: {content_type}\r\n\r\n"
    )
    .into_bytes();
    part.extend_from_slice(data);
    part.extend_from_slice(b"\r\n");
    part
}

/// The fields, closed by the final boundary.
fn form(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut body = parts.concat();
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn post(addr: SocketAddr, content_type: &str, body: Vec<u8>) -> (StatusCode, String) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let request = Request::post(format!("http://{addr}/upload"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

fn form_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

#[tokio::test]
async fn the_form_page_posts_multipart_to_upload() {
    let addr = start().await;
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let response = client
        .request(
            Request::get(format!("http://{addr}/"))
                .body(Full::default())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
    let page = response.into_body().collect().await.unwrap().to_bytes();
    let page = String::from_utf8(page.to_vec()).unwrap();
    assert!(page.contains(r#"<form action="/upload" method="post" enctype="multipart/form-data">"#));
    assert!(page.contains(r#"name="description""#) && page.contains(r#"type="file" name="file""#));
}

#[tokio::test]
async fn a_two_field_upload_is_reported_exactly() {
    let addr = start().await;
    // Every byte value, so nothing is taken for text on the way.
    let png: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let body = form(&[
        text("description", "beach, 2026"),
        file("file", "beach.png", "image/png", &png),
    ]);
    let (status, answer) = post(addr, &form_type(), body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer,
        r#"[{"name":"description","file_name":null,"content_type":null,"size":11},"#.to_owned()
            + r#"{"name":"file","file_name":"beach.png","content_type":"image/png","size":70000}]"#
    );
}

#[tokio::test]
async fn an_upload_over_the_limit_is_413() {
    let addr = start().await;
    let body = form(&[file(
        "file",
        "big.bin",
        "application/octet-stream",
        &vec![b'x'; UPLOAD_LIMIT],
    )]);
    assert_eq!(
        post(addr, &form_type(), body).await,
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body larger than {UPLOAD_LIMIT} bytes")
        )
    );
}

#[tokio::test]
async fn a_description_over_its_own_limit_is_413_naming_it() {
    let addr = start().await;
    let long = "x".repeat(DESCRIPTION_LIMIT + 1);
    let body = form(&[text("description", &long)]);
    assert_eq!(
        post(addr, &form_type(), body).await,
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("multipart field `description` larger than {DESCRIPTION_LIMIT} bytes")
        )
    );
    // At the limit, it is read.
    let body = form(&[text("description", &long[1..])]);
    assert_eq!(post(addr, &form_type(), body).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_malformed_upload_is_400_naming_the_fault() {
    let addr = start().await;
    let mut body = form(&[text("description", "notes")]);
    body.truncate(body.len() - 10); // the closing boundary cut short
    assert_eq!(
        post(addr, &form_type(), body).await,
        (
            StatusCode::BAD_REQUEST,
            "invalid `multipart/form-data` body: field \"description\" received with incomplete data"
                .to_owned()
        )
    );
    // A form content type with no boundary to split it by.
    let body = form(&[text("description", "notes")]);
    assert_eq!(
        post(addr, "multipart/form-data", body).await,
        (
            StatusCode::BAD_REQUEST,
            "invalid `boundary` for `multipart/form-data` request".to_owned()
        )
    );
}

#[tokio::test]
async fn another_content_type_is_415() {
    let addr = start().await;
    assert_eq!(
        post(addr, "application/json", br#"{"file":"x"}"#.to_vec()).await,
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected request with `content-type: multipart/form-data`".to_owned()
        )
    );
}
