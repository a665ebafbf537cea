//! Composition as axum has it: state as a type-state with `FromRef` sub-states, groups with
//! their own state, `Router::layer` and `route_layer`, fallbacks that read the state, and
//! middleware written as functions.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use silent_tower_router::extract::{FromRef, Path, State};
use silent_tower_router::middleware::{self, Next};
use silent_tower_router::{get, post, Body, IntoResponse, Router};
use tower::{Service, ServiceExt};
use tower_layer::Layer;

type Req = Request<()>;

async fn send<S>(
    app: &S,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, String)
where
    S: Service<Req, Response = Response<Body>, Error = Infallible> + Clone,
{
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

async fn get_text<S>(app: &S, uri: &str) -> (StatusCode, String)
where
    S: Service<Req, Response = Response<Body>, Error = Infallible> + Clone,
{
    send(app, Method::GET, uri, &[]).await
}

#[derive(Clone)]
struct AppState {
    name: &'static str,
    hits: Arc<AtomicUsize>,
}

#[derive(Clone)]
struct Hits(Arc<AtomicUsize>);

impl FromRef<AppState> for Hits {
    fn from_ref(state: &AppState) -> Self {
        Hits(Arc::clone(&state.hits))
    }
}

async fn name(State(state): State<AppState>) -> &'static str {
    state.name
}

async fn hit(State(Hits(hits)): State<Hits>) -> String {
    (hits.fetch_add(1, Ordering::SeqCst) + 1).to_string()
}

fn app_state() -> AppState {
    AppState {
        name: "app",
        hits: Arc::new(AtomicUsize::new(0)),
    }
}

#[tokio::test]
async fn with_state_gives_the_state_and_from_ref_reads_a_part_of_it() {
    // The axum idiom: `Router::new()` infers the state it still needs from `with_state`.
    let app: Router<(), ()> = Router::with_body()
        .route("/name", get(name))
        .route("/hit", get(hit))
        .with_state(app_state());
    assert_eq!(
        get_text(&app, "/name").await,
        (StatusCode::OK, "app".into())
    );
    assert_eq!(get_text(&app, "/hit").await, (StatusCode::OK, "1".into()));
    assert_eq!(get_text(&app, "/hit").await, (StatusCode::OK, "2".into()));
}

