use serde::{Deserialize, Serialize};
use stepfn::{task, workflow};

#[derive(Serialize, Deserialize, stepfn::Payload)]
pub struct Order { pub id: String, pub total: f64 }
#[derive(Serialize, Deserialize, stepfn::Payload)]
pub struct ChargeRequest { pub order_ref: String, pub amount: f64 }

#[task]
async fn charge(request: ChargeRequest) -> ChargeRequest { request }

workflow! {
    pub Flow(Order) -> ChargeRequest {
        start Charge;
        Charge: task charge(parameters = ChargeRequest { order_ref: .total, amount: .total }) -> end;
    }
}

fn main() {}
