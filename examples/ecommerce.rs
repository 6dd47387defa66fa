//! E-commerce: validate the payment (a Lambda function through `lambda:invoke`), route on the
//! amount, then reserve the stock (a DynamoDB `updateItem` whose condition fails when too few
//! are left) and tell the customer (SNS `publish`) at once, and ship; a failure on the way is
//! caught and compensated before the execution fails.
//!
//! Run natively, each task function answers in its service's place: the Lambda functions are
//! the functions themselves, the DynamoDB and SNS tasks stand in for the table and the topic.
//!
//! `cargo run --example ecommerce` prints the ASL and runs the workflow natively (`-- --asl`:
//! the ASL only).

use serde::{Deserialize, Serialize};
use stepfn::aws::dynamodb::{UpdateItem, UpdateItemOutput, N, S};
use stepfn::aws::sns::{Publish, PublishOutput};
use stepfn::aws::{DynamoDb, Lambda};
use stepfn::{task, workflow, Payload, TaskError};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Order {
    pub order_id: String,
    pub amount: f64,
    pub sku: String,
    pub quantity: u32,
    pub card: String,
}

/// The inventory table's key.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct StockKey {
    pub sku: S,
}

/// The values of the reservation's expressions.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Reservation {
    #[serde(rename = ":quantity")]
    pub quantity: N,
}

/// What is left of the item once reserved (`ReturnValues: UPDATED_NEW`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct StockLeft {
    pub available: N,
}

/// The message the customer's topic carries.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Confirmation {
    pub order_id: String,
    pub amount: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Shipment {
    pub tracking_number: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Refund {
    pub refunded: bool,
}

#[derive(Debug, TaskError)]
pub enum PaymentError {
    #[task_error(name = "Payment.Declined")]
    Declined,
}

impl std::fmt::Display for PaymentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the card was declined")
    }
}

/// The payment Lambda function: the state sends `{"FunctionName", "Payload"}` and passes on
/// the function's output.
#[task(resource = "arn:aws:states:::lambda:invoke")]
async fn validate_payment(order: Order) -> Result<Order, PaymentError> {
    if order.card == "0000" {
        return Err(PaymentError::Declined);
    }
    Ok(order)
}

/// Large orders are checked by a person before they go on; here it always approves.
#[task]
async fn review(order: Order) -> Order {
    order
}

/// Items in stock in the inventory table this example stands in for.
fn in_stock(sku: &str) -> u32 {
    if sku == "unicorn" {
        0
    } else {
        40
    }
}

/// Stands in for the inventory table: the condition `available >= :quantity` fails when too
/// few are left.
#[task(resource = "arn:aws:states:::dynamodb:updateItem")]
async fn reserve_stock(
    update: UpdateItem<StockKey, Reservation>,
) -> Result<UpdateItemOutput<StockLeft>, DynamoDb> {
    let wanted = update
        .expression_attribute_values
        .quantity
        .as_f64()
        .unwrap_or(f64::INFINITY);
    let available = f64::from(in_stock(&update.key.sku.s));
    if available < wanted {
        return Err(DynamoDb::ConditionalCheckFailedException);
    }
    Ok(UpdateItemOutput {
        attributes: Some(StockLeft {
            available: N::new(available - wanted),
        }),
    })
}

/// Stands in for the customer topic.
#[task(resource = "arn:aws:states:::sns:publish")]
async fn notify_customer(publish: Publish<Confirmation>) -> PublishOutput {
    PublishOutput::new(format!("msg-{}", publish.message.order_id))
}

#[task(resource = "arn:aws:states:::lambda:invoke")]
async fn ship(done: (UpdateItemOutput<StockLeft>, PublishOutput)) -> Shipment {
    let left = done
        .0
        .attributes
        .and_then(|a| a.available.as_f64())
        .unwrap_or_default();
    Shipment {
        tracking_number: format!("1Z{left:04}{}", done.1.message_id.len()),
    }
}

#[task]
async fn refund(_error: stepfn::ErrorOutput) -> Refund {
    Refund { refunded: true }
}

workflow! {
    /// Takes payment, reserves stock, notifies and ships; compensates on failure.
    pub ECommerce(Order) -> Shipment {
        start ValidatePayment;
        ValidatePayment: task validate_payment -> CheckAmount
            retry [Lambda::ServiceException, Lambda::AwsLambdaException, Lambda::SdkClientException, Lambda::TooManyRequestsException]
                (interval = "2s", max_attempts = 6, backoff = 2.0)
            catch [PaymentError::Declined] -> OrderFailed;
        CheckAmount: choice {
            when .amount > 1000.0 => Review,
            else => Fulfil,
        }
        Review: task review -> Fulfil;
        Fulfil: parallel<Order> -> Ship
            catch [States::ALL] -> Compensate
        {
            branch {
                start ReserveStock;
                ReserveStock: task reserve_stock(
                    parameters = UpdateItem {
                        table_name: "inventory",
                        key: StockKey { sku: S { s: .sku } },
                        update_expression: "SET available = available - :quantity",
                        expression_attribute_values: Reservation { quantity: N { n: json_to_string(.quantity) } },
                        condition_expression: Some("available >= :quantity"),
                        return_values: Some("UPDATED_NEW"),
                        ..
                    }
                ) -> end
                    retry [DynamoDb::ProvisionedThroughputExceededException] (interval = "1s", max_attempts = 3);
            }
            branch {
                start NotifyCustomer;
                NotifyCustomer: task notify_customer(
                    parameters = Publish {
                        message: Confirmation { order_id: .order_id, amount: .amount },
                        topic_arn: Some("arn:aws:sns:us-east-1:123456789012:order-confirmations"),
                        subject: Some("Your order"),
                        ..
                    }
                ) -> end;
            }
        }
        Ship: task ship -> end;
        Compensate: task refund -> OrderFailed;
        OrderFailed: fail(error = "OrderFailed", cause = "the order could not be completed");
    }
}

