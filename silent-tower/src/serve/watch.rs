//! [`Watched`]: a connection driven beside what the server asks of it — the shutdown phase,
//! the header read deadline, the idle timeout and eviction.
//!
//! A named future rather than an `async` loop around `tokio::select!`: the task serving a
//! connection is polled at every request, and under many connections its state has gone cold by
//! then. Here one poll is the connection's poll and, when that is pending, three flag loads
//! (see [`poll_signal`]); nothing else is touched until a signal is given.

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use pin_project::pin_project;
use tokio::sync::watch;
use tokio::time::{Instant, Sleep};

use super::activity::Activity;
use super::deadlines::{after, Deadlines, Verdict};

/// Where the server is in its life; every connection watches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    Serving,
    /// The shutdown signal fired: finish what was started, take nothing new.
    Draining,
    /// The shutdown grace ran out: close now.
    Closing,
}

/// What a connection is watched for, besides its own progress.
pub(super) struct Watch {
    pub(super) peer_addr: SocketAddr,
    /// Changes when the server shuts down.
    pub(super) shutdown: watch::Receiver<Phase>,
    /// When the first request head is due (counted from accept), with the timeout that sets
    /// when each later one is.
    pub(super) head_deadline: Option<(Instant, Duration)>,
    pub(super) idle_timeout: Option<Duration>,
    pub(super) activity: Arc<Activity>,
}

impl Watch {
    /// Drives `connection` until it ends or the server ends it; `graceful_shutdown` asks it to
    /// finish its requests and close (hyper's `graceful_shutdown`).
    pub(super) fn drive<C, G>(self, connection: C, graceful_shutdown: G) -> Watched<C, G>
    where
        G: Fn(Pin<&mut C>),
    {
        let deadlines = Deadlines::new(&self.activity, self.head_deadline, self.idle_timeout);
        Watched {
            connection,
            timer: tokio::time::sleep_until(after(Duration::ZERO)),
            graceful_shutdown,
            peer_addr: self.peer_addr,
            shutdown: self.shutdown,
            activity: self.activity,
            deadlines,
            parked: None,
            armed: false,
            closing: false,
        }
    }
}

/// A connection and what watches it; made by [`Watch::drive`]. Ready when the connection ends,
/// is evicted, is closed by a deadline or by the end of the shutdown grace.
#[pin_project]
pub(super) struct Watched<C, G> {
    #[pin]
    connection: C,
    /// The next of the [`Deadlines`]; polled with the activity as its waker, so that the task
    /// does not poll it on every wake.
    #[pin]
    timer: Sleep,
    graceful_shutdown: G,
    peer_addr: SocketAddr,
    shutdown: watch::Receiver<Phase>,
    activity: Arc<Activity>,
    deadlines: Deadlines,
    /// The waker last left in `activity`, so that it is left again only when it changes.
    parked: Option<Waker>,
    /// Whether the timer was set for the first deadline (done at the first poll: it is pinned).
    armed: bool,
    /// Whether the connection was asked to close gracefully.
    closing: bool,
}

impl<C, E, G> Future for Watched<C, G>
where
    C: Future<Output = Result<(), E>>,
    E: fmt::Display,
    G: Fn(Pin<&mut C>),
{
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        if !*this.armed {
            *this.armed = true;
            this.deadlines.arm(this.timer.as_mut(), this.activity);
        }
        loop {
            if let Poll::Ready(result) = this.connection.as_mut().poll(cx) {
                return ended(this.activity, *this.peer_addr, result);
            }
            let signal = match poll_signal(cx, this.activity, this.shutdown, this.parked) {
                Poll::Ready(signal) => signal,
                Poll::Pending => return Poll::Pending,
            };
            let closed = answer(
                signal,
                Answering {
                    connection: this.connection.as_mut(),
                    timer: this.timer.as_mut(),
                    graceful_shutdown: this.graceful_shutdown,
                    peer_addr: *this.peer_addr,
                    shutdown: this.shutdown,
                    activity: this.activity,
                    deadlines: this.deadlines,
                    closing: this.closing,
                },
            );
            if closed {
                return ended(this.activity, *this.peer_addr, Ok::<(), E>(()));
            }
            // As after any signal: the connection may have work (a graceful close to start).
        }
    }
}

