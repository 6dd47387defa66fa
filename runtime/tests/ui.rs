//! Compile-time checks of the DSL: each mistake gives one error at the user's token, worded in
//! the DSL's and ASL's terms. The expected compiler output is in `tests/ui/fail/*.stderr`
//! (rustc 1.95; regenerate with `TRYBUILD=overwrite` after a compiler upgrade, and read it).

#[test]
fn mistakes_are_compile_errors_at_the_users_token() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
}
