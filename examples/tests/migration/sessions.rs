use silent_tower::prelude::*;
use tokio::net::TcpListener;
use tower::Layer;
use tower_sessions::{MemoryStore, Session, SessionManagerLayer};

async fn counter(session: Session) -> Result<String, StatusCode> {
    let failed = |_| StatusCode::INTERNAL_SERVER_ERROR;
    let count = session.get::<u64>("counter").await.map_err(failed)?;
    let count = count.unwrap_or(0) + 1;
    session.insert("counter", count).await.map_err(failed)?;
    Ok(count.to_string())
}

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    let app = Router::new().route("/counter", get(counter));
    // One store for the whole server. The cookie is `Secure` unless told otherwise: this
    // app is served over plain HTTP; behind HTTPS, leave out `with_secure(false)`.
    let sessions = SessionManagerLayer::new(MemoryStore::default()).with_secure(false);
    serve(listener, sessions.layer(app)).await
}
