//! [`CorsError`]: what the builder refuses, and why, in words that say what to write instead.

use std::borrow::Cow;
use std::fmt;

/// A misconfiguration found while building a [`CorsLayer`](super::CorsLayer).
///
/// Returned by the `try_` builder methods; the other builder methods panic with its message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CorsError {
    /// An allowed origin that no browser would ever send.
    InvalidOrigin {
        /// The origin as given.
        origin: String,
        /// What is wrong with it, and what to write instead where there is one right answer.
        reason: Cow<'static, str>,
    },
    /// A method name that is not an HTTP token.
    InvalidMethod {
        /// The method as given.
        method: String,
    },
    /// A header name that is not an HTTP token.
    InvalidHeaderName {
        /// The builder method it was given to: `"headers"` or `"expose"`.
        setting: &'static str,
        /// The name as given.
        name: String,
    },
    /// An empty entry in a list, as in `"GET,,POST"` or a trailing comma.
    EmptyEntry {
        /// The builder method it was given to.
        setting: &'static str,
        /// The list that holds the empty entry.
        list: String,
    },
    /// `*` next to other entries: it means "any" only on its own.
    WildcardInList {
        /// The builder method it was given to.
        setting: &'static str,
    },
    /// `*` as origin together with `credentials(true)`, which browsers refuse.
    AnyOriginWithCredentials,
    /// `null` among the listed origins together with `credentials(true)`: every sandboxed
    /// iframe, `data:` URL and local file of any site sends `Origin: null`, so all of them
    /// could read credentialed responses. Allow `null` through
    /// [`origin_predicate`](super::CorsLayer::origin_predicate) if that is really meant.
    NullOriginWithCredentials,
    /// `*` as exposed headers together with `credentials(true)`, which browsers read as the
    /// header named `*`.
    AnyExposeWithCredentials,
}

impl fmt::Display for CorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidOrigin { origin, reason } => {
                write!(f, "invalid CORS origin `{origin}`: {reason}")
            }
            Self::InvalidMethod { method } => {
                write!(f, "invalid HTTP method `{method}` in CORS `methods`")
            }
            Self::InvalidHeaderName { setting, name } => {
                write!(f, "invalid header name `{name}` in CORS `{setting}`")
            }
            Self::EmptyEntry { setting, list } => {
                write!(f, "empty entry in CORS `{setting}` list `{list}`")
            }
            Self::WildcardInList { setting } => write!(
                f,
                "`*` in CORS `{setting}` must stand alone: it already means any"
            ),
            Self::AnyOriginWithCredentials => f.write_str(
                "CORS origin `*` cannot be combined with `credentials(true)`: browsers refuse \
                 `Access-Control-Allow-Origin: *` on credentialed requests; list the origins or \
                 use `origin_predicate`",
            ),
            Self::NullOriginWithCredentials => f.write_str(
                "CORS origin `null` cannot be combined with `credentials(true)`: sandboxed \
                 iframes, `data:` URLs and local files of every site send `Origin: null`, so \
                 all of them could read credentialed responses; drop `null`, or if you really \
                 mean it, allow it explicitly through `origin_predicate`",
            ),
            Self::AnyExposeWithCredentials => f.write_str(
                "CORS `expose(\"*\")` cannot be combined with `credentials(true)`: browsers read \
                 `*` as a header name on credentialed requests; list the headers to expose",
            ),
        }
    }
}

impl std::error::Error for CorsError {}
