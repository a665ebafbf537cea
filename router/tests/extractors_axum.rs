//! Extractors as axum apps expect them: `Json` takes one value and nothing after it, a body cut
//! by a length limit below the router answers `413`, `Form` reads the query string on `GET`, the
//! request-head extractors axum has (`OriginalUri`, `MatchedPath`, `RawPathParams`), `Path` into
//! maps and name/value pairs, and rejections read as data.

use std::fmt;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use silent_tower_router::{get, post, Body, Router};
use tower::ServiceExt;

async fn text(response: Response<Body>) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Sends `req` to `app`, answering the status and the body as text.
async fn call<B: 'static>(app: Router<(), B>, req: Request<B>) -> (StatusCode, String) {
    let response = app.oneshot(req).await.unwrap();
    let status = response.status();
    (status, text(response).await)
}

// ---- Json: the end check --------------------------------------------------------------------

#[cfg(feature = "json")]
mod json {
    use super::*;
    use silent_tower_router::Json;

    fn app() -> Router<(), Full<Bytes>> {
        Router::<(), Full<Bytes>>::with_body().route(
            "/",
            post(|Json(v): Json<serde_json::Value>| async move { v["a"].to_string() }),
        )
    }

    fn json(body: &'static str) -> Request<Full<Bytes>> {
        Request::post("/")
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from_static(body.as_bytes())))
            .unwrap()
    }

    #[tokio::test]
    async fn trailing_characters_after_the_value_are_a_400() {
        let (status, body) = call(app(), json(r#"{"a":1} trailing garbage"#)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body, "invalid JSON: trailing characters at line 1 column 9");
        let (status, _) = call(app(), json(r#"{"a":1}{"a":2}"#)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn whitespace_after_the_value_is_fine() {
        assert_eq!(
            call(app(), json("{\"a\":1} \r\n\t ")).await,
            (StatusCode::OK, "1".to_owned())
        );
    }
}

// ---- Body errors from below -----------------------------------------------------------------

fn echo_bytes<B>() -> Router<(), B>
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<silent_tower_router::BoxError>,
{
    Router::<(), B>::with_body().route(
        "/",
        post(|body: Bytes| async move { body.len().to_string() }),
    )
}

#[tokio::test]
async fn a_body_cut_by_limited_below_the_router_is_a_413() {
    let body = Limited::new(Full::new(Bytes::from(vec![b'a'; 100])), 10);
    let req = Request::post("/").body(body).unwrap();
    assert_eq!(
        call(echo_bytes(), req).await,
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body too large".to_owned()
        )
    );
    // Under the limit, the bytes are read as they are.
    let body = Limited::new(Full::new(Bytes::from(vec![b'a'; 10])), 10);
    let req = Request::post("/").body(body).unwrap();
    assert_eq!(
        call(echo_bytes(), req).await,
        (StatusCode::OK, "10".to_owned())
    );
}

/// An error of a layer that wraps the body's, keeping it as its source.
#[derive(Debug)]
struct Wrapped(silent_tower_router::BoxError);

impl fmt::Display for Wrapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a layer's error at 10.0.0.7:5432")
    }
}

