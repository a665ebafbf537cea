//! `Multipart` through the public API, in process: what the extractor refuses, what reading
//! meets. The same over a real socket: `silent-tower/tests/multipart_over_socket.rs`.

use bytes::Bytes;
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use tower::ServiceExt;

use super::{Multipart, MultipartError};
use crate::{post, Router};

const TWO_FIELDS: &str = "--XyZ\r\n\
    content-disposition: form-data; name=\"title\"\r\n\r\n\
    holiday\r\n\
    --XyZ\r\n\
    content-disposition: form-data; name=\"photo\"; filename=\"beach.png\"\r\n\
    content-type: image/png\r\n\r\n\
    PNG-data\r\n\
    --XyZ--\r\n";

async fn report(mut multipart: Multipart) -> Result<String, MultipartError> {
    multipart.field_limit_for("title", 16);
    let mut lines = String::new();
    while let Some(field) = multipart.next_field().await? {
        let line = format!(
            "{} {} {} ",
            field.name().unwrap_or("-"),
            field.file_name().unwrap_or("-"),
            field.content_type().unwrap_or("-"),
        );
        lines += &line;
        lines += &format!("{}\n", field.bytes().await?.len());
    }
    Ok(lines)
}

async fn call(content_type: Option<&str>, body: impl Into<Bytes>) -> (StatusCode, String) {
    let app = Router::<(), Full<Bytes>>::with_body()
        .route("/", post(report))
        .body_limit(256);
    let mut request = Request::post("/");
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = app
        .oneshot(request.body(Full::new(body.into())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

const FORM: Option<&str> = Some("multipart/form-data; boundary=XyZ");

#[tokio::test]
async fn fields_are_read_with_their_names_file_names_and_types() {
    assert_eq!(
        call(FORM, TWO_FIELDS).await,
        (
            StatusCode::OK,
            "title - - 7\nphoto beach.png image/png 8\n".into()
        )
    );
}

#[tokio::test]
async fn the_head_is_refused_before_the_body_is_read() {
    assert_eq!(
        call(Some("application/json"), "{}").await,
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected request with `content-type: multipart/form-data`".into()
        )
    );
    assert_eq!(
        call(None, TWO_FIELDS).await.0,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(
        call(Some("multipart/form-data"), TWO_FIELDS).await,
        (
            StatusCode::BAD_REQUEST,
            "invalid `boundary` for `multipart/form-data` request".into()
        )
    );
}

#[tokio::test]
async fn a_malformed_body_is_a_400_naming_the_fault() {
    // Cut short: the closing boundary never comes.
    let cut = &TWO_FIELDS[..TWO_FIELDS.len() - 12];
    assert_eq!(
        call(FORM, cut.to_owned()).await,
        (
            StatusCode::BAD_REQUEST,
            "invalid `multipart/form-data` body: field \"photo\" received with incomplete data"
                .into()
        )
    );
    assert_eq!(
        call(FORM, "no boundary line at all").await,
        (
            StatusCode::BAD_REQUEST,
            "invalid `multipart/form-data` body: incomplete multipart stream".into()
        )
    );
}

#[tokio::test]
async fn limits_are_413_for_the_body_and_for_a_field() {
    let long_title = TWO_FIELDS.replace("holiday", "a holiday by the sea");
    assert_eq!(
        call(FORM, long_title).await,
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "multipart field `title` larger than 16 bytes".into()
        )
    );
    let big = TWO_FIELDS.replace("PNG-data", &"x".repeat(300));
    // No `content-length` here: refused by the parser as the 257th byte arrives.
    assert_eq!(
        call(FORM, big).await,
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body larger than 256 bytes".into()
        )
    );
}

#[tokio::test]
async fn a_field_limit_set_once_fields_are_read_changes_nothing() {
    async fn late_limit(mut multipart: Multipart) -> Result<String, MultipartError> {
        let first = multipart.next_field().await?.unwrap().bytes().await?;
        multipart.field_limit(1);
        let second = multipart.next_field().await?.unwrap().bytes().await?;
        Ok(format!("{} {}", first.len(), second.len()))
    }

    let app = Router::<(), Full<Bytes>>::with_body().route("/", post(late_limit));
    let request = Request::post("/")
        .header("content-type", FORM.unwrap())
        .body(Full::new(Bytes::from(TWO_FIELDS)))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "7 8");
}
