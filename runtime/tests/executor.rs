//! The executor's behaviour that the recorded corpus cannot show: time on the virtual clock,
//! retries against MockConfigFile mocks, callbacks through the library API.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use stepfn::exec::{ExecutionOptions, ExecutionStatus, Executor};
use stepfn::tasks::{Callbacks, MockConfig, TaskRegistry};
use stepfn::{Clock, VirtualClock};

fn machine(definition: Value) -> Executor {
    Executor::new(stepfn::check_value(&definition, &Default::default()).expect("valid"))
}

#[tokio::test(start_paused = true)]
async fn a_day_long_wait_takes_no_real_time() {
    let clock = Arc::new(VirtualClock::starting_at(0));
    let executor = machine(json!({"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 86400, "Next": "Done"},
        "Done": {"Type": "Pass", "Parameters": {"at.$": "$$.State.EnteredTime"}, "End": true}}}));
    let real = std::time::Instant::now();
    let outcome = executor
        .run(json!({}), ExecutionOptions::new().with_clock(clock.clone()))
        .await;
    assert!(real.elapsed() < Duration::from_secs(5));
    assert_eq!(
        outcome.output,
        Some(json!({"at": "1970-01-02T00:00:00.000Z"}))
    );
    assert_eq!(clock.now_millis(), 86_400_000);
}

#[tokio::test(start_paused = true)]
async fn retries_back_off_and_count_per_visit() {
    let config = MockConfig::from_value(&json!({
        "StateMachines": {"M": {"TestCases": {"Flaky": {"Call": "TwoFailures"}}}},
        "MockedResponses": {"TwoFailures": {
            "0-1": {"Throw": {"Error": "Busy", "Cause": "try later"}},
            "2": {"Return": {"ok": true}}
        }}
    }))
    .unwrap();
    let clock = Arc::new(VirtualClock::starting_at(0));
    let executor = machine(json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 3, "BackoffRate": 2.0}],
                 "ResultSelector": {"ok.$": "$.ok", "retries.$": "$$.State.RetryCount"},
                 "End": true}}}));
    let options = ExecutionOptions::new()
        .with_clock(clock.clone())
        .with_tasks(TaskRegistry::new().with_mocks(config.test_case(None, "Flaky").unwrap()));
    let outcome = executor.run(json!({}), options).await;
    assert_eq!(outcome.output, Some(json!({"ok": true, "retries": 2})));
    // 3 s, then 6 s of backoff.
    assert_eq!(clock.now_millis(), 9_000);
    let failures = outcome
        .history
        .iter()
        .filter(|e| e.event_type == "TaskFailed")
        .count();
    assert_eq!(failures, 2);
}

#[tokio::test(start_paused = true)]
async fn callbacks_deliver_results_and_used_tokens_are_refused() {
    let callbacks = Callbacks::default();
    let executor = machine(json!({"StartAt": "Approve", "States": {
        "Approve": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"token.$": "$$.Task.Token"}, "End": true}}}));
    let options = ExecutionOptions::new()
        .with_clock(Arc::new(VirtualClock::starting_at(0)))
        .with_callbacks(callbacks.clone());
    let run = tokio::spawn(async move { executor.run(json!({}), options).await });
    // Let the task start and issue its token.
    tokio::task::yield_now().await;
    let token = loop {
        if let Some(token) = callbacks.waiting_tokens().into_iter().next() {
            break token;
        }
        tokio::task::yield_now().await;
    };
    callbacks
        .send_success(&token, json!({"approved": true}))
        .unwrap();
    let outcome = run.await.unwrap();
    assert_eq!(outcome.output, Some(json!({"approved": true})));
    assert!(callbacks.send_success(&token, json!({})).is_err());
}

