//! **silent-tower**: the router and middleware of the [silent] web framework, reshaped as plain
//! Tower services and layers that cost nothing they do not have to.
//!
//! - [`Router`]: a radix-tree router with silent's typed path parameters (`/users/<id:i64>`) and
//!   axum's syntax (`/users/{id}`); one type however many routes it holds, one indirect call per
//!   request, the endpoint's future in a pooled buffer behind a 32-byte handle.
//! - [`layers`]: CORS, timeout, exception handling, request-time logging, request ids and rate
//!   limits as `tower::Layer`s.
//! - [`serve`](fn@serve): a hyper-util server (HTTP/1.1 and h2c, HTTPS with the `tls` feature)
//!   with graceful shutdown and limits whose defaults are safe (see [the table](mod@serve#limits)).
//!
//! Every future on the request path is a named, pin-projected type: no `Box::pin`, no
//! `async_trait`. The router reaches a route's endpoint through one vtable call, which writes the
//! endpoint's future into a buffer from a per-thread pool, behind a 32-byte handle
//! ([`router::EndpointFuture`]) — the buffer the previous request on the thread gave back — so a
//! static route answers with zero allocations of the router's own. The pool, the
//! `silent-tower-pool` crate, is the one crate with `unsafe` code, tested under Miri; this one is
//! `#![forbid(unsafe_code)]`. Two boxes exist, both off that path: [`Body`] boxes a *foreign*
//! streaming body (its own empty and full bodies are plain values), and [`serve`](fn@serve)'s
//! future is boxed once per server start, because `IntoFuture` needs a type to name and an
//! `async` accept loop has none on stable Rust. (An endpoint future larger than 4 KiB is boxed
//! too, on its own route only.)
//! Because it is all plain Tower, each piece also drops into an axum, tonic or hyper app.
//!
//! ```no_run
//! use silent_tower::prelude::*;
//!
//! #[tokio::main]
//! async fn main() -> std::io::Result<()> {
//!     let app = Router::new().route("/", get(|| async { "Hello, World!" }));
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//!     serve(listener, app).await
//! }
//! ```
//!
//! # Responses
//!
//! A handler returns anything [`IntoResponse`]: text, bytes, a [`StatusCode`](http::StatusCode),
//! [`Html`], [`Redirect`], [`Sse`] (server-sent events, with [`sse::KeepAlive`]), [`Json`]
//! (`silent_tower::Json`, also in the prelude and `extract`; feature `json`, on by default), and
//! tuples that add a status and headers — a `HeaderMap`, an array of pairs, or
//! [`AppendHeaders`] ([`IntoResponseHeaders`]). A header that is not valid answers
//! [`InvalidHeader`]'s 500 rather than panicking. [`Body::from_stream`] streams any `Stream` of
//! chunks.
//!
//! ```
//! use std::convert::Infallible;
//! use silent_tower::prelude::*;
//! use silent_tower::http::header;
//! use silent_tower::sse::{Event, KeepAlive};
//!
//! let app: Router = Router::new()
//!     .route("/", get(|| async { Html("<h1>Hello</h1>") }))
//!     .route("/old", get(|| async { Redirect::permanent("/") }))
//!     .route(
//!         "/report.csv",
//!         get(|| async { (StatusCode::OK, [(header::CONTENT_TYPE, "text/csv")], "a,b\n1,2\n") }),
//!     )
//!     .route(
//!         "/events",
//!         get(|| async {
//!             let events = futures_util::stream::iter([
//!                 Ok::<_, Infallible>(Event::default().event("greeting").data("hello")),
//!             ]);
//!             Sse::new(events).keep_alive(KeepAlive::new())
//!         }),
//!     );
//!
//! let response = Redirect::to("/").into_response();
//! assert_eq!(response.status(), StatusCode::SEE_OTHER);
//! ```
//!
//! # Cargo features
//!
//! | feature | default | brings in | what |
//! |---|---|---|---|
//! | `http2` | on | h2, hyper's and hyper-util's HTTP/2 code | HTTP/2 in `serve` (h2c by prior knowledge; `h2` by ALPN with `tls`); off, `serve` speaks HTTP/1.1 only and hyper is built without HTTP/2 |
//! | `json` | on | serde_json | [`Json<T>`](Json) (also in the prelude and `extract::Json`): a JSON request body and an `application/json` response, as axum's `json` feature |
//! | `typed-header` | off | headers 0.4 (headers-core, mime, sha1, base64) | `extract::TypedHeader<T>`: a header parsed into its `headers` type; `silent_tower::headers` re-exported |
//! | `tls` | off | rustls (`ring` provider), tokio-rustls | `Serve::tls` and `serve::TlsConfig`: HTTPS, certificates from PEM or a `rustls::ServerConfig`, swappable without a restart |
//! | `http3` | off | `tls`, quinn, h3, h3-quinn | `Serve::http3`: HTTP/3 over QUIC beside the TLS listener, same `TlsConfig`, `Alt-Svc` on TCP responses; the service takes `RequestBody` |
//! | `ws` | off | tokio-tungstenite (tungstenite, sha1, rand) | `silent_tower::ws`: the `WebSocketUpgrade` extractor and `WebSocket`, on hyper's upgrade |
//! | `sessions` | off | tower-sessions-core 0.14 (time, rand, serde_json, async-trait) | tower-sessions 0.14's `Session` as an extractor (`async fn(session: Session)`); without it, `Extension<Session>` reads the same value |
//! | `multipart` | off | multer 3 (encoding_rs, mime, spin) | `extract::Multipart`: `multipart/form-data` bodies (file uploads) read field by field, under the body limit, with per-field limits |
//! | `cookie` | off | cookie 0.18 (hmac, sha2, aes-gcm, time, rand) | `extract::cookie::{CookieJar, SignedCookieJar, PrivateCookieJar, Key, Cookie}`: cookie jars as extractors and response parts; the key from state through `FromRef` |
//! | `redis` | off | redis (tokio, connection manager) | `layers::rate_limit::RedisStore`: one rate limit shared by every instance through Redis |
//! | `macros` | off | silent-tower-macros (syn, quote, proc-macro2) | `#[debug_handler]`: one error per broken handler rule, at the argument or function at fault; `#[derive(FromRef)]` at `extract::FromRef`, as axum's |
//!
//! Without `json` (`default-features = false`), `Json` does not exist: `use silent_tower::Json`
//! fails with "no `Json` in the root", and with the prelude's glob a handler naming it fails with
//! "cannot find type `Json`" — turn the feature back on (`features = ["json"]`).
//!
//! With `http3`, `serve(listener, app).tls(tls).http3(udp_socket)` serves one app over TCP (HTTP/1.1,
//! HTTP/2) and QUIC (HTTP/3) at once, and TCP responses advertise HTTP/3 with `Alt-Svc`. Because
//! hyper's `Incoming` body cannot be made outside hyper, such a server hands its service a
//! `RequestBody` on both sides — hyper's body or h3's, behind one `http_body::Body` with `Bytes`
//! data — so one `Router::<(), RequestBody>::with_body()` serves them all; a server without HTTP/3
//! takes `Router<(), Incoming>` as before. See `Serve::http3` and the [`serve`](mod@serve#http3)
//! module docs.
//!
//! [silent]: https://crates.io/crates/silent
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod serve;

