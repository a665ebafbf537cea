//! [`Router::map_rejection`]: one place that answers every rejection of an app in its format.

use super::router::Router;
use crate::extract::rejection::{Rejection, RejectionHook};
use crate::response::IntoResponse;

impl<S: Clone + Send + Sync + 'static, B: Send + 'static> Router<S, B> {
    /// Answers every rejection of this router with `map(rejection)`: a JSON error body, a
    /// problem document, whatever the app's format is — in one place, instead of a
    /// `Result<T, T::Rejection>` on every argument (or axum-extra's `WithRejection` on each).
    ///
    /// `map` is given the [`Rejection`] — status, stable [`kind`](Rejection::kind) (the table of
    /// kinds is in [`Rejection`]'s docs), message — of every extractor that refused a request
    /// (`Json`, `Path`, `Query`, `Form`, body limits and content types, `TypedHeader`,
    /// `Multipart`…), of every [`ParamError`](crate::ParamError) a handler answers with `?`, and of
    /// every extractor of the app's own that rejects with a `Rejection`. Any other response —
    /// a handler's own `404`, `(StatusCode::BAD_REQUEST, "...")` — is left as it is: a rejection
    /// is told by the `Rejection` its response carries in its extensions, not by its status.
    ///
    /// # What it covers
    /// The whole router, whenever the routes were added: routes added before and after this
    /// call, the fallback, the routes of routers [nested](Router::nest) and
    /// [merged](Router::merge) into it, and rejections inside [layers](Router::layer) — `map`
    /// runs when the router's response is ready, after the route's layers. Headers the layers
    /// added to the rejection's response (CORS headers, say) are kept on the mapped one, but
    /// `content-type` and `content-length`, which the new body sets. A router with a hook of its
    /// own cannot be nested with [`nest`](Router::nest) (the nested routes become this router's,
    /// and one router answers rejections one way: set the hook on the outer router), nor merged
    /// into one with another hook; a router given to [`nest_service`](Router::nest_service) keeps
    /// its own. Called twice, the last `map` wins. Layers around the whole router see the mapped
    /// response.
    ///
    /// # Cost
    /// No allocation and no call per request, with a hook or without: the router's future holds
    /// a reference to the hook (or `None`), and only a response with an error status is looked
    /// into, for the `Rejection` in its extensions. The mapping runs only for rejections. The
    /// hook is kept for the life of the program (one allocation, when `map_rejection` is
    /// called): build the router once, at start-up, not per request.
    ///
    /// # Example
    /// A JSON error body for the whole app:
    #[cfg_attr(feature = "json", doc = "```")]
    #[cfg_attr(not(feature = "json"), doc = "```ignore")]
    /// use http::Request;
    /// use silent_tower_router::extract::{rejection::Rejection, Path};
    /// use silent_tower_router::{get, Json, Router};
    /// use tower::ServiceExt;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let app = Router::<(), ()>::with_body()
    ///     .route("/users/{id}", get(|Path(id): Path<u64>| async move { format!("user {id}") }))
    ///     .map_rejection(|rejection: Rejection| {
    ///         let body = serde_json::json!({ "error": rejection.kind(), "message": rejection.message() });
    ///         (rejection.status(), Json(body))
    ///     });
    ///
    /// let response = app.oneshot(Request::get("/users/abc").body(()).unwrap()).await.unwrap();
    /// assert_eq!(response.status(), 400);
    /// assert_eq!(response.headers()["content-type"], "application/json");
    /// # }
    /// ```
    pub fn map_rejection<F, R>(self, map: F) -> Self
    where
        F: Fn(Rejection) -> R + Send + Sync + 'static,
        R: IntoResponse,
    {
        let hook = RejectionHook::new(map);
        self.set(|inner| inner.rejection_hook = Some(hook))
    }
}
