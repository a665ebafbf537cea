//! Route-table behaviour through the public API: syntaxes, priorities, fall-through, conflicts,
//! trailing slashes, percent-encoding, methods, nesting, layers and fallbacks.

use std::convert::Infallible;

use http::{header, HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use silent_tower_router::{any, get, handler_fn, on, post, Body, IntoResponse, RequestExt, Router};
use tower::{Service, ServiceExt};

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn send<S>(app: &S, method: Method, uri: &str) -> Answer
where
    S: Service<Request<()>, Response = Response<Body>, Error = Infallible> + Clone,
{
    let request = Request::builder().method(method).uri(uri).body(()).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

async fn get_body<S>(app: &S, uri: &str) -> (StatusCode, String)
where
    S: Service<Request<()>, Response = Response<Body>, Error = Infallible> + Clone,
{
    let answer = send(app, Method::GET, uri).await;
    (answer.status, answer.body)
}

/// A handler answering with its name and every captured parameter, `name a=1 b=2`.
fn echo(name: &'static str) -> impl Fn(Request<()>) -> std::future::Ready<String> + Clone {
    move |req: Request<()>| {
        let mut out = name.to_owned();
        if let Some(params) = req.path_params() {
            for (key, value) in params.iter(req.uri().path()) {
                let value = value.decoded().unwrap_or(value.raw().into());
                out.push_str(&format!(" {key}={value}"));
            }
        }
        std::future::ready(out)
    }
}

#[tokio::test]
async fn static_routes_match_exactly_and_a_trailing_slash_is_another_path() {
    let app = Router::<(), ()>::with_body()
        .route("/", get(echo("root")))
        .route("/users", get(echo("users")))
        .route("/users/", get(echo("users-slash")))
        .route("/about", get(echo("about")));
    assert_eq!(get_body(&app, "/").await, (StatusCode::OK, "root".into()));
    assert_eq!(
        get_body(&app, "/users").await,
        (StatusCode::OK, "users".into())
    );
    assert_eq!(
        get_body(&app, "/users/").await,
        (StatusCode::OK, "users-slash".into())
    );
    assert_eq!(
        get_body(&app, "/about").await,
        (StatusCode::OK, "about".into())
    );
    assert_eq!(get_body(&app, "/about/").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get_body(&app, "/abou").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get_body(&app, "/aboutx").await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        get_body(&app, "/users?x=1").await,
        (StatusCode::OK, "users".into())
    );
}

#[tokio::test]
async fn silent_and_matchit_syntaxes_capture_the_same_way() {
    let app = Router::<(), ()>::with_body()
        .route("/a/{x}/{y}", get(echo("braces")))
        .route("/b/<x>/<y:str>", get(echo("angles")))
        .route("/c/<x:path>", get(echo("path")));
    assert_eq!(get_body(&app, "/a/1/two").await.1, "braces x=1 y=two");
    assert_eq!(get_body(&app, "/b/1/two").await.1, "angles x=1 y=two");
    assert_eq!(get_body(&app, "/c/one").await.1, "path x=one");
    // A segment parameter never spans a `/` and is never empty.
    assert_eq!(get_body(&app, "/c/one/two").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get_body(&app, "/a//two").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn catch_alls_take_the_rest_of_the_path_but_never_nothing() {
    let app = Router::<(), ()>::with_body()
        .route("/files/{*path}", get(echo("braces")))
        .route("/static/<path:**>", get(echo("stars")))
        .route("/assets/<path:full_path>", get(echo("full")));
    assert_eq!(
        get_body(&app, "/files/a/b/c.txt").await.1,
        "braces path=a/b/c.txt"
    );
    assert_eq!(get_body(&app, "/static/x/").await.1, "stars path=x/");
    assert_eq!(
        get_body(&app, "/assets/css/site.css").await.1,
        "full path=css/site.css"
    );
    assert_eq!(get_body(&app, "/files/").await.0, StatusCode::NOT_FOUND);
    assert_eq!(get_body(&app, "/files").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn typed_parameters_parse_and_fall_through_when_they_do_not() {
    let app = Router::<(), ()>::with_body()
        .route("/users/<id:i64>", get(echo("by-id")))
        .route("/users/<name>", get(echo("by-name")))
        .route("/small/<n:u32>", get(echo("u32")))
        .route("/small/<n:i32>", get(echo("i32")))
        .route("/small/{*rest}", get(echo("rest")))
        .route("/things/<id:uuid>", get(echo("uuid")));
    assert_eq!(get_body(&app, "/users/42").await.1, "by-id id=42");
    assert_eq!(get_body(&app, "/users/-42").await.1, "by-id id=-42");
    assert_eq!(get_body(&app, "/users/bob").await.1, "by-name name=bob");
    // Overflowing i64 is not an i64: it falls through to the untyped route.
    assert_eq!(
        get_body(&app, "/users/99999999999999999999").await.1,
        "by-name name=99999999999999999999"
    );
    assert_eq!(
        get_body(&app, "/small/4294967295").await.1,
        "u32 n=4294967295"
    );
    assert_eq!(get_body(&app, "/small/-5").await.1, "i32 n=-5");
    assert_eq!(
        get_body(&app, "/small/4294967296").await.1,
        "rest rest=4294967296"
    );
    assert_eq!(
        get_body(&app, "/things/67e55044-10b1-426f-9247-bb680e5fe0c8")
            .await
            .1,
        "uuid id=67e55044-10b1-426f-9247-bb680e5fe0c8"
    );
    assert_eq!(
        get_body(&app, "/things/not-a-uuid").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn literal_beats_typed_beats_untyped_beats_catch_all() {
    let app = Router::<(), ()>::with_body()
        .route("/p/{*rest}", get(echo("catch-all")))
        .route("/p/<name>", get(echo("untyped")))
        .route("/p/<id:int>", get(echo("typed")))
        .route("/p/me", get(echo("literal")));
    assert_eq!(get_body(&app, "/p/me").await.1, "literal");
    assert_eq!(get_body(&app, "/p/7").await.1, "typed id=7");
    assert_eq!(get_body(&app, "/p/you").await.1, "untyped name=you");
    assert_eq!(
        get_body(&app, "/p/you/there").await.1,
        "catch-all rest=you/there"
    );
}

#[tokio::test]
async fn a_dead_end_branch_backtracks_to_the_next_candidate() {
    let app = Router::<(), ()>::with_body()
        .route("/org/new/settings", get(echo("new-settings")))
        .route("/org/{org}/members", get(echo("members")))
        .route("/org/<id:int>/x", get(echo("typed-x")))
        .route("/org/{org}/x", get(echo("untyped-x")));
    // The literal `new` leads nowhere for `/members`: the parameter edge must still be tried.
    assert_eq!(
        get_body(&app, "/org/new/members").await.1,
        "members org=new"
    );
    assert_eq!(get_body(&app, "/org/new/settings").await.1, "new-settings");
    assert_eq!(get_body(&app, "/org/5/x").await.1, "typed-x id=5");
    assert_eq!(get_body(&app, "/org/five/x").await.1, "untyped-x org=five");
    // Backtracking must not leave the first attempt's capture behind.
    assert_eq!(get_body(&app, "/org/5/members").await.1, "members org=5");
}

#[tokio::test]
async fn parameters_are_percent_decoded_when_read_and_matched_raw() {
    let app = Router::<(), ()>::with_body()
        .route(
            "/tags/{tag}",
            get(|req: Request<()>| async move {
                let raw = req
                    .path_params()
                    .unwrap()
                    .get(req.uri().path(), "tag")
                    .unwrap()
                    .raw();
                format!("{raw} -> {}", req.param_str("tag").unwrap())
            }),
        )
        .route(
            "/n/<n:i64>",
            get(|req: Request<()>| async move { req.param::<i64>("n").map(|n| n.to_string()) }),
        );
    assert_eq!(
        get_body(&app, "/tags/caf%C3%A9%20au%2Flait").await.1,
        "caf%C3%A9%20au%2Flait -> café au/lait"
    );
    assert_eq!(get_body(&app, "/tags/plain").await.1, "plain -> plain");
    // An encoded slash stays inside the segment: it is data, not structure.
    assert_eq!(get_body(&app, "/tags/a%2Fb").await.1, "a%2Fb -> a/b");
}

#[tokio::test]
async fn reading_parameters_gives_typed_values_and_clear_errors() {
    let app = Router::<(), ()>::with_body().route(
        "/r/<id:i64>/{name}",
        get(|req: Request<()>| async move {
            let id: i64 = req.param("id").unwrap();
            let narrow = req.param::<u8>("id");
            let as_int = req.param::<i32>("name");
            let missing = req.param::<String>("nope").unwrap_err();
            let route = req.path_params().unwrap().route().to_owned();
            let missing_status = missing.clone().into_response().status();
            format!(
                "{id} {:?} | {} | {missing} | {missing_status} | {route}",
                narrow.ok(),
                as_int.unwrap_err(),
            )
        }),
    );
    assert_eq!(
        get_body(&app, "/r/300/bob").await.1,
        "300 None | path parameter `name` is not a valid integer (i32) | the matched route has no \
         path parameter `nope` | 500 Internal Server Error | /r/<id:i64>/{name}"
    );
    let bad = Router::<(), ()>::with_body().route(
        "/q/{n}",
        get(|req: Request<()>| async move { req.param::<u16>("n").map(|n| n.to_string()) }),
    );
    let answer = send(&bad, Method::GET, "/q/abc").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.body,
        "path parameter `n` is not a valid integer (u16)"
    );
    assert_eq!(get_body(&bad, "/q/65535").await.1, "65535");
}

#[tokio::test]
async fn query_parameters_are_reachable() {
    let app = Router::<(), ()>::with_body().route(
        "/search",
        get(|req: Request<()>| async move {
            format!(
                "{:?} {:?} {:?}",
                req.query(),
                req.query_param("q"),
                req.query_param("x")
            )
        }),
    );
    assert_eq!(
        get_body(&app, "/search?q=a+b%21&page=2").await.1,
        r#"Some("q=a+b%21&page=2") Some("a b!") None"#
    );
}

#[test]
fn conflicting_routes_are_refused_naming_both() {
    let err = Router::<(), ()>::with_body()
        .route("/users/{id}", get(echo("a")))
        .try_route("/users/<name:str>", get(echo("b")))
        .unwrap_err();
    assert_eq!(err.route(), "/users/<name:str>");
    assert_eq!(err.conflicts_with(), Some("/users/{id}"));
    assert!(
        err.to_string()
            .contains("`/users/<name:str>` conflicts with"),
        "{err}"
    );

    let err = Router::<(), ()>::with_body()
        .route("/files/{*a}", get(echo("a")))
        .try_route("/files/<b:**>", get(echo("b")))
        .unwrap_err();
    assert_eq!(err.conflicts_with(), Some("/files/{*a}"));

    let err = Router::<(), ()>::with_body()
        .route("/same", get(echo("a")).post(echo("b")))
        .try_route("/same", post(echo("c")))
        .unwrap_err();
    assert_eq!(err.conflicts_with(), Some("/same"));
    assert!(err.to_string().contains("both route `POST`"), "{err}");

    // Different shapes are not conflicts: priorities settle them.
    Router::<(), ()>::with_body()
        .route("/x/{a}", get(echo("a")))
        .route("/x/<a:int>", get(echo("b")))
        .route("/x/{*a}", get(echo("c")))
        .route("/x/lit", get(echo("d")));
}

#[test]
fn malformed_routes_are_refused_with_the_reason() {
    let err = Router::<(), ()>::with_body()
        .try_route("no-slash", get(echo("a")))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid route `no-slash`: a route must start with `/`"
    );
    let err = Router::<(), ()>::with_body()
        .try_route("/x/<id:float>", get(echo("a")))
        .unwrap_err();
    assert!(
        err.to_string().contains("unknown parameter type `float`"),
        "{err}"
    );
}

#[test]
#[should_panic(expected = "route `/a` conflicts with the already registered route `/a`")]
fn route_panics_with_the_conflict() {
    let _ = Router::<(), ()>::with_body()
        .route("/a", get(echo("a")))
        .route("/a", get(echo("b")));
}

#[test]
#[should_panic(expected = "MethodRouter: `GET` is routed twice on the same path")]
fn routing_a_method_twice_panics() {
    let _ = Router::<(), ()>::with_body().route("/", get(echo("a")).get(echo("b")));
}

#[tokio::test]
async fn unrouted_methods_get_405_with_allow_and_options_gets_204() {
    let app = Router::<(), ()>::with_body().route("/items", get(echo("list")).post(echo("create")));
    let answer = send(&app, Method::DELETE, "/items").await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(answer.headers[header::ALLOW], "GET,HEAD,POST,OPTIONS");
    assert_eq!(answer.body, "");
    let answer = send(&app, Method::OPTIONS, "/items").await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(answer.headers[header::ALLOW], "GET,HEAD,POST,OPTIONS");
    assert_eq!(send(&app, Method::POST, "/items").await.body, "create");
    // A path with only POST does not offer HEAD.
    let app = Router::<(), ()>::with_body().route("/only-post", post(echo("p")));
    assert_eq!(
        send(&app, Method::GET, "/only-post").await.headers[header::ALLOW],
        "POST,OPTIONS"
    );
}

#[tokio::test]
async fn head_is_answered_by_get_without_the_body() {
    let app = Router::<(), ()>::with_body()
        .route("/page", get(|| async { "thirteen byte" }))
        .route(
            "/own",
            get(echo("get")).head(|| async { (StatusCode::ACCEPTED, "head") }),
        );
    let answer = send(&app, Method::HEAD, "/page").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "");
    assert_eq!(answer.headers[header::CONTENT_LENGTH], "13");
    assert_eq!(
        answer.headers[header::CONTENT_TYPE],
        "text/plain; charset=utf-8"
    );
    // A `HEAD` handler's own body goes too, its length kept.
    let answer = send(&app, Method::HEAD, "/own").await;
    assert_eq!(answer.status, StatusCode::ACCEPTED);
    assert_eq!(answer.body, "");
    assert_eq!(answer.headers[header::CONTENT_LENGTH], "4");
}

#[tokio::test]
async fn any_and_extension_methods() {
    let purge = Method::from_bytes(b"PURGE").unwrap();
    let app = Router::<(), ()>::with_body()
        .route(
            "/all",
            any(|req: Request<()>| async move { req.method().to_string() }),
        )
        .route(
            "/cache",
            on(purge.clone(), echo("purged")).get(echo("read")),
        );
    assert_eq!(send(&app, Method::PATCH, "/all").await.body, "PATCH");
    assert_eq!(send(&app, purge.clone(), "/all").await.body, "PURGE");
    assert_eq!(send(&app, purge, "/cache").await.body, "purged");
    let answer = send(&app, Method::PUT, "/cache").await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(answer.headers[header::ALLOW], "GET,HEAD,OPTIONS,PURGE");
}

#[tokio::test]
async fn nested_routers_are_flattened_under_their_prefix() {
    let users = Router::<(), ()>::with_body()
        .route("/", get(echo("users-index")))
        .route("/<id:int>", get(echo("user")));
    let v1 = Router::<(), ()>::with_body()
        .nest("/users", users)
        .route("/health", get(echo("health")));
    let app = Router::<(), ()>::with_body()
        .nest("/api/v1", v1)
        .route("/", get(echo("root")));
    assert_eq!(get_body(&app, "/api/v1/users").await.1, "users-index");
    assert_eq!(get_body(&app, "/api/v1/users/9").await.1, "user id=9");
    assert_eq!(get_body(&app, "/api/v1/health").await.1, "health");
    assert_eq!(get_body(&app, "/").await.1, "root");
    assert_eq!(
        get_body(&app, "/api/v1/users/").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get_body(&app, "/api/v1").await.0, StatusCode::NOT_FOUND);
    let routes: Vec<_> = app.routes().collect();
    assert_eq!(
        routes,
        [
            "/api/v1/users",
            "/api/v1/users/<id:int>",
            "/api/v1/health",
            "/"
        ]
    );
}

#[tokio::test]
async fn nest_prefixes_may_capture_and_nested_fallbacks_answer_under_them() {
    let repo = Router::<(), ()>::with_body()
        .route("/issues", get(echo("issues")))
        .fallback_service(handler_fn(|| async {
            (StatusCode::NOT_FOUND, "no such repo page")
        }));
    let app = Router::<(), ()>::with_body()
        .nest("/repos/{owner}", repo)
        .route("/repos/{owner}/x/{*rest}", get(echo("outer")));
    assert_eq!(
        get_body(&app, "/repos/ann/issues").await.1,
        "issues owner=ann"
    );
    assert_eq!(
        get_body(&app, "/repos/ann/nope").await,
        (StatusCode::NOT_FOUND, "no such repo page".into())
    );
    assert_eq!(
        get_body(&app, "/repos/ann").await,
        (StatusCode::NOT_FOUND, "no such repo page".into())
    );
    assert_eq!(
        get_body(&app, "/repos/ann/x/y").await.1,
        "outer owner=ann rest=y"
    );
    assert_eq!(
        get_body(&app, "/elsewhere").await,
        (StatusCode::NOT_FOUND, String::new())
    );
}

#[test]
fn bad_nest_prefixes_are_refused() {
    for (prefix, reason) in [
        ("/", "more than `/`"),
        ("api", "start with `/`"),
        ("/api/", "must not end with `/`"),
        ("/api/{*rest}", "catch-all"),
    ] {
        let err = Router::<(), ()>::with_body()
            .try_nest(
                prefix,
                Router::<(), ()>::with_body().route("/x", get(echo("x"))),
            )
            .unwrap_err();
        assert!(err.to_string().contains(reason), "{prefix}: {err}");
    }
    let err = Router::<(), ()>::with_body()
        .route("/api/x", get(echo("a")))
        .try_nest(
            "/api",
            Router::<(), ()>::with_body().route("/x", get(echo("b"))),
        )
        .unwrap_err();
    assert_eq!(err.conflicts_with(), Some("/api/x"));
}

#[tokio::test]
async fn the_fallback_is_replaceable() {
    let app = Router::<(), ()>::with_body()
        .route("/", get(echo("root")))
        .fallback_service(handler_fn(|req: Request<()>| async move {
            (
                StatusCode::NOT_FOUND,
                format!("nothing at {}", req.uri().path()),
            )
        }));
    assert_eq!(
        get_body(&app, "/missing").await,
        (StatusCode::NOT_FOUND, "nothing at /missing".into())
    );
}

#[derive(Clone)]
struct Tag(&'static str);

impl<S> tower::Layer<S> for Tag {
    type Service = tower::util::MapResponse<S, fn(Response<Body>) -> Response<Body>>;

    fn layer(&self, inner: S) -> Self::Service {
        // Each layer instance tags with its own header so tests can see which applied.
        let tag: fn(Response<Body>) -> Response<Body> = match self.0 {
            "layer" => |mut r| {
                r.headers_mut().insert("x-layer", "1".parse().unwrap());
                r
            },
            _ => |mut r| {
                r.headers_mut()
                    .insert("x-route-layer", "1".parse().unwrap());
                r
            },
        };
        tower::util::MapResponse::new(inner, tag)
    }
}

#[tokio::test]
async fn layer_wraps_routes_405s_and_fallback_route_layer_only_routes() {
    let app = Router::<(), ()>::with_body()
        .route("/a", get(echo("a")))
        .route_layer(Tag("route"))
        .layer(Tag("layer"));
    let ok = send(&app, Method::GET, "/a").await;
    assert!(ok.headers.contains_key("x-layer") && ok.headers.contains_key("x-route-layer"));
    let not_allowed = send(&app, Method::PUT, "/a").await;
    assert_eq!(not_allowed.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(not_allowed.headers.contains_key("x-layer"));
    let missing = send(&app, Method::GET, "/b").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.headers.contains_key("x-layer"));
    assert!(!missing.headers.contains_key("x-route-layer"));
}

#[tokio::test]
async fn services_and_boxed_routers_route_too() {
    let svc = tower::service_fn(|req: Request<()>| async move {
        Ok::<_, Infallible>(Response::new(http_body_util::Full::new(
            bytes::Bytes::from(format!("svc {}", req.uri().path())),
        )))
    });
    let app = Router::<(), ()>::with_body()
        .route_service("/svc/{*rest}", svc)
        .route(
            "/m",
            silent_tower_router::get_service(svc).post(echo("post")),
        );
    assert_eq!(get_body(&app, "/svc/a/b").await.1, "svc /svc/a/b");
    assert_eq!(get_body(&app, "/m").await.1, "svc /m");
    assert_eq!(send(&app, Method::POST, "/m").await.body, "post");
}

#[tokio::test]
async fn many_routes_and_many_params() {
    let mut app = Router::<(), ()>::with_body().route("/first", get(echo("first")));
    for i in 0..300 {
        app = app.route(&format!("/r{i}/{{a}}/<b:int>"), get(echo("many")));
    }
    // A chain of routers, each the fallback of the next: the one nesting that cannot be flattened.
    for i in 0..20 {
        app = Router::<(), ()>::with_body()
            .route(&format!("/chained{i}"), get(echo("chained")))
            .fallback_service(app);
    }
    assert_eq!(get_body(&app, "/r150/x/3").await.1, "many a=x b=3");
    assert_eq!(get_body(&app, "/first").await.1, "first");
    assert_eq!(get_body(&app, "/chained3").await.1, "chained");

    let twelve: String = (0..12).map(|i| format!("/{{p{i}}}")).collect();
    let app = Router::<(), ()>::with_body().route(&twelve, get(echo("twelve")));
    let path: String = (0..12).map(|i| format!("/{i}")).collect();
    assert_eq!(
        get_body(&app, &path).await.1,
        "twelve p0=0 p1=1 p2=2 p3=3 p4=4 p5=5 p6=6 p7=7 p8=8 p9=9 p10=10 p11=11"
    );
}

#[tokio::test]
async fn hostile_paths_get_a_status_never_a_panic() {
    let app = Router::<(), ()>::with_body()
        .route("/{a}", get(echo("one")))
        .route("/<n:int>/{*rest}", get(echo("rest")));
    // `http::Uri` caps a URI just under 64 KiB; this is as long as a request path can get.
    let long = format!("/{}", "a".repeat(60 * 1024));
    assert_eq!(get_body(&app, &long).await.0, StatusCode::OK);
    let many = "/x".repeat(10_000);
    assert_eq!(get_body(&app, &many).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get_body(&app, "/%FF%FE").await.0, StatusCode::OK);
    assert_eq!(get_body(&app, "//").await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        get_body(&app, "/../etc/passwd").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get_body(&app, "/99999999999999999999999/x").await.0,
        StatusCode::NOT_FOUND
    );
    let bad_utf8 = Router::<(), ()>::with_body().route(
        "/{a}",
        get(|req: Request<()>| async move {
            req.param_str("a")
                .map(|s| s.into_owned())
                .map_err(|e| (StatusCode::BAD_REQUEST, e.to_string()))
        }),
    );
    let answer = send(&bad_utf8, Method::GET, "/%FF").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.body,
        "path parameter `a` is not valid UTF-8 once percent-decoded"
    );
}

#[cfg(feature = "json")]
#[tokio::test]
async fn json_responses() {
    let app = Router::<(), ()>::with_body().route(
        "/users/<id:i64>",
        get(|req: Request<()>| async move {
            silent_tower_router::Json(serde_json::json!({ "id": req.param::<i64>("id").unwrap() }))
        }),
    );
    let answer = send(&app, Method::GET, "/users/42").await;
    assert_eq!(answer.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(answer.body, r#"{"id":42}"#);
}

#[tokio::test]
async fn a_dead_end_below_a_literal_leaves_no_capture_behind() {
    // Found by the property test: the walk down `/a/<p1:u64>` captures `1`, dead-ends on
    // `%31`, and the catch-all that answers must not inherit that capture.
    let app = Router::<(), ()>::with_body()
        .route("/a", get(echo("a")))
        .route("/{*p0}", get(echo("catch-all")))
        .route("/a/<p1:u64>/a", get(echo("typed")));
    assert_eq!(get_body(&app, "/a/1/%31").await.1, "catch-all p0=a/1/1");
    assert_eq!(get_body(&app, "/a/1/a").await.1, "typed p1=1");
}

#[tokio::test]
async fn a_node_with_many_literal_children_finds_each_and_falls_through_to_its_parameter() {
    // Ten first bytes under `/`: past the point where the tree indexes children by a table.
    let app = Router::<(), ()>::with_body()
        .route("/alpha", get(echo("alpha")))
        .route("/bravo", get(echo("bravo")))
        .route("/charlie", get(echo("charlie")))
        .route("/delta", get(echo("delta")))
        .route("/echo", get(echo("echo")))
        .route("/foxtrot", get(echo("foxtrot")))
        .route("/golf", get(echo("golf")))
        .route("/hotel", get(echo("hotel")))
        .route("/india", get(echo("india")))
        .route("/juliett", get(echo("juliett")))
        .route("/{other}", get(echo("param")));
    for name in [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
        "juliett",
    ] {
        assert_eq!(get_body(&app, &format!("/{name}")).await.1, name);
    }
    assert_eq!(get_body(&app, "/kilo").await.1, "param other=kilo");
    assert_eq!(get_body(&app, "/alp").await.1, "param other=alp");
    assert_eq!(get_body(&app, "/%61lpha").await.1, "param other=alpha");
}
