//! Rejections as data: every rejection has a status, a stable kind and a message, and
//! `MapRejectionLayer` around a router answers all of them in one format of the app's own — for
//! every route, nested and merged routers, layers and `ParamError` — while statuses stay what
//! they were and other error responses are left alone.

#![cfg(feature = "json")]

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use serde::Deserialize;
use silent_tower_router::extract::rejection::Rejection;
use silent_tower_router::extract::{Path, Query};
use silent_tower_router::middleware::{MapRejection, MapRejectionLayer};
use silent_tower_router::{get, post, Body, Json, ParamError, RequestExt, Router};
use tower::{Layer, ServiceExt};

type Req = Request<Full<Bytes>>;

#[derive(Deserialize)]
struct NewUser {
    name: String,
    #[allow(dead_code)]
    age: u32,
}

#[derive(Deserialize)]
struct Search {
    page: u32,
}

async fn create(Json(user): Json<NewUser>) -> String {
    user.name
}

async fn show(Path(id): Path<u64>) -> String {
    format!("user {id}")
}

async fn typed(req: Request<Full<Bytes>>) -> Result<String, ParamError> {
    Ok(format!("item {}", req.param::<i64>("id")?))
}

async fn search(Query(q): Query<Search>) -> String {
    format!("page {}", q.page)
}

async fn upload(body: Bytes) -> String {
    body.len().to_string()
}

/// The routes every test below sends its bad requests to.
fn routes() -> Router<(), Full<Bytes>> {
    Router::<(), Full<Bytes>>::with_body()
        .route("/users", post(create))
        .route("/users/{id}", get(show))
        .route("/items/{id}", get(typed))
        .route("/search", get(search))
        .route("/upload", post(upload).body_limit(8))
        .route(
            "/teapot",
            get(|| async { (StatusCode::BAD_REQUEST, "handler's own") }),
        )
}

/// The app-wide JSON error format: the example of the docs, 5 lines.
fn to_json(rejection: Rejection) -> (StatusCode, Json<serde_json::Value>) {
    let body = serde_json::json!({ "error": rejection.kind(), "message": rejection.message() });
    (rejection.status(), Json(body))
}

type JsonErrors =
    MapRejection<Router<(), Full<Bytes>>, fn(Rejection) -> (StatusCode, Json<serde_json::Value>)>;

fn json_errors(app: Router<(), Full<Bytes>>) -> JsonErrors {
    MapRejectionLayer::new(to_json as fn(Rejection) -> _).layer(app)
}

fn req(method: &str, uri: &str, content_type: Option<&str>, body: &'static str) -> Req {
    let mut builder = Request::builder().method(method).uri(uri);
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    builder
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap()
}

/// Every kind of bad request, with the status and kind it answers.
fn bad_requests() -> Vec<(Req, StatusCode, &'static str)> {
    let json = Some("application/json");
    vec![
        (
            req("POST", "/users", json, "{\"name\": "),
            StatusCode::BAD_REQUEST,
            "json_syntax",
        ),
        (
            req("POST", "/users", json, "{\"name\": \"ada\"}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "json_data",
        ),
        (
            req("POST", "/users", Some("text/plain"), "{}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            req("GET", "/users/abc", None, ""),
            StatusCode::BAD_REQUEST,
            "path_parse",
        ),
        (
            req("GET", "/items/abc", None, ""),
            StatusCode::BAD_REQUEST,
            "param_invalid",
        ),
        (
            req("GET", "/search?page=x", None, ""),
            StatusCode::BAD_REQUEST,
            "query_parse",
        ),
        (
            req("POST", "/upload", None, "more than eight bytes"),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
    ]
}

async fn json_body(response: Response<Body>) -> serde_json::Value {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

async fn text(response: Response<Body>) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn every_rejection_is_answered_in_the_apps_json_format() {
    let app = json_errors(routes());
    for (request, status, kind) in bad_requests() {
        let uri = request.uri().clone();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), status, "{uri}");
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{uri}"
        );
        assert!(
            response.extensions().get::<Rejection>().is_none(),
            "{uri}: mapped once"
        );
        let body = json_body(response).await;
        assert_eq!(body["error"], kind, "{uri}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{uri}: {body}"
        );
    }
}

#[tokio::test]
async fn messages_name_what_was_at_fault() {
    let app = json_errors(routes());
    let cases = [
        (
            req(
                "POST",
                "/users",
                Some("application/json"),
                "{\"name\": \"ada\"}",
            ),
            "age",
        ),
        (req("GET", "/items/abc", None, ""), "`id`"),
        (req("GET", "/search?page=x", None, ""), "page"),
        (
            req("POST", "/upload", None, "more than eight bytes"),
            "8 bytes",
        ),
        (
            req("POST", "/users", Some("text/plain"), "{}"),
            "application/json",
        ),
    ];
    for (request, needle) in cases {
        let body = json_body(app.clone().oneshot(request).await.unwrap()).await;
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(needle), "{message:?} should name {needle}");
    }
}

