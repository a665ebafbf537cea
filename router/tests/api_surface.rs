//! The smaller pieces of the public API, each with the exact value it promises: every
//! `IntoResponse` conversion, `Body`'s recognised types and its frame accounting, the `Debug`
//! output users print while debugging a route table, and the method router's accessors.

use std::borrow::Cow;
use std::convert::Infallible;

use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body::Body as _;
use http_body_util::{BodyExt, Empty, Full};
use silent_tower_router::{
    any_service, get, handler_fn, on_service, Body, IntoResponse, MethodRouter, RequestExt,
    RouteError, Router,
};
use tower::{service_fn, ServiceExt};

async fn parts(response: Response<Body>) -> (StatusCode, Option<HeaderValue>, Bytes) {
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (
        parts.status,
        parts.headers.get(header::CONTENT_TYPE).cloned(),
        bytes,
    )
}

const TEXT: &str = "text/plain; charset=utf-8";
const OCTETS: &str = "application/octet-stream";

#[tokio::test]
async fn every_into_response_conversion_sets_the_status_type_and_body_it_documents() {
    let text = |bytes: &'static str| {
        (
            StatusCode::OK,
            Some(HeaderValue::from_static(TEXT)),
            Bytes::from(bytes),
        )
    };
    let octets = |bytes: &'static [u8]| {
        (
            StatusCode::OK,
            Some(HeaderValue::from_static(OCTETS)),
            Bytes::from(bytes),
        )
    };

    assert_eq!(
        parts(Cow::<'static, str>::Borrowed("hi").into_response()).await,
        text("hi")
    );
    assert_eq!(
        parts(Cow::<'static, str>::Owned("hi".into()).into_response()).await,
        text("hi")
    );
    assert_eq!(
        parts(Bytes::from_static(b"\x00\x01").into_response()).await,
        octets(b"\x00\x01")
    );
    assert_eq!(
        parts(vec![0u8, 1].into_response()).await,
        octets(b"\x00\x01")
    );
    assert_eq!(
        parts((&b"\x00\x01"[..]).into_response()).await,
        octets(b"\x00\x01")
    );
    assert_eq!(
        parts(().into_response()).await,
        (StatusCode::OK, None, Bytes::new())
    );
    assert_eq!(
        parts(Body::from("raw").into_response()).await,
        (StatusCode::OK, None, Bytes::from("raw"))
    );

    let mut headers = HeaderMap::new();
    headers.insert("x-answer", HeaderValue::from_static("42"));
    let response = (headers.clone(), "hi").into_response();
    assert_eq!(response.headers()["x-answer"], "42");
    assert_eq!(parts(response).await, text("hi"));
    let response = (StatusCode::CREATED, headers, "made").into_response();
    assert_eq!(response.headers()["x-answer"], "42");
    assert_eq!(
        parts(response).await,
        (
            StatusCode::CREATED,
            Some(HeaderValue::from_static(TEXT)),
            Bytes::from("made")
        )
    );
}

#[tokio::test]
async fn a_response_of_any_body_keeps_its_bytes_and_known_bodies_are_not_boxed() {
    let full = Response::new(Full::new(Bytes::from("full"))).into_response();
    assert_eq!(parts(full).await.2, "full");
    let stream = Body::new(OneChunk(Some(Bytes::from("chunk"))));
    assert_eq!(format!("{stream:?}"), "Body::Stream(..)");

    let kept = |body: Body| format!("{body:?}");
    assert_eq!(
        kept(Body::new(String::from("text"))),
        r#"Body::Full(Some(b"text"))"#
    );
    assert_eq!(
        kept(Body::new(Body::from("body"))),
        r#"Body::Full(Some(b"body"))"#
    );
    assert_eq!(kept(Body::new(Empty::<Bytes>::new())), "Body::Empty");
    assert_eq!(
        kept(Body::new(Full::new(Bytes::from("full")))),
        r#"Body::Full(Some(b"full"))"#
    );
    assert_eq!(kept(Body::from(())), "Body::Empty");
    assert_eq!(
        kept(Body::from(&b"static"[..])),
        r#"Body::Full(Some(b"static"))"#
    );
}

#[tokio::test]
async fn body_reports_emptiness_end_of_stream_and_size_for_each_kind() {
    let empty = Body::empty();
    assert!(empty.is_empty() && empty.is_end_stream());
    assert_eq!(empty.size_hint().exact(), Some(0));

    let mut full = Body::from(Bytes::from_static(b"four"));
    assert!(!full.is_empty() && !full.is_end_stream());
    assert_eq!(full.size_hint().exact(), Some(4));
    let frame = full.frame().await.unwrap().unwrap();
    assert_eq!(frame.into_data().unwrap(), "four");
    assert!(full.is_empty() && full.is_end_stream());
    assert_eq!(full.size_hint().exact(), Some(0));
    assert_eq!(format!("{full:?}"), "Body::Full(None)");
    assert!(full.frame().await.is_none());
    assert!(Body::from(Vec::new()).is_empty());

    let stream = Body::new(OneChunk(Some(Bytes::from("a"))));
    assert!(!stream.is_empty() && !stream.is_end_stream());
    assert_eq!(stream.size_hint().exact(), None);
    assert_eq!(stream.collect().await.unwrap().to_bytes(), "a");

    let sized = Body::new(Full::new(Bytes::from("sized")));
    assert_eq!(sized.size_hint().exact(), Some(5));
    assert!(!sized.is_end_stream());
}

/// A body of one chunk that does not know its size in advance, as a stream would.
struct OneChunk(Option<Bytes>);

impl http_body::Body for OneChunk {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        std::task::Poll::Ready(self.0.take().map(|bytes| Ok(http_body::Frame::data(bytes))))
    }
}

