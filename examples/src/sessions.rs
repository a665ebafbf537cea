//! Sessions with tower-sessions: its `SessionManagerLayer` in front of the router, the `Session`
//! read by handlers as an extractor (feature `sessions`; `Extension<Session>` reads the same
//! value without it). `GET /counter` counts a client's requests; `POST /login` (form `user=…`)
//! remembers who logged in, `GET /me` answers it, `POST /logout` forgets it.
//!
//! The store is the app's argument: [`MemoryStore`] keeps sessions in this process;
//! [`redis_store`] keeps them in Redis, so that every instance of the app pointed at the same
//! Redis knows every session, wherever it was made.

use std::convert::Infallible;
use std::time::Duration;

use serde::Deserialize;
use silent_tower::extract::Form;
use silent_tower::prelude::*;
use tower::Layer;
use tower_sessions::{Session, SessionManagerLayer, SessionStore};
use tower_sessions_redis_store::fred::{
    self,
    prelude::{ClientLike, Config, PerformanceConfig, Pool, ReconnectPolicy},
};
use tower_sessions_redis_store::RedisStore;

pub use tower_sessions::MemoryStore;

/// The session key of the counter.
const COUNTER: &str = "counter";
/// The session key of the logged-in user's name.
const USER: &str = "user";

/// A session store that failed: `500`, its message logged, not sent.
#[derive(Debug)]
pub struct StoreError;

impl From<tower_sessions::session::Error> for StoreError {
    fn from(err: tower_sessions::session::Error) -> Self {
        tracing::error!(%err, "session store failed");
        StoreError
    }
}

impl IntoResponse for StoreError {
    fn into_response(self) -> Response {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "session store unavailable",
        )
            .into_response()
    }
}

/// `GET /counter`: how many times this session asked, this time included.
pub async fn counter(session: Session) -> Result<String, StoreError> {
    let count = session.get::<u64>(COUNTER).await?.unwrap_or(0) + 1;
    session.insert(COUNTER, count).await?;
    Ok(count.to_string())
}

/// The form `POST /login` takes.
#[derive(Deserialize)]
pub struct Login {
    /// Who logs in (a real app checks a password here).
    pub user: String,
}

/// `POST /login`: remembers the user in a session with a new id, so that an id known before
/// the login (planted by someone else, say) does not carry it.
pub async fn login(session: Session, Form(login): Form<Login>) -> Result<String, StoreError> {
    session.cycle_id().await?;
    session.insert(USER, &login.user).await?;
    Ok(format!("welcome, {}", login.user))
}

/// `GET /me`: who is logged in, or `401`.
pub async fn me(session: Session) -> Result<Response, StoreError> {
    Ok(match session.get::<String>(USER).await? {
        Some(user) => user.into_response(),
        None => (StatusCode::UNAUTHORIZED, "not logged in").into_response(),
    })
}

/// `POST /logout`: forgets the session, in the store and in the browser.
pub async fn logout(session: Session) -> Result<&'static str, StoreError> {
    session.flush().await?;
    Ok("bye")
}

/// The app, its sessions in `store`.
///
/// The cookie (`id`, `HttpOnly`, `SameSite=Strict`, `Path=/`) is not `Secure` here because the
/// example is served over plain HTTP; behind HTTPS keep tower-sessions' default
/// (`with_secure(true)`).
pub fn app<Store>(
    store: Store,
) -> impl Service<Request, Response = Response, Error = Infallible, Future = impl Send + 'static>
       + Clone
       + Send
       + Sync
       + 'static
where
    Store: SessionStore + Clone,
{
    let routes = Router::new()
        .route("/counter", get(counter))
        .route("/login", post(login))
        .route("/me", get(me))
        .route("/logout", post(logout));
    SessionManagerLayer::new(store)
        .with_secure(false)
        .layer(routes)
}

/// A session store in the Redis at `url` (`redis://127.0.0.1:6379/`), through a pool of two
/// connections, connected before it returns. Each instance of the app makes its own.
///
/// A command waits at most [`REDIS_TIMEOUT`] (fred waits forever by default): while Redis is
/// away, a request that needs its session answers `500` after that long instead of hanging,
/// and the pool reconnects in the background (every 100 ms to 2 s, without end).
pub async fn redis_store(url: &str) -> Result<RedisStore<Pool>, fred::error::Error> {
    let performance = PerformanceConfig {
        default_command_timeout: REDIS_TIMEOUT,
        ..PerformanceConfig::default()
    };
    let reconnect = ReconnectPolicy::new_exponential(0, 100, 2_000, 2);
    let pool = Pool::new(
        Config::from_url(url)?,
        Some(performance),
        None,
        Some(reconnect),
        2,
    )?;
    pool.init().await?;
    Ok(RedisStore::new(pool))
}

/// How long a session read or write waits for Redis.
pub const REDIS_TIMEOUT: Duration = Duration::from_secs(1);
