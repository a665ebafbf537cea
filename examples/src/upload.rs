//! File uploads: `GET /` serves a form with a text field and a file input; `POST /upload` reads
//! the `multipart/form-data` the browser sends, field by field, and answers what it received —
//! each field's name, file name, content type and size — as JSON.
//!
//! The file is read chunk by chunk, as an app would stream it to storage: it is never held
//! whole. The upload as a whole is held to [`UPLOAD_LIMIT`] (the router's body limit), the
//! `description` field to [`DESCRIPTION_LIMIT`]; past either the answer is `413`, a body that is
//! not well-formed multipart `400`, and a request that is not a form upload at all `415`.

use serde::Serialize;
use silent_tower::extract::multipart::{Multipart, MultipartError};
use silent_tower::prelude::*;

/// The most bytes one upload may carry, all fields together: 1 MiB.
pub const UPLOAD_LIMIT: usize = 1024 * 1024;

/// The most bytes of the `description` field: a short text beside the file.
pub const DESCRIPTION_LIMIT: usize = 1024;

/// One field as `POST /upload` received it.
#[derive(Debug, Serialize)]
pub struct Received {
    /// The form input's name.
    pub name: String,
    /// The name of the file, for a file input.
    pub file_name: Option<String>,
    /// The content type the browser gave, for a file input.
    pub content_type: Option<String>,
    /// The bytes received.
    pub size: usize,
}

const FORM: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Upload</title></head>
<body>
  <form action="/upload" method="post" enctype="multipart/form-data">
    <label>Description <input type="text" name="description"></label>
    <label>File <input type="file" name="file"></label>
    <button type="submit">Upload</button>
  </form>
</body>
</html>
"#;

/// `GET /`: the form.
pub async fn form() -> Html<&'static str> {
    Html(FORM)
}

/// `POST /upload`: reads every field, and answers what came.
pub async fn upload(mut multipart: Multipart) -> Result<Json<Vec<Received>>, MultipartError> {
    multipart.field_limit_for("description", DESCRIPTION_LIMIT);
    let mut received = Vec::new();
    while let Some(mut field) = multipart.next_field().await? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let mut size = 0;
        while let Some(chunk) = field.chunk().await? {
            // An app would write `chunk` to a file or a bucket here.
            size += chunk.len();
        }
        received.push(Received {
            name,
            file_name,
            content_type,
            size,
        });
    }
    Ok(Json(received))
}

/// The upload app.
pub fn app() -> Router {
    Router::new()
        .route("/", get(form))
        .route("/upload", post(upload))
        .body_limit(UPLOAD_LIMIT)
}
