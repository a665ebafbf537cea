//! What a layer limits by: one bucket for everything ([`Global`]) or one per key ([`Keyed`]).

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use http::request::Parts;

use super::gcra::{AtomicBucket, Gcra};
use super::key::RateLimitKey;
use super::table::Table;
use crate::request_time_logger::PeerAddr;

/// What a rate limit counts requests by. Implemented by [`Global`] and [`Keyed`]; sealed.
pub trait Policy: sealed::Sealed {}

impl<P: sealed::Sealed> Policy for P {}

/// Every request through the layer draws from one bucket.
#[derive(Debug, Clone, Copy, Default)]
pub struct Global;

/// Each key drawn from the request by `F` has a bucket of its own, in a table of at most
/// `max_keys` keys; requests without a key share one bucket. See
/// [`RateLimitLayer::keyed_by`](super::RateLimitLayer::keyed_by).
pub struct Keyed<F, K> {
    pub(super) key: F,
    pub(super) table: Mutex<Table<K>>,
    /// Keys longer than this draw from the shared bucket.
    pub(super) max_key_bytes: AtomicUsize,
}

impl<F, K> std::fmt::Debug for Keyed<F, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyed")
            .field("tracked_keys", &self.len())
            .finish_non_exhaustive()
    }
}

impl<F, K> Keyed<F, K> {
    pub(super) fn new(key: F, max_keys: usize) -> Self {
        Self {
            key,
            table: Mutex::new(Table::new(max_keys)),
            max_key_bytes: AtomicUsize::new(super::DEFAULT_MAX_KEY_BYTES),
        }
    }

    /// The key of a request that is tracked on its own: `None` when the function gives none or
    /// the key is longer than the bound.
    fn tracked_key(&self, parts: &Parts) -> Option<K>
    where
        F: Fn(&Parts) -> Option<K>,
        K: RateLimitKey,
    {
        let key = (self.key)(parts)?;
        (key.key_len() <= self.max_key_bytes.load(Ordering::Relaxed)).then_some(key)
    }

    pub(super) fn len(&self) -> usize {
        self.lock().len()
    }

    pub(super) fn max_keys(&self) -> usize {
        self.lock().max_keys()
    }

    pub(super) fn set_max_keys(&self, max_keys: usize) {
        self.lock().set_max_keys(max_keys);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table<K>> {
        self.table.lock().unwrap_or_else(|poisoned| {
            // The key's `Hash`, `Eq` or `Clone` panicked while the table was being changed, and
            // may have left it half-updated: start again from an empty table (every bucket full)
            // rather than fail every request after this one.
            let mut table = poisoned.into_inner();
            table.clear();
            self.table.clear_poison();
            table
        })
    }
}

impl<F, K> sealed::Sealed for Keyed<F, K>
where
    F: Fn(&Parts) -> Option<K>,
    K: RateLimitKey,
{
    /// Draws from the request's key's bucket, or from `shared` when the request has no key, a
    /// key over the byte bound, or one the table has no room for.
    fn acquire(
        &self,
        parts: &Parts,
        gcra: Gcra,
        now: u64,
        shared: &AtomicBucket,
    ) -> Result<(), u64> {
        let Some(key) = self.tracked_key(parts) else {
            return shared.acquire(gcra, now);
        };
        let outcome = self.lock().acquire(key, gcra, now);
        outcome.unwrap_or_else(|| shared.acquire(gcra, now))
    }

    fn store_key(&self, parts: &Parts, out: &mut Vec<u8>) {
        match self.tracked_key(parts) {
            Some(key) => {
                out.extend_from_slice(b"key:");
                key.write_key(out);
            }
            None => out.extend_from_slice(b"shared"),
        }
    }
}

/// The client's IP address, from a [`PeerAddr`] extension (which `silent_tower::serve` inserts
/// with `.with_peer_addr()`) or else a bare [`SocketAddr`] one; `None` without either.
///
/// The port is left out on purpose: a client opens a new port with every connection. Pass it to
/// [`RateLimitLayer::keyed_by`](super::RateLimitLayer::keyed_by) to limit each client address.
///
/// Behind a reverse proxy every request comes from the proxy: key by the header it sets
/// instead (e.g. the last `X-Forwarded-For` entry your proxy appends), with a closure. An IPv6
/// client usually holds a whole `/64` and can rotate through it: a closure keying IPv6 clients
/// by their first 64 bits limits them as one.
pub fn peer_ip(parts: &Parts) -> Option<IpAddr> {
    let extensions = &parts.extensions;
    match extensions.get::<PeerAddr>() {
        Some(PeerAddr(addr)) => Some(addr.ip()),
        None => extensions.get::<SocketAddr>().map(SocketAddr::ip),
    }
}

impl sealed::Sealed for Global {
    fn acquire(&self, _: &Parts, gcra: Gcra, now: u64, shared: &AtomicBucket) -> Result<(), u64> {
        shared.acquire(gcra, now)
    }

    fn store_key(&self, _: &Parts, out: &mut Vec<u8>) {
        out.extend_from_slice(b"global");
    }
}

pub(super) mod sealed {
    use http::request::Parts;

    use super::{AtomicBucket, Gcra};

    pub trait Sealed {
        /// `Err(nanoseconds to wait)` when the request is over the limit.
        fn acquire(
            &self,
            parts: &Parts,
            gcra: Gcra,
            now: u64,
            shared: &AtomicBucket,
        ) -> Result<(), u64>;

        /// Appends the name of the request's bucket in a shared store: `global`, `shared` (no
        /// key, or one over the byte bound) or `key:` and the key's bytes.
        fn store_key(&self, parts: &Parts, out: &mut Vec<u8>);
    }
}
