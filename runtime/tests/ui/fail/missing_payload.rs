use serde::{Deserialize, Serialize};
use stepfn::{task, workflow};

#[derive(Serialize, Deserialize)]
pub struct Order { pub id: String, pub total: f64 }

#[task]
async fn ship(order: Order) -> Order { order }

workflow! {
    pub Flow(Order) -> Order {
        start Route;
        Route: choice {
            when .total > 10.0 => Ship,
            else => Ship,
        }
        Ship: task ship -> end;
    }
}

fn main() {}
