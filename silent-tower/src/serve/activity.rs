//! What one connection has been doing, shared by its IO, its service, its task and the slot
//! table: the requests started and in flight, the bytes read and the writes, when the last
//! request ended, and the flags that tell the connection's task to close or to look at its timer.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Wake, Waker};

use tokio::sync::Notify;
use tokio::time::Instant;

/// The request-body bytes a connection with a request in flight must receive per look to count
/// as busy when it writes nothing: a client that trickles its body in (a byte every few seconds,
/// to hold a slot for ever at no cost) is idle. 1 KiB per `idle_timeout` (120 s by default) is
/// under 9 bytes a second, slower than any real upload.
pub(super) const MIN_READ_PROGRESS: u64 = 1024;

/// One in flight, in the low half of [`Activity::requests`].
const IN_FLIGHT_ONE: u64 = 1;
/// One started, in the high half of [`Activity::requests`].
const STARTED_ONE: u64 = 1 << 32;

/// What one connection has been doing; shared by its IO, its service and the slot table.
#[derive(Debug)]
pub(super) struct Activity {
    /// When the connection was accepted: the origin of [`ended_at`](Self::ended_at).
    born: Instant,
    /// When the last request ended (its response body sent or dropped), in nanoseconds after
    /// [`born`](Self::born): an HTTP/1 connection's next request head is due a header read
    /// timeout after it.
    ended_at: AtomicU64,
    /// The connection carries many requests at once — HTTP/2 (the client sent the preface) or
    /// HTTP/3 — so no request head is timed on it: HTTP/2 has none to time, HTTP/3 times each
    /// stream's own.
    multiplexed: AtomicBool,
    /// The connection's timer fired (see [`deadlines`](super::deadlines)): the activity is the
    /// timer's waker.
    timer_fired: AtomicBool,
    /// Bytes read.
    read: AtomicU64,
    /// Writes that moved bytes.
    writes: AtomicU64,
    /// Requests started (high 32 bits, wrapping) and in flight (low 32 bits): one word, so a
    /// request costs one atomic add when it starts and one when it ends.
    requests: AtomicU64,
    /// Told when the server needs the slot back, or is past its shutdown grace: close now.
    evict: Notify,
    /// Set with [`evict`](Self::evict): an IO that outlived its HTTP connection (an upgrade)
    /// fails its next read or write.
    aborted: AtomicBool,
    /// No task drives the connection any more (it was upgraded): it is told to close through
    /// its IO, and is chosen to make room only after every connection that was not upgraded.
    detached: AtomicBool,
    /// The task of an upgraded connection, parked on its IO: woken by [`evict`](Self::evict),
    /// so that it sees the IO fail. Only set once [`detached`](Self::detached).
    parked: Mutex<Option<Waker>>,
}

/// A snapshot of an [`Activity`], to compare with a later one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Seen {
    started: u32,
    read: u64,
    writes: u64,
}

impl Activity {
    pub(super) fn new() -> Self {
        Self {
            born: Instant::now(),
            ended_at: AtomicU64::new(0),
            multiplexed: AtomicBool::new(false),
            timer_fired: AtomicBool::new(false),
            read: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            evict: Notify::new(),
            aborted: AtomicBool::new(false),
            detached: AtomicBool::new(false),
            parked: Mutex::new(None),
        }
    }

    // Only the IO counts reads and writes, so a load and a store (no locked instruction) cannot
    // lose counts.
    pub(super) fn read_bytes(&self, bytes: usize) {
        self.read.store(
            self.read.load(Ordering::Relaxed) + bytes as u64,
            Ordering::Relaxed,
        );
    }

