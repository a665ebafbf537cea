//! Replays the `route_table` fuzz target's corpus (`router/fuzz/corpus/route_table/`) through the
//! target's own body, on stable Rust, so CI needs no nightly. The corpus holds hand-written seeds;
//! an input that ever crashes the target belongs there too, beside a named regression test.

#[path = "../fuzz/src/lib.rs"]
mod fuzz_body;

#[test]
fn every_corpus_input_builds_and_looks_up_without_a_panic() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/route_table");
    let mut inputs: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 5, "the corpus is missing from {dir}");
    let mut matched = 0;
    for input in inputs {
        let data = std::fs::read(&input).unwrap();
        match std::panic::catch_unwind(|| fuzz_body::route_table(&data)) {
            Ok(count) => matched += count,
            Err(_) => panic!("{} panicked", input.display()),
        }
    }
    // The checks run on what routes answered: make sure they answered something.
    assert!(matched >= 20, "only {matched} lookups reached a route");
}
