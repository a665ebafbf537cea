//! [`Json`]: a JSON response (feature `json`).

use http::header::{HeaderValue, CONTENT_TYPE};
use http::{Response, StatusCode};
use serde::Serialize;

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

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response<Body> {
        match serde_json::to_vec(&self.0) {
            Ok(bytes) => {
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
