//! What a [`CorsLayer`](super::CorsLayer) can be told, and the validated, precomputed form it
//! keeps behind its `Arc`.
//!
//! Each builder method takes any type implementing [`TryIntoCors`] for its setting — `"*"`, a
//! comma-separated string, an array or `Vec` of strings, [`Method`]s or [`HeaderName`]s, [`Any`],
//! or the setting's own type — and turns it into an [`AllowOrigin`], [`AllowMethods`],
//! [`AllowHeaders`] or [`ExposeHeaders`], reporting a bad value as a [`CorsError`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{
    self, HeaderMap, HeaderName, HeaderValue, ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_METHOD,
};
use http::request::Parts;
use http::{Method, StatusCode};

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

/// Which origins may read responses: the argument of [`CorsLayer::origin`](super::CorsLayer::origin).
///
/// Build it from `"*"`, a list of origins (`"https://a.com,https://b.com"`, `["https://a.com"]`,
/// `vec![..]`), [`Any`], or a closure with [`AllowOrigin::predicate`]. An origin is written the
/// way a browser sends it: `scheme://host[:port]`, lowercase, no path and no trailing slash (or the
/// literal `null`); anything else is refused, since it could never match.
#[derive(Clone, Default)]
pub struct AllowOrigin(OriginRule);

#[derive(Clone, Default)]
enum OriginRule {
    Any,
    #[default]
    None,
    /// Each origin is kept as the `HeaderValue` we answer with, so a match costs one clone.
    List(Box<[HeaderValue]>),
    Predicate(OriginPredicate),
}

type OriginPredicate = Arc<dyn Fn(&HeaderValue, &Parts) -> bool + Send + Sync>;

impl AllowOrigin {
    /// Every origin: answers with `Access-Control-Allow-Origin: *`.
    pub fn any() -> Self {
        Self(OriginRule::Any)
    }

    /// The origins for which `predicate(origin, request_parts)` returns `true`; the response
    /// then names that origin.
    ///
    /// The closure is stored once, behind an `Arc<dyn Fn>`, and called through it for each
    /// request that carries an `Origin`: one indirect call, no allocation. (A generic parameter
    /// would have spread the closure's type into `CorsLayer<P>` and `Cors<S, P>` to save that
    /// one call.)
    pub fn predicate<F>(predicate: F) -> Self
    where
        F: Fn(&HeaderValue, &Parts) -> bool + Send + Sync + 'static,
    {
        Self(OriginRule::Predicate(Arc::new(predicate)))
    }

    fn is_any(&self) -> bool {
        matches!(self.0, OriginRule::Any)
    }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`, if it is allowed.
    pub(crate) fn allow(&self, origin: &HeaderValue, parts: &Parts) -> Option<HeaderValue> {
        match &self.0 {
            OriginRule::Any => Some(HeaderValue::from_static("*")),
            OriginRule::None => None,
            OriginRule::List(origins) => origins.iter().find(|allowed| *allowed == origin).cloned(),
            OriginRule::Predicate(predicate) => predicate(origin, parts).then(|| origin.clone()),
        }
    }

    fn parse<S: AsRef<str>>(items: &[S]) -> Result<Self, CorsError> {
        Ok(match split_list(Setting::Origin, items)? {
            List::Any => Self(OriginRule::Any),
            List::Items(origins) => {
                let origins = origins
                    .into_iter()
                    .map(|origin| {
                        check_origin(origin).map_err(|reason| CorsError::InvalidOrigin {
                            origin: origin.to_owned(),
                            reason,
                        })?;
                        Ok(shared_value(origin.as_bytes().to_vec()))
                    })
                    .collect::<Result<_, CorsError>>()?;
                Self(OriginRule::List(origins))
            }
        })
    }
}

impl fmt::Debug for AllowOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            OriginRule::Any => f.write_str("AllowOrigin(*)"),
            OriginRule::None => f.write_str("AllowOrigin([])"),
            OriginRule::List(origins) => f.debug_tuple("AllowOrigin").field(origins).finish(),
            OriginRule::Predicate(_) => f.write_str("AllowOrigin(<predicate>)"),
        }
    }
}

/// Why `origin` can never equal an `Origin` header a browser sends, if it can't.
fn check_origin(origin: &str) -> Result<(), &'static str> {
    if origin == "null" {
        return Ok(());
    }
    let Some((scheme, authority)) = origin.split_once("://") else {
        return Err("expected `scheme://host[:port]` or `null`");
    };
    let scheme_char = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.');
    if scheme.is_empty() || !scheme.bytes().all(scheme_char) {
        return Err("the scheme before `://` is missing or malformed");
    }
    if authority.is_empty() {
        return Err("the host after `://` is missing");
    }
    if authority.contains(['/', '?', '#']) {
        return Err("an origin has no path, query or fragment, not even a trailing `/`");
    }
    if !origin.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("an origin is printable ASCII without spaces (write IDNs in punycode)");
    }
    if origin.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err("browsers send origins in lowercase");
    }
    Ok(())
}

/// Which methods a preflight may ask for: the argument of
/// [`CorsLayer::methods`](super::CorsLayer::methods).
///
/// Build it from `"*"`, `"GET,POST"`, `[Method::GET, Method::POST]`, `vec![..]`, a single
/// [`Method`] or [`Any`]. The CORS-safelisted methods `GET`, `HEAD` and `POST` are always allowed,
/// as browsers allow them whatever the answer says. The default is the empty list.
#[derive(Clone, Debug, Default)]
pub struct AllowMethods(MethodRule);

