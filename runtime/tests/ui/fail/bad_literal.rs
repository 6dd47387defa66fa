use serde::{Deserialize, Serialize};
use stepfn::workflow;

#[derive(Serialize, Deserialize)]
pub struct Order { pub id: String }

workflow! {
    pub Flow(Order) -> Order {
        start Hold;
        Hold: wait "1m" -> Check;
        Check: choice {
            when .id == 'x' => Hold,
            else => Done,
        }
        Done: succeed;
    }
}

fn main() {}
