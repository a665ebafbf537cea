//! [`IntoResponse`]: what a handler may return, and the response types beside it: [`Html`],
//! [`Redirect`], [`Sse`] (server-sent events), and the headers of a response tuple
//! ([`IntoResponseHeaders`], [`AppendHeaders`]).

use std::borrow::Cow;
use std::convert::Infallible;

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::StatusCode;

use crate::body::{Body, BoxError};

mod headers;
mod html;
mod redirect;
pub mod sse;

pub use headers::{
    AppendHeaders, IntoHeaderName, IntoHeaderValue, IntoResponseHeaders, InvalidHeader,
};
pub use html::Html;
pub use redirect::Redirect;
pub use sse::Sse;

/// A response with this crate's `Body`, as axum's `response::Response`.
pub type Response<T = crate::Body> = http::Response<T>;

const TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
const OCTET_STREAM: HeaderValue = HeaderValue::from_static("application/octet-stream");

/// Turns a handler's return value into a `Response<Body>`.
///
/// Implemented for text (`&'static str`, `String`, `Cow<'static, str>`: `text/plain;
/// charset=utf-8`), bytes (`Bytes`, `Vec<u8>`, `&'static [u8]`: `application/octet-stream`),
/// `()` (an empty 200), [`StatusCode`] (an empty response with that status), `(StatusCode, T)`,
/// `(H, T)` and `(StatusCode, H, T)` where `H` is a set of headers ([`IntoResponseHeaders`]: a
/// [`HeaderMap`](http::HeaderMap), an array of name–value pairs, [`AppendHeaders`]), any
/// `Response<B>`, [`Body`], `Result<T, E>` where both sides are responses, [`Html`],
/// [`Redirect`] and [`Sse`]. With the `json` feature, [`Json`](crate::Json) too.
///
/// ```
/// use http::{header, StatusCode};
/// use silent_tower_router::IntoResponse;
///
/// let response = (
///     StatusCode::CREATED,
///     [(header::CONTENT_TYPE, "text/csv"), (header::LOCATION, "/reports/7")],
///     "id,total\n7,42\n",
/// )
///     .into_response();
/// assert_eq!(response.status(), StatusCode::CREATED);
/// assert_eq!(response.headers()["content-type"], "text/csv");
/// assert_eq!(response.headers()["location"], "/reports/7");
/// ```
pub trait IntoResponse {
    /// Builds the response.
    fn into_response(self) -> Response<Body>;
}

fn with_content_type(body: Body, content_type: HeaderValue) -> Response<Body> {
    let mut response = Response::new(body);
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    response
}

impl<B> IntoResponse for Response<B>
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    fn into_response(self) -> Response<Body> {
        self.map(Body::new)
    }
}

impl IntoResponse for Body {
    fn into_response(self) -> Response<Body> {
        Response::new(self)
    }
}

impl IntoResponse for &'static str {
    fn into_response(self) -> Response<Body> {
        with_content_type(Body::from(self), TEXT_PLAIN)
    }
}

impl IntoResponse for String {
    fn into_response(self) -> Response<Body> {
        with_content_type(Body::from(self), TEXT_PLAIN)
    }
}

impl IntoResponse for Cow<'static, str> {
    fn into_response(self) -> Response<Body> {
        match self {
            Cow::Borrowed(text) => text.into_response(),
            Cow::Owned(text) => text.into_response(),
        }
    }
}

impl IntoResponse for Bytes {
    fn into_response(self) -> Response<Body> {
        with_content_type(Body::from(self), OCTET_STREAM)
    }
}

impl IntoResponse for Vec<u8> {
    fn into_response(self) -> Response<Body> {
        with_content_type(Body::from(self), OCTET_STREAM)
    }
}

impl IntoResponse for &'static [u8] {
    fn into_response(self) -> Response<Body> {
        with_content_type(Body::from(self), OCTET_STREAM)
    }
}

impl IntoResponse for () {
    fn into_response(self) -> Response<Body> {
        Response::new(Body::empty())
    }
}

impl IntoResponse for Infallible {
    fn into_response(self) -> Response<Body> {
        match self {}
    }
}

impl IntoResponse for StatusCode {
    fn into_response(self) -> Response<Body> {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = self;
        response
    }
}

impl<T: IntoResponse> IntoResponse for (StatusCode, T) {
    fn into_response(self) -> Response<Body> {
        let (status, inner) = self;
        let mut response = inner.into_response();
        *response.status_mut() = status;
        response
    }
}

/// `H`'s headers go into `T`'s response as [`IntoResponseHeaders`] describes (a map or an array
/// replaces `T`'s headers of the same names, [`AppendHeaders`] adds to them); when a header is
/// not valid, the answer is [`InvalidHeader`]'s `500 Internal Server Error` instead.
impl<H: IntoResponseHeaders, T: IntoResponse> IntoResponse for (H, T) {
    fn into_response(self) -> Response<Body> {
        let (headers, inner) = self;
        let mut response = inner.into_response();
        match headers.into_response_headers(response.headers_mut()) {
            Ok(()) => response,
            Err(invalid) => invalid.into_response(),
        }
    }
}

/// As `(H, T)`, with the status set last: an [`InvalidHeader`] still answers 500.
impl<H: IntoResponseHeaders, T: IntoResponse> IntoResponse for (StatusCode, H, T) {
    fn into_response(self) -> Response<Body> {
        let (status, headers, inner) = self;
        let mut response = inner.into_response();
        match headers.into_response_headers(response.headers_mut()) {
            Ok(()) => {
                *response.status_mut() = status;
                response
            }
            Err(invalid) => invalid.into_response(),
        }
    }
}

impl<T: IntoResponse, E: IntoResponse> IntoResponse for Result<T, E> {
    fn into_response(self) -> Response<Body> {
        match self {
            Ok(ok) => ok.into_response(),
            Err(err) => err.into_response(),
        }
    }
}
