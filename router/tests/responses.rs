//! The response types beside `IntoResponse`: `Html`, `Redirect`, header arrays in response
//! tuples, `Body::from_stream` and server-sent events — each with the exact status, headers and
//! bytes it promises. SSE timing runs on paused tokio time, so every instant asserted is exact.

#[path = "../../layers/tests/support/counting_alloc.rs"]
mod counting_alloc;

use std::convert::Infallible;
use std::io;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use http::header::{self, HeaderName, HeaderValue};
use http::{Response, StatusCode};
use http_body::Body as _;
use http_body_util::BodyExt;
use silent_tower_router::sse::{Event, InvalidEventField, KeepAlive, Sse};
use silent_tower_router::{AppendHeaders, Body, BoxError, Html, IntoResponse, Redirect};
use tokio::time::Instant;

#[global_allocator]
static ALLOC: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc;

async fn bytes(response: Response<Body>) -> Bytes {
    response.into_body().collect().await.unwrap().to_bytes()
}

/// All values of `name`, in order.
fn all(response: &Response<Body>, name: HeaderName) -> Vec<&str> {
    response
        .headers()
        .get_all(name)
        .iter()
        .map(|value| value.to_str().unwrap())
        .collect()
}

// ---- Html -----------------------------------------------------------------------------------

#[tokio::test]
async fn html_is_a_200_with_the_html_content_type_and_the_bytes_given() {
    for response in [
        Html("<h1>hi</h1>").into_response(),
        Html(String::from("<h1>hi</h1>")).into_response(),
        Html(Bytes::from_static(b"<h1>hi</h1>")).into_response(),
    ] {
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers().len(), 1);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        assert_eq!(bytes(response).await, "<h1>hi</h1>");
    }
}

// ---- Redirect -------------------------------------------------------------------------------

#[tokio::test]
async fn redirects_answer_their_status_a_location_and_no_body() {
    for (redirect, status) in [
        (Redirect::to("/login?next=%2F"), StatusCode::SEE_OTHER),
        (
            Redirect::temporary("/login?next=%2F"),
            StatusCode::TEMPORARY_REDIRECT,
        ),
        (
            Redirect::permanent("/login?next=%2F"),
            StatusCode::PERMANENT_REDIRECT,
        ),
    ] {
        assert_eq!(redirect.status(), status);
        assert_eq!(redirect.location().unwrap(), "/login?next=%2F");
        let response = redirect.into_response();
        assert_eq!(response.status(), status);
        assert_eq!(response.headers().len(), 1);
        assert_eq!(response.headers()[header::LOCATION], "/login?next=%2F");
        assert_eq!(bytes(response).await, "");
    }
}

#[tokio::test]
async fn a_redirect_to_an_invalid_location_answers_500_and_never_sends_it() {
    for redirect in [
        Redirect::to("/a\r\nset-cookie: session=stolen"),
        Redirect::temporary("/a\0"),
        Redirect::permanent("/a\x7f"),
    ] {
        assert_eq!(redirect.location(), None);
        let response = redirect.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response.headers().get(header::LOCATION), None);
        assert_eq!(response.headers().get(header::SET_COOKIE), None);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
        assert_eq!(
            bytes(response).await,
            "redirect location is not a valid header value"
        );
    }
}

// ---- headers in response tuples -------------------------------------------------------------

#[tokio::test]
async fn a_header_array_replaces_the_bodys_content_type_and_keeps_the_status() {
    let response = (
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "text/csv")],
        String::from("a,b\n1,2\n"),
    )
        .into_response();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(all(&response, header::CONTENT_TYPE), ["text/csv"]);
    assert_eq!(response.headers().len(), 1);
    assert_eq!(bytes(response).await, "a,b\n1,2\n");
}

