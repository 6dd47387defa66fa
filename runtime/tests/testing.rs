//! The test harness: `W::test()` under a plain `#[tokio::test]` (time is virtual anyway),
//! typed stand-ins for tasks, failing and timing out attempts, callbacks answered later, a
//! MockConfigFile, and what a run reports, each assertion's failure message included.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use stepfn::aws::sqs::SendMessage;
use stepfn::{task, workflow, ExecutionStatus, Payload, TaskError, Workflow};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Order {
    pub id: String,
    pub total: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Receipt {
    pub id: String,
    pub charged: f64,
}

#[derive(Debug, TaskError)]
pub enum PaymentError {
    #[task_error(name = "Payment.Throttled")]
    Throttled,
    #[task_error(name = "Payment.Declined")]
    Declined,
}

impl std::fmt::Display for PaymentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

#[task(timeout = "30s")]
async fn charge(order: Order) -> Result<Receipt, PaymentError> {
    Ok(Receipt {
        id: order.id,
        charged: order.total,
    })
}

#[task]
async fn notify(receipt: Receipt) -> Receipt {
    receipt
}

#[task]
async fn refund(_error: stepfn::ErrorOutput) -> Receipt {
    Receipt {
        id: "refunded".into(),
        charged: 0.0,
    }
}

workflow! {
    pub Checkout(Order) -> Receipt {
        start Charge;
        Charge: task charge -> Settle
            retry [PaymentError::Throttled] (interval = "1h", max_attempts = 2)
            catch [PaymentError::Declined, States::Timeout] -> Refund;
        Settle: wait "30d" -> Notify;
        Notify: task notify -> end;
        Refund: task refund -> end;
    }
}

fn order() -> Order {
    Order {
        id: "o-1".into(),
        total: 12.5,
    }
}

#[tokio::test]
async fn a_month_of_waiting_takes_no_time_under_a_plain_tokio_test() {
    let real = std::time::Instant::now();
    let run = Checkout::test().run(order()).await;
    assert_eq!(
        run.output(),
        Receipt {
            id: "o-1".into(),
            charged: 12.5
        }
    );
    run.assert_states(&["Charge", "Settle", "Notify"]);
    assert_eq!(
        run.transitions(),
        vec![
            ("Charge".to_string(), "Settle".to_string()),
            ("Settle".to_string(), "Notify".to_string())
        ]
    );
    assert_eq!(run.virtual_time(), Duration::from_secs(30 * 86_400));
    assert!(real.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_task_is_mocked_by_its_function_with_its_types() {
    let run = Checkout::test()
        .mock::<charge>(|order| {
            Ok(Receipt {
                id: format!("mocked-{}", order.id),
                charged: order.total * 2.0,
            })
        })
        .returns::<notify>(Receipt {
            id: "notified".into(),
            charged: 1.0,
        })
        .run(order())
        .await;
    assert_eq!(run.output().id, "notified");
    // The mock's answer flowed on: the history shows it as Charge's output.
    assert!(run.snapshot().contains("mocked-o-1"), "{}", run.snapshot());
}

#[tokio::test]
async fn failed_attempts_are_retried_and_reported() {
    let run = Checkout::test()
        .fail_attempt::<charge>(0, PaymentError::Throttled)
        .run(order())
        .await;
    assert_eq!(run.status(), ExecutionStatus::Succeeded);
    let retries = run.retries();
    assert_eq!(retries.len(), 1, "{retries:?}");
    assert_eq!(retries[0].state, "Charge");
    assert_eq!(retries[0].attempt, 0);
    assert_eq!(retries[0].error.as_deref(), Some("Payment.Throttled"));
    // The hour of backoff and the month of waiting.
    assert_eq!(run.virtual_time(), Duration::from_secs(3_600 + 30 * 86_400));
    assert!(run.catches().is_empty());
}

#[tokio::test]
async fn a_caught_failure_names_the_error_and_the_catcher() {
    let declined = Checkout::test()
        .fail_attempt::<charge>(0, PaymentError::Declined)
        .run(order())
        .await;
    declined.assert_states(&["Charge", "Refund"]);
    let catches = declined.catches();
    assert_eq!(catches.len(), 1, "{catches:?}");
    assert_eq!(catches[0].state, "Charge");
    assert_eq!(catches[0].error.as_deref(), Some("Payment.Declined"));
    assert_eq!(catches[0].next, "Refund");
    let timed_out = Checkout::test().time_out::<charge>(0).run(order()).await;
    assert_eq!(
        timed_out.catches()[0].error.as_deref(),
        Some("States.Timeout")
    );
    assert_eq!(timed_out.output().id, "refunded");
}

#[tokio::test]
async fn exhausted_retries_fail_the_execution_with_the_typed_error() {
    let run = Checkout::test()
        .fail_attempt::<charge>(0, PaymentError::Throttled)
        .fail_attempt::<charge>(1, PaymentError::Throttled)
        .fail_attempt::<charge>(2, PaymentError::Throttled)
        .run(order())
        .await;
    run.assert_error(&PaymentError::Throttled);
    assert_eq!(run.retries().len(), 2);
    let why = run.try_output().unwrap_err();
    assert!(why.contains("FAILED") || why.contains("Failed"), "{why}");
    assert!(why.contains("Payment.Throttled"), "{why}");
    assert!(why.contains("states: Charge"), "{why}");
}

#[test]
fn a_test_that_is_not_async_runs_too() {
    let run = Checkout::test().run_blocking(order());
    run.assert_states(&["Charge", "Settle", "Notify"]);
}

// --- Callbacks, answered later on virtual time. ---

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Review {
    pub order: Order,
    pub token: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Decision {
    pub approved: bool,
}

#[derive(Debug, TaskError)]
pub enum ReviewError {
    #[task_error(name = "Review.Rejected")]
    Rejected,
}

impl std::fmt::Display for ReviewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the reviewer rejected the order")
    }
}

#[task(
    resource = "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    timeout = "1d"
)]
async fn ask_reviewer(_message: SendMessage<Review>) -> Result<Decision, ReviewError> {
    Ok(Decision { approved: true })
}

