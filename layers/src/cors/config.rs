//! What a [`CorsLayer`](super::CorsLayer) can be told, and the validated, precomputed form it
//! keeps behind its `Arc`.
//!
//! Each builder method takes any type implementing [`TryIntoCors`] for its setting — `"*"`, a
//! comma-separated string, an array or `Vec` of strings, [`Method`]s or [`HeaderName`]s, [`Any`],
//! or the setting's own type — and turns it into an [`AllowOrigin`], [`AllowMethods`],
//! [`AllowHeaders`] or [`ExposeHeaders`], reporting a bad value as a [`CorsError`].

use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode};

use super::error::CorsError;
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
/// (Chromium still lets a non-credentialed request carry it under `*`; other browsers do not).
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
    value: Option<HeaderValue>,
}

impl ExposeHeaders {
    /// Every response header: `*` (refused with credentials).
    pub fn any() -> Self {
        Self {
            value: Some(HeaderValue::from_static("*")),
        }
    }

    fn is_any(&self) -> bool {
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
pub struct MaxAge(u64);

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

/// The setting a list was given to, for error messages.
#[derive(Clone, Copy)]
pub(super) enum Setting {
    Origin,
    Methods,
    Headers,
    Expose,
}

impl Setting {
    fn name(self) -> &'static str {
        match self {
            Self::Origin => "origin",
            Self::Methods => "methods",
            Self::Headers => "headers",
            Self::Expose => "expose",
        }
    }
}

pub(super) enum List<'a> {
    Any,
    Items(Vec<&'a str>),
}

/// Splits every item on commas and trims the pieces; a lone `*` means any.
pub(super) fn split_list<S: AsRef<str>>(
    setting: Setting,
    items: &[S],
) -> Result<List<'_>, CorsError> {
    let mut pieces = Vec::new();
    for item in items {
        let item = item.as_ref();
        for piece in item.split(',').map(str::trim) {
            if piece.is_empty() {
                return Err(CorsError::EmptyEntry {
                    setting: setting.name(),
                    list: item.to_owned(),
                });
            }
            pieces.push(piece);
        }
    }
    match pieces[..] {
        ["*"] => Ok(List::Any),
        _ if pieces.contains(&"*") => Err(CorsError::WildcardInList {
            setting: setting.name(),
        }),
        _ => Ok(List::Items(pieces)),
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

/// A header value whose clones are all reference-count increments.
///
/// `HeaderValue::from_bytes` and friends keep a *promotable* `Bytes` whose first clone
/// allocates; wrapping the buffer as an owner makes it shared from the start.
pub(super) fn shared_value(bytes: Vec<u8>) -> HeaderValue {
    HeaderValue::from_maybe_shared(Bytes::from_owner(bytes))
        .expect("callers pass tokens and origins already checked to be visible ASCII")
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

/// Everything a [`Cors`](super::Cors) service needs, checked and precomputed by the builder,
/// shared by every clone of the layer and its services behind one `Arc`.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) origin: AllowOrigin,
    pub(crate) methods: AllowMethods,
    pub(crate) headers: AllowHeaders,
    pub(crate) expose: ExposeHeaders,
    pub(crate) max_age: Option<HeaderValue>,
    pub(crate) credentials: bool,
    pub(crate) private_network: bool,
    pub(crate) reject_disallowed: bool,
    /// `Vary` on every non-preflight response; `None` when the answer is the same for all.
    simple_vary: Option<HeaderValue>,
    /// `Vary` on every preflight response.
    pub(super) preflight_vary: HeaderValue,
}

impl Default for Config {
    /// Allows nothing: no origin, only the safelisted methods, no extra headers.
    fn default() -> Self {
        let mut config = Self {
            origin: AllowOrigin::default(),
            methods: AllowMethods::default(),
            headers: AllowHeaders::default(),
            expose: ExposeHeaders::default(),
            max_age: None,
            credentials: false,
            private_network: false,
            reject_disallowed: false,
            simple_vary: None,
            preflight_vary: HeaderValue::from_static(""),
        };
        config
            .finish()
            .expect("the default configuration is consistent");
        config
    }
}

impl Config {
    /// Refuses contradictory settings and recomputes what depends on more than one setting.
    /// Runs after every builder call, so a `CorsLayer` is always valid whatever the call order.
    pub(crate) fn finish(&mut self) -> Result<(), CorsError> {
        if self.credentials && self.origin.is_any() {
            return Err(CorsError::AnyOriginWithCredentials);
        }
        if self.credentials && self.origin.lists_null() {
            return Err(CorsError::NullOriginWithCredentials);
        }
        if self.credentials && self.expose.is_any() {
            return Err(CorsError::AnyExposeWithCredentials);
        }
        // With `*` (never with credentials, see above) every origin gets the same answer.
        let by_origin = !self.origin.is_any();
        self.simple_vary = by_origin.then(|| HeaderValue::from_static("origin"));
        self.preflight_vary = HeaderValue::from_static(match (by_origin, self.private_network) {
            (true, false) => {
                "origin, access-control-request-method, access-control-request-headers"
            }
            (true, true) => {
                "origin, access-control-request-method, access-control-request-headers, \
                 access-control-request-private-network"
            }
            (false, false) => "access-control-request-method, access-control-request-headers",
            (false, true) => {
                "access-control-request-method, access-control-request-headers, \
                 access-control-request-private-network"
            }
        });
        Ok(())
    }

    pub(crate) fn set_max_age(&mut self, max_age: MaxAge) {
        self.max_age = Some(shared_value(max_age.0.to_string().into_bytes()));
    }

    pub(super) fn refusal_status(&self) -> StatusCode {
        if self.reject_disallowed {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::NO_CONTENT
        }
    }

    /// The headers of a `403` for a disallowed origin under `reject_disallowed`.
    pub(crate) fn rejection(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(vary) = &self.simple_vary {
            headers.insert(header::VARY, vary.clone());
        }
        headers
    }

    /// Adds the CORS headers to the inner service's response, keeping all of its own.
    pub(crate) fn decorate(&self, headers: &mut HeaderMap, allow_origin: Option<HeaderValue>) {
        if let Some(allow_origin) = allow_origin {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
            if self.credentials {
                headers.insert(
                    header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                    HeaderValue::from_static("true"),
                );
            }
            if let Some(expose) = &self.expose.value {
                headers.append(header::ACCESS_CONTROL_EXPOSE_HEADERS, expose.clone());
            }
        }
        if let Some(vary) = &self.simple_vary {
            // Several `Vary` lines mean their union (RFC 9110, 5.3), so appending merges.
            let covered = headers
                .get_all(header::VARY)
                .iter()
                .flat_map(|value| value.as_bytes().split(|&b| b == b','))
                .map(<[u8]>::trim_ascii)
                .any(|token| token == b"*" || token.eq_ignore_ascii_case(b"origin"));
            if !covered {
                headers.append(header::VARY, vary.clone());
            }
        }
    }
}