#[tokio::test]
async fn without_the_layer_statuses_and_text_bodies_are_unchanged_and_the_rejection_rides_along() {
    let app = routes();
    for (request, status, kind) in bad_requests() {
        let uri = request.uri().clone();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), status, "{uri}");
        assert_eq!(
            response.headers()["content-type"],
            "text/plain; charset=utf-8",
            "{uri}"
        );
        let rejection = response.extensions().get::<Rejection>().cloned().unwrap();
        assert_eq!(
            (rejection.status(), rejection.kind()),
            (status, kind),
            "{uri}"
        );
        assert_eq!(text(response).await, rejection.message(), "{uri}");
    }
}

#[tokio::test]
async fn a_handlers_own_error_response_and_successes_are_left_alone() {
    let app = json_errors(routes());
    let response = app
        .clone()
        .oneshot(req("GET", "/teapot", None, ""))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(text(response).await, "handler's own");
    let response = app
        .clone()
        .oneshot(req("GET", "/users/7", None, ""))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(response).await, "user 7");
    // A 404 of the default fallback is no rejection either.
    let response = app.oneshot(req("GET", "/nowhere", None, "")).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(text(response).await, "");
}

#[tokio::test]
async fn nested_and_merged_routers_below_the_layer_are_covered() {
    let inner = Router::<(), Full<Bytes>>::with_body().route("/posts/{id}", get(show));
    let merged = Router::<(), Full<Bytes>>::with_body().route("/merged/{id}", get(show));
    let app = json_errors(
        Router::<(), Full<Bytes>>::with_body()
            .nest("/v1", routes())
            .route("/late/{id}", get(show))
            .nest("/api", inner)
            .merge(merged),
    );
    for uri in ["/late/x", "/api/posts/x", "/v1/users/x", "/merged/x"] {
        let response = app
            .clone()
            .oneshot(req("GET", uri, None, ""))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(json_body(response).await["error"], "path_parse", "{uri}");
    }
}

#[tokio::test]
async fn a_router_under_nest_service_with_a_layer_of_its_own_keeps_its_own_format() {
    let inner = MapRejectionLayer::new(|r: Rejection| (r.status(), format!("inner: {}", r.kind())))
        .layer(routes());
    let app = json_errors(Router::<(), Full<Bytes>>::with_body().nest_service("/svc", inner));
    let response = app
        .clone()
        .oneshot(req("GET", "/svc/users/abc", None, ""))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(text(response).await, "inner: path_parse");
    // Without a layer of its own, the outer layer maps it.
    let app = json_errors(Router::<(), Full<Bytes>>::with_body().nest_service("/svc", routes()));
    let response = app
        .oneshot(req("GET", "/svc/users/abc", None, ""))
        .await
        .unwrap();
    assert_eq!(json_body(response).await["error"], "path_parse");
}

#[tokio::test]
async fn headers_a_layer_added_to_the_rejection_are_kept() {
    let tag = tower::util::MapResponseLayer::new(|mut response: Response<Body>| {
        response
            .headers_mut()
            .insert("x-layer", HeaderValue::from_static("seen"));
        response
            .headers_mut()
            .append("vary", HeaderValue::from_static("origin"));
        response
            .headers_mut()
            .append("vary", HeaderValue::from_static("accept"));
        response
    });
    let app = json_errors(routes().layer(tag));
    let response = app
        .oneshot(req("GET", "/users/abc", None, ""))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers()["x-layer"], "seen");
    let vary: Vec<_> = response.headers().get_all("vary").iter().collect();
    assert_eq!(vary, ["origin", "accept"]);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(json_body(response).await["error"], "path_parse");
}

#[tokio::test]
async fn an_extractor_of_the_apps_own_joins_with_a_rejection_of_its_own_kind() {
    let app = json_errors(Router::<(), Full<Bytes>>::with_body().route(
        "/private",
        get(|| async {
            Err::<String, _>(Rejection::new(
                StatusCode::UNAUTHORIZED,
                "api_key_missing",
                "no key",
            ))
        }),
    ));
    let response = app.oneshot(req("GET", "/private", None, "")).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body = json_body(response).await;
    assert_eq!(
        body,
        serde_json::json!({ "error": "api_key_missing", "message": "no key" })
    );
}

#[tokio::test]
async fn middleware_around_the_whole_router_sees_the_mapped_rejection() {
    use silent_tower_router::middleware::{self, Next};
    use tower::Layer;

    /// What the middleware saw: the content type of the response that came back to it.
    async fn peek(req: Request<Full<Bytes>>, next: Next<Full<Bytes>>) -> Response<Body> {
        let mut response = next.run(req).await;
        let seen = response.headers()["content-type"].clone();
        response.headers_mut().insert("x-seen", seen);
        response
    }
    let app = middleware::from_fn(peek).layer(json_errors(routes()));
    let response = app
        .oneshot(req("GET", "/users/abc", None, ""))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers()["x-seen"], "application/json");
    assert_eq!(json_body(response).await["error"], "path_parse");
}

#[tokio::test]
async fn a_head_requests_mapped_rejection_has_no_body_but_its_length() {
    let app = json_errors(routes());
    let response = app
        .clone()
        .oneshot(req("HEAD", "/users/abc", None, ""))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers()["content-type"], "application/json");
    let get = app
        .oneshot(req("GET", "/users/abc", None, ""))
        .await
        .unwrap();
    let length = get.into_body().collect().await.unwrap().to_bytes().len();
    assert_eq!(
        response.headers()["content-length"],
        length.to_string().as_str()
    );
    assert_eq!(text(response).await, "");
}
