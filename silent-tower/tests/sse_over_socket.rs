//! Server-sent events from a `Router` behind `serve` on a real socket, read by hyper's client
//! frame by frame while the stream stays open: what an `EventSource` sees on the wire.

use std::convert::Infallible;
use std::future::IntoFuture;

use futures_util::stream::{self, StreamExt};
use http::{header, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use silent_tower::prelude::*;
use silent_tower::sse::Event;

async fn events() -> impl IntoResponse {
    let first = Event::default().data("hello\nworld");
    let second = Event::default().event("tick").id("2").data("2");
    // Two events, then an open stream with nothing more to say.
    let events = stream::iter([Ok::<_, Infallible>(first), Ok(second)]).chain(stream::pending());
    Sse::new(events)
}

#[tokio::test]
async fn the_first_two_events_arrive_while_the_stream_stays_open() {
    let app = Router::new().route("/events", get(events));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app).into_future());

    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let request = http::Request::get(format!("http://{addr}/events"))
        .body(Empty::new())
        .unwrap();
    let response = client.request(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
    assert_eq!(response.headers()[header::TRANSFER_ENCODING], "chunked");

    let expected = "data: hello\ndata: world\n\nevent: tick\nid: 2\ndata: 2\n\n";
    let mut body = response.into_body();
    let mut received = Vec::new();
    // The body never ends, so read frames until both events are in; chunk boundaries on the
    // wire are not promised, only the bytes.
    while received.len() < expected.len() {
        let frame = body.frame().await.unwrap().unwrap();
        received.extend_from_slice(&frame.into_data().unwrap());
    }
    assert_eq!(String::from_utf8(received).unwrap(), expected);
}