#[tokio::test]
async fn debug_output_names_routes_allowed_methods_and_captures() {
    let app: Router = Router::default()
        .route("/users/<id:i64>", get(|| async { "" }))
        .route("/files/{*path}", get(|| async { "" }).post(|| async { "" }));
    assert_eq!(
        format!("{app:?}"),
        r#"Router { routes: ["/users/<id:i64>", "/files/{*path}"], .. }"#
    );
    let methods = get(|| async { "" }).post(|| async { "" });
    assert_eq!(
        format!("{methods:?}"),
        r#"MethodRouter { allow: "GET,HEAD,POST,OPTIONS", .. }"#
    );
    assert_eq!(methods.allowed_methods(), "GET,HEAD,POST,OPTIONS");
    assert_eq!(MethodRouter::default().allowed_methods(), "OPTIONS");
    let handler = format!("{:?}", handler_fn(|| async { "" }));
    assert!(
        handler.starts_with(r#"HandlerService { handler: "api_surface::"#)
            && handler.contains("{{closure}}"),
        "{handler}"
    );

    let probe = |req: Request<()>| async move {
        let params = req.path_params().unwrap();
        assert_eq!((params.len(), params.is_empty()), (1, false));
        format!("{params:?}")
    };
    let app = Router::<(), ()>::with_body().route("/users/<id:i64>", get(probe));
    let response = app
        .oneshot(Request::get("/users/7").body(()).unwrap())
        .await
        .unwrap();
    let debug = parts(response).await.2;
    let expected = r#"PathParams { route: "/users/<id:i64>", names: ["id"], captures: ["#;
    assert!(debug.starts_with(expected.as_bytes()), "{debug:?}");
}

#[tokio::test]
async fn service_forms_route_like_handler_forms() {
    let answer = |text: &'static str| {
        service_fn(move |_: Request<()>| async move { Ok::<_, Infallible>(text.into_response()) })
    };
    let app = Router::<(), ()>::with_body()
        .route("/any", any_service(answer("any")))
        .route("/on", on_service(Method::PATCH, answer("patch")))
        .route(
            "/each",
            MethodRouter::new()
                .get_service(answer("get"))
                .post_service(answer("post"))
                .put_service(answer("put"))
                .delete_service(answer("delete"))
                .patch_service(answer("patch"))
                .options_service(answer("options"))
                .trace_service(answer("trace"))
                .connect_service(answer("connect"))
                .head_service(answer("head")),
        );
    let send = |method: Method, path: &'static str| {
        let app = app.clone();
        async move {
            let request = Request::builder()
                .method(method)
                .uri(path)
                .body(())
                .unwrap();
            let response = app.oneshot(request).await.unwrap();
            let status = response.status();
            (status, parts(response).await.2)
        }
    };
    assert_eq!(
        send(Method::DELETE, "/any").await,
        (StatusCode::OK, Bytes::from("any"))
    );
    assert_eq!(
        send(Method::PATCH, "/on").await,
        (StatusCode::OK, Bytes::from("patch"))
    );
    assert_eq!(
        send(Method::GET, "/on").await.0,
        StatusCode::METHOD_NOT_ALLOWED
    );
    for (method, body) in [
        (Method::GET, "get"),
        (Method::POST, "post"),
        (Method::PUT, "put"),
        (Method::DELETE, "delete"),
        (Method::PATCH, "patch"),
        (Method::OPTIONS, "options"),
        (Method::TRACE, "trace"),
        (Method::CONNECT, "connect"),
    ] {
        assert_eq!(
            send(method.clone(), "/each").await,
            (StatusCode::OK, Bytes::from(body)),
            "{method}"
        );
    }
    // A routed HEAD answers itself, without its body: a HEAD answer never carries one.
    assert_eq!(
        send(Method::HEAD, "/each").await,
        (StatusCode::OK, Bytes::new())
    );
}