workflow! {
    pub Approval(Order) -> Decision {
        start Ask;
        Ask: task ask_reviewer(
            parameters = SendMessage {
                queue_url: "https://sqs.us-east-1.amazonaws.com/123456789012/reviews",
                message_body: Review { order: ., token: context.task.token },
                ..
            }
        ) -> end
            catch [States::Timeout] -> NoAnswer;
        NoAnswer: fail(error = "Approval.NoAnswer", cause = "nobody answered");
    }
}

#[tokio::test]
async fn a_callback_is_answered_later_in_virtual_time() {
    let run = Approval::test()
        .callback::<ask_reviewer>(Duration::from_secs(3 * 3_600), |message| {
            assert!(
                !message.message_body.token.is_empty(),
                "the request carries the token"
            );
            Ok(Decision {
                approved: message.message_body.order.total < 100.0,
            })
        })
        .run(order())
        .await;
    assert_eq!(run.output(), Decision { approved: true });
    assert_eq!(run.virtual_time(), Duration::from_secs(3 * 3_600));
    let rejected = Approval::test()
        .callback::<ask_reviewer>(Duration::from_secs(60), |_| Err(ReviewError::Rejected))
        .run(order())
        .await;
    rejected.assert_error(&ReviewError::Rejected);
    // A callback later than the task's timeout: the timeout fires first, and is caught.
    let late = Approval::test()
        .callback::<ask_reviewer>(Duration::from_secs(2 * 86_400), |_| {
            Ok(Decision { approved: true })
        })
        .run(order())
        .await;
    late.assert_error_name("Approval.NoAnswer");
    assert_eq!(late.virtual_time(), Duration::from_secs(86_400));
}

// --- A MockConfigFile, and snapshots. ---

