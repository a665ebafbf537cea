//! What a [`CorsLayer`](super::CorsLayer) can be told: each setting, parsed and checked on its
//! own. (Origins are in `origin.rs`; the lists both are written as, in `list.rs`; what spans
//! settings, in `answer.rs`.)
//!
//! Each builder method takes any type implementing [`TryIntoCors`] for its setting — `"*"`, a
//! comma-separated string, an array or `Vec` of strings, [`Method`]s or [`HeaderName`]s, [`Any`],
//! or the setting's own type — and turns it into an [`AllowOrigin`], [`AllowMethods`],
//! [`AllowHeaders`] or [`ExposeHeaders`], reporting a bad value as a [`CorsError`].

use std::time::Duration;

use http::header::{HeaderName, HeaderValue};
use http::Method;

use super::error::CorsError;
use super::list::{shared_value, split_list, List, Setting};
use super::origin::AllowOrigin;

/// `Access-Control-Request-Private-Network`, sent on a Private Network Access preflight.
pub(crate) const ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");
/// `Access-Control-Allow-Private-Network`, the answer to it.
pub(crate) const ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

/// The `*` of the Fetch standard: any origin, any method, any header.
///
/// Interchangeable with the string `"*"` in every builder method.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Any;

/// Conversion of a builder argument into one CORS setting, checking it on the way.
///
/// Implemented for `&str` and `String` (`"*"` or a comma-separated list), for `Vec`s, arrays and
/// slices of anything that is [`AsRef<str>`] (`&str`, `String`, [`Method`], [`HeaderName`] — each
/// element may itself be a comma-separated list), for a single [`Method`] or [`HeaderName`] where
/// that makes sense, for [`Any`], and for the setting type itself.
pub trait TryIntoCors<T> {
    /// Checks `self` and converts it, or names the offending value in the error.
    fn try_into_cors(self) -> Result<T, CorsError>;
}

/// Which methods a preflight may ask for: the argument of
/// [`CorsLayer::methods`](super::CorsLayer::methods).
///
/// Build it from `"*"`, `"GET,POST"`, `[Method::GET, Method::POST]`, `vec![..]`, a single
/// [`Method`] or [`Any`]. The CORS-safelisted methods `GET`, `HEAD` and `POST` are always allowed,
/// as browsers allow them whatever the answer says. The default is the empty list.
#[derive(Clone, Debug, Default)]
pub struct AllowMethods(pub(super) MethodRule);

#[derive(Clone, Debug, Default)]
pub(super) enum MethodRule {
    Any,
    #[default]
    None,
    List {
        methods: Box<[Method]>,
        /// `Access-Control-Allow-Methods`, joined once.
        value: HeaderValue,
    },
}

impl AllowMethods {
    /// Any method: `*`, or with credentials the requested method itself.
    pub fn any() -> Self {
        Self(MethodRule::Any)
    }

    fn parse<S: AsRef<str>>(items: &[S]) -> Result<Self, CorsError> {
        let methods = match split_list(Setting::Methods, items)? {
            List::Any => return Ok(Self(MethodRule::Any)),
            List::Items(methods) => methods,
        };
        let mut parsed: Vec<Method> = Vec::with_capacity(methods.len());
        for method in methods {
            let method = match normalize_method(method) {
                Some(method) => method,
                None => {
                    Method::from_bytes(method.as_bytes()).map_err(|_| CorsError::InvalidMethod {
                        method: method.to_owned(),
                    })?
                }
            };
            if !parsed.contains(&method) {
                parsed.push(method);
            }
        }
        if parsed.is_empty() {
            return Ok(Self(MethodRule::None));
        }
        let value = join(parsed.iter().map(Method::as_str));
        Ok(Self(MethodRule::List {
            methods: parsed.into(),
            value,
        }))
    }
}

/// Browsers upper-case these six methods whatever the case a script wrote them in (Fetch,
/// "normalize a method"), and send any other method as written; matching that lets
/// `.methods("get,put")` mean what it says, while `patch` stays `patch`, as browsers send it.
fn normalize_method(method: &str) -> Option<Method> {
    [
        Method::DELETE,
        Method::GET,
        Method::HEAD,
        Method::OPTIONS,
        Method::POST,
        Method::PUT,
    ]
    .into_iter()
    .find(|normalized| normalized.as_str().eq_ignore_ascii_case(method))
}

/// Which request headers a preflight may ask for: the argument of
/// [`CorsLayer::headers`](super::CorsLayer::headers).
///
/// Build it from `"*"`, `"content-type,x-api-key"`, `[header::CONTENT_TYPE]`, `vec![..]`, a single
/// [`HeaderName`] or [`Any`]. The default is the empty list. Note that the Fetch standard does not
/// let `Access-Control-Allow-Headers: *` cover `Authorization`: list the headers if clients send it
/// (Chromium still lets a non-credentialed request carry it under `*`, with a deprecation
/// warning; do not rely on that).
#[derive(Clone, Debug, Default)]
pub struct AllowHeaders(pub(super) HeaderRule);

#[derive(Clone, Debug, Default)]
pub(super) enum HeaderRule {
    Any,
    #[default]
    None,
    List {
        /// Sorted, so that each requested name is found by binary search: a preflight costs
        /// O(requested × log configured), not requested × configured.
        names: Box<[HeaderName]>,
        /// `Access-Control-Allow-Headers`, joined once, in the order configured.
        value: HeaderValue,
    },
}

impl AllowHeaders {
    /// Any header: `*`, or with credentials the requested headers themselves.
    pub fn any() -> Self {
        Self(HeaderRule::Any)
    }

