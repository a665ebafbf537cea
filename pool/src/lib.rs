//! [`PooledFuture`]: a future of any type behind a handle of four words, written into a buffer
//! taken from a per-thread pool and given back when it is dropped.
//!
//! A router has one future type however many routes it holds, so each route's future is erased
//! into one type. Held inline, in a fixed-size slot, that type is as large as the largest future
//! it must hold (768 bytes for a handler that reads a JSON body), and every move of it copies the
//! whole slot: into a layer's future, into the server's per-connection state — memory that has
//! gone cold when a server holds a thousand connections — and into each HTTP/2 stream's task,
//! which the slot pushed past 1 KiB. Boxed, the future would cost an allocation per request.
//!
//! A `PooledFuture` is neither. The future is written once, into a buffer of the smallest of a
//! few size classes that holds it (128 bytes to 4 KiB), taken from a free list kept by the
//! current thread: the buffer the last request on this thread gave back, still in cache. Moving
//! the handle copies 32 bytes. Dropping it drops the future and puts the buffer back on the free
//! list of the thread it is dropped on. A thread keeps at most [`KEPT_BYTES_PER_CLASS`] of free
//! buffers of a class ([`kept`] of them); past that, a buffer given back is freed. So a server
//! allocates a buffer when more requests are in flight on a thread than ever before, when more
//! than [`kept`] of a class come and go, or when futures made on one thread are dropped on
//! another (work stealing) until each thread's list has what it needs — not on a steady request
//! path.
//!
//! A future larger than [`LARGEST`], or aligned to more than 16 bytes, is boxed, and its box is
//! held as any other future: one allocation per request, for that future only.
//!
//! This is the one crate of silent-tower with `unsafe` code: writing a future of an erased type
//! into raw memory, polling it in place, dropping it there. Every block says why it is sound,
//! and the tests run under Miri (`cargo +nightly miri test -p silent-tower-pool`).
//!
//! ```
//! use silent_tower_pool::PooledFuture;
//!
//! # fn block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     let mut f = std::pin::pin!(f);
//! #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
//! #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
//! # }
//! let name = String::from("pooled");
//! let future = PooledFuture::new(async move { name.len() });
//! assert_eq!(std::mem::size_of_val(&future), 4 * std::mem::size_of::<usize>());
//! assert_eq!(block_on(future), 6);
//! ```

#![deny(
    missing_docs,
    unsafe_op_in_unsafe_fn,
    clippy::undocumented_unsafe_blocks
)]

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::mem::{align_of, size_of};
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

/// The sizes of the buffers, smallest first: a future takes the smallest that holds it.
const CLASSES: [usize; 6] = [128, 256, 512, 1024, 2048, 4096];

/// The alignment of every buffer: a future aligned to more is boxed.
const ALIGN: usize = 16;

/// The largest future held without a box of its own, in bytes.
pub const LARGEST: usize = CLASSES[CLASSES.len() - 1];

/// The bytes of free buffers of each size a thread keeps for the next futures; a buffer given
/// back past that is freed. At most 6 × 256 KiB, 1.5 MiB, a thread — in practice the one or two
/// classes its routes use.
///
/// A budget in bytes, not a count, because the small classes are the busy ones: an HTTP/2
/// server holds a future for every stream it has accepted and not yet polled — 64 connections
/// with 10 streams each are 640 — and a count sized for those (2 048 buffers of 128 bytes) would
/// keep 8 MiB of 4 KiB buffers.
pub const KEPT_BYTES_PER_CLASS: usize = 256 * 1024;

/// How many free buffers of `size` bytes (a size class: 128, 256, … 4 096) a thread keeps:
/// [`KEPT_BYTES_PER_CLASS`] of them, from 2 048 buffers of 128 bytes to 64 of 4 KiB.
pub const fn kept(size: usize) -> usize {
    KEPT_BYTES_PER_CLASS / size
}

/// The bytes of every buffer that exists, in use or free, on every thread. Changed only where a
/// buffer is allocated or freed, never when one is taken or given back.
static HELD_BYTES: AtomicUsize = AtomicUsize::new(0);

/// The size class of a future of `size` bytes aligned to `align`, if one holds it.
const fn class_of(size: usize, align: usize) -> Option<usize> {
    if align > ALIGN {
        return None;
    }
    let mut class = 0;
    while class < CLASSES.len() {
        if size <= CLASSES[class] {
            return Some(class);
        }
        class += 1;
    }
    None
}

/// The layout of a buffer of `class`.
const fn layout(class: usize) -> Layout {
    match Layout::from_size_align(CLASSES[class], ALIGN) {
        Ok(layout) => layout,
        Err(_) => panic!("every class is a valid layout"),
    }
}

