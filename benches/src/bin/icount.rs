//! Serves N requests through one named stack, for `valgrind --tool=callgrind` to count.
//!
//! `icount NAME N` prepares and serves `N` requests through the stack `NAME` (see
//! `silent_tower_benches::cases`), each served inside [`serve_one`], so that
//! `--collect-atstart=no --toggle-collect='*serve_one*'` counts the serving and nothing else:
//! not the start-up, not the building of the requests. `.ci/bench-gate` runs it twice, with N
//! and 2N requests, and takes the difference over N as the cost of one request, which cancels
//! whatever the first request initialises. `icount --list` prints the stack names.

use std::hint::black_box;
use std::process::ExitCode;

use http::StatusCode;
use silent_tower_benches::cases::{self, Case, NAMES};
use silent_tower_benches::drive;

#[inline(never)]
fn serve_one(case: &mut dyn Case) -> StatusCode {
    case.serve()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--list") {
        for name in NAMES {
            println!("{name}");
        }
        return ExitCode::SUCCESS;
    }
    let (Some(name), Some(Ok(requests))) = (args.first(), args.get(1).map(|n| n.parse::<usize>()))
    else {
        eprintln!("usage: icount NAME REQUESTS | icount --list");
        return ExitCode::from(2);
    };
    let rt = drive::runtime();
    let _guard = rt.enter();
    let Some(mut case) = cases::case(rt, name) else {
        eprintln!("icount: no stack called {name:?}; `icount --list` names them");
        return ExitCode::from(2);
    };
    for _ in 0..requests {
        case.prepare();
        let status = serve_one(black_box(&mut *case));
        if !status.is_success() {
            eprintln!("icount: {name} answered {status}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
