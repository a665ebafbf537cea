//! Limits the rate of requests with a token bucket: silent's `RateLimiter`, globally or per
//! client.
//!
//! [`RateLimitLayer::new(rate, burst)`](RateLimitLayer::new) admits `burst` requests at once and
//! `rate` per second after that, on average. A request over the limit is answered
//! `429 Too Many Requests` with an empty body and a `Retry-After` header — the whole seconds,
//! rounded up, until a request would be admitted again — and the inner service is not called.
//!
//! ```
//! use std::convert::Infallible;
//! use std::time::Duration;
//!
//! use http::{Request, Response, StatusCode};
//! use silent_tower_layers::rate_limit::RateLimitLayer;
//! use tower::{service_fn, ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! // 2 requests per second on average, up to 3 at once.
//! let service = ServiceBuilder::new()
//!     .layer(RateLimitLayer::new(2.0, 3))
//!     .service(service_fn(|_: Request<()>| async {
//!         Ok::<_, Infallible>(Response::new(String::from("hello")))
//!     }));
//!
//! for _ in 0..3 {
//!     let response = service.clone().oneshot(Request::new(())).await.unwrap();
//!     assert_eq!(response.status(), StatusCode::OK);
//! }
//! let response = service.clone().oneshot(Request::new(())).await.unwrap();
//! assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
//! assert_eq!(response.headers()["retry-after"], "1");
//! assert_eq!(response.body(), "");
//!
//! tokio::time::sleep(Duration::from_millis(500)).await; // one token back
//! let response = service.oneshot(Request::new(())).await.unwrap();
//! assert_eq!(response.status(), StatusCode::OK);
//! # }
//! ```
//!
//! # Global or per client
//!
//! Every service a layer makes — and every clone of the layer — draws from the same buckets. So
//! a layer put on one route limits that route, one put on a whole router limits the router, and
//! two routes limited separately need two layers.
//!
//! [`keyed_by(key)`](RateLimitLayer::keyed_by) gives each key a bucket of its own, `key` being a
//! function from the request's [`Parts`] to an `Option` of any
//! `Hash + Eq + Clone` value. [`peer_ip`] is the usual one: the client's IP address, from the
//! [`PeerAddr`](crate::request_time_logger::PeerAddr) extension that `silent_tower::serve`
//! inserts with `.with_peer_addr()`, or a bare `SocketAddr` extension. Other servers keep the
//! address under a type of their own: behind axum's `into_make_service_with_connect_info`, key by
//! `|parts: &Parts| parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip())`.
//! A header works too: `|parts: &Parts| parts.headers.get("x-api-key").cloned()`. Requests for
//! which the function returns `None` share one bucket.
//!
//! # A bounded table
//!
//! The per-key buckets live in a table of at most [`max_keys`](RateLimitLayer::max_keys) keys
//! (10 000 by default), behind one `std::sync::Mutex`; the global bucket is a single atomic,
//! updated by a lock-free compare-and-swap loop. When the table is full, a new key takes the slot
//! of the least recently used key if that key's bucket has refilled — forgetting a full bucket
//! changes no answer. If it has not, the table is being flooded: more than `max_keys` distinct
//! keys came in less time than that bucket takes to refill (at most `burst / rate` seconds).
//! Then the new key is not tracked; its requests draw from
//! the shared bucket of the keyless requests, so all the flood's newcomers together get one
//! client's rate, while the clients already tracked keep their buckets — a flood cannot reset a
//! limited client's bucket by pushing it out. Each request costs O(1): one hash lookup, a few
//! links in a list, at most one eviction. The table grows as keys arrive, up to `max_keys`
//! slots, and never shrinks.
//!
//! # Key size
//!
//! A key is bounded in size as the table is in number: a key longer than
//! [`max_key_bytes`](RateLimitLayer::max_key_bytes) ([`DEFAULT_MAX_KEY_BYTES`], 256 bytes, as
//! [`RateLimitKey::key_len`] measures it) is not tracked on its own; its requests draw from the
//! shared bucket of keyless requests, like a key the full table has no room for. So a client
//! sending 64 KiB header values cannot make the table hold 64 KiB per slot, and all such
//! clients together get one client's rate.
//!
//! # Shared stores
//!
//! The buckets above live in the process, so N instances of an application allow N times the
//! limit. [`store(..)`](RateLimitLayer::store) moves them into a [`RateLimitStore`] that every
//! instance reaches — `RedisStore` with the `redis` feature — keeping the same token bucket
//! (the generic cell rate algorithm, decided atomically by the store, on the store's clock):
//!
//! ```ignore
//! let store = RedisStore::connect("redis://127.0.0.1:6379/").await?;
//! let layer = RateLimitLayer::new(10.0, 20).keyed_by(peer_ip).store(store);
//! ```
//!
//! Each request then waits for the store's answer, at most
//! [`store_timeout`](RateLimitLayer::store_timeout) ([`DEFAULT_STORE_TIMEOUT`], 100 ms). A store
//! that errs or does not answer in time is a failure: the layer logs one `WARN` line at target
//! [`STORE_TARGET`] for the outage (and an `INFO` line when the store answers again) and, by
//! default, **fails open** — the request is admitted, since an outage of the limiter should not
//! become an outage of the application. [`fail_closed`](RateLimitLayer::fail_closed) answers
//! `503 Service Unavailable` with `Retry-After: 1` instead. Nothing panics, and no request waits
//! past the timeout.
//!
//! The in-process default is not changed by any of this: it decides in `call`, with no future to
//! await and no allocation. A store's path has a future of its own,
//! [`StoreResponseFuture`](future::StoreResponseFuture), named; `RedisStore`'s inner future is
//! boxed (one allocation per request, see its docs). Because the inner service is called after
//! the store has answered, a store's path needs an inner service that is `Clone`, as Tower's
//! waiting layers do.
//!
//! # Time
//!
//! Buckets are measured on `tokio::time::Instant`, so a test with Tokio's clock paused controls
//! them. Outside a Tokio runtime the clock is the system's monotonic clock.
//!
//! # Cost
//!
//! An admitted request allocates nothing: not with the global bucket, not with a key the table
//! tracks already (a key function that allocates — e.g. one building a `String` — is the
//! caller's). A new key allocates only while the table grows. A `429` costs the two allocations
//! of its response's header map; its `Retry-After` value is prepared when the layer is built
//! (for waits up to an hour: a rate below one request an hour formats longer ones, one more
//! allocation).
//! The counts are measured by `tests/rate_limit_allocations.rs`. (A [shared
//! store](#shared-stores) costs more: see there.)
//!
//! `poll_ready` is the inner service's; a request answered `429` leaves the readiness it
//! obtained unused, as any layer that may answer alone does.

