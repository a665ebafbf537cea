//! A layer stack that does not fit `serve` — a response body that is not a body, a request body
//! changed by a layer, an error that is not a boxed error — gets an error naming what does not
//! fit. The expected output lives beside each case in `tests/serve_ui/`. With `http3` the
//! request body is chosen after `serve`, which then checks nothing itself.
#![cfg(not(feature = "http3"))]

#[test]
fn mismatched_services_name_the_mismatch() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/serve_ui/*.rs");
}
