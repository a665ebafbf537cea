//! `MatchedPath`: the pattern of the route that matched, for handlers (as an extractor) and for
//! the route's own layers (in the request's extensions, as in axum), on static routes and routes
//! with parameters, through `nest` with the full pattern.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use http::{Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use silent_tower_router::extract::{MatchedPath, State};
use silent_tower_router::middleware::{from_fn, map_request, Next};
use silent_tower_router::{get, Body, RequestExt, Router};
use tower::{Service, ServiceExt};

async fn call<S>(app: S, method: Method, uri: &str) -> (StatusCode, String)
where
    S: Service<Request<()>, Response = Response<Body>, Error = Infallible>,
{
    let request = Request::builder().method(method).uri(uri).body(()).unwrap();
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

async fn show(path: MatchedPath) -> String {
    path.as_str().to_owned()
}

async fn maybe(path: Option<MatchedPath>) -> String {
    format!("{:?}", path.as_ref().map(MatchedPath::as_str))
}

#[tokio::test]
async fn the_extractor_names_static_and_parameter_routes_with_their_nest_prefix() {
    let users = Router::<(), ()>::with_body()
        .route("/", get(show))
        .route("/{id}", get(show))
        .route("/{id}/posts/<post:i64>", get(show))
        .route("/me", get(show));
    let app = Router::<(), ()>::with_body()
        .route("/", get(show))
        .route("/about", get(show))
        .route("/files/{*rest}", get(show))
        .route("/{file}.png", get(show))
        .nest("/api/users", users)
        .fallback(maybe);
    for (uri, pattern) in [
        ("/", "/"),
        ("/about", "/about"),
        ("/files/a/b", "/files/{*rest}"),
        ("/logo.png", "/{file}.png"),
        ("/api/users", "/api/users"),
        ("/api/users/7", "/api/users/{id}"),
        ("/api/users/me", "/api/users/me"),
        ("/api/users/7/posts/9", "/api/users/{id}/posts/<post:i64>"),
    ] {
        assert_eq!(
            call(app.clone(), Method::GET, uri).await,
            (StatusCode::OK, pattern.to_owned()),
            "{uri}"
        );
    }
    // The fallback matched no route.
    assert_eq!(
        call(app, Method::GET, "/nowhere").await,
        (StatusCode::OK, "None".to_owned())
    );
}

#[tokio::test]
async fn a_fallback_has_no_matched_path() {
    let app = Router::<(), ()>::with_body()
        .route("/a", get(show))
        .fallback(show);
    let (status, body) = call(app, Method::GET, "/b").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        body,
        "no matched route for `MatchedPath`: the request was answered by a fallback"
    );
}

#[tokio::test]
async fn a_router_with_state_nested_keeps_the_full_pattern() {
    async fn with_state(State(n): State<u32>, path: MatchedPath) -> String {
        format!("{n} {}", path.as_str())
    }
    let inner = Router::<u32, ()>::with_body()
        .route("/count", get(with_state))
        .route("/count/{id}", get(with_state))
        .with_state(7u32);
    let app = Router::<(), ()>::with_body().nest("/v1/{tenant}", inner);
    assert_eq!(
        call(app.clone(), Method::GET, "/v1/acme/count").await.1,
        "7 /v1/{tenant}/count"
    );
    assert_eq!(
        call(app, Method::GET, "/v1/acme/count/3").await.1,
        "7 /v1/{tenant}/count/{id}"
    );
}

/// The patterns a route layer saw, in order.
type Seen = Arc<Mutex<Vec<String>>>;

/// A layer that records the `MatchedPath` it finds in the request's extensions, as a metrics
/// layer would.
fn recorder(seen: &Seen) -> impl Fn(Request<()>) -> Request<()> + Clone + Send + Sync + 'static {
    let seen = Arc::clone(seen);
    move |req: Request<()>| {
        let label = req
            .extensions()
            .get::<MatchedPath>()
            .map_or("-".to_owned(), |path| path.as_str().to_owned());
        seen.lock().unwrap().push(label);
        req
    }
}

fn taken(seen: &Seen) -> Vec<String> {
    std::mem::take(&mut *seen.lock().unwrap())
}

