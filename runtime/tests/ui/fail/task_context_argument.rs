use serde::{Deserialize, Serialize};
use stepfn::task;

#[derive(Serialize, Deserialize)]
pub struct Order { pub id: String }

#[task]
async fn audit(order: Order, previous: &Order) -> Order { let _ = previous; order }

fn main() {}
