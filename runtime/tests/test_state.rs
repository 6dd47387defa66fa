//! `test_state` against TestState calls recorded on AWS (`../shared/conformance/test-state`):
//! every case, in both query languages; status, output, error, cause, next state and (at the
//! DEBUG and TRACE inspection levels) the inspection data must be AWS's. Each case runs on a
//! virtual clock started at a fixed instant, so no verdict depends on the day it runs.

mod common;

use std::fs;
use std::sync::Arc;

use common::{conformance, Comparer};
use serde_json::Value;
use stepfn::clock::VirtualClock;
use stepfn::test_state::{InspectionLevel, StateConfiguration};
use stepfn::{test_state, StatesError, TestStateRequest};

fn skips() -> stepfn_testkit::SkipList {
    common::skip_list("test-state-skips.txt")
}

fn json_text(v: &Value) -> Value {
    match v {
        Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
        other => other.clone(),
    }
}

/// An inspection data member as a value: payloads are JSON text (AWS's recordings keep some
/// of them so), numbers and `errorDetails` are values already.
fn inspected(v: &Value) -> Value {
    match v {
        Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| v.clone()),
        other => other.clone(),
    }
}

fn inspection_values(data: &Value) -> Value {
    match data {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), inspected(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn state_configuration(args: &Value) -> StateConfiguration {
    let config = &args["stateConfiguration"];
    StateConfiguration {
        retrier_retry_count: config["retrierRetryCount"].as_u64().map(|n| n as u32),
        error_caused_by_state: config["errorCausedByState"].as_str().map(str::to_string),
        map_iteration_failure_count: config["mapIterationFailureCount"].as_u64(),
        map_item_reader_data: config["mapItemReaderData"].as_str().map(str::to_string),
    }
}

fn run_case(case: &Value) -> Result<(), String> {
    let args = &case["request_args"];
    let mock = args.get("mock").map(|m| match m.get("errorOutput") {
        Some(e) => Err(StatesError::from_parts(
            e["error"].as_str().map(str::to_string),
            e["cause"].as_str().map(str::to_string),
        )),
        None => Ok(json_text(&m["result"])),
    });
    let request = {
        let mut test = TestStateRequest::new(case["definition"].clone())
            .with_input(case["input"].clone())
            .with_inspection_level(
                args["inspectionLevel"]
                    .as_str()
                    .map(|l| InspectionLevel::parse(l).expect("a known inspection level"))
                    .unwrap_or_default(),
            )
            .with_state_configuration(state_configuration(args))
            .with_clock(Arc::new(VirtualClock::starting_at(
                common::RECORDING_INSTANT_MILLIS,
            )));
        test.state_name = args["stateName"].as_str().map(str::to_string);
        test.mock = mock;
        test.context = args.get("context").map(json_text);
        test.variables = args.get("variables").map(json_text);
        test.role_arn = args["roleArn"].as_str().map(str::to_string);
        test
    };
    let runtime = stepfn::clock::virtual_runtime().unwrap();
    let result = runtime
        .block_on(test_state(request))
        .map_err(|p| format!("definition rejected: {p}"))?;
    let expect = &case["expect"];
    let mut cmp = Comparer::new(case);
    // TestState recordings carry no compare mode: their placeholders always stand for values.
    cmp.wildcard = true;
    if expect["status"] != result.status.as_str() {
        return Err(format!(
            "status {} (expected {}); error {:?} cause {:?}",
            result.status.as_str(),
            expect["status"],
            result.error,
            result.cause
        ));
    }
    if let Some(output) = expect.get("output") {
        let actual = result.output.clone().unwrap_or(Value::Null);
        if !cmp.values(&json_text(output), &actual) {
            return Err(format!("output {actual}\n   expected {output}"));
        }
    }
    for (field, actual) in [("error", &result.error), ("cause", &result.cause)] {
        match (expect.get(field).and_then(Value::as_str), actual.as_deref()) {
            (None, _) => {}
            (Some(e), Some(a)) if cmp.strings(e, a) => {}
            (e, a) => return Err(format!("{field} {a:?} (expected {e:?})")),
        }
    }
    if let Some(next) = expect.get("nextState").and_then(Value::as_str) {
        if result.next_state.as_deref() != Some(next) {
            return Err(format!(
                "next state {:?} (expected {next})",
                result.next_state
            ));
        }
    }
    let actual = result
        .inspection_data
        .as_ref()
        .map(|d| inspection_values(&d.to_api_json()));
    match (expect.get("inspectionData").map(inspection_values), actual) {
        (None, None) => {}
        (Some(e), Some(a)) if cmp.values(&e, &a) => {}
        (e, a) => return Err(format!("inspection data {a:?}\n   expected {e:?}")),
    }
    Ok(())
}

#[test]
fn recorded_test_state_calls_end_as_on_aws() {
    let root = conformance().join("test-state");
    let skips = skips();
    let mut files: Vec<_> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let (mut in_scope, mut passed) = (0, 0);
    let mut failures = Vec::new();
    let (mut seen, mut passing) = (Vec::new(), Vec::new());
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let case: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        in_scope += 1;
        seen.push(file.clone());
        match (run_case(&case), skips.contains(&file)) {
            (Ok(()), _) => {
                passed += 1;
                passing.push(file);
            }
            (Err(_), true) => {}
            (Err(why), false) => failures.push(format!("{file}: {why}")),
        }
    }
    println!("TestState calls: passed {passed} of {in_scope}");
    skips.assert_not_stale(&seen, &passing);
    assert!(
        failures.is_empty(),
        "{} cases fail and are not on the skip list:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
