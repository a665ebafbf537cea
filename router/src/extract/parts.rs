//! Extractors of the request's head: the state, extensions, method, URI, headers.

use std::convert::Infallible;

use http::request::Parts;
use http::{HeaderMap, Method, Uri};

use super::rejection::{MissingExtension, MissingState};
use super::{FromRequestParts, RequestContext};

/// The router's state: a clone of what [`Router::with_state`](crate::Router::with_state) was
/// given — put an `Arc` in it, and each request costs an atomic increment. No `Extensions` insert.
///
/// A router that was never given its state answers `500` to the handlers that ask for it
/// ([`MissingState`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct State<S>(pub S);

impl<S: Clone + Send + Sync> FromRequestParts<S> for State<S> {
    type Rejection = MissingState;

    async fn from_request_parts(
        _: &mut Parts,
        cx: &RequestContext<S>,
    ) -> Result<Self, MissingState> {
        cx.state.clone().map(State).ok_or(MissingState::new())
    }
}

/// A value a layer put in the request's extensions (`req.extensions_mut().insert(value)`),
/// cloned out. Missing, it answers `500` ([`MissingExtension`]): a layer that should have run
/// did not.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extension<T>(pub T);

impl<T, S> FromRequestParts<S> for Extension<T>
where
    T: Clone + Send + Sync + 'static,
    S: Sync,
{
    type Rejection = MissingExtension;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &RequestContext<S>,
    ) -> Result<Self, MissingExtension> {
        parts
            .extensions
            .get::<T>()
            .cloned()
            .map(Extension)
            .ok_or_else(MissingExtension::of::<T>)
    }
}

impl<S: Sync> FromRequestParts<S> for Method {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &RequestContext<S>,
    ) -> Result<Self, Infallible> {
        Ok(parts.method.clone())
    }
}

impl<S: Sync> FromRequestParts<S> for Uri {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &RequestContext<S>,
    ) -> Result<Self, Infallible> {
        Ok(parts.uri.clone())
    }
}

/// A copy of the request's headers (the body extractors still read `content-type` after it).
impl<S: Sync> FromRequestParts<S> for HeaderMap {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &RequestContext<S>,
    ) -> Result<Self, Infallible> {
        Ok(parts.headers.clone())
    }
}

/// An extractor that may fail: `None` instead of its rejection.
impl<T, S> FromRequestParts<S> for Option<T>
where
    T: FromRequestParts<S> + Send,
    S: Sync,
{
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        cx: &RequestContext<S>,
    ) -> Result<Self, Infallible> {
        Ok(T::from_request_parts(parts, cx).await.ok())
    }
}

/// An extractor's result as it is, for a handler that answers its rejection itself.
impl<T, S> FromRequestParts<S> for Result<T, T::Rejection>
where
    T: FromRequestParts<S> + Send,
    T::Rejection: Send,
    S: Sync,
{
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        cx: &RequestContext<S>,
    ) -> Result<Self, Infallible> {
        Ok(T::from_request_parts(parts, cx).await)
    }
}
