// What most compile-fail cases share: two payload types and three tasks. Included, since
// trybuild compiles each case as its own crate.

use serde::{Deserialize, Serialize};
use stepfn::{task, workflow};

#[derive(Serialize, Deserialize, stepfn::Payload)]
pub struct Order { pub id: String, pub total: f64, pub lines: Vec<String> }
#[derive(Serialize, Deserialize)]
pub struct Receipt { pub id: String }

#[task]
async fn validate(order: Order) -> Order { order }
#[task]
async fn charge(order: Order) -> Receipt { Receipt { id: order.id } }
#[task]
async fn ship(order: Order) -> Order { order }
