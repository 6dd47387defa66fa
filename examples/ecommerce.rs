//! E-commerce: validate the payment, route on the amount, then update the inventory and notify
//! the customer at once, and ship; a failure on the way is caught and compensated before the
//! execution fails.
//!
//! `cargo run --example ecommerce` prints the ASL and runs the workflow natively.

use serde::{Deserialize, Serialize};
use stepfn::{task, workflow, Payload, TaskError};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Order {
    pub order_id: String,
    pub amount: f64,
    pub items: Vec<String>,
    pub card: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Inventory {
    pub reserved: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Notification {
    pub channel: String,
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

#[derive(Debug, TaskError)]
pub enum InventoryError {
    #[task_error(name = "Inventory.Unavailable")]
    Unavailable,
}

impl std::fmt::Display for PaymentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the card was declined")
    }
}

impl std::fmt::Display for InventoryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an item is out of stock")
    }
}

#[task]
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

#[task]
async fn update_inventory(order: Order) -> Result<Inventory, InventoryError> {
    if order.items.iter().any(|i| i == "unicorn") {
        return Err(InventoryError::Unavailable);
    }
    Ok(Inventory {
        reserved: order.items.len(),
    })
}

#[task]
async fn notify_customer(order: Order) -> Notification {
    Notification {
        channel: if order.amount > 1000.0 {
            "phone"
        } else {
            "email"
        }
        .into(),
    }
}

#[task]
async fn ship(done: (Inventory, Notification)) -> Shipment {
    Shipment {
        tracking_number: format!("1Z{:04}{}", done.0.reserved, done.1.channel.len()),
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
                start UpdateInventory;
                UpdateInventory: task update_inventory -> end;
            }
            branch {
                start NotifyCustomer;
                NotifyCustomer: task notify_customer -> end;
            }
        }
        Ship: task ship -> end;
        Compensate: task refund -> OrderFailed;
        OrderFailed: fail(error = "OrderFailed", cause = "the order could not be completed");
    }
}

fn order(amount: f64, item: &str, card: &str) -> Order {
    Order {
        order_id: "ord-7".into(),
        amount,
        items: vec!["book".into(), item.into()],
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

    #[tokio::test(start_paused = true)]
    async fn a_large_order_is_reviewed_then_shipped() {
        let shipped = stepfn_examples::check::<ECommerce>(order(1250.0, "lamp", "4242"))
            .await
            .unwrap();
        assert_eq!(shipped.tracking_number, "1Z00025");
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

    #[test]
    fn deploys_cleanly_by_cfn_lint_and_asl_validator() {
        stepfn_examples::tools::check_deploy::<ECommerce>("ecommerce");
    }
}