/// The axum migration guide's snippets, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/migrating-from-axum.md")]
pub struct MigratingFromAxumGuide;
#[cfg(feature = "ws")]
pub mod ws;

#[cfg(feature = "http3")]
pub use serve::RequestBody;
pub use serve::{serve, Serve};

#[cfg(feature = "typed-header")]
pub use silent_tower_router::headers;
#[cfg(feature = "json")]
pub use silent_tower_router::Json;
pub use silent_tower_router::{
    any, any_service, connect, connect_service, delete, delete_service, endpoints, get,
    get_service, handler, handler_fn, head, head_service, middleware, on, on_service, options,
    options_service, patch, patch_service, post, post_service, put, put_service, response, routing,
    sse, trace, trace_service, AppendHeaders, Body, BoxError, FromParam, Handler, HandlerService,
    HandlerSignature, Html, IntoHeaderName, IntoHeaderValue, IntoResponse, IntoResponseHeaders,
    InvalidHeader, MethodRouter, NotFound, Param, ParamError, PathParams, Redirect, RequestExt,
    RouteError, Router, Sse, ENDPOINT_FUTURE_SIZE, MAX_PARAMS,
};

#[cfg(not(feature = "macros"))]
pub use silent_tower_router::extract;

/// Extractors: what a handler takes as arguments, each read from the request (the router's
/// [`extract`](silent_tower_router::extract) module), with `#[derive(FromRef)]` beside the
/// [`FromRef`](extract::FromRef) trait (feature `macros`).
#[cfg(feature = "macros")]
pub mod extract {
    /// `#[derive(FromRef)]`, as axum's: `impl FromRef<Struct> for Field` for the type of each
    /// field of a state struct (`#[from_ref(skip)]` leaves a field out), so that a handler takes
    /// `State<Field>` from a router whose state is the struct.
    ///
    /// ```
    /// use silent_tower::extract::{FromRef, State};
    /// use silent_tower::routing::get;
    /// use silent_tower::Router;
    ///
    /// #[derive(Clone)]
    /// struct Db(&'static str);
    ///
    /// #[derive(Clone, FromRef)]
    /// struct AppState {
    ///     db: Db,
    ///     #[from_ref(skip)]
    ///     name: String,
    /// }
    ///
    /// async fn users(State(Db(db)): State<Db>) -> String {
    ///     format!("users from {db}")
    /// }
    ///
    /// let app: Router = Router::new()
    ///     .route("/users", get(users))
    ///     .with_state(AppState { db: Db("postgres"), name: "app".into() });
    /// ```
    pub use silent_tower_macros::FromRef;
    pub use silent_tower_router::extract::*;
}

