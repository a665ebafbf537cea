//! `#[debug_handler]` (feature `macros`): each of the four handler mistakes is an error of its
//! own, naming the rule, at the argument or function at fault; `#[derive(FromRef)]` and a
//! handler the macro accepts compile and answer. The expected output lives beside each case in
//! `tests/debug_handler/`.

#[test]
fn each_handler_mistake_is_an_error_of_its_own() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/debug_handler/fail/*.rs");
    cases.pass("tests/debug_handler/pass/*.rs");
}
