//! The headers part of a response tuple: `(StatusCode, H, T)` and `(H, T)`.
//!
//! [`IntoResponseHeaders`] writes a set of headers into a response's [`HeaderMap`]. The names and
//! values may be typed ([`HeaderName`], [`HeaderValue`]) or text (`&'static str`, `String`); text
//! is checked, and a header that is not valid makes the whole answer an [`InvalidHeader`] — a
//! `500 Internal Server Error` whose body names the header — rather than a panic. A
//! `&'static str` that is already valid in its final form (a lower-case name, a visible-ASCII
//! value) is used in place, without a copy, so `[("x-kind", "demo")]` allocates nothing beyond
//! the header map's own insertion.

use std::borrow::Cow;
use std::fmt;

use http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use http::{Response, StatusCode};

use super::IntoResponse;
use crate::body::Body;

mod sealed {
    pub trait Sealed {}
}

/// A header name in a response tuple: a [`HeaderName`], a `&'static str` or a `String`.
///
/// Text names are checked; upper-case letters are accepted and lower-cased, as `HeaderName`
/// does. Sealed: the three types above are the ones accepted.
///
/// ```
/// use silent_tower_router::IntoResponse;
///
/// let tenant = String::from("X-Tenant");
/// let response = ([(tenant, "acme")], ()).into_response();
/// assert_eq!(response.headers()["x-tenant"], "acme");
/// ```
pub trait IntoHeaderName: sealed::Sealed {
    /// The name, or the [`InvalidHeader`] that names what was wrong.
    fn into_header_name(self) -> Result<HeaderName, InvalidHeader>;
}

/// A header value in a response tuple: a [`HeaderValue`], a `&'static str` or a `String`.
///
/// Text values are checked: control characters (other than tab) are refused. Sealed: the three
/// types above are the ones accepted.
///
/// ```
/// use http::{header, HeaderValue};
/// use silent_tower_router::IntoResponse;
///
/// // An array's pairs share one type; an inner tuple adds pairs of another.
/// let etag = HeaderValue::from_static("\"v1\"");
/// let version = format!("{}.{}", 1, 2);
/// let response = ([(header::ETAG, etag)], ([("x-version", version)], ())).into_response();
/// assert_eq!(response.headers()["etag"], "\"v1\"");
/// assert_eq!(response.headers()["x-version"], "1.2");
/// ```
pub trait IntoHeaderValue: sealed::Sealed {
    /// The value, or `None` when it is not a valid header value.
    fn into_header_value(self) -> Option<HeaderValue>;
}

impl sealed::Sealed for HeaderName {}
impl sealed::Sealed for HeaderValue {}
impl sealed::Sealed for &'static str {}
impl sealed::Sealed for String {}

impl IntoHeaderName for HeaderName {
    fn into_header_name(self) -> Result<HeaderName, InvalidHeader> {
        Ok(self)
    }
}

/// True when `HeaderName::from_static` takes `name` as it is: 1 to 65 535 bytes, each a
/// lower-case token character. (A subset of what `from_static` accepts, so it never panics.)
fn is_static_header_name(name: &str) -> bool {
    (1..=usize::from(u16::MAX)).contains(&name.len())
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b)
        })
}

impl IntoHeaderName for &'static str {
    fn into_header_name(self) -> Result<HeaderName, InvalidHeader> {
        if is_static_header_name(self) {
            return Ok(HeaderName::from_static(self));
        }
        HeaderName::from_bytes(self.as_bytes())
            .map_err(|_| InvalidHeader::name(Cow::Borrowed(self)))
    }
}

impl IntoHeaderName for String {
    fn into_header_name(self) -> Result<HeaderName, InvalidHeader> {
        match HeaderName::from_bytes(self.as_bytes()) {
            Ok(name) => Ok(name),
            Err(_) => Err(InvalidHeader::name(Cow::Owned(self))),
        }
    }
}

impl IntoHeaderValue for HeaderValue {
    fn into_header_value(self) -> Option<HeaderValue> {
        Some(self)
    }
}

impl IntoHeaderValue for &'static str {
    fn into_header_value(self) -> Option<HeaderValue> {
        // The bytes `HeaderValue::from_static` takes; anything else is copied (or refused).
        if self.bytes().all(|b| (32..127).contains(&b) || b == b'\t') {
            return Some(HeaderValue::from_static(self));
        }
        HeaderValue::from_str(self).ok()
    }
}

impl IntoHeaderValue for String {
    fn into_header_value(self) -> Option<HeaderValue> {
        HeaderValue::try_from(self).ok()
    }
}

fn header<K: IntoHeaderName, V: IntoHeaderValue>(
    name: K,
    value: V,
) -> Result<(HeaderName, HeaderValue), InvalidHeader> {
    let name = name.into_header_name()?;
    match value.into_header_value() {
        Some(value) => Ok((name, value)),
        None => Err(InvalidHeader::value(name)),
    }
}

