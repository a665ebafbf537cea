//! Extractors of the request's head: the state, extensions, method, URI, headers.

use std::convert::Infallible;

use http::request::Parts;
use http::{HeaderMap, Method, Uri};

use super::rejection::MissingExtension;
use super::{FromRequestParts, RequestContext};

/// The router's state, or a part of it: a clone of what
/// [`Router::with_state`](crate::Router::with_state) was given — put an `Arc` in it, and each
/// request costs an atomic increment. No `Extensions` insert.
///
/// `State<T>` reads any `T` that implements [`FromRef`] of the router's state: the state itself,
/// or a part of it (a sub-state), as in axum. A router whose handlers need a state it was never
/// given is not a service: `serve` refuses it at compile time, naming the state.
///
/// ```
/// use std::sync::Arc;
///
/// use silent_tower_router::extract::{FromRef, State};
/// use silent_tower_router::{get, Router};
///
/// #[derive(Clone)]
/// struct AppState {
///     db: Arc<String>,
///     name: &'static str,
/// }
///
/// // `State<Arc<String>>` reads the database handle out of the app's state.
/// impl FromRef<AppState> for Arc<String> {
///     fn from_ref(state: &AppState) -> Self {
///         Arc::clone(&state.db)
///     }
/// }
///
/// async fn db(State(db): State<Arc<String>>) -> String {
///     db.to_string()
/// }
///
/// async fn name(State(app): State<AppState>) -> &'static str {
///     app.name
/// }
///
/// let app: Router = Router::new()
///     .route("/db", get(db))
///     .route("/name", get(name))
///     .with_state(AppState { db: Arc::new("pg".into()), name: "demo" });
/// # let _ = app;
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct State<S>(pub S);

impl<S, T> FromRequestParts<S> for State<T>
where
    T: FromRef<S> + Send,
    S: Sync,
{
    type Rejection = Infallible;

    async fn from_request_parts(_: &mut Parts, cx: &RequestContext<S>) -> Result<Self, Infallible> {
        Ok(State(T::from_ref(&cx.state)))
    }
}

impl<S> std::ops::Deref for State<S> {
    type Target = S;

    fn deref(&self) -> &S {
        &self.0
    }
}

impl<S> std::ops::DerefMut for State<S> {
    fn deref_mut(&mut self) -> &mut S {
        &mut self.0
    }
}

/// A value made from a reference to the router's state: what lets [`State<T>`] read a part of
/// it. Every `Clone` type is made from itself; implement it for the parts of an app's state
/// that handlers ask for on their own (a database pool, a key), as in axum.
#[diagnostic::on_unimplemented(
    message = "`State<{Self}>` cannot be read from the router's state `{T}`",
    label = "not the router's state, and not made from it",
    note = "`State<X>` reads the state given to `Router::with_state`, or a part of it: \
            implement `FromRef<{T}> for {Self}` to take `{Self}` out of `{T}`"
)]
pub trait FromRef<T> {
    /// Makes the value from the state.
    fn from_ref(input: &T) -> Self;
}

impl<T: Clone> FromRef<T> for T {
    #[inline]
    fn from_ref(input: &T) -> Self {
        input.clone()
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
