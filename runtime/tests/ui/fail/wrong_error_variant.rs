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

#[derive(Debug, stepfn::TaskError)]
pub enum PayError { Declined }
#[derive(Debug, stepfn::TaskError)]
pub enum ShipError { Lost }
impl std::fmt::Display for PayError { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("declined") } }
impl std::fmt::Display for ShipError { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("lost") } }

#[task]
async fn pay(order: Order) -> Result<Order, PayError> { Ok(order) }

workflow! {
    pub Flow(Order) -> Order {
        start Pay;
        Pay: task pay -> end
            catch [ShipError::Lost] -> Failed;
        Failed: fail(error = "X");
    }
}
fn main() {}
