use silent_tower::extract::cookie::{Cookie, Key, SignedCookieJar};
use silent_tower::prelude::*;
use tokio::net::TcpListener;

async fn greet(jar: SignedCookieJar) -> String {
    match jar.get("name") {
        Some(cookie) => format!("hello again, {}", cookie.value()),
        None => "hello, stranger".to_owned(),
    }
}

async fn remember(jar: SignedCookieJar) -> (SignedCookieJar, &'static str) {
    let cookie = Cookie::build(("name", "ferris")).path("/").http_only(true);
    (jar.add(cookie), "remembered")
}

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    // The jar reads its key from the state. Made at start, as before: keep its bytes and
    // use `Key::from(&bytes)` for cookies that outlive a restart.
    let app = Router::new()
        .route("/", get(greet))
        .route("/remember", post(remember))
        .with_state(Key::generate());
    serve(listener, app).await
}
