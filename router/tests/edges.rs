//! The router's edges: a nested router's fallback against the routes around it, characters no
//! request path can hold, literal braces, and the differences from silent's router that the
//! migration guide lists.

use std::convert::Infallible;

use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use silent_tower_router::{get, handler_fn, post, Body, RequestExt, Router};
use tower::{Service, ServiceExt};

type App = Router<(), ()>;

async fn get_body<S>(app: &S, uri: &str) -> (StatusCode, String)
where
    S: Service<Request<()>, Response = Response<Body>, Error = Infallible> + Clone,
{
    send(app, Request::get(uri).body(()).unwrap()).await
}

async fn send<S>(app: &S, request: Request<()>) -> (StatusCode, String)
where
    S: Service<Request<()>, Response = Response<Body>, Error = Infallible> + Clone,
{
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

/// A handler answering with its name and every parameter it sees, `name a=1 b=2`.
fn echo(name: &'static str) -> impl Fn(Request<()>) -> std::future::Ready<String> + Clone {
    move |req: Request<()>| {
        let mut out = name.to_owned();
        if let Some(params) = req.path_params() {
            for (key, value) in params.iter(req.uri().path()) {
                out.push_str(&format!(" {key}={}", value.raw()));
            }
        }
        std::future::ready(out)
    }
}

/// A router with one route, `/users`, and a fallback answering `404 inner-fallback`.
fn inner_with_fallback() -> App {
    App::with_body()
        .route("/users", get(echo("users")))
        .fallback_service(handler_fn(|| async {
            (StatusCode::NOT_FOUND, "inner-fallback")
        }))
}

/// A router with a fallback and no route.
fn fallback_only() -> App {
    App::with_body().fallback_service(handler_fn(|| async { "second-fallback" }))
}

fn not_found_inner() -> (StatusCode, String) {
    (StatusCode::NOT_FOUND, "inner-fallback".to_owned())
}

#[tokio::test]
async fn a_route_wins_over_a_nested_fallback_in_either_order() {
    let route_first = App::with_body()
        .route("/api/{*rest}", get(echo("outer")))
        .nest("/api", inner_with_fallback());
    let nest_first = App::with_body()
        .nest("/api", inner_with_fallback())
        .route("/api/{*rest}", get(echo("outer")));
    for app in [&route_first, &nest_first] {
        assert_eq!(get_body(app, "/api/zzz").await.1, "outer rest=zzz");
        assert_eq!(get_body(app, "/api/a/b").await.1, "outer rest=a/b");
        assert_eq!(get_body(app, "/api/users").await.1, "users");
        // What the route does not cover stays the fallback's.
        assert_eq!(get_body(app, "/api").await, not_found_inner());
        assert_eq!(get_body(app, "/api/").await, not_found_inner());
        assert_eq!(get_body(app, "/elsewhere").await.0, StatusCode::NOT_FOUND);
        assert_eq!(get_body(app, "/elsewhere").await.1, "");
    }
    assert_eq!(
        route_first.routes().collect::<Vec<_>>(),
        ["/api/{*rest}", "/api/users"]
    );
    assert_eq!(
        nest_first.routes().collect::<Vec<_>>(),
        ["/api/users", "/api/{*rest}"]
    );
}

#[tokio::test]
async fn a_route_replaces_each_entry_of_a_nested_fallback_and_later_ones_still_work() {
    let app = App::with_body()
        .nest("/api", inner_with_fallback())
        .route("/other", get(echo("other")))
        .route("/api", get(echo("api")))
        .route("/api/", get(echo("api-slash")))
        .route("/api/{*rest}", get(echo("rest")))
        // The replaced entry is a route like any other: more methods merge into it.
        .route("/api/{*rest}", post(echo("rest-post")))
        .route("/last", get(echo("last")));
    assert_eq!(get_body(&app, "/api").await.1, "api");
    assert_eq!(get_body(&app, "/api/").await.1, "api-slash");
    assert_eq!(get_body(&app, "/api/x").await.1, "rest rest=x");
    let post_x = Request::post("/api/x").body(()).unwrap();
    assert_eq!(send(&app, post_x).await.1, "rest-post rest=x");
    assert_eq!(get_body(&app, "/api/users").await.1, "users");
    assert_eq!(get_body(&app, "/other").await.1, "other");
    assert_eq!(get_body(&app, "/last").await.1, "last");
    assert_eq!(
        app.routes().collect::<Vec<_>>(),
        [
            "/api/users",
            "/other",
            "/api",
            "/api/",
            "/api/{*rest}",
            "/last"
        ]
    );
    // A later conflict names the route that replaced the fallback's entry.
    let err = app
        .try_route("/api/{*other}", get(echo("again")))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "route `/api/{*other}` conflicts with the already registered route `/api/{*rest}`: both \
         match exactly the same paths; a path takes one spelling of its parameters"
    );
}

