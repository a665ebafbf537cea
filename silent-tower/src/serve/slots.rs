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
//! the bytes read and the writes. A connection with a request in flight is busy while it writes,
//! or reads at least [`MIN_READ_PROGRESS`](super::activity::MIN_READ_PROGRESS) bytes per look;
//! one without is busy only if it started a request since the last look. So an HTTP/2 client that
//! only sends `PING`s or `SETTINGS` is idle, and so is a client that stopped sending its request
//! body, trickles it in, or stopped reading its response.
//!
//! The table is read under a lock, in one pass, only when the server is at its cap (or, per IP,
//! when one address is at its own): nothing is added to the cost of a request, and a connection
//! costs one lock to join the table and one to leave it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::activity::{Activity, Seen};

/// How often a server at its cap, with every connection busy, looks again for an idle one.
const RESCAN: std::time::Duration = std::time::Duration::from_millis(100);

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

    /// Wakes every connection when dropped: held by an accept loop, declared before its shutdown
    /// channel's sender so that it is dropped after it. A server whose future is dropped before
    /// its shutdown ended is gone, and its connections, woken, read the closed channel as the
    /// end (see `watch::read_phase`): without a wake, an idle one would stay open for ever.
    pub(super) fn wake_all_when_dropped(self: &Arc<Self>) -> WakeAllWhenDropped {
        WakeAllWhenDropped(Arc::clone(self))
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
            if entry.activity.is_detached() {
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
            let rank = (entry.activity.is_detached(), entry.active_at);
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

/// See [`Slots::wake_all_when_dropped`].
pub(super) struct WakeAllWhenDropped(Arc<Slots>);

impl Drop for WakeAllWhenDropped {
    fn drop(&mut self) {
        self.0.wake_all();
    }
}