#[tokio::test(start_paused = true)]
async fn missed_heartbeat_and_execution_timeout() {
    let executor = machine(json!({"StartAt": "Wait", "States": {
        "Wait": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                 "HeartbeatSeconds": 60, "TimeoutSeconds": 600,
                 "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "TimedOut"}], "End": true},
        "TimedOut": {"Type": "Pass", "End": true}}}));
    let outcome = executor
        .run(
            json!({}),
            ExecutionOptions::new().with_clock(Arc::new(VirtualClock::starting_at(0))),
        )
        .await;
    assert_eq!(
        outcome.output,
        Some(json!({"Error": "States.Timeout", "Cause": ""}))
    );

    let executor = machine(json!({"TimeoutSeconds": 5, "StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 10, "End": true}}}));
    let outcome = executor
        .run(
            json!({}),
            ExecutionOptions::new().with_clock(Arc::new(VirtualClock::starting_at(0))),
        )
        .await;
    assert_eq!(outcome.status, ExecutionStatus::TimedOut);
    let types: Vec<&str> = outcome.history.iter().map(|e| e.event_type).collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "WaitStateEntered",
            "WaitStateAborted",
            "ExecutionTimedOut"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn payloads_over_256_kib_fail_the_state() {
    let executor = machine(json!({"StartAt": "Big", "States": {
        "Big": {"Type": "Pass", "End": true}}}));
    let big = "x".repeat(300 * 1024);
    let outcome = executor
        .run(
            json!({"big": big}),
            ExecutionOptions::new().with_clock(Arc::new(VirtualClock::starting_at(0))),
        )
        .await;
    assert_eq!(outcome.error.as_deref(), Some("States.DataLimitExceeded"));
}

#[tokio::test(start_paused = true)]
async fn a_state_that_grows_its_payload_past_256_kib_fails_with_data_limit_exceeded() {
    let executor = machine(json!({"StartAt": "Double", "States": {
        "Double": {"Type": "Pass", "Parameters": {"a.$": "$.big", "b.$": "$.big"}, "Next": "Never"},
        "Never": {"Type": "Succeed"}}}));
    let big = "x".repeat(200 * 1024);
    let outcome = executor
        .run(
            json!({ "big": big }),
            ExecutionOptions::new()
                .with_clock(Arc::new(VirtualClock::starting_at(0)))
                .with_record_history(true),
        )
        .await;
    assert_eq!(outcome.error.as_deref(), Some("States.DataLimitExceeded"));
    assert!(outcome
        .cause
        .as_deref()
        .unwrap_or_default()
        .contains("'Double'"));
    assert!(!outcome
        .history
        .iter()
        .any(|e| e.event_type == "SucceedStateEntered"));
}

#[tokio::test(start_paused = true)]
async fn a_stopped_execution_is_aborted_and_its_token_invalidated() {
    let callbacks = Callbacks::default();
    let stop = stepfn::StopSignal::new();
    let executor = machine(json!({"StartAt": "Both", "States": {
    "Both": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "Approve", "States": {"Approve": {"Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"token.$": "$$.Task.Token"}, "End": true}}},
        {"StartAt": "Sleep", "States": {"Sleep": {"Type": "Wait", "Seconds": 3600, "End": true}}}
    ]}}}));
    let options = ExecutionOptions::new()
        .with_clock(Arc::new(VirtualClock::starting_at(0)))
        .with_callbacks(callbacks.clone())
        .with_stop(stop.clone());
    let run = tokio::spawn(async move { executor.run(json!({}), options).await });
    let token = loop {
        if let Some(token) = callbacks.waiting_tokens().into_iter().next() {
            break token;
        }
        tokio::task::yield_now().await;
    };
    assert!(stop.stop(Some("Operator".into()), Some("no longer needed".into())));
    assert!(!stop.stop(Some("Again".into()), None));
    let outcome = run.await.unwrap();
    assert_eq!(outcome.status, ExecutionStatus::Aborted);
    assert_eq!(outcome.error.as_deref(), Some("Operator"));
    assert_eq!(outcome.cause.as_deref(), Some("no longer needed"));
    let types: Vec<&str> = outcome.history.iter().map(|e| e.event_type).collect();
    for aborted in [
        "TaskStateAborted",
        "WaitStateAborted",
        "ParallelStateAborted",
    ] {
        assert!(types.contains(&aborted), "{aborted} missing from {types:?}");
    }
    assert_eq!(types.last(), Some(&"ExecutionAborted"));
    assert!(callbacks.send_success(&token, json!({})).is_err());
}

#[tokio::test(start_paused = true)]
async fn a_panicking_handler_fails_its_task_with_a_catchable_error() {
    let executor = machine(json!({"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                 "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Recovered"}], "End": true},
        "Recovered": {"Type": "Pass", "End": true}}}));
    let tasks = TaskRegistry::new().on_state("Call", |_: stepfn::TaskRequest| async move {
        if true {
            panic!("handler bug");
        }
        Ok(json!({}))
    });
    let outcome = executor
        .run(
            json!({}),
            ExecutionOptions::new()
                .with_clock(Arc::new(VirtualClock::starting_at(0)))
                .with_tasks(tasks),
        )
        .await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    let output = outcome.output.unwrap();
    assert_eq!(output["Error"], "States.TaskFailed");
    assert!(output["Cause"].as_str().unwrap().contains("handler bug"));
}

/// Two Map iterations whose handlers block their thread until both have started: they can
/// only finish when the handlers run on two worker threads at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn map_iteration_handlers_run_on_several_threads() {
    use std::sync::{Condvar, Mutex};
    let rendezvous = Arc::new((Mutex::new(0u32), Condvar::new()));
    let executor = machine(json!({"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "End": true, "MaxConcurrency": 2, "ItemProcessor": {
            "StartAt": "Work", "States": {"Work": {"Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work", "End": true}}}}}}));
    let meeting = rendezvous.clone();
    let tasks = TaskRegistry::new().on_state("Work", move |request: stepfn::TaskRequest| {
        let meeting = meeting.clone();
        async move {
            let (arrived, all_here) = &*meeting;
            let mut count = arrived.lock().unwrap();
            *count += 1;
            all_here.notify_all();
            let (count, timeout) = all_here
                .wait_timeout_while(count, Duration::from_secs(10), |n| *n < 2)
                .unwrap();
            if timeout.timed_out() {
                return Err(stepfn::StatesError::new(
                    "Alone",
                    format!("{} arrived", *count),
                ));
            }
            Ok(request.input)
        }
    });
    let outcome = executor
        .run(json!([1, 2]), ExecutionOptions::new().with_tasks(tasks))
        .await;
    assert_eq!(outcome.error, None, "{:?}", outcome.cause);
    assert_eq!(outcome.output, Some(json!([1, 2])));
}