/// Headers that a response tuple writes into its response: `(H, T)` and `(StatusCode, H, T)`.
///
/// Implemented for
/// - [`HeaderMap`]: its headers replace those of the same name in the response;
/// - `[(K, V); N]` with `K:` [`IntoHeaderName`] and `V:` [`IntoHeaderValue`], like
///   `[(header::CONTENT_TYPE, "text/csv")]`: the same rule — each name listed replaces the
///   response's own values of that name, and a name listed twice keeps both values;
/// - [`AppendHeaders`]: any iterator of pairs, appended without replacing anything.
///
/// A name or value that is not valid does not panic: the tuple answers [`InvalidHeader`]'s
/// `500 Internal Server Error` instead, whose body names the header. An array is checked whole
/// before the response is touched, and nothing allocates beyond the header map's own insertions
/// (and a copy for text that is not `&'static str` or not already in its final form).
///
/// ```
/// use http::{header, StatusCode};
/// use silent_tower_router::IntoResponse;
///
/// // The array's content-type replaces the one `String` sets; both cookies are kept.
/// let response = (
///     StatusCode::OK,
///     [
///         (header::CONTENT_TYPE, "text/csv"),
///         (header::SET_COOKIE, "a=1"),
///         (header::SET_COOKIE, "b=2"),
///     ],
///     String::from("a,b\n"),
/// )
///     .into_response();
/// assert_eq!(response.headers().get_all(header::CONTENT_TYPE).iter().count(), 1);
/// assert_eq!(response.headers().get_all(header::SET_COOKIE).iter().count(), 2);
/// ```
pub trait IntoResponseHeaders {
    /// Writes the headers into `headers`.
    fn into_response_headers(self, headers: &mut HeaderMap) -> Result<(), InvalidHeader>;
}

impl IntoResponseHeaders for HeaderMap {
    fn into_response_headers(self, headers: &mut HeaderMap) -> Result<(), InvalidHeader> {
        headers.extend(self);
        Ok(())
    }
}

impl<K: IntoHeaderName, V: IntoHeaderValue, const N: usize> IntoResponseHeaders for [(K, V); N] {
    fn into_response_headers(self, headers: &mut HeaderMap) -> Result<(), InvalidHeader> {
        let checked = self.map(|(name, value)| header(name, value));
        for pair in &checked {
            if let Err(invalid) = pair {
                return Err(invalid.clone());
            }
        }
        for (name, _) in checked.iter().flatten() {
            headers.remove(name);
        }
        for (name, value) in checked.into_iter().flatten() {
            headers.append(name, value);
        }
        Ok(())
    }
}

/// Headers appended to a response, replacing none: for several values of one name
/// (`set-cookie`, say) and for lists whose length is not known at compile time.
///
/// Each pair is checked as in an array ([`IntoResponseHeaders`]); pairs before an invalid one
/// have been appended when the 500 replaces the response.
///
/// ```
/// use http::header::SET_COOKIE;
/// use silent_tower_router::{AppendHeaders, IntoResponse};
///
/// let cookies = ["a=1", "b=2"].map(|cookie| (SET_COOKIE, cookie));
/// let response = (AppendHeaders(cookies), "signed in").into_response();
/// let values: Vec<_> = response.headers().get_all(SET_COOKIE).iter().collect();
/// assert_eq!(values, ["a=1", "b=2"]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AppendHeaders<I>(pub I);

impl<I, K, V> IntoResponseHeaders for AppendHeaders<I>
where
    I: IntoIterator<Item = (K, V)>,
    K: IntoHeaderName,
    V: IntoHeaderValue,
{
    fn into_response_headers(self, headers: &mut HeaderMap) -> Result<(), InvalidHeader> {
        for (name, value) in self.0 {
            let (name, value) = header(name, value)?;
            headers.append(name, value);
        }
        Ok(())
    }
}

/// A response header whose name or value is not valid; as a response,
/// `500 Internal Server Error` with a text body naming the header.
///
/// ```
/// use http::StatusCode;
/// use silent_tower_router::IntoResponse;
///
/// let response = ([("x-note", "line one\nline two")], "hello").into_response();
/// assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
/// ```
#[derive(Debug, Clone)]
pub struct InvalidHeader {
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Name(Cow<'static, str>),
    Value(HeaderName),
}

impl InvalidHeader {
    fn name(name: Cow<'static, str>) -> Self {
        InvalidHeader {
            kind: Kind::Name(name),
        }
    }

    pub(crate) fn value(name: HeaderName) -> Self {
        InvalidHeader {
            kind: Kind::Value(name),
        }
    }
}

impl fmt::Display for InvalidHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Name(name) => write!(f, "invalid response header name {name:?}"),
            Kind::Value(name) => write!(f, "invalid value for response header {:?}", name.as_str()),
        }
    }
}

impl std::error::Error for InvalidHeader {}

impl IntoResponse for InvalidHeader {
    fn into_response(self) -> Response<Body> {
        let mut response = Response::new(Body::from(self.to_string()));
        *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every one-byte name the fast path takes is one `from_static` takes (it would panic
    /// otherwise), and it names the same header as `from_bytes`.
    #[test]
    fn the_static_name_check_never_lets_from_static_panic() {
        for byte in 0..=u8::MAX {
            let text = [byte];
            let Ok(name) = std::str::from_utf8(&text) else {
                continue;
            };
            let name: &'static str = Box::leak(name.to_owned().into_boxed_str());
            if is_static_header_name(name) {
                assert_eq!(
                    HeaderName::from_static(name),
                    HeaderName::from_bytes(name.as_bytes()).unwrap()
                );
            }
        }
        let longest: &'static str = "a".repeat(usize::from(u16::MAX)).leak();
        assert!(is_static_header_name(longest));
        assert_eq!(
            HeaderName::from_static(longest).as_str().len(),
            longest.len()
        );
        assert!(!is_static_header_name(
            &"a".repeat(usize::from(u16::MAX) + 1)
        ));
        assert!(!is_static_header_name(""));
        assert!(!is_static_header_name("Content-Type"));
        assert!(is_static_header_name("content-type"));
    }
}
