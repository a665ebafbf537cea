//! [`SignedCookieJar`]: cookies signed with the app's [`Key`]: readable by the client, not forgeable.

use std::marker::PhantomData;

use http::HeaderMap;

use super::{cookies_from_headers, Cookie, Key};

/// A jar of cookies signed with a [`Key`] (HMAC-SHA256): the client sees each value, but a
/// value it changed, one signed with another key, or one never signed does not verify, and is
/// simply not in the jar — `get` gives `None`; no request is refused for it.
///
/// As an extractor it takes the key from the router's state: `K: FromRef<S>` (and `Key` by
/// default), so a router whose state holds the key implements `FromRef<AppState> for Key`.
///
/// ```
/// use silent_tower_router::extract::cookie::{Cookie, Key, SignedCookieJar};
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
/// async fn sign_in(jar: SignedCookieJar) -> (SignedCookieJar, &'static str) {
///     (jar.add(Cookie::new("user", "ferris")), "signed in")
/// }
///
/// async fn me(jar: SignedCookieJar) -> String {
///     match jar.get("user") {
///         Some(user) => format!("you are {}", user.value()),
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
pub struct SignedCookieJar<K = Key> {
    jar: cookie::CookieJar,
    key: Key,
    // `fn() -> K`: the jar holds no `K`, so it is `Send` and `Sync` whatever `K` is.
    _key_type: PhantomData<fn() -> K>,
}

impl<K> SignedCookieJar<K> {
    /// The cookies of `headers`' `Cookie` values that verify under `key`.
    pub fn from_headers(headers: &HeaderMap, key: Key) -> Self {
        let mut jar = cookie::CookieJar::new();
        let mut signed = jar.signed_mut(&key);
        for cookie in cookies_from_headers(headers) {
            if let Some(cookie) = signed.verify(cookie) {
                signed.add_original(cookie);
            }
        }
        SignedCookieJar {
            jar,
            key,
            _key_type: PhantomData,
        }
    }

    /// An empty jar that signs with `key`.
    pub fn new(key: Key) -> Self {
        SignedCookieJar {
            jar: cookie::CookieJar::new(),
            key,
            _key_type: PhantomData,
        }
    }

    /// The cookie named `name`, its value verified: `None` when there is none, or when its
    /// signature does not verify.
    pub fn get(&self, name: &str) -> Option<Cookie<'static>> {
        self.jar.signed(&self.key).get(name)
    }

    /// Adds `cookie`, signed, replacing one of the same name: the response sets it.
    // axum-extra's name, kept: a jar is not a number, and `+` would not read as "set a cookie".
    #[allow(clippy::should_implement_trait)]
    #[must_use = "the jar is returned changed: return it from the handler to set the cookie"]
    pub fn add<C: Into<Cookie<'static>>>(mut self, cookie: C) -> Self {
        self.jar.signed_mut(&self.key).add(cookie);
        self
    }

    /// Removes the cookie of `cookie`'s name: the response sends an expired, empty one in its
    /// place, with `cookie`'s path and domain.
    #[must_use = "the jar is returned changed: return it from the handler to remove the cookie"]
    pub fn remove<C: Into<Cookie<'static>>>(mut self, cookie: C) -> Self {
        self.jar.signed_mut(&self.key).remove(cookie);
        self
    }

    /// `cookie` with its value verified and the signature taken off, or `None` when it does
    /// not verify under this jar's key.
    pub fn verify(&self, cookie: Cookie<'static>) -> Option<Cookie<'static>> {
        self.jar.signed(&self.key).verify(cookie)
    }

    /// Every cookie of the jar that verifies, its value verified.
    pub fn iter(&self) -> impl Iterator<Item = Cookie<'static>> + '_ {
        self.jar.iter().filter_map(|cookie| self.get(cookie.name()))
    }
}

keyed_jar_traits!(SignedCookieJar, "signed");
