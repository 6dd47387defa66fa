// Order, Receipt and the tasks validate, charge and ship.
include!("../prelude.rs");

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
