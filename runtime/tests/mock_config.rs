//! MockConfigFile as Step Functions Local documents it: one file, several state machines and
//! test cases, call ranges such as "1-2", and test cases that mock only some states (the rest
//! is answered by whatever else the registry holds).

use std::sync::Arc;

use serde_json::json;
use stepfn::exec::{ExecutionOptions, ExecutionStatus, Executor};
use stepfn::tasks::{MockConfig, TaskRegistry};
use stepfn::{Clock, VirtualClock};

/// A Lambda call retried on every error, then an SQS message: the layout of the documented
/// `LambdaSQSIntegration` example.
fn lambda_then_sqs() -> Executor {
    let definition = json!({"StartAt": "LambdaState", "States": {
        "LambdaState": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "HelloWorldFunction"},
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 3,
                       "BackoffRate": 2}],
            "Next": "SQSState"},
        "SQSState": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                           "MessageBody.$": "$.Payload.body"},
            "End": true}}});
    Executor::new(stepfn::check_value(&definition, &Default::default()).expect("valid"))
}

fn config() -> MockConfig {
    MockConfig::from_json(
        r#"{
      "StateMachines": {
        "LambdaSQSIntegration": {"TestCases": {
          "HappyPath": {"LambdaState": "LambdaOk", "SQSState": "SqsOk"},
          "RetryPath": {"LambdaState": "LambdaFlaky", "SQSState": "SqsOk"},
          "HybridPath": {"LambdaState": "LambdaOk"}
        }},
        "Other": {"TestCases": {"HappyPath": {"LambdaState": "LambdaNotReady"}}}
      },
      "MockedResponses": {
        "LambdaOk": {"0": {"Return": {"StatusCode": 200, "Payload": {"body": "hi"}}}},
        "LambdaNotReady": {"0": {"Throw": {"Error": "Lambda.ResourceNotReadyException",
                                           "Cause": "not ready"}}},
        "LambdaFlaky": {
          "0": {"Throw": {"Error": "Lambda.ResourceNotReadyException", "Cause": "not ready"}},
          "1-2": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "timed out"}},
          "3": {"Return": {"StatusCode": 200, "Payload": {"body": "late"}}}
        },
        "SqsOk": {"0": {"Return": {"MessageId": "m-1", "MD5OfMessageBody": "d41d8cd9"}}}
      }
    }"#,
    )
    .expect("the documented layout parses")
}

async fn run(case: &str, machine: &str, extra: TaskRegistry) -> (stepfn::Outcome, i64) {
    let clock = Arc::new(VirtualClock::starting_at(0));
    let tasks = extra.with_mocks(config().test_case(Some(machine), case).unwrap());
    let outcome = lambda_then_sqs()
        .run(
            json!({}),
            ExecutionOptions::new()
                .with_clock(clock.clone())
                .with_tasks(tasks),
        )
        .await;
    (outcome, clock.now_millis())
}

/// The error of each TaskFailed event, in order.
fn task_failures(outcome: &stepfn::Outcome) -> Vec<&str> {
    outcome
        .history
        .iter()
        .filter(|e| e.event_type == "TaskFailed")
        .filter_map(|e| e.detail("error").and_then(stepfn::Data::as_str))
        .collect()
}

fn event_types(outcome: &stepfn::Outcome) -> Vec<&'static str> {
    outcome.history.iter().map(|e| e.event_type).collect()
}

#[tokio::test(start_paused = true)]
async fn happy_path_answers_every_state_from_the_file() {
    let (outcome, _) = run("HappyPath", "LambdaSQSIntegration", TaskRegistry::new()).await;
    assert_eq!(
        outcome.output,
        Some(json!({"MessageId": "m-1", "MD5OfMessageBody": "d41d8cd9"}))
    );
}

#[tokio::test(start_paused = true)]
async fn call_ranges_script_each_retry() {
    let (outcome, elapsed) = run("RetryPath", "LambdaSQSIntegration", TaskRegistry::new()).await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    let failures = task_failures(&outcome);
    assert_eq!(
        failures,
        [
            "Lambda.ResourceNotReadyException",
            "Lambda.TimeoutException",
            "Lambda.TimeoutException"
        ]
    );
    // Backoff of 2, 4 and 8 seconds.
    assert_eq!(elapsed, 14_000);
    assert_eq!(event_types(&outcome).last(), Some(&"ExecutionSucceeded"));
}

#[tokio::test(start_paused = true)]
async fn a_partly_mocked_case_leaves_the_rest_to_the_registry() {
    let sqs = TaskRegistry::new().on_resource(
        "arn:aws:states:::sqs:sendMessage",
        |request: stepfn::TaskRequest| async move {
            Ok(json!({ "sent": request.input["MessageBody"] }))
        },
    );
    let (outcome, _) = run("HybridPath", "LambdaSQSIntegration", sqs).await;
    assert_eq!(outcome.output, Some(json!({"sent": "hi"})));

    // Without anything to answer SQSState, the execution fails and says why.
    let (outcome, _) = run("HybridPath", "LambdaSQSIntegration", TaskRegistry::new()).await;
    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert!(outcome.cause.unwrap().contains("SQSState"));
}

/// "Other" answers LambdaState's first call only; its retry asks for a second answer the file
/// does not have, which ends the execution saying so rather than inventing one.
#[tokio::test(start_paused = true)]
async fn test_cases_are_looked_up_per_state_machine_and_run_out_loudly() {
    let (outcome, _) = run("HappyPath", "Other", TaskRegistry::new()).await;
    let failures = task_failures(&outcome);
    assert_eq!(
        failures,
        ["Lambda.ResourceNotReadyException", "States.Runtime"]
    );
    assert_eq!(outcome.error.as_deref(), Some("States.Runtime"));
    assert!(outcome
        .cause
        .unwrap()
        .contains("no mocked response for call 1 of state 'LambdaState'"));
    assert!(config().test_case(Some("Missing"), "HappyPath").is_err());
    assert!(config()
        .test_case(Some("LambdaSQSIntegration"), "NoSuchCase")
        .is_err());
}