mod config;
pub mod future;
mod gcra;
mod key;
#[cfg(feature = "redis")]
mod redis;
mod store;
mod table;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::request::Parts;
use http::{HeaderValue, Request, Response};
use tokio::time::Instant;
use tower_layer::Layer;
use tower_service::Service;

pub use self::config::{peer_ip, Global, Keyed, Policy};
use self::future::ResponseFuture;
use self::gcra::AtomicBucket;
pub use self::gcra::Gcra;
pub use self::key::RateLimitKey;
#[cfg(feature = "redis")]
pub use self::redis::{RedisStore, DEFAULT_REDIS_PREFIX};
pub use self::store::{InProcess, RateLimitStore, StoreDecision, StoreError};

/// The default bound of a keyed layer's table.
pub const DEFAULT_MAX_KEYS: usize = 10_000;

/// The default bound of a key's size: longer keys draw from the shared bucket. See
/// [`RateLimitLayer::max_key_bytes`].
pub const DEFAULT_MAX_KEY_BYTES: usize = 256;

/// How long a request waits for a [store](RateLimitStore)'s answer by default before the layer
/// gives up on it. See [`RateLimitLayer::store_timeout`].
pub const DEFAULT_STORE_TIMEOUT: Duration = Duration::from_millis(100);

/// The target of the layer's log lines about its store (`silent_tower::rate_limit=warn`).
pub const STORE_TARGET: &str = "silent_tower::rate_limit";

/// `Retry-After` values prepared when a layer is built: 1 to this many seconds.
const PREPARED_RETRY_AFTER: u64 = 3600;

