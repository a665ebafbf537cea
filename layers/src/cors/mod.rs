//! Cross-Origin Resource Sharing: which other origins' pages may read your responses.
//!
//! A browser lets a page from `https://app.example` read a response from `https://api.example`
//! only if the response says so in `Access-Control-*` headers; before a request a plain form
//! could not have sent (a `PUT`, a JSON body, an `Authorization` header) it first asks with a
//! *preflight* `OPTIONS` request. [`CorsLayer`] answers preflights itself and adds the headers to
//! the inner service's other responses, as the
//! [Fetch standard](https://fetch.spec.whatwg.org/#http-cors-protocol) describes.
//!
//! The builder keeps silent's names and input forms: [`origin`](CorsLayer::origin),
//! [`methods`](CorsLayer::methods), [`headers`](CorsLayer::headers),
//! [`credentials`](CorsLayer::credentials), [`max_age`](CorsLayer::max_age) and
//! [`expose`](CorsLayer::expose) take `"*"`, comma-separated strings, arrays and `Vec`s (see
//! [`TryIntoCors`]).
//!
//! # Example
//!
//! ```
//! use std::convert::Infallible;
//!
//! use bytes::Bytes;
//! use http::{header, Method, Request, Response, StatusCode};
//! use http_body_util::Full;
//! use silent_tower_layers::cors::CorsLayer;
//! use tower::{service_fn, ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let cors = CorsLayer::new()
//!     .origin("https://app.example,https://admin.example")
//!     .methods([Method::GET, Method::PUT])
//!     .headers("content-type,authorization")
//!     .credentials(true)
//!     .max_age(600);
//! let api = ServiceBuilder::new().layer(cors).service(service_fn(|_: Request<()>| async {
//!     Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"{\"id\":7}"))))
//! }));
//!
//! // The browser asks first; the layer answers without calling the handler.
//! let preflight = Request::options("/items/7")
//!     .header(header::ORIGIN, "https://app.example")
//!     .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
//!     .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
//!     .body(())
//!     .unwrap();
//! let answer = api.clone().oneshot(preflight).await.unwrap();
//! assert_eq!(answer.status(), StatusCode::NO_CONTENT);
//! let h = answer.headers();
//! assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://app.example");
//! assert_eq!(h[header::ACCESS_CONTROL_ALLOW_METHODS], "GET, PUT");
//! assert_eq!(h[header::ACCESS_CONTROL_ALLOW_HEADERS], "content-type, authorization");
//! assert_eq!(h[header::ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
//! assert_eq!(h[header::ACCESS_CONTROL_MAX_AGE], "600");
//!
//! // Then sends the request itself; the handler's response gets the headers.
//! let put = Request::put("/items/7")
//!     .header(header::ORIGIN, "https://app.example")
//!     .body(())
//!     .unwrap();
//! let response = api.clone().oneshot(put).await.unwrap();
//! assert_eq!(response.status(), StatusCode::OK);
//! assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://app.example");
//! assert_eq!(response.headers()[header::VARY], "origin");
//!
//! // A page from elsewhere gets the response, but no permission to read it.
//! let foreign = Request::get("/items/7")
//!     .header(header::ORIGIN, "https://evil.example")
//!     .body(())
//!     .unwrap();
//! let response = api.oneshot(foreign).await.unwrap();
//! assert_eq!(response.status(), StatusCode::OK);
//! assert!(!response.headers().contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
//! assert_eq!(response.headers()[header::VARY], "origin");
//! # }
//! ```
//!
//! # What the layer answers
//!
//! A *preflight* is an `OPTIONS` request with both `Origin` and `Access-Control-Request-Method`;
//! an `OPTIONS` without `Access-Control-Request-Method` is an ordinary request and reaches the
//! inner service.
//!
//! | request | origin, method, headers | response |
//! |---|---|---|
//! | preflight | allowed | `204` from the layer, inner service not called: `Access-Control-Allow-Origin`, `-Allow-Credentials`¹, `-Allow-Methods`², `-Allow-Headers`², `-Max-Age`¹, `-Allow-Private-Network`³, `Vary`⁴ |
//! | preflight | any of them not allowed | `204` with only `Vary`⁴, so the browser fails it (`403` under [`reject_disallowed`](CorsLayer::reject_disallowed)); inner service not called |
//! | other, with `Origin` | allowed | the inner response, all its headers kept, plus `Access-Control-Allow-Origin`, `-Allow-Credentials`¹, `-Expose-Headers`¹, `Vary: origin`⁵ |
//! | other, with `Origin` | not allowed | the inner response plus `Vary: origin`⁵ only (`403` with an empty body and `Vary: origin`, inner service not called, under `reject_disallowed`) |
//! | other, no `Origin` | – | the inner response plus `Vary: origin`⁵ only; under origin `*`, the same headers as an allowed origin gets (`Access-Control-Allow-Origin: *`, `-Expose-Headers`¹) and no `Vary`⁶ |
//!
//! 1. When configured.
//! 2. When configured and not empty. The safelisted methods `GET`, `HEAD` and `POST` are always
//!    allowed, as browsers never ask about them.
//! 3. When [`private_network(true)`](CorsLayer::private_network) and the preflight carries
//!    `Access-Control-Request-Private-Network: true` (Private Network Access).
//! 4. `origin, access-control-request-method, access-control-request-headers`, plus
//!    `access-control-request-private-network` with `private_network(true)`, on every preflight
//!    answer, including refusals and requests lacking those headers: the answer depends on them.
//!    `origin` is left out when the origin setting is `*`.
//! 5. Whenever the answer depends on the origin, which is every configuration except origin `*`
//!    (which is never combined with credentials) — on refusals and on requests without `Origin`
//!    too, so a shared cache never hands one origin's answer to another. It is appended to the
//!    inner response's own `Vary`, unless that already lists `origin` or `*`.
//! 6. As the Fetch standard asks of a resource that allows `*` ("CORS protocol and HTTP
//!    caches"): the answer is then the same with or without `Origin`, so a shared cache may
//!    hand a response stored for a plain request to a cross-origin one, and needs no `Vary`.
//!
//! The values sent:
//!
//! | setting | header | without credentials | with `credentials(true)` |
//! |---|---|---|---|
//! | `origin("*")` | `Access-Control-Allow-Origin` | `*` | refused when built |
//! | `origin("https://a.example,…")`, `origin_predicate(..)` | `Access-Control-Allow-Origin` | the request's `Origin` | the same |
//! | `methods("*")` | `Access-Control-Allow-Methods` | `*` | the request's `Access-Control-Request-Method`, if it is a token⁷ |
//! | `methods("GET,POST")` | `Access-Control-Allow-Methods` | `GET, POST` | the same |
//! | `headers("*")` | `Access-Control-Allow-Headers` | `*` (which does not cover `Authorization`⁸) | the request's `Access-Control-Request-Headers`, every line, if they list only tokens⁷ |
//! | `headers("Content-Type,X-Key")` | `Access-Control-Allow-Headers` | `content-type, x-key` | the same |
//! | `expose("*")` | `Access-Control-Expose-Headers` | `*` | refused when built |
//! | `expose("x-total,x-page")` | `Access-Control-Expose-Headers` | `x-total, x-page` | the same |
//! | `max_age(600)` | `Access-Control-Max-Age` | `600` | the same |
//!
//! Under credentials a literal `*` is read by browsers as a name, not a wildcard, so `*` methods
//! and headers are answered by echoing what the preflight asked for. Exposed headers cannot be
//! echoed — nothing in the request names them — hence the refusal.
//!
//! 7. An RFC 9110 `token` (letters, digits and ``!#$%&'*+-.^_`|~``); the headers as a
//!    comma-separated list of tokens with optional whitespace, read from every
//!    `Access-Control-Request-Headers` line (several lines are joined with `,` into the one
//!    value echoed). Anything else — a `;`, a quote, a space inside a name — refuses the
//!    preflight, as a disallowed header does: bytes the client chose are never copied into an
//!    answer unchecked.
//! 8. Per the Fetch standard, `Access-Control-Allow-Headers: *` never covers `Authorization`;
//!    list it by name (`.headers("authorization,content-type")`) if clients send it. Chromium
//!    nevertheless still lets a non-credentialed request carry `Authorization` under `*`, with
//!    only a deprecation warning in the console: a page that works in Chromium this way can
//!    fail in a browser that follows the standard, so do not rely on it.
//!
//! # Preflights that ask for too much
//!
//! A preflight's `Access-Control-Request-Headers` is read once, each name looked up by binary
//! search in the configured names (sorted when the layer is built), and only within two bounds:
//! at most [`MAX_REQUESTED_HEADERS`] (64) names and [`MAX_REQUESTED_HEADERS_BYTES`] (8 KiB)
//! over all its lines. A preflight over either bound is refused like one asking for a
//! disallowed header — no allow headers — whatever the names, so a request repeating an allowed
//! name a hundred thousand times costs a length check, not a hundred thousand lookups. Browsers
//! send each non-safelisted header name once; real pages stay far below both bounds. Under
//! `headers("*")` without credentials the answer is `*`, and the list is not read at all.
//!
//! A new `CorsLayer` allows nothing: no origin, only the safelisted methods, no request headers.
//!
//! # Disallowed origins get no headers, not a `403`
//!
//! silent's `Cors` answered a disallowed origin with `403 Forbidden`. This layer, like the Fetch
//! standard and tower-http, lets the request through and leaves the CORS headers off; the browser
//! then keeps the response from the page. [`reject_disallowed`](CorsLayer::reject_disallowed)
//! brings silent's `403` back. Why not by default:
//!
//! - CORS is a browser's read permission, not access control: curl, servers and other non-browser
//!   clients never send preflights and ignore the headers, so a `403` protects nothing from them.
//! - Browsers send `Origin` on same-origin requests too (`POST`, `PUT`, `DELETE`, `fetch` with
//!   `mode: "cors"`). A `403` default breaks the site's own forms unless the site lists itself.
//! - To the page, a refused read looks the same either way: a network error with no details. A
//!   `403` only changes what the server does, and a handler that must not run for foreign origins
//!   (CSRF protection) deserves its own explicit check — which `reject_disallowed` then is.
//!
//! # When the configuration is checked
//!
//! In the builder methods themselves: each one parses its argument, builds the header values the
//! service will send, and checks the whole configuration for contradictions such as origin `*`
//! with credentials, in whatever order the methods are called. Origins a browser never sends —
//! `https://a.example:443` (browsers leave out the default port), `https://user@a.example`,
//! `https://*.example.com` (not a wildcard: see [`AllowOrigin`]'s "Subdomains"), `a..example`,
//! ports that are empty, zero-padded or above 65535, and every other spelling of an origin than
//! the one browsers serialize (`HTTPS://A.EXAMPLE`, `http://127.1`, `https://[0:0:0:0:0:0:0:1]`,
//! `https://a%2eexample`, a scheme other than `http` or `https`) — are refused with a message
//! that says what to write instead (see [`AllowOrigin`]'s "Listed origins").
//!
//! A listed `null` with [`credentials(true)`](CorsLayer::credentials) is refused too: sandboxed
//! iframes, `data:` URLs and local files of *every* site send `Origin: null`, so that pairing
//! would let all of them read credentialed responses. Code that truly needs it says so with an
//! [`origin_predicate`](CorsLayer::origin_predicate) that returns `true` for `null`. So a `CorsLayer` you hold is always
//! valid; [`Layer::layer`] only clones an `Arc`. The builder methods panic on a bad value; each
//! fallible one has a `try_` twin returning a [`CorsError`] for configuration read at run time.
//!
//! # Cost per request
//!
//! The configuration, with every header value precomputed, sits behind one `Arc` shared by the
//! layer and all its services; cloning either is a reference-count increment. A request costs an
//! `Arc` clone and, for an allowed origin, a [`HeaderValue`] clone (for a list of origins, of the
//! layer's own copy; for a predicate, of the request's). Every value the layer inserts is shared,
//! so no call allocates, except that the `204` or `403` it answers with needs a [`HeaderMap`](http::HeaderMap),
//! that echoing a preflight's `Access-Control-Request-Headers` sent on several lines joins them
//! into one new value (browsers send one line, which is moved into the answer as it is),
//! and that appending to a `Vary` or `Access-Control-Expose-Headers` the inner response already
//! carries stores the extra line in the map's side vector. `layers/tests/cors_allocations.rs`
//! counts it.