const MOCKS: &str = r#"{
  "StateMachines": {"Checkout": {"TestCases": {"Declined": {"Charge": "Declined", "Refund": "Refunded"}}}},
  "MockedResponses": {
    "Declined": {"0": {"Throw": {"Error": "Payment.Declined", "Cause": "card declined"}}},
    "Refunded": {"0": {"Return": {"id": "from-mock", "charged": 0.0}}}
  }
}"#;

#[tokio::test]
async fn a_mock_config_test_case_answers_as_it_would_for_stepfn_serve() {
    let config = stepfn::MockConfig::from_json(MOCKS).unwrap();
    let case = config.test_case(Some("Checkout"), "Declined").unwrap();
    let run = Checkout::test().with_mock_config(case).run(order()).await;
    run.assert_states(&["Charge", "Refund"]);
    assert_eq!(run.output().id, "from-mock");
}

#[tokio::test]
async fn the_history_snapshot_is_the_same_on_every_run() {
    let first = Approval::test()
        .callback::<ask_reviewer>(Duration::from_secs(60), |_| Ok(Decision { approved: true }))
        .run(order())
        .await;
    let second = Approval::test()
        .callback::<ask_reviewer>(Duration::from_secs(60), |_| Ok(Decision { approved: true }))
        .run(order())
        .await;
    // The task token differs between the runs; the snapshot numbers it instead.
    assert_eq!(first.snapshot(), second.snapshot());
    assert!(
        first.snapshot().contains("<uuid:1>"),
        "{}",
        first.snapshot()
    );
    first.assert_snapshot("tests/snapshots/approval.history");
}

// --- What the assertions say when they fail. ---

fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let payload = std::panic::catch_unwind(f).unwrap_err();
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn a_wrong_path_is_shown_side_by_side() {
    let run = Checkout::test().run_blocking(order());
    let message = panic_message(|| run.assert_states(&["Charge", "Refund"]));
    assert!(message.contains("expected: Charge → Refund"), "{message}");
    assert!(
        message.contains("actual:   Charge → Settle → Notify"),
        "{message}"
    );
    assert!(
        message.contains("expected `Refund`, entered `Settle`"),
        "{message}"
    );
}

#[test]
fn a_wrong_error_says_how_the_run_ended() {
    let run = Checkout::test().run_blocking(order());
    let message = panic_message(|| run.assert_error(&PaymentError::Declined));
    assert!(
        message.contains("expected the execution to fail with `Payment.Declined`"),
        "{message}"
    );
    assert!(message.contains("Succeeded"), "{message}");
    let failed = Checkout::test()
        .fail_attempt::<charge>(0, PaymentError::Declined)
        .mock::<refund>(|_| {
            Ok(Receipt {
                id: "r".into(),
                charged: 0.0,
            })
        })
        .run_blocking(order());
    let message = panic_message(|| failed.assert_error_name("Nope"));
    assert!(message.contains("ended Succeeded"), "{message}");
}

#[test]
fn the_output_of_a_failed_run_says_why_there_is_none() {
    let run = Checkout::test()
        .fail_attempt::<charge>(0, PaymentError::Throttled)
        .fail_attempt::<charge>(1, PaymentError::Throttled)
        .fail_attempt::<charge>(2, PaymentError::Throttled)
        .run_blocking(order());
    let message = panic_message(|| {
        let _ = run.output();
    });
    assert!(message.contains("Payment.Throttled"), "{message}");
    assert!(message.contains("states: Charge"), "{message}");
}

#[test]
fn a_task_of_another_workflow_is_refused_by_name() {
    let message = panic_message(|| {
        let _ = Approval::test().returns::<notify>(Receipt {
            id: "x".into(),
            charged: 0.0,
        });
    });
    assert!(
        message.contains("the task `notify` runs in no Task state of"),
        "{message}"
    );
}

// --- Coverage. ---

#[task]
async fn classify(order: Order) -> Result<Order, PaymentError> {
    Ok(order)
}

