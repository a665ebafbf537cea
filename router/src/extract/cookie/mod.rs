//! Cookie jars, as axum-extra's (feature `cookie`, on the `cookie` crate): [`CookieJar`] for
//! plain cookies, [`SignedCookieJar`] for cookies the client can read but not forge,
//! [`PrivateCookieJar`] for cookies it can neither read nor forge.
//!
//! A jar is an extractor — it reads the request's `Cookie` headers — and a part of a response:
//! return it beside the body, `(jar, body)` or `(StatusCode, jar, body)`, and each cookie added
//! to it or removed from it since it was read becomes a `Set-Cookie` header (a removal is an
//! expired, empty cookie of that name). Jars are values: `add` and `remove` take the jar and give
//! it back changed, so a handler returns the jar it changed.
//!
//! The signed and private jars take their [`Key`] from the router's state through
//! [`FromRef`](super::FromRef): give the router a state that holds one, and implement
//! `FromRef<YourState> for Key` (a router whose state *is* the key needs nothing more). A cookie
//! whose signature does not verify under the key — changed by the client, signed by another key,
//! or never signed — is not in the jar: reading it gives `None`, never an error answer.
//!
//! ```
//! use silent_tower_router::extract::cookie::{Cookie, CookieJar};
//! use silent_tower_router::{get, post, Router};
//!
//! async fn greet(jar: CookieJar) -> String {
//!     match jar.get("name") {
//!         Some(cookie) => format!("hello again, {}", cookie.value()),
//!         None => "hello, stranger".to_owned(),
//!     }
//! }
//!
//! async fn remember(jar: CookieJar) -> (CookieJar, &'static str) {
//!     (jar.add(Cookie::new("name", "ferris")), "remembered")
//! }
//!
//! async fn forget(jar: CookieJar) -> (CookieJar, &'static str) {
//!     (jar.remove(Cookie::from("name")), "forgotten")
//! }
//!
//! let app: Router = Router::new()
//!     .route("/", get(greet))
//!     .route("/remember", post(remember))
//!     .route("/forget", post(forget));
//! # let _ = app;
//! ```

/// The traits the two keyed jars share word for word: `Clone`, a `Debug` that keeps the key out of
/// logs, the extractor (the key from state through `FromRef`) and the response parts.
macro_rules! keyed_jar_traits {
    ($jar:ident, $how:literal) => {
        impl<K> Clone for $jar<K> {
            fn clone(&self) -> Self {
                $jar {
                    jar: self.jar.clone(),
                    key: self.key.clone(),
                    _key_type: std::marker::PhantomData,
                }
            }
        }

        // The key stays out of logs.
        impl<K> std::fmt::Debug for $jar<K> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($jar))
                    .field("jar", &self.jar)
                    .field("key", &"<redacted>")
                    .finish()
            }
        }

        impl<S, K> $crate::extract::FromRequestParts<S> for $jar<K>
        where
            S: Sync,
            K: $crate::extract::FromRef<S> + Into<$crate::extract::cookie::Key>,
        {
            type Rejection = std::convert::Infallible;

            async fn from_request_parts(
                parts: &mut http::request::Parts,
                cx: &$crate::extract::RequestContext<S>,
            ) -> Result<Self, std::convert::Infallible> {
                let key = K::from_ref(cx.state()).into();
                Ok(Self::from_headers(&parts.headers, key))
            }
        }

        #[doc = concat!("A `Set-Cookie` for each cookie added (", $how, ") or removed since the jar was read, appended.")]
        impl<K> $crate::response::IntoResponseHeaders for $jar<K> {
            fn into_response_headers(
                self,
                headers: &mut http::HeaderMap,
            ) -> Result<(), $crate::response::InvalidHeader> {
                $crate::extract::cookie::set_cookies(&self.jar, headers)
            }
        }

        /// An empty `200` that sets the jar's cookies.
        impl<K> $crate::response::IntoResponse for $jar<K> {
            fn into_response(self) -> http::Response<$crate::body::Body> {
                $crate::response::IntoResponse::into_response((self, ()))
            }
        }
    };
}

mod private;
mod signed;

use std::convert::Infallible;

use http::header::{HeaderValue, COOKIE, SET_COOKIE};
use http::request::Parts;
use http::{HeaderMap, Response};

use super::{FromRequestParts, RequestContext};
use crate::body::Body;
use crate::response::{IntoResponse, IntoResponseHeaders, InvalidHeader};

