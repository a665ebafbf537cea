//! [`Multipart`]: a `multipart/form-data` body — an HTML form with file inputs — read field by
//! field as it arrives (feature `multipart`, on the `multer` crate, as axum's).
//!
//! The extractor checks the request's head and reads nothing: the body is parsed as the handler
//! asks for fields ([`Multipart::next_field`]) and their data ([`Field::chunk`],
//! [`Field::bytes`], [`Field::text`]), so a file is never held whole unless the handler asks.
//! What the extractor refuses at once ([`MultipartRejection`]): another content type (`415`), a
//! `multipart/form-data` type without a usable `boundary` (`400`), a `content-length` over the
//! body limit (`413`). What reading may meet later ([`MultipartError`], a response too, so `?`
//! answers it): a body that passes the router's body limit while it streams, or a field that
//! passes its own limit ([`Multipart::field_limit`]) — `413`; a body that is not well-formed
//! multipart — `400`, naming the fault.
//!
//! ```
//! use silent_tower_router::extract::multipart::{Multipart, MultipartError};
//! use silent_tower_router::{post, Router};
//!
//! /// Answers one line per field: its name, file name and size.
//! async fn upload(mut multipart: Multipart) -> Result<String, MultipartError> {
//!     multipart.field_limit(512 * 1024); // no field over 512 KiB
//!     let mut report = String::new();
//!     while let Some(field) = multipart.next_field().await? {
//!         let name = field.name().unwrap_or("").to_owned();
//!         let file = field.file_name().unwrap_or("-").to_owned();
//!         let bytes = field.bytes().await?;
//!         report += &format!("{name} {file} {}\n", bytes.len());
//!     }
//!     Ok(report)
//! }
//!
//! // The whole upload at most 8 MiB (the router's body limit, 2 MiB unless set).
//! let app: Router = Router::new().route("/upload", post(upload).body_limit(8 * 1024 * 1024));
//! # let _ = app;
//! ```

mod error;
mod field;
mod rejection;

use std::future::Future;

use bytes::Buf;
use http::header::CONTENT_TYPE;
use http::Request;
use http_body_util::{BodyDataStream, BodyExt};

use super::body::{body_within_limit, has_content_type};
use super::rejection::UnsupportedMediaType;
use super::{FromRequest, RequestContext};
use crate::body::{Body, BoxError};

pub use super::rejection::InvalidBoundary;
pub use error::MultipartError;
pub use field::Field;
pub use rejection::MultipartRejection;

/// A `multipart/form-data` request body, read one [`Field`] at a time.
///
/// Take it as a handler's last argument. The whole body is held to the body limit in force
/// ([`Router::body_limit`](crate::Router::body_limit), 2 MiB unless set), each field to
/// [`field_limit`](Multipart::field_limit) if one is set; see the [module docs](self) for
/// every answer it can give.
///
/// ```
/// use silent_tower_router::extract::multipart::{Multipart, MultipartError};
///
/// /// Streams the `file` field to wherever it goes, chunk by chunk, and answers its size.
/// async fn store(mut multipart: Multipart) -> Result<String, MultipartError> {
///     let mut size = 0;
///     while let Some(mut field) = multipart.next_field().await? {
///         if field.name() != Some("file") {
///             continue;
///         }
///         while let Some(chunk) = field.chunk().await? {
///             size += chunk.len(); // write the chunk to storage here
///         }
///     }
///     Ok(format!("stored {size} bytes"))
/// }
/// ```
pub struct Multipart {
    /// The body and what to parse it with, until the first field is asked for.
    waiting: Waiting,
    /// The parser, made when the first field is asked for, so that the field limits set before
    /// that go into multer's constraints.
    reader: Option<multer::Multipart<'static>>,
}

#[derive(Default)]
struct Waiting {
    body: Body,
    boundary: String,
    limits: multer::SizeLimit,
}

