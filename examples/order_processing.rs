//! Order processing: ProcessOrder -> SendEmail, the order step retried on failure
//! (interval 5 s, 3 attempts, backoff 2.0).
//!
//! `cargo run --example order_processing` prints the ASL and runs the workflow natively.

use serde::{Deserialize, Serialize};
use stepfn::{task, workflow, TaskError};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Order {
    pub order_id: String,
    pub email: String,
    pub amount: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Processed {
    pub order_id: String,
    pub email: String,
    pub status: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Sent {
    pub message_id: String,
}

#[derive(Debug, TaskError)]
pub enum OrderError {
    /// The payment service is briefly unavailable: worth retrying.
    #[task_error(name = "Order.ServiceUnavailable")]
    ServiceUnavailable,
    #[task_error(name = "Order.Invalid")]
    Invalid,
}

impl std::fmt::Display for OrderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OrderError::ServiceUnavailable => f.write_str("the payment service is unavailable"),
            OrderError::Invalid => f.write_str("the order is invalid"),
        }
    }
}

#[task(timeout = "30s")]
async fn process_order(order: Order) -> Result<Processed, OrderError> {
    if order.amount <= 0.0 {
        return Err(OrderError::Invalid);
    }
    Ok(Processed {
        order_id: order.order_id,
        email: order.email,
        status: "PROCESSED".into(),
    })
}

#[task]
async fn send_email(order: Processed) -> Sent {
    Sent {
        message_id: format!("msg-{}", order.order_id),
    }
}

workflow! {
    /// Processes an order, then emails the customer.
    pub OrderProcessing(Order) -> Sent {
        start ProcessOrder;
        ProcessOrder: task process_order -> SendEmail
            retry [OrderError::ServiceUnavailable, States::Timeout] (interval = "5s", max_attempts = 3, backoff = 2.0);
        SendEmail: task send_email -> end;
    }
}

fn order(amount: f64) -> Order {
    Order {
        order_id: "ord-42".into(),
        email: "ada@example.com".into(),
        amount,
    }
}

#[tokio::main]
async fn main() {
    stepfn_examples::show::<OrderProcessing>(order(99.5)).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use stepfn::Workflow;

    #[tokio::test(start_paused = true)]
    async fn processes_and_emails() {
        let sent = stepfn_examples::check::<OrderProcessing>(order(99.5))
            .await
            .unwrap();
        assert_eq!(sent.message_id, "msg-ord-42");
        let asl: serde_json::Value = serde_json::from_str(&OrderProcessing::asl_json()).unwrap();
        let retry = &asl["States"]["ProcessOrder"]["Retry"][0];
        assert_eq!(retry["IntervalSeconds"], 5);
        assert_eq!(retry["MaxAttempts"], 3);
        assert_eq!(retry["BackoffRate"], 2.0);
    }

    #[tokio::test(start_paused = true)]
    async fn an_invalid_order_fails_with_its_error_name() {
        let e = stepfn_examples::check::<OrderProcessing>(order(0.0))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("Order.Invalid"), "{e}");
    }

    #[tokio::test]
    async fn a_flaky_payment_service_is_retried_with_backoff() {
        let run = OrderProcessing::test()
            .fail_attempt::<process_order>(0, OrderError::ServiceUnavailable)
            .time_out::<process_order>(1)
            .run(order(99.5))
            .await;
        run.assert_states(&["ProcessOrder", "SendEmail"]);
        let errors: Vec<_> = run.retries().into_iter().map(|r| r.error).collect();
        assert_eq!(
            errors,
            [
                Some("Order.ServiceUnavailable".into()),
                Some("States.Timeout".into())
            ]
        );
        // Backoff: 5 s, then 10 s.
        assert_eq!(run.virtual_time(), std::time::Duration::from_secs(15));
        assert_eq!(run.output().message_id, "msg-ord-42");
        let gave_up = OrderProcessing::test()
            .fail_attempt::<process_order>(0, OrderError::ServiceUnavailable)
            .fail_attempt::<process_order>(1, OrderError::ServiceUnavailable)
            .fail_attempt::<process_order>(2, OrderError::ServiceUnavailable)
            .fail_attempt::<process_order>(3, OrderError::ServiceUnavailable)
            .run(order(99.5))
            .await;
        gave_up.assert_error(&OrderError::ServiceUnavailable);
        assert_eq!(gave_up.retries().len(), 3);
    }

    #[test]
    fn deploys_cleanly_by_cfn_lint_and_asl_validator() {
        stepfn_examples::tools::check_deploy::<OrderProcessing>("order_processing");
    }
}
