//! The errors a user sees for a wrong handler: one short error each, saying what a handler may
//! look like. The expected output lives beside each case in `tests/ui/`.

#[test]
fn wrong_handlers_give_short_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
