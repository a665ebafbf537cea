//! `Path` as axum apps use it: maps and name/value pairs of every parameter (a nest prefix's
//! included), rejections that name the parameter and the value the client sent, and types whose
//! own `Deserialize` reads a `&str`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use serde::Deserialize;
use silent_tower_router::extract::rejection::Rejection;
use silent_tower_router::extract::Path;
use silent_tower_router::{get, Body, Router};
use tower::ServiceExt;

type App = Router<(), ()>;

async fn text(response: Response<Body>) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// `GET uri` on `app`: the status, the rejection's kind if it was one, and the body.
async fn get_uri(app: &App, uri: &str) -> (StatusCode, Option<&'static str>, String) {
    let request = Request::get(uri).body(()).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let kind = response
        .extensions()
        .get::<Rejection>()
        .map(Rejection::kind);
    (response.status(), kind, text(response).await)
}

async fn ok(app: &App, uri: &str) -> String {
    let (status, _, body) = get_uri(app, uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    body
}

/// A 400 `path_parse` rejection's message.
async fn bad(app: &App, uri: &str) -> String {
    let (status, kind, body) = get_uri(app, uri).await;
    assert_eq!(
        (status, kind),
        (StatusCode::BAD_REQUEST, Some("path_parse")),
        "{uri}: {body}"
    );
    body
}

/// A 500 `path_missing` rejection's message: the handler does not fit its route.
async fn unfit(app: &App, uri: &str) -> String {
    let (status, kind, body) = get_uri(app, uri).await;
    let expected = (StatusCode::INTERNAL_SERVER_ERROR, Some("path_missing"));
    assert_eq!((status, kind), expected, "{uri}: {body}");
    body
}

// ---- maps and name/value pairs ---------------------------------------------------------------

async fn pairs(Path(pairs): Path<Vec<(String, u32)>>) -> String {
    let pairs: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}={v}")).collect();
    pairs.join(",")
}

async fn sorted(Path(map): Path<BTreeMap<String, String>>) -> String {
    let pairs: Vec<String> = map.iter().map(|(n, v)| format!("{n}={v}")).collect();
    pairs.join(",")
}

async fn hashed(Path(map): Path<HashMap<String, i64>>) -> String {
    format!("{} {:?} {:?}", map.len(), map.get("a"), map.get("b"))
}

fn maps() -> App {
    let inner = || {
        Router::<(), ()>::with_body()
            .route("/pairs/{x}/{y}", get(pairs))
            .route("/map/{x}", get(sorted))
    };
    Router::<(), ()>::with_body()
        .route("/one/pairs/{z}", get(pairs))
        .route("/pairs/{z}/{a}/{m}", get(pairs))
        .route("/one/map/{only}", get(sorted))
        .route("/map/{b}/{a}", get(sorted))
        .route("/hash/{a}/{b}", get(hashed))
        .nest("/nest/{tenant}", inner())
        .nest_service("/svc/{tenant}", inner())
}

#[tokio::test]
async fn name_value_pairs_come_in_route_order_typed_and_decoded() {
    let app = maps();
    assert_eq!(ok(&app, "/one/pairs/7").await, "z=7");
    assert_eq!(ok(&app, "/pairs/3/1/2").await, "z=3,a=1,m=2");
    // An escaped digit is still a digit once decoded, as for any `Path` value.
    assert_eq!(ok(&app, "/pairs/%33/1/2").await, "z=3,a=1,m=2");
    assert_eq!(
        bad(&app, "/pairs/3/one/2").await,
        "cannot parse path parameter `a` value \"one\" as u32: invalid digit found in string"
    );
}

#[tokio::test]
async fn maps_hold_every_parameter_decoded() {
    let app = maps();
    assert_eq!(ok(&app, "/one/map/x").await, "only=x");
    assert_eq!(
        ok(&app, "/map/two%20words/%C3%A9t%C3%A9").await,
        "a=été,b=two words"
    );
    assert_eq!(ok(&app, "/hash/-4/9").await, "2 Some(-4) Some(9)");
    assert_eq!(
        bad(&app, "/hash/-4/nine").await,
        "cannot parse path parameter `b` value \"nine\" as i64: invalid digit found in string"
    );
}

