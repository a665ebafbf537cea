//! Allocations and bytes per request, for every stack in `cases::NAMES`.
//!
//! `cargo run --release -p silent-tower-benches --bin allocs [NAME_PREFIX…]`
//!
//! A counting global allocator (per thread) counts what `Case::serve` allocates: the call, the
//! polls and the response's drop. The request is built outside the count. Each stack is warmed
//! up first (and its statuses noted: 130 GitHub paths answered `200` must read `200`), then counted over `ROUNDS` passes; the figure is the mean
//! per request, so the GitHub table's 130 paths each weigh the same.
//!
//! Asked for by name (`allocs F-`), the composition cases (`cases::COMPOSITION_NAMES`) come in a
//! table of their own.
//!
//! With the B-extractors stacks comes a second table, what ours allocates on B-extractors'
//! request for a handler taking each extractor alone (`cases::EXTRACTOR_NAMES`).

#[path = "../../../layers/tests/support/counting_alloc.rs"]
mod counting_alloc;

use std::collections::BTreeMap;

use silent_tower_benches::cases::{self, Case, COMPOSITION_NAMES, EXTRACTOR_NAMES, NAMES};
use silent_tower_benches::drive;

#[global_allocator]
static ALLOC: counting_alloc::CountingAlloc = counting_alloc::CountingAlloc;

const REQUESTS: usize = 1300;

fn main() {
    let filters: Vec<String> = std::env::args().skip(1).collect();
    let wanted =
        |name: &str| filters.is_empty() || filters.iter().any(|f| name.starts_with(f.as_str()));
    let rt = drive::runtime();
    let _guard = rt.enter();
    let stacks: Vec<&str> = NAMES.iter().copied().filter(|name| wanted(name)).collect();
    if !stacks.is_empty() {
        println!("| stack | status | allocations / request | bytes / request |");
        println!("|---|---|---|---|");
        for name in stacks {
            let case = cases::case(rt, name).expect("a known case");
            println!("| {name} | {} |", measure(case));
        }
    }
    let composition: Vec<&str> = COMPOSITION_NAMES
        .iter()
        .copied()
        .filter(|name| wanted(name) && !NAMES.contains(name))
        .collect();
    // Only when asked for by name (`allocs F-`): the table of every stack stays as it was.
    if !filters.is_empty() && !composition.is_empty() {
        println!("| composition | status | allocations / request | bytes / request |");
        println!("|---|---|---|---|");
        for name in composition {
            let case = cases::case(rt, name).expect("a known composition case");
            println!("| {name} | {} |", measure(case));
        }
    }
    if wanted("B-extractors/ours") {
        println!();
        println!("| B-extractors/ours, handler taking | status | allocations / request | bytes / request |");
        println!("|---|---|---|---|");
        for name in EXTRACTOR_NAMES {
            let case = cases::extractor_case(rt, name).expect("a known extractor case");
            println!("| `{name}` | {} |", measure(case));
        }
    }
}

/// Warms `case` up, then counts it: `status | allocations | bytes` per request.
fn measure(mut case: Box<dyn Case>) -> String {
    let mut statuses = BTreeMap::<u16, usize>::new();
    for _ in 0..REQUESTS {
        case.prepare();
        *statuses.entry(case.serve().as_u16()).or_default() += 1;
    }
    let (mut allocations, mut bytes) = (0, 0);
    for _ in 0..REQUESTS {
        case.prepare();
        let (_, a, b) = counting_alloc::count(|| case.serve());
        allocations += a;
        bytes += b;
    }
    let statuses = statuses
        .iter()
        .map(|(status, n)| {
            if *n == REQUESTS {
                status.to_string()
            } else {
                format!("{status} × {n}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!("{statuses} | {} | {}", fmt(allocations), fmt(bytes))
}

/// The mean per request, with one decimal when it is not whole.
fn fmt(total: usize) -> String {
    if total % REQUESTS == 0 {
        (total / REQUESTS).to_string()
    } else {
        format!("{:.1}", total as f64 / REQUESTS as f64)
    }
}
