//! Rejections: why an extractor could not read its value, as values a handler can match and map.
//!
//! Each is a response — a status and a short `text/plain` body that names what was at fault —
//! and an error type with the same message, so it can also be turned into an error format of your
//! own:
//!
// The example needs the `json` feature: it is compiled and run only with it.
#![cfg_attr(feature = "json", doc = "```")]
#![cfg_attr(not(feature = "json"), doc = "```ignore")]
//! use http::StatusCode;
//! use silent_tower_router::extract::rejection::JsonRejection;
//! use silent_tower_router::{IntoResponse, Json};
//!
//! /// `Json<T>`, with rejections answered as `{"error": "..."}`.
//! fn problem(rejection: JsonRejection) -> (StatusCode, Json<serde_json::Value>) {
//!     (rejection.status(), Json(serde_json::json!({ "error": rejection.to_string() })))
//! }
//! ```

use std::fmt;

use http::StatusCode;

use crate::body::Body;
use crate::response::IntoResponse;

macro_rules! rejection {
    ($(#[$doc:meta])* $name:ident { $($field:ident: $ty:ty),* } => |$status_this:ident| $status:expr, |$this:ident, $f:ident| $message:expr) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name {
            $(pub(crate) $field: $ty,)*
        }

        impl $name {
            /// The status this rejection answers with.
            pub fn status(&self) -> StatusCode {
                let $status_this = self;
                $status
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, $f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let $this = self;
                $message
            }
        }

        impl std::error::Error for $name {}

        impl IntoResponse for $name {
            fn into_response(self) -> http::Response<Body> {
                (self.status(), self.to_string()).into_response()
            }
        }
    };
}

rejection! {
    /// `State<S>` on a router that was never given its state: a bug of the app, `500`.
    MissingState {} => |_this| StatusCode::INTERNAL_SERVER_ERROR,
    |_this, f| f.write_str("the router has no state: call `.with_state(..)` on it")
}

impl MissingState {
    pub(crate) const fn new() -> Self {
        MissingState {}
    }
}

rejection! {
    /// `Extension<T>` with no `T` in the request: a layer that should have put it there did not
    /// run — `500`.
    MissingExtension { type_name: &'static str } => |_this| StatusCode::INTERNAL_SERVER_ERROR,
    |this, f| write!(f, "missing request extension `{}`: is the layer that adds it in place?", this.type_name)
}

impl MissingExtension {
    pub(crate) fn of<T>() -> Self {
        MissingExtension {
            type_name: std::any::type_name::<T>(),
        }
    }
}

rejection! {
    /// `MatchedPath` where the router handed over no matched route: a fallback, which matched
    /// none, or a route without path parameters, for which the router passes no route (read
    /// the URI's path there: it is the pattern) — `500`, a handler that does not fit its route.
    MatchedPathMissing {} => |_this| StatusCode::INTERNAL_SERVER_ERROR,
    |_this, f| f.write_str(
        "no matched route for `MatchedPath`: a fallback, or a route without path parameters"
    )
}

rejection! {
    /// `Path<T>`: a parameter missing from the route (`500`: the handler does not fit its route)
    /// or one that does not parse as its type (`400`, naming the parameter).
    PathRejection { message: String, missing: bool } => |this| if this.missing {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::BAD_REQUEST
    },
    |this, f| f.write_str(&this.message)
}

rejection! {
    /// `Query<T>`: the query string does not fit `T` — `400`, with serde's message, which names
    /// the field.
    QueryRejection { message: String } => |_this| StatusCode::BAD_REQUEST,
    |this, f| write!(f, "invalid query string: {}", this.message)
}

rejection! {
    /// A body extractor whose body is longer than the limit in force: `413`, without reading
    /// past the limit.
    PayloadTooLarge { limit: Option<usize> } => |_this| StatusCode::PAYLOAD_TOO_LARGE,
    |this, f| match this.limit {
        Some(limit) => write!(f, "request body larger than {limit} bytes"),
        None => f.write_str("request body too large"),
    }
}

impl PayloadTooLarge {
    /// The limit passed, in bytes: `None` when it was a layer's below the router
    /// (`http_body_util::Limited`, tower-http's `RequestBodyLimitLayer`), whose limit the
    /// extractor does not know.
    pub fn limit(&self) -> Option<usize> {
        self.limit
    }
}

rejection! {
    /// A body that could not be read: the connection failed while it was being sent (`400`).
    /// The message is fixed — the underlying error's text is logged at debug level (target
    /// `silent_tower_router::rejection`), never sent to the client, as it may tell of the
    /// server's insides.
    BodyReadFailed {} => |_this| StatusCode::BAD_REQUEST,
    |_this, f| f.write_str("failed to read the request body")
}

rejection! {
    /// `String` from a body that is not UTF-8: `400`.
    InvalidUtf8 { valid_up_to: usize } => |_this| StatusCode::BAD_REQUEST,
    |this, f| write!(f, "request body is not valid UTF-8 (from byte {})", this.valid_up_to)
}

rejection! {
    /// A body extractor given a `content-type` it does not read: `415`, naming the one expected.
    UnsupportedMediaType { expected: &'static str } => |_this| StatusCode::UNSUPPORTED_MEDIA_TYPE,
    |this, f| write!(f, "expected request with `content-type: {}`", this.expected)
}

/// The rejections of `Multipart` (feature `multipart`).
#[cfg(feature = "multipart")]
mod multipart {
    use super::*;

    rejection! {
        /// `Multipart`: a `multipart/form-data` content type without a `boundary` parameter, or
        /// with one that does not parse — `400`.
        InvalidBoundary {} => |_this| StatusCode::BAD_REQUEST,
        |_this, f| f.write_str("invalid `boundary` for `multipart/form-data` request")
    }
}

#[cfg(feature = "multipart")]
pub use self::multipart::InvalidBoundary;
#[cfg(feature = "multipart")]
pub use super::multipart::MultipartRejection;

rejection! {
    /// `Form<T>`: the form does not fit `T` — `422`, with serde's message, which names the field.
    FormRejection { message: String } => |_this| StatusCode::UNPROCESSABLE_ENTITY,
    |this, f| write!(f, "invalid form: {}", this.message)
}

/// Why a body could not be read: each of these answers for every body extractor.
#[derive(Debug)]
pub enum BodyRejection {
    /// Longer than the limit: `413`.
    TooLarge(PayloadTooLarge),
    /// The connection failed: `400`.
    Failed(BodyReadFailed),
}

impl BodyRejection {
    /// The status this rejection answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            BodyRejection::TooLarge(r) => r.status(),
            BodyRejection::Failed(r) => r.status(),
        }
    }
}

