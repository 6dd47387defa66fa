use serde::{Deserialize, Serialize};
use stepfn::{task, workflow};

#[derive(Serialize, Deserialize, stepfn::Payload)]
pub struct Order { pub id: String, pub receipt: Option<String> }
#[derive(Serialize, Deserialize)]
pub struct Receipt { pub id: String }

#[task]
async fn charge(order: Order) -> Receipt { Receipt { id: order.id } }

workflow! {
    pub Flow(Order) -> Order {
        start Charge;
        Charge: task charge(result_path = .receipt) -> end;
    }
}

fn main() {}
