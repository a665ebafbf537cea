//! [`PrivateCookieJar`]: cookies encrypted with the app's [`Key`]: neither readable nor forgeable
//! by the client.

use std::marker::PhantomData;

use http::HeaderMap;

use super::{cookies_from_headers, Cookie, Key};

/// A jar of cookies encrypted with a [`Key`] (AES-256-GCM, which authenticates too): the client
/// sees only ciphertext, and a value it changed, one encrypted with another key, or one never
/// encrypted does not decrypt, and is simply not in the jar — `get` gives `None`; no request is
/// refused for it. For a session id or anything else the client must not read.
///
/// As an extractor it takes the key from the router's state: `K: FromRef<S>` (and `Key` by
/// default), so a router whose state holds the key implements `FromRef<AppState> for Key`.
///
/// ```
/// use silent_tower_router::extract::cookie::{Cookie, Key, PrivateCookieJar};
/// use silent_tower_router::extract::FromRef;
/// use silent_tower_router::{get, post, Router};
///
/// #[derive(Clone)]
/// struct AppState {
///     key: Key,
/// }
///
/// impl FromRef<AppState> for Key {
///     fn from_ref(state: &AppState) -> Key {
///         state.key.clone()
///     }
/// }
///
/// async fn sign_in(jar: PrivateCookieJar) -> (PrivateCookieJar, &'static str) {
///     (jar.add(Cookie::new("session", "5f1d")), "signed in")
/// }
///
/// async fn me(jar: PrivateCookieJar) -> String {
///     match jar.get("session") {
///         Some(session) => format!("session {}", session.value()),
///         None => "who are you?".to_owned(),
///     }
/// }
///
/// let app: Router = Router::new()
///     .route("/sign-in", post(sign_in))
///     .route("/me", get(me))
///     .with_state(AppState { key: Key::generate() });
/// # let _ = app;
/// ```
pub struct PrivateCookieJar<K = Key> {
    jar: cookie::CookieJar,
    key: Key,
    // `fn() -> K`: the jar holds no `K`, so it is `Send` and `Sync` whatever `K` is.
    _key_type: PhantomData<fn() -> K>,
}

impl<K> PrivateCookieJar<K> {
    /// The cookies of `headers`' `Cookie` values that decrypt under `key`.
    pub fn from_headers(headers: &HeaderMap, key: Key) -> Self {
        let mut jar = cookie::CookieJar::new();
        let mut private = jar.private_mut(&key);
        for cookie in cookies_from_headers(headers) {
            if let Some(cookie) = private.decrypt(cookie) {
                private.add_original(cookie);
            }
        }
        PrivateCookieJar {
            jar,
            key,
            _key_type: PhantomData,
        }
    }

    /// An empty jar that encrypts with `key`.
    pub fn new(key: Key) -> Self {
        PrivateCookieJar {
            jar: cookie::CookieJar::new(),
            key,
            _key_type: PhantomData,
        }
    }

    /// The cookie named `name`, its value decrypted: `None` when there is none, or when it
    /// does not decrypt.
    pub fn get(&self, name: &str) -> Option<Cookie<'static>> {
        self.jar.private(&self.key).get(name)
    }

    /// Adds `cookie`, encrypted, replacing one of the same name: the response sets it.
    // axum-extra's name, kept: a jar is not a number, and `+` would not read as "set a cookie".
    #[allow(clippy::should_implement_trait)]
    #[must_use = "the jar is returned changed: return it from the handler to set the cookie"]
    pub fn add<C: Into<Cookie<'static>>>(mut self, cookie: C) -> Self {
        self.jar.private_mut(&self.key).add(cookie);
        self
    }

    /// Removes the cookie of `cookie`'s name: the response sends an expired, empty one in its
    /// place, with `cookie`'s path and domain.
    #[must_use = "the jar is returned changed: return it from the handler to remove the cookie"]
    pub fn remove<C: Into<Cookie<'static>>>(mut self, cookie: C) -> Self {
        self.jar.private_mut(&self.key).remove(cookie);
        self
    }

    /// `cookie` with its value decrypted, or `None` when it does not decrypt under this jar's
    /// key.
    pub fn decrypt(&self, cookie: Cookie<'static>) -> Option<Cookie<'static>> {
        self.jar.private(&self.key).decrypt(cookie)
    }

    /// Every cookie of the jar that decrypts, its value decrypted.
    pub fn iter(&self) -> impl Iterator<Item = Cookie<'static>> + '_ {
        self.jar.iter().filter_map(|cookie| self.get(cookie.name()))
    }
}

keyed_jar_traits!(PrivateCookieJar, "encrypted");