#[tokio::test]
async fn route_layer_reads_matched_path_from_the_extensions_on_every_route() {
    let seen = Seen::default();
    let users = Router::<(), ()>::with_body()
        .route("/", get(show))
        .route("/{id}", get(show));
    let app = Router::<(), ()>::with_body()
        .route("/", get(show))
        .route("/items/{id}", get(show))
        .nest("/api/users", users)
        .route_layer(tower::util::MapRequestLayer::new(recorder(&seen)));
    for (uri, pattern) in [
        ("/", "/"),
        ("/items/3", "/items/{id}"),
        ("/api/users", "/api/users"),
        ("/api/users/9", "/api/users/{id}"),
    ] {
        // The handler inside the layer still reads it too.
        assert_eq!(
            call(app.clone(), Method::GET, uri).await,
            (StatusCode::OK, pattern.to_owned())
        );
    }
    assert_eq!(
        taken(&seen),
        ["/", "/items/{id}", "/api/users", "/api/users/{id}"]
    );
    // `route_layer` does not wrap the fallback: nothing recorded.
    assert_eq!(
        call(app, Method::GET, "/nowhere").await.0,
        StatusCode::NOT_FOUND
    );
    assert!(taken(&seen).is_empty());
}

#[tokio::test]
async fn router_layer_sees_matched_path_on_routes_and_none_on_the_fallback() {
    let seen = Seen::default();
    let app = Router::<(), ()>::with_body()
        .route("/", get(|| async { "root" }))
        .route(
            "/users/{id}",
            get(|req: Request<()>| async move { req.param_str("id").unwrap().into_owned() }),
        )
        .layer(tower::util::MapRequestLayer::new(recorder(&seen)));
    assert_eq!(call(app.clone(), Method::GET, "/").await.1, "root");
    assert_eq!(call(app.clone(), Method::GET, "/users/5").await.1, "5");
    assert_eq!(
        call(app.clone(), Method::GET, "/x").await.0,
        StatusCode::NOT_FOUND
    );
    // The `405` of a matched path is the route's own answer, inside the layer.
    assert_eq!(
        call(app, Method::POST, "/").await.0,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(taken(&seen), ["/", "/users/{id}", "-", "/"]);
}

#[tokio::test]
async fn method_router_layer_reads_matched_path_too() {
    let seen = Seen::default();
    let app = Router::<(), ()>::with_body()
        .route(
            "/static",
            get(show).layer(tower::util::MapRequestLayer::new(recorder(&seen))),
        )
        .route(
            "/param/{id}",
            get(show).layer(tower::util::MapRequestLayer::new(recorder(&seen))),
        );
    assert_eq!(call(app.clone(), Method::GET, "/static").await.1, "/static");
    assert_eq!(call(app, Method::GET, "/param/1").await.1, "/param/{id}");
    assert_eq!(taken(&seen), ["/static", "/param/{id}"]);
}

#[tokio::test]
async fn middleware_functions_on_a_route_read_it_as_an_extractor() {
    async fn label(path: MatchedPath, req: Request<()>, next: Next<()>) -> Response<Body> {
        let pattern = path.as_str().to_owned();
        let mut response = next.run(req).await;
        response
            .headers_mut()
            .insert("x-route", pattern.parse().unwrap());
        response
    }
    async fn tag(path: Option<MatchedPath>, req: Request<()>) -> Request<()> {
        assert!(path.is_some());
        req
    }
    let inner = Router::<(), ()>::with_body()
        .route("/", get(|| async { "list" }))
        .route("/{id}", get(|| async { "one" }));
    let app = Router::<(), ()>::with_body()
        .nest("/users", inner)
        .route_layer(from_fn(label))
        .route_layer(map_request(tag));
    for (uri, pattern) in [("/users", "/users"), ("/users/4", "/users/{id}")] {
        let response = app
            .clone()
            .oneshot(Request::get(uri).body(()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["x-route"], pattern);
    }
}

#[tokio::test]
async fn a_router_given_to_nest_service_names_its_routes_under_the_prefix() {
    let seen = Seen::default();
    let inner = Router::<(), ()>::with_body()
        .route("/", get(show))
        .route("/users/{id}", get(show))
        .route_layer(tower::util::MapRequestLayer::new(recorder(&seen)));
    let deeper = Router::<(), ()>::with_body().route("/leaf", get(show));
    let middle = Router::<(), ()>::with_body().nest_service("/b", deeper);
    let app = Router::<(), ()>::with_body()
        .nest_service("/api/{version}", inner)
        .nest_service("/a", middle)
        .route("/top", get(show));
    for (uri, pattern) in [
        ("/api/v1", "/api/{version}"),
        ("/api/v1/users/7", "/api/{version}/users/{id}"),
        ("/a/b/leaf", "/a/b/leaf"),
        ("/top", "/top"),
    ] {
        assert_eq!(
            call(app.clone(), Method::GET, uri).await,
            (StatusCode::OK, pattern.to_owned()),
            "{uri}"
        );
    }
    // The nested router's own route layer reads the full pattern too.
    assert_eq!(
        taken(&seen),
        ["/api/{version}", "/api/{version}/users/{id}"]
    );
}