/// What every service made by one layer shares.
struct Shared<P, St = InProcess> {
    gcra: Gcra,
    epoch: Instant,
    /// The global bucket, or, for a keyed layer, the bucket of requests without a tracked key.
    bucket: AtomicBucket,
    policy: P,
    /// `retry_after[n - 1]` is `n` seconds.
    retry_after: Box<[HeaderValue]>,
    store: St,
    /// How long a store may take to answer.
    store_timeout: Duration,
    /// What a request gets when the store fails or times out: admitted (`true`) or `503`.
    fail_open: bool,
    /// Whether the store's last answer was a failure: the warning is logged once per outage.
    store_failing: AtomicBool,
}

impl<P> Shared<P> {
    fn new(gcra: Gcra, policy: P) -> Self {
        Self::with_store(gcra, policy, InProcess)
    }
}

impl<P, St> Shared<P, St> {
    fn with_store(gcra: Gcra, policy: P, store: St) -> Self {
        let longest = gcra.longest_wait_secs().clamp(1, PREPARED_RETRY_AFTER);
        let retry_after = (1..=longest)
            .map(|secs| {
                let value = HeaderValue::from(secs);
                // The first clone of a value made at run time moves its bytes into a shared
                // allocation; done here, the clone per `429` is an atomic increment.
                drop(value.clone());
                value
            })
            .collect();
        Self {
            gcra,
            epoch: Instant::now(),
            bucket: AtomicBucket::default(),
            policy,
            retry_after,
            store,
            store_timeout: DEFAULT_STORE_TIMEOUT,
            fail_open: true,
            store_failing: AtomicBool::new(false),
        }
    }

    /// Notes a store failure; logs it at `WARN` if the store was answering until now, so an
    /// outage is one line, not one per request.
    fn store_failed(&self, error: &dyn fmt::Display) {
        if !self.store_failing.swap(true, Ordering::Relaxed) {
            let outcome = if self.fail_open {
                "admitting requests without a limit (fail open)"
            } else {
                "refusing requests with 503 (fail closed)"
            };
            tracing::warn!(
                target: STORE_TARGET,
                error = %error,
                "the rate-limit store failed; {outcome} until it answers again"
            );
        } else {
            tracing::debug!(target: STORE_TARGET, error = %error, "the rate-limit store failed");
        }
    }

    /// Notes a store answer; logs the recovery if it was failing.
    fn store_answered(&self) {
        if self.store_failing.load(Ordering::Relaxed)
            && self.store_failing.swap(false, Ordering::Relaxed)
        {
            tracing::info!(target: STORE_TARGET, "the rate-limit store answers again");
        }
    }

    /// Nanoseconds since the epoch.
    fn now(&self) -> u64 {
        let elapsed = Instant::now().saturating_duration_since(self.epoch);
        u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX)
    }

    fn retry_after(&self, wait_nanos: u64) -> HeaderValue {
        let secs = wait_nanos.div_ceil(1_000_000_000).max(1);
        match self.retry_after.get((secs - 1) as usize) {
            Some(value) => value.clone(),
            None => HeaderValue::from(secs),
        }
    }
}

/// Limits the rate of requests through the services it makes; see the [module docs](self).
///
/// `P` is [`Global`] (one bucket) or [`Keyed`] (one per key, from
/// [`keyed_by`](Self::keyed_by)); `St` is where the buckets live: [`InProcess`] by default, or
/// a shared [store](RateLimitStore) set with [`store`](Self::store). Clones share the buckets.
pub struct RateLimitLayer<P = Global, St = InProcess> {
    shared: Arc<Shared<P, St>>,
}

impl<P, St> Clone for RateLimitLayer<P, St> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<P: fmt::Debug, St: fmt::Debug> fmt::Debug for RateLimitLayer<P, St> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimitLayer")
            .field("gcra", &self.shared.gcra)
            .field("policy", &self.shared.policy)
            .field("store", &self.shared.store)
            .finish_non_exhaustive()
    }
}

impl RateLimitLayer {
    /// Admits `burst` requests at once and `rate` requests per second on average, for all
    /// requests together (silent's `RateLimiter::new(rate, capacity)`).
    ///
    /// # Panics
    ///
    /// When `rate` is not a finite number above 0 and at most 10⁹, or `burst` is 0.
    pub fn new(rate: f64, burst: usize) -> Self {
        Self {
            shared: Arc::new(Shared::new(Gcra::new(rate, burst), Global)),
        }
    }