/// What [`answer`] needs of a [`Watched`].
struct Answering<'a, C, G> {
    connection: Pin<&'a mut C>,
    timer: Pin<&'a mut Sleep>,
    graceful_shutdown: &'a G,
    peer_addr: SocketAddr,
    shutdown: &'a mut watch::Receiver<Phase>,
    activity: &'a Arc<Activity>,
    deadlines: &'a mut Deadlines,
    closing: &'a mut bool,
}

/// Does what `signal` asks of the connection; `true` when it is to be closed now. Out of line and
/// cold: a signal comes a few times in a connection's life, and its code (the logging above all)
/// would otherwise sit in the middle of the poll every request goes through, where it costs
/// instruction-cache lines the request path needs.
#[cold]
#[inline(never)]
fn answer<C, G: Fn(Pin<&mut C>)>(signal: Signal, at: Answering<'_, C, G>) -> bool {
    let Answering {
        mut connection,
        timer,
        graceful_shutdown,
        peer_addr,
        shutdown,
        activity,
        deadlines,
        closing,
    } = at;
    match signal {
        Signal::Evicted => {
            tracing::debug!(target: "silent_tower::serve", %peer_addr, "closed to make room");
            return true;
        }
        Signal::Phase => {
            let phase = read_phase(shutdown);
            if phase == Phase::Closing {
                tracing::debug!(target: "silent_tower::serve", %peer_addr, "closed at the end of the shutdown grace");
                return true;
            }
            if phase == Phase::Draining && !*closing {
                *closing = true;
                graceful_shutdown(connection.as_mut());
            }
        }
        Signal::Timer => {
            match deadlines.fire(activity, *closing, Instant::now()) {
                Verdict::Carry => {}
                Verdict::CloseGracefully(why) => {
                    tracing::debug!(target: "silent_tower::serve", %peer_addr, "{why}");
                    *closing = true;
                    graceful_shutdown(connection.as_mut());
                }
                Verdict::Close(why) => {
                    tracing::debug!(target: "silent_tower::serve", %peer_addr, "{why}");
                    return true;
                }
            }
            deadlines.arm(timer, activity);
        }
    }
    false
}

/// The connection's end: whatever still holds the IO now (an upgrade) is out of this task's
/// reach. Out of line, as [`answer`] is: once per connection.
#[cold]
#[inline(never)]
fn ended<E: fmt::Display>(
    activity: &Activity,
    peer_addr: SocketAddr,
    result: Result<(), E>,
) -> Poll<()> {
    activity.detach();
    if let Err(error) = result {
        tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "connection error");
    }
    Poll::Ready(())
}

/// What the server asked of a connection.
pub(super) enum Signal {
    /// Close at once: the server needs the slot.
    Evicted,
    /// The shutdown phase changed.
    Phase,
    /// The timer of [`Deadlines`] fired.
    Timer,
}

/// Ready when the connection is evicted or the server's phase changed since it last looked.
/// The waker is left in `activity` (only when it differs from the one left before) before the
/// flags are read, so a signal given in between is not missed: the server sets the flag, then
/// wakes the waker it finds.
pub(super) fn poll_signal(
    cx: &mut Context<'_>,
    activity: &Activity,
    shutdown: &watch::Receiver<Phase>,
    parked: &mut Option<Waker>,
) -> Poll<Signal> {
    if !parked
        .as_ref()
        .is_some_and(|waker| waker.will_wake(cx.waker()))
    {
        activity.park(cx.waker());
        *parked = Some(cx.waker().clone());
    }
    if activity.is_aborted() {
        return Poll::Ready(Signal::Evicted);
    }
    if activity.take_timer_fired() {
        return Poll::Ready(Signal::Timer);
    }
    // A closed channel (the server gone) counts as a change: see `read_phase`.
    if shutdown.has_changed().unwrap_or(true) {
        return Poll::Ready(Signal::Phase);
    }
    Poll::Pending
}

/// The server's phase, as a connection reads it when [`poll_signal`] says it changed. A server
/// whose future was dropped (aborted, or the loser of a `select!`) is gone: nothing will bound
/// a drain any more, so its connections close now. Read as its last phase, `Serving`, a closed
/// channel would signal again at once, and the connection's task would spin.
pub(super) fn read_phase(shutdown: &mut watch::Receiver<Phase>) -> Phase {
    if shutdown.has_changed().is_err() {
        return Phase::Closing;
    }
    *shutdown.borrow_and_update()
}
