//! The token bucket's arithmetic ([`Gcra`]) and the bucket shared by every request when a layer
//! has one bucket for everything, in an atomic ([`AtomicBucket`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

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
