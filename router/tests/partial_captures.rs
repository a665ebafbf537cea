//! Parameters that take part of a segment (`/{file}.png`, `/new-{id}`, `/x{a}x`, `/v<n:i64>.json`),
//! their priorities and conflicts, in nest prefixes too; and axum 0.7's `/:id` and `/*rest`,
//! refused with the spelling to use.

use std::convert::Infallible;

use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use silent_tower_router::{get, Body, RequestExt, Router};
use tower::{Service, ServiceExt};

type App = Router<(), ()>;

async fn get_body<S>(app: &S, uri: &str) -> (StatusCode, String)
where
    S: Service<Request<()>, Response = Response<Body>, Error = Infallible> + Clone,
{
    let request = Request::get(uri).body(()).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

/// A handler answering with its name and every captured parameter, decoded: `name a=1 b=2`.
fn echo(name: &'static str) -> impl Fn(Request<()>) -> std::future::Ready<String> + Clone {
    move |req: Request<()>| {
        let mut out = name.to_owned();
        if let Some(params) = req.path_params() {
            for (key, value) in params.iter(req.uri().path()) {
                out.push_str(&format!(" {key}={}", value.decoded().unwrap()));
            }
        }
        std::future::ready(out)
    }
}

fn ok(body: &str) -> (StatusCode, String) {
    (StatusCode::OK, body.to_owned())
}

fn not_found() -> (StatusCode, String) {
    (StatusCode::NOT_FOUND, String::new())
}

#[tokio::test]
async fn a_parameter_takes_part_of_a_segment_between_a_prefix_and_a_suffix() {
    let app = App::with_body()
        .route("/images/{file}.png", get(echo("png")))
        .route("/users/new-{id}/edit", get(echo("new")))
        .route("/x{a}x", get(echo("xax")))
        .route("/api/v<n:i64>.json", get(echo("typed")))
        .route("/static/x{*rest}", get(echo("rest")));
    assert_eq!(get_body(&app, "/images/cat.png").await, ok("png file=cat"));
    assert_eq!(get_body(&app, "/images/a.b.png").await, ok("png file=a.b"));
    assert_eq!(
        get_body(&app, "/images/a%20b.png").await,
        ok("png file=a b")
    );
    // The value is never empty, and stops at the segment's end.
    assert_eq!(get_body(&app, "/images/.png").await, not_found());
    assert_eq!(get_body(&app, "/images/cat.jpg").await, not_found());
    assert_eq!(get_body(&app, "/images/a/b.png").await, not_found());
    assert_eq!(get_body(&app, "/images/cat.png/").await, not_found());
    assert_eq!(get_body(&app, "/users/new-42/edit").await, ok("new id=42"));
    assert_eq!(get_body(&app, "/users/new-/edit").await, not_found());
    assert_eq!(get_body(&app, "/xax").await, ok("xax a=a"));
    assert_eq!(get_body(&app, "/xxx").await, ok("xax a=x"));
    assert_eq!(get_body(&app, "/xx").await, not_found());
    assert_eq!(get_body(&app, "/api/v7.json").await, ok("typed n=7"));
    assert_eq!(get_body(&app, "/api/v-7.json").await, ok("typed n=-7"));
    assert_eq!(get_body(&app, "/api/vx.json").await, not_found());
    assert_eq!(get_body(&app, "/api/v7.jsonx").await, not_found());
    assert_eq!(
        get_body(&app, "/static/xa/b.css").await,
        ok("rest rest=a/b.css")
    );
    assert_eq!(get_body(&app, "/static/x").await, not_found());
}

#[tokio::test]
async fn a_typed_partial_parameter_reads_as_its_type() {
    async fn version(req: Request<()>) -> String {
        let n: i64 = req.param("n").unwrap();
        format!("v{}", n + 1)
    }
    let app = App::with_body().route("/v<n:i64>.json", get(version));
    assert_eq!(get_body(&app, "/v41.json").await, ok("v42"));
}

#[tokio::test]
async fn the_longest_prefix_then_the_longest_suffix_wins() {
    let app = App::with_body()
        .route("/{x}.tar.gz", get(echo("tar")))
        .route("/{x}.gz", get(echo("gz")))
        .route("/{x}", get(echo("plain")))
        .route("/new-{id}", get(echo("new")))
        .route("/new-item", get(echo("static")));
    assert_eq!(get_body(&app, "/a.tar.gz").await, ok("tar x=a"));
    assert_eq!(get_body(&app, "/a.gz").await, ok("gz x=a"));
    // `.tar.gz` would leave an empty value: the next suffix takes it.
    assert_eq!(get_body(&app, "/.tar.gz").await, ok("gz x=.tar"));
    assert_eq!(get_body(&app, "/.gz").await, ok("plain x=.gz"));
    assert_eq!(get_body(&app, "/a").await, ok("plain x=a"));
    assert_eq!(get_body(&app, "/new-item").await, ok("static"));
    assert_eq!(get_body(&app, "/new-7").await, ok("new id=7"));
    // The prefix leaves nothing: back to the parameter with none.
    assert_eq!(get_body(&app, "/new-").await, ok("plain x=new-"));
    // A prefix is literal bytes: of `/b{x}` and `/{x}a`, `/bza` takes the literal `b`.
    let app = App::with_body()
        .route("/{x}a", get(echo("suffix")))
        .route("/b{x}", get(echo("prefix")));
    assert_eq!(get_body(&app, "/bza").await, ok("prefix x=za"));
    assert_eq!(get_body(&app, "/za").await, ok("suffix x=z"));
    assert_eq!(get_body(&app, "/b").await, not_found());
    assert_eq!(get_body(&app, "/ba").await, ok("prefix x=a"));
}

#[tokio::test]
async fn typed_partial_parameters_come_before_untyped_ones_of_the_same_suffix() {
    let app = App::with_body()
        .route("/v{s}.json", get(echo("str")))
        .route("/v<n:i64>.json", get(echo("int")))
        .route("/{page}", get(echo("page")));
    assert_eq!(get_body(&app, "/v7.json").await, ok("int n=7"));
    assert_eq!(get_body(&app, "/vx.json").await, ok("str s=x"));
    assert_eq!(
        get_body(&app, "/v9223372036854775808.json").await,
        ok("str s=9223372036854775808")
    );
    assert_eq!(get_body(&app, "/v.json").await, ok("page page=v.json"));
}

#[tokio::test]
async fn the_segment_chooses_the_suffix_and_the_choice_is_final_as_in_matchit() {
    let app = App::with_body()
        .route("/{x}.png/a", get(echo("png-a")))
        .route("/{x}/b", get(echo("b")))
        .route("/{x}", get(echo("plain")));
    assert_eq!(get_body(&app, "/f.png/a").await, ok("png-a x=f"));
    assert_eq!(get_body(&app, "/f.jpg/b").await, ok("b x=f.jpg"));
    // The segment reads as `{x}.png` followed by more: `/b` is not under it, and the parameter
    // without a suffix is not tried for it (matchit answers the same).
    assert_eq!(get_body(&app, "/f.png/b").await, not_found());
    // Ending the path, no route ends after `{x}.png`: the suffix is not chosen.
    assert_eq!(get_body(&app, "/f.png").await, ok("plain x=f.png"));
}

#[tokio::test]
async fn the_same_parameter_twice_conflicts_naming_both_routes() {
    let err = App::with_body()
        .route("/files/{a}.png", get(echo("a")))
        .try_route("/files/{b}.png", get(echo("b")))
        .unwrap_err();
    assert_eq!(err.route(), "/files/{b}.png");
    assert_eq!(err.conflicts_with(), Some("/files/{a}.png"));
    assert!(err.to_string().contains("`/files/{a}.png`"), "{err}");
    let err = App::with_body()
        .route("/v<n:i64>.json", get(echo("a")))
        .try_route("/v<m:int>.json", get(echo("b")))
        .unwrap_err();
    assert_eq!(err.conflicts_with(), Some("/v<n:i64>.json"));
    // Other suffixes, prefixes or kinds are other routes.
    let app = App::with_body()
        .route("/{a}.png", get(echo("png")))
        .route("/{a}.jpg", get(echo("jpg")))
        .route("/a{x}b", get(echo("ab")))
        .route("/a{x}c", get(echo("ac")))
        .route("/<n:u32>.png", get(echo("u32")));
    assert_eq!(get_body(&app, "/azc").await, ok("ac x=z"));
    assert_eq!(get_body(&app, "/azb").await, ok("ab x=z"));
    assert_eq!(get_body(&app, "/7.png").await, ok("u32 n=7"));
    assert_eq!(get_body(&app, "/q.jpg").await, ok("jpg a=q"));
}

#[test]
fn two_parameters_in_one_segment_are_refused() {
    let err = App::with_body()
        .try_route("/v{major}.{minor}", get(echo("v")))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid route `/v{major}.{minor}`: one parameter per path segment: `major` and `minor` \
         share one (a value ends at the next `/`, so two in a segment could split it more than \
         one way); capture the segment whole and split it in the handler"
    );
    let err = App::with_body()
        .try_route("/files/{*rest}.png", get(echo("v")))
        .unwrap_err();
    assert!(err.to_string().contains("must be the last"), "{err}");
}