    /// `rate` requests per second, with a burst of one second's worth, rounded up (silent's
    /// `RateLimiter::per_second`).
    ///
    /// # Panics
    ///
    /// As [`new`](Self::new).
    pub fn per_second(rate: f64) -> Self {
        let burst = if rate.is_finite() && rate >= 1.0 {
            rate.ceil() as usize
        } else {
            1
        };
        Self::new(rate, burst)
    }

    /// Gives each key a bucket of its own: `key` maps a request's parts to its key, or to `None`
    /// for requests that share one bucket. [`peer_ip`] keys by client address. The table holds
    /// at most [`DEFAULT_MAX_KEYS`] keys unless [`max_keys`](RateLimitLayer::max_keys) says
    /// otherwise; see the [module docs](self) for what happens when it is full.
    ///
    /// Returns a layer with new, full buckets.
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use std::net::SocketAddr;
    ///
    /// use http::{Request, Response, StatusCode};
    /// use silent_tower_layers::rate_limit::{peer_ip, RateLimitLayer};
    /// use silent_tower_layers::request_time_logger::PeerAddr;
    /// use tower::{service_fn, Layer, ServiceExt};
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let layer = RateLimitLayer::new(1.0, 1).keyed_by(peer_ip).max_keys(50_000);
    /// let service = layer.layer(service_fn(|_: Request<()>| async {
    ///     Ok::<_, Infallible>(Response::new(String::new()))
    /// }));
    /// let from = |addr: &str| {
    ///     let mut request = Request::new(());
    ///     request.extensions_mut().insert(PeerAddr(addr.parse::<SocketAddr>().unwrap()));
    ///     request
    /// };
    ///
    /// let first = service.clone().oneshot(from("10.0.0.1:4000")).await.unwrap();
    /// let other_client = service.clone().oneshot(from("10.0.0.2:4000")).await.unwrap();
    /// let first_again = service.oneshot(from("10.0.0.1:4001")).await.unwrap();
    /// assert_eq!(first.status(), StatusCode::OK);
    /// assert_eq!(other_client.status(), StatusCode::OK);
    /// assert_eq!(first_again.status(), StatusCode::TOO_MANY_REQUESTS); // same IP, new port
    /// assert_eq!(layer.tracked_keys(), 2);
    /// # }
    /// ```
    pub fn keyed_by<F, K>(self, key: F) -> RateLimitLayer<Keyed<F, K>>
    where
        F: Fn(&Parts) -> Option<K>,
        K: RateLimitKey,
    {
        RateLimitLayer {
            shared: Arc::new(Shared::new(
                self.shared.gcra,
                Keyed::new(key, DEFAULT_MAX_KEYS),
            )),
        }
    }
}

impl<P> RateLimitLayer<P> {
    /// Keeps the buckets in `store` instead of this process, so that every instance using the
    /// same store shares one limit: see [Shared stores](self#shared-stores). A request then
    /// waits for the store's answer, at most [`store_timeout`](RateLimitLayer::store_timeout);
    /// if the store fails or is late, the request is admitted (fail open) unless
    /// [`fail_closed`](RateLimitLayer::fail_closed) says otherwise.
    ///
    /// Call it while building the layer, after [`keyed_by`](Self::keyed_by) and
    /// [`max_keys`](RateLimitLayer::max_keys).
    ///
    /// # Panics
    ///
    /// When the layer has been cloned already: its clones would keep their buckets in this
    /// process while this one moved them.
    pub fn store<St: RateLimitStore>(self, store: St) -> RateLimitLayer<P, St> {
        let Ok(shared) = Arc::try_unwrap(self.shared) else {
            panic!("rate limit: call `store` while building the layer, before cloning it");
        };
        let mut with_store = Shared::with_store(shared.gcra, shared.policy, store);
        with_store.epoch = shared.epoch;
        RateLimitLayer {
            shared: Arc::new(with_store),
        }
    }
}

impl<P, St: RateLimitStore> RateLimitLayer<P, St> {
    /// How long a request waits for the store's answer ([`DEFAULT_STORE_TIMEOUT`], 100 ms, by
    /// default); after that the store counts as failed for this request.
    ///
    /// # Panics
    ///
    /// When the layer has been cloned already.
    pub fn store_timeout(self, timeout: Duration) -> Self {
        self.configure(|shared| shared.store_timeout = timeout)
    }

