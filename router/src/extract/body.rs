//! Body extractors: `Bytes`, `String`, [`Form`] (and `Json` with the `json` feature), each read up
//! to the body limit in force.

use std::future::Future;

use bytes::{Buf, Bytes, BytesMut};
use http::header::CONTENT_TYPE;
use http::{HeaderMap, Request};
use serde::de::DeserializeOwned;

use super::rejection::{
    BodyReadFailed, BodyRejection, FormBodyRejection, FormRejection, InvalidUtf8, PayloadTooLarge,
    StringRejection, UnsupportedMediaType,
};
use super::{FromRequest, RequestContext};
use crate::body::BoxError;

/// The most bytes a body extractor reads unless told otherwise: 2 MiB, as in axum. Change it for
/// a router with [`Router::body_limit`](crate::Router::body_limit), for one path with
/// [`MethodRouter::body_limit`](crate::MethodRouter::body_limit).
pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The body of `req` and the limit to read it to, or `413` at once when its `content-length` is
/// already over the limit. Taken before the body is read, so that the future reading it holds
/// the body alone, not the request's head too.
pub(crate) fn body_within_limit<B, S>(
    req: Request<B>,
    cx: &RequestContext<S>,
) -> Result<(B, usize), BodyRejection> {
    let limit = cx.body_limit;
    let declared = req
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(BodyRejection::TooLarge(PayloadTooLarge {
            limit: Some(limit),
        }));
    }
    Ok((req.into_body(), limit))
}

/// Reads the body whole, refusing it with `413` as soon as the bytes read pass `limit`. A body
/// of one chunk — a request whose body arrived in one read, the usual case for a small JSON
/// body — is returned as that chunk, with no buffer list and no copy; only a second chunk starts
/// a buffer.
pub(crate) async fn read_body<B>(body: B, limit: usize) -> Result<Bytes, BodyRejection>
where
    B: http_body::Body + Send,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let mut body = std::pin::pin!(body);
    let mut first = Bytes::new();
    let mut more: Option<BytesMut> = None;
    let mut read = 0usize;
    while let Some(frame) = std::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
        let frame = frame.map_err(|err| body_error(err.into()))?;
        let Ok(mut data) = frame.into_data() else {
            continue; // trailers: no part of the bytes
        };
        read = read.saturating_add(data.remaining());
        if read > limit {
            return Err(BodyRejection::TooLarge(PayloadTooLarge {
                limit: Some(limit),
            }));
        }
        let chunk = data.copy_to_bytes(data.remaining());
        match &mut more {
            Some(buffer) => buffer.extend_from_slice(&chunk),
            None if first.is_empty() => first = chunk,
            None => {
                let mut buffer = BytesMut::with_capacity(read);
                buffer.extend_from_slice(&first);
                buffer.extend_from_slice(&chunk);
                more = Some(buffer);
            }
        }
    }
    Ok(more.map_or(first, BytesMut::freeze))
}

/// What a body's read error answers.
///
/// A length limit of a layer below — `http_body_util::Limited`, which tower-http's
/// `RequestBodyLimitLayer` wraps a chunked body in — is `413`, as if the limit were this one: its
/// `LengthLimitError` is looked for along the whole source chain, since layers wrap errors.
/// Anything else is `400` with a fixed message: the error's own text may tell of the server's
/// insides (addresses, file names), so it goes to the log, at debug level, not to the client.
pub(crate) fn body_error(err: BoxError) -> BodyRejection {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&*err);
    while let Some(error) = source {
        if error.is::<http_body_util::LengthLimitError>() {
            tracing::debug!(
                target: REJECTION_TARGET,
                error = %err,
                "request body over a length limit of a layer below: 413"
            );
            return BodyRejection::TooLarge(PayloadTooLarge { limit: None });
        }
        source = error.source();
    }
    tracing::debug!(
        target: REJECTION_TARGET,
        error = %err,
        "failed to read the request body: 400"
    );
    BodyRejection::Failed(BodyReadFailed {})
}

/// The `tracing` target of the debug events the extractors log when a body cannot be read.
pub(crate) const REJECTION_TARGET: &str = "silent_tower_router::rejection";

/// The body's bytes, up to the limit.
impl<S, B> FromRequest<S, B> for Bytes
where
    S: Sync,
    B: http_body::Body + Send,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Rejection = BodyRejection;

    fn from_request(
        req: Request<B>,
        cx: &RequestContext<S>,
    ) -> impl Future<Output = Result<Self, BodyRejection>> + Send {
        let body = body_within_limit(req, cx);
        async move {
            let (body, limit) = body?;
            read_body(body, limit).await
        }
    }
}

