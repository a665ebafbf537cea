//! tower-sessions' `Session` as an extractor (feature `sessions`).

use http::request::Parts;
use tower_sessions_core::Session;

use super::rejection::MissingExtension;
use super::{FromRequestParts, RequestContext};

/// The request's session, as tower-sessions' `SessionManagerLayer` put it in the request's
/// extensions: a handler takes `session: Session` (or `Extension<Session>`, the same value) and
/// reads and writes it with `session.get(..)` / `session.insert(..)`; the layer saves it and sets
/// the cookie after the handler. Without the layer in front of the router, `500`
/// ([`MissingExtension`]).
///
/// The impl is for tower-sessions-core 0.14's `Session` (tower-sessions 0.14); a `Session` of
/// another tower-sessions version is a type of its own, read as `Extension<Session>`.
///
/// ```
/// use silent_tower_router::{get, Router};
/// use tower_sessions_core::Session;
///
/// async fn visits(session: Session) -> String {
///     let visits: u64 = session.get("visits").await.ok().flatten().unwrap_or(0) + 1;
///     let saved = session.insert("visits", visits).await;
///     match saved {
///         Ok(()) => format!("visit #{visits}"),
///         Err(err) => format!("the session store failed: {err}"),
///     }
/// }
///
/// // Served as `SessionManagerLayer::new(store).layer(app)`.
/// let app: Router = Router::new().route("/", get(visits));
/// ```
impl<S: Sync> FromRequestParts<S> for Session {
    type Rejection = MissingExtension;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &RequestContext<S>,
    ) -> Result<Self, MissingExtension> {
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(MissingExtension::of::<Session>)
    }
}