/// Checks a handler rule by rule (feature `macros`), as axum's `#[debug_handler]`: each mistake
/// is an error of its own, at the argument or function at fault, instead of the one "`…` is not
/// a handler" error where the handler is routed.
///
/// The rules, each with its own message: every argument is an extractor (the message names the
/// argument's position and type, which implements neither `FromRequestParts` nor
/// `FromRequest`); an argument that reads the body (`FromRequest` only) is the last; the
/// function's future is `Send` (the compiler's own message names the value held across an
/// `.await`); its return type implements `IntoResponse`. The function is unchanged and the
/// checks cost nothing at run time: they are only type-checked, and only in debug builds
/// (`debug_assertions`), as axum's.
///
/// The checks need concrete types: the router's state is the `S` of the first `State<S>`
/// argument, or `()`; `#[debug_handler(state = AppState)]` names it (needed when the handler
/// reads parts of the state through `FromRef`). The request body is hyper's `Incoming`, what
/// [`serve`](fn@serve) gives; `#[debug_handler(body = RequestBody)]` names another. It checks
/// free `async fn`s that are not generic.
///
/// ```
/// use silent_tower::debug_handler;
/// use silent_tower::extract::{FromRef, Path, State};
/// use silent_tower::routing::get;
/// use silent_tower::Router;
///
/// #[derive(Clone, FromRef)]
/// struct AppState {
///     greeting: Greeting,
/// }
///
/// #[derive(Clone)]
/// struct Greeting(&'static str);
///
/// #[debug_handler(state = AppState)]
/// async fn greet(State(Greeting(greeting)): State<Greeting>, Path(name): Path<String>) -> String {
///     format!("{greeting}, {name}")
/// }
///
/// let app: Router = Router::new()
///     .route("/hello/{name}", get(greet))
///     .with_state(AppState { greeting: Greeting("hello") });
/// ```
#[cfg(feature = "macros")]
pub use silent_tower_macros::debug_handler;

/// What the macros' output names (feature `macros`); not an API.
#[cfg(feature = "macros")]
#[doc(hidden)]
pub mod __private {
    pub use silent_tower_router::debug_handler;
}

/// The router's building blocks: futures and services named in its types.
pub mod router {
    pub use silent_tower_router::{
        CallContext, EndpointFuture, HandlerFuture, HandlerResponse, MethodFallback, Route,
        RouteFuture, RouteService, RouterFuture,
    };
}

/// The per-thread pool the router's futures live in ([`silent_tower_pool`]): [`pool::fill`]
/// gives a thread its buffers before its first request (from a runtime's `on_thread_start`, or
/// before counting allocations), [`pool::held_bytes`] says what every thread's pool holds.
pub use silent_tower_pool as pool;

/// silent's middleware as Tower layers.
pub mod layers {
    pub use silent_tower_layers::cors::CorsLayer;
    pub use silent_tower_layers::exception_handler::ExceptionHandlerLayer;
    pub use silent_tower_layers::rate_limit::RateLimitLayer;
    pub use silent_tower_layers::request_id::{RequestId, RequestIdLayer};
    pub use silent_tower_layers::request_time_logger::{PeerAddr, RequestTimeLoggerLayer};
    pub use silent_tower_layers::silent::SilentLayer;
    pub use silent_tower_layers::timeout::TimeoutLayer;
    pub use silent_tower_layers::{
        cors, exception_handler, rate_limit, request_id, request_time_logger, silent, timeout,
    };
}

pub use layers::PeerAddr;

/// A request with hyper's body: what handlers served by [`serve`](fn@serve) receive.
pub type Request<B = hyper::body::Incoming> = http::Request<B>;

/// A response with the router's [`Body`].
pub type Response<B = Body> = http::Response<B>;

pub use http;
pub use hyper::body::Incoming;

/// Everything a hello-world needs: `use silent_tower::prelude::*;` — the router and its method
/// functions, the common extractors (`Path`, `Query`, `Form`, `State`, `Extension`, and
/// [`Json`] with the `json` feature, on by default), responses, the layers and
/// `serve`.
pub mod prelude {
    pub use crate::extract::{Extension, Form, Path, Query, State};
    pub use crate::layers::{
        CorsLayer, ExceptionHandlerLayer, RateLimitLayer, RequestId, RequestIdLayer,
        RequestTimeLoggerLayer, SilentLayer, TimeoutLayer,
    };
    #[cfg(feature = "ws")]
    pub use crate::ws::{Message, WebSocket, WebSocketUpgrade};
    #[cfg(feature = "json")]
    pub use crate::Json;
    pub use crate::{
        any, delete, get, handler_fn, patch, post, put, serve, sse, AppendHeaders, Body, Html,
        Incoming, IntoResponse, ParamError, Redirect, Request, RequestExt, Response, Router, Sse,
    };
    pub use bytes::Bytes;
    pub use http::{HeaderMap, Method, StatusCode, Uri};
    pub use tower::{Service, ServiceExt};
}
