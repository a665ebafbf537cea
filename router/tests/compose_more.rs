//! Composition as axum has it, continued: `MethodRouter::{merge, fallback, with_state}`,
//! `Handler::{with_state, layer}` and `into_service`, `middleware::from_extractor`, and
//! `HandleErrorLayer` handlers that take extractors.

use std::convert::Infallible;

use http::header::{ALLOW, CONTENT_LENGTH};
use http::request::Parts;
use http::{HeaderMap, Method, Request, Response, StatusCode, Uri};
use http_body_util::BodyExt;
use silent_tower_router::extract::{FromRequestParts, Path, RequestContext, State};
use silent_tower_router::handler::HandlerWithoutStateExt;
use silent_tower_router::middleware::{from_extractor, from_extractor_with_state, map_response};
use silent_tower_router::{any, get, post, put, Body, Handler, Router};
use tower::util::MapResponseLayer;
use tower::{Service, ServiceExt};

type Req = Request<()>;

async fn send<S>(
    app: &S,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String)
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
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

/// Status and body of `method uri`.
async fn answer<S>(app: &S, method: Method, uri: &str) -> (StatusCode, String)
where
    S: Service<Req, Response = Response<Body>, Error = Infallible> + Clone,
{
    let (status, _, body) = send(app, method, uri, &[]).await;
    (status, body)
}

async fn list() -> &'static str {
    "list"
}

async fn create() -> &'static str {
    "created"
}

async fn replace() -> &'static str {
    "replaced"
}

/// A layer that marks the responses it saw.
fn stamped(
    mark: &'static str,
) -> MapResponseLayer<impl Fn(Response<Body>) -> Response<Body> + Clone> {
    MapResponseLayer::new(move |mut response: Response<Body>| {
        response
            .headers_mut()
            .insert("x-seen", http::HeaderValue::from_static(mark));
        response
    })
}

#[tokio::test]
async fn merged_method_routers_answer_each_method_head_options_and_405_with_both_allows() {
    let app = Router::<(), ()>::with_body().route("/todos", get(list).merge(post(create)));
    assert_eq!(
        answer(&app, Method::GET, "/todos").await,
        (StatusCode::OK, "list".into())
    );
    assert_eq!(
        answer(&app, Method::POST, "/todos").await,
        (StatusCode::OK, "created".into())
    );
    let (status, headers, body) = send(&app, Method::HEAD, "/todos", &[]).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
    assert_eq!(headers[CONTENT_LENGTH], "4");
    let (status, headers, body) = send(&app, Method::DELETE, "/todos", &[]).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "")
    );
    assert_eq!(headers[ALLOW], "GET,HEAD,POST,OPTIONS");
    let (status, headers, _) = send(&app, Method::OPTIONS, "/todos", &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(headers[ALLOW], "GET,HEAD,POST,OPTIONS");
}

#[tokio::test]
async fn methods_added_after_a_merge_and_merges_of_layered_routers_keep_allow_whole() {
    let app = Router::<(), ()>::with_body()
        .route("/a", get(list).merge(post(create)).put(replace))
        .route("/b", get(list).layer(stamped("get")).merge(post(create)))
        .route("/c", get(list).merge(post(create).layer(stamped("post"))))
        .route("/d", get(list).layer(stamped("get")).put(replace));
    let (status, headers, _) = send(&app, Method::DELETE, "/a", &[]).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[ALLOW], "GET,HEAD,POST,PUT,OPTIONS");
    assert_eq!(
        answer(&app, Method::PUT, "/a").await,
        (StatusCode::OK, "replaced".into())
    );
    // The default answer that went through a layer keeps it, with the merged `Allow`.
    for (path, mark, allow) in [
        ("/b", "get", "GET,HEAD,POST,OPTIONS"),
        ("/c", "post", "GET,HEAD,POST,OPTIONS"),
        ("/d", "get", "GET,HEAD,PUT,OPTIONS"),
    ] {
        let (status, headers, _) = send(&app, Method::DELETE, path, &[]).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
        assert_eq!(headers[ALLOW], allow, "{path}");
        assert_eq!(headers["x-seen"], mark, "{path}");
    }
    // Each side keeps its own layers.
    let (_, headers, body) = send(&app, Method::POST, "/b", &[]).await;
    assert_eq!((body.as_str(), headers.get("x-seen")), ("created", None));
    let (_, headers, body) = send(&app, Method::GET, "/b", &[]).await;
    assert_eq!(
        (body.as_str(), headers["x-seen"].to_str().unwrap()),
        ("list", "get")
    );
}