#[tokio::test]
async fn a_nest_prefix_parameters_come_first_in_maps_and_pairs() {
    let app = maps();
    for prefix in ["/nest", "/svc"] {
        assert_eq!(
            ok(&app, &format!("{prefix}/5/pairs/6/7")).await,
            "tenant=5,x=6,y=7",
            "{prefix}"
        );
        assert_eq!(
            ok(&app, &format!("{prefix}/acme%21/map/x")).await,
            "tenant=acme!,x=x",
            "{prefix}"
        );
        assert_eq!(
            bad(&app, &format!("{prefix}/acme/pairs/6/7")).await,
            "cannot parse path parameter `tenant` value \"acme\" as u32: invalid digit found in \
             string",
            "{prefix}"
        );
    }
}

// ---- messages: the parameter and the value ---------------------------------------------------

/// A colour written `rrggbb`, read by its own `Deserialize` (as `Uuid` or a date is), which
/// borrows the text and fails with a message of its own.
#[derive(Debug)]
struct Colour(u32);

impl<'de> Deserialize<'de> for Colour {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <&str>::deserialize(deserializer)?;
        match (text.len(), u32::from_str_radix(text, 16)) {
            (6, Ok(rgb)) => Ok(Colour(rgb)),
            _ => Err(serde::de::Error::custom("expected six hex digits")),
        }
    }
}

#[derive(Deserialize)]
struct Post {
    user: u64,
    slug: String,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "lowercase")]
enum Size {
    Small,
    Large,
}

fn typed() -> App {
    Router::<(), ()>::with_body()
        .route("/u32/{id}", get(|Path(id): Path<u32>| async move { id.to_string() }))
        .route("/bool/{flag}", get(|Path(b): Path<bool>| async move { b.to_string() }))
        .route("/colour/{c}", get(|Path(c): Path<Colour>| async move { format!("{:06x}", c.0) }))
        .route(
            "/colours/{a}/{b}",
            get(|Path((a, b)): Path<(Colour, Colour)>| async move { format!("{:x} {:x}", a.0, b.0) }),
        )
        .route("/post/{user}/{slug}", get(|Path(p): Path<Post>| async move { format!("{} {}", p.user, p.slug) }))
        .route("/size/{s}", get(|Path(s): Path<Size>| async move { format!("{s:?}") }))
        .route("/two/{a}/{b}", get(|Path(id): Path<u32>| async move { id.to_string() }))
        .route("/three/{a}", get(|Path(t): Path<(u32, u32, u32)>| async move { t.0.to_string() }))
        .route("/struct/{user}", get(|Path(p): Path<Post>| async move { p.slug }))
        .route("/none", get(|Path(id): Path<u32>| async move { id.to_string() }))
}

#[tokio::test]
async fn a_value_that_does_not_parse_is_named_with_its_text_and_the_reason() {
    let app = typed();
    assert_eq!(
        bad(&app, "/u32/abc").await,
        "cannot parse path parameter `id` value \"abc\" as u32: invalid digit found in string"
    );
    assert_eq!(
        bad(&app, "/u32/4294967296").await,
        "cannot parse path parameter `id` value \"4294967296\" as u32: number too large to fit \
         in target type"
    );
    assert_eq!(
        bad(&app, "/bool/yes").await,
        "cannot parse path parameter `flag` value \"yes\" as bool: provided string was not \
         `true` or `false`"
    );
    assert_eq!(
        bad(&app, "/post/x/hello").await,
        "cannot parse path parameter `user` value \"x\" as u64: invalid digit found in string"
    );
    // The value is shown decoded, as the handler would have read it.
    assert_eq!(
        bad(&app, "/u32/1%202").await,
        "cannot parse path parameter `id` value \"1 2\" as u32: invalid digit found in string"
    );
}

