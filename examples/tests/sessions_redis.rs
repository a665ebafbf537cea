//! The sessions example beyond one instance: two servers on loopback, each with its own router
//! and its own Redis store object (its own connections), share sessions through one real
//! `redis-server` — a login on one is seen on the other, and a logout on either ends it on both.
//!
//! The test starts `redis-server` (Debian's `redis-server` package, which `.ci/test` installs)
//! on a free loopback port, without persistence, and kills it when it ends; without one it
//! fails, naming the package.

#[path = "support/cookie_client.rs"]
mod cookie_client;
#[path = "../../layers/tests/support/redis_server.rs"]
mod redis_server;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use cookie_client::CookieClient;
use redis_server::RedisServer;
use silent_tower::http::StatusCode;
use silent_tower_examples::sessions;

/// One instance of the app: its own listener, router and store, pointed at `redis_url`.
async fn instance(redis_url: &str) -> SocketAddr {
    let store = sessions::redis_store(redis_url).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(silent_tower::serve(listener, sessions::app(store)).into_future());
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_on_one_instance_is_seen_on_the_other() {
    let redis = RedisServer::start();
    let a = instance(&redis.url()).await;
    let b = instance(&redis.url()).await;
    let mut client = CookieClient::new();

    let (status, _, _) = client.get(b, "/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, body) = client.post_form(a, "/login", "user=ferris").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "welcome, ferris");

    let (status, _, body) = client.get(b, "/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "ferris");

    // One counter, wherever the request lands.
    for (instance, expected) in [(a, "1"), (b, "2"), (a, "3"), (b, "4")] {
        let (status, _, body) = client.get(instance, "/counter").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, expected);
    }

    // A client that never logged in is a stranger on both.
    let mut stranger = CookieClient::new();
    let (status, _, _) = stranger.get(a, "/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The session id is the only thing the two instances share with the client: a logout on
    // `b` ends the session for `a` too, even for a copy of the cookie kept from before.
    let stolen = client.cookies.clone();
    let (status, _, _) = client.post_form(b, "/logout", "").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = client.get(a, "/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let mut replay = CookieClient::new();
    replay.cookies = stolen;
    let (status, _, _) = replay.get(a, "/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_going_away_is_a_500_within_the_timeout_and_its_return_heals() {
    let mut redis = RedisServer::start();
    let a = instance(&redis.url()).await;
    let mut client = CookieClient::new();
    let (_, _, body) = client.get(a, "/counter").await;
    assert_eq!(body, "1");

    redis.stop();
    let started = Instant::now();
    let (status, _, body) =
        tokio::time::timeout(Duration::from_secs(10), client.get(a, "/counter"))
            .await
            .expect("an answer while Redis is down");
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body, "session store unavailable");
    assert!(
        started.elapsed() < sessions::REDIS_TIMEOUT * 3,
        "answered after {:?}",
        started.elapsed()
    );

    // A new Redis on the same port, empty (no persistence): the pool reconnects by itself and the
    // old cookie names a session that no longer exists, so the count starts again.
    let _redis = RedisServer::start_on(redis.port());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, _, body) = client.get(a, "/counter").await;
        if status == StatusCode::OK {
            assert_eq!(body, "1");
            break;
        }
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(Instant::now() < deadline, "no reconnection within 10 s");
    }
}
