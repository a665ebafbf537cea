//! [`RequestTasks`]: the request tasks of one HTTP/3 connection — detached, counted, and
//! abortable all at once.
//!
//! A `JoinSet` would do all three, but it keeps each task's end for the connection to collect:
//! every task that ends wakes the connection's task (through a lock), which then takes the
//! task's output and frees its entry, and that pass of the connection's loop polls everything
//! else it waits on too. The connection needs none of it while it serves: only, when it closes,
//! to know that none is left, or to abort them all. So a task here ends on its own, as hyper's
//! HTTP/2 streams do on TCP; it takes one off a shared count as it ends, and wakes the
//! connection only if the connection is waiting for the count to reach zero: while it closes,
//! or once it holds more than a few ended tasks' handles, to let them go.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use pin_project::pin_project;
use tokio::task::AbortHandle;

/// The fewest handles kept before the ended ones are first let go.
const FIRST_PRUNE: usize = 32;

/// The most handles kept without asking to be woken when no task runs, to let them all go: a
/// handle keeps its task's memory (the request's future, about 1.4 KiB), so a connection idle
/// after a burst of requests would otherwise hold that burst's.
const KEPT_WHEN_IDLE: usize = 8;

/// One HTTP/3 connection's request tasks.
pub(super) struct RequestTasks {
    count: Arc<Count>,
    /// Every task started and not yet seen to have ended: to abort them when the connection is
    /// closed at once. Ended ones are let go when the list has doubled since, so a request
    /// costs one push and, spread over the requests, about one look.
    handles: Vec<AbortHandle>,
    prune_at: usize,
    /// The waker last left in the count, so that it is left again only when it changes.
    parked: Option<Waker>,
}

/// The tasks running, and the connection's waker while it waits for none to be.
#[derive(Debug, Default)]
struct Count {
    running: AtomicUsize,
    /// Set while a waker is left in [`waiting`](Self::waiting): a task that ends only takes the
    /// lock when it is.
    waited_for: AtomicBool,
    waiting: Mutex<Option<Waker>>,
}

impl RequestTasks {
    pub(super) fn new() -> Self {
        Self {
            count: Arc::default(),
            handles: Vec::new(),
            prune_at: FIRST_PRUNE,
            parked: None,
        }
    }

    /// Runs `request` as a task of its own, counted until it ends.
    pub(super) fn spawn<F>(&mut self, request: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.count.running.fetch_add(1, Ordering::Relaxed);
        let counted = Counted {
            request,
            _ends: Ends(Arc::clone(&self.count)),
        };
        let task = tokio::spawn(counted);
        if self.handles.len() >= self.prune_at {
            self.handles.retain(|handle| !handle.is_finished());
            self.prune_at = (self.handles.len() * 2).max(FIRST_PRUNE);
        }
        self.handles.push(task.abort_handle());
    }

    /// Whether no task is running.
    pub(super) fn is_empty(&self) -> bool {
        self.count.running.load(Ordering::SeqCst) == 0
    }

    /// Whether the connection should wait for no task to run, then [`let_go`](Self::let_go):
    /// more handles are kept than an idle connection should hold.
    pub(super) fn holds_many(&self) -> bool {
        self.handles.len() > KEPT_WHEN_IDLE
    }

    /// Ready once no task is running.
    pub(super) fn poll_all_ended(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.is_empty() {
            return Poll::Ready(());
        }
        // A waker left before and not yet taken is left again only if it changed.
        let left = self.count.waited_for.load(Ordering::SeqCst)
            && self
                .parked
                .as_ref()
                .is_some_and(|waker| waker.will_wake(cx.waker()));
        if !left {
            // The flag is only written under the lock, so a task that ends while this runs
            // either takes this waker or sees the flag this sets.
            let mut waiting = self
                .count
                .waiting
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            match &mut *waiting {
                Some(waker) => waker.clone_from(cx.waker()),
                None => *waiting = Some(cx.waker().clone()),
            }
            self.count.waited_for.store(true, Ordering::SeqCst);
            self.parked = Some(cx.waker().clone());
        }
        // The last task may have ended before the waker was left: look again.
        if self.is_empty() {
            return Poll::Ready(());
        }
        Poll::Pending
    }