#[tokio::test]
async fn names_and_values_may_be_typed_or_text_and_text_names_are_lower_cased() {
    let response = (
        [("x-one", "1"), ("X-Two", "2"), ("content-type", "text/csv")],
        "body",
    )
        .into_response();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-one"], "1");
    assert_eq!(response.headers()["x-two"], "2");
    assert_eq!(all(&response, header::CONTENT_TYPE), ["text/csv"]);
    assert_eq!(response.headers().len(), 3);

    let typed = (
        [(
            HeaderName::from_static("x-typed"),
            HeaderValue::from_static("yes"),
        )],
        (),
    )
        .into_response();
    assert_eq!(typed.headers()["x-typed"], "yes");

    let owned = (
        StatusCode::ACCEPTED,
        [(String::from("X-Owned"), String::from("caf\u{e9}"))],
        (),
    )
        .into_response();
    assert_eq!(owned.status(), StatusCode::ACCEPTED);
    assert_eq!(
        owned.headers()["x-owned"].as_bytes(),
        "caf\u{e9}".as_bytes()
    );
}

#[tokio::test]
async fn a_name_listed_twice_keeps_both_values_and_replaces_the_inner_ones() {
    let inner = (
        [(header::SET_COOKIE, "old=1"), (header::VARY, "origin")],
        "hi",
    );
    let response = (
        [(header::SET_COOKIE, "a=1"), (header::SET_COOKIE, "b=2")],
        inner,
    )
        .into_response();
    assert_eq!(all(&response, header::SET_COOKIE), ["a=1", "b=2"]);
    assert_eq!(all(&response, header::VARY), ["origin"]);
}

#[tokio::test]
async fn append_headers_replaces_nothing() {
    let inner = ([(header::SET_COOKIE, "old=1")], "hi");
    let cookies = vec![(header::SET_COOKIE, "a=1"), (header::SET_COOKIE, "b=2")];
    let response = (StatusCode::OK, AppendHeaders(cookies), inner).into_response();
    assert_eq!(all(&response, header::SET_COOKIE), ["old=1", "a=1", "b=2"]);
    assert_eq!(bytes(response).await, "hi");
}

#[tokio::test]
async fn an_invalid_header_answers_500_naming_it_whatever_the_tuple() {
    let cases: Vec<(Response<Body>, &str)> = vec![
        (
            ([("bad name", "x")], "hi").into_response(),
            r#"invalid response header name "bad name""#,
        ),
        (
            ([(String::from("bad\nname"), "x")], "hi").into_response(),
            r#"invalid response header name "bad\nname""#,
        ),
        (
            (
                StatusCode::CREATED,
                [("x-ok", "fine"), ("x-note", "one\ntwo")],
                "hi",
            )
                .into_response(),
            r#"invalid value for response header "x-note""#,
        ),
        (
            (
                [(header::LOCATION, String::from("/a\r\nx: y"))],
                StatusCode::FOUND,
            )
                .into_response(),
            r#"invalid value for response header "location""#,
        ),
        (
            (AppendHeaders([("x-a", "1"), ("x-b", "\u{7f}")]), "hi").into_response(),
            r#"invalid value for response header "x-b""#,
        ),
    ];
    for (response, message) in cases {
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response.headers().len(), 1);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
        assert_eq!(bytes(response).await, message);
    }
}

#[test]
fn a_static_header_array_allocates_nothing_beyond_the_map_insertions() {
    let warm = || StatusCode::OK.into_response();
    warm();
    let (by_hand, by_hand_count, _) = counting_alloc::count(|| {
        let mut response = StatusCode::CREATED.into_response();
        response.headers_mut().insert(
            HeaderName::from_static("x-kind"),
            HeaderValue::from_static("demo"),
        );
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv"));
        response
    });
    let (tuple, tuple_count, _) = counting_alloc::count(|| {
        (
            StatusCode::CREATED,
            [("x-kind", "demo"), ("content-type", "text/csv")],
            (),
        )
            .into_response()
    });
    assert_eq!(tuple.headers(), by_hand.headers());
    assert!(by_hand_count > 0, "the map's insertions allocate");
    assert_eq!(tuple_count, by_hand_count);
}

// ---- Body::from_stream ----------------------------------------------------------------------

