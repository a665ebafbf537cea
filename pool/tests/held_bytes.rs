//! `held_bytes`, alone in its own test binary: the count is global, and other tests' threads
//! freeing their lists at exit would move it under this one's feet.

use std::future::Future;

use silent_tower_pool::{free_buffers, held_bytes, kept, PooledFuture};

async fn holding<const N: usize>(byte: u8) -> u8 {
    let scratch = [byte; N];
    std::future::ready(()).await;
    scratch[N - 1]
}

fn pooled<F: Future<Output = u8> + Send + 'static>(future: F) -> PooledFuture<u8> {
    PooledFuture::new(future)
}

#[test]
fn the_bytes_held_count_buffers_made_and_freed_not_taken_or_given_back() {
    let start = held_bytes();
    let kept = kept(2048);
    let futures: Vec<_> = (0..kept + 3)
        .map(|i| pooled(holding::<1500>(i as u8)))
        .collect();
    assert_eq!(held_bytes(), start + (kept + 3) * 2048, "made");
    drop(futures);
    assert_eq!(held_bytes(), start + kept * 2048, "3 freed past the cap");
    let again = pooled(holding::<1500>(1));
    assert_eq!(held_bytes(), start + kept * 2048, "taken, not made");
    drop(again);
    assert_eq!(held_bytes(), start + kept * 2048, "given back, not freed");
    assert_eq!(free_buffers()[4], (2048, kept));
}