    /// Waits until no task is running.
    pub(super) async fn all_ended(&mut self) {
        std::future::poll_fn(|cx| self.poll_all_ended(cx)).await;
    }

    /// Lets go of the handles of tasks that have ended: all of them when none runs.
    pub(super) fn let_go(&mut self) {
        if self.is_empty() {
            self.handles.clear();
        } else {
            self.handles.retain(|handle| !handle.is_finished());
        }
        self.prune_at = (self.handles.len() * 2).max(FIRST_PRUNE);
    }

    /// Aborts every task still running: each ends at its next `.await`, its response unsent.
    fn abort_all(&mut self) {
        for handle in self.handles.drain(..) {
            handle.abort();
        }
    }
}

/// Dropping the connection's tasks aborts those still running, as dropping a `JoinSet` does.
impl Drop for RequestTasks {
    fn drop(&mut self) {
        self.abort_all();
    }
}

/// A request's future, counted until it ends (or is aborted: the count is in what it drops).
#[pin_project]
struct Counted<F> {
    #[pin]
    request: F,
    _ends: Ends,
}

impl<F: Future<Output = ()>> Future for Counted<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.project().request.poll(cx)
    }
}

/// Takes one task off the count when dropped; wakes the connection if it was the last and the
/// connection is waiting for it.
struct Ends(Arc<Count>);

impl Drop for Ends {
    fn drop(&mut self) {
        let count = &self.0;
        if count.running.fetch_sub(1, Ordering::SeqCst) == 1
            && count.waited_for.load(Ordering::SeqCst)
        {
            let waker = {
                let mut waiting = count.waiting.lock().unwrap_or_else(PoisonError::into_inner);
                count.waited_for.store(false, Ordering::SeqCst);
                waiting.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn all_ended_waits_for_every_task() {
        let mut tasks = RequestTasks::new();
        let (release, released) = tokio::sync::watch::channel(false);
        for _ in 0..3 {
            let mut released = released.clone();
            tasks.spawn(async move {
                let _ = released.wait_for(|go| *go).await;
            });
        }
        assert!(!tasks.is_empty());
        let waited = tokio::time::timeout(Duration::from_millis(50), tasks.all_ended()).await;
        assert!(waited.is_err(), "three tasks are still waiting");
        release.send_replace(true);
        tokio::time::timeout(Duration::from_secs(5), tasks.all_ended())
            .await
            .expect("every task ended");
        assert!(tasks.is_empty());
    }

    #[tokio::test]
    async fn abort_all_ends_a_task_that_would_never_end() {
        let mut tasks = RequestTasks::new();
        tasks.spawn(std::future::pending());
        tasks.abort_all();
        tokio::time::timeout(Duration::from_secs(5), tasks.all_ended())
            .await
            .expect("the aborted task was counted out");
    }

    #[tokio::test]
    async fn an_idle_connection_lets_go_of_every_ended_task() {
        let mut tasks = RequestTasks::new();
        for _ in 0..=KEPT_WHEN_IDLE {
            tasks.spawn(async {});
        }
        assert!(tasks.holds_many());
        tokio::time::timeout(Duration::from_secs(5), tasks.all_ended())
            .await
            .expect("every task ended");
        tasks.let_go();
        assert!(tasks.handles.is_empty());
        assert!(!tasks.holds_many());
    }

    #[tokio::test]
    async fn ended_tasks_are_let_go_as_the_list_grows() {
        let mut tasks = RequestTasks::new();
        for _ in 0..1_000 {
            tasks.spawn(async {});
            tokio::task::yield_now().await;
        }
        tasks.all_ended().await;
        assert!(
            tasks.handles.len() <= 2 * FIRST_PRUNE,
            "{} handles kept",
            tasks.handles.len()
        );
    }
}
