//! The router's response future is its endpoint slot and a few words of state: what a server
//! stores and moves for each request (BENCHMARKS.md, "`serve` under 1 000 connections").

use std::mem::size_of;

use silent_tower_router::{Router, ENDPOINT_FUTURE_SIZE};

type RouterFuture =
    <Router as tower_service::Service<http::Request<hyper::body::Incoming>>>::Future;

#[test]
fn the_routers_future_is_its_slot_and_a_few_words() {
    let size = size_of::<RouterFuture>();
    println!("the router's response future: {size} bytes (slot {ENDPOINT_FUTURE_SIZE})");
    assert!(
        (ENDPOINT_FUTURE_SIZE..=ENDPOINT_FUTURE_SIZE + 32).contains(&size),
        "the router's future is {size} bytes for a {ENDPOINT_FUTURE_SIZE}-byte slot"
    );
}
