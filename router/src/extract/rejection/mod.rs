//! Rejections: why an extractor could not read its value, as values a handler can match and map.
//!
//! Each is a response — a status and a short `text/plain` body that names what was at fault —
//! and an error type with the same message, its [`status`](JsonRejection::status) and a stable
//! [`kind`](JsonRejection::kind). Every one converts into a [`Rejection`] (status, kind,
//! message): the one type an app maps into an error format of its own, for every route at once
//! with [`MapRejectionLayer`](crate::middleware::MapRejectionLayer) around the router — the table of kinds is in
//! [`Rejection`]'s docs.
//!
// The example needs the `json` feature: it is compiled and run only with it.
#![cfg_attr(feature = "json", doc = "```")]
#![cfg_attr(not(feature = "json"), doc = "```ignore")]
//! use http::Request;
//! use silent_tower_router::extract::rejection::Rejection;
//! use silent_tower_router::middleware::MapRejectionLayer;
//! use silent_tower_router::{post, Json, Router};
//! use tower::{Layer, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let router = Router::<(), String>::with_body()
//!     .route("/echo", post(|Json(v): Json<serde_json::Value>| async move { Json(v) }));
//! // Every rejection of the app, as `{"error": "json_syntax", "message": "..."}`.
//! let app = MapRejectionLayer::new(|rejection: Rejection| {
//!     let body = serde_json::json!({ "error": rejection.kind(), "message": rejection.message() });
//!     (rejection.status(), Json(body))
//! })
//! .layer(router);
//!
//! let request = Request::post("/echo").header("content-type", "application/json").body("{".to_owned()).unwrap();
//! let response = app.oneshot(request).await.unwrap();
//! assert_eq!(response.status(), 400);
//! assert_eq!(response.headers()["content-type"], "application/json");
//! # }
//! ```

mod value;

pub use value::{Rejection, REJECTION_TARGET};

use std::fmt;

use http::StatusCode;

use crate::body::Body;
use crate::response::IntoResponse;

macro_rules! rejection {
    ($(#[$doc:meta])* $name:ident { $($field:ident: $ty:ty),* } => |$status_this:ident| $status:expr, kind |$kind_this:ident| $kind:expr, |$this:ident, $f:ident| $message:expr) => {
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

            /// What was wrong, as a stable name: see the table in [`Rejection`]'s docs.
            pub fn kind(&self) -> &'static str {
                let $kind_this = self;
                $kind
            }
        }

        impl From<$name> for Rejection {
            fn from(rejection: $name) -> Rejection {
                Rejection::new(rejection.status(), rejection.kind(), rejection.to_string())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, $f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let $this = self;
                $message
            }
        }

        impl std::error::Error for $name {}

        via_rejection!($name);
    };
}

/// A rejection's response: its [`Rejection`]'s, so that it is logged and can be mapped.
macro_rules! via_rejection {
    ($name:ty) => {
        impl IntoResponse for $name {
            fn into_response(self) -> http::Response<Body> {
                Rejection::from(self).into_response()
            }
        }
    };
}
#[cfg(feature = "multipart")]
pub(crate) use via_rejection;

