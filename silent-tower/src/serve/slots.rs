//! The connections a server holds, for [`Serve::max_connections`](super::Serve::max_connections)
//! and [`Serve::max_connections_per_ip`](super::Serve::max_connections_per_ip), across TCP and
//! QUIC.
//!
//! Every connection, whatever its protocol, takes a [`Slot`] when it is accepted and gives it
//! back when it closes. The slot holds one permit of the server-wide semaphore and one entry in a
//! table that the accept loops read only when the server is full: then the connection that has
//! been idle the longest is told to close ([`Activity::evict`]) so that the new one can be
//! served. Without this, one client that opens `max_connections` idle connections would lock
//! every other client out; with it, it can only push out idle connections (its own among them),
//! never one serving a request.
//!
//! Idle is judged from [`Activity`], which each connection shares with its IO and its service:
//! the requests started, the requests in flight (from the call to the end of the response body),
//! and the reads and writes that moved bytes. A connection with a request in flight is busy while
//! bytes move; one without is busy only if it started a request since the last look. So an
//! HTTP/2 client that only sends `PING`s or `SETTINGS` is idle, and so is a client that stopped
//! sending its request body or stopped reading its response.
//!
//! The table is read under a lock, in one pass, only when the server is at its cap (or, per IP,
//! when one address is at its own): nothing is added to the cost of a request, and a connection
//! costs one lock to join the table and one to leave it.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{ready, Context, Poll, Wake, Waker};

use http::{Request, Response};
use pin_project::pin_project;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tower_service::Service;

/// How often a server at its cap, with every connection busy, looks again for an idle one.
const RESCAN: std::time::Duration = std::time::Duration::from_millis(100);

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
    /// The client sent the HTTP/2 preface: no request heads are timed on this connection.
    http2: AtomicBool,
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
            http2: AtomicBool::new(false),
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
        // One clock read per request, where hyper's own header read timeout boxes and arms a
        // timer for every request head: see `connection::next_head_deadline`.
        let since_born = Instant::now().saturating_duration_since(self.born);
        // Plus one, so that 0 says no request has ended yet.
        let nanos = u64::try_from(since_born.as_nanos()).unwrap_or(u64::MAX - 1);
        self.ended_at.store(nanos + 1, Ordering::Relaxed);
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

    pub(super) fn mark_http2(&self) {
        self.http2.store(true, Ordering::Relaxed);
    }

    pub(super) fn is_http2(&self) -> bool {
        self.http2.load(Ordering::Relaxed)
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

    /// Leaves `waker` to be woken by [`evict`](Self::evict) and [`nudge`](Self::nudge).
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

/// The server's connections: the cap, the per-IP cap and the table of who is idle.
#[derive(Debug)]
pub(super) struct Slots {
    permits: Option<Arc<Semaphore>>,
    max_per_ip: Option<usize>,
    table: Mutex<Table>,
}

#[derive(Debug, Default)]
struct Table {
    entries: Vec<Option<Entry>>,
    free: Vec<usize>,
    per_ip: HashMap<IpAddr, usize>,
}

#[derive(Debug)]
struct Entry {
    ip: IpAddr,
    activity: Arc<Activity>,
    seen: Seen,
    /// When the connection was last seen doing something, by the scans that look.
    active_at: Instant,
}

/// Why a connection was not given a slot.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Refused {
    /// Its address holds [`Serve::max_connections_per_ip`](super::Serve::max_connections_per_ip)
    /// connections, none of them idle.
    PerIp,
}

impl Slots {
    pub(super) fn new(max: Option<usize>, max_per_ip: Option<usize>) -> Arc<Self> {
        Arc::new(Self {
            permits: max.map(|max| Arc::new(Semaphore::new(max))),
            max_per_ip,
            table: Mutex::new(Table::default()),
        })
    }

    fn table(&self) -> std::sync::MutexGuard<'_, Table> {
        // Nothing panics while holding it; if something did, the table is still consistent
        // enough to serve (at worst a count is off by one).
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A slot for a new connection from `ip`: at once if the server has room, else after the
    /// connection idle the longest has been told to close, else (every connection busy) when one
    /// closes.
    pub(super) async fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Slot, Refused> {
        if let Some(max_per_ip) = self.max_per_ip {
            let mut table = self.table();
            if table.per_ip.get(&ip).copied().unwrap_or(0) >= max_per_ip {
                // The address's own idle connection makes room; never another's.
                match table.longest_idle(Some(ip)) {
                    Some(victim) => victim.evict(),
                    None => return Err(Refused::PerIp),
                }
            }
        }
        let permit = match &self.permits {
            None => None,
            Some(permits) => Some(match Arc::clone(permits).try_acquire_owned() {
                Ok(permit) => permit,
                Err(_) => self.make_room(permits).await,
            }),
        };
        let activity = Arc::new(Activity::new());
        let mut table = self.table();
        if self.max_per_ip.is_some() {
            *table.per_ip.entry(ip).or_insert(0) += 1;
        }
        let entry = Entry {
            ip,
            activity: Arc::clone(&activity),
            seen: Seen::default(),
            active_at: Instant::now(),
        };
        let index = match table.free.pop() {
            Some(index) => {
                table.entries[index] = Some(entry);
                index
            }
            None => {
                table.entries.push(Some(entry));
                table.entries.len() - 1
            }
        };
        Ok(Slot {
            slots: Arc::clone(self),
            index,
            ip,
            activity,
            _permit: permit,
        })
    }

