//! [`Html`]: an HTML response.

use http::header::{HeaderValue, CONTENT_TYPE};
use http::Response;

use super::IntoResponse;
use crate::body::Body;

/// An HTML response: `T`'s bytes with `content-type: text/html; charset=utf-8`.
///
/// `T` is anything that becomes a [`Body`]: a `&'static str` (no allocation), a `String`,
/// `Bytes`, `Vec<u8>`.
///
/// ```
/// use silent_tower_router::{Html, IntoResponse};
///
/// let response = Html("<h1>Hello</h1>").into_response();
/// assert_eq!(response.headers()["content-type"], "text/html; charset=utf-8");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Html<T>(pub T);

impl<T: Into<Body>> IntoResponse for Html<T> {
    fn into_response(self) -> Response<Body> {
        let mut response = Response::new(self.0.into());
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        response
    }
}

impl<T> From<T> for Html<T> {
    fn from(inner: T) -> Self {
        Html(inner)
    }
}