#[tokio::test]
async fn a_group_with_its_own_state_nests_under_a_parent_with_another() {
    #[derive(Clone)]
    struct Group(&'static str);

    async fn group(State(Group(group)): State<Group>, Path(id): Path<u32>) -> String {
        format!("{group} {id}")
    }

    let users: Router<AppState, ()> = Router::with_body()
        .route("/{id}", get(group))
        .fallback(|| async { (StatusCode::NOT_FOUND, "users fallback") })
        .with_state(Group("users"));
    let app = Router::with_body()
        .route("/name", get(name))
        .nest("/users", users)
        .with_state(app_state());
    assert_eq!(
        get_text(&app, "/users/7").await,
        (StatusCode::OK, "users 7".into())
    );
    assert_eq!(
        get_text(&app, "/name").await,
        (StatusCode::OK, "app".into())
    );
    // The group's 404s are its own fallback's, as if it had been written in the parent.
    assert_eq!(
        get_text(&app, "/users/x/y").await,
        (StatusCode::NOT_FOUND, "users fallback".into())
    );
    assert_eq!(get_text(&app, "/nowhere").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_fallback_reads_the_state() {
    async fn missing(State(state): State<AppState>, uri: http::Uri) -> (StatusCode, String) {
        (
            StatusCode::NOT_FOUND,
            format!("{} has no {}", state.name, uri.path()),
        )
    }
    let app = Router::<AppState, ()>::with_body()
        .route("/", get(name))
        .fallback(missing)
        .with_state(app_state());
    assert_eq!(
        get_text(&app, "/zzz").await,
        (StatusCode::NOT_FOUND, "app has no /zzz".into())
    );
}

#[test]
#[should_panic(expected = "the router already has a fallback")]
fn a_second_fallback_is_refused() {
    let _ = Router::<(), ()>::with_body()
        .fallback(|| async { "a" })
        .fallback(|| async { "b" });
}

#[test]
#[should_panic(expected = "`Router::route_service` cannot take a `Router`: use `Router::nest`")]
fn route_service_refuses_a_router() {
    let inner = Router::<(), ()>::with_body().route("/x", get(|| async { "x" }));
    let _ = Router::<(), ()>::with_body().route_service("/", inner);
}

#[tokio::test]
async fn nest_merges_methods_with_an_outer_route_in_either_order() {
    let inner = || Router::<(), ()>::with_body().route("/x", post(|| async { "post" }));
    let route_first = Router::<(), ()>::with_body()
        .route("/nest/x", get(|| async { "get" }))
        .nest("/nest", inner());
    let nest_first = Router::<(), ()>::with_body()
        .nest("/nest", inner())
        .route("/nest/x", get(|| async { "get" }));
    for app in [route_first, nest_first] {
        assert_eq!(
            get_text(&app, "/nest/x").await,
            (StatusCode::OK, "get".into())
        );
        assert_eq!(
            send(&app, Method::POST, "/nest/x", &[]).await,
            (StatusCode::OK, "post".into())
        );
    }
}

/// A layer that appends its name to an `x-seen` response header.
#[allow(non_snake_case)]
fn Seen(
    name: &'static str,
) -> tower::util::MapResponseLayer<impl Fn(Response<Body>) -> Response<Body> + Clone + Send + Sync>
{
    tower::util::MapResponseLayer::new(move |mut response: Response<Body>| {
        let seen = match response.headers().get("x-seen") {
            Some(before) => format!("{},{name}", before.to_str().unwrap()),
            None => name.to_owned(),
        };
        response
            .headers_mut()
            .insert("x-seen", HeaderValue::from_str(&seen).unwrap());
        response
    })
}

async fn seen<S>(app: &S, method: Method, uri: &str) -> (StatusCode, Option<String>)
where
    S: Service<Req, Response = Response<Body>, Error = Infallible> + Clone,
{
    let request = Request::builder().method(method).uri(uri).body(()).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let seen = response
        .headers()
        .get("x-seen")
        .map(|value| value.to_str().unwrap().to_owned());
    (response.status(), seen)
}

#[tokio::test]
async fn router_layer_wraps_the_routes_so_far_and_the_fallback_and_returns_a_router() {
    let app = Router::<AppState, ()>::with_body()
        .route("/before", get(name))
        .layer(Seen("layer"))
        .route("/after", get(name))
        .with_state(app_state());
    assert_eq!(
        seen(&app, Method::GET, "/before").await,
        (StatusCode::OK, Some("layer".into()))
    );
    assert_eq!(
        seen(&app, Method::GET, "/after").await,
        (StatusCode::OK, None)
    );
    assert_eq!(
        seen(&app, Method::GET, "/nowhere").await,
        (StatusCode::NOT_FOUND, Some("layer".into()))
    );
    // The route's own 405 is inside the layer.
    assert_eq!(
        seen(&app, Method::DELETE, "/before").await,
        (StatusCode::METHOD_NOT_ALLOWED, Some("layer".into()))
    );
}

#[tokio::test]
async fn a_layer_given_before_the_state_is_applied_once_when_it_is_given() {
    #[derive(Clone)]
    struct Counting(Arc<AtomicUsize>);

    impl<S> Layer<S> for Counting {
        type Service = S;

        fn layer(&self, inner: S) -> S {
            self.0.fetch_add(1, Ordering::SeqCst);
            inner
        }
    }

    let applied = Arc::new(AtomicUsize::new(0));
    let app = Router::<AppState, ()>::with_body()
        .route("/hit", get(hit))
        .layer(Counting(Arc::clone(&applied)));
    // Not yet: the route still needs its state.
    assert_eq!(applied.load(Ordering::SeqCst), 0);
    let app = app.with_state(app_state());
    // Once for the route, once for the fallback.
    assert_eq!(applied.load(Ordering::SeqCst), 2);
    assert_eq!(get_text(&app, "/hit").await, (StatusCode::OK, "1".into()));
    assert_eq!(get_text(&app, "/hit").await, (StatusCode::OK, "2".into()));
    assert_eq!(applied.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn route_layer_leaves_the_fallbacks_and_nested_services_alone() {
    let nested = Router::<(), ()>::with_body()
        .route("/a", get(|| async { "a" }))
        .fallback(|| async { (StatusCode::NOT_FOUND, "nested") });
    let service = tower::service_fn(|_: Req| async {
        Ok::<_, Infallible>(Response::new(Body::from("service")))
    });
    let app = Router::<(), ()>::with_body()
        .route("/r", get(|| async { "r" }))
        .nest("/n", nested)
        .nest_service("/s", service)
        .route_layer(Seen("route"));
    assert_eq!(
        seen(&app, Method::GET, "/r").await,
        (StatusCode::OK, Some("route".into()))
    );
    assert_eq!(
        seen(&app, Method::GET, "/n/a").await,
        (StatusCode::OK, Some("route".into()))
    );
    assert_eq!(
        seen(&app, Method::GET, "/n/zzz").await,
        (StatusCode::NOT_FOUND, None)
    );
    assert_eq!(
        seen(&app, Method::GET, "/s/x").await,
        (StatusCode::OK, None)
    );
    assert_eq!(
        seen(&app, Method::GET, "/zzz").await,
        (StatusCode::NOT_FOUND, None)
    );
}

#[tokio::test]
async fn a_path_layered_then_routed_again_merges_its_methods() {
    let app = Router::<(), ()>::with_body()
        .route("/x", get(|| async { "get" }))
        .route_layer(Seen("auth"))
        .route("/x", post(|| async { "post" }));
    assert_eq!(
        seen(&app, Method::GET, "/x").await,
        (StatusCode::OK, Some("auth".into()))
    );
    assert_eq!(seen(&app, Method::POST, "/x").await, (StatusCode::OK, None));
}

async fn auth(
    State(state): State<AppState>,
    headers: HeaderMap,
    req: Request<()>,
    next: Next<()>,
) -> Response<Body> {
    match headers.get("authorization") {
        Some(token) if token == "Bearer secret" => {
            state.hits.fetch_add(1, Ordering::SeqCst);
            next.run(req).await
        }
        _ => (StatusCode::UNAUTHORIZED, "who are you?").into_response(),
    }
}

#[tokio::test]
async fn from_fn_with_state_takes_extractors_before_the_request() {
    let state = app_state();
    let app = Router::<AppState, ()>::with_body()
        .route(
            "/users/{id}",
            get(|Path(id): Path<u32>| async move { format!("user {id}") }),
        )
        .route_layer(middleware::from_fn_with_state(state.clone(), auth))
        .route("/public", get(|| async { "public" }))
        .with_state(state.clone());
    assert_eq!(
        get_text(&app, "/users/3").await,
        (StatusCode::UNAUTHORIZED, "who are you?".into())
    );
    assert_eq!(
        send(
            &app,
            Method::GET,
            "/users/3",
            &[("authorization", "Bearer secret")]
        )
        .await,
        (StatusCode::OK, "user 3".into())
    );
    assert_eq!(
        get_text(&app, "/public").await,
        (StatusCode::OK, "public".into())
    );
    assert_eq!(state.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn from_fn_around_the_whole_router_sees_every_request() {
    async fn tag(req: Request<()>, next: Next<()>) -> Response<Body> {
        let mut response = next.run(req).await;
        response
            .headers_mut()
            .insert("x-seen", HeaderValue::from_static("outer"));
        response
    }
    let router = Router::<(), ()>::with_body().route("/", get(|| async { "home" }));
    let app = middleware::from_fn(tag).layer(router);
    assert_eq!(
        seen(&app, Method::GET, "/").await,
        (StatusCode::OK, Some("outer".into()))
    );
    assert_eq!(
        seen(&app, Method::GET, "/zzz").await,
        (StatusCode::NOT_FOUND, Some("outer".into()))
    );
}

#[tokio::test]
async fn map_request_can_change_the_request_or_answer_and_map_response_the_response() {
    async fn only_json(req: Request<()>) -> Result<Request<()>, (StatusCode, &'static str)> {
        match req.headers().get("accept") {
            Some(accept) if accept == "application/json" => Ok(req),
            _ => Err((StatusCode::NOT_ACCEPTABLE, "json only")),
        }
    }
    async fn stamp(method: Method, mut response: Response<Body>) -> Response<Body> {
        response
            .headers_mut()
            .insert("x-seen", HeaderValue::from_str(method.as_str()).unwrap());
        response
    }
    let app = Router::<(), ()>::with_body()
        .route("/", get(|| async { "{}" }))
        .route_layer(middleware::map_request(only_json))
        .route_layer(middleware::map_response(stamp));
    assert_eq!(
        get_text(&app, "/").await,
        (StatusCode::NOT_ACCEPTABLE, "json only".into())
    );
    assert_eq!(
        send(&app, Method::GET, "/", &[("accept", "application/json")]).await,
        (StatusCode::OK, "{}".into())
    );
    assert_eq!(seen(&app, Method::GET, "/").await.1.as_deref(), Some("GET"));
}

#[tokio::test]
async fn a_middleware_extractor_that_fails_answers_with_its_rejection() {
    async fn needs_id(Path(id): Path<u32>, req: Request<()>, next: Next<()>) -> Response<Body> {
        let mut response = next.run(req).await;
        response
            .headers_mut()
            .insert("x-seen", HeaderValue::from(id));
        response
    }
    let app = Router::<(), ()>::with_body()
        .route("/items/{id}", get(|| async { "item" }))
        .route_layer(middleware::from_fn(needs_id));
    assert_eq!(
        seen(&app, Method::GET, "/items/12").await,
        (StatusCode::OK, Some("12".into()))
    );
    assert_eq!(get_text(&app, "/items/x").await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn on_takes_a_method_filter_and_a_response_value_is_a_handler() {
    use silent_tower_router::{on, MethodFilter};

    let app = Router::<(), ()>::with_body()
        .route(
            "/both",
            on(MethodFilter::GET.or(MethodFilter::POST), || async {
                "both"
            }),
        )
        .route("/made", post((StatusCode::CREATED, "made")));
    assert_eq!(
        get_text(&app, "/both").await,
        (StatusCode::OK, "both".into())
    );
    assert_eq!(
        send(&app, Method::POST, "/both", &[]).await,
        (StatusCode::OK, "both".into())
    );
    assert_eq!(
        send(&app, Method::PUT, "/both", &[]).await.0,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        send(&app, Method::POST, "/made", &[]).await,
        (StatusCode::CREATED, "made".into())
    );
    assert_eq!(
        send(&app, Method::POST, "/made", &[]).await,
        (StatusCode::CREATED, "made".into())
    );
}

#[tokio::test]
async fn method_not_allowed_fallback_answers_unrouted_methods_and_reads_the_state() {
    async fn not_allowed(State(state): State<AppState>, method: Method) -> (StatusCode, String) {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{}: no {method}", state.name),
        )
    }
    let app = Router::<AppState, ()>::with_body()
        .route("/x", get(name))
        .method_not_allowed_fallback(not_allowed)
        .with_state(app_state());
    assert_eq!(
        send(&app, Method::DELETE, "/x", &[]).await,
        (StatusCode::METHOD_NOT_ALLOWED, "app: no DELETE".into())
    );
    assert_eq!(get_text(&app, "/x").await, (StatusCode::OK, "app".into()));
    // HEAD is answered by GET, OPTIONS keeps its automatic answer, unknown paths the fallback.
    assert_eq!(send(&app, Method::HEAD, "/x", &[]).await.0, StatusCode::OK);
    assert_eq!(
        send(&app, Method::OPTIONS, "/x", &[]).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(&app, Method::DELETE, "/y", &[]).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_paths_own_layer_wraps_a_handler_that_reads_the_state_parameters_and_body_limit() {
    use http_body_util::Full;

    async fn stateful(
        State(state): State<AppState>,
        Path(id): Path<u32>,
        body: bytes::Bytes,
    ) -> String {
        format!("{} {id} {}", state.name, body.len())
    }
    let app = Router::<AppState, Full<bytes::Bytes>>::with_body()
        .route(
            "/items/{id}",
            post(stateful).layer(Seen("path")).body_limit(4),
        )
        .with_state(app_state());
    let post_body = |body: &'static str| {
        Request::post("/items/5")
            .body(Full::new(bytes::Bytes::from_static(body.as_bytes())))
            .unwrap()
    };
    let response = app.clone().oneshot(post_body("abcd")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-seen"], "path");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"app 5 4");
    // The path's body limit reaches the handler inside the layer.
    let response = app.clone().oneshot(post_body("abcde")).await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_nested_routers_nest_service_keeps_working_once_nested() {
    let service = tower::service_fn(|req: Req| async move {
        Ok::<_, Infallible>(Response::new(Body::from(format!("svc {}", req.uri()))))
    });
    let inner = Router::<(), ()>::with_body().nest_service("/svc", service);
    let app = Router::<(), ()>::with_body().nest("/outer", inner);
    assert_eq!(
        get_text(&app, "/outer/svc/deep/path?q=1").await,
        (StatusCode::OK, "svc /deep/path?q=1".into())
    );
    assert_eq!(
        get_text(&app, "/outer/svc").await,
        (StatusCode::OK, "svc /".into())
    );
    assert_eq!(
        get_text(&app, "/outer/svc/").await,
        (StatusCode::OK, "svc /".into())
    );
    assert_eq!(
        get_text(&app, "/outer/other").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_nested_service_reads_the_prefixs_parameters_from_the_path_the_client_sent() {
    use silent_tower_router::RequestExt;

    let service = tower::service_fn(|req: Req| async move {
        let tenant = req.param_str("tenant").map(|t| t.into_owned());
        Ok::<_, Infallible>(Response::new(Body::from(format!(
            "{tenant:?} {}",
            req.uri().path()
        ))))
    });
    let app = Router::<(), ()>::with_body().nest_service("/t/{tenant}", service);
    assert_eq!(
        get_text(&app, "/t/acme/xxevil").await,
        (StatusCode::OK, "Ok(\"acme\") /xxevil".into())
    );
    assert_eq!(
        get_text(&app, "/t/acme").await,
        (StatusCode::OK, "Ok(\"acme\") /".into())
    );
    // A router served under it reads the prefix's parameter with `Path` too.
    let inner = Router::<(), ()>::with_body()
        .route("/", get(|Path(tenant): Path<String>| async move { tenant }))
        .route(
            "/{page}",
            get(|Path((tenant, page)): Path<(String, String)>| async move {
                format!("{tenant}/{page}")
            }),
        );
    let app = Router::<(), ()>::with_body().nest_service("/t/{tenant}", inner);
    assert_eq!(
        get_text(&app, "/t/acme").await,
        (StatusCode::OK, "acme".into())
    );
    assert_eq!(
        get_text(&app, "/t/acme/xxevil").await,
        (StatusCode::OK, "acme/xxevil".into())
    );
}

#[tokio::test]
async fn a_route_layer_under_a_nested_service_reads_the_parameters_the_unlayered_route_reads() {
    use silent_tower_router::RequestExt;

    // A route layer that reads the route's parameter and its pattern, as a metrics layer would.
    async fn label(req: Req, next: Next<()>) -> Response<Body> {
        let page = req.param_str("page").map(|page| page.into_owned());
        let route = req
            .extensions()
            .get::<silent_tower_router::extract::MatchedPath>()
            .map(|path| path.as_str().to_owned());
        let mut response = next.run(req).await;
        let label = format!("{page:?} {route:?}");
        response
            .headers_mut()
            .insert("x-label", HeaderValue::from_str(&label).unwrap());
        response
    }
    let page = || {
        get(
            |Path((tenant, page)): Path<(String, String)>| async move { format!("{tenant}/{page}") },
        )
    };
    let plain = Router::<(), ()>::with_body().route("/{page}", page());
    let layered = Router::<(), ()>::with_body()
        .route("/{page}", page())
        .route_layer(middleware::from_fn(label));
    for inner in [plain, layered] {
        let app = Router::<(), ()>::with_body().nest_service("/t/{tenant}", inner);
        // The prefix's parameter comes first, then the route's, with the layer or without.
        assert_eq!(
            get_text(&app, "/t/acme/intro").await,
            (StatusCode::OK, "acme/intro".into())
        );
    }
    let layered = Router::<(), ()>::with_body()
        .route("/{page}", page())
        .route_layer(middleware::from_fn(label));
    let app = Router::<(), ()>::with_body().nest_service("/t/{tenant}", layered);
    let response = app
        .clone()
        .oneshot(Request::get("/t/acme/intro").body(()).unwrap())
        .await
        .unwrap();
    assert_eq!(
        response.headers()["x-label"],
        "Ok(\"intro\") Some(\"/t/{tenant}/{page}\")"
    );
}

#[tokio::test(start_paused = true)]
async fn handle_error_layer_answers_a_fallible_services_errors() {
    use silent_tower_router::middleware::HandleErrorLayer;
    use silent_tower_router::BoxError;
    use std::time::Duration;
    use tower::ServiceBuilder;

    async fn slow() -> &'static str {
        tokio::time::sleep(Duration::from_secs(5)).await;
        "late"
    }
    async fn timed_out(err: BoxError) -> (StatusCode, String) {
        (StatusCode::REQUEST_TIMEOUT, format!("timed out: {err}"))
    }
    let app = Router::<(), ()>::with_body()
        .route(
            "/slow",
            get(slow).layer(
                ServiceBuilder::new()
                    .layer(HandleErrorLayer::new(timed_out))
                    .timeout(Duration::from_millis(100)),
            ),
        )
        .route(
            "/fast",
            get(|| async { "fast" }).layer(
                ServiceBuilder::new()
                    .layer(HandleErrorLayer::new(timed_out))
                    .timeout(Duration::from_millis(100)),
            ),
        );
    assert_eq!(
        get_text(&app, "/slow").await,
        (
            StatusCode::REQUEST_TIMEOUT,
            "timed out: request timed out".into()
        )
    );
    assert_eq!(
        get_text(&app, "/fast").await,
        (StatusCode::OK, "fast".into())
    );
}

#[tokio::test]
async fn a_paths_route_layer_wraps_its_handlers_and_not_its_405() {
    let app = Router::<AppState, ()>::with_body()
        .route("/x", get(name).route_layer(Seen("handlers")))
        .with_state(app_state());
    assert_eq!(
        seen(&app, Method::GET, "/x").await,
        (StatusCode::OK, Some("handlers".into()))
    );
    assert_eq!(
        seen(&app, Method::DELETE, "/x").await,
        (StatusCode::METHOD_NOT_ALLOWED, None)
    );
}