    /// At the cap: closes the longest-idle connection and takes its permit. While every
    /// connection is busy, looks again every [`RESCAN`] until one is idle or closes.
    async fn make_room(&self, permits: &Arc<Semaphore>) -> OwnedSemaphorePermit {
        loop {
            let victim = self.table().longest_idle(None);
            if let Some(victim) = victim {
                tracing::debug!(
                    target: "silent_tower::serve",
                    "at max_connections: closing the longest-idle connection",
                );
                victim.evict();
            }
            tokio::select! {
                permit = Arc::clone(permits).acquire_owned() => {
                    return permit.expect("the semaphore is never closed");
                }
                () = tokio::time::sleep(RESCAN) => {}
            }
        }
    }

    /// Wakes every connection's task, to read the server's new shutdown phase.
    pub(super) fn wake_all(&self) {
        for entry in self.table().entries.iter().flatten() {
            entry.activity.nudge();
        }
    }

    /// Tells every upgraded connection to close at once: the server is done. (The others are
    /// told through the shutdown phase, each by its own accept loop.)
    pub(super) fn evict_detached(&self) {
        for entry in self.table().entries.iter().flatten() {
            if entry.activity.detached.load(Ordering::Relaxed) {
                entry.activity.evict();
            }
        }
    }
}

impl Table {
    /// The connection (of `ip`, if given) with no request in flight that was last seen active
    /// the longest ago; ties go to the one accepted first. Upgraded connections (WebSockets) come
    /// after every other: closing an idle HTTP connection costs its client a reconnect it makes
    /// unseen, closing a WebSocket ends a session. But they can be chosen, or a client could
    /// hold every slot with WebSockets that answer pings and lock every other client out.
    fn longest_idle(&mut self, ip: Option<IpAddr>) -> Option<Arc<Activity>> {
        let now = Instant::now();
        let mut best: Option<((bool, Instant), usize)> = None;
        for (index, entry) in self.entries.iter_mut().enumerate() {
            let Some(entry) = entry else { continue };
            let (seen, in_flight) = entry.activity.seen();
            if seen != entry.seen {
                entry.seen = seen;
                entry.active_at = now;
            }
            if in_flight || ip.is_some_and(|ip| ip != entry.ip) || entry.activity.is_aborted() {
                continue;
            }
            let rank = (
                entry.activity.detached.load(Ordering::Relaxed),
                entry.active_at,
            );
            if best.is_none_or(|(best_rank, _)| rank < best_rank) {
                best = Some((rank, index));
            }
        }
        let (_, index) = best?;
        self.entries[index]
            .as_ref()
            .map(|entry| Arc::clone(&entry.activity))
    }
}

/// One connection's place in [`Slots`]: released when dropped.
#[derive(Debug)]
pub(super) struct Slot {
    slots: Arc<Slots>,
    index: usize,
    ip: IpAddr,
    activity: Arc<Activity>,
    _permit: Option<OwnedSemaphorePermit>,
}

impl Slot {
    pub(super) fn activity(&self) -> &Arc<Activity> {
        &self.activity
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut table = self.slots.table();
        table.entries[self.index] = None;
        table.free.push(self.index);
        if self.slots.max_per_ip.is_some() {
            if let Some(count) = table.per_ip.get_mut(&self.ip) {
                *count -= 1;
                if *count == 0 {
                    table.per_ip.remove(&self.ip);
                }
            }
        }
    }
}

/// Counts a connection's requests in its [`Activity`]: started at the call, in flight until the
/// response body has been sent or dropped.
#[derive(Clone, Debug)]
pub(super) struct CountRequests<S> {
    inner: S,
    activity: Arc<Activity>,
}

impl<S> CountRequests<S> {
    pub(super) fn new(inner: S, activity: Arc<Activity>) -> Self {
        Self { inner, activity }
    }
}

impl<S, ReqBody, B> Service<Request<ReqBody>> for CountRequests<S>
where
    S: Service<Request<ReqBody>, Response = Response<B>>,
{
    type Response = Response<InFlightBody<B>>;
    type Error = S::Error;
    type Future = InFlightFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        self.activity.request_started();
        InFlightFuture {
            inner: self.inner.call(request),
            guard: Some(InFlight(Arc::clone(&self.activity))),
        }
    }
}

/// Ends a request in its [`Activity`] when dropped.
#[derive(Debug)]
pub(super) struct InFlight(Arc<Activity>);

impl InFlight {
    #[cfg_attr(not(feature = "http3"), allow(dead_code))]
    pub(super) fn start(activity: &Arc<Activity>) -> Self {
        activity.request_started();
        Self(Arc::clone(activity))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.request_ended();
    }
}

/// The future of [`CountRequests`]: the response's body carries the in-flight guard on.
#[pin_project]
pub(super) struct InFlightFuture<F> {
    #[pin]
    inner: F,
    guard: Option<InFlight>,
}

impl<F, B, E> Future for InFlightFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<InFlightBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = ready!(this.inner.poll(cx))?;
        let guard = this.guard.take();
        Poll::Ready(Ok(response.map(|body| InFlightBody {
            body,
            _guard: guard,
        })))
    }
}

/// A response body that keeps its request in flight until it is dropped.
#[pin_project]
pub(super) struct InFlightBody<B> {
    #[pin]
    body: B,
    _guard: Option<InFlight>,
}

impl<B: http_body::Body> http_body::Body for InFlightBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<B::Data>, B::Error>>> {
        self.project().body.poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
