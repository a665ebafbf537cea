//! [`Field`]: one part of a `multipart/form-data` body, its head read, its data streaming.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http::HeaderMap;

use super::{Multipart, MultipartError};

/// One field of a [`Multipart`] body: its name, file name, content type and headers are read;
/// its data is read on demand — whole ([`bytes`](Field::bytes), [`text`](Field::text)), one
/// chunk at a time ([`chunk`](Field::chunk)), or as a [`Stream`] of chunks.
///
/// A field borrows its `Multipart`, so fields are read one after the other; the next
/// [`next_field`](Multipart::next_field) skips what is left of this one.
///
/// ```
/// use silent_tower_router::extract::multipart::{Field, MultipartError};
///
/// /// `"avatar: me.png, image/png, 1234 bytes"`.
/// async fn describe(field: Field<'_>) -> Result<String, MultipartError> {
///     let name = field.name().unwrap_or_default().to_owned();
///     let file = field.file_name().unwrap_or("-").to_owned();
///     let kind = field.content_type().unwrap_or("text/plain").to_owned();
///     let size = field.bytes().await?.len();
///     Ok(format!("{name}: {file}, {kind}, {size} bytes"))
/// }
/// ```
#[derive(Debug)]
pub struct Field<'a> {
    inner: multer::Field<'static>,
    // Holding the parent's `&mut` is what keeps two fields from being read at once.
    _multipart: &'a mut Multipart,
}

impl<'a> Field<'a> {
    pub(super) fn new(inner: multer::Field<'static>, multipart: &'a mut Multipart) -> Self {
        Field {
            inner,
            _multipart: multipart,
        }
    }

    /// The field's name: the `name` of its `content-disposition` (a form input's `name`).
    pub fn name(&self) -> Option<&str> {
        self.inner.name()
    }

    /// The name of the file the field carries: the `filename` of its `content-disposition`, as
    /// the client sent it. Do not use it as a path on the server as it is: it may hold `../`.
    pub fn file_name(&self) -> Option<&str> {
        self.inner.file_name()
    }

    /// The field's `content-type` (`image/png`), if it has one; a browser sends one for files.
    pub fn content_type(&self) -> Option<&str> {
        self.inner.content_type().map(|mime| mime.as_ref())
    }

    /// All of the field's headers.
    pub fn headers(&self) -> &HeaderMap {
        self.inner.headers()
    }

    /// The field's data, whole: up to the field's limit and the body's.
    pub async fn bytes(self) -> Result<Bytes, MultipartError> {
        self.inner
            .bytes()
            .await
            .map_err(MultipartError::from_multer)
    }

    /// The field's data as text, decoded by the `charset` of its content type (UTF-8 unless
    /// given; bytes that do not decode become U+FFFD).
    pub async fn text(self) -> Result<String, MultipartError> {
        self.inner.text().await.map_err(MultipartError::from_multer)
    }

    /// The next chunk of the field's data as it arrives, or `None` at the field's end: to
    /// stream a file somewhere without holding it whole.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, MultipartError> {
        self.inner
            .chunk()
            .await
            .map_err(MultipartError::from_multer)
    }
}

/// The field's data, chunk by chunk, as [`Field::chunk`] reads it.
impl Stream for Field<'_> {
    type Item = Result<Bytes, MultipartError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.inner)
            .poll_next(cx)
            .map(|chunk| chunk.map(|chunk| chunk.map_err(MultipartError::from_multer)))
    }
}
