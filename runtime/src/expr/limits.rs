//! The limits expressions and payloads meet: 256 KiB payloads, the budget of a JSONata
//! expression, and counting a value's size without writing it out.

use crate::data::Data;

/// Payloads larger than this fail the state with `States.DataLimitExceeded`.
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// How long and how deep a JSONata expression may evaluate.
pub use stepfn_codegen::jsonata::Limits as ExpressionLimits;

/// The default budget of one JSONata expression in a state: deep enough for any recursion
/// that ends, and a second of work, far beyond what a field's expression needs, so that a
/// runaway expression fails its state instead of stalling the executor.
pub const EXPRESSION_LIMITS: ExpressionLimits = ExpressionLimits {
    max_depth: 10_000,
    time_limit: Some(std::time::Duration::from_secs(1)),
};

/// Whether `value` as compact JSON is longer than `limit` bytes. Counts only what was not
/// counted before: a value merged into a shared payload costs the size of the change.
pub fn exceeds(value: &Data, limit: usize) -> bool {
    value.json_len() > limit
}

/// The size of `value` as compact JSON, counted without building the text.
pub fn payload_size(value: &Data) -> usize {
    value.json_len()
}
