// Order, Receipt and the tasks validate, charge and ship.
include!("../prelude.rs");

#[derive(Debug, stepfn::TaskError)]
pub enum PayError { Declined }
impl std::fmt::Display for PayError { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("declined") } }

#[task]
async fn pay(order: Order) -> Order { order }

workflow! {
    pub Flow(Order) -> Order {
        start Pay;
        Pay: task pay -> end
            retry [PayError::Declined] (max_attempts = 2);
    }
}
fn main() {}
