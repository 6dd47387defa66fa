//! JSONata: `expression NUL document`. Parses the expression and evaluates it against the
//! document, bounded in time and depth as Step Functions bounds a state's expressions, with
//! `$states` bound as a JSONata state sees it.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use serde_json::json;
use stepfn_fuzz::split;
use stepfn_jsonata::{Bindings, Expression, Limits};

fuzz_target!(|data: &[u8]| {
    let Some((text, doc)) = split(data) else {
        return;
    };
    let _ = stepfn_jsonata::parse(text);
    let Ok(expression) = Expression::parse(text) else {
        return;
    };
    let mut bindings = Bindings::new();
    bindings.insert(
        "states".into(),
        json!({"input": doc, "context": {"Execution": {"Name": "e"}}}),
    );
    let limits = Limits {
        max_depth: 1000,
        time_limit: Some(Duration::from_millis(200)),
    };
    let _ = expression.evaluate_with(Some(&doc), &bindings, limits);
});