#[tokio::test]
async fn from_stream_yields_each_chunk_as_one_frame_in_order() {
    let chunks = stream::iter([
        Ok::<_, Infallible>(Bytes::from_static(b"one ")),
        Ok(Bytes::from(String::from("two "))),
        Ok(Bytes::from_static(b"three")),
    ]);
    let mut body = Body::from_stream(chunks);
    for expected in ["one ", "two ", "three"] {
        let frame = body.frame().await.unwrap().unwrap();
        assert_eq!(frame.into_data().unwrap(), expected);
    }
    assert!(body.frame().await.is_none());
    assert!(body.is_end_stream());
}

#[tokio::test]
async fn from_stream_takes_any_chunk_into_bytes_and_ends_with_the_streams_error() {
    let chunks = stream::iter([
        Ok::<&'static str, io::Error>("ok"),
        Err(io::Error::other("disk gone")),
        Ok("never sent"),
    ]);
    let mut body = Body::from_stream(chunks);
    assert_eq!(
        body.frame().await.unwrap().unwrap().into_data().unwrap(),
        "ok"
    );
    let error: BoxError = body.frame().await.unwrap().unwrap_err();
    assert_eq!(error.to_string(), "disk gone");
    assert!(body.frame().await.is_none());
    assert!(body.is_end_stream());
}

// ---- SSE: the wire format -------------------------------------------------------------------

#[test]
fn data_becomes_one_data_line_per_line_whatever_the_line_break() {
    assert_eq!(
        Event::default().data("one\ntwo\r\nthree\rfour").to_bytes(),
        "data: one\ndata: two\ndata: three\ndata: four\n\n"
    );
    assert_eq!(
        Event::default().data("last\n").to_bytes(),
        "data: last\ndata:\n\n"
    );
    assert_eq!(Event::default().data("").to_bytes(), "data:\n\n");
    assert_eq!(
        Event::default().data("a").data("b").to_bytes(),
        "data: a\ndata: b\n\n"
    );
    assert_eq!(
        Event::default().data(" leading").to_bytes(),
        "data:  leading\n\n"
    );
}

#[test]
fn event_id_and_retry_are_written_in_call_order() {
    assert_eq!(
        Event::new()
            .event("update")
            .id("42")
            .retry(Duration::from_millis(2500))
            .data("{}")
            .to_bytes(),
        "event: update\nid: 42\nretry: 2500\ndata: {}\n\n"
    );
}

#[test]
fn comments_are_colon_lines() {
    assert_eq!(Event::default().comment("hi").to_bytes(), ":hi\n\n");
    assert_eq!(
        Event::default().comment("a\nb").data("x").to_bytes(),
        ":a\n:b\ndata: x\n\n"
    );
}

#[cfg(feature = "json")]
#[test]
fn json_data_is_one_compact_data_line() {
    let event = Event::default()
        .json_data(serde_json::json!({ "text": "two\nlines" }))
        .unwrap();
    assert_eq!(event.to_bytes(), "data: {\"text\":\"two\\nlines\"}\n\n");
}

#[test]
fn line_breaks_in_event_or_id_are_refused_by_the_try_methods() {
    let refused = |result: Result<Event, InvalidEventField>| result.unwrap_err().to_string();
    assert_eq!(
        refused(Event::default().try_event("a\nb")),
        "an SSE `event` must not contain a line break"
    );
    assert_eq!(
        refused(Event::default().try_event("a\rb")),
        "an SSE `event` must not contain a line break"
    );
    for id in ["1\n2", "1\r", "1\0-2"] {
        assert_eq!(
            refused(Event::default().try_id(id)),
            "an SSE `id` must not contain a line break or a NUL"
        );
    }
    assert_eq!(
        Event::default().try_id("7").unwrap().to_bytes(),
        "id: 7\n\n"
    );
}

#[test]
#[should_panic(expected = "an SSE `event` must not contain a line break: \"a\\ndata: x\"")]
fn event_panics_on_a_line_break() {
    let _ = Event::default().event("a\ndata: x");
}

