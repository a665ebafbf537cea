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