impl std::error::Error for Wrapped {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

#[tokio::test]
async fn a_length_limit_error_deep_in_the_source_chain_is_a_413() {
    let body = Limited::new(Full::new(Bytes::from(vec![b'a'; 100])), 10).map_err(Wrapped);
    let req = Request::post("/").body(body).unwrap();
    let (status, text) = call(echo_bytes(), req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(text, "request body too large");
}

#[tokio::test]
async fn a_body_read_error_answers_a_fixed_message_not_the_error_text() {
    // A body whose read fails with an error text the client must not see.
    let failing = http_body_util::StreamBody::new(futures_util::stream::iter([Err::<
        http_body::Frame<Bytes>,
        Wrapped,
    >(Wrapped(
        "secret /srv/app/db.sqlite".into(),
    ))]));
    let req = Request::post("/").body(failing).unwrap();
    assert_eq!(
        call(echo_bytes(), req).await,
        (
            StatusCode::BAD_REQUEST,
            "failed to read the request body".to_owned()
        )
    );
}

// ---- Form on GET ----------------------------------------------------------------------------

#[derive(serde::Deserialize)]
struct Search {
    q: String,
    page: u32,
}

fn form_app() -> Router<(), Full<Bytes>> {
    use silent_tower_router::extract::Form;
    Router::<(), Full<Bytes>>::with_body().route(
        "/search",
        get(|Form(s): Form<Search>| async move { format!("{} {}", s.q, s.page) })
            .post(|Form(s): Form<Search>| async move { format!("post {} {}", s.q, s.page) }),
    )
}

#[tokio::test]
async fn form_on_get_reads_the_query_string() {
    let req = Request::get("/search?q=rust+tower&page=2")
        .body(Full::default())
        .unwrap();
    assert_eq!(
        call(form_app(), req).await,
        (StatusCode::OK, "rust tower 2".to_owned())
    );
    let req = Request::get("/search?q=x&page=two")
        .body(Full::default())
        .unwrap();
    let (status, _) = call(form_app(), req).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // HEAD too: the answer is the GET's, without its body.
    let req = Request::head("/search?q=a&page=1")
        .body(Full::default())
        .unwrap();
    let (status, _) = call(form_app(), req).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn form_on_post_still_reads_the_body_and_not_the_query() {
    let req = Request::post("/search?q=query&page=9")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from_static(b"q=body&page=3")))
        .unwrap();
    assert_eq!(
        call(form_app(), req).await,
        (StatusCode::OK, "post body 3".to_owned())
    );
    let req = Request::post("/search?q=query&page=9")
        .body(Full::default())
        .unwrap();
    let (status, _) = call(form_app(), req).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

// ---- OriginalUri, MatchedPath, RawPathParams, Query::try_from_uri, Deref --------------------

mod head {
    use super::*;
    use http::Uri;
    use silent_tower_router::extract::{
        rejection::QueryRejection, Form, MatchedPath, OriginalUri, Path, Query, RawPathParams,
    };

    fn unit(uri: &str) -> Request<()> {
        Request::get(uri).body(()).unwrap()
    }

    async fn uris(OriginalUri(original): OriginalUri, uri: Uri) -> String {
        format!("{original} {uri}")
    }

    #[tokio::test]
    async fn original_uri_is_the_uri_as_sent_under_nest_service() {
        let inner = Router::<(), ()>::with_body().route("/users/{id}", get(uris));
        let app = Router::<(), ()>::with_body()
            .route("/top", get(uris))
            .nest_service("/api/{tenant}", inner);
        assert_eq!(
            call(app.clone(), unit("/api/acme/users/7?x=1")).await,
            (
                StatusCode::OK,
                "/api/acme/users/7?x=1 /users/7?x=1".to_owned()
            )
        );
        // Nothing rewrote it: the URI itself.
        assert_eq!(
            call(app, unit("/top?y=2")).await,
            (StatusCode::OK, "/top?y=2 /top?y=2".to_owned())
        );
    }

    #[tokio::test]
    async fn matched_path_is_the_route_pattern_with_its_nest_prefix() {
        let show = |path: MatchedPath| async move { path.as_str().to_owned() };
        let inner = Router::<(), ()>::with_body().route("/posts/{post}", get(show));
        let app = Router::<(), ()>::with_body()
            .route("/users/{id}", get(show))
            .route("/files/{*rest}", get(show))
            .nest("/blog/{blog}", inner)
            .route("/static", get(show));
        for (uri, pattern) in [
            ("/users/7", "/users/{id}"),
            ("/files/a/b/c", "/files/{*rest}"),
            ("/blog/x/posts/9", "/blog/{blog}/posts/{post}"),
        ] {
            assert_eq!(
                call(app.clone(), unit(uri)).await,
                (StatusCode::OK, pattern.to_owned()),
                "{uri}"
            );
        }
        // A route without parameters has its pattern too.
        assert_eq!(
            call(app, unit("/static")).await,
            (StatusCode::OK, "/static".to_owned())
        );
    }

    #[tokio::test]
    async fn raw_path_params_are_name_and_raw_value_pairs_in_route_order() {
        let show = |params: RawPathParams| async move {
            let pairs: Vec<String> = params.iter().map(|(n, v)| format!("{n}={v}")).collect();
            format!(
                "{} {} {:?}",
                params.len(),
                pairs.join(","),
                params.get("file")
            )
        };
        let inner = Router::<(), ()>::with_body().route("/{user}/{file}", get(show));
        let app = Router::<(), ()>::with_body()
            .route("/{user}/{file}", get(show))
            .route("/none", get(show))
            .nest_service("/t/{tenant}", inner);
        assert_eq!(
            call(app.clone(), unit("/ann/a%20b")).await,
            (
                StatusCode::OK,
                "2 user=ann,file=a%20b Some(\"a%20b\")".to_owned()
            )
        );
        assert_eq!(
            call(app.clone(), unit("/t/acme/bob/c.txt")).await,
            (
                StatusCode::OK,
                "3 tenant=acme,user=bob,file=c.txt Some(\"c.txt\")".to_owned()
            )
        );
        assert_eq!(
            call(app, unit("/none")).await,
            (StatusCode::OK, "0  None".to_owned())
        );
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Page {
        page: u32,
        per_page: Option<u32>,
    }

    #[test]
    fn query_try_from_uri_reads_any_uri() {
        let uri: Uri = "/posts?page=3".parse().unwrap();
        assert_eq!(
            Query::<Page>::try_from_uri(&uri).unwrap().0,
            Page {
                page: 3,
                per_page: None
            }
        );
        let uri: Uri = "/posts?page=three".parse().unwrap();
        let err: QueryRejection = Query::<Page>::try_from_uri(&uri).unwrap_err();
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            err.to_string(),
            "invalid query string: query parameter `page` is not a valid integer (u32)"
        );
        let uri: Uri = "/posts".parse().unwrap();
        assert_eq!(
            Query::<Page>::try_from_uri(&uri).unwrap_err().to_string(),
            "invalid query string: missing field `page`"
        );
    }

    #[test]
    fn the_wrappers_deref_to_their_value() {
        let mut query = Query(Page {
            page: 1,
            per_page: None,
        });
        query.page += 1;
        assert_eq!(query.page, 2);
        let mut path = Path((1u8, 2u8));
        (*path).0 = 5;
        assert_eq!(*path, (5, 2));
        let mut form = Form(String::from("a"));
        form.push('b');
        assert_eq!(form.len(), 2);
        #[cfg(feature = "json")]
        {
            let mut json = silent_tower_router::Json(vec![1]);
            json.push(2);
            assert_eq!(json.len(), 2);
        }
    }
}
