use serde::{Deserialize, Serialize};
use stepfn::{task, workflow};

#[derive(Serialize, Deserialize, stepfn::Payload)]
pub struct Order { pub skus: Vec<String>, pub packed: Vec<String> }

#[task]
async fn pack(sku: String) -> u32 { sku.len() as u32 }

workflow! {
    pub Flow(Order) -> Order {
        start Pack;
        Pack: map<String>(items = .skus, result_path = .packed) -> end {
            start PackOne;
            PackOne: task pack -> end;
        }
    }
}

fn main() {}