impl fmt::Display for BodyRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyRejection::TooLarge(r) => r.fmt(f),
            BodyRejection::Failed(r) => r.fmt(f),
        }
    }
}

impl std::error::Error for BodyRejection {}

impl IntoResponse for BodyRejection {
    fn into_response(self) -> http::Response<Body> {
        (self.status(), self.to_string()).into_response()
    }
}

/// `String` as a body: too large, unreadable, or not UTF-8.
#[derive(Debug)]
pub enum StringRejection {
    /// The body could not be read.
    Body(BodyRejection),
    /// Not UTF-8: `400`.
    InvalidUtf8(InvalidUtf8),
}

impl IntoResponse for StringRejection {
    fn into_response(self) -> http::Response<Body> {
        match self {
            StringRejection::Body(r) => r.into_response(),
            StringRejection::InvalidUtf8(r) => r.into_response(),
        }
    }
}

impl fmt::Display for StringRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StringRejection::Body(r) => r.fmt(f),
            StringRejection::InvalidUtf8(r) => r.fmt(f),
        }
    }
}

/// `Json<T>`: the wrong content type (`415`), a body too large or unreadable (`413`, `400`),
/// JSON that does not parse (`400`) or that does not fit `T` (`422`).
#[derive(Debug)]
pub enum JsonRejection {
    /// No `content-type: application/json` (or `+json`): `415`.
    UnsupportedMediaType(UnsupportedMediaType),
    /// The body could not be read.
    Body(BodyRejection),
    /// Not JSON: `400`, with the line and column.
    Syntax(String),
    /// JSON of the wrong shape: `422`, naming the field.
    Data(String),
}

impl JsonRejection {
    /// The status this rejection answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            JsonRejection::UnsupportedMediaType(r) => r.status(),
            JsonRejection::Body(r) => r.status(),
            JsonRejection::Syntax(_) => StatusCode::BAD_REQUEST,
            JsonRejection::Data(_) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

impl fmt::Display for JsonRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonRejection::UnsupportedMediaType(r) => r.fmt(f),
            JsonRejection::Body(r) => r.fmt(f),
            JsonRejection::Syntax(message) => write!(f, "invalid JSON: {message}"),
            JsonRejection::Data(message) => write!(f, "JSON does not fit: {message}"),
        }
    }
}

impl std::error::Error for JsonRejection {}

impl IntoResponse for JsonRejection {
    fn into_response(self) -> http::Response<Body> {
        (self.status(), self.to_string()).into_response()
    }
}

/// `Form<T>`: the wrong content type (`415`), a body that could not be read, or a form that does
/// not fit `T` (`422`).
#[derive(Debug)]
pub enum FormBodyRejection {
    /// No `content-type: application/x-www-form-urlencoded`: `415`.
    UnsupportedMediaType(UnsupportedMediaType),
    /// The body could not be read.
    Body(BodyRejection),
    /// The form does not fit.
    Form(FormRejection),
}

impl IntoResponse for FormBodyRejection {
    fn into_response(self) -> http::Response<Body> {
        match self {
            FormBodyRejection::UnsupportedMediaType(r) => r.into_response(),
            FormBodyRejection::Body(r) => r.into_response(),
            FormBodyRejection::Form(r) => r.into_response(),
        }
    }
}

rejection! {
    /// `TypedHeader<T>`: the header is missing, or does not parse as a `T` — `400`, naming it.
    TypedHeaderRejection { name: &'static str, missing: bool } => |_this| StatusCode::BAD_REQUEST,
    |this, f| if this.missing {
        write!(f, "missing header `{}`", this.name)
    } else {
        write!(f, "invalid header `{}`", this.name)
    }
}

impl TypedHeaderRejection {
    /// The name of the header at fault.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether the header was missing, rather than invalid.
    pub fn is_missing(&self) -> bool {
        self.missing
    }
}