fn order(amount: f64, sku: &str, card: &str) -> Order {
    Order {
        order_id: "ord-7".into(),
        amount,
        sku: sku.into(),
        quantity: 2,
        card: card.into(),
    }
}

#[tokio::main]
async fn main() {
    stepfn_examples::show::<ECommerce>(order(1250.0, "lamp", "4242")).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use stepfn::Workflow;

    #[tokio::test(start_paused = true)]
    async fn a_large_order_is_reviewed_then_shipped() {
        let shipped = stepfn_examples::check::<ECommerce>(order(1250.0, "lamp", "4242"))
            .await
            .unwrap();
        // 38 of the lamp left, and the confirmation's message id `msg-ord-7`.
        assert_eq!(shipped.tracking_number, "1Z00389");
    }

    #[tokio::test(start_paused = true)]
    async fn a_missing_item_is_compensated_then_fails() {
        let e = stepfn_examples::check::<ECommerce>(order(20.0, "unicorn", "4242"))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("OrderFailed"), "{e}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_declined_card_fails_without_compensation() {
        let e = stepfn_examples::check::<ECommerce>(order(20.0, "lamp", "0000"))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("OrderFailed"), "{e}");
    }

    /// Every path, with the services mocked by their typed responses; then the workflow's
    /// coverage is complete.
    #[tokio::test]
    async fn every_path_is_tested_and_covered() {
        let declined = ECommerce::test()
            .fail_attempt::<validate_payment>(0, PaymentError::Declined)
            .run(order(20.0, "lamp", "4242"))
            .await;
        declined.assert_states(&["ValidatePayment", "OrderFailed"]);
        assert_eq!(
            declined.catches()[0].error.as_deref(),
            Some("Payment.Declined")
        );
        // A large order goes through review, then both branches.
        let large = ECommerce::test()
            .mock::<validate_payment>(Ok)
            .run(order(1250.0, "lamp", "4242"))
            .await;
        let mut states = large.states();
        states.sort();
        assert_eq!(
            states,
            [
                "CheckAmount",
                "Fulfil",
                "NotifyCustomer",
                "ReserveStock",
                "Review",
                "Ship",
                "ValidatePayment"
            ]
        );
        // The table refuses the reservation: caught around the Parallel and compensated.
        let out_of_stock = ECommerce::test()
            .fail_attempt::<reserve_stock>(0, DynamoDb::ConditionalCheckFailedException)
            .run(order(20.0, "lamp", "4242"))
            .await;
        out_of_stock.assert_error_name("OrderFailed");
        assert!(out_of_stock.states().contains(&"Compensate"));
        // Throttled by the table, retried once.
        let retried = ECommerce::test()
            .fail_attempt::<reserve_stock>(0, DynamoDb::ProvisionedThroughputExceededException)
            .returns::<notify_customer>(PublishOutput::new("mock-message"))
            .run(order(20.0, "lamp", "4242"))
            .await;
        assert_eq!(retried.retries()[0].state, "ReserveStock");
        assert_eq!(retried.output().tracking_number, "1Z003812");
        let coverage = stepfn::testing::Coverage::of::<ECommerce>().report();
        let untested: Vec<_> = coverage.items.iter().filter(|i| !i.tested).collect();
        // Only Lambda's own service errors were never raised.
        assert_eq!(untested.len(), 1, "{}", coverage.table());
        assert_eq!(untested[0].kind, "retry");
        assert_eq!(untested[0].state, "ValidatePayment");
    }

    #[test]
    fn each_service_is_called_with_its_request_and_granted_to_the_role() {
        let asl: serde_json::Value = serde_json::from_str(&ECommerce::asl_json()).unwrap();
        let states = &asl["States"];
        assert_eq!(
            states["ValidatePayment"]["Parameters"],
            serde_json::json!({"FunctionName": "${ValidatePaymentArn}", "Payload.$": "$"})
        );
        assert_eq!(states["ValidatePayment"]["OutputPath"], "$.Payload");
        let branches = &states["Fulfil"]["Branches"];
        let reserve = &branches[0]["States"]["ReserveStock"];
        assert_eq!(reserve["Resource"], "arn:aws:states:::dynamodb:updateItem");
        assert_eq!(
            reserve["Parameters"]["Key"],
            serde_json::json!({"sku": {"S.$": "$.sku"}})
        );
        assert_eq!(
            reserve["Parameters"]["ExpressionAttributeValues"],
            serde_json::json!({":quantity": {"N.$": "States.JsonToString($.quantity)"}})
        );
        let policy = ECommerce::iam_policy(&Default::default())
            .unwrap()
            .to_string();
        for grant in [
            "lambda:InvokeFunction",
            "dynamodb:UpdateItem",
            "table/inventory",
            "sns:Publish",
            "order-confirmations",
        ] {
            assert!(policy.contains(grant), "{grant} in {policy}");
        }
    }

    #[test]
    fn deploys_cleanly_by_cfn_lint_and_asl_validator() {
        stepfn_examples::tools::check_deploy::<ECommerce>("ecommerce");
    }
}