#[test]
#[should_panic(expected = "both method routers route `GET`")]
fn merging_the_same_method_twice_panics_naming_it() {
    let _ = get(list).merge(post(create).get(replace));
}

#[test]
#[should_panic(expected = "both method routers have a fallback")]
fn merging_two_fallbacks_panics() {
    let _ = get(list)
        .fallback(|| async { "one" })
        .merge(post(create).fallback(|| async { "two" }));
}

#[derive(Clone)]
struct AppState {
    name: &'static str,
}

async fn other_method(State(state): State<AppState>, method: Method) -> (StatusCode, String) {
    (
        StatusCode::IM_A_TEAPOT,
        format!("{} has no {method}", state.name),
    )
}

#[tokio::test]
async fn a_method_routers_fallback_answers_unrouted_methods_and_reads_the_state() {
    let app = Router::<AppState, ()>::with_body()
        .route("/f", get(list).fallback(other_method))
        .route(
            "/merged",
            get(list).merge(post(create).fallback(other_method)),
        )
        .route("/split", get(list).fallback(other_method))
        .route("/split", put(replace))
        .route(
            "/service",
            get(list).fallback_service(tower::service_fn(|_: Req| async {
                Ok::<_, Infallible>(Response::new(Body::from("from the service")))
            })),
        )
        .with_state(AppState { name: "app" });
    let teapot = |what: &str| (StatusCode::IM_A_TEAPOT, what.to_owned());
    assert_eq!(
        answer(&app, Method::DELETE, "/f").await,
        teapot("app has no DELETE")
    );
    // As in axum, the fallback takes every method the path does not route, `OPTIONS` too.
    assert_eq!(
        answer(&app, Method::OPTIONS, "/f").await,
        teapot("app has no OPTIONS")
    );
    assert_eq!(
        answer(&app, Method::GET, "/f").await,
        (StatusCode::OK, "list".into())
    );
    let (status, headers, body) = send(&app, Method::HEAD, "/f", &[]).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
    assert_eq!(headers[CONTENT_LENGTH], "4");
    assert_eq!(
        answer(&app, Method::PATCH, "/merged").await,
        teapot("app has no PATCH")
    );
    assert_eq!(
        answer(&app, Method::POST, "/merged").await,
        (StatusCode::OK, "created".into())
    );
    // A path split over two `.route` calls: the part with the fallback takes the rest.
    assert_eq!(
        answer(&app, Method::PUT, "/split").await,
        (StatusCode::OK, "replaced".into())
    );
    assert_eq!(
        answer(&app, Method::DELETE, "/split").await,
        teapot("app has no DELETE")
    );
    assert_eq!(
        answer(&app, Method::DELETE, "/service").await,
        (StatusCode::OK, "from the service".into())
    );
    // A path's own fallback wins over the router's `method_not_allowed_fallback`.
    let app = Router::<(), ()>::with_body()
        .route("/own", get(list).fallback(|| async { "own" }))
        .route("/plain", get(list))
        .method_not_allowed_fallback(|| async { "router's" });
    assert_eq!(answer(&app, Method::PUT, "/own").await.1, "own");
    assert_eq!(answer(&app, Method::PUT, "/plain").await.1, "router's");
}

#[test]
#[should_panic(expected = "already has a fallback")]
fn a_second_method_fallback_is_refused() {
    let _ = get(list)
        .fallback(|| async { "one" })
        .fallback(|| async { "two" });
}

async fn greet(State(name): State<&'static str>) -> String {
    format!("hello from {name}")
}

async fn user(State(name): State<&'static str>, Path(id): Path<u32>) -> String {
    format!("{name} user {id}")
}

