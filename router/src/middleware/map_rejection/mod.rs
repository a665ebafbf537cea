//! [`MapRejectionLayer`]: one place that answers every rejection of an app in the app's own format.
//!
//! Every rejection — of an extractor, of [`ParamError`](crate::ParamError), of an extractor of
//! your own that rejects with a [`Rejection`](crate::extract::rejection::Rejection) — answers
//! with a plain-text response that carries the `Rejection` in its extensions. The layer looks at
//! a response only when its status is an error, takes the `Rejection` out, and answers with what
//! the function makes of it: the status stays the function's, the headers a layer below added
//! (`vary`, CORS, a request id) are kept, a `HEAD` request still gets no body. A handler's own
//! error response carries no `Rejection` and is passed on as it is.
//!
//! Put it around the whole router, as the last layer, and it maps the rejections of every route,
//! fallback and nested router below it, at no cost to a request that is not rejected: no
//! allocation, and its future is the router's with a word beside it.
//!
//! ```
//! use http::{Request, StatusCode};
//! use silent_tower_router::extract::{rejection::Rejection, Path};
//! use silent_tower_router::middleware::MapRejectionLayer;
//! use silent_tower_router::{get, Router};
//! use tower::{Layer, ServiceExt};
//!
//! // The app's error format, here `<kind>: <message>` (with the `json` feature, a `Json` body).
//! fn app_errors(rejection: Rejection) -> (StatusCode, String) {
//!     (rejection.status(), format!("{}: {}", rejection.kind(), rejection.message()))
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let router = Router::<(), ()>::with_body()
//!     .route("/users/{id}", get(|Path(id): Path<u64>| async move { format!("user {id}") }));
//! let app = MapRejectionLayer::new(app_errors).layer(router);
//!
//! let response = app.oneshot(Request::get("/users/abc").body(()).unwrap()).await.unwrap();
//! assert_eq!(response.status(), 400);
//! # }
//! ```
//!
//! Reading order: `layer`, `service`, `future`, then `apply` (the mapping itself, written once
//! for every function).

mod apply;
mod future;
mod layer;
mod service;

pub use future::MapRejectionFuture;
pub use layer::MapRejectionLayer;
pub use service::MapRejection;
