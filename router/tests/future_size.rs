//! The router's response future is a handle to a pooled buffer and a few words of state: what a
//! server stores and moves for each request (BENCHMARKS.md, "The endpoint's future in a pooled
//! buffer").

use std::mem::size_of;

use silent_tower_router::Router;

type RouterFuture =
    <Router as tower_service::Service<http::Request<hyper::body::Incoming>>>::Future;

#[test]
fn the_routers_future_is_a_handle_and_a_few_words() {
    let size = size_of::<RouterFuture>();
    println!("the router's response future: {size} bytes");
    assert!(
        size <= 5 * size_of::<usize>(),
        "the router's future is {size} bytes"
    );
}

#[test]
fn the_routers_future_is_send_sync_and_unpin() {
    fn check<T: Send + Sync + Unpin>() {}
    check::<RouterFuture>();
}