#[tokio::test]
async fn a_nested_fallback_nested_again_yields_to_the_outer_routes() {
    let v1 = App::with_body().nest("/v1", inner_with_fallback());
    let route_first = App::with_body()
        .route("/api/v1/{*rest}", get(echo("outer")))
        .nest("/api", v1.clone());
    let nest_first = App::with_body()
        .nest("/api", v1.clone())
        .route("/api/v1/{*rest}", get(echo("outer")));
    let merged = App::with_body()
        .route("/api/v1/{*rest}", get(echo("outer")))
        .merge(App::with_body().nest("/api", v1));
    for app in [&route_first, &nest_first, &merged] {
        assert_eq!(get_body(app, "/api/v1/zzz").await.1, "outer rest=zzz");
        assert_eq!(get_body(app, "/api/v1/users").await.1, "users");
        assert_eq!(get_body(app, "/api/v1").await, not_found_inner());
    }
}

#[test]
fn two_fallbacks_nested_at_the_same_prefix_are_refused_naming_the_prefixes() {
    let err = App::with_body()
        .nest("/{tenant}", inner_with_fallback())
        .try_nest("/{org}", fallback_only())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid route `/{org}`: the fallback of the router nested at `/{org}` would answer the \
         same paths as the fallback of the router already nested at `/{tenant}`: keep one (the \
         paths under a prefix are answered one way)"
    );
    assert_eq!(err.conflicts_with(), None);
    let err = App::with_body()
        .nest("/api", inner_with_fallback())
        .try_merge(App::with_body().nest("/api", fallback_only()))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("the fallback of the router nested at `/api`"),
        "{err}"
    );
    assert!(!err.to_string().contains("__rest"), "{err}");
}

#[tokio::test]
async fn a_nested_fallback_reads_the_prefix_parameters() {
    let inner = App::with_body().fallback_service(handler_fn(|req: Request<()>| async move {
        format!("tenant {}", req.param_str("tenant").unwrap())
    }));
    let app = App::with_body().nest("/{tenant}", inner);
    for path in ["/acme", "/acme/", "/acme/nope/deeper"] {
        assert_eq!(get_body(&app, path).await.1, "tenant acme", "{path}");
    }
}

#[tokio::test]
async fn a_nested_fallback_sees_the_prefix_parameters_and_nothing_else() {
    let inner = App::with_body()
        .route("/users", get(echo("users")))
        .fallback_service(handler_fn(|req: Request<()>| async move {
            let params = req.path_params().unwrap();
            let seen: Vec<String> = params
                .iter(req.uri().path())
                .map(|(name, value)| format!("{name}={}", value.raw()))
                .collect();
            format!(
                "tenant {} sees [{}], {} parameter(s), route {}",
                req.param_str("tenant").unwrap(),
                seen.join(" "),
                params.len(),
                params.route(),
            )
        }));
    let app = App::with_body().nest("/{tenant}", inner);
    assert_eq!(
        get_body(&app, "/acme/nope/deeper").await.1,
        "tenant acme sees [tenant=acme], 1 parameter(s), route /{tenant}/{*}"
    );
    assert_eq!(
        get_body(&app, "/acme").await.1,
        "tenant acme sees [tenant=acme], 1 parameter(s), route /{tenant}"
    );
    assert_eq!(
        get_body(&app, "/acme/").await.1,
        "tenant acme sees [tenant=acme], 1 parameter(s), route /{tenant}/"
    );
    assert_eq!(get_body(&app, "/acme/users").await.1, "users tenant=acme");
}

#[tokio::test]
async fn a_nested_fallback_without_prefix_parameters_sees_none() {
    let inner = App::with_body().fallback_service(handler_fn(|req: Request<()>| async move {
        format!("params: {}", req.path_params().is_some())
    }));
    let app = App::with_body().nest("/api", inner);
    assert_eq!(get_body(&app, "/api/x/y").await.1, "params: false");
}

#[test]
fn the_hidden_catch_all_cannot_be_written() {
    let err = App::with_body()
        .try_route("/api/{*}", get(echo("x")))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid route `/api/{*}`: parameter `{*}` needs a name made of ASCII letters, digits \
         and `_`"
    );
}

#[test]
fn characters_no_request_path_holds_are_refused_saying_why() {
    let cases = [
        (
            "/search?q",
            "`?` starts the query: a route matches the path only; read the query with \
             `req.query_param`",
        ),
        (
            "/a#top",
            "`#` starts the fragment, which clients never send",
        ),
        (
            "/a b",
            "a request path cannot hold a space unescaped: spell it `%20`",
        ),
        (
            "/a`b",
            "a request path cannot hold `` ` `` unescaped: spell it `%60`",
        ),
    ];
    for (route, reason) in cases {
        let err = App::with_body()
            .try_route(route, get(echo("x")))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("invalid route `{route}`: {reason}")
        );
    }
    for route in ["/a\tb", "/a\nb", "/a\x7fb", "/a\0", "/{id}/\r"] {
        let err = App::with_body()
            .try_route(route, get(echo("x")))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "invalid route `{route}`: a request path cannot hold a control character \
                 unescaped: spell it `%XX` (`%09` for a tab)"
            )
        );
    }
    // So are nest prefixes.
    let err = App::with_body()
        .try_nest("/api?v=1", inner_with_fallback())
        .unwrap_err();
    assert!(err.to_string().contains("`?` starts the query"), "{err}");
}

