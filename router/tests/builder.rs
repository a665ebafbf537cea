//! The router's builder: one type however many routes, routes from a function or a loop,
//! `merge`, methods of one path over several `.route` calls, router-wide layers, and panics that
//! point at the line that added the bad route.

use std::convert::Infallible;

use http::header::ALLOW;
use http::{Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use silent_tower_router::{delete, get, handler_fn, post, Body, RequestExt, Router};
use tower::ServiceExt;

type App = Router<(), ()>;

async fn send(app: &App, method: Method, uri: &str) -> (StatusCode, Option<String>, String) {
    let request = Request::builder().method(method).uri(uri).body(()).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    read(response).await
}

async fn read(response: Response<Body>) -> (StatusCode, Option<String>, String) {
    let status = response.status();
    let allow = response
        .headers()
        .get(ALLOW)
        .map(|value| value.to_str().unwrap().to_owned());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, allow, String::from_utf8(body.to_vec()).unwrap())
}

fn text(body: &'static str) -> impl Fn() -> std::future::Ready<&'static str> + Clone {
    move || std::future::ready(body)
}

/// A route group built by a function, as a module of an application would.
fn users() -> App {
    Router::with_body()
        .route("/", get(text("all users")).post(text("created")))
        .route(
            "/{id}",
            get(|req: Request<()>| async move { format!("user {}", req.param::<u32>("id").unwrap()) }),
        )
}

#[tokio::test]
async fn a_group_built_by_a_function_nests_and_merges() {
    let app = App::with_body()
        .route("/", get(text("home")))
        .nest("/users", users());
    assert_eq!(send(&app, Method::GET, "/users").await.2, "all users");
    assert_eq!(send(&app, Method::POST, "/users").await.2, "created");
    assert_eq!(send(&app, Method::GET, "/users/7").await.2, "user 7");

    let merged = App::with_body()
        .route("/home", get(text("home")))
        .route("/", silent_tower_router::put(text("replaced")))
        .merge(users());
    assert_eq!(send(&merged, Method::GET, "/home").await.2, "home");
    assert_eq!(send(&merged, Method::GET, "/7").await.2, "user 7");
    assert_eq!(send(&merged, Method::PUT, "/").await.2, "replaced");
    assert_eq!(send(&merged, Method::GET, "/").await.2, "all users");
    assert_eq!(
        merged.routes().collect::<Vec<_>>(),
        ["/home", "/", "/{id}"],
        "the two routers' `/` merged into one route"
    );
}

#[tokio::test]
async fn five_hundred_routes_added_in_a_loop_from_a_table() {
    let table: Vec<(String, String)> = (0..500)
        .map(|i| (format!("/r{i}/{{id}}"), format!("route {i}")))
        .collect();
    let mut app = App::with_body();
    for (path, answer) in &table {
        let answer = answer.clone();
        app = app.route(
            path,
            get(move |req: Request<()>| {
                let answer = answer.clone();
                async move { format!("{answer} id={}", req.param_str("id").unwrap()) }
            }),
        );
    }
    assert_eq!(app.routes().count(), 500);
    for i in [0, 1, 250, 499] {
        let (status, _, body) = send(&app, Method::GET, &format!("/r{i}/x{i}")).await;
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::OK, &*format!("route {i} id=x{i}"))
        );
    }
    assert_eq!(
        send(&app, Method::GET, "/r500/x").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn methods_of_one_path_merge_over_several_route_calls() {
    let app = App::with_body()
        .route("/items", get(text("list")))
        .route("/items", post(text("create")))
        .route("/items", delete(text("clear")));
    assert_eq!(send(&app, Method::GET, "/items").await.2, "list");
    assert_eq!(send(&app, Method::POST, "/items").await.2, "create");
    assert_eq!(send(&app, Method::DELETE, "/items").await.2, "clear");

    // HEAD by GET, with no body and the GET body's length.
    let head = App::with_body()
        .route("/items", post(text("create")))
        .route("/items", get(text("list")))
        .oneshot(Request::head("/items").body(()).unwrap())
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["content-length"], "4");
    assert!(head
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .is_empty());

    let allow = "GET,HEAD,POST,DELETE,OPTIONS";
    assert_eq!(
        send(&app, Method::PUT, "/items").await,
        (
            StatusCode::METHOD_NOT_ALLOWED,
            Some(allow.to_owned()),
            String::new()
        )
    );
    assert_eq!(
        send(&app, Method::OPTIONS, "/items").await,
        (
            StatusCode::NO_CONTENT,
            Some(allow.to_owned()),
            String::new()
        )
    );
}

