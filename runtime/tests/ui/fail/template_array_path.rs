use serde::{Deserialize, Serialize};
use stepfn::{task, workflow};

#[derive(Clone, Serialize, Deserialize, stepfn::Payload)]
pub struct Order { pub id: String, pub sku: String }
#[derive(Clone, Serialize, Deserialize, stepfn::Payload)]
pub struct Lookup { pub keys: Vec<String> }

#[task]
async fn look_up(lookup: Lookup) -> Lookup { lookup }

workflow! {
    pub Flow(Order) -> Lookup {
        start Look;
        Look: task look_up(parameters = Lookup { keys: [.id, .sku] }) -> end;
    }
}

fn main() {}
