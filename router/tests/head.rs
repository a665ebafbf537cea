//! A `HEAD` answer never carries a body, in process too — whoever answers it: a `HEAD` handler,
//! `GET`'s, `any`, a service, a fallback, a route's layer — and keeps the length the body had in
//! `Content-Length` when it was known.

use std::convert::Infallible;

use bytes::Bytes;
use http::{header, HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, StreamBody};
use silent_tower_router::{any, get, head, Body, Router};
use tower::{Service, ServiceExt};

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

async fn send<S>(app: S, method: Method, uri: &str) -> Answer
where
    S: Service<Request<()>, Response = Response<Body>, Error = Infallible>,
{
    let request = Request::builder().method(method).uri(uri).body(()).unwrap();
    let response = app.oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: body.collect().await.unwrap().to_bytes(),
    }
}

/// A body whose length is not known in advance: two chunks from a stream.
fn streamed() -> Body {
    let chunks = futures_util::stream::iter([
        Ok::<_, Infallible>(http_body::Frame::data(Bytes::from("ab"))),
        Ok(http_body::Frame::data(Bytes::from("cd"))),
    ]);
    Body::new(StreamBody::new(chunks))
}

fn length(answer: &Answer) -> Option<&str> {
    answer
        .headers
        .get(header::CONTENT_LENGTH)
        .map(|value| value.to_str().unwrap())
}

#[tokio::test]
async fn an_explicit_head_handler_loses_its_body_and_keeps_its_length() {
    let app = Router::<(), ()>::with_body().route(
        "/page",
        get(|| async { "the page itself" }).head(|| async { ([("x-head", "1")], "eleven char") }),
    );
    let answer = send(app.clone(), Method::HEAD, "/page").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "");
    assert_eq!(length(&answer), Some("11"));
    assert_eq!(answer.headers["x-head"], "1");
    // `GET` is untouched.
    let answer = send(app, Method::GET, "/page").await;
    assert_eq!(answer.body, "the page itself");
}

#[tokio::test]
async fn a_head_handler_that_sets_its_length_keeps_it() {
    // The usual shape: no body, the length `GET` would send.
    let app = Router::<(), ()>::with_body().route(
        "/file",
        head(|| async { ([(header::CONTENT_LENGTH, "4096")], ()) }),
    );
    let answer = send(app, Method::HEAD, "/file").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "");
    assert_eq!(length(&answer), Some("4096"));
}

#[tokio::test]
async fn get_answering_head_keeps_the_length_get_sends() {
    let app = Router::<(), ()>::with_body()
        .route("/known", get(|| async { "thirteen byte" }))
        .route("/empty", get(|| async {}))
        .route("/stream", get(|| async { streamed() }))
        .route(
            "/gone",
            get(|| async { (StatusCode::NOT_FOUND, "no such thing") }),
        )
        .route("/any", any(|| async { "three" }));
    let get = send(app.clone(), Method::GET, "/known").await;
    assert_eq!(get.body, "thirteen byte");
    let answer = send(app.clone(), Method::HEAD, "/known").await;
    assert_eq!(
        (answer.status, &answer.body[..]),
        (StatusCode::OK, &b""[..])
    );
    assert_eq!(length(&answer), Some("13"));
    assert_eq!(
        answer.headers[header::CONTENT_TYPE],
        "text/plain; charset=utf-8"
    );

    let answer = send(app.clone(), Method::HEAD, "/empty").await;
    assert_eq!(answer.body, "");
    assert_eq!(length(&answer), Some("0"));

    // A length not known in advance is not made up.
    let answer = send(app.clone(), Method::HEAD, "/stream").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "");
    assert_eq!(length(&answer), None);

    let answer = send(app.clone(), Method::HEAD, "/gone").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.body, "");
    assert_eq!(length(&answer), Some("13"));

    let answer = send(app, Method::HEAD, "/any").await;
    assert_eq!(
        (answer.status, &answer.body[..]),
        (StatusCode::OK, &b""[..])
    );
    assert_eq!(length(&answer), Some("5"));
}

#[tokio::test]
async fn services_fallbacks_and_nested_routers_answer_head_without_a_body() {
    let echo = tower::service_fn(|_: Request<()>| async {
        Ok::<_, Infallible>(Response::new(Body::from("from a service")))
    });
    let inner = Router::<(), ()>::with_body()
        .route("/known", get(|| async { "inner" }))
        .route("/stream", get(|| async { streamed() }));
    let app = Router::<(), ()>::with_body()
        .route_service("/svc", echo)
        .nest_service("/nested", inner.clone())
        .nest("/flat", inner)
        .fallback(|| async { (StatusCode::NOT_FOUND, "nothing here") });
    for (uri, status, expected) in [
        ("/svc", StatusCode::OK, Some("14")),
        ("/nested/known", StatusCode::OK, Some("5")),
        ("/flat/known", StatusCode::OK, Some("5")),
        // Dropped inside the nested router, and not taken for an empty body outside it.
        ("/nested/stream", StatusCode::OK, None),
        ("/nowhere", StatusCode::NOT_FOUND, Some("12")),
    ] {
        let answer = send(app.clone(), Method::HEAD, uri).await;
        assert_eq!(answer.status, status, "{uri}");
        assert_eq!(answer.body, "", "{uri}");
        assert_eq!(length(&answer), expected, "{uri}");
    }
}

#[tokio::test]
async fn a_route_layers_own_answer_to_head_has_no_body() {
    // A layer that answers on its own, as an authorisation layer does.
    let deny = tower::util::MapResponseLayer::new(|_: Response<Body>| {
        let mut denied = Response::new(Body::from("denied"));
        *denied.status_mut() = StatusCode::UNAUTHORIZED;
        denied
    });
    let app = Router::<(), ()>::with_body()
        .route("/a", get(|| async { "hello" }))
        .route("/stream", get(|| async { streamed() }))
        .route_layer(deny);
    let answer = send(app.clone(), Method::HEAD, "/a").await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.body, "");
    assert_eq!(length(&answer), Some("6"));
    let answer = send(app, Method::HEAD, "/stream").await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.body, "");
    assert_eq!(length(&answer), Some("6"));
}

#[tokio::test]
async fn a_layer_around_a_streamed_head_answer_does_not_make_up_a_length() {
    let app = Router::<(), ()>::with_body()
        .route("/stream", get(|| async { streamed() }))
        .layer(tower::util::MapRequestLayer::new(|req: Request<()>| req));
    let answer = send(app, Method::HEAD, "/stream").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "");
    assert_eq!(length(&answer), None);
}