#[tokio::test]
async fn non_ascii_routes_match_the_raw_utf8_hyper_accepts() {
    let app = App::with_body()
        .route("/café", get(echo("raw")))
        .route("/caf%C3%A9", get(echo("escaped")));
    assert_eq!(get_body(&app, "/café").await.1, "raw");
    assert_eq!(get_body(&app, "/caf%C3%A9").await.1, "escaped");
}

#[tokio::test]
async fn doubled_braces_are_literal_braces() {
    let app = App::with_body()
        .route("/json/{{x}}", get(echo("literal")))
        .route("/json/%7Bx%7D", get(echo("escaped")))
        .route("/tpl/{{{{}}/{name}", get(echo("mixed")));
    assert_eq!(get_body(&app, "/json/{x}").await.1, "literal");
    assert_eq!(get_body(&app, "/json/%7Bx%7D").await.1, "escaped");
    assert_eq!(get_body(&app, "/tpl/{{}/a").await.1, "mixed name=a");
    assert_eq!(get_body(&app, "/json/x").await.0, StatusCode::NOT_FOUND);
    // `{{x}}` is not a parameter: a route `/json/{x}` is another route.
    let app = app.route("/json/{x}", get(echo("param")));
    assert_eq!(get_body(&app, "/json/y").await.1, "param x=y");
    assert_eq!(get_body(&app, "/json/{x}").await.1, "literal");
    // A literal brace before a parameter is its prefix, as in matchit: `/a/{{{id}` is `{` then
    // the parameter `id`.
    let app = App::with_body().route("/a/{{{id}", get(echo("prefixed")));
    assert_eq!(get_body(&app, "/a/{x").await.1, "prefixed id=x");
    assert_eq!(get_body(&app, "/a/{").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn silent_syntax_differences_the_migration_guide_lists() {
    let app = App::with_body()
        .route("/int/<x:int>", get(echo("int")))
        .route("/stars/<rest:**>", get(echo("stars")))
        .route("/full/<rest:full_path>", get(echo("full")))
        .route("/path/<p:path>", get(echo("path")))
        .route("/slash", get(echo("slash")))
        .route("/a/b", get(echo("a-b")));
    // `int` is an i64: past i32's range still matches.
    assert_eq!(
        get_body(&app, "/int/2147483648").await.1,
        "int x=2147483648"
    );
    assert_eq!(
        get_body(&app, "/int/9223372036854775808").await.0,
        StatusCode::NOT_FOUND
    );
    // No empty rest, no empty segment.
    assert_eq!(get_body(&app, "/stars/").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get_body(&app, "/stars/a/b").await.1, "stars rest=a/b");
    assert_eq!(get_body(&app, "/full/").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get_body(&app, "/path/").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get_body(&app, "/path/x").await.1, "path p=x");
    // A trailing slash and `//` make other paths.
    assert_eq!(get_body(&app, "/slash/").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get_body(&app, "/a//b").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get_body(&app, "//a/b").await.0, StatusCode::NOT_FOUND);
    // Refused types.
    for (route, ty) in [("/x/<x:*>", "*"), ("/x/<x:float>", "float")] {
        let err = App::with_body()
            .try_route(route, get(echo("x")))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "invalid route `{route}`: unknown parameter type `{ty}` in `<x:{ty}>`; expected \
                 one of str, path, int, i32, i64, u32, u64, uuid, ** or full_path"
            )
        );
    }
}

#[tokio::test]
async fn a_typed_route_answers_404_for_a_bad_value_and_an_untyped_one_read_typed_400() {
    async fn by_id(req: Request<()>) -> Result<String, silent_tower_router::ParamError> {
        Ok(format!("user {}", req.param::<i64>("id")?))
    }
    let typed = App::with_body().route("/users/<id:i64>", get(echo("typed")));
    assert_eq!(get_body(&typed, "/users/42").await.1, "typed id=42");
    assert_eq!(
        get_body(&typed, "/users/abc").await,
        (StatusCode::NOT_FOUND, String::new())
    );
    let untyped = App::with_body().route("/users/{id}", get(by_id));
    assert_eq!(
        get_body(&untyped, "/users/42").await,
        (StatusCode::OK, "user 42".to_owned())
    );
    assert_eq!(
        get_body(&untyped, "/users/abc").await,
        (
            StatusCode::BAD_REQUEST,
            "path parameter `id` is not a valid integer (i64)".to_owned()
        )
    );
}