workflow! {
    /// Only the coverage test runs it, so its coverage is that test's alone.
    pub Routing(Order) -> Order {
        start Classify;
        Classify: task classify -> Route
            retry [PaymentError::Throttled] (interval = "1s", max_attempts = 2)
            catch [PaymentError::Declined] -> Rejected;
        Route: choice {
            when .total > 100.0 => Large,
            when .total > 1000.0 => Large,
            else => Small,
        }
        Large: pass -> end;
        Small: pass -> end;
        Rejected: fail(error = "Routing.Rejected", cause = "declined");
    }
}

#[tokio::test]
async fn coverage_reports_what_the_runs_exercised_and_marks_the_rest() {
    let before = stepfn::testing::Coverage::of::<Routing>().report();
    assert_eq!(before.counts().0, 0, "{}", before.table());
    Routing::test()
        .fail_attempt::<classify>(0, PaymentError::Throttled)
        .run(order())
        .await
        .assert_states(&["Classify", "Route", "Small"]);
    let report = stepfn::testing::Coverage::of::<Routing>().report();
    let tested = |state: &str, kind: &str| {
        report
            .items
            .iter()
            .filter(|i| i.state == state && i.kind == kind)
            .map(|i| i.tested)
            .collect::<Vec<_>>()
    };
    assert_eq!(tested("Classify", "state"), [true]);
    assert_eq!(tested("Classify", "retry"), [true]);
    assert_eq!(tested("Classify", "catch"), [false]);
    assert_eq!(
        tested("Route", "choice"),
        [false],
        "both rules lead to Large: one transition"
    );
    assert_eq!(tested("Route", "default"), [true]);
    assert_eq!(tested("Large", "state"), [false]);
    let table = report.table();
    assert!(table.contains("coverage of Routing:"), "{table}");
    assert!(table.contains("catch    Rejected"), "{table}");
    let message = std::panic::catch_unwind(|| report.assert_at_least(90.0))
        .err()
        .and_then(|p| p.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(message.contains("below 90%"), "{message}");
    let mermaid = report.mermaid();
    assert!(mermaid.contains("classDef untested"), "{mermaid}");
    assert!(mermaid.contains("linkStyle"), "{mermaid}");
    // The other paths: a large order, a declined one.
    Routing::test()
        .run(Order {
            id: "o-2".into(),
            total: 500.0,
        })
        .await;
    Routing::test()
        .fail_attempt::<classify>(0, PaymentError::Declined)
        .run(order())
        .await
        .assert_error_name("Routing.Rejected");
    let full = stepfn::testing::Coverage::of::<Routing>().report();
    assert_eq!(full.percent(), 100.0, "{}", full.table());
    full.assert_at_least(100.0);
    assert!(!full.mermaid().contains("classDef untested"));
}

#[test]
fn a_changed_history_is_shown_line_by_line_and_a_missing_snapshot_is_written() {
    let run = Checkout::test().run_blocking(order());
    let dir = std::env::temp_dir().join(format!("stepfn-snapshots-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let changed = dir.join("changed.history");
    std::fs::write(&changed, run.snapshot().replace("12.5", "13.5")).unwrap();
    let message = panic_message(|| run.assert_snapshot(&changed));
    assert!(
        message.contains("the history differs from the snapshot"),
        "{message}"
    );
    assert!(
        message.contains("- ") && message.contains("13.5"),
        "{message}"
    );
    assert!(
        message.contains("+ ") && message.contains("12.5"),
        "{message}"
    );
    assert!(message.contains("STEPFN_UPDATE_SNAPSHOTS=1"), "{message}");
    let missing = dir.join("missing.history");
    let message = panic_message(|| run.assert_snapshot(&missing));
    assert!(message.contains("wrote the new snapshot"), "{message}");
    assert_eq!(std::fs::read_to_string(&missing).unwrap(), run.snapshot());
    // Written, it now matches.
    run.assert_snapshot(&missing);
    let _ = std::fs::remove_dir_all(&dir);
}
