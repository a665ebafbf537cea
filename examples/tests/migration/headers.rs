use silent_tower::extract::{FromRequestParts, RequestContext};
use silent_tower::http::header::USER_AGENT;
use silent_tower::http::request::Parts;
use silent_tower::prelude::*;
use tokio::net::TcpListener;

/// A header read from the whole map: absent or not text, the handler decides.
async fn agent(headers: HeaderMap) -> String {
    let agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    format!("you use {}", agent.unwrap_or("something unnamed"))
}

/// A header as an extractor of its own: the handler runs only when it is there.
pub struct UserAgent(String);

impl<S: Sync> FromRequestParts<S> for UserAgent {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(
        parts: &mut Parts,
        _: &RequestContext<S>,
    ) -> Result<Self, Self::Rejection> {
        match parts.headers.get(USER_AGENT).map(|v| v.to_str()) {
            Some(Ok(agent)) => Ok(UserAgent(agent.to_owned())),
            _ => Err((StatusCode::BAD_REQUEST, "missing header `user-agent`")),
        }
    }
}

async fn strict(UserAgent(agent): UserAgent) -> String {
    format!("you use {agent}")
}

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    let app = Router::new()
        .route("/agent", get(agent))
        .route("/strict", get(strict));
    serve(listener, app).await
}
