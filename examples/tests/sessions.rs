//! The sessions example on a real socket, its sessions in memory: a client that keeps its
//! cookie, as a browser does, counts across requests, logs in and out.

#[path = "support/cookie_client.rs"]
mod cookie_client;

use std::future::IntoFuture;
use std::net::SocketAddr;

use cookie::{Cookie, SameSite};
use cookie_client::CookieClient;
use silent_tower::http::{header, StatusCode};
use silent_tower_examples::sessions::{self, MemoryStore};

async fn start() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = sessions::app(MemoryStore::default());
    tokio::spawn(silent_tower::serve(listener, app).into_future());
    addr
}

#[tokio::test]
async fn the_counter_counts_across_requests_per_client() {
    let addr = start().await;
    let mut alice = CookieClient::new();
    let (status, headers, body) = alice.get(addr, "/counter").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "1");
    // The session cookie: tower-sessions' name and defaults, not `Secure` over plain HTTP.
    let cookie = Cookie::parse(headers[header::SET_COOKIE].to_str().unwrap()).unwrap();
    assert_eq!(cookie.name(), "id");
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(cookie.same_site(), Some(SameSite::Strict));
    assert_eq!(cookie.path(), Some("/"));
    assert_eq!(cookie.secure(), None);
    let id = alice.cookies["id"].clone();

    for expected in ["2", "3", "4"] {
        let (status, _, body) = alice.get(addr, "/counter").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, expected);
    }
    assert_eq!(alice.cookies["id"], id, "the session keeps its id");

    // Another client has a session, and a count, of its own.
    let mut bob = CookieClient::new();
    let (_, _, body) = bob.get(addr, "/counter").await;
    assert_eq!(body, "1");
    assert_ne!(bob.cookies["id"], id);
    let (_, _, body) = alice.get(addr, "/counter").await;
    assert_eq!(body, "5");
}

#[tokio::test]
async fn an_unknown_or_forged_session_id_starts_a_new_session() {
    let addr = start().await;
    let mut client = CookieClient::new();
    client.get(addr, "/counter").await;
    client.get(addr, "/counter").await;
    for forged in ["garbage", "AAAAAAAAAAAAAAAAAAAAAA", ""] {
        let mut stranger = CookieClient::new();
        stranger.cookies.insert("id".into(), forged.into());
        let (status, _, body) = stranger.get(addr, "/counter").await;
        assert_eq!(status, StatusCode::OK, "id={forged}");
        assert_eq!(body, "1", "id={forged}");
        assert_ne!(stranger.cookies["id"], forged);
        assert_ne!(stranger.cookies["id"], client.cookies["id"]);
    }
}

#[tokio::test]
async fn login_is_remembered_under_a_new_id_until_logout() {
    let addr = start().await;
    let mut client = CookieClient::new();
    let (status, _, body) = client.get(addr, "/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, "not logged in");

    client.get(addr, "/counter").await;
    let before_login = client.cookies["id"].clone();
    let (status, _, body) = client.post_form(addr, "/login", "user=ferris").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "welcome, ferris");
    assert_ne!(
        client.cookies["id"], before_login,
        "login moves the session to a new id"
    );

    let (status, _, body) = client.get(addr, "/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "ferris");
    // What the session held before the login is kept under the new id.
    let (_, _, body) = client.get(addr, "/counter").await;
    assert_eq!(body, "2");

    // The id from before the login no longer opens the session.
    let mut planted = CookieClient::new();
    planted.cookies.insert("id".into(), before_login);
    let (status, _, _) = planted.get(addr, "/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, headers, body) = client.post_form(addr, "/logout", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "bye");
    let removal = Cookie::parse(headers[header::SET_COOKIE].to_str().unwrap()).unwrap();
    assert_eq!(removal.max_age(), Some(cookie::time::Duration::ZERO));
    assert!(client.cookies.is_empty());
    let (status, _, _) = client.get(addr, "/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_login_form_without_a_user_is_422() {
    let addr = start().await;
    let mut client = CookieClient::new();
    let (status, _, body) = client.post_form(addr, "/login", "name=ferris").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("user"), "{body}");
}

/// The `Session` extractor without `SessionManagerLayer` in front: `500`, naming what is missing.
#[tokio::test]
async fn without_the_layer_the_session_extractor_answers_500() {
    use silent_tower::{get, Router};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app: Router = Router::new().route("/counter", get(sessions::counter));
    tokio::spawn(silent_tower::serve(listener, app).into_future());
    let (status, headers, body) = CookieClient::new().get(addr, "/counter").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        body,
        "missing request extension `tower_sessions_core::session::Session`: is the layer that \
         adds it in place?"
    );
    assert!(headers.get(header::SET_COOKIE).is_none());
}
