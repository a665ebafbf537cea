//! The templates example on a real socket: HTML with its content type, and hostile input
//! printed as text, never as markup.

use std::future::IntoFuture;
use std::net::SocketAddr;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use silent_tower::http::{header, HeaderMap, Request, StatusCode};
use silent_tower_examples::templates;

async fn start() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(silent_tower::serve(listener, templates::app()).into_future());
    addr
}

async fn get(addr: SocketAddr, path: &str) -> (StatusCode, HeaderMap, String) {
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
async fn the_page_is_html_rendered_from_the_templates() {
    let addr = start().await;
    let (status, headers, body) = get(addr, "/?name=Ferris").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert!(body.starts_with("<!doctype html>"), "{body}");
    assert!(body.contains("<title>Hello, Ferris</title>"), "{body}");
    assert!(body.contains("<h1>Hello, Ferris!</h1>"), "{body}");
    assert!(
        body.contains(r#"<input name="name" value="Ferris">"#),
        "{body}"
    );
    assert_eq!(body.matches("<li>").count(), 6, "{body}");
    assert!(body.contains("<li>F</li>"), "{body}");

    let (status, _, body) = get(addr, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<h1>Hello, world!</h1>"), "{body}");
}

#[tokio::test]
async fn hostile_input_is_escaped_in_text_and_in_attributes() {
    let addr = start().await;
    // <script>alert("x")</script> & 'y' "><img src=x onerror=alert(1)>
    let query = "%3Cscript%3Ealert(%22x%22)%3C%2Fscript%3E%20%26%20%27y%27%20%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E";
    let (status, headers, body) = get(addr, &format!("/?name={query}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;&#x2f;script&gt; &amp; &#x27;y&#x27; \
                   &quot;&gt;&lt;img src=x onerror=alert(1)&gt;";
    assert!(
        body.contains(&format!("<h1>Hello, {escaped}!</h1>")),
        "{body}"
    );
    assert!(
        body.contains(&format!("<title>Hello, {escaped}</title>")),
        "{body}"
    );
    assert!(
        body.contains(&format!(r#"<input name="name" value="{escaped}">"#)),
        "{body}"
    );
    // Letter by letter too: each `<`, `&`, quote is its entity inside its own `<li>`.
    for entity in [
        "<li>&lt;</li>",
        "<li>&gt;</li>",
        "<li>&amp;</li>",
        "<li>&quot;</li>",
        "<li>&#x27;</li>",
    ] {
        assert!(body.contains(entity), "{entity} in {body}");
    }
    // Nothing the user sent became markup.
    assert!(!body.contains("<script"), "{body}");
    assert!(!body.contains("<img"), "{body}");
    assert!(!body.contains(r#"alert("x")"#), "{body}");
    assert!(!body.contains("'y'"), "{body}");
}
