//! What the fuzz targets share: how an input is split into text and a JSON document, and
//! the document, context object and variables used when the input gives none.

use serde_json::{json, Value};
use stepfn::data::Data;
use stepfn::internals::context::ContextObject;
use stepfn::internals::variables::VariableScope;

/// An input `text NUL json`: the text (an expression, a path...) and, after the first NUL
/// byte, the JSON document it runs against ([`document`] when absent or not JSON). `None`
/// when the text is not UTF-8.
pub fn split(data: &[u8]) -> Option<(&str, Value)> {
    let (text, rest) = match data.iter().position(|b| *b == 0) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let text = std::str::from_utf8(text).ok()?;
    let doc = rest
        .and_then(|rest| serde_json::from_slice(rest).ok())
        .unwrap_or_else(document);
    Some((text, doc))
}

/// A document with something of every JSON type at shallow depths.
pub fn document() -> Value {
    json!({
        "a": 1,
        "b": [1, 2.5, -3, "x", null, true, {"c": "d"}],
        "s": "hello {} world",
        "n": null,
        "t": true,
        "o": {"p": {"q": [10, 20, 30]}, "r": "2026-11-21T18:59:24Z"},
        "items": [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}, {"id": 3, "v": "c"}],
        "big": 1e300,
        "neg": -9007199254740993i64,
        "json": "{\"k\": [1, 2]}",
        "b64": "aGVsbG8=",
    })
}

/// A context object shaped like the one an execution sees.
pub fn context() -> ContextObject {
    ContextObject::from_value(json!({
        "Execution": {
            "Id": "arn:aws:states:us-east-1:123456789012:execution:m:e",
            "Input": document(),
            "Name": "e",
            "RoleArn": "arn:aws:iam::123456789012:role/r",
            "StartTime": "2026-11-21T18:59:24.000Z",
            "RedriveCount": 0
        },
        "State": {"EnteredTime": "2026-11-21T18:59:24.000Z", "Name": "S", "RetryCount": 0},
        "StateMachine": {"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:m", "Name": "m"},
        "Task": {"Token": "token"},
        "Map": {"Item": {"Index": 0, "Value": {"x": 1}}}
    }))
}

/// Variables `$x`, `$list` and `$obj`.
pub fn variables() -> VariableScope<'static> {
    VariableScope::with_values([
        ("x".to_string(), Data::from(json!(42))),
        ("list".to_string(), Data::from(json!([3, 1, 2]))),
        ("obj".to_string(), Data::from(json!({"k": "v", "n": [1]}))),
    ])
}

/// Runs `work` with a scope over `input` that sees [`context`] and [`variables`], as a state's
/// fields do: the setup every path, intrinsic and template target shares.
pub fn in_scope<R>(
    input: &Data,
    work: impl FnOnce(&stepfn::internals::scope::Scope<'_>) -> R,
) -> R {
    let context = context();
    let variables = variables();
    let scope = stepfn::internals::scope::Roots {
        context: &context,
        variables: Some(&variables),
    }
    .scope(input);
    work(&scope)
}