/// The body as UTF-8 text, up to the limit.
impl<S, B> FromRequest<S, B> for String
where
    S: Sync,
    B: http_body::Body + Send,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Rejection = StringRejection;

    fn from_request(
        req: Request<B>,
        cx: &RequestContext<S>,
    ) -> impl Future<Output = Result<Self, StringRejection>> + Send {
        let body = body_within_limit(req, cx);
        async move {
            let (body, limit) = body.map_err(StringRejection::Body)?;
            let bytes = read_body(body, limit)
                .await
                .map_err(StringRejection::Body)?;
            String::from_utf8(bytes.into()).map_err(|err| {
                StringRejection::InvalidUtf8(InvalidUtf8 {
                    valid_up_to: err.utf8_error().valid_up_to(),
                })
            })
        }
    }
}

/// Whether `headers` declare a `content-type` of `essence` (`type/subtype`), or one with the
/// `+suffix` given, parameters (`; charset=utf-8`) aside.
pub(crate) fn has_content_type(headers: &HeaderMap, essence: &str, suffix: Option<&str>) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return false;
    };
    // Bytes all the way: a header value's `to_str` and `split(';')` cost many times this.
    let value = value.as_bytes();
    let end = value.iter().position(|&b| b == b';').unwrap_or(value.len());
    let mime = value[..end].trim_ascii();
    mime.eq_ignore_ascii_case(essence.as_bytes())
        || suffix.is_some_and(|suffix| {
            mime.len() > suffix.len()
                && mime[mime.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
        })
}

/// A form body (`application/x-www-form-urlencoded`) as a `T`. Another content type answers
/// `415`; a form that does not fit `T`, `422` naming the field. On `GET` and `HEAD` the form is
/// the query string (what a browser sends for `<form method="get">`), as in axum: the body and
/// its content type are not looked at.
///
/// ```
/// use silent_tower_router::extract::Form;
///
/// #[derive(serde::Deserialize)]
/// struct SignUp {
///     email: String,
/// }
///
/// async fn sign_up(Form(form): Form<SignUp>) -> String {
///     format!("welcome, {}", form.email)
/// }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Form<T>(pub T);

// The value inside, as in axum: `wrapper.field` reads the wrapped value's field, without
// taking the wrapper apart.
impl<T> std::ops::Deref for Form<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Form<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T, S, B> FromRequest<S, B> for Form<T>
where
    T: DeserializeOwned,
    S: Sync,
    B: http_body::Body + Send,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Rejection = FormBodyRejection;

    fn from_request(
        req: Request<B>,
        cx: &RequestContext<S>,
    ) -> impl Future<Output = Result<Self, FormBodyRejection>> + Send {
        // A `GET` or `HEAD` form is sent in the query string (an HTML form's `method="get"`):
        // read it there, whatever the content type, and leave the body alone — as axum does.
        // The URI is kept, not the parsed form: a `T` need not be `Send`, and the future must.
        let query = (req.method() == http::Method::GET || req.method() == http::Method::HEAD)
            .then(|| req.uri().clone());
        let body = if query.is_some() {
            Err(FormBodyRejection::UnsupportedMediaType(
                UnsupportedMediaType {
                    expected: "application/x-www-form-urlencoded",
                },
            ))
        } else if has_content_type(req.headers(), "application/x-www-form-urlencoded", None) {
            body_within_limit(req, cx).map_err(FormBodyRejection::Body)
        } else {
            Err(FormBodyRejection::UnsupportedMediaType(
                UnsupportedMediaType {
                    expected: "application/x-www-form-urlencoded",
                },
            ))
        };
        async move {
            if let Some(uri) = query {
                return parse_form(uri.query().unwrap_or_default()).map(Form);
            }
            let (body, limit) = body?;
            let bytes = read_body(body, limit)
                .await
                .map_err(FormBodyRejection::Body)?;
            let text = std::str::from_utf8(bytes.chunk()).map_err(|_| {
                FormBodyRejection::Form(FormRejection {
                    message: "the form is not valid UTF-8".into(),
                })
            })?;
            parse_form(text).map(Form)
        }
    }
}

/// `text` (`a=1&b=2`) as a form of `T`: `422` naming the field that does not fit.
fn parse_form<T: DeserializeOwned>(text: &str) -> Result<T, FormBodyRejection> {
    super::urlencoded::from_str(text, "form field").map_err(|err| {
        FormBodyRejection::Form(FormRejection {
            message: err.message,
        })
    })
}
