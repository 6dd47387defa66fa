//! Payload templates: `template NUL document`, the template as JSON. It is read as a JSONPath
//! Pass state's `Parameters` and evaluated against the document directly, then run through
//! TestState as `Parameters` (JSONPath) and as `Output` and `Assign` (JSONata).
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use stepfn::data::Data;
use stepfn::model::{QueryLanguage, State};
use stepfn::parse::state_from_value;
use stepfn::{test_state, TestStateRequest};
use stepfn_fuzz::{in_scope, split};

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime")
});

fuzz_target!(|data: &[u8]| {
    let Some((text, doc)) = split(data) else {
        return;
    };
    let Ok(template) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let pass = json!({"Type": "Pass", "Parameters": template, "ResultPath": "$.r", "End": true});
    if let Ok(State::Pass(state)) = state_from_value(&pass, QueryLanguage::JsonPath) {
        if let Some(parameters) = &state.parameters {
            let input = Data::from(doc.clone());
            in_scope(&input, |scope| {
                let _ = scope.evaluate_template(parameters);
            });
        }
    }
    let jsonata = json!({
        "Type": "Pass",
        "QueryLanguage": "JSONata",
        "Output": template,
        "Assign": {"out": template},
        "End": true
    });
    for definition in [pass, jsonata] {
        let _ = RUNTIME.block_on(test_state(
            TestStateRequest::new(definition)
                .with_input(doc.clone())
                .with_variables(json!({"x": 42, "list": [3, 1, 2], "obj": {"k": "v"}})),
        ));
    }
});
