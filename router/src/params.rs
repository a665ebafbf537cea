//! Path parameters: [`PathParams`] in the request's extensions, read through [`RequestExt`].
//!
//! The router stores byte ranges into the request path, not copies of it, and nothing else:
//! parameters (`<id:i64>`, `<id:uuid>`, …), parsed once while matching. Percent-decoding happens
//! when a handler reads a parameter, and only if the parameter contains a `%`.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use http::{Response, StatusCode};

use crate::body::Body;
use crate::extract::rejection::Rejection;
use crate::pattern::MAX_PARAMS;
use crate::response::IntoResponse;

/// One captured parameter: where it is in the path.
///
/// A typed parameter's value is not kept: reading it parses those few bytes again, which costs
/// about what storing it did, and keeps every capture at eight bytes — the captures are zeroed on
/// each lookup and copied into the request's extensions on each match.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Capture {
    start: u32,
    end: u32,
}

impl Capture {
    const EMPTY: Capture = Capture { start: 0, end: 0 };

    pub(crate) fn new(start: usize, end: usize) -> Self {
        // Paths longer than 4 GiB never reach here: HTTP servers cap the request line far below.
        Capture {
            start: start as u32,
            end: end as u32,
        }
    }
}

/// The captures of one lookup, on the stack.
#[derive(Clone, Copy)]
pub(crate) struct Captures {
    len: u8,
    items: [Capture; MAX_PARAMS],
}

impl Captures {
    pub(crate) const fn new() -> Self {
        Captures {
            len: 0,
            items: [Capture::EMPTY; MAX_PARAMS],
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }

    pub(crate) fn push(&mut self, capture: Capture) {
        // Routes are refused at build time when they capture more than MAX_PARAMS, and a lookup
        // captures at most one value per parameter of the route it is walking.
        if let Some(slot) = self.items.get_mut(self.len as usize) {
            *slot = capture;
            self.len += 1;
        }
    }

    pub(crate) fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len as u8);
    }

    /// The byte range of capture `index`.
    pub(crate) fn range(&self, index: usize) -> Option<std::ops::Range<usize>> {
        let capture = self.items[..self.len()].get(index)?;
        Some(capture.start as usize..capture.end as usize)
    }
}

/// What the router knows about a route: its pattern and its parameters' names.
#[derive(Debug)]
pub(crate) struct RouteInfo {
    pub(crate) pattern: Box<str>,
    pub(crate) names: Box<[Box<str>]>,
    /// Whether the pattern is a route the user added, which
    /// [`MatchedPath`](crate::extract::MatchedPath) names — not one the router made for a nested
    /// router's fallback or a nested service.
    pub(crate) user_route: bool,
}

/// The path parameters of the matched route, stored in the request's extensions by the router.
///
/// Read them through [`RequestExt`](crate::RequestExt): `req.param::<i64>("id")`. The router inserts `PathParams`
/// only for routes that capture parameters, and only where something reads them from the
/// request: a handler that takes the whole `Request`, a service, a layer of the route's own
/// ([`Router::layer`](crate::Router::layer), [`MethodRouter::layer`](crate::MethodRouter::layer)).
/// A handler that reads them with [`Path`](crate::extract::Path) gets them from the router
/// directly, and a static route costs no extension insert for them.
///
/// The captures are byte ranges into the request's path, read back from `req.uri().path()`: a
/// layer between the router and the handler that rewrites the URI's path would make them point
/// at the wrong bytes, so rewrite URIs outside the router, not in a `route_layer`.
#[derive(Clone)]
pub struct PathParams {
    route: Arc<RouteInfo>,
    captures: Captures,
    /// The path the captures point into, kept when a nested service's prefix is taken off the
    /// request's path: then the parameters are read from here, not from the request.
    source: Option<Arc<str>>,
}

impl PathParams {
    pub(crate) fn new(route: Arc<RouteInfo>, captures: Captures) -> Self {
        PathParams {
            route,
            captures,
            source: None,
        }
    }

    /// Parameters that keep the path they were captured from.
    pub(crate) fn with_source(route: Arc<RouteInfo>, captures: Captures, source: Arc<str>) -> Self {
        PathParams {
            route,
            captures,
            source: Some(source),
        }
    }

    /// Whether these are a nested service's prefix parameters, read from the path as sent.
    pub(crate) fn is_nested(&self) -> bool {
        self.source.is_some()
    }

    /// The route and the captures, borrowed, as the router hands them to an endpoint.
    pub(crate) fn parts(&self) -> (&Arc<RouteInfo>, &Captures) {
        (&self.route, &self.captures)
    }

    /// The pattern of the matched route, as it was registered (with a nest prefix prepended).
    /// For a request a nested router's fallback answers, the prefix, the prefix and `/`, or the
    /// prefix and `/{*}` for the paths below it.
    pub fn route(&self) -> &str {
        &self.route.pattern
    }

    /// The number of parameters captured.
    pub fn len(&self) -> usize {
        // A nested fallback's catch-all captures the rest of the path without a name: it is not
        // a parameter.
        self.captures.len().min(self.route.names.len())
    }

    /// True when the route captured nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The parameter `name`, read from `path` (the request path the parameters were captured
    /// from; under a nested service, whose path lost its prefix, from the path as it was).
    pub fn get<'a>(&'a self, path: &'a str, name: &str) -> Option<Param<'a>> {
        let index = self.route.names.iter().position(|n| &**n == name)?;
        self.at(path, index)
    }

