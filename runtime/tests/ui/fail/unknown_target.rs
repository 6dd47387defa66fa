use serde::{Deserialize, Serialize};
use stepfn::{task, workflow};

#[derive(Serialize, Deserialize, stepfn::Payload)]
pub struct Order { pub id: String, pub total: f64, pub lines: Vec<String> }
#[derive(Serialize, Deserialize)]
pub struct Receipt { pub id: String }

#[task]
async fn validate(order: Order) -> Order { order }
#[task]
async fn charge(order: Order) -> Receipt { Receipt { id: order.id } }
#[task]
async fn ship(order: Order) -> Order { order }

workflow! {
    pub Flow(Order) -> Receipt {
        start Validate;
        Validate: task validate -> Chrage;
        Charge: task charge -> end;
    }
}
fn main() {}

// The workflow type still exists, so code using it reports nothing more.
#[allow(dead_code)]
fn uses_the_workflow() -> stepfn::StateMachine {
    <Flow as stepfn::Workflow>::definition()
}