/// A future of any type with output `T`, held in a pooled buffer (see the crate's docs).
///
/// It is `Unpin` (the future it holds does not move when the handle does), `Send` (it holds
/// only `Send` futures) and `Sync` (a shared reference gives no access to the future).
pub struct PooledFuture<T> {
    /// The buffer, where the future lives from `new` until the handle is dropped.
    at: NonNull<u8>,
    /// The buffer's size class: where it goes back.
    class: usize,
    poll: unsafe fn(NonNull<u8>, &mut Context<'_>) -> Poll<T>,
    drop: unsafe fn(NonNull<u8>),
    /// Neither owns a `T` nor is bound by `T`'s auto traits: a `T` is only ever returned.
    output: PhantomData<fn() -> T>,
}

/// A boxed future of any type: what a future too large for the pool is held as.
type Boxed<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<T: 'static> PooledFuture<T> {
    /// Writes `future` into a pooled buffer, or boxes it when no size class holds it.
    #[inline]
    pub fn new<F>(future: F) -> Self
    where
        F: Future<Output = T> + Send + 'static,
    {
        // A `const` condition: only the branch taken is built for each `F`. The box's poll and
        // drop functions are built once for each output type, not once for each future.
        if const { Self::holds::<F>() } {
            Self::place(future)
        } else {
            let boxed: Boxed<T> = Box::pin(future);
            Self::place(boxed)
        }
    }

    /// Whether a future of type `F` is held without a box of its own: not larger than
    /// [`LARGEST`] bytes, not aligned to more than 16.
    pub const fn holds<F>() -> bool {
        class_of(size_of::<F>(), align_of::<F>()).is_some()
    }

    #[inline]
    fn place<F>(future: F) -> Self
    where
        F: Future<Output = T> + Send + 'static,
    {
        let Some(class) = (const { class_of(size_of::<F>(), align_of::<F>()) }) else {
            unreachable!("`new` places only the futures a class holds, and their boxes")
        };
        let at = take(class);
        // SAFETY: `at` is a buffer of `CLASSES[class]` bytes aligned to `ALIGN`, which `class_of`
        // found large enough and aligned enough for an `F`. It came off the free list or the
        // allocator, so nothing else points to it; it is written here, once, before any read.
        unsafe { at.cast::<F>().as_ptr().write(future) };
        PooledFuture {
            at,
            class,
            poll: poll_in_place::<F>,
            drop: drop_in_place::<F>,
            output: PhantomData,
        }
    }
}

/// Polls the `F` at `at`.
///
/// # Safety
/// `at` holds a live `F`, which is not moved until it is dropped, and to which the caller holds
/// the only access.
unsafe fn poll_in_place<F: Future>(at: NonNull<u8>, cx: &mut Context<'_>) -> Poll<F::Output> {
    // SAFETY: by this function's contract the `F` is live and ours alone, so a unique reference
    // to it is sound; it stays at `at` until `drop_in_place`, so pinning it there keeps `Pin`'s
    // promise that it does not move before it is dropped.
    let future = unsafe { Pin::new_unchecked(at.cast::<F>().as_mut()) };
    future.poll(cx)
}

/// Drops the `F` at `at`.
///
/// # Safety
/// `at` holds a live `F`, which is not used again.
unsafe fn drop_in_place<F>(at: NonNull<u8>) {
    // SAFETY: by this function's contract the `F` is live and dropped only here.
    unsafe { at.cast::<F>().as_ptr().drop_in_place() }
}

impl<T> Future for PooledFuture<T> {
    type Output = T;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let this = self.get_mut();
        // SAFETY: `this.poll` was made for the type of the future `new` wrote at `this.at`, which
        // lives until `drop`; `&mut self` is the only access to the handle, and so to the future.
        unsafe { (this.poll)(this.at, cx) }
    }
}

impl<T> Drop for PooledFuture<T> {
    fn drop(&mut self) {
        // Given back even when the future's own drop panics.
        struct GiveBack(NonNull<u8>, usize);
        impl Drop for GiveBack {
            fn drop(&mut self) {
                give(self.1, self.0);
            }
        }
        let _give_back = GiveBack(self.at, self.class);
        // SAFETY: `self.drop` was made for the type of the future at `self.at`, live until now;
        // the handle is going away, so the future is not used again.
        unsafe { (self.drop)(self.at) }
    }
}

// SAFETY: the handle owns the future it points to (no other pointer to the buffer exists), and
// `new` accepts only `Send` futures, so moving the handle to another thread and polling or
// dropping it there is moving a `Send` value. The buffer goes back to that thread's free list,
// which is sound: a buffer is plain memory from the global allocator.
unsafe impl<T> Send for PooledFuture<T> {}

// SAFETY: nothing reaches the future through a shared reference — `poll` and `drop` take the
// handle by unique reference — so sharing `&PooledFuture` between threads shares nothing.
unsafe impl<T> Sync for PooledFuture<T> {}

impl<T> fmt::Debug for PooledFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PooledFuture")
            .field("bytes", &CLASSES[self.class])
            .finish_non_exhaustive()
    }
}

