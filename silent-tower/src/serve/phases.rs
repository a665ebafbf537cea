//! [`Phases`]: a future, then the future made from what it gave, in the same bytes.
//!
//! An `async` block that awaits one future after another keeps room for every value it
//! captured for its whole life, beside the room of the future it awaits: a value moved into the
//! first future is held twice, and what only the first phase needs is still held in the last.
//! HTTP/3 spawns a task per request, and the task's future is moved whole several times on its
//! way into the task: `Phases` lets its phases share their bytes, as an enum does.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pin_project::pin_project;

/// Runs `first`; gives its output to `then`, and runs the future `then` makes, if it makes one.
/// Ready with that future's output, or with the output's default when `then` makes none.
#[pin_project(project = PhasesProj)]
pub(super) enum Phases<A, F, B> {
    First {
        #[pin]
        first: A,
        /// Taken when `first` is ready: `Some` until then.
        then: Option<F>,
    },
    Second {
        #[pin]
        second: B,
    },
    Done,
}

impl<A, F, B> Phases<A, F, B>
where
    A: Future,
    F: FnOnce(A::Output) -> Option<B>,
    B: Future<Output: Default>,
{
    pub(super) fn new(first: A, then: F) -> Self {
        Phases::First {
            first,
            then: Some(then),
        }
    }
}

impl<A, F, B> Future for Phases<A, F, B>
where
    A: Future,
    F: FnOnce(A::Output) -> Option<B>,
    B: Future<Output: Default>,
{
    type Output = B::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<B::Output> {
        loop {
            match self.as_mut().project() {
                PhasesProj::First { first, then } => {
                    let output = ready!(first.poll(cx));
                    let then = then
                        .take()
                        .expect("`then` is taken once, when `first` is ready");
                    match then(output) {
                        Some(second) => self.set(Phases::Second { second }),
                        None => {
                            self.set(Phases::Done);
                            return Poll::Ready(B::Output::default());
                        }
                    }
                }
                PhasesProj::Second { second } => {
                    let output = ready!(second.poll(cx));
                    self.set(Phases::Done);
                    return Poll::Ready(output);
                }
                PhasesProj::Done => panic!("`Phases` polled after it was ready"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
        future.poll(&mut Context::from_waker(std::task::Waker::noop()))
    }

    #[test]
    fn the_second_phase_gets_the_first_ones_output() {
        let mut phases = std::pin::pin!(Phases::new(async { Some(20) }, |n: Option<u32>| {
            n.map(|n| async move { n + 1 })
        }));
        assert_eq!(poll_once(phases.as_mut()), Poll::Ready(21));
    }

    #[test]
    fn no_second_phase_is_the_default() {
        let mut phases = std::pin::pin!(Phases::new(async { 7 }, |_: u32| {
            None::<std::future::Ready<Option<u8>>>
        }));
        assert_eq!(poll_once(phases.as_mut()), Poll::Ready(None));
    }

    #[test]
    fn a_pending_phase_is_polled_again() {
        let mut yielded = false;
        let first = std::future::poll_fn(move |cx| {
            if yielded {
                Poll::Ready(3)
            } else {
                yielded = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        });
        let mut phases = std::pin::pin!(Phases::new(first, |n: u8| Some(async move { n * 2 })));
        assert_eq!(poll_once(phases.as_mut()), Poll::Pending);
        assert_eq!(poll_once(phases.as_mut()), Poll::Ready(6));
    }

    #[test]
    fn phases_take_the_room_of_the_larger_not_of_both() {
        // Each holds 512 bytes across an await.
        let first = async {
            let held = [1u8; 512];
            std::future::ready(()).await;
            held.len()
        };
        let second = |n: usize| {
            Some(async move {
                let held = [n as u8; 512];
                std::future::ready(()).await;
                held.len()
            })
        };
        let phases = Phases::new(first, second);
        assert!(
            std::mem::size_of_val(&phases) < 512 * 2,
            "{}",
            std::mem::size_of_val(&phases)
        );
    }
}