#[tokio::test(start_paused = true)]
async fn handlers_over_shared_data_take_the_input_without_a_copy() {
    let executor = machine(json!({"StartAt": "Enrich", "States": {
        "Enrich": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Enrich",
                   "ResultPath": "$.enriched", "Next": "Plain"},
        "Plain": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Plain",
                  "End": true}}}));
    let big = stepfn::Data::from(json!({"blob": {"rows": [1, 2, 3]}, "id": "x"}));
    let blob = big["blob"].clone();
    let tasks = TaskRegistry::new()
        .on_state_data(
            "Enrich",
            move |request: stepfn::TaskRequest<stepfn::Data>| {
                // The handler sees the very nodes of the execution's input.
                let shared = request.input["blob"].shares(&blob);
                let mut output = request.input;
                if let Some(members) = output.object_mut() {
                    members.insert("shared".into(), shared.into());
                }
                std::future::ready(Ok(output))
            },
        )
        .on_state("Plain", |request: stepfn::TaskRequest| async move {
            Ok(json!({"keys": request.input.as_object().map_or(0, |m| m.len())}))
        });
    let outcome = executor
        .run_data(big, ExecutionOptions::new().with_tasks(tasks))
        .await;
    assert_eq!(outcome.status, ExecutionStatus::Succeeded);
    // "Plain" saw the input with Enrich's result merged in: blob, id, enriched.
    assert!(outcome.output.unwrap() == json!({"keys": 3}));
    let enriched = outcome
        .history
        .iter()
        .find(|e| e.event_type == "LambdaFunctionSucceeded")
        .and_then(|e| e.payload("output"))
        .cloned()
        .unwrap();
    assert!(enriched["shared"] == json!(true));
}

/// The longest delay a Wait accepts: 2^31 - 1 seconds from the state's entry on the
/// execution's own clock (about 68 years).
const LONGEST_WAIT_SECONDS: i64 = i32::MAX as i64;

/// Runs a one-Wait machine whose `Timestamp` lies `ahead_seconds` past the clock's start.
async fn wait_until_ahead(start_millis: i64, ahead_seconds: i64) -> stepfn::exec::Outcome {
    let clock = Arc::new(VirtualClock::starting_at(start_millis));
    let target = stepfn_codegen::format_rfc3339_millis(start_millis + ahead_seconds * 1000);
    let executor = machine(json!({"StartAt": "W", "States": {
        "W": {"Type": "Wait", "TimestampPath": "$.until", "End": true}}}));
    executor
        .run(
            json!({"until": target}),
            ExecutionOptions::new().with_clock(clock),
        )
        .await
}