    pub(super) fn wrote_bytes(&self) {
        self.writes
            .store(self.writes.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    pub(super) fn request_started(&self) {
        self.requests
            .fetch_add(STARTED_ONE + IN_FLIGHT_ONE, Ordering::Relaxed);
    }

    pub(super) fn request_ended(&self) {
        // One clock read per HTTP/1 request, where hyper's own header read timeout boxes and
        // arms a timer for every request head: see `deadlines::next_head_deadline`. HTTP/2 and
        // HTTP/3 time no heads here, so their requests skip the clock (about 65 instructions of
        // a stream's 24 000).
        if !self.is_multiplexed() {
            let since_born = Instant::now().saturating_duration_since(self.born);
            // Plus one, so that 0 says no request has ended yet.
            let nanos = u64::try_from(since_born.as_nanos()).unwrap_or(u64::MAX - 1);
            self.ended_at.store(nanos + 1, Ordering::Relaxed);
        }
        self.requests.fetch_sub(IN_FLIGHT_ONE, Ordering::Relaxed);
    }

    /// When the connection was accepted.
    pub(super) fn born(&self) -> Instant {
        self.born
    }

    /// When the last request ended; `None` before any has.
    pub(super) fn last_request_ended_at(&self) -> Option<Instant> {
        match self.ended_at.load(Ordering::Relaxed) {
            0 => None,
            nanos => self
                .born
                .checked_add(std::time::Duration::from_nanos(nanos - 1)),
        }
    }

    /// Whether a request is in flight now.
    pub(super) fn has_request_in_flight(&self) -> bool {
        Self::in_flight(self.requests.load(Ordering::Relaxed)) > 0
    }

    pub(super) fn timer_fired(&self) {
        self.timer_fired.store(true, Ordering::SeqCst);
        self.nudge();
    }

    /// Whether the timer fired since the last call.
    pub(super) fn take_timer_fired(&self) -> bool {
        self.timer_fired.load(Ordering::Relaxed) && self.timer_fired.swap(false, Ordering::SeqCst)
    }

    pub(super) fn mark_multiplexed(&self) {
        self.multiplexed.store(true, Ordering::Relaxed);
    }

    pub(super) fn is_multiplexed(&self) -> bool {
        self.multiplexed.load(Ordering::Relaxed)
    }

    fn in_flight(requests: u64) -> u32 {
        requests as u32
    }

    pub(super) fn seen(&self) -> (Seen, bool) {
        let requests = self.requests.load(Ordering::Relaxed);
        let seen = Seen {
            started: (requests >> 32) as u32,
            read: self.read.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
        };
        (seen, Self::in_flight(requests) > 0)
    }

    /// Whether the connection did nothing that counts between `before` and now, and the new
    /// snapshot. Bytes count only while a request is in flight: without one, they are control
    /// frames (HTTP/2 `PING`, `SETTINGS`, `WINDOW_UPDATE`), a TLS handshake or a request head
    /// still arriving, which the header read timeout bounds. With one, any write that moved
    /// bytes counts (a response going out, however slowly the app sends it: a server-sent event
    /// every minute), but reads count only from [`MIN_READ_PROGRESS`] bytes on.
    pub(super) fn idle_since(&self, before: Seen) -> (bool, Seen) {
        let (now, in_flight) = self.seen();
        let progressed =
            now.writes != before.writes || now.read.wrapping_sub(before.read) >= MIN_READ_PROGRESS;
        let idle = now.started == before.started && (!in_flight || !progressed);
        (idle, now)
    }

    /// Tells the connection to close at once.
    pub(super) fn evict(&self) {
        self.aborted.store(true, Ordering::SeqCst);
        self.evict.notify_one();
        self.nudge();
    }

    /// Wakes the task that left its waker here, to look at the flags and the server's phase.
    pub(super) fn nudge(&self) {
        let parked = self.parked.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(waker) = &*parked {
            waker.wake_by_ref();
        }
    }

    /// Leaves `waker` to be woken by [`evict`](Self::evict) and [`nudge`](Self::nudge). Out of
    /// line: a connection's task leaves its waker once, or when it changes, and an upgraded IO's
    /// reads and writes would otherwise each carry the lock's code.
    #[cold]
    #[inline(never)]
    pub(super) fn park(&self, waker: &Waker) {
        let mut parked = self.parked.lock().unwrap_or_else(PoisonError::into_inner);
        match &mut *parked {
            Some(old) => old.clone_from(waker),
            None => *parked = Some(waker.clone()),
        }
    }

    /// Called by the IO when a read or write has to wait: an upgraded connection leaves its
    /// waker, so that [`evict`](Self::evict) can end the wait. Costs a relaxed load otherwise.
    pub(super) fn parking(&self, cx: &Context<'_>) {
        if self.detached.load(Ordering::Relaxed) {
            self.park(cx.waker());
        }
    }

    /// Resolves once [`evict`](Self::evict) has been called (now or earlier).
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    pub(super) async fn evicted(&self) {
        self.evict.notified().await;
    }

    pub(super) fn is_aborted(&self) -> bool {
        self.aborted.load(Ordering::SeqCst)
    }

    pub(super) fn is_detached(&self) -> bool {
        self.detached.load(Ordering::Relaxed)
    }

    pub(super) fn detach(&self) {
        self.detached.store(true, Ordering::Relaxed);
    }
}

/// The connection's timer wakes the task through its activity: the flag says why it woke.
impl Wake for Activity {
    fn wake(self: Arc<Self>) {
        self.timer_fired();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.timer_fired();
    }
}