#[tokio::test]
async fn a_nest_prefix_may_hold_a_partial_parameter() {
    let inner = App::with_body()
        .route("/", get(echo("root")))
        .route("/items/{id}", get(echo("item")));
    let app = App::with_body().nest("/{x}.json", inner);
    assert_eq!(get_body(&app, "/a.json").await, ok("root x=a"));
    assert_eq!(get_body(&app, "/a.json/items/3").await, ok("item x=a id=3"));
    assert_eq!(get_body(&app, "/.json").await, not_found());
    assert_eq!(get_body(&app, "/a.jsn/items/3").await, not_found());
    // The nested routes conflict with the routes here as if added flat, naming both.
    let inner = App::with_body().route("/", get(echo("root")));
    let err = App::with_body()
        .route("/{y}.json", get(echo("outer")))
        .try_nest("/{x}.json", inner)
        .unwrap_err();
    assert_eq!(err.route(), "/{x}.json");
    assert_eq!(err.conflicts_with(), Some("/{y}.json"));
    // And the partial parameters of the prefix count with the nested ones.
    let inner = App::with_body().route("/{x}.png", get(echo("png")));
    let err = App::with_body().try_nest("/{x}.json", inner).unwrap_err();
    assert!(err.to_string().contains("`x` is used twice"), "{err}");
}