    fn parse<S: AsRef<str>>(items: &[S]) -> Result<Self, CorsError> {
        Ok(match parse_header_names(Setting::Headers, items)? {
            None => Self(HeaderRule::Any),
            Some(names) if names.is_empty() => Self(HeaderRule::None),
            Some(mut names) => {
                let value = join(names.iter().map(HeaderName::as_str));
                names.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
                Self(HeaderRule::List {
                    names: names.into(),
                    value,
                })
            }
        })
    }
}

/// Which response headers scripts may read: the argument of
/// [`CorsLayer::expose`](super::CorsLayer::expose).
///
/// Same forms as [`AllowHeaders`]. `*` cannot be combined with credentials: a credentialed
/// response must list the names, and unlike the requested method or headers there is nothing in
/// the request to reflect, so the layer refuses that combination when it is built.
#[derive(Clone, Debug, Default)]
pub struct ExposeHeaders {
    /// `Access-Control-Expose-Headers`, joined once; `None` exposes nothing beyond the
    /// CORS-safelisted response headers.
    pub(super) value: Option<HeaderValue>,
}

impl ExposeHeaders {
    /// Every response header: `*` (refused with credentials).
    pub fn any() -> Self {
        Self {
            value: Some(HeaderValue::from_static("*")),
        }
    }

    pub(super) fn is_any(&self) -> bool {
        self.value.as_ref().is_some_and(|value| value == "*")
    }

    fn parse<S: AsRef<str>>(items: &[S]) -> Result<Self, CorsError> {
        Ok(match parse_header_names(Setting::Expose, items)? {
            None => Self::any(),
            Some(names) if names.is_empty() => Self::default(),
            Some(names) => Self {
                value: Some(join(names.iter().map(HeaderName::as_str))),
            },
        })
    }
}

/// How long a browser may cache a preflight answer: the argument of
/// [`CorsLayer::max_age`](super::CorsLayer::max_age), from whole seconds (`u64`) or a
/// [`Duration`] (truncated to whole seconds). Browsers cap it (Chromium at 2 hours, Firefox at
/// 24 hours).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaxAge(pub(super) u64);

impl From<u64> for MaxAge {
    fn from(seconds: u64) -> Self {
        Self(seconds)
    }
}

impl From<Duration> for MaxAge {
    fn from(duration: Duration) -> Self {
        Self(duration.as_secs())
    }
}

/// `None` for `*`, else the names, lowercased and without repeats.
fn parse_header_names<S: AsRef<str>>(
    setting: Setting,
    items: &[S],
) -> Result<Option<Vec<HeaderName>>, CorsError> {
    let names = match split_list(setting, items)? {
        List::Any => return Ok(None),
        List::Items(names) => names,
    };
    let mut parsed: Vec<HeaderName> = Vec::with_capacity(names.len());
    for name in names {
        let name =
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| CorsError::InvalidHeaderName {
                setting: setting.name(),
                name: name.to_owned(),
            })?;
        if !parsed.contains(&name) {
            parsed.push(name);
        }
    }
    Ok(Some(parsed))
}

/// Joins validated tokens with `", "` into one header value.
fn join<'a>(tokens: impl Iterator<Item = &'a str>) -> HeaderValue {
    let mut joined = Vec::new();
    for token in tokens {
        if !joined.is_empty() {
            joined.extend_from_slice(b", ");
        }
        joined.extend_from_slice(token.as_bytes());
    }
    shared_value(joined)
}

macro_rules! list_inputs {
    ($setting:ty) => {
        impl TryIntoCors<$setting> for &str {
            fn try_into_cors(self) -> Result<$setting, CorsError> {
                <$setting>::parse(&[self])
            }
        }

        impl TryIntoCors<$setting> for String {
            fn try_into_cors(self) -> Result<$setting, CorsError> {
                <$setting>::parse(&[self])
            }
        }

        impl<S: AsRef<str>> TryIntoCors<$setting> for Vec<S> {
            fn try_into_cors(self) -> Result<$setting, CorsError> {
                <$setting>::parse(&self)
            }
        }

        impl<S: AsRef<str>, const N: usize> TryIntoCors<$setting> for [S; N] {
            fn try_into_cors(self) -> Result<$setting, CorsError> {
                <$setting>::parse(&self)
            }
        }

        impl<S: AsRef<str>> TryIntoCors<$setting> for &[S] {
            fn try_into_cors(self) -> Result<$setting, CorsError> {
                <$setting>::parse(self)
            }
        }

        impl TryIntoCors<$setting> for Any {
            fn try_into_cors(self) -> Result<$setting, CorsError> {
                Ok(<$setting>::any())
            }
        }

        impl TryIntoCors<$setting> for $setting {
            fn try_into_cors(self) -> Result<$setting, CorsError> {
                Ok(self)
            }
        }
    };
}

list_inputs!(AllowOrigin);
list_inputs!(AllowMethods);
list_inputs!(AllowHeaders);
list_inputs!(ExposeHeaders);

impl TryIntoCors<AllowMethods> for Method {
    fn try_into_cors(self) -> Result<AllowMethods, CorsError> {
        AllowMethods::parse(&[self])
    }
}

impl TryIntoCors<AllowHeaders> for HeaderName {
    fn try_into_cors(self) -> Result<AllowHeaders, CorsError> {
        AllowHeaders::parse(&[self])
    }
}

impl TryIntoCors<ExposeHeaders> for HeaderName {
    fn try_into_cors(self) -> Result<ExposeHeaders, CorsError> {
        ExposeHeaders::parse(&[self])
    }
}
