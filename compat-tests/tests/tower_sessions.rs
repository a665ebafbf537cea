//! tower-sessions 0.14 with our `Router`: its `SessionManagerLayer` around the whole router (as
//! a `ServiceBuilder` layer) or inside it (`Router::layer`), the `Session` read through
//! `Extension<Session>` at any nesting depth, one store shared with an axum app, and the answer
//! when the layer is missing — each over a real socket.

use std::net::SocketAddr;

use http::{header, Request, StatusCode};
use http_body_util::Full;
use silent_tower::extract::Extension;
use silent_tower::{get, Router};
use silent_tower_compat_tests::{fetch, http1_client, serve_on_loopback, HttpClient, Reply};
use tower::ServiceBuilder;
use tower_sessions::{MemoryStore, Session, SessionManagerLayer};

/// `GET path` carrying `cookie` (an `id=…` pair) when given.
async fn get_with(
    client: &HttpClient,
    addr: SocketAddr,
    path: &str,
    cookie: Option<&str>,
) -> Reply {
    let mut request = Request::get(format!("http://{addr}{path}"));
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    fetch(client, request.body(Full::default()).unwrap()).await
}

/// The `id=…` pair of the session cookie a reply set.
fn session_cookie(reply: &Reply) -> String {
    let set_cookie = reply.header("set-cookie");
    let pair = set_cookie.split(';').next().unwrap();
    assert!(pair.starts_with("id="), "{set_cookie}");
    pair.to_owned()
}

/// Counts the session's visits.
async fn visits(Extension(session): Extension<Session>) -> String {
    let visits = session.get::<u32>("visits").await.unwrap().unwrap_or(0) + 1;
    session.insert("visits", visits).await.unwrap();
    visits.to_string()
}

/// Asks `path` three times with the cookie the first answer set: `1`, `2`, `3`.
async fn counts_across_requests(addr: SocketAddr, path: &str) {
    let client = http1_client();
    let first = get_with(&client, addr, path, None).await;
    assert_eq!(first.status, StatusCode::OK, "{path}");
    assert_eq!(first.text(), "1");
    let cookie = session_cookie(&first);
    for expected in ["2", "3"] {
        let reply = get_with(&client, addr, path, Some(&cookie)).await;
        assert_eq!(reply.text(), expected, "{path}");
    }
}

#[tokio::test]
async fn the_layer_around_the_whole_router_through_service_builder() {
    let api = Router::new().route("/visits", get(visits));
    let app = Router::new()
        .route("/visits", get(visits))
        .nest("/api", Router::new().nest("/v1", api));
    let app = ServiceBuilder::new()
        .layer(SessionManagerLayer::new(MemoryStore::default()).with_secure(false))
        .service(app);
    let addr = serve_on_loopback(app).await;
    counts_across_requests(addr, "/visits").await;
    counts_across_requests(addr, "/api/v1/visits").await;
}

#[tokio::test]
async fn the_layer_inside_the_router_with_router_layer() {
    let app: Router = Router::new()
        .route("/visits", get(visits))
        .layer(SessionManagerLayer::new(MemoryStore::default()).with_secure(false))
        // Added after the layer: not wrapped by it, so no session.
        .route("/bare", get(visits));
    let addr = serve_on_loopback(app).await;
    counts_across_requests(addr, "/visits").await;

    let reply = get_with(&http1_client(), addr, "/bare", None).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        reply.text(),
        "missing request extension `tower_sessions_core::session::Session`: is the layer that \
         adds it in place?"
    );
    assert!(reply.headers.get(header::SET_COOKIE).is_none());
}

/// One store behind an axum app and ours: a session made by one is read by the other, so an app
/// can move from axum route by route.
#[tokio::test]
async fn one_store_shared_with_an_axum_app() {
    let store = MemoryStore::default();
    let axum_app = axum::Router::new()
        .route(
            "/login",
            axum::routing::get(
                |axum::Extension(session): axum::Extension<Session>| async move {
                    session.insert("user", "ferris").await.unwrap();
                    "logged in by axum"
                },
            ),
        )
        .layer(SessionManagerLayer::new(store.clone()).with_secure(false));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let axum_addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, axum_app).await });

    let ours = Router::new().route(
        "/me",
        get(|Extension(session): Extension<Session>| async move {
            session
                .get::<String>("user")
                .await
                .unwrap()
                .unwrap_or_else(|| "nobody".to_owned())
        }),
    );
    let ours = ServiceBuilder::new()
        .layer(SessionManagerLayer::new(store).with_secure(false))
        .service(ours);
    let addr = serve_on_loopback(ours).await;

    let client = http1_client();
    let login = get_with(&client, axum_addr, "/login", None).await;
    assert_eq!(login.text(), "logged in by axum");
    let cookie = session_cookie(&login);
    let me = get_with(&client, addr, "/me", Some(&cookie)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.text(), "ferris");
    let me = get_with(&client, addr, "/me", None).await;
    assert_eq!(me.text(), "nobody");
}
