//! Two origins: a page served from one, whose script `fetch`es JSON from an API on the other.
//!
//! Two ports on the same host are two origins (`http://127.0.0.1:3000` and
//! `http://127.0.0.1:3001`), so the browser lets the page read the API's answers only if the API
//! says so in CORS headers. The page's request is *credentialed* (`credentials: "include"`, so
//! cookies go with it) and carries a custom `x-demo` header, so before it the browser sends a
//! *preflight* `OPTIONS` asking whether it may. The API's [`CorsLayer`] answers that preflight
//! itself and adds the permission headers to the handler's response:
//!
//! | browser sends | [`api`] answers |
//! |---|---|
//! | `OPTIONS /api/greeting`, `Origin: <page>`, `Access-Control-Request-Method: GET`, `Access-Control-Request-Headers: x-demo` | `204`, `Access-Control-Allow-Origin: <page>`, `-Allow-Credentials: true`, `-Allow-Headers: x-demo`, `-Max-Age: 600`, `Vary` (from the layer; the handler never runs) |
//! | `GET /api/greeting`, `Origin: <page>`, `x-demo: …`, `Cookie: …` | `200`, the JSON, `Access-Control-Allow-Origin: <page>`, `-Allow-Credentials: true`, `-Expose-Headers: x-served-by`, `Vary: origin` |
//!
//! A page from any other origin gets no `Access-Control-*` headers, so its browser refuses it the
//! response and its `fetch` rejects with a `TypeError`.
//!
//! The page writes what happened into its `<output id="result">`: `ok <served-by> <json>`, or
//! `failed <error>`. `compat-tests/tests/browser_cors.rs` loads it in headless Chromium and reads
//! that element, so the browser, not our code, judges the headers.

use std::convert::Infallible;
use std::net::SocketAddr;

use hyper::body::Bytes;
use serde::Serialize;
use silent_tower::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use silent_tower::prelude::*;
use tower::Layer;
use tower_service::Service;

/// The API's one route.
pub const GREETING_PATH: &str = "/api/greeting";

/// The custom request header the page sends, which makes its request need a preflight.
pub const DEMO_HEADER: HeaderName = HeaderName::from_static("x-demo");

/// A response header the API sends and exposes to the page.
pub const SERVED_BY_HEADER: HeaderName = HeaderName::from_static("x-served-by");

/// The origin a browser sends for pages served from `addr` over plain HTTP:
/// `http://127.0.0.1:3000`.
pub fn origin(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// The JSON the API answers with: what reached it, so the page can show that the custom header
/// and the cookie made it across.
#[derive(Debug, Serialize)]
pub struct Greeting {
    /// Always `hello from the API`.
    pub message: &'static str,
    /// The request's `x-demo` header, if any.
    pub x_demo: Option<String>,
    /// The request's `Cookie` header, if any: present only when the browser sent credentials.
    pub cookie: Option<String>,
}

/// `GET /api/greeting`.
pub async fn greeting(request: Request) -> (HeaderMap, Json<Greeting>) {
    let text = |name| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let greeting = Greeting {
        message: "hello from the API",
        x_demo: text(DEMO_HEADER),
        cookie: text(header::COOKIE),
    };
    let mut headers = HeaderMap::new();
    headers.insert(SERVED_BY_HEADER, HeaderValue::from_static("silent-tower"));
    (headers, Json(greeting))
}

/// The CORS policy of the API: only `page_origin` may read it, with credentials and the `x-demo`
/// header; the page may read the `x-served-by` response header; browsers may cache the
/// preflight answer for ten minutes.
pub fn cors(page_origin: &str) -> CorsLayer {
    CorsLayer::new()
        .origin(page_origin)
        .headers([DEMO_HEADER.as_str()])
        .expose([SERVED_BY_HEADER.as_str()])
        .credentials(true)
        .max_age(600)
}

/// The API server's app: [`greeting`] behind [`cors`]`(page_origin)`.
pub fn api(
    page_origin: &str,
) -> impl Service<Request, Response = Response, Error = Infallible, Future = impl Send + 'static>
       + Clone
       + Send
       + Sync
       + 'static {
    cors(page_origin).layer(Router::new().route(GREETING_PATH, get(greeting)))
}

/// The page server's app: at `/`, a page whose script fetches `http://<api>/api/greeting`.
pub fn page(
    api: SocketAddr,
) -> impl Service<Request, Response = Response, Error = Infallible, Future = impl Send + 'static>
       + Clone
       + Send
       + Sync
       + 'static {
    // Built once; each response clones the `Bytes`, a reference-count increment. A `SocketAddr`
    // prints as digits, dots, colons and brackets, so it needs no escaping inside the script.
    let html = Bytes::from(PAGE.replace("{api}", &origin(api)));
    Router::new().route(
        "/",
        get(move || async move {
            let mut response = Response::new(Body::from(html));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            response
        }),
    )
}

/// The page, with `{api}` standing for the API's origin.
const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>silent-tower CORS demo</title>
</head>
<body>
<h1>silent-tower CORS demo</h1>
<p>This page asks <code>{api}/api/greeting</code>, another origin, for JSON, with credentials
and an <code>x-demo</code> header.</p>
<output id="result">pending</output>
<script>
  const result = document.getElementById("result");
  // Cookies are per host, not per port: the API on the other port receives this one, but only
  // because the fetch below includes credentials.
  document.cookie = "demo_session=from-the-page; path=/; SameSite=Lax";
  fetch("{api}/api/greeting", {
    credentials: "include",
    headers: { "x-demo": "sent-by-the-page" },
  })
    .then(async (response) => {
      const servedBy = response.headers.get("x-served-by");
      const body = await response.text();
      result.textContent = "ok " + servedBy + " " + body;
    })
    .catch((error) => {
      result.textContent = "failed " + error.name + ": " + error.message;
    });
</script>
</body>
</html>
"#;
