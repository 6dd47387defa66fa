//! Workflow variables where the recorded corpus says nothing: Distributed Map children, the
//! size limits, and values computed at state entry.

use serde_json::{json, Value};
use stepfn::exec::{ExecutionOptions, ExecutionStatus, Executor};

fn machine(definition: Value) -> Executor {
    Executor::new(stepfn::check_value(&definition, &Default::default()).expect("valid"))
}

async fn run(definition: Value, input: Value) -> stepfn::Outcome {
    let options = ExecutionOptions::new().with_record_history(true);
    machine(definition).run(input, options).await
}

#[tokio::test]
async fn inline_iterations_read_outer_variables_but_distributed_children_do_not() {
    let map = |config: Value| {
        json!({"QueryLanguage": "JSONata", "StartAt": "Set", "States": {
            "Set": {"Type": "Pass", "Assign": {"greeting": "hi"}, "Next": "Each"},
            "Each": {"Type": "Map", "Items": [1, 2],
                "ItemProcessor": {"ProcessorConfig": config, "StartAt": "Use", "States": {
                    "Use": {"Type": "Pass", "Output": "{% $greeting %}", "End": true}}},
                "End": true}}})
    };
    let inline = run(map(json!({"Mode": "INLINE"})), json!({})).await;
    assert_eq!(inline.output, Some(json!(["hi", "hi"])));
    let distributed = run(
        map(json!({"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"})),
        json!({}),
    )
    .await;
    assert_eq!(distributed.status, ExecutionStatus::Failed);
    assert_eq!(
        distributed.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
}

#[tokio::test]
async fn assign_sees_values_as_of_state_entry_and_swaps() {
    let outcome = run(
        json!({"QueryLanguage": "JSONata", "StartAt": "Init", "States": {
            "Init": {"Type": "Pass", "Assign": {"x": 1, "y": 2}, "Next": "Swap"},
            "Swap": {"Type": "Pass", "Assign": {"x": "{% $y %}", "y": "{% $x %}"},
                     "Output": "{% [$x, $y] %}", "Next": "Show"},
            "Show": {"Type": "Pass", "Output": "{% [$x, $y] %}", "End": true}}}),
        json!({}),
    )
    .await;
    assert_eq!(outcome.output, Some(json!([2, 1])));
    assert_eq!(
        outcome
            .history
            .iter()
            .find(|e| e.event_type == "PassStateExited" && e.state_name() == Some("Swap"))
            .and_then(|e| e.payload("output"))
            .map(stepfn::Data::to_value),
        Some(json!([1, 2]))
    );
}

#[tokio::test]
async fn a_variable_over_256_kib_fails_the_state() {
    let outcome = run(
        json!({"StartAt": "Big", "States": {
            "Big": {"Type": "Pass", "Assign": {"big.$": "$.text"}, "End": true}}}),
        json!({"text": "x".repeat(200 * 1024)}),
    )
    .await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    let outcome = run(
        json!({"StartAt": "Big", "States": {
            "Big": {"Type": "Pass", "Assign": {"a.$": "$.text", "b.$": "$.text"}, "End": true}}}),
        json!({"text": "x".repeat(200 * 1024)}),
    )
    .await;
    assert_eq!(outcome.error.as_deref(), Some("States.DataLimitExceeded"));
    assert!(outcome.cause.unwrap().contains("one Assign"));
}

#[tokio::test]
async fn jsonpath_states_read_variables_in_paths_and_intrinsics() {
    let outcome = run(
        json!({"StartAt": "Set", "States": {
            "Set": {"Type": "Pass", "Assign": {"who.$": "$.name", "n": 2}, "Next": "Use"},
            "Use": {"Type": "Pass", "Parameters": {
                "text.$": "States.Format('{} x{}', $who, $n)", "n.$": "$n"}, "End": true}}}),
        json!({"name": "ada"}),
    )
    .await;
    assert_eq!(outcome.output, Some(json!({"text": "ada x2", "n": 2})));
}
