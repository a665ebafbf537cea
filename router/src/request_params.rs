//! [`RequestExt`]: a request's path and query parameters, read wherever the router left them.

use std::borrow::Cow;

use http::{Extensions, Request};

use crate::extract::MatchedPath;
use crate::params::{FromParam, Param, ParamError, ParamErrorKind, PathParams};

/// The matched route's parameters as the router left them in `extensions` for a service or a
/// layer to read: in a [`PathParams`] of their own (a route's service, a nested service's
/// prefix), or, across a route's own layer, in the route's [`MatchedPath`], so that the
/// layer's request carries one value and not two. A route's layer takes out any `PathParams` an
/// outer route left, so the two never disagree; a nested service's prefix parameters stay
/// beside it.
pub(crate) fn params_in(extensions: &Extensions) -> Option<&PathParams> {
    let own = extensions.get::<PathParams>();
    match own {
        Some(params) if !params.is_nested() => Some(params),
        _ => extensions
            .get::<MatchedPath>()
            .and_then(MatchedPath::carried_params)
            .or(own),
    }
}

/// Reading path and query parameters from a request.
///
/// ```
/// use http::Request;
/// use silent_tower_router::RequestExt;
///
/// let req = Request::new(());
/// assert!(req.param::<i64>("id").unwrap_err().is_missing());
/// let req = Request::get("/search?q=tower%20layers&page=2").body(()).unwrap();
/// assert_eq!(req.query_param("q").as_deref(), Some("tower layers"));
/// ```
pub trait RequestExt {
    /// The path parameter `name` as a `T`; an error that answers `400` when it does not parse.
    fn param<T: FromParam>(&self, name: &str) -> Result<T, ParamError>;

    /// The path parameter `name`, percent-decoded (borrowed when it holds no escape).
    fn param_str(&self, name: &str) -> Result<Cow<'_, str>, ParamError>;

    /// The router's record of the matched route's parameters, if it captured any.
    fn path_params(&self) -> Option<&PathParams>;

    /// The raw query string, without the `?`.
    fn query(&self) -> Option<&str>;

    /// The first query parameter called `name`, `application/x-www-form-urlencoded`-decoded.
    fn query_param(&self, name: &str) -> Option<Cow<'_, str>>;
}

impl<B> RequestExt for Request<B> {
    fn param<T: FromParam>(&self, name: &str) -> Result<T, ParamError> {
        let param = self.find_param(name)?;
        T::from_param(param).ok_or_else(|| ParamError {
            name: name.into(),
            kind: ParamErrorKind::Invalid {
                expected: T::EXPECTED,
            },
        })
    }

    fn param_str(&self, name: &str) -> Result<Cow<'_, str>, ParamError> {
        self.find_param(name)?.decoded().map_err(|_| ParamError {
            name: name.into(),
            kind: ParamErrorKind::NotUtf8,
        })
    }

    fn path_params(&self) -> Option<&PathParams> {
        params_in(self.extensions())
    }

    fn query(&self) -> Option<&str> {
        self.uri().query()
    }

    fn query_param(&self, name: &str) -> Option<Cow<'_, str>> {
        form_urlencoded::parse(self.uri().query()?.as_bytes())
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }
}

trait FindParam {
    fn find_param(&self, name: &str) -> Result<Param<'_>, ParamError>;
}

impl<B> FindParam for Request<B> {
    fn find_param(&self, name: &str) -> Result<Param<'_>, ParamError> {
        self.path_params()
            .and_then(|params| params.get(self.uri().path(), name))
            .ok_or_else(|| ParamError {
                name: name.into(),
                kind: ParamErrorKind::Missing,
            })
    }
}