#[test]
#[should_panic(expected = "an SSE `id` must not contain a line break or a NUL: \"1\\r\"")]
fn id_panics_on_a_line_break() {
    let _ = Event::default().id("1\r");
}

// ---- SSE: the response ----------------------------------------------------------------------

#[tokio::test]
async fn sse_answers_event_stream_headers_and_one_frame_per_event() {
    let events = stream::iter([
        Ok::<_, Infallible>(Event::default().data("first")),
        Ok(Event::default().event("second").id("2").data("a\nb")),
    ]);
    let response = Sse::new(events).into_response();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers().len(), 2);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
    let mut body = response.into_body();
    assert_eq!(next_data(&mut body).await.unwrap(), "data: first\n\n");
    assert_eq!(
        next_data(&mut body).await.unwrap(),
        "event: second\nid: 2\ndata: a\ndata: b\n\n"
    );
    assert_eq!(next_data(&mut body).await, None);
    assert!(body.is_end_stream());
}

async fn next_data(body: &mut Body) -> Option<Bytes> {
    let frame = body.frame().await?;
    Some(frame.unwrap().into_data().unwrap())
}

#[tokio::test]
async fn a_stream_error_ends_the_body_with_an_error_frame() {
    let events = stream::iter([
        Ok(Event::default().data("before")),
        Err(io::Error::other("feed lost")),
        Ok(Event::default().data("never sent")),
    ]);
    let mut body = Sse::new(events).into_response().into_body();
    assert_eq!(next_data(&mut body).await.unwrap(), "data: before\n\n");
    let error = body.frame().await.unwrap().unwrap_err();
    assert_eq!(error.to_string(), "feed lost");
    assert!(body.frame().await.is_none());
    assert!(body.is_end_stream());
}

#[tokio::test(start_paused = true)]
async fn an_idle_stream_sends_a_keep_alive_every_interval() {
    let events = stream::pending::<Result<Event, Infallible>>();
    let keep_alive = KeepAlive::new()
        .interval(Duration::from_secs(10))
        .text("ping");
    let mut body = Sse::new(events)
        .keep_alive(keep_alive)
        .into_response()
        .into_body();
    let start = Instant::now();
    assert_eq!(next_data(&mut body).await.unwrap(), ":ping\n\n");
    assert_eq!(start.elapsed(), Duration::from_secs(10));
    assert_eq!(next_data(&mut body).await.unwrap(), ":ping\n\n");
    assert_eq!(start.elapsed(), Duration::from_secs(20));
}

#[tokio::test(start_paused = true)]
async fn the_default_keep_alive_is_an_empty_comment_after_15_seconds() {
    let events = stream::pending::<Result<Event, Infallible>>();
    let mut body = Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
        .into_body();
    let start = Instant::now();
    assert_eq!(next_data(&mut body).await.unwrap(), ":\n\n");
    assert_eq!(start.elapsed(), Duration::from_secs(15));
}

#[tokio::test(start_paused = true)]
async fn no_keep_alive_goes_out_while_events_flow() {
    // An event every 4 s, three times, then silence; keep-alive after 5 s of silence.
    let events = stream::unfold(0, |n| async move {
        if n == 3 {
            return None;
        }
        tokio::time::sleep(Duration::from_secs(4)).await;
        Some((
            Ok::<_, Infallible>(Event::default().data(n.to_string())),
            n + 1,
        ))
    })
    .chain(stream::pending());
    let mut body = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(5)))
        .into_response()
        .into_body();
    let start = Instant::now();
    let mut seen = Vec::new();
    for _ in 0..5 {
        let data = next_data(&mut body).await.unwrap();
        seen.push((start.elapsed().as_secs(), data));
    }
    assert_eq!(
        seen,
        [
            (4, Bytes::from("data: 0\n\n")),
            (8, Bytes::from("data: 1\n\n")),
            (12, Bytes::from("data: 2\n\n")),
            (17, Bytes::from(":\n\n")),
            (22, Bytes::from(":\n\n")),
        ]
    );
}