    /// Every parameter as `(name, value)`, in route order.
    pub fn iter<'a>(&'a self, path: &'a str) -> impl Iterator<Item = (&'a str, Param<'a>)> + 'a {
        self.route
            .names
            .iter()
            .enumerate()
            .filter_map(move |(index, name)| Some((&**name, self.at(path, index)?)))
    }

    /// The name and value of parameter `index`, in route order.
    pub(crate) fn entry<'a>(&'a self, path: &'a str, index: usize) -> Option<(&'a str, Param<'a>)> {
        Some((self.route.names.get(index)?, self.at(path, index)?))
    }

    fn at<'a>(&'a self, path: &'a str, index: usize) -> Option<Param<'a>> {
        let path = self.source.as_deref().unwrap_or(path);
        let raw = path.get(self.captures.range(index)?)?;
        Some(Param { raw })
    }
}

impl fmt::Debug for PathParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PathParams")
            .field("route", &self.route.pattern)
            .field("names", &self.route.names)
            .field("captures", &&self.captures.items[..self.captures.len()])
            .finish()
    }
}

/// One path parameter as it appears in the request path.
#[derive(Debug, Clone, Copy)]
pub struct Param<'a> {
    raw: &'a str,
}

impl<'a> Param<'a> {
    /// The parameter exactly as it appears in the path, still percent-encoded.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// The parameter percent-decoded; borrowed unless it contained a `%` escape.
    pub fn decoded(&self) -> Result<Cow<'a, str>, std::str::Utf8Error> {
        // Most parameters hold no escape: they are already text, with nothing to decode or check.
        if !self.raw.as_bytes().contains(&b'%') {
            return Ok(Cow::Borrowed(self.raw));
        }
        // Room for the whole raw text up front: decoding only shrinks it, so the one allocation
        // is the only one (the decoder's own `Cow` grows a buffer from the first escape on).
        let mut bytes = Vec::with_capacity(self.raw.len());
        bytes.extend(percent_encoding::percent_decode_str(self.raw));
        String::from_utf8(bytes)
            .map(Cow::Owned)
            .map_err(|err| err.utf8_error())
    }
}

/// Why a parameter could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    pub(crate) name: Box<str>,
    pub(crate) kind: ParamErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParamErrorKind {
    Missing,
    NotUtf8,
    Invalid { expected: &'static str },
}

impl ParamError {
    /// The name of the parameter.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True when the route has no parameter of that name (a programming error, answered 500).
    pub fn is_missing(&self) -> bool {
        self.kind == ParamErrorKind::Missing
    }

    /// The status this error answers with: `400` for a bad parameter, the client's fault;
    /// `500` for a missing one, the route's.
    pub fn status(&self) -> StatusCode {
        if self.is_missing() {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::BAD_REQUEST
        }
    }

    /// What was wrong, as a stable name — `param_invalid`, `param_not_utf8` or `param_missing`:
    /// see the table in [`Rejection`]'s docs.
    pub fn kind(&self) -> &'static str {
        match self.kind {
            ParamErrorKind::Missing => "param_missing",
            ParamErrorKind::NotUtf8 => "param_not_utf8",
            ParamErrorKind::Invalid { .. } => "param_invalid",
        }
    }
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = &self.name;
        match &self.kind {
            ParamErrorKind::Missing => {
                write!(f, "the matched route has no path parameter `{name}`")
            }
            ParamErrorKind::NotUtf8 => {
                write!(
                    f,
                    "path parameter `{name}` is not valid UTF-8 once percent-decoded"
                )
            }
            ParamErrorKind::Invalid { expected } => {
                write!(f, "path parameter `{name}` is not a valid {expected}")
            }
        }
    }
}

impl std::error::Error for ParamError {}

impl From<ParamError> for Rejection {
    fn from(error: ParamError) -> Rejection {
        Rejection::new(error.status(), error.kind(), error.to_string())
    }
}

/// A bad parameter is the client's fault (`400`); a missing one is the route's (`500`). The
/// response is the error's [`Rejection`]'s, so that it is logged and
/// [`MapRejectionLayer`](crate::middleware::MapRejectionLayer) maps it like any rejection.
impl IntoResponse for ParamError {
    fn into_response(self) -> Response<Body> {
        Rejection::from(self).into_response()
    }
}

/// A type a path parameter can be read as.
pub trait FromParam: Sized {
    /// What the error message says was expected, e.g. `"integer"`.
    const EXPECTED: &'static str;

    /// Reads the value; `None` when the parameter is not a `Self`.
    fn from_param(param: Param<'_>) -> Option<Self>;
}

impl FromParam for String {
    const EXPECTED: &'static str = "string";

    fn from_param(param: Param<'_>) -> Option<Self> {
        param.decoded().ok().map(Cow::into_owned)
    }
}

impl FromParam for uuid::Uuid {
    const EXPECTED: &'static str = "UUID";

    fn from_param(param: Param<'_>) -> Option<Self> {
        uuid::Uuid::try_parse(&param.decoded().ok()?).ok()
    }
}

macro_rules! from_param_int {
    ($($int:ty),*) => {$(
        impl FromParam for $int {
            const EXPECTED: &'static str = concat!("integer (", stringify!($int), ")");

            fn from_param(param: Param<'_>) -> Option<Self> {
                param.decoded().ok()?.parse().ok()
            }
        }
    )*};
}

from_param_int!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

macro_rules! from_param_from_str {
    ($($ty:ty => $expected:literal),*) => {$(
        impl FromParam for $ty {
            const EXPECTED: &'static str = $expected;

            fn from_param(param: Param<'_>) -> Option<Self> {
                param.decoded().ok()?.parse().ok()
            }
        }
    )*};
}

from_param_from_str!(f32 => "number", f64 => "number", bool => "boolean", char => "character");
