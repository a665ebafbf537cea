//! [`Rejection`]: every rejection as one value — status, stable kind, message — and its response.

use std::borrow::Cow;
use std::fmt;

use http::{Response, StatusCode};

use crate::body::Body;
use crate::response::IntoResponse;

/// The `tracing` target of the debug event every rejection logs as it becomes a response, and of
/// the events of body read errors: `silent_tower::rejection`. Enable it with
/// `RUST_LOG=silent_tower::rejection=debug`.
pub const REJECTION_TARGET: &str = "silent_tower::rejection";

/// Why a request was refused before its handler ran, as data: the status it answers with, a
/// stable machine-readable [`kind`](Rejection::kind), and a message for people.
///
/// Every rejection of this crate converts into one (`Rejection::from(json_rejection)`), and so
/// does [`ParamError`](crate::ParamError). Its response — what every rejection answers with
/// unless a layer maps it — is the status and the message as `text/plain`, and carries
/// the `Rejection` itself in the response's extensions, where a layer or
/// [`MapRejectionLayer`](crate::middleware::MapRejectionLayer) finds it. A response without one in
/// its extensions is a handler's own answer, never taken for a rejection.
///
/// Each rejection, as it becomes a response, is logged through `tracing` at debug level, target
/// [`silent_tower::rejection`](REJECTION_TARGET), with the fields `status`, `kind` and `message`.
///
/// # Kinds
/// The kind names what was wrong; it is stable (a kind is never renamed, and a new kind is added
/// only for a new failure), so clients may match on it. The message is for people and may change.
///
/// | kind | status | from |
/// |---|---|---|
/// | `unsupported_media_type` | 415 | a body extractor given another `content-type` than it reads: `Json<T>` (`application/json` or `+json`), `Form<T>`, `Multipart` |
/// | `json_syntax` | 400 | `Json<T>`: the body is not JSON, or has trailing characters |
/// | `json_data` | 422 | `Json<T>`: JSON of the wrong shape — a missing field, a wrong type |
/// | `form_data` | 422 | `Form<T>`: the form does not fit `T` |
/// | `multipart_boundary` | 400 | `Multipart`: no usable `boundary` parameter |
/// | `multipart_field_too_large` | 413 | `Multipart`: a field over its limit |
/// | `multipart_malformed` | 400 | `Multipart`: a body that is not well-formed `multipart/form-data` |
/// | `body_too_large` | 413 | any body extractor: the body is over the limit in force |
/// | `body_read` | 400 | any body extractor: the body could not be read |
/// | `body_not_utf8` | 400 | `String`: the body is not UTF-8 |
/// | `path_parse` | 400 | `Path<T>`: a parameter does not parse as its type, or is not UTF-8 once percent-decoded (the message names it and the value sent) |
/// | `path_missing` | 500 | `Path<T>`: the handler does not fit its route — it reads a parameter the route does not have, another number of parameters than the route has, or a shape `Path` cannot give |
/// | `param_invalid` | 400 | [`ParamError`](crate::ParamError): `req.param::<T>(name)` does not parse |
/// | `param_not_utf8` | 400 | [`ParamError`](crate::ParamError): not UTF-8 once percent-decoded |
/// | `param_missing` | 500 | [`ParamError`](crate::ParamError): the route has no such parameter |
/// | `query_parse` | 400 | `Query<T>`: the query string does not fit `T` |
/// | `header_missing` | 400 | `TypedHeader<T>`: the header is missing |
/// | `header_invalid` | 400 | `TypedHeader<T>`: the header does not parse |
/// | `missing_extension` | 500 | `Extension<T>`: no `T` in the request |
/// | `missing_connect_info` | 500 | `ConnectInfo<T>`: the server was not asked to put it in the request |
/// | `missing_state` | 500 | `State<S>` on a router never given its state |
/// | `matched_path_missing` | 500 | `MatchedPath` where no route was matched |
///
/// An extractor of your own joins by rejecting with a `Rejection` of a kind of its own:
///
/// ```
/// use http::request::Parts;
/// use http::StatusCode;
/// use silent_tower_router::extract::rejection::Rejection;
/// use silent_tower_router::extract::{FromRequestParts, RequestContext};
///
/// struct ApiKey(String);
///
/// impl<S: Sync> FromRequestParts<S> for ApiKey {
///     type Rejection = Rejection;
///
///     async fn from_request_parts(parts: &mut Parts, _: &RequestContext<S>) -> Result<Self, Rejection> {
///         match parts.headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
///             Some(key) => Ok(ApiKey(key.to_owned())),
///             None => Err(Rejection::new(StatusCode::UNAUTHORIZED, "api_key_missing", "missing header `x-api-key`")),
///         }
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    status: StatusCode,
    kind: &'static str,
    message: Cow<'static, str>,
}

impl Rejection {
    /// A rejection answering `status`, of `kind` (a short `snake_case` name clients may match
    /// on), saying `message`.
    pub fn new(
        status: StatusCode,
        kind: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Rejection {
            status,
            kind,
            message: message.into(),
        }
    }

    /// The status the rejection answers with: the same as the rejection it was made from.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What was wrong, as a stable name: see the table in [`Rejection`]'s docs.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// What was wrong, for people: names the parameter, field or header at fault.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The message, owned.
    pub fn into_message(self) -> Cow<'static, str> {
        self.message
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rejection {}

/// The status and the message as `text/plain`, with the `Rejection` in the response's
/// extensions; logged at debug level, target [`silent_tower::rejection`](REJECTION_TARGET).
impl IntoResponse for Rejection {
    fn into_response(self) -> Response<Body> {
        tracing::debug!(
            target: REJECTION_TARGET,
            status = self.status.as_u16(),
            kind = self.kind,
            message = %self.message,
            "request rejected"
        );
        let mut response = (self.status, self.message.clone()).into_response();
        response.extensions_mut().insert(self);
        response
    }
}