#[test]
#[should_panic(expected = "write the parameter `{id}`")]
fn an_axum_07_colon_parameter_panics_at_route_with_the_spelling_to_use() {
    let _ = App::with_body().route("/users/:id", get(echo("user")));
}

#[test]
#[should_panic(expected = "write the catch-all `{*rest}`")]
fn an_axum_07_wildcard_panics_at_route_with_the_spelling_to_use() {
    let _ = App::with_body().route("/files/*rest", get(echo("files")));
}

#[test]
fn axum_07_syntax_is_refused_in_every_place_a_route_is_written() {
    let err = App::with_body()
        .try_route("/users/:id/posts", get(echo("x")))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid route `/users/:id/posts`: path segment `:id` starts with `:`, the parameter \
         syntax of axum 0.7, which this router would match as literal text: write the parameter \
         `{id}` (or `<id>`); for a segment that starts with a literal `:`, write `\\:`"
    );
    let err = App::with_body()
        .try_route("/files/*path", get(echo("x")))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid route `/files/*path`: path segment `*path` starts with `*`, the wildcard syntax \
         of axum 0.7, which this router would match as literal text: write the catch-all \
         `{*path}` (or `<path:**>`); for a segment that starts with a literal `*`, write `\\*`"
    );
    let err = App::with_body()
        .try_nest("/:tenant", App::with_body())
        .unwrap_err();
    assert!(err.to_string().contains("`{tenant}`"), "{err}");
}

#[tokio::test]
async fn a_literal_colon_or_star_starts_a_segment_when_escaped() {
    let app = App::with_body()
        .route(r"/\:id", get(echo("colon")))
        .route(r"/files/\*", get(echo("star")))
        .route("/time/12:30", get(echo("inside")));
    assert_eq!(get_body(&app, "/:id").await, ok("colon"));
    assert_eq!(get_body(&app, "/files/*").await, ok("star"));
    assert_eq!(get_body(&app, "/time/12:30").await, ok("inside"));
    assert_eq!(get_body(&app, "/7").await, not_found());
    assert_eq!(get_body(&app, "/files/a").await, not_found());
    assert_eq!(
        app.routes().collect::<Vec<_>>(),
        [r"/\:id", r"/files/\*", "/time/12:30"]
    );
}

#[tokio::test]
async fn a_service_nested_under_a_partial_parameter_sees_the_path_below_it() {
    let inner = App::with_body().route(
        "/{*rest}",
        get(|req: Request<()>| std::future::ready(req.uri().to_string())),
    );
    let app = App::with_body().nest_service("/v{n}.json", inner);
    assert_eq!(get_body(&app, "/v2.json/a/b?q=1").await, ok("/a/b?q=1"));
    assert_eq!(get_body(&app, "/v.json/a").await, not_found());
}

#[tokio::test]
async fn a_nested_fallback_under_a_partial_prefix_answers_below_it_and_reads_it() {
    let inner = App::with_body()
        .route("/items", get(echo("items")))
        .fallback_service(silent_tower_router::handler_fn(echo("fallback")));
    let app = App::with_body().nest("/{x}.json", inner);
    assert_eq!(get_body(&app, "/a.json/items").await, ok("items x=a"));
    assert_eq!(get_body(&app, "/a.json").await, ok("fallback x=a"));
    assert_eq!(get_body(&app, "/a.json/").await, ok("fallback x=a"));
    assert_eq!(get_body(&app, "/a.json/zzz/q").await, ok("fallback x=a"));
    assert_eq!(get_body(&app, "/a.jsonx/items").await, not_found());
}
