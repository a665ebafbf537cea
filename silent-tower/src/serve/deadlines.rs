//! The deadlines the task serving a connection keeps — the next HTTP/1 request head's and the
//! idle check's (a QUIC connection's task keeps the idle check only) — on one timer that is
//! polled only when it fires.
//!
//! A tokio `Sleep` in a `select!` is polled on every wake of its task, and the task serving a
//! connection wakes several times per request: two timers polled that way cost about 200
//! instructions per request (BENCHMARKS.md). Here the one timer is polled with a waker of its
//! own, the connection's [`Activity`], which sets a flag and wakes the task: a wake that is not
//! the timer's costs the task one flag load (in `watch::poll_signal`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Waker};
use std::time::Duration;

use tokio::time::{Instant, Sleep};

use super::activity::{Activity, Seen};

/// When a connection's next request head is due.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum HeadDeadline {
    /// It is late: close the connection, unanswered.
    Missed,
    /// Look again then.
    At(Instant),
    /// No more heads are timed: the connection is multiplexed (HTTP/2, HTTP/3); the idle
    /// timeout closes it when it idles.
    Untimed,
}

/// The header read timeout, kept by the task that serves the connection with one timer for the
/// connection's whole life: an HTTP/1 request head is due `timeout` after the connection was
/// accepted (for the first one) or after the last response ended, and no head is timed while a
/// request is in flight. hyper keeps the same timeout itself when given one, but boxes and arms
/// a new timer for every request head it reads: about 1 500 instructions and an allocation per
/// request, 15 % of a whole plain-text request (BENCHMARKS.md).
pub(super) fn next_head_deadline(
    activity: &Activity,
    timeout: Duration,
    now: Instant,
) -> HeadDeadline {
    if activity.is_multiplexed() {
        return HeadDeadline::Untimed;
    }
    if activity.has_request_in_flight() {
        // The next head's clock starts when this request ends, later than now.
        return now
            .checked_add(timeout)
            .map_or(HeadDeadline::Untimed, HeadDeadline::At);
    }
    let since = activity
        .last_request_ended_at()
        .unwrap_or_else(|| activity.born());
    match since.checked_add(timeout) {
        Some(due) if due <= now => HeadDeadline::Missed,
        Some(due) => HeadDeadline::At(due),
        None => HeadDeadline::Untimed,
    }
}

/// What a connection must do when its timer fires.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Nothing yet.
    Carry,
    /// Ask it to close: it has been idle (the reason, for the log).
    CloseGracefully(&'static str),
    /// Close it now.
    Close(&'static str),
}

/// One deadline and the timeout that sets the next.
#[derive(Clone, Copy, Debug)]
struct Timed {
    due: Instant,
    timeout: Duration,
}

/// A connection's deadlines and its one timer.
pub(super) struct Deadlines {
    head: Option<Timed>,
    idle: Option<Timed>,
    /// What the connection had done at the last idle check.
    seen: Seen,
    /// The connection's activity as a waker: firing sets its flag and wakes the task.
    waker: Waker,
}

impl Deadlines {
    /// The first request head is due at `first_head` (with the `timeout` for the later ones); an
    /// idle check runs every `idle_timeout`.
    pub(super) fn new(
        activity: &Arc<Activity>,
        head: Option<(Instant, Duration)>,
        idle_timeout: Option<Duration>,
    ) -> Self {
        Self {
            head: head.map(|(due, timeout)| Timed { due, timeout }),
            idle: idle_timeout.map(|timeout| Timed {
                due: after(timeout),
                timeout,
            }),
            seen: Seen::default(),
            waker: Waker::from(Arc::clone(activity)),
        }
    }

    /// Sets `timer` to the earliest deadline and leaves the activity's waker in it. A deadline
    /// already past sets the flag at once.
    pub(super) fn arm(&self, timer: Pin<&mut Sleep>, activity: &Activity) {
        let due = match (self.head, self.idle) {
            (Some(head), Some(idle)) => head.due.min(idle.due),
            (Some(only), None) | (None, Some(only)) => only.due,
            (None, None) => return,
        };
        let mut timer = timer;
        timer.as_mut().reset(due);
        if timer.poll(&mut Context::from_waker(&self.waker)).is_ready() {
            activity.timer_fired();
        }
    }

    /// What the deadlines that are due at `now` ask for. `closing`: the connection was already
    /// asked to close.
    pub(super) fn fire(&mut self, activity: &Activity, closing: bool, now: Instant) -> Verdict {
        if let Some(head) = &mut self.head {
            if now >= head.due {
                match next_head_deadline(activity, head.timeout, now) {
                    HeadDeadline::Missed => {
                        return Verdict::Close(
                            "no request head before the header read timeout: closed",
                        )
                    }
                    HeadDeadline::At(due) => head.due = due,
                    HeadDeadline::Untimed => self.head = None,
                }
            }
        }
        if let Some(idle) = &mut self.idle {
            if now >= idle.due {
                let (idle_now, seen) = activity.idle_since(self.seen);
                self.seen = seen;
                idle.due = after(idle.timeout);
                if idle_now && closing {
                    // Asked to close and still idle a whole timeout later: a client that stopped
                    // reading or sending, or that ignores GOAWAY.
                    return Verdict::Close("idle after a graceful close: closed");
                }
                if idle_now {
                    return Verdict::CloseGracefully("idle timeout");
                }
            }
        }
        Verdict::Carry
    }
}

/// `timeout` from now, or a moment decades away if that cannot be represented.
pub(super) fn after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(86_400 * 365 * 30))
}
