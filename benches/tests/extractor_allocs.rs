//! What each extractor of ours allocates, on B-extractors' request (`POST /users/42?page=2&sort=name`
//! with a JSON body): a handler taking `Path<i64>` alone, `Query<Page>` alone,
//! `State<Arc<AppState>>` alone, `Json<NewUser>` alone, and all four. `Path` reads the route's
//! captures and `State` clones an `Arc`: neither may allocate. Run with `--nocapture` for the list.

#[path = "../../layers/tests/support/counting_alloc.rs"]
mod counting_alloc;

use silent_tower_benches::cases::{self, EXTRACTOR_NAMES};
use silent_tower_benches::drive;

#[global_allocator]
static ALLOC: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc;

const REQUESTS: usize = 100;

/// Allocations per request of the handler taking `name`, after a warm-up.
fn allocations(rt: &'static tokio::runtime::Runtime, name: &str) -> usize {
    let mut case = cases::extractor_case(rt, name).expect("a known extractor case");
    for _ in 0..REQUESTS {
        case.prepare();
        assert!(case.serve().is_success(), "{name}: not answered 200");
    }
    let mut total = 0;
    for _ in 0..REQUESTS {
        case.prepare();
        let (status, allocations, _) = counting_alloc::count(|| case.serve());
        assert!(status.is_success(), "{name}: answered {status}");
        total += allocations;
    }
    assert_eq!(total % REQUESTS, 0, "{name}: not the same every request");
    total / REQUESTS
}

#[test]
fn path_and_state_allocate_nothing() {
    let rt = drive::runtime();
    let _guard = rt.enter();
    let mut counts = Vec::new();
    for name in EXTRACTOR_NAMES {
        let count = allocations(rt, name);
        println!("{name}: {count} allocations / request");
        counts.push((*name, count));
    }
    let count = |name| counts.iter().find(|(n, _)| *n == name).unwrap().1;
    assert_eq!(count("Path<i64>"), 0, "Path<i64> allocates");
    assert_eq!(count("State<Arc<AppState>>"), 0, "State<Arc<_>> allocates");
}