#[tokio::test]
async fn a_method_router_given_its_state_fits_a_router_of_any_state() {
    let stateless = Router::<(), ()>::with_body()
        .route("/", get(greet).with_state("own"))
        .route("/users/{id}", get(user).with_state("own"))
        .route_service("/service", get(greet).with_state("service"))
        .route_service("/merged", get(list).merge(post(create)));
    assert_eq!(
        answer(&stateless, Method::GET, "/").await,
        (StatusCode::OK, "hello from own".into())
    );
    assert_eq!(
        answer(&stateless, Method::GET, "/users/7").await,
        (StatusCode::OK, "own user 7".into())
    );
    assert_eq!(
        answer(&stateless, Method::GET, "/service").await,
        (StatusCode::OK, "hello from service".into())
    );
    let (status, headers, _) = send(&stateless, Method::PUT, "/merged", &[]).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[ALLOW], "GET,HEAD,POST,OPTIONS");
    // In a router with a state of another type, and with methods of its own added after.
    let app = Router::<AppState, ()>::with_body()
        .route("/mixed", get(greet).with_state("given").post(other_method))
        .with_state(AppState { name: "router" });
    assert_eq!(
        answer(&app, Method::GET, "/mixed").await,
        (StatusCode::OK, "hello from given".into())
    );
    assert_eq!(
        answer(&app, Method::POST, "/mixed").await,
        (StatusCode::IM_A_TEAPOT, "router has no POST".into())
    );
    let (_, headers, _) = send(&app, Method::DELETE, "/mixed", &[]).await;
    assert_eq!(headers[ALLOW], "GET,HEAD,POST,OPTIONS");
}

#[tokio::test]
async fn a_handler_with_state_or_into_service_is_a_service_for_route_fallback_and_nest_service() {
    let app = Router::<(), ()>::with_body()
        .route_service("/greet", greet.with_state("route_service"))
        .route_service("/users/{id}", user.with_state("route_service"))
        .route_service("/plain", list.into_service())
        .nest_service("/nested", greet.with_state("nest_service"))
        .fallback_service(greet.with_state("fallback_service"));
    for (uri, body) in [
        ("/greet", "hello from route_service"),
        ("/users/9", "route_service user 9"),
        ("/plain", "list"),
        ("/nested/deeper", "hello from nest_service"),
        ("/nowhere", "hello from fallback_service"),
    ] {
        assert_eq!(
            answer(&app, Method::GET, uri).await,
            (StatusCode::OK, body.to_owned()),
            "{uri}"
        );
    }
    // Alone, as a service.
    let (status, _, body) = send(&greet.with_state("alone"), Method::GET, "/", &[]).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, "hello from alone")
    );
}

async fn no_store(mut response: Response<Body>) -> Response<Body> {
    response
        .headers_mut()
        .insert("cache-control", http::HeaderValue::from_static("no-store"));
    response
}

#[tokio::test]
async fn a_handler_layer_wraps_that_handler_alone_and_keeps_state_and_parameters() {
    let app = Router::<&'static str, ()>::with_body()
        .route(
            "/users/{id}",
            get(user.layer(map_response(no_store))).post(create),
        )
        .route_service(
            "/service/{id}",
            user.layer(stamped("handler")).with_state("given"),
        )
        .with_state("router");
    let (status, headers, body) = send(&app, Method::GET, "/users/3", &[]).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "router user 3"));
    assert_eq!(headers["cache-control"], "no-store");
    let (_, headers, body) = send(&app, Method::POST, "/users/3", &[]).await;
    assert_eq!(
        (body.as_str(), headers.get("cache-control")),
        ("created", None)
    );
    let (_, headers, body) = send(&app, Method::GET, "/service/4", &[]).await;
    assert_eq!(
        (body.as_str(), headers["x-seen"].to_str().unwrap()),
        ("given user 4", "handler")
    );
}

/// Requests that carry `authorization: Bearer <the token in the state>`.
struct Authorized;

impl<S: AsRef<str> + Sync> FromRequestParts<S> for Authorized {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(
        parts: &mut Parts,
        cx: &RequestContext<S>,
    ) -> Result<Self, Self::Rejection> {
        let expected = cx.state().as_ref();
        match parts.headers.get("authorization").map(|v| v.to_str()) {
            Some(Ok(value)) if value.strip_prefix("Bearer ") == Some(expected) => Ok(Authorized),
            _ => Err((StatusCode::UNAUTHORIZED, "missing or wrong token")),
        }
    }
}

/// Any request whose `x-pass` header is `yes`.
struct Pass;

