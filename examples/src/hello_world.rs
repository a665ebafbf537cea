//! `GET /` answers `Hello, World!`; `GET /users/<id:i64>?fields=...` answers JSON built from the
//! typed path parameter and the query.

use std::convert::Infallible;

use serde::Serialize;
use silent_tower::prelude::*;
use tower_service::Service;

/// The JSON `GET /users/<id>` answers with.
#[derive(Debug, Serialize)]
pub struct User {
    /// The `id` path parameter, parsed as an `i64` by the router.
    pub id: i64,
    /// The `fields` query parameter, if given.
    pub fields: Option<String>,
}

/// `GET /`: 13 bytes of `text/plain`.
pub async fn hello() -> &'static str {
    "Hello, World!"
}

/// `GET /users/<id:i64>`: the user as JSON.
pub async fn user(req: Request) -> Result<Json<User>, ParamError> {
    Ok(Json(User {
        id: req.param("id")?,
        fields: req.query_param("fields").map(|fields| fields.into_owned()),
    }))
}

/// The hello-world app.
pub fn app(
) -> impl Service<Request, Response = Response, Error = Infallible, Future = impl Send + 'static>
       + Clone
       + Send
       + Sync
       + 'static {
    Router::new()
        .route("/", get(hello))
        .route("/users/<id:i64>", get(user))
}
