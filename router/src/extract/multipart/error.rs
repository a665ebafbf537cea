//! [`MultipartError`]: what reading a `multipart/form-data` body met on the way.

use std::fmt;

use http::StatusCode;

use crate::body::Body;
use crate::extract::body::body_error;
use crate::extract::rejection::{BodyRejection, PayloadTooLarge};
use crate::response::IntoResponse;

/// An error met while reading a [`Multipart`](super::Multipart) body; a response too, so a
/// handler can answer it with `?`.
///
/// - the body passed the limit in force while it streamed — `413` ``request body larger than N
///   bytes``, also for a limit of a layer below (`http_body_util::Limited`);
/// - a field passed its limit ([`Multipart::field_limit`](super::Multipart::field_limit)) —
///   `413` naming the field;
/// - the body is not well-formed multipart (cut short, a part without headers, a header that
///   does not parse) — `400` naming the fault;
/// - the connection failed while the body was being sent — `400`, with a fixed text (the cause
///   is logged at debug level, target `silent_tower_router::rejection`).
#[derive(Debug)]
pub struct MultipartError {
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// The body as a whole: over a limit, or not read.
    Body(BodyRejection),
    /// One field over its limit.
    FieldTooLarge { name: Option<String>, limit: u64 },
    /// Not multipart as it should be: multer's words for it.
    Malformed(multer::Error),
}

impl MultipartError {
    pub(super) fn from_multer(error: multer::Error) -> Self {
        let kind = match error {
            multer::Error::StreamSizeExceeded { limit } => {
                Kind::Body(BodyRejection::TooLarge(PayloadTooLarge {
                    limit: Some(usize::try_from(limit).unwrap_or(usize::MAX)),
                }))
            }
            multer::Error::FieldSizeExceeded { limit, field_name } => Kind::FieldTooLarge {
                name: field_name,
                limit,
            },
            multer::Error::StreamReadFailed(source) => Kind::Body(body_error(source)),
            other => Kind::Malformed(other),
        };
        MultipartError { kind }
    }

    /// The status this error answers with.
    pub fn status(&self) -> StatusCode {
        match &self.kind {
            Kind::Body(rejection) => rejection.status(),
            Kind::FieldTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::Malformed(_) => StatusCode::BAD_REQUEST,
        }
    }

    /// The text of the response's body: what was at fault.
    pub fn body_text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for MultipartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Body(rejection) => rejection.fmt(f),
            Kind::FieldTooLarge {
                name: Some(name),
                limit,
            } => write!(f, "multipart field `{name}` larger than {limit} bytes"),
            Kind::FieldTooLarge { name: None, limit } => {
                write!(f, "multipart field larger than {limit} bytes")
            }
            Kind::Malformed(error) => write!(f, "invalid `multipart/form-data` body: {error}"),
        }
    }
}

impl std::error::Error for MultipartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            Kind::Body(rejection) => Some(rejection),
            Kind::FieldTooLarge { .. } => None,
            Kind::Malformed(error) => Some(error),
        }
    }
}

impl IntoResponse for MultipartError {
    fn into_response(self) -> http::Response<Body> {
        (self.status(), self.to_string()).into_response()
    }
}
