//! The pool through its public API: outputs, drops, buffer reuse, the classes, the cap, and
//! futures moved to another thread. These run under Miri too
//! (`cargo +nightly miri test -p silent-tower-pool`), which checks every read and write the
//! handle makes into its buffer.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use silent_tower_pool::{free_buffers, kept, PooledFuture, LARGEST};

fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// Free buffers of `bytes` on this thread.
fn free(bytes: usize) -> usize {
    free_buffers()
        .iter()
        .find(|(size, _)| *size == bytes)
        .map(|(_, count)| *count)
        .expect("a class of that size")
}

/// A future of a little over `N` bytes: it holds `N` bytes across an `.await`.
async fn holding<const N: usize>(byte: u8) -> u8 {
    let scratch = [byte; N];
    std::future::ready(()).await;
    scratch[N - 1]
}

/// Counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Pending once, then ready with what it holds.
fn pending_once<T>(value: T, bytes: [u8; 64]) -> impl Future<Output = (T, u8)> + Send
where
    T: Send,
{
    let mut yielded = false;
    let mut value = Some(value);
    std::future::poll_fn(move |cx| {
        if yielded {
            Poll::Ready((value.take().expect("polled after ready"), bytes[63]))
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
}

#[test]
fn a_future_is_polled_in_place_until_it_is_ready() {
    let mut future = PooledFuture::new(pending_once(String::from("out"), [9; 64]));
    assert!(poll_once(Pin::new(&mut future)).is_pending());
    // The handle moves; the future does not.
    let mut moved = future;
    assert_eq!(
        poll_once(Pin::new(&mut moved)),
        Poll::Ready((String::from("out"), 9))
    );
}

#[test]
fn the_handle_is_four_words_whatever_it_holds() {
    let small = PooledFuture::new(async { 1u8 });
    let large = PooledFuture::new(holding::<3000>(3));
    assert_eq!(
        std::mem::size_of_val(&small),
        4 * std::mem::size_of::<usize>()
    );
    assert_eq!(
        std::mem::size_of_val(&large),
        4 * std::mem::size_of::<usize>()
    );
}

#[test]
fn dropping_a_pending_future_drops_what_it_holds_once_and_gives_its_buffer_back() {
    let drops = Arc::new(AtomicUsize::new(0));
    let before = free(128);
    let mut future = PooledFuture::new(pending_once(Counted(Arc::clone(&drops)), [0; 64]));
    assert!(poll_once(Pin::new(&mut future)).is_pending());
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    drop(future);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    assert_eq!(free(128), before.max(1));
}

#[test]
fn a_finished_future_is_dropped_once_too() {
    let drops = Arc::new(AtomicUsize::new(0));
    let held = Counted(Arc::clone(&drops));
    let mut future = PooledFuture::new(async move {
        let _held = held;
        7
    });
    assert_eq!(poll_once(Pin::new(&mut future)), Poll::Ready(7));
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "dropped when the async block ended"
    );
    drop(future);
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "and not again with the handle"
    );
}

#[test]
fn the_next_future_of_a_class_takes_the_buffer_the_last_one_gave_back() {
    drop(PooledFuture::new(holding::<200>(1)));
    let kept = free(256);
    assert!(kept >= 1);
    let future = PooledFuture::new(holding::<200>(2));
    assert_eq!(free(256), kept - 1, "taken from the free list");
    drop(future);
    assert_eq!(free(256), kept, "and given back");
}

#[test]
fn each_future_takes_the_smallest_class_that_holds_it() {
    // A future that holds its 300 bytes across an `.await` is a little over 300 bytes.
    let future = PooledFuture::new(holding::<300>(5));
    let before = free(512);
    drop(future);
    assert_eq!(free(512), before + 1);
}

#[test]
fn a_future_larger_than_the_largest_class_is_boxed_and_still_runs() {
    async fn large() -> usize {
        let scratch = [7u8; 2 * LARGEST];
        std::future::ready(()).await;
        scratch.iter().map(|&b| b as usize).sum()
    }
    fn holds_of<F: Future<Output = usize> + Send + 'static>(_: &F) -> bool {
        PooledFuture::<usize>::holds::<F>()
    }
    let future = large();
    assert!(!holds_of(&future));
    let mut pooled = pin!(PooledFuture::new(future));
    assert_eq!(poll_once(pooled.as_mut()), Poll::Ready(7 * 2 * LARGEST));
}

#[test]
fn an_over_aligned_future_is_boxed_and_still_runs() {
    #[repr(align(64))]
    struct Aligned(u8);
    async fn over_aligned(value: Aligned) -> u8 {
        let held = value;
        std::future::ready(()).await;
        held.0
    }
    let future = over_aligned(Aligned(4));
    fn holds_of<F: Future<Output = u8> + Send + 'static>(_: &F) -> bool {
        PooledFuture::<u8>::holds::<F>()
    }
    assert!(!holds_of(&future));
    let mut pooled = PooledFuture::new(future);
    assert_eq!(poll_once(Pin::new(&mut pooled)), Poll::Ready(4));
}

#[test]
fn a_thread_keeps_no_more_buffers_than_its_cap() {
    let futures: Vec<_> = (0..kept(1024) + 8)
        .map(|i| PooledFuture::new(holding::<900>(i as u8)))
        .collect();
    drop(futures);
    assert_eq!(free(1024), kept(1024));
    assert_eq!(kept(1024), 256);
}

#[test]
fn a_future_dropped_on_another_thread_gives_its_buffer_to_that_thread() {
    let drops = Arc::new(AtomicUsize::new(0));
    let mut future = PooledFuture::new(pending_once(Counted(Arc::clone(&drops)), [0; 64]));
    assert!(poll_once(Pin::new(&mut future)).is_pending());
    let free_there = std::thread::spawn(move || {
        let before = free(128);
        assert!(poll_once(Pin::new(&mut future)).is_ready());
        drop(future);
        free(128) - before
    })
    .join()
    .expect("the other thread");
    assert_eq!(free_there, 1);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn a_future_whose_drop_panics_still_gives_its_buffer_back() {
    struct Panics;
    impl Drop for Panics {
        fn drop(&mut self) {
            panic!("a drop that panics");
        }
    }
    let held = Panics;
    let future = PooledFuture::new(async move {
        std::future::pending::<()>().await;
        drop(held);
    });
    let before = free(128);
    let dropped = catch_unwind(AssertUnwindSafe(|| drop(future)));
    assert!(dropped.is_err());
    assert_eq!(free(128), before + 1);
}

#[test]
fn the_handle_is_send_sync_and_unpin() {
    fn check<T: Send + Sync + Unpin>() {}
    check::<PooledFuture<String>>();
    // Even when the output is neither `Send` nor `Sync`: no output is ever held.
    check::<PooledFuture<std::rc::Rc<u8>>>();
}

#[test]
fn a_filled_thread_allocates_nothing_for_its_futures() {
    silent_tower_pool::fill(2);
    assert!(free_buffers().iter().all(|(_, count)| *count >= 2));
    let before = free(512);
    let (a, b) = (
        PooledFuture::new(holding::<300>(1)),
        PooledFuture::new(holding::<400>(2)),
    );
    assert_eq!(free(512), before - 2, "both taken from the free list");
    drop((a, b));
    assert_eq!(free(512), before);
}
