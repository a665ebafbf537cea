//! The static-files example served on a real socket: `ServeDir` nested under `/static` in our
//! `Router` refuses every way out of its directory, and answers ranges, conditional requests and
//! precompressed files as HTTP says.

use std::future::IntoFuture;
use std::io::Read;
use std::net::SocketAddr;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use silent_tower::http::{header, HeaderMap, Request, StatusCode};
use silent_tower_examples::static_files;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn start() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = static_files::app(static_files::assets_dir());
    tokio::spawn(silent_tower::serve(listener, app).into_future());
    addr
}

/// `GET path` with `headers`, through hyper's client.
async fn get(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Bytes) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let mut request = Request::get(format!("http://{addr}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = client
        .request(request.body(Empty::new()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    (
        parts.status,
        parts.headers,
        body.collect().await.unwrap().to_bytes(),
    )
}

/// `GET target` written byte for byte on a fresh connection — no client between the test and
/// the server to normalise or refuse the request target — and the whole answer, read to the
/// end: its status and everything it carried.
async fn raw_get(addr: SocketAddr, target: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {target} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP/1.1 answer to {target:?}: {answer:?}"));
    (status, answer)
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(static_files::assets_dir().join(path)).unwrap()
}

#[tokio::test]
async fn files_index_and_root_redirect() {
    let addr = start().await;
    let (status, headers, body) = get(addr, "/static/hello.txt", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/plain");
    assert_eq!(headers[header::CONTENT_LENGTH], "26");
    assert_eq!(body, "Hello from a static file!\n");

    let (status, headers, body) = get(addr, "/static/", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html");
    assert_eq!(body, read("index.html"));

    let (status, headers, _) = get(addr, "/", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/static/");

    // The prefix alone is the directory's root; a query (a cache-buster) does not matter; the
    // path reaches `ServeDir` still percent-encoded, and it decodes it.
    let (status, _, body) = get(addr, "/static", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, read("index.html"));
    let (status, _, body) = get(addr, "/static/hello.txt?v=3", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "Hello from a static file!\n");
    let (status, _, body) = get(addr, "/static/hello%2Etxt", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "Hello from a static file!\n");

    let (status, _, body) = get(addr, "/static/missing.txt", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.is_empty());
}

/// Every request target that tries to leave `assets/` for `examples/static-files/main.rs` or
/// `examples/Cargo.toml` is refused, and neither file's content is ever in the answer.
#[tokio::test]
async fn traversal_attempts_are_refused() {
    let addr = start().await;
    // The files the attempts aim at exist, and the raw client does read files that are served.
    let main_rs = std::fs::read_to_string(static_files::assets_dir().join("../main.rs")).unwrap();
    let cargo_toml_path = static_files::assets_dir().join("../../Cargo.toml");
    let cargo_toml = std::fs::read_to_string(&cargo_toml_path).unwrap();
    let (status, answer) = raw_get(addr, "/static/hello.txt").await;
    assert_eq!(status, 200);
    assert!(
        answer.ends_with("\r\n\r\nHello from a static file!\n"),
        "{answer}"
    );

    let absolute = cargo_toml_path.canonicalize().unwrap();
    let absolute = absolute.to_str().unwrap();
    let encoded_absolute = absolute.replace('/', "%2f");
    let attempts: Vec<(String, u16)> = vec![
        // Plain dot-dot segments.
        ("/static/../main.rs".into(), 404),
        ("/static/../../Cargo.toml".into(), 404),
        ("/static/./../main.rs".into(), 404),
        ("/static/hello.txt/../../main.rs".into(), 404),
        ("/static/..".into(), 404),
        // Percent-encoded dots.
        ("/static/%2e%2e/main.rs".into(), 404),
        ("/static/%2E%2E/%2E%2E/Cargo.toml".into(), 404),
        ("/static/.%2e/main.rs".into(), 404),
        // Encoded slashes.
        ("/static/..%2fmain.rs".into(), 404),
        ("/static/%2e%2e%2f%2e%2e%2fCargo.toml".into(), 404),
        ("/static/..%2Fmain.rs".into(), 404),
        // Backslashes, raw and encoded.
        ("/static/..\\main.rs".into(), 404),
        ("/static/..\\..\\Cargo.toml".into(), 404),
        ("/static/..%5cmain.rs".into(), 404),
        ("/static/%5c..%5c..%5cCargo.toml".into(), 404),
        // Absolute paths, raw and with encoded slashes.
        (format!("/static/{absolute}"), 404),
        (format!("/static/{encoded_absolute}"), 404),
        (format!("/static{encoded_absolute}"), 404),
    ];
    for (target, expected) in attempts {
        let (status, answer) = raw_get(addr, &target).await;
        assert_eq!(status, expected, "{target}: {answer}");
        assert!(
            !answer.contains("fn main()"),
            "{target} leaked main.rs: {answer}"
        );
        assert!(
            !answer.contains("[package]"),
            "{target} leaked Cargo.toml: {answer}"
        );
        assert!(!answer.contains(&main_rs[..40]), "{target}");
        assert!(!answer.contains(&cargo_toml[..40]), "{target}");
    }
}

#[tokio::test]
async fn ranges_answer_206_with_the_exact_bytes() {
    let addr = start().await;
    let (status, headers, body) = get(addr, "/static/hello.txt", &[("range", "bytes=6-9")]).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(headers[header::CONTENT_RANGE], "bytes 6-9/26");
    assert_eq!(headers[header::CONTENT_LENGTH], "4");
    assert_eq!(body, "from");

    let (status, headers, body) = get(addr, "/static/hello.txt", &[("range", "bytes=-6")]).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(headers[header::CONTENT_RANGE], "bytes 20-25/26");
    assert_eq!(body, "file!\n");

    let (status, headers, _) = get(addr, "/static/hello.txt", &[("range", "bytes=100-200")]).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(headers[header::CONTENT_RANGE], "bytes */26");
}

#[tokio::test]
async fn etag_and_last_modified_answer_304() {
    let addr = start().await;
    let (status, headers, _) = get(addr, "/static/hello.txt", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let etag = headers[header::ETAG].to_str().unwrap().to_owned();
    let last_modified = headers[header::LAST_MODIFIED].to_str().unwrap().to_owned();

    let (status, headers, body) = get(addr, "/static/hello.txt", &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(headers[header::ETAG], etag.as_str());
    assert!(body.is_empty());

    let (status, _, body) = get(
        addr,
        "/static/hello.txt",
        &[("if-none-match", "\"some-other-version\"")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "Hello from a static file!\n");

    let (status, _, body) = get(
        addr,
        "/static/hello.txt",
        &[("if-modified-since", &last_modified)],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());

    let (status, _, _) = get(
        addr,
        "/static/hello.txt",
        &[("if-modified-since", "Fri, 09 Aug 1996 14:21:40 GMT")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn gzip_clients_get_the_precompressed_file() {
    let addr = start().await;
    let (status, headers, body) =
        get(addr, "/static/style.css", &[("accept-encoding", "gzip")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    assert_eq!(headers[header::CONTENT_TYPE], "text/css");
    assert_eq!(body, read("style.css.gz"));
    let mut css = Vec::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_end(&mut css)
        .unwrap();
    assert_eq!(css, read("style.css"));

    let (status, headers, body) = get(addr, "/static/style.css", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(body, read("style.css"));

    // A file without a `.gz` beside it goes out as it is, whatever the client accepts.
    let (status, headers, body) =
        get(addr, "/static/hello.txt", &[("accept-encoding", "gzip")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(body, "Hello from a static file!\n");
}