#[test]
fn the_same_method_twice_on_one_path_is_refused_naming_the_route() {
    let err = App::with_body()
        .route("/items", get(text("a")))
        .route("/items", post(text("b")))
        .try_route("/items", get(text("c")))
        .unwrap_err();
    assert_eq!(err.route(), "/items");
    assert_eq!(err.conflicts_with(), Some("/items"));
    assert_eq!(
        err.to_string(),
        "route `/items` conflicts with the already registered route `/items`: both route `GET`; \
         a path's methods may be split over several `.route` calls, but each method once"
    );

    let err = App::with_body()
        .route("/any", silent_tower_router::any(text("a")))
        .try_route("/any", post(text("b")))
        .unwrap_err();
    assert!(err.to_string().contains("routes `any`"), "{err}");

    // A service answers every method: it shares its path with nothing.
    let service = handler_fn(text("service"));
    let err = App::with_body()
        .route_service("/svc", service)
        .try_route("/svc", post(text("b")))
        .unwrap_err();
    assert_eq!(err.conflicts_with(), Some("/svc"));
}

#[test]
fn merging_two_fallbacks_is_refused() {
    let a = App::with_body().fallback_service(handler_fn(text("a")));
    let b = App::with_body().fallback_service(handler_fn(text("b")));
    let err = a.try_merge(b).unwrap_err();
    assert!(
        err.to_string()
            .contains("both merged routers have a fallback"),
        "{err}"
    );
}

#[tokio::test]
async fn merge_keeps_the_fallback_of_either_side() {
    let app = App::with_body()
        .route("/", get(text("home")))
        .merge(App::with_body().fallback_service(handler_fn(text("theirs"))));
    assert_eq!(send(&app, Method::GET, "/nowhere").await.2, "theirs");
}

/// Tags every response, to see what a layer reached.
fn tag(
    name: &'static str,
) -> tower::util::MapResponseLayer<impl Fn(Response<Body>) -> Response<Body> + Clone> {
    tower::util::MapResponseLayer::new(move |mut response: Response<Body>| {
        response
            .headers_mut()
            .append("x-layer", name.parse().unwrap());
        response
    })
}

#[tokio::test]
async fn router_wide_layers_wrap_routes_405s_and_the_fallback_in_order() {
    let app = App::with_body()
        .route("/", get(text("home")))
        .layer(tag("inner"))
        .layer(tag("outer"));
    for (method, uri, status) in [
        (Method::GET, "/", StatusCode::OK),
        (Method::POST, "/", StatusCode::METHOD_NOT_ALLOWED),
        (Method::GET, "/nowhere", StatusCode::NOT_FOUND),
    ] {
        let request = Request::builder().method(method).uri(uri).body(()).unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), status);
        let tags: Vec<_> = response.headers().get_all("x-layer").iter().collect();
        assert_eq!(tags, ["inner", "outer"], "{uri}");
    }
}

