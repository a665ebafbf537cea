//! [`RateLimitStore`]: buckets kept outside the process, shared by every instance that uses the
//! same store, and the service that asks it.

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Request, Response};
use tower_service::Service;

use super::future::StoreResponseFuture;
use super::gcra::Gcra;
use super::{Policy, RateLimit};

/// Why a store could not decide: its own error, boxed (the error path only).
pub type StoreError = Box<dyn std::error::Error + Send + Sync>;

/// A store's answer: `Ok(Ok(()))` admits the request, `Ok(Err(wait))` refuses it until `wait`
/// has passed, `Err` is a failure of the store — the layer then fails open or closed (see
/// [`RateLimitLayer::fail_closed`](super::RateLimitLayer::fail_closed)).
pub type StoreDecision = Result<Result<(), Duration>, StoreError>;

/// Where a [`RateLimitLayer`](super::RateLimitLayer) keeps its buckets when they must be shared
/// beyond one process: given a bucket's name and the limit, decide atomically whether a request
/// conforms, and take its token if it does.
///
/// The decision must be the layer's token bucket, in the generic cell rate algorithm's terms
/// ([`Gcra`]): each bucket is its *theoretical arrival time* `tat`, none meaning a full bucket;
/// at `now`, a request conforms when `max(tat, now) - now <= tolerance`, and then `tat` becomes
/// `max(tat, now) + interval`; otherwise it must wait `max(tat, now) - now - tolerance`. Read,
/// decide and write as one atomic step, on one clock for every instance (the store's own).
///
/// `RedisStore` (feature `redis`) is the one this crate ships. The default
/// is [`InProcess`], which is not a `RateLimitStore`: the layer decides in-process buckets in
/// `call` itself, without a future.
///
/// A store's future is awaited by the layer's [`StoreResponseFuture`], no longer than
/// [`store_timeout`](super::RateLimitLayer::store_timeout); a store need not time itself out.
pub trait RateLimitStore {
    /// The answer, once the store has it.
    type Future: Future<Output = StoreDecision>;

    /// Decides for one request drawing from the bucket named `key` under `gcra`'s limit.
    ///
    /// `key` is `global` for a layer without keys, `shared` for requests without a tracked key,
    /// and `key:` followed by [`RateLimitKey::write_key`](super::RateLimitKey::write_key)'s bytes
    /// otherwise; a store adds its own prefix.
    fn acquire(&self, key: Vec<u8>, gcra: Gcra) -> Self::Future;
}

/// The default place for buckets: this process's memory, a lock-free atomic for the global
/// bucket and a bounded table for keys (see the [module docs](super)). Decided in `call`, with
/// no allocation for an admitted request.
#[derive(Debug, Clone, Copy, Default)]
pub struct InProcess;

/// A shared store: the decision is awaited, then the inner service is called. The ready inner
/// service is moved into the future (and a clone left in its place), the way Tower services
/// that wait before calling their inner service do; so the inner service must be `Clone`.
impl<S, P, St, ReqBody, ResBody> Service<Request<ReqBody>> for RateLimit<S, P, St>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone,
    P: Policy,
    St: RateLimitStore,
    ResBody: Default,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = StoreResponseFuture<S, Request<ReqBody>, P, St>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let shared = &*self.shared;
        let (parts, body) = request.into_parts();
        let mut key = Vec::with_capacity(48);
        shared.policy.store_key(&parts, &mut key);
        let decision = shared.store.acquire(key, shared.gcra);
        let deadline = tokio::time::sleep(shared.store_timeout);
        let clone = self.inner.clone();
        let ready = std::mem::replace(&mut self.inner, clone);
        StoreResponseFuture::new(
            decision,
            deadline,
            ready,
            Request::from_parts(parts, body),
            Arc::clone(&self.shared),
        )
    }
}
