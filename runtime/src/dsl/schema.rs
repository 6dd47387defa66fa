//! JSON Schemas of workflow and task payloads, behind the `schemas` feature.
//!
//! Without the feature the bound is a trait nothing implements, so asking for a schema
//! (`#[task(schema)]`, `Workflow::schemas()`) fails to compile with a message naming the
//! feature, instead of a missing-function error in generated code.

use serde_json::Value;

/// Types whose JSON Schema can be derived: `schemars::JsonSchema`.
#[cfg(feature = "schemas")]
pub use schemars::JsonSchema;

/// Types whose JSON Schema can be derived: with the `schemas` feature, `schemars::JsonSchema`.
#[cfg(not(feature = "schemas"))]
#[diagnostic::on_unimplemented(
    message = "JSON Schemas need stepfn's `schemas` feature",
    label = "a schema of `{Self}` is asked for here",
    note = "turn it on: stepfn = {{ version = \"0.1\", features = [\"schemas\"] }}, and derive `schemars::JsonSchema` for `{Self}`"
)]
pub trait JsonSchema {}

/// The JSON Schema of `T`.
#[cfg(feature = "schemas")]
pub fn schema_of<T: JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap_or(Value::Null)
}

/// The JSON Schema of `T`: only with the `schemas` feature, which makes the bound satisfiable.
#[cfg(not(feature = "schemas"))]
pub fn schema_of<T: JsonSchema>() -> Value {
    Value::Null
}
