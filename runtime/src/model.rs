//! The Amazon States Language model: a definition as typed values, one type per state and
//! field (from `stepfn-codegen`). Its `Task` is the Task *state*; the trait `#[task]`
//! functions implement is [`crate::Task`].

pub use stepfn_codegen::model::*;
