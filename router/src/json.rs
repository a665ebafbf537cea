//! [`Json`]: a JSON response, and a JSON request body (feature `json`).

use http::header::{HeaderValue, CONTENT_TYPE};
use http::{Request, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::body::BoxError;
use std::future::Future;

use crate::extract::body::{body_within_limit, has_content_type, read_body};
use crate::extract::rejection::{JsonRejection, UnsupportedMediaType};
use crate::extract::{FromRequest, RequestContext};

use crate::body::Body;
use crate::response::IntoResponse;

/// Serialises `T` with `serde_json` into an `application/json` response.
///
/// A value that cannot be serialised (a map with non-string keys, a failing `Serialize` impl)
/// answers `500 Internal Server Error` with the serde error as a text body.
///
/// ```
/// use silent_tower_router::{IntoResponse, Json};
///
/// let response = Json(serde_json::json!({ "id": 42 })).into_response();
/// assert_eq!(response.headers()["content-type"], "application/json");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

// The value inside, as in axum: `wrapper.field` reads the wrapped value's field, without
// taking the wrapper apart.
impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response<Body> {
        // 256 bytes before the first write: most JSON answers are small, and growing from empty
        // (or from too little) reallocates and copies on the way — each step costs more than
        // the unused bytes of a small answer.
        let mut bytes = Vec::with_capacity(256);
        match serde_json::to_writer(&mut bytes, &self.0) {
            Ok(()) => {
                let mut response = Response::new(Body::from(bytes));
                response
                    .headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                response
            }
            Err(err) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("failed to serialise the JSON response: {err}"),
            )
                .into_response(),
        }
    }
}

/// A JSON body (`content-type: application/json`, or any `+json` type) as a `T`, read up to the
/// body limit: another content type answers `415`, a body over the limit `413`, text that is not
/// JSON `400`, JSON that does not fit `T` `422` — each with a message that names the place
/// ([`JsonRejection`]).
///
/// ```
/// use silent_tower_router::Json;
///
/// #[derive(serde::Deserialize, serde::Serialize)]
/// struct Todo {
///     title: String,
/// }
///
/// async fn create(Json(todo): Json<Todo>) -> Json<Todo> {
///     Json(todo)
/// }
/// ```
impl<T, S, B> FromRequest<S, B> for Json<T>
where
    T: DeserializeOwned,
    S: Sync,
    B: http_body::Body + Send,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Rejection = JsonRejection;

    fn from_request(
        req: Request<B>,
        cx: &RequestContext<S>,
    ) -> impl Future<Output = Result<Self, JsonRejection>> + Send {
        let body = if has_content_type(req.headers(), "application/json", Some("+json")) {
            body_within_limit(req, cx).map_err(JsonRejection::Body)
        } else {
            Err(JsonRejection::UnsupportedMediaType(UnsupportedMediaType {
                expected: "application/json",
            }))
        };
        async move {
            let (body, limit) = body?;
            let bytes = read_body(body, limit).await.map_err(JsonRejection::Body)?;
            parse(&bytes).map(Json)
        }
    }
}

/// `bytes` as JSON of a `T`: text that is not JSON is a syntax error (`400`), JSON of the wrong
/// shape a data error (`422`).
///
/// The whole body must be the one value: anything but whitespace after it (`{"a":1} garbage`,
/// a second value) is a syntax error too, as the deserializer's end check finds it.
pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, JsonRejection> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    T::deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|err| {
            use serde_json::error::Category;
            match err.classify() {
                Category::Data => JsonRejection::Data(err.to_string()),
                Category::Syntax | Category::Eof | Category::Io => {
                    JsonRejection::Syntax(err.to_string())
                }
            }
        })
}
