//! The cookie jars behind `serve` on a real socket, in a `Router<AppState>` whose state holds the
//! key: a signed cookie set by one request reads back on the next, one tampered with, signed by
//! another key or never signed is absent (the handler runs, no error page), a removal sends an
//! expired cookie, and a private cookie's value cannot be read in its header.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use http::header::{COOKIE, SET_COOKIE};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use silent_tower::extract::cookie::{
    Cookie, CookieJar, Key, PrivateCookieJar, SameSite, SignedCookieJar,
};
use silent_tower::extract::FromRef;
use silent_tower::prelude::*;

#[derive(Clone)]
struct AppState {
    key: Key,
    greeting: &'static str,
}

impl FromRef<AppState> for Key {
    fn from_ref(state: &AppState) -> Key {
        state.key.clone()
    }
}

async fn sign_in(jar: SignedCookieJar) -> (SignedCookieJar, &'static str) {
    let user = Cookie::build(("user", "ferris"))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax);
    (jar.add(user), "signed in")
}

async fn me(State(app): State<AppState>, jar: SignedCookieJar) -> String {
    match jar.get("user") {
        Some(user) => format!("{}, {}", app.greeting, user.value()),
        None => "nobody".to_owned(),
    }
}

async fn sign_out(jar: SignedCookieJar) -> (StatusCode, SignedCookieJar, &'static str) {
    (
        StatusCode::ACCEPTED,
        jar.remove(Cookie::build("user").path("/")),
        "signed out",
    )
}

async fn open_session(jar: PrivateCookieJar) -> (PrivateCookieJar, Redirect) {
    (
        jar.add(Cookie::new("session", "s3cr3t-token")),
        Redirect::to("/session"),
    )
}

async fn session(jar: PrivateCookieJar) -> String {
    jar.get("session")
        .map_or_else(|| "no session".to_owned(), |c| c.value().to_owned())
}

async fn theme(jar: CookieJar) -> String {
    jar.get("theme").map_or("light", Cookie::value).to_owned()
}

async fn start(key: Key) -> SocketAddr {
    let app = Router::new()
        .route("/sign-in", post(sign_in))
        .route("/me", get(me))
        .route("/sign-out", post(sign_out))
        .route("/session", post(open_session).get(session))
        .route("/theme", get(theme))
        .with_state(AppState {
            key,
            greeting: "hello",
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app).into_future());
    addr
}

struct Answer {
    status: StatusCode,
    set_cookies: Vec<String>,
    body: String,
}

impl Answer {
    /// The `name=value` pair of the one `Set-Cookie`, as a browser sends it back.
    fn cookie_pair(&self) -> String {
        assert_eq!(self.set_cookies.len(), 1, "{:?}", self.set_cookies);
        self.set_cookies[0].split(';').next().unwrap().to_owned()
    }
}

