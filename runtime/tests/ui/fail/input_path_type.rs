use serde::{Deserialize, Serialize};
use stepfn::{task, workflow};

#[derive(Serialize, Deserialize, stepfn::Payload)]
pub struct Envelope { pub id: String, pub order: Order }
#[derive(Serialize, Deserialize)]
pub struct Order { pub total: f64 }

#[task]
async fn charge(order: Order) -> Order { order }

workflow! {
    pub Flow(Envelope) -> Order {
        start Charge;
        Charge: task charge(input = .id) -> end;
    }
}

fn main() {}