#[test]
#[should_panic(expected = "MethodRouter: `any` is routed twice on the same path")]
fn routing_any_twice_on_one_path_is_refused() {
    let _ = MethodRouter::new()
        .any(|| async { "a" })
        .any(|| async { "b" });
}

#[test]
fn a_malformed_route_is_invalid_not_a_conflict_and_a_bad_param_names_itself() {
    let err: RouteError = Router::<(), ()>::with_body()
        .try_route("/users/{id", get(|| async { "" }))
        .unwrap_err();
    assert_eq!(err.route(), "/users/{id");
    assert_eq!(err.conflicts_with(), None);

    let req = Request::new(());
    let missing = req.param::<i64>("id").unwrap_err();
    assert_eq!(missing.name(), "id");
}

/// A layer that tags every response, to see which endpoints it reached.
#[derive(Clone)]
struct Tag;

impl<S> tower::Layer<S> for Tag {
    type Service = tower::util::MapResponse<S, fn(Response<Body>) -> Response<Body>>;

    fn layer(&self, inner: S) -> Self::Service {
        tower::util::MapResponse::new(inner, |mut response: Response<Body>| {
            response
                .headers_mut()
                .insert("x-tag", HeaderValue::from_static("1"));
            response
        })
    }
}

#[tokio::test]
async fn a_layer_reaches_every_endpoint_of_a_wide_and_nested_tree() {
    let nested = Router::<(), ()>::with_body()
        .route("/a", get(|| async { "a" }))
        .route("/b", get(|| async { "b" }))
        .fallback_service(handler_fn(|| async {
            (StatusCode::IM_A_TEAPOT, "nested fallback")
        }));
    let app = Router::<(), ()>::with_body()
        .route("/1", get(|| async { "1" }))
        .route("/2", get(|| async { "2" }))
        .route("/3", get(|| async { "3" }))
        .nest("/n", nested)
        .route("/4", get(|| async { "4" }))
        .layer(Tag);
    for (path, status) in [
        ("/1", 200),
        ("/2", 200),
        ("/3", 200),
        ("/4", 200),
        ("/n/a", 200),
        ("/n/b", 200),
        ("/n/zzz", 418),
        ("/missing", 404),
    ] {
        let response = app
            .clone()
            .oneshot(Request::get(path).body(()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{path}");
        assert_eq!(response.headers()["x-tag"], "1", "{path}");
    }
}

#[cfg(feature = "json")]
#[tokio::test]
async fn json_that_cannot_be_serialised_answers_500_with_the_reason() {
    let map: std::collections::HashMap<(u8, u8), u8> = [((1, 2), 3)].into();
    let response = silent_tower_router::Json(map).into_response();
    assert_eq!(
        parts(response).await,
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            Some(HeaderValue::from_static(TEXT)),
            Bytes::from("failed to serialise the JSON response: key must be a string")
        )
    );
}