#[tokio::test(start_paused = true)]
async fn a_wait_of_the_longest_delay_runs_and_one_second_more_fails() {
    // Two different clock starts: the limit follows the execution's clock, not the calendar.
    for start_millis in [0, 4_102_444_800_000] {
        let at_limit = wait_until_ahead(start_millis, LONGEST_WAIT_SECONDS).await;
        assert_eq!(
            at_limit.status,
            ExecutionStatus::Succeeded,
            "start {start_millis}"
        );
        let past_limit = wait_until_ahead(start_millis, LONGEST_WAIT_SECONDS + 1).await;
        assert_eq!(
            past_limit.status,
            ExecutionStatus::Failed,
            "start {start_millis}"
        );
        assert_eq!(past_limit.error.as_deref(), Some("States.Runtime"));
        assert_eq!(
            past_limit.cause.as_deref(),
            Some("An error occurred while executing the state 'W' (entered at the event id #2). Wait state delay is too long.")
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_seconds_wait_is_bounded_like_a_timestamp() {
    let executor = machine(json!({"StartAt": "W", "States": {
        "W": {"Type": "Wait", "SecondsPath": "$.s", "End": true}}}));
    let run = |seconds: i64| {
        executor.run(
            json!({"s": seconds}),
            ExecutionOptions::new().with_clock(Arc::new(VirtualClock::starting_at(0))),
        )
    };
    assert_eq!(
        run(LONGEST_WAIT_SECONDS).await.status,
        ExecutionStatus::Succeeded
    );
    assert_eq!(
        run(LONGEST_WAIT_SECONDS + 1).await.status,
        ExecutionStatus::Failed
    );
}

/// A clock whose waits panic: a bug in what a state's work calls.
struct PanickingClock;

impl Clock for PanickingClock {
    fn now_millis(&self) -> i64 {
        0
    }

    fn sleep(&self, _: Duration) -> futures::future::BoxFuture<'static, ()> {
        panic!("clock bug")
    }
}

#[tokio::test]
async fn a_panic_in_a_states_work_fails_the_execution_naming_the_state() {
    let executor = machine(json!({"StartAt": "Before", "States": {
        "Before": {"Type": "Pass", "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 5, "Next": "After"},
        "After": {"Type": "Pass", "End": true}}}));
    let outcome = executor
        .run(
            json!({}),
            ExecutionOptions::new().with_clock(Arc::new(PanickingClock)),
        )
        .await;
    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(outcome.error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        outcome.cause.as_deref(),
        Some("An error occurred while executing the state 'Pause' (entered at the event id #4). The state's evaluation panicked: clock bug")
    );
    let last = outcome.history.last().unwrap();
    assert_eq!(last.event_type, "ExecutionFailed");
}

#[tokio::test]
async fn a_runaway_expression_fails_its_state_within_the_budget() {
    let executor = machine(
        json!({"QueryLanguage": "JSONata", "StartAt": "Spin", "States": {
        "Spin": {"Type": "Pass",
                 "Output": "{% $sum([1..5000].($sum([1..5000]))) %}",
                 "End": true}}}),
    );
    let real = std::time::Instant::now();
    let outcome = executor
        .run(
            json!({}),
            ExecutionOptions::new().with_expression_limits(stepfn::exec::ExpressionLimits {
                max_depth: 10_000,
                time_limit: Some(Duration::from_millis(50)),
            }),
        )
        .await;
    assert!(
        real.elapsed() < Duration::from_secs(5),
        "{:?}",
        real.elapsed()
    );
    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(
        outcome.error.as_deref(),
        Some("States.QueryEvaluationError")
    );
    let cause = outcome.cause.unwrap();
    assert!(
        cause.contains("'Spin'") && cause.contains("U1001"),
        "{cause}"
    );
}

#[tokio::test]
async fn runaway_recursion_fails_its_state_at_the_depth_budget() {
    let executor = machine(
        json!({"QueryLanguage": "JSONata", "StartAt": "Recurse", "States": {
        "Recurse": {"Type": "Pass",
                    "Output": "{% ($f := function($x){ $x > 0 ? 1 + $f($x - 1) : 0 }; $f(100000)) %}",
                    "End": true}}}),
    );
    let outcome = executor.run(json!({}), ExecutionOptions::default()).await;
    assert_eq!(outcome.status, ExecutionStatus::Failed);
    assert_eq!(
        outcome.error.as_deref(),
        Some("States.QueryEvaluationError")
    );
    assert!(outcome.cause.unwrap().contains("Stack overflow"));
}