rejection! {
    /// `State<S>` on a router that was never given its state: a bug of the app, `500`.
    MissingState {} => |_this| StatusCode::INTERNAL_SERVER_ERROR,
    kind |_k| "missing_state",
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
    kind |_k| "missing_extension",
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
    /// `ConnectInfo<T>` with no `ConnectInfo<T>` in the request: the server was not asked to
    /// put it there — `500`.
    MissingConnectInfo { type_name: &'static str } => |_this| StatusCode::INTERNAL_SERVER_ERROR,
    kind |_k| "missing_connect_info",
    |this, f| write!(
        f,
        "no `ConnectInfo<{}>` in the request: serve with `serve(..).with_peer_addr()`, or add \
         `ConnectInfoLayer` around each connection's service",
        this.type_name
    )
}

impl MissingConnectInfo {
    pub(crate) fn of<T>() -> Self {
        MissingConnectInfo {
            type_name: std::any::type_name::<T>(),
        }
    }
}

rejection! {
    /// `MatchedPath` where no route matched: in a fallback, or in a handler called outside a
    /// router — `500`, a handler that does not fit where it is used. Take
    /// `Option<MatchedPath>` where both can happen.
    MatchedPathMissing {} => |_this| StatusCode::INTERNAL_SERVER_ERROR,
    kind |_k| "matched_path_missing",
    |_this, f| f.write_str(
        "no matched route for `MatchedPath`: the request was answered by a fallback"
    )
}

rejection! {
    /// `Path<T>`: a value that does not parse as its type (`400`, naming the parameter and the
    /// value sent), or a handler that does not fit its route — it reads another number of
    /// parameters than the route has, or one the route does not have (`500`).
    PathRejection { message: String, missing: bool } => |this| if this.missing {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::BAD_REQUEST
    },
    kind |this| if this.missing { "path_missing" } else { "path_parse" },
    |this, f| f.write_str(&this.message)
}

rejection! {
    /// `Query<T>`: the query string does not fit `T` — `400`, with serde's message, which names
    /// the field.
    QueryRejection { message: String } => |_this| StatusCode::BAD_REQUEST,
    kind |_k| "query_parse",
    |this, f| write!(f, "invalid query string: {}", this.message)
}

rejection! {
    /// A body extractor whose body is longer than the limit in force: `413`, without reading
    /// past the limit.
    PayloadTooLarge { limit: Option<usize> } => |_this| StatusCode::PAYLOAD_TOO_LARGE,
    kind |_k| "body_too_large",
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
    /// `silent_tower::rejection`), never sent to the client, as it may tell of the
    /// server's insides.
    BodyReadFailed {} => |_this| StatusCode::BAD_REQUEST,
    kind |_k| "body_read",
    |_this, f| f.write_str("failed to read the request body")
}

rejection! {
    /// `String` from a body that is not UTF-8: `400`.
    InvalidUtf8 { valid_up_to: usize } => |_this| StatusCode::BAD_REQUEST,
    kind |_k| "body_not_utf8",
    |this, f| write!(f, "request body is not valid UTF-8 (from byte {})", this.valid_up_to)
}

rejection! {
    /// A body extractor given a `content-type` it does not read: `415`, naming the one expected.
    UnsupportedMediaType { expected: &'static str } => |_this| StatusCode::UNSUPPORTED_MEDIA_TYPE,
    kind |_k| "unsupported_media_type",
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
    kind |_k| "multipart_boundary",
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
    kind |_k| "form_data",
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

    /// What was wrong, as a stable name: see the table in [`Rejection`]'s docs.
    pub fn kind(&self) -> &'static str {
        match self {
            BodyRejection::TooLarge(r) => r.kind(),
            BodyRejection::Failed(r) => r.kind(),
        }
    }
}

impl From<BodyRejection> for Rejection {
    fn from(rejection: BodyRejection) -> Rejection {
        match rejection {
            BodyRejection::TooLarge(r) => r.into(),
            BodyRejection::Failed(r) => r.into(),
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

via_rejection!(BodyRejection);

/// `String` as a body: too large, unreadable, or not UTF-8.
#[derive(Debug)]
pub enum StringRejection {
    /// The body could not be read.
    Body(BodyRejection),
    /// Not UTF-8: `400`.
    InvalidUtf8(InvalidUtf8),
}

impl StringRejection {
    /// The status this rejection answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            StringRejection::Body(r) => r.status(),
            StringRejection::InvalidUtf8(r) => r.status(),
        }
    }

    /// What was wrong, as a stable name: see the table in [`Rejection`]'s docs.
    pub fn kind(&self) -> &'static str {
        match self {
            StringRejection::Body(r) => r.kind(),
            StringRejection::InvalidUtf8(r) => r.kind(),
        }
    }
}

impl From<StringRejection> for Rejection {
    fn from(rejection: StringRejection) -> Rejection {
        match rejection {
            StringRejection::Body(r) => r.into(),
            StringRejection::InvalidUtf8(r) => r.into(),
        }
    }
}

via_rejection!(StringRejection);

impl fmt::Display for StringRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StringRejection::Body(r) => r.fmt(f),
            StringRejection::InvalidUtf8(r) => r.fmt(f),
        }
    }
}

impl std::error::Error for StringRejection {}

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

    /// What was wrong, as a stable name: see the table in [`Rejection`]'s docs.
    pub fn kind(&self) -> &'static str {
        match self {
            JsonRejection::UnsupportedMediaType(r) => r.kind(),
            JsonRejection::Body(r) => r.kind(),
            JsonRejection::Syntax(_) => "json_syntax",
            JsonRejection::Data(_) => "json_data",
        }
    }
}

impl From<JsonRejection> for Rejection {
    fn from(rejection: JsonRejection) -> Rejection {
        match rejection {
            JsonRejection::UnsupportedMediaType(r) => r.into(),
            JsonRejection::Body(r) => r.into(),
            other => Rejection::new(other.status(), other.kind(), other.to_string()),
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

via_rejection!(JsonRejection);

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

impl FormBodyRejection {
    /// The status this rejection answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            FormBodyRejection::UnsupportedMediaType(r) => r.status(),
            FormBodyRejection::Body(r) => r.status(),
            FormBodyRejection::Form(r) => r.status(),
        }
    }

    /// What was wrong, as a stable name: see the table in [`Rejection`]'s docs.
    pub fn kind(&self) -> &'static str {
        match self {
            FormBodyRejection::UnsupportedMediaType(r) => r.kind(),
            FormBodyRejection::Body(r) => r.kind(),
            FormBodyRejection::Form(r) => r.kind(),
        }
    }
}

impl fmt::Display for FormBodyRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormBodyRejection::UnsupportedMediaType(r) => r.fmt(f),
            FormBodyRejection::Body(r) => r.fmt(f),
            FormBodyRejection::Form(r) => r.fmt(f),
        }
    }
}

impl std::error::Error for FormBodyRejection {}

impl From<FormBodyRejection> for Rejection {
    fn from(rejection: FormBodyRejection) -> Rejection {
        match rejection {
            FormBodyRejection::UnsupportedMediaType(r) => r.into(),
            FormBodyRejection::Body(r) => r.into(),
            FormBodyRejection::Form(r) => r.into(),
        }
    }
}

via_rejection!(FormBodyRejection);

rejection! {
    /// `TypedHeader<T>`: the header is missing, or does not parse as a `T` — `400`, naming it.
    TypedHeaderRejection { name: &'static str, missing: bool } => |_this| StatusCode::BAD_REQUEST,
    kind |this| if this.missing { "header_missing" } else { "header_invalid" },
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
