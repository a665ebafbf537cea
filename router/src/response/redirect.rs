//! [`Redirect`]: a response that sends the client elsewhere.

use http::header::{HeaderValue, CONTENT_TYPE, LOCATION};
use http::{Response, StatusCode};

use super::IntoResponse;
use crate::body::Body;

/// A redirect: an empty response with a `Location` header and a 3xx status.
///
/// - [`Redirect::to`]: `303 See Other` — the client follows with a `GET` (after a form `POST`,
///   say);
/// - [`Redirect::temporary`]: `307 Temporary Redirect` — same method and body, this time;
/// - [`Redirect::permanent`]: `308 Permanent Redirect` — same method and body, from now on.
///
/// The constructors never panic. A location that is not a valid header value (it holds a
/// control character such as `\n`) makes the response a `500 Internal Server Error` with the
/// text body `redirect location is not a valid header value`, so the mistake shows instead of a
/// header being cut or smuggled; [`Redirect::location`] is `None` for such a redirect, for a
/// caller that wants to check first.
///
/// ```
/// use http::StatusCode;
/// use silent_tower_router::{IntoResponse, Redirect};
///
/// let response = Redirect::to("/login").into_response();
/// assert_eq!(response.status(), StatusCode::SEE_OTHER);
/// assert_eq!(response.headers()["location"], "/login");
///
/// let broken = Redirect::to("/login\r\nset-cookie: a=b");
/// assert!(broken.location().is_none());
/// assert_eq!(broken.into_response().status(), StatusCode::INTERNAL_SERVER_ERROR);
/// ```
#[derive(Debug, Clone)]
pub struct Redirect {
    status: StatusCode,
    location: Option<HeaderValue>,
}

impl Redirect {
    /// `303 See Other` to `uri`: the client follows with a `GET`.
    pub fn to(uri: &str) -> Self {
        Self::with_status(StatusCode::SEE_OTHER, uri)
    }

    /// `307 Temporary Redirect` to `uri`: the client repeats the request, method and body, there.
    pub fn temporary(uri: &str) -> Self {
        Self::with_status(StatusCode::TEMPORARY_REDIRECT, uri)
    }

    /// `308 Permanent Redirect` to `uri`: as `temporary`, and the client may remember it.
    pub fn permanent(uri: &str) -> Self {
        Self::with_status(StatusCode::PERMANENT_REDIRECT, uri)
    }

    fn with_status(status: StatusCode, uri: &str) -> Self {
        Redirect {
            status,
            location: HeaderValue::from_str(uri).ok(),
        }
    }

    /// The redirect's status: 303, 307 or 308.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `Location` header, or `None` when the location given was not a valid header value.
    pub fn location(&self) -> Option<&HeaderValue> {
        self.location.as_ref()
    }
}

impl IntoResponse for Redirect {
    fn into_response(self) -> Response<Body> {
        let Some(location) = self.location else {
            let mut response =
                Response::new(Body::from("redirect location is not a valid header value"));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            return response;
        };
        let mut response = Response::new(Body::empty());
        *response.status_mut() = self.status;
        response.headers_mut().insert(LOCATION, location);
        response
    }
}