/// A cookie: a name, a value, and the attributes a `Set-Cookie` carries (`Path`, `Domain`,
/// `Max-Age`, `Expires`, `Secure`, `HttpOnly`, `SameSite`). Build one with
/// `Cookie::new(name, value)` or, with attributes, `Cookie::build((name, value)).path("/")
/// .http_only(true)`.
pub use cookie::Cookie;
/// The `Expires` attribute of a [`Cookie`]: a date, or the end of the browser's session.
pub use cookie::Expiration;
/// The secret a [`SignedCookieJar`] signs with and a [`PrivateCookieJar`] encrypts with: 64
/// bytes of randomness, from `Key::generate()` or `Key::from(&bytes)` (keep the bytes to keep
/// cookies valid across restarts and instances; `Key::try_from` for bytes you did not check).
pub use cookie::Key;
/// The `SameSite` attribute of a [`Cookie`]: `Strict`, `Lax` or `None`.
pub use cookie::SameSite;
pub use private::PrivateCookieJar;
pub use signed::SignedCookieJar;

/// The request's cookies, read from its `Cookie` headers, and the cookies to set or remove in
/// the response.
///
/// As an extractor it never fails: a request without cookies gives an empty jar, and a cookie
/// that does not parse is left out. Names and values are read and written percent-encoded.
///
/// ```
/// use http::header::{COOKIE, SET_COOKIE};
/// use http::HeaderMap;
/// use silent_tower_router::extract::cookie::{Cookie, CookieJar};
/// use silent_tower_router::IntoResponse;
///
/// let mut headers = HeaderMap::new();
/// headers.insert(COOKIE, "theme=dark; lang=en".parse().unwrap());
/// let jar = CookieJar::from_headers(&headers);
/// assert_eq!(jar.get("theme").map(Cookie::value), Some("dark"));
///
/// let response = (jar.add(Cookie::new("lang", "fr")), "ok").into_response();
/// assert_eq!(response.headers()[SET_COOKIE], "lang=fr");
/// ```
#[derive(Debug, Clone, Default)]
pub struct CookieJar {
    jar: cookie::CookieJar,
}

impl CookieJar {
    /// The cookies of `headers`' `Cookie` values.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let mut jar = cookie::CookieJar::new();
        for cookie in cookies_from_headers(headers) {
            jar.add_original(cookie);
        }
        CookieJar { jar }
    }

    /// An empty jar: what a handler that only sets cookies can return.
    pub fn new() -> Self {
        Self::default()
    }

    /// The cookie named `name`, if the request sent one or it was added since.
    pub fn get(&self, name: &str) -> Option<&Cookie<'static>> {
        self.jar.get(name)
    }

    /// Adds `cookie`, replacing one of the same name: the response sets it.
    // axum-extra's name, kept: a jar is not a number, and `+` would not read as "set a cookie".
    #[allow(clippy::should_implement_trait)]
    #[must_use = "the jar is returned changed: return it from the handler to set the cookie"]
    pub fn add<C: Into<Cookie<'static>>>(mut self, cookie: C) -> Self {
        self.jar.add(cookie);
        self
    }

    /// Removes the cookie of `cookie`'s name: the response sends an expired, empty one in its
    /// place, with `cookie`'s path and domain — give the ones it was set with.
    #[must_use = "the jar is returned changed: return it from the handler to remove the cookie"]
    pub fn remove<C: Into<Cookie<'static>>>(mut self, cookie: C) -> Self {
        self.jar.remove(cookie);
        self
    }

    /// Every cookie in the jar.
    pub fn iter(&self) -> impl Iterator<Item = &Cookie<'static>> {
        self.jar.iter()
    }
}

impl<S: Sync> FromRequestParts<S> for CookieJar {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &RequestContext<S>,
    ) -> Result<Self, Infallible> {
        Ok(Self::from_headers(&parts.headers))
    }
}

/// A `Set-Cookie` for each cookie added or removed since the jar was read, appended.
impl IntoResponseHeaders for CookieJar {
    fn into_response_headers(self, headers: &mut HeaderMap) -> Result<(), InvalidHeader> {
        set_cookies(&self.jar, headers)
    }
}

/// An empty `200` that sets the jar's cookies.
impl IntoResponse for CookieJar {
    fn into_response(self) -> Response<Body> {
        (self, ()).into_response()
    }
}

/// Each cookie of the `Cookie` headers (`a=1; b=2`, in one header or several); one that does
/// not parse is left out.
fn cookies_from_headers(headers: &HeaderMap) -> impl Iterator<Item = Cookie<'static>> + '_ {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|cookie| Cookie::parse_encoded(cookie.trim().to_owned()).ok())
}

/// Appends a `Set-Cookie` for each cookie of `jar`'s delta: added, or removed (as an expired
/// cookie). A cookie whose attributes cannot be a header value (a control character in its
/// path, say) makes the answer a `500` naming `set-cookie`.
fn set_cookies(jar: &cookie::CookieJar, headers: &mut HeaderMap) -> Result<(), InvalidHeader> {
    for cookie in jar.delta() {
        let value = HeaderValue::try_from(cookie.encoded().to_string())
            .map_err(|_| InvalidHeader::value(SET_COOKIE))?;
        headers.append(SET_COOKIE, value);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