#[tokio::test]
async fn a_types_own_deserialize_failing_is_named_with_the_value() {
    let app = typed();
    assert_eq!(ok(&app, "/colour/00ff7f").await, "00ff7f");
    assert_eq!(
        bad(&app, "/colour/red").await,
        "cannot parse path parameter `c` value \"red\": expected six hex digits"
    );
    assert_eq!(
        bad(&app, "/colours/00ff7f/blue").await,
        "cannot parse path parameter `b` value \"blue\": expected six hex digits"
    );
    assert_eq!(ok(&app, "/size/large").await, "Large");
    assert_eq!(
        bad(&app, "/size/huge").await,
        "cannot parse path parameter `s` value \"huge\": unknown variant `huge`, expected \
         `small` or `large`"
    );
}

#[tokio::test]
async fn a_long_or_hostile_value_is_cut_and_escaped() {
    let app = typed();
    let long = "x".repeat(10_000);
    let message = bad(&app, &format!("/u32/{long}")).await;
    assert_eq!(
        message,
        format!(
            "cannot parse path parameter `id` value \"{}\"… as u32: invalid digit found in string",
            "x".repeat(64)
        )
    );
    assert!(message.len() < 150, "{message}");
    // A quote or a line break in the value cannot pass for the message's own.
    assert_eq!(
        bad(&app, "/colour/%22%0Aok").await,
        "cannot parse path parameter `c` value \"\\\"\\nok\": expected six hex digits"
    );
    // Bytes that are not UTF-8 once decoded: the value is shown as it was sent.
    assert_eq!(
        bad(&app, "/u32/%FF%FE").await,
        "path parameter `id` value \"%FF%FE\" is not valid UTF-8 once percent-decoded"
    );
}

#[tokio::test]
async fn a_handler_that_reads_other_parameters_than_its_route_has_is_a_500() {
    let app = typed();
    assert_eq!(
        unfit(&app, "/two/1/2").await,
        "wrong number of path parameters for `Path`: expected 1 but the route has 2; several \
         parameters are read with a tuple `Path<(_, _)>` or a struct `Path<YourParams>`"
    );
    assert_eq!(
        unfit(&app, "/three/1").await,
        "wrong number of path parameters for `Path`: expected 3 but the route has 1"
    );
    assert_eq!(
        unfit(&app, "/none").await,
        "wrong number of path parameters for `Path`: expected 1 but the route has 0; several \
         parameters are read with a tuple `Path<(_, _)>` or a struct `Path<YourParams>`"
    );
    assert_eq!(
        unfit(&app, "/struct/7").await,
        "the route has no path parameter `slug`"
    );
}

// ---- borrowing -------------------------------------------------------------------------------

/// A type whose `Deserialize` borrows the text for a moment, as many hand-written ones do.
struct Upper(String);

impl<'de> Deserialize<'de> for Upper {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text: &'de str = Deserialize::deserialize(deserializer)?;
        Ok(Upper(text.to_uppercase()))
    }
}

/// `Cow<'static, str>` fields own their text: they keep working.
#[derive(Deserialize)]
struct Names {
    first: Cow<'static, str>,
    last: Upper,
}

fn borrowing() -> App {
    Router::<(), ()>::with_body()
        .route(
            "/up/{word}",
            get(|Path(Upper(u)): Path<Upper>| async move { u }),
        )
        .route(
            "/names/{first}/{last}",
            get(|Path(n): Path<Names>| async move { format!("{} {}", n.first, n.last.0) }),
        )
        .route(
            "/pairs/{a}/{b}",
            get(|Path(p): Path<Vec<(String, Upper)>>| async move {
                let p: Vec<String> = p.into_iter().map(|(n, u)| format!("{n}={}", u.0)).collect();
                p.join(",")
            }),
        )
}

#[tokio::test]
async fn a_deserialize_that_borrows_the_text_reads_plain_and_escaped_values() {
    let app = borrowing();
    assert_eq!(ok(&app, "/up/abc").await, "ABC");
    // An escaped value is decoded once, and lent like a plain one.
    assert_eq!(ok(&app, "/up/a%20b%2Fc").await, "A B/C");
    assert_eq!(ok(&app, "/names/ada/lovelace").await, "ada LOVELACE");
    assert_eq!(
        ok(&app, "/names/j%C3%BCrgen/m%C3%BCller").await,
        "jürgen MÜLLER"
    );
    assert_eq!(ok(&app, "/pairs/x%21/y").await, "a=X!,b=Y");
}
