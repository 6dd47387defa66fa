//! The type-flow check: what one state outputs must be what the next state takes.
//!
//! On AWS a state's output is JSON handed as is to the next state; no conversion ever runs.
//! So the types must be identical, unless one side is `serde_json::Value`, which accepts and
//! gives any JSON. `workflow!` asserts [`Flows`] for every transition, at the token that names
//! the target, and rustc words the failure with the message below.

/// The tag of a payload type that is not `serde_json::Value`: only the same type flows.
pub struct Exact;

/// The tag of `serde_json::Value`: any JSON flows in or out.
pub struct Json;

/// Implemented for the pair of tags `(output tag, input tag)` when a state whose output type is
/// `Out` may lead to a state whose input type is `In`.
#[diagnostic::on_unimplemented(
    message = "state output `{Out}` cannot flow into a state whose input is `{In}`",
    label = "this transition passes `{Out}`, but the target state takes `{In}`",
    note = "on AWS the output is handed over as JSON, unconverted: make the types identical, reshape the data in an explicit state, or use `serde_json::Value`"
)]
pub trait Flows<Out, In> {}

#[diagnostic::do_not_recommend]
impl<T> Flows<T, T> for (Exact, Exact) {}
impl<Out, In> Flows<Out, In> for (Json, Exact) {}
impl<Out, In> Flows<Out, In> for (Exact, Json) {}
impl<Out, In> Flows<Out, In> for (Json, Json) {}

/// Compiles only when `Out` may flow into `In`.
pub const fn assert_flows<Out, In, Tags: Flows<Out, In>>() {}
