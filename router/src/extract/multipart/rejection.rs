//! [`MultipartRejection`]: why a request's head is not one [`Multipart`](super::Multipart) reads.

use std::fmt;

use http::StatusCode;

use crate::body::Body;
use crate::extract::rejection::{BodyRejection, InvalidBoundary, UnsupportedMediaType};
use crate::response::IntoResponse;

/// `Multipart`, refused before any of the body is read: another content type (`415`), a
/// `multipart/form-data` type with no usable `boundary` parameter (`400`), or a
/// `content-length` over the body limit (`413`).
#[derive(Debug)]
pub enum MultipartRejection {
    /// No `content-type: multipart/form-data`: `415`.
    UnsupportedMediaType(UnsupportedMediaType),
    /// `multipart/form-data` without a `boundary`, or one that does not parse: `400`.
    InvalidBoundary(InvalidBoundary),
    /// The declared length is over the limit: `413`.
    Body(BodyRejection),
}

impl MultipartRejection {
    /// The status this rejection answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            MultipartRejection::UnsupportedMediaType(r) => r.status(),
            MultipartRejection::InvalidBoundary(r) => r.status(),
            MultipartRejection::Body(r) => r.status(),
        }
    }

    /// The text of the response's body: what was at fault.
    pub fn body_text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for MultipartRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MultipartRejection::UnsupportedMediaType(r) => r.fmt(f),
            MultipartRejection::InvalidBoundary(r) => r.fmt(f),
            MultipartRejection::Body(r) => r.fmt(f),
        }
    }
}

impl std::error::Error for MultipartRejection {}

impl IntoResponse for MultipartRejection {
    fn into_response(self) -> http::Response<Body> {
        (self.status(), self.to_string()).into_response()
    }
}