#[tokio::test]
async fn a_layered_router_nests_as_a_service() {
    let api = App::with_body()
        .route("/ping", get(text("pong")))
        .layer(tag("api"));
    let app = App::with_body()
        .route("/", get(text("home")))
        .nest_service("/api", api);
    let response = app
        .clone()
        .oneshot(Request::get("/api/ping").body(()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.headers()["x-layer"], "api");
    assert_eq!(read(response).await.2, "pong");
    // The nested service sees the path without the prefix; its own 404 answers under it.
    let response = app
        .clone()
        .oneshot(Request::get("/api/nope").body(()).unwrap())
        .await
        .unwrap();
    assert_eq!(
        (response.status(), &response.headers()["x-layer"]),
        (
            StatusCode::NOT_FOUND,
            &"api".parse::<http::HeaderValue>().unwrap()
        )
    );
    let response = app
        .oneshot(Request::get("/").body(()).unwrap())
        .await
        .unwrap();
    assert!(response.headers().get("x-layer").is_none());
}

/// Runs `build`, which must panic, and returns the panic's message and the file it reports.
fn panic_site(build: impl FnOnce() + std::panic::UnwindSafe) -> (String, String) {
    use std::sync::{Arc, Mutex};
    let site = Arc::new(Mutex::new(None));
    let seen = Arc::clone(&site);
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| {
                info.payload()
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
            })
            .unwrap_or_default();
        let file = info
            .location()
            .map(|l| l.file().to_owned())
            .unwrap_or_default();
        *seen.lock().unwrap() = Some((message, file));
    }));
    let result = std::panic::catch_unwind(build);
    std::panic::set_hook(previous);
    assert!(result.is_err(), "the builder did not panic");
    let site = site.lock().unwrap().take();
    site.unwrap()
}

#[test]
fn builder_panics_point_at_the_line_that_added_the_route() {
    let (message, file) = panic_site(|| {
        let _ = App::with_body().route("no-slash", get(text("a")));
    });
    assert_eq!(
        message,
        "invalid route `no-slash`: a route must start with `/`"
    );
    assert!(file.ends_with("builder.rs"), "reported at {file}");

    let (message, file) = panic_site(|| {
        let _ = get(text("a")).get(text("b"));
    });
    assert_eq!(
        message,
        "MethodRouter: `GET` is routed twice on the same path"
    );
    assert!(file.ends_with("builder.rs"), "reported at {file}");

    let (_, file) = panic_site(|| {
        let _ = App::with_body().nest("/", App::with_body());
    });
    assert!(file.ends_with("builder.rs"), "reported at {file}");
}

#[tokio::test]
async fn the_router_is_a_plain_service_of_one_nameable_type() {
    // A router can be stored, swapped and chosen at run time without boxing it.
    let routers: Vec<App> = vec![users(), App::with_body().route("/", get(text("other")))];
    let pick = |i: usize| routers[i].clone();
    assert_eq!(send(&pick(1), Method::GET, "/").await.2, "other");
    assert_eq!(send(&pick(0), Method::GET, "/").await.2, "all users");
    fn assert_service<
        S: tower::Service<Request<()>, Response = Response<Body>, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
    >(
        _: &S,
    ) where
        S::Future: Send + 'static,
    {
    }
    assert_service(&routers[0]);
}

#[test]
fn a_nested_service_is_named_in_the_users_terms_when_it_conflicts() {
    let service = handler_fn(text("service"));
    let err = App::with_body()
        .nest_service("/api", service.clone())
        .try_route("/api/{*rest}", get(text("route")))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid route `/api/{*rest}`: route `/api/{*rest}` would answer the same paths as the \
         service nested at `/api`: keep one"
    );
    // Its own entries are not the user's routes.
    let app = App::with_body()
        .route("/", get(text("home")))
        .nest_service("/api", service);
    assert_eq!(app.routes().collect::<Vec<_>>(), ["/"]);
}

#[tokio::test]
async fn a_nested_service_under_a_parameter_sees_the_path_after_the_prefix() {
    let inner = App::with_body().route(
        "/items",
        get(|req: Request<()>| async move { format!("{}", req.uri()) }),
    );
    let app = App::with_body().nest_service("/t/{tenant}", inner.layer(tag("inner")));
    let (status, _, body) = send(&app, Method::GET, "/t/acme/items?page=2").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "/items?page=2"));
}