impl std::fmt::Debug for Multipart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Multipart")
            .field("boundary", &self.waiting.boundary)
            .field("reading", &self.reader.is_some())
            .finish_non_exhaustive()
    }
}

impl Multipart {
    /// The next field of the body, or `None` after the last. A field not read to its end is
    /// skipped over.
    pub async fn next_field(&mut self) -> Result<Option<Field<'_>>, MultipartError> {
        let field = self
            .reader()
            .next_field()
            .await
            .map_err(MultipartError::from_multer)?;
        Ok(field.map(|inner| Field::new(inner, self)))
    }

    /// The most bytes any one field may hold: a field longer than that ends its reading with a
    /// `413` [`MultipartError`] naming the field. Unlimited unless set (the body limit still
    /// holds the whole body). Set it before the first [`next_field`](Multipart::next_field):
    /// once fields are being read the limits are fixed, and a later call changes nothing.
    pub fn field_limit(&mut self, limit: usize) -> &mut Self {
        self.set_limits(|limits| limits.per_field(limit as u64))
    }

    /// The most bytes the field named `name` may hold, in place of
    /// [`field_limit`](Multipart::field_limit) for that field: a short text field beside a
    /// large file, say. Set it before the first [`next_field`](Multipart::next_field).
    pub fn field_limit_for(&mut self, name: impl Into<String>, limit: usize) -> &mut Self {
        self.set_limits(|limits| limits.for_field(name, limit as u64))
    }

    fn set_limits(
        &mut self,
        set: impl FnOnce(multer::SizeLimit) -> multer::SizeLimit,
    ) -> &mut Self {
        if self.reader.is_some() {
            tracing::warn!(
                "a multipart field limit set after the first field was asked for is not applied"
            );
        } else {
            let limits = &mut self.waiting.limits;
            *limits = set(std::mem::take(limits));
        }
        self
    }

    /// The parser, made on first use from the body and the limits set so far.
    fn reader(&mut self) -> &mut multer::Multipart<'static> {
        let waiting = &mut self.waiting;
        self.reader.get_or_insert_with(|| {
            let Waiting {
                body,
                boundary,
                limits,
            } = std::mem::take(waiting);
            let constraints = multer::Constraints::new().size_limit(limits);
            multer::Multipart::with_constraints(BodyDataStream::new(body), boundary, constraints)
        })
    }
}

/// Checks the head — `multipart/form-data` with a boundary, a `content-length` within the
/// limit — and hands the body, unread, to the parser-to-be.
impl<S, B> FromRequest<S, B> for Multipart
where
    S: Sync,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Rejection = MultipartRejection;

    fn from_request(
        req: Request<B>,
        cx: &RequestContext<S>,
    ) -> impl Future<Output = Result<Self, MultipartRejection>> + Send {
        std::future::ready(extract(req, cx))
    }
}

fn extract<S, B>(req: Request<B>, cx: &RequestContext<S>) -> Result<Multipart, MultipartRejection>
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    if !has_content_type(req.headers(), "multipart/form-data", None) {
        return Err(MultipartRejection::UnsupportedMediaType(
            UnsupportedMediaType {
                expected: "multipart/form-data",
            },
        ));
    }
    let boundary = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| multer::parse_boundary(value).ok())
        .ok_or(MultipartRejection::InvalidBoundary(InvalidBoundary {}))?;
    let (body, limit) = body_within_limit(req, cx).map_err(MultipartRejection::Body)?;
    // Data of any `Buf` type as `Bytes` (free for hyper's body, whose data is `Bytes`), behind
    // the one box a streaming `Body` takes.
    let body = Body::new(
        body.map_frame(|frame| frame.map_data(|mut data| data.copy_to_bytes(data.remaining()))),
    );
    Ok(Multipart {
        waiting: Waiting {
            body,
            boundary,
            limits: multer::SizeLimit::new().whole_stream(limit as u64),
        },
        reader: None,
    })
}

#[cfg(test)]
mod tests;
