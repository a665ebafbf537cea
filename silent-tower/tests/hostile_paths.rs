//! Hostile request targets over a real socket, written as raw bytes so that nothing on the client
//! side can tidy them up first: each one gets a clear status, and the server goes on serving.
//!
//! The normalisation rule these tests pin down: **there is none**. The router matches the path
//! byte for byte as the client sent it — still percent-encoded, `..` and `//` included — so
//! `/a/../b` is not `/b` and `//b` is not `/b`. Parameters are percent-decoded only when a handler
//! reads them.

use std::future::IntoFuture;
use std::net::SocketAddr;

use silent_tower::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn name(req: Request) -> Result<String, ParamError> {
    Ok(format!("name {}", req.param_str("name")?))
}

async fn start() -> SocketAddr {
    let app = Router::new()
        .route("/", get(|| async { "ok" }))
        .route("/b", get(|| async { "b" }))
        .route("/a/b", get(|| async { "a/b" }))
        .route(
            "/users/<id:i64>",
            get(|req: Request| async move { format!("id {}", req.param::<i64>("id").unwrap()) }),
        )
        .route("/users/<name>", get(name))
        .route(
            "/small/<n:u32>",
            get(|req: Request| async move { format!("n {}", req.param::<u32>("n").unwrap()) }),
        )
        .route(
            "/files/{*path}",
            get(|req: Request| async move { req.param_str("path").map(|p| p.len().to_string()) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // A head limit twice hyper's URI limit, so that a head with a path near that limit is
    // always read whole (see `Serve::max_header_size`) and the URI limit is what answers.
    tokio::spawn(
        serve(listener, app)
            .max_header_size(128 * 1024)
            .into_future(),
    );
    addr
}

/// Sends `GET <target>` on a new connection and reads the whole answer: status and body.
async fn get_raw(addr: SocketAddr, target: &[u8]) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut request = b"GET ".to_vec();
    request.extend_from_slice(target);
    request.extend_from_slice(b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(&request).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let head_end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(&answer)));
    let head = std::str::from_utf8(&answer[..head_end]).unwrap();
    let status = head
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .unwrap_or_else(|| panic!("not an HTTP/1.1 status line: {head}"))
        .parse()
        .unwrap();
    let length: usize = head
        .lines()
        .find_map(|line| {
            line.to_ascii_lowercase()
                .strip_prefix("content-length: ")?
                .parse()
                .ok()
        })
        .unwrap_or(0);
    let body = answer[head_end + 4..].to_vec();
    assert_eq!(body.len(), length, "{head}");
    (status, body)
}

/// The server still answers a fresh connection.
async fn still_serving(addr: SocketAddr) {
    assert_eq!(get_raw(addr, b"/").await, (200, b"ok".to_vec()));
}

#[tokio::test]
async fn invalid_percent_encoding_is_matched_raw_and_refused_only_when_read() {
    let addr = start().await;
    // `%zz` is no escape: it is kept as it is, both when matching and when decoding.
    assert_eq!(
        get_raw(addr, b"/users/%zz").await,
        (200, b"name %zz".to_vec())
    );
    // `%FF` is an escape, of a byte that is not UTF-8: the handler's `param_str` says 400.
    let (status, body) = get_raw(addr, b"/users/%FF").await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        b"path parameter `name` is not valid UTF-8 once percent-decoded"
    );
    // An escaped digit is not a digit to the typed route: `%31` falls through to `<name>`.
    assert_eq!(
        get_raw(addr, b"/users/%31").await,
        (200, b"name 1".to_vec())
    );
    still_serving(addr).await;
}

#[tokio::test]
async fn raw_non_utf8_bytes_are_refused_by_the_http_parser() {
    let addr = start().await;
    // hyper reads the request line, but `http::Uri` refuses a path that is not UTF-8: 400 before
    // the router is reached.
    let (status, body) = get_raw(addr, b"/users/\xFF").await;
    assert_eq!(status, 400);
    assert!(body.is_empty());
    // Valid UTF-8 sent raw is a path like any other, matched byte for byte.
    let (status, body) = get_raw(addr, "/users/é".as_bytes()).await;
    assert_eq!((status, body), (200, "name é".as_bytes().to_vec()));
    still_serving(addr).await;
}

#[tokio::test]
async fn a_64_kib_path_is_too_long_for_hyper_and_just_under_its_limit_is_routed() {
    let addr = start().await;
    // hyper refuses a request target over 65 534 bytes with 414 URI Too Long.
    let path = format!("/files/{}", "a".repeat(64 * 1024 - "/files/".len()));
    assert_eq!(path.len(), 65_536);
    let (status, body) = get_raw(addr, path.as_bytes()).await;
    assert_eq!(status, 414);
    assert!(body.is_empty());
    let path = format!("/files/{}", "a".repeat(65_534 - "/files/".len()));
    let (status, body) = get_raw(addr, path.as_bytes()).await;
    assert_eq!((status, body), (200, b"65527".to_vec()));
    still_serving(addr).await;
}

#[tokio::test]
async fn ten_thousand_segments_are_one_catch_all_or_a_404() {
    let addr = start().await;
    let segments = "/s".repeat(10_000);
    let (status, body) = get_raw(addr, format!("/files{segments}").as_bytes()).await;
    // The catch-all takes everything after `/files/`: 10 000 segments less the leading `/`.
    assert_eq!((status, body), (200, b"19999".to_vec()));
    assert_eq!(get_raw(addr, segments.as_bytes()).await, (404, Vec::new()));
    assert_eq!(
        get_raw(addr, "/".repeat(10_000).as_bytes()).await,
        (404, Vec::new())
    );
    still_serving(addr).await;
}

#[tokio::test]
async fn dot_dot_and_double_slashes_are_not_normalised() {
    let addr = start().await;
    assert_eq!(get_raw(addr, b"/b").await, (200, b"b".to_vec()));
    assert_eq!(get_raw(addr, b"/a/b").await, (200, b"a/b".to_vec()));
    for target in [
        &b"/a/../b"[..],
        b"/a/./b",
        b"//b",
        b"/a//b",
        b"/b/",
        b"/a/b/..",
        b"/%2E%2E/b",
    ] {
        let shown = String::from_utf8_lossy(target);
        assert_eq!(get_raw(addr, target).await, (404, Vec::new()), "{shown}");
    }
    // Under a catch-all, `..` is just bytes of the captured value: the handler sees it as sent.
    let (status, body) = get_raw(addr, b"/files/../../etc/passwd").await;
    assert_eq!((status, body), (200, b"16".to_vec()));
    still_serving(addr).await;
}

#[tokio::test]
async fn an_integer_that_overflows_its_type_falls_through() {
    let addr = start().await;
    assert_eq!(
        get_raw(addr, b"/users/9223372036854775807").await,
        (200, b"id 9223372036854775807".to_vec())
    );
    // Past i64::MAX the typed route does not match, and `<name>` beside it takes the segment.
    assert_eq!(
        get_raw(addr, b"/users/9223372036854775808").await,
        (200, b"name 9223372036854775808".to_vec())
    );
    assert_eq!(
        get_raw(addr, b"/small/4294967295").await,
        (200, b"n 4294967295".to_vec())
    );
    // With no untyped route beside it, past u32::MAX is a 404, never a 400 or a panic.
    assert_eq!(get_raw(addr, b"/small/4294967296").await, (404, Vec::new()));
    assert_eq!(get_raw(addr, b"/small/-1").await, (404, Vec::new()));
    still_serving(addr).await;
}
