use serde::{Deserialize, Serialize};
use stepfn::workflow;

#[derive(Serialize, Deserialize, stepfn::Payload)]
pub struct Order { pub id: String, pub skus: Vec<String> }
#[derive(Serialize, Deserialize, stepfn::Payload)]
pub struct Shaped { pub batches: Vec<Vec<String>> }

workflow! {
    pub Flow(Order) -> Shaped {
        start Shape;
        Shape: pass(parameters = Shaped { batches: array_partition(.id, 2) }) -> end;
    }
}

fn main() {}
