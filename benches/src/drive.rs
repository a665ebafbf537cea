//! Driving a future to completion without running a runtime loop.
//!
//! Every handler here is ready at once, so one poll with a no-op waker finishes a request — no
//! scheduler, no task, no wake-up in the measurement. The runtime is only *entered* (by the
//! caller, once), so that timers can be created; a future that does return `Pending` (a peer that
//! hops through its runtime) falls back to `block_on`.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use tokio::runtime::Runtime;

/// A current-thread runtime with timers, leaked: the benches and bins keep one for their life.
pub fn runtime() -> &'static Runtime {
    Box::leak(Box::new(
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread tokio runtime"),
    ))
}

/// Polls `future` once with a no-op waker; if it is not ready, runs it on `rt`.
///
/// The caller must have entered `rt` (`let _guard = rt.enter();`).
///
/// Always inlined, like [`call`]: out of line, it moves the future into its own frame, a copy
/// of the whole future (a `memcpy` for a large one) that the counts would then include or not
/// as LLVM's inlining choices go, and those change as cases are added.
#[inline(always)]
pub fn ready<F: Future>(rt: &Runtime, future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => rt.block_on(future),
    }
}

/// Waits, with a no-op waker, for a tower service to be ready, then calls it and drives the call.
#[inline(always)]
pub fn call<S, R>(rt: &Runtime, service: &mut S, request: R) -> Result<S::Response, S::Error>
where
    S: tower::Service<R>,
{
    ready(rt, std::future::poll_fn(|cx| service.poll_ready(cx)))?;
    ready(rt, service.call(request))
}