/// The free buffers a thread keeps: for each class, a list linked through the buffers
/// themselves (a free buffer's first word points to the next), and its length. Taking and
/// giving back are a few loads and stores: no borrow flag, no vector to grow.
struct FreeLists {
    heads: [Cell<Option<NonNull<u8>>>; CLASSES.len()],
    lengths: [Cell<usize>; CLASSES.len()],
}

/// What a free buffer holds in its first word: the next free buffer of its class.
type Link = Option<NonNull<u8>>;

impl FreeLists {
    /// The first free buffer of `class`, off the list.
    #[inline]
    fn pop(&self, class: usize) -> Option<NonNull<u8>> {
        let head = self.heads[class].get()?;
        // SAFETY: a buffer on a free list holds no future and its first word is the link `push`
        // wrote (a buffer is at least 128 bytes, aligned to 16: room and alignment for it).
        let next = unsafe { head.cast::<Link>().read() };
        self.heads[class].set(next);
        self.lengths[class].set(self.lengths[class].get() - 1);
        Some(head)
    }

    /// Puts `at`, a buffer of `class` that holds no future, on the list if it has room.
    #[inline]
    fn push(&self, class: usize, at: NonNull<u8>) -> bool {
        let length = self.lengths[class].get();
        if length >= kept(CLASSES[class]) {
            return false;
        }
        // SAFETY: `at` is a buffer of `class` that holds no future and that nothing else points
        // to; its first word is free for the link.
        unsafe { at.cast::<Link>().write(self.heads[class].get()) };
        self.heads[class].set(Some(at));
        self.lengths[class].set(length + 1);
        true
    }
}

impl Drop for FreeLists {
    fn drop(&mut self) {
        for class in 0..CLASSES.len() {
            while let Some(at) = self.pop(class) {
                free_buffer(class, at);
            }
        }
    }
}

thread_local! {
    static FREE: FreeLists = const {
        FreeLists {
            heads: [const { Cell::new(None) }; CLASSES.len()],
            lengths: [const { Cell::new(0) }; CLASSES.len()],
        }
    };
}

/// A buffer of `class`: the last one this thread gave back, or a new one.
#[inline]
fn take(class: usize) -> NonNull<u8> {
    // A thread tearing down its locals gives no buffer: a new one is allocated.
    match FREE.try_with(|free| free.pop(class)) {
        Ok(Some(at)) => at,
        _ => allocate(class),
    }
}

#[cold]
fn allocate(class: usize) -> NonNull<u8> {
    let layout = layout(class);
    // SAFETY: every class's layout has a non-zero size.
    let at = unsafe { alloc(layout) };
    let at = NonNull::new(at).unwrap_or_else(|| handle_alloc_error(layout));
    HELD_BYTES.fetch_add(CLASSES[class], Ordering::Relaxed);
    at
}

/// Frees a buffer of `class`, which must hold no future and be on no free list: its last pointer.
#[cold]
fn free_buffer(class: usize, at: NonNull<u8>) {
    HELD_BYTES.fetch_sub(CLASSES[class], Ordering::Relaxed);
    // SAFETY: the buffer was allocated with `layout(class)` by `allocate`, and by this function's
    // contract nothing holds or points to it any more.
    unsafe { dealloc(at.as_ptr(), layout(class)) }
}

/// Puts a buffer of `class` that holds no future back on this thread's free list, or frees it
/// when the list is full or the thread is tearing down its locals.
#[inline]
fn give(class: usize, at: NonNull<u8>) {
    if !FREE.try_with(|free| free.push(class, at)).unwrap_or(false) {
        free_buffer(class, at);
    }
}

/// Makes sure this thread keeps at least `per_class` free buffers of every size class (up to
/// [`kept`] of each), so that its first futures allocate nothing, as its later ones: for a
/// server that fills each worker thread when it starts (tokio's `on_thread_start`), and for a
/// test that counts the allocations of one request.
pub fn fill(per_class: usize) {
    for (class, size) in CLASSES.into_iter().enumerate() {
        let wanted = per_class.min(kept(size));
        let missing = FREE
            .try_with(|free| wanted.saturating_sub(free.lengths[class].get()))
            .unwrap_or(0);
        for _ in 0..missing {
            give(class, allocate(class));
        }
    }
}

/// The bytes of every buffer the pool holds, in use or free, on every thread: what a test that
/// measures a server's heap before and after a load subtracts, since the free lists keep what
/// the load's peak took (at most [`KEPT_BYTES_PER_CLASS`] of a class on a thread).
pub fn held_bytes() -> usize {
    HELD_BYTES.load(Ordering::Relaxed)
}

/// How many free buffers of each size class the current thread keeps, smallest class first:
/// for tests and for a reader who wants to see the pool at work.
pub fn free_buffers() -> [(usize, usize); CLASSES.len()] {
    let mut counts = [(0, 0); CLASSES.len()];
    for (class, count) in counts.iter_mut().enumerate() {
        count.0 = CLASSES[class];
    }
    let _ = FREE.try_with(|free| {
        for (count, length) in counts.iter_mut().zip(free.lengths.iter()) {
            count.1 = length.get();
        }
    });
    counts
}
