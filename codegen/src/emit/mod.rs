//! Writing the model back to ASL.
//!
//! Output is deterministic: states and template keys come out in the order they were written
//! (or inserted), and each state's fields in one canonical order (`Type` first, the transition
//! last), which is what `stepfn fmt` writes. Parsing the output gives the same model again.

mod asl;

pub use asl::{state_to_value, to_string_pretty, to_value};
