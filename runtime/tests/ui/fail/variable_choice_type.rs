use serde::{Deserialize, Serialize};
use stepfn::workflow;

#[derive(Serialize, Deserialize, stepfn::Payload)]
pub struct Order { pub id: String }

workflow! {
    pub Flow(Order) -> Order {
        start Remember;
        Remember: pass -> Decide assign(order_id = .id);
        Decide: choice {
            when $order_id > 3 => Done,
            else => Done,
        }
        Done: succeed;
    }
}

fn main() {}