#[derive(Clone, Debug, Default)]
enum MethodRule {
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

    fn allows(&self, requested: &HeaderValue) -> bool {
        let requested = requested.as_bytes();
        let safelisted = matches!(requested, b"GET" | b"HEAD" | b"POST");
        match &self.0 {
            MethodRule::Any => true,
            MethodRule::None => safelisted,
            MethodRule::List { methods, .. } => {
                safelisted || methods.iter().any(|m| m.as_str().as_bytes() == requested)
            }
        }
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
/// let `Access-Control-Allow-Headers: *` cover `Authorization`: list the headers if clients send it.
#[derive(Clone, Debug, Default)]
pub struct AllowHeaders(HeaderRule);

#[derive(Clone, Debug, Default)]
enum HeaderRule {
    Any,
    #[default]
    None,
    List {
        names: Box<[HeaderName]>,
        /// `Access-Control-Allow-Headers`, joined once.
        value: HeaderValue,
    },
}

impl AllowHeaders {
    /// Any header: `*`, or with credentials the requested headers themselves.
    pub fn any() -> Self {
        Self(HeaderRule::Any)
    }

    /// Whether every name in the request's `Access-Control-Request-Headers` is allowed.
    fn allows(&self, request: &HeaderMap) -> bool {
        let names = match &self.0 {
            HeaderRule::Any => return true,
            HeaderRule::None => &[][..],
            HeaderRule::List { names, .. } => names,
        };
        request
            .get_all(ACCESS_CONTROL_REQUEST_HEADERS)
            .iter()
            .flat_map(|value| value.as_bytes().split(|&b| b == b','))
            .map(<[u8]>::trim_ascii)
            .filter(|requested| !requested.is_empty())
            .all(|requested| {
                names
                    .iter()
                    .any(|name| name.as_str().as_bytes().eq_ignore_ascii_case(requested))
            })
    }

    fn parse<S: AsRef<str>>(items: &[S]) -> Result<Self, CorsError> {
        Ok(match parse_header_names(Setting::Headers, items)? {
            None => Self(HeaderRule::Any),
            Some(names) if names.is_empty() => Self(HeaderRule::None),
            Some(names) => {
                let value = join(names.iter().map(HeaderName::as_str));
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
        /// What is wrong with it.
        reason: &'static str,
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
            Self::AnyExposeWithCredentials => f.write_str(
                "CORS `expose(\"*\")` cannot be combined with `credentials(true)`: browsers read \
                 `*` as a header name on credentialed requests; list the headers to expose",
            ),
        }
    }
}

impl std::error::Error for CorsError {}

/// The setting a list was given to, for error messages.
#[derive(Clone, Copy)]
enum Setting {
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

enum List<'a> {
    Any,
    Items(Vec<&'a str>),
}

/// Splits every item on commas and trims the pieces; a lone `*` means any.
fn split_list<S: AsRef<str>>(setting: Setting, items: &[S]) -> Result<List<'_>, CorsError> {
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
fn shared_value(bytes: Vec<u8>) -> HeaderValue {
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
    preflight_vary: HeaderValue,
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

    fn refusal_status(&self) -> StatusCode {
        if self.reject_disallowed {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::NO_CONTENT
        }
    }

    /// The status and headers answering a preflight. Moves the requested method and headers out
    /// of `request` when it reflects them: the inner service never sees this request.
    pub(crate) fn preflight(
        &self,
        allow_origin: Option<HeaderValue>,
        request: &mut HeaderMap,
    ) -> (StatusCode, HeaderMap) {
        // Vary, allow-origin, -credentials, -methods, -headers, max-age, -private-network.
        let mut headers = HeaderMap::with_capacity(7);
        headers.insert(header::VARY, self.preflight_vary.clone());
        let Some(allow_origin) = allow_origin else {
            return (self.refusal_status(), headers);
        };
        let method_allowed = request
            .get(ACCESS_CONTROL_REQUEST_METHOD)
            .is_some_and(|method| self.methods.allows(method));
        if !method_allowed || !self.headers.allows(request) {
            return (self.refusal_status(), headers);
        }

        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
        if self.credentials {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        let allow_methods = match &self.methods.0 {
            MethodRule::Any if self.credentials => request.remove(ACCESS_CONTROL_REQUEST_METHOD),
            MethodRule::Any => Some(HeaderValue::from_static("*")),
            MethodRule::None => None,
            MethodRule::List { value, .. } => Some(value.clone()),
        };
        if let Some(allow_methods) = allow_methods {
            headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, allow_methods);
        }
        let allow_headers = match &self.headers.0 {
            HeaderRule::Any if self.credentials => request.remove(ACCESS_CONTROL_REQUEST_HEADERS),
            HeaderRule::Any => Some(HeaderValue::from_static("*")),
            HeaderRule::None => None,
            HeaderRule::List { value, .. } => Some(value.clone()),
        };
        if let Some(allow_headers) = allow_headers {
            headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, allow_headers);
        }
        if let Some(max_age) = &self.max_age {
            headers.insert(header::ACCESS_CONTROL_MAX_AGE, max_age.clone());
        }
        if self.private_network
            && request
                .get(ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)
                .is_some_and(|value| value == "true")
        {
            headers.insert(
                ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
                HeaderValue::from_static("true"),
            );
        }
        (StatusCode::NO_CONTENT, headers)
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
