//! The token bucket's arithmetic ([`Gcra`]), the shared bucket, and what a layer limits by:
//! one bucket for everything ([`Global`]) or one per key ([`Keyed`]).

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use http::request::Parts;

use super::key::RateLimitKey;
use super::table::Table;
use crate::request_time_logger::PeerAddr;

const NANOS_PER_SECOND: f64 = 1e9;

/// A token bucket of `burst` tokens refilled at `rate` per second, as the generic cell rate
/// algorithm keeps it: one number per bucket, the *theoretical arrival time* (TAT) — the
/// instant at which the bucket would be full again — in nanoseconds since the layer's epoch.
///
/// A request at `now` conforms when `max(tat, now) - now <= tolerance`, where the tolerance is
/// `(burst - 1)` emission intervals; it then moves the TAT one interval (`1 / rate`) later.
/// That admits exactly what a bucket of `burst` tokens refilled continuously would, without
/// fractions of tokens, and a bucket is full exactly when `tat <= now`.
#[derive(Debug, Clone, Copy)]
pub struct Gcra {
    /// Nanoseconds per token.
    interval: u64,
    /// Nanoseconds a TAT may run ahead of the clock: `(burst - 1) * interval`.
    tolerance: u64,
}

impl Gcra {
    /// # Panics
    ///
    /// When `rate` is not a finite number above 0 and at most 10⁹ (one token per nanosecond),
    /// or `burst` is 0.
    pub(super) fn new(rate: f64, burst: usize) -> Self {
        assert!(
            rate.is_finite() && rate > 0.0 && rate <= NANOS_PER_SECOND,
            "rate limit: the rate must be a number of requests per second above 0 and at most \
             1e9, not {rate}"
        );
        assert!(burst >= 1, "rate limit: the burst must be at least 1");
        let interval = (NANOS_PER_SECOND / rate).round() as u64;
        let burst = u64::try_from(burst).unwrap_or(u64::MAX);
        Self {
            interval,
            tolerance: (burst - 1).saturating_mul(interval),
        }
    }

    /// `Ok(new_tat)` when a request at `now` conforms, else `Err(nanoseconds until it would)`.
    pub(super) fn decide(self, tat: u64, now: u64) -> Result<u64, u64> {
        let ahead = tat.saturating_sub(now);
        if ahead > self.tolerance {
            Err(ahead - self.tolerance)
        } else {
            Ok(now.max(tat).saturating_add(self.interval))
        }
    }

    /// The time one token takes to come back: `1 / rate`.
    pub fn interval(self) -> Duration {
        Duration::from_nanos(self.interval)
    }

    /// How far ahead of the clock a bucket's theoretical arrival time may run and a request still
    /// conform: `(burst - 1)` intervals.
    pub fn tolerance(self) -> Duration {
        Duration::from_nanos(self.tolerance)
    }

    /// The longest wait [`decide`](Self::decide) can answer, in whole seconds rounded up: one
    /// interval, since no admission moves the TAT further than `now + tolerance + interval`.
    pub(super) fn longest_wait_secs(self) -> u64 {
        self.interval.div_ceil(1_000_000_000)
    }
}

/// One bucket in an atomic: a lock-free compare-and-swap loop on its TAT.
#[derive(Debug, Default)]
pub struct AtomicBucket {
    tat: AtomicU64,
}

impl AtomicBucket {
    pub(super) fn acquire(&self, gcra: Gcra, now: u64) -> Result<(), u64> {
        let mut tat = self.tat.load(Ordering::Acquire);
        loop {
            let new_tat = gcra.decide(tat, now)?;
            match self
                .tat
                .compare_exchange_weak(tat, new_tat, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return Ok(()),
                Err(current) => tat = current,
            }
        }
    }
}

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