impl<S: Sync> FromRequestParts<S> for Pass {
    type Rejection = StatusCode;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &RequestContext<S>,
    ) -> Result<Self, StatusCode> {
        match parts.headers.get("x-pass") {
            Some(value) if value == "yes" => Ok(Pass),
            _ => Err(StatusCode::FORBIDDEN),
        }
    }
}

#[tokio::test]
async fn from_extractor_lets_through_what_the_extractor_takes_and_answers_its_rejection() {
    let app = Router::<(), ()>::with_body()
        .route("/numbers/{n}", get(list))
        .route_layer(from_extractor::<Path<u32>>())
        .route("/pass", get(list).layer(from_extractor::<Pass>()))
        .route(
            "/token",
            get(list).layer(from_extractor_with_state::<Authorized, _>("s3cret")),
        )
        .route("/open", get(list));
    let pass = [("x-pass", "yes")];
    assert_eq!(send(&app, Method::GET, "/pass", &pass).await.2, "list");
    assert_eq!(
        answer(&app, Method::GET, "/pass").await,
        (StatusCode::FORBIDDEN, String::new())
    );
    let token = [("authorization", "Bearer s3cret")];
    assert_eq!(send(&app, Method::GET, "/token", &token).await.2, "list");
    assert_eq!(
        answer(&app, Method::GET, "/token").await,
        (StatusCode::UNAUTHORIZED, "missing or wrong token".into())
    );
    // An extractor that reads the route's parameters, before the route.
    assert_eq!(
        answer(&app, Method::GET, "/numbers/12").await,
        (StatusCode::OK, "list".into())
    );
    let (status, _, body) = send(&app, Method::GET, "/numbers/twelve", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("`n`"), "{body}");
    // Routes added after the layer, and unknown paths, do not pass through it.
    assert_eq!(
        answer(&app, Method::GET, "/open").await,
        (StatusCode::OK, "list".into())
    );
    assert_eq!(
        answer(&app, Method::GET, "/nowhere").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn from_extractor_around_the_whole_router_guards_every_request() {
    use tower_layer::Layer;
    let app = from_extractor::<Pass>().layer(Router::<(), ()>::with_body().route("/", any(list)));
    assert_eq!(
        answer(&app, Method::GET, "/nowhere").await.0,
        StatusCode::FORBIDDEN
    );
    let pass = [("x-pass", "yes")];
    assert_eq!(
        send(&app, Method::GET, "/nowhere", &pass).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(send(&app, Method::PUT, "/", &pass).await.2, "list");
}

#[tokio::test(start_paused = true)]
async fn handle_error_layer_handlers_take_extractors_before_the_error() {
    use std::time::Duration;

    use silent_tower_router::middleware::HandleErrorLayer;
    use silent_tower_router::BoxError;
    use tower::ServiceBuilder;

    async fn slow() -> &'static str {
        tokio::time::sleep(Duration::from_secs(5)).await;
        "late"
    }
    let app = Router::<(), ()>::with_body()
        .route(
            "/slow",
            get(slow).layer(
                ServiceBuilder::new()
                    .layer(HandleErrorLayer::new(
                        |method: Method, uri: Uri, err: BoxError| async move {
                            (
                                StatusCode::REQUEST_TIMEOUT,
                                format!("{method} {uri}: {err}"),
                            )
                        },
                    ))
                    .timeout(Duration::from_millis(100)),
            ),
        )
        .route(
            "/gated",
            get(slow).layer(
                ServiceBuilder::new()
                    .layer(HandleErrorLayer::new(|_: Pass, err: BoxError| async move {
                        (StatusCode::SERVICE_UNAVAILABLE, err.to_string())
                    }))
                    .timeout(Duration::from_millis(100)),
            ),
        );
    assert_eq!(
        answer(&app, Method::GET, "/slow?x=1").await,
        (
            StatusCode::REQUEST_TIMEOUT,
            "GET /slow?x=1: request timed out".into()
        )
    );
    // An extractor that fails answers with its rejection, before the service is called.
    assert_eq!(
        answer(&app, Method::GET, "/gated").await,
        (StatusCode::FORBIDDEN, String::new())
    );
    let pass = [("x-pass", "yes")];
    assert_eq!(
        send(&app, Method::GET, "/gated", &pass).await.2,
        "request timed out"
    );
}