mod answer;
mod config;
mod error;
pub mod future;
mod list;
mod origin;
mod preflight;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::{self, HeaderValue, ACCESS_CONTROL_REQUEST_METHOD};
use http::request::Parts;
use http::{Method, Request, Response, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

use self::answer::Config;
pub use self::config::{AllowHeaders, AllowMethods, Any, ExposeHeaders, MaxAge, TryIntoCors};
pub use self::error::CorsError;
use self::future::ResponseFuture;
pub use self::origin::AllowOrigin;
pub use self::preflight::{MAX_REQUESTED_HEADERS, MAX_REQUESTED_HEADERS_BYTES};

/// Adds CORS headers to responses and answers preflight requests: see the [module docs](self).
///
/// Built once with chained methods, each of which checks its argument right away; cloning is a
/// reference-count increment.
#[derive(Clone, Debug)]
pub struct CorsLayer {
    config: Arc<Config>,
}

impl Default for CorsLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl CorsLayer {
    /// A layer that allows nothing yet: no origin, only the CORS-safelisted methods (`GET`,
    /// `HEAD`, `POST`), no request headers, no credentials.
    pub fn new() -> Self {
        Self {
            config: Arc::new(Config::default()),
        }
    }

    /// Applies one change and re-checks the whole configuration.
    fn update(mut self, change: impl FnOnce(&mut Config)) -> Result<Self, CorsError> {
        let config = Arc::make_mut(&mut self.config);
        change(config);
        config.finish()?;
        Ok(self)
    }

    /// Which origins may read responses: `"*"` (or [`Any`]), one origin, a comma-separated
    /// list, or an array or `Vec` of them. Origins are compared byte for byte with the request's
    /// `Origin`, so write them as browsers send them: `scheme://host[:port]`, lowercase, without
    /// a path or trailing slash.
    ///
    /// ```
    /// use silent_tower_layers::cors::CorsLayer;
    ///
    /// let any = CorsLayer::new().origin("*");
    /// let two = CorsLayer::new().origin("https://a.example, https://b.example:8443");
    /// let same = CorsLayer::new().origin(["https://a.example", "https://b.example:8443"]);
    /// let from_config = CorsLayer::new().origin(vec![String::from("https://a.example")]);
    /// ```
    ///
    /// # Panics
    ///
    /// If an origin is not spelled as browsers send it and so could never match
    /// (`https://a.example/`, `a.example`, `HTTPS://A.EXAMPLE`, `https://a.example:443`,
    /// `https://user@a.example`, `https://*.example.com`, `http://127.1`, `ws://a.example`; see
    /// [`AllowOrigin`](AllowOrigin#listed-origins-the-one-spelling-browsers-send)), if `*`
    /// stands next to other origins, or if `origin` is `*` or lists `null` and
    /// [`credentials(true)`](Self::credentials) is set. [`try_origin`](Self::try_origin) returns
    /// these as a [`CorsError`] instead.
    #[track_caller]
    pub fn origin(self, origin: impl TryIntoCors<AllowOrigin>) -> Self {
        match self.try_origin(origin) {
            Ok(layer) => layer,
            Err(error) => panic!("CorsLayer: {error}"),
        }
    }

    /// [`origin`](Self::origin), returning a misconfiguration as an error instead of panicking.
    pub fn try_origin(self, origin: impl TryIntoCors<AllowOrigin>) -> Result<Self, CorsError> {
        let origin = origin.try_into_cors()?;
        self.update(|config| config.origin = origin)
    }

    /// Allows the origins for which `predicate(origin, request_parts)` returns `true`, answering
    /// with the request's own `Origin`. The request parts let the decision depend on the path or
    /// on extensions set by an outer layer.
    ///
    /// The closure is stored once behind an `Arc<dyn Fn>` and called through it, without
    /// allocating, for every request that carries an `Origin`.
    ///
    /// ```
    /// use silent_tower_layers::cors::CorsLayer;
    ///
    /// // `https://<anything>.example.com`: the scheme is checked too, and the leading dot keeps
    /// // `https://evil-example.com` out.
    /// let cors = CorsLayer::new().origin_predicate(|origin, _parts| {
    ///     let origin = origin.as_bytes();
    ///     origin.starts_with(b"https://") && origin.ends_with(b".example.com")
    /// });
    /// ```
    ///
    /// This is the way to allow subdomains ([`AllowOrigin`]'s "Subdomains" explains it) and the
    /// explicit way to allow `null` with credentials, which a listed `null` refuses.
    pub fn origin_predicate<F>(self, predicate: F) -> Self
    where
        F: Fn(&HeaderValue, &Parts) -> bool + Send + Sync + 'static,
    {
        self.origin(AllowOrigin::predicate(predicate))
    }

    /// Which methods a preflight may ask for: `"*"`, `"GET,POST"`, `[Method::GET, Method::POST]`,
    /// `vec![..]`, one [`Method`]. `GET`, `HEAD` and `POST` are always allowed. The six methods
    /// browsers upper-case (`DELETE`, `GET`, `HEAD`, `OPTIONS`, `POST`, `PUT`) may be written in
    /// any case; other names are kept as written, since browsers send them so (`patch` is not
    /// `PATCH`).
    ///
    /// # Panics
    ///
    /// If a name is not a valid HTTP method, or `*` stands next to other methods.
    /// [`try_methods`](Self::try_methods) returns these as a [`CorsError`] instead.
    #[track_caller]
    pub fn methods(self, methods: impl TryIntoCors<AllowMethods>) -> Self {
        match self.try_methods(methods) {
            Ok(layer) => layer,
            Err(error) => panic!("CorsLayer: {error}"),
        }
    }

    /// [`methods`](Self::methods), returning a misconfiguration as an error instead of panicking.
    pub fn try_methods(self, methods: impl TryIntoCors<AllowMethods>) -> Result<Self, CorsError> {
        let methods = methods.try_into_cors()?;
        self.update(|config| config.methods = methods)
    }

    /// Which request headers a preflight may ask for: `"*"`, `"content-type,x-api-key"`,
    /// `[header::CONTENT_TYPE]`, `vec![..]`, one [`HeaderName`](http::HeaderName). Names are
    /// case-insensitive and sent lowercase.
    ///
    /// # Panics
    ///
    /// If a name is not a valid header name, or `*` stands next to other names.
    /// [`try_headers`](Self::try_headers) returns these as a [`CorsError`] instead.
    #[track_caller]
    pub fn headers(self, headers: impl TryIntoCors<AllowHeaders>) -> Self {
        match self.try_headers(headers) {
            Ok(layer) => layer,
            Err(error) => panic!("CorsLayer: {error}"),
        }
    }

    /// [`headers`](Self::headers), returning a misconfiguration as an error instead of panicking.
    pub fn try_headers(self, headers: impl TryIntoCors<AllowHeaders>) -> Result<Self, CorsError> {
        let headers = headers.try_into_cors()?;
        self.update(|config| config.headers = headers)
    }

    /// Which response headers page scripts may read, beyond the safelisted ones
    /// (`Cache-Control`, `Content-Language`, `Content-Length`, `Content-Type`, `Expires`,
    /// `Last-Modified`, `Pragma`): same forms as [`headers`](Self::headers).
    ///
    /// # Panics
    ///
    /// If a name is not a valid header name, if `*` stands next to other names, or if it is `*`
    /// and [`credentials(true)`](Self::credentials) is set. [`try_expose`](Self::try_expose)
    /// returns these as a [`CorsError`] instead.
    #[track_caller]
    pub fn expose(self, expose: impl TryIntoCors<ExposeHeaders>) -> Self {
        match self.try_expose(expose) {
            Ok(layer) => layer,
            Err(error) => panic!("CorsLayer: {error}"),
        }
    }

    /// [`expose`](Self::expose), returning a misconfiguration as an error instead of panicking.
    pub fn try_expose(self, expose: impl TryIntoCors<ExposeHeaders>) -> Result<Self, CorsError> {
        let expose = expose.try_into_cors()?;
        self.update(|config| config.expose = expose)
    }

    /// Whether browsers may send cookies and HTTP authentication along and let the page read
    /// the response (`Access-Control-Allow-Credentials: true`). Off by default.
    ///
    /// # Panics
    ///
    /// If the origin or the exposed headers are `*`, or the listed origins include `null`:
    /// browsers refuse a credentialed response that allows any origin, read exposed `*` as a
    /// header name, and send `null` from sandboxed pages of every site.
    /// [`try_credentials`](Self::try_credentials) returns these as a [`CorsError`] instead.
    #[track_caller]
    pub fn credentials(self, credentials: bool) -> Self {
        match self.try_credentials(credentials) {
            Ok(layer) => layer,
            Err(error) => panic!("CorsLayer: {error}"),
        }
    }

    /// [`credentials`](Self::credentials), returning a misconfiguration as an error instead of
    /// panicking.
    pub fn try_credentials(self, credentials: bool) -> Result<Self, CorsError> {
        self.update(|config| config.credentials = credentials)
    }

    /// How long browsers may cache a preflight answer: whole seconds or a
    /// [`Duration`](std::time::Duration). Browsers cap it (Chromium at 2 hours) and use a few
    /// seconds when it is absent.
    ///
    /// ```
    /// use std::time::Duration;
    /// use silent_tower_layers::cors::CorsLayer;
    ///
    /// let ten_minutes = CorsLayer::new().max_age(600);
    /// let the_same = CorsLayer::new().max_age(Duration::from_secs(600));
    /// ```
    pub fn max_age(self, max_age: impl Into<MaxAge>) -> Self {
        let max_age = max_age.into();
        self.update(|config| config.set_max_age(max_age))
            .expect("a max-age conflicts with no other setting")
    }

    /// Whether to answer Private Network Access preflights — those carrying
    /// `Access-Control-Request-Private-Network: true`, sent by Chromium when a public page calls
    /// a private-network or local address — with `Access-Control-Allow-Private-Network: true`.
    /// Off by default.
    pub fn private_network(self, private_network: bool) -> Self {
        self.update(|config| config.private_network = private_network)
            .expect("private network access conflicts with no other setting")
    }

    /// Answers requests from disallowed origins with `403 Forbidden` (empty body, `Vary`)
    /// without calling the inner service, as silent did — see the
    /// [module docs](self#disallowed-origins-get-no-headers-not-a-403) for why this is not the
    /// default. Preflights asking for a method or header that is not allowed get `403` too.
    /// Requests without `Origin` always reach the inner service.
    pub fn reject_disallowed(self) -> Self {
        self.update(|config| config.reject_disallowed = true)
            .expect("rejection conflicts with no other setting")
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Cors<S> {
        Cors {
            inner,
            config: Arc::clone(&self.config),
        }
    }
}

/// The service made by [`CorsLayer`]: answers preflights and adds CORS headers to the inner
/// service's responses.
#[derive(Clone, Debug)]
pub struct Cors<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S> Cors<S> {
    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Cors<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let config = &self.config;
        // The parts are what an origin predicate looks at, and a preflight answer may take
        // headers out of them; splitting and rejoining the request only moves it.
        let (mut parts, body) = request.into_parts();
        let Some(origin) = parts.headers.get(header::ORIGIN) else {
            let allow_origin = config.origin.allow_without_origin();
            let future = self.inner.call(Request::from_parts(parts, body));
            return ResponseFuture::inner(future, Arc::clone(config), allow_origin);
        };
        let allow_origin = config.origin.allow(origin, &parts);

        if parts.method == Method::OPTIONS
            && parts.headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
        {
            let (status, headers) = config.preflight(allow_origin, &mut parts.headers);
            return ResponseFuture::answer(status, headers);
        }
        if allow_origin.is_none() && config.reject_disallowed {
            return ResponseFuture::answer(StatusCode::FORBIDDEN, config.rejection());
        }
        let future = self.inner.call(Request::from_parts(parts, body));
        ResponseFuture::inner(future, Arc::clone(config), allow_origin)
    }
}