async fn send(addr: SocketAddr, method: Method, path: &str, cookie: Option<&str>) -> Answer {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let mut request = http::Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"));
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    let response = client
        .request(request.body(Empty::new()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let set_cookies = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        set_cookies,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

#[tokio::test]
async fn a_signed_cookie_set_by_one_request_reads_back_on_the_next() {
    let addr = start(Key::generate()).await;
    let signed_in = send(addr, Method::POST, "/sign-in", None).await;
    assert_eq!(signed_in.status, StatusCode::OK);
    assert_eq!(signed_in.body, "signed in");
    let set = &signed_in.set_cookies[0];
    assert!(
        set.ends_with("; HttpOnly; SameSite=Lax; Path=/"),
        "attributes as built: {set}"
    );
    // Signed, not hidden: the value is there, after the signature.
    let pair = signed_in.cookie_pair();
    assert!(
        pair.starts_with("user=") && pair.ends_with("ferris") && pair.len() > "user=ferris".len(),
        "{pair}"
    );

    let me = send(addr, Method::GET, "/me", Some(&pair)).await;
    assert_eq!(
        (me.status, me.body.as_str()),
        (StatusCode::OK, "hello, ferris")
    );
    assert!(me.set_cookies.is_empty(), "nothing changed, nothing set");
}

#[tokio::test]
async fn a_tampered_foreign_or_unsigned_cookie_is_absent_not_an_error() {
    let addr = start(Key::generate()).await;
    let pair = send(addr, Method::POST, "/sign-in", None)
        .await
        .cookie_pair();

    let tampered = pair.replace("ferris", "admin");
    let me = send(addr, Method::GET, "/me", Some(&tampered)).await;
    assert_eq!((me.status, me.body.as_str()), (StatusCode::OK, "nobody"));

    // Signed by another app's key: the same name and value, a signature that does not verify.
    let other = start(Key::generate()).await;
    let foreign = send(other, Method::POST, "/sign-in", None)
        .await
        .cookie_pair();
    assert_ne!(foreign, pair);
    let me = send(addr, Method::GET, "/me", Some(&foreign)).await;
    assert_eq!((me.status, me.body.as_str()), (StatusCode::OK, "nobody"));

    let me = send(addr, Method::GET, "/me", Some("user=ferris")).await;
    assert_eq!((me.status, me.body.as_str()), (StatusCode::OK, "nobody"));

    // The genuine one beside the others still reads.
    let both = format!("theme=dark; {pair}");
    let me = send(addr, Method::GET, "/me", Some(&both)).await;
    assert_eq!(me.body, "hello, ferris");
}

#[tokio::test]
async fn removal_sends_an_expired_cookie() {
    let addr = start(Key::generate()).await;
    let pair = send(addr, Method::POST, "/sign-in", None)
        .await
        .cookie_pair();
    let out = send(addr, Method::POST, "/sign-out", Some(&pair)).await;
    assert_eq!(
        (out.status, out.body.as_str()),
        (StatusCode::ACCEPTED, "signed out")
    );
    assert_eq!(out.set_cookies.len(), 1, "{:?}", out.set_cookies);
    let removal = Cookie::parse(out.set_cookies[0].clone()).unwrap();
    assert_eq!((removal.name(), removal.value()), ("user", ""));
    assert_eq!(removal.path(), Some("/"));
    assert!(removal.max_age().unwrap().is_zero(), "{removal}");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let expires = removal.expires_datetime().unwrap().unix_timestamp();
    assert!(expires < now, "expires {expires}, now {now}: {removal}");
}

#[tokio::test]
async fn a_private_cookies_value_is_not_readable_in_the_header() {
    let key = Key::generate();
    let addr = start(key.clone()).await;
    let opened = send(addr, Method::POST, "/session", None).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    let pair = opened.cookie_pair();
    let (name, value) = pair.split_once('=').unwrap();
    assert_eq!(name, "session");
    assert!(!value.contains("s3cr3t"), "the value shows: {value}");
    assert!(value.len() > "s3cr3t-token".len(), "{value}");

    let read = send(addr, Method::GET, "/session", Some(&pair)).await;
    assert_eq!(
        (read.status, read.body.as_str()),
        (StatusCode::OK, "s3cr3t-token")
    );

    // A byte changed in the ciphertext: it does not decrypt, so there is no session.
    let mut bytes = value.as_bytes().to_vec();
    bytes[10] = if bytes[10] == b'A' { b'B' } else { b'A' };
    let changed = format!("session={}", String::from_utf8(bytes).unwrap());
    let read = send(addr, Method::GET, "/session", Some(&changed)).await;
    assert_eq!(
        (read.status, read.body.as_str()),
        (StatusCode::OK, "no session")
    );

    // The same key outside the app decrypts it: the key is all it takes.
    let jar = PrivateCookieJar::<Key>::from_headers(
        &[(COOKIE, pair.parse().unwrap())].into_iter().collect(),
        key,
    );
    assert_eq!(jar.get("session").unwrap().value(), "s3cr3t-token");
}

#[tokio::test]
async fn a_plain_jar_reads_cookies_percent_decoded() {
    let addr = start(Key::generate()).await;
    let answer = send(addr, Method::GET, "/theme", Some("a=1; theme=dark%20blue")).await;
    assert_eq!(answer.body, "dark blue");
    let answer = send(addr, Method::GET, "/theme", None).await;
    assert_eq!(answer.body, "light");
}