    /// When the store fails or times out, answer `503 Service Unavailable` with `Retry-After: 1`
    /// instead of admitting the request. Without it the layer fails open: an outage of the
    /// store lifts the limit rather than taking the application down with it.
    ///
    /// # Panics
    ///
    /// When the layer has been cloned already.
    pub fn fail_closed(self) -> Self {
        self.configure(|shared| shared.fail_open = false)
    }

    /// The store.
    pub fn get_store(&self) -> &St {
        &self.shared.store
    }

    fn configure(self, change: impl FnOnce(&mut Shared<P, St>)) -> Self {
        let mut shared = self.shared;
        let Some(unique) = Arc::get_mut(&mut shared) else {
            panic!("rate limit: configure the store while building the layer, before cloning it");
        };
        change(unique);
        Self { shared }
    }
}

impl<F, K, St> RateLimitLayer<Keyed<F, K>, St> {
    /// Keys longer than `max_key_bytes` ([`DEFAULT_MAX_KEY_BYTES`], 256, by default, as
    /// [`RateLimitKey::key_len`] measures them) are not tracked on their own: their requests
    /// draw from the shared bucket of requests without a key, as those of a key the full table
    /// has no room for do. So a client cannot fill the table — or a shared store — with 64 KiB
    /// keys: the table holds at most `max_keys × max_key_bytes` bytes of keys.
    ///
    /// Keep the bound above the longest key a client is meant to have; for long tokens, key by
    /// something shorter that still names the client (the token's id or subject, a digest).
    ///
    /// ```
    /// use http::request::Parts;
    /// use silent_tower_layers::rate_limit::RateLimitLayer;
    ///
    /// let layer = RateLimitLayer::new(10.0, 20)
    ///     .keyed_by(|parts: &Parts| parts.headers.get("x-api-key").cloned())
    ///     .max_key_bytes(64);
    /// ```
    pub fn max_key_bytes(self, max_key_bytes: usize) -> Self {
        self.shared
            .policy
            .max_key_bytes
            .store(max_key_bytes, Ordering::Relaxed);
        self
    }

    /// Bounds the table to `max_keys` keys ([`DEFAULT_MAX_KEYS`] by default). Meant for building
    /// the layer: the bound is shared with the layer's clones and services, and a table already
    /// holding more keys forgets them all.
    ///
    /// # Panics
    ///
    /// When `max_keys` is 0.
    pub fn max_keys(self, max_keys: usize) -> Self {
        self.shared.policy.set_max_keys(max_keys);
        self
    }

    /// How many keys the table tracks now; never more than its bound.
    pub fn tracked_keys(&self) -> usize {
        self.shared.policy.len()
    }

    /// The table's bound.
    pub fn max_tracked_keys(&self) -> usize {
        self.shared.policy.max_keys()
    }
}

impl<S, P, St> Layer<S> for RateLimitLayer<P, St> {
    type Service = RateLimit<S, P, St>;

    fn layer(&self, inner: S) -> Self::Service {
        RateLimit {
            inner,
            shared: Arc::clone(&self.shared),
        }
    }
}

/// Answers `429 Too Many Requests` to requests over the limit; built by [`RateLimitLayer`], see
/// the [module docs](self).
pub struct RateLimit<S, P = Global, St = InProcess> {
    inner: S,
    shared: Arc<Shared<P, St>>,
}

impl<S: Clone, P, St> Clone for RateLimit<S, P, St> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<S: fmt::Debug, P: fmt::Debug, St> fmt::Debug for RateLimit<S, P, St> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimit")
            .field("inner", &self.inner)
            .field("policy", &self.shared.policy)
            .finish_non_exhaustive()
    }
}

impl<S, P, St> RateLimit<S, P, St> {
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

/// The in-process buckets: decided in `call`, with no allocation and no wait.
impl<S, P, ReqBody, ResBody> Service<Request<ReqBody>> for RateLimit<S, P, InProcess>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    P: Policy,
    ResBody: Default,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let shared = &*self.shared;
        let (parts, body) = request.into_parts();
        let outcome = shared
            .policy
            .acquire(&parts, shared.gcra, shared.now(), &shared.bucket);
        match outcome {
            Ok(()) => ResponseFuture::admitted(self.inner.call(Request::from_parts(parts, body))),
            Err(wait) => ResponseFuture::limited(shared.retry_after(wait)),
        }
    }
}
