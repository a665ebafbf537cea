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
//! The counts are measured by `tests/rate_limit_allocations.rs`.
//!
//! `poll_ready` is the inner service's; a request answered `429` leaves the readiness it
//! obtained unused, as any layer that may answer alone does.

mod config;
pub mod future;
mod table;
#[cfg(test)]
mod tests;

use std::fmt;
use std::hash::Hash;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::request::Parts;
use http::{HeaderValue, Request, Response};
use tokio::time::Instant;
use tower_layer::Layer;
use tower_service::Service;

pub use self::config::{peer_ip, Global, Keyed, Policy};
use self::config::{AtomicBucket, Gcra};
use self::future::ResponseFuture;

/// The default bound of a keyed layer's table.
pub const DEFAULT_MAX_KEYS: usize = 10_000;

/// `Retry-After` values prepared when a layer is built: 1 to this many seconds.
const PREPARED_RETRY_AFTER: u64 = 3600;

/// What every service made by one layer shares.
struct Shared<P> {
    gcra: Gcra,
    epoch: Instant,
    /// The global bucket, or, for a keyed layer, the bucket of requests without a tracked key.
    bucket: AtomicBucket,
    policy: P,
    /// `retry_after[n - 1]` is `n` seconds.
    retry_after: Box<[HeaderValue]>,
}

impl<P> Shared<P> {
    fn new(gcra: Gcra, policy: P) -> Self {
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
/// [`keyed_by`](Self::keyed_by)). Clones share the buckets.
pub struct RateLimitLayer<P = Global> {
    shared: Arc<Shared<P>>,
}

impl<P> Clone for RateLimitLayer<P> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<P: fmt::Debug> fmt::Debug for RateLimitLayer<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimitLayer")
            .field("gcra", &self.shared.gcra)
            .field("policy", &self.shared.policy)
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
        K: Hash + Eq + Clone,
    {
        RateLimitLayer {
            shared: Arc::new(Shared::new(
                self.shared.gcra,
                Keyed::new(key, DEFAULT_MAX_KEYS),
            )),
        }
    }
}

impl<F, K> RateLimitLayer<Keyed<F, K>> {
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

impl<S, P> Layer<S> for RateLimitLayer<P> {
    type Service = RateLimit<S, P>;

    fn layer(&self, inner: S) -> Self::Service {
        RateLimit {
            inner,
            shared: Arc::clone(&self.shared),
        }
    }
}

/// Answers `429 Too Many Requests` to requests over the limit; built by [`RateLimitLayer`], see
/// the [module docs](self).
pub struct RateLimit<S, P = Global> {
    inner: S,
    shared: Arc<Shared<P>>,
}

impl<S: Clone, P> Clone for RateLimit<S, P> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<S: fmt::Debug, P: fmt::Debug> fmt::Debug for RateLimit<S, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimit")
            .field("inner", &self.inner)
            .field("policy", &self.shared.policy)
            .finish_non_exhaustive()
    }
}

impl<S, P> RateLimit<S, P> {
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

impl<S, P, ReqBody, ResBody> Service<Request<ReqBody>> for RateLimit<S, P>
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
