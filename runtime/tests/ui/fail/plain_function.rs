// Order, Receipt and the tasks validate, charge and ship.
include!("../prelude.rs");

async fn audit(order: Order) -> Order { order }

workflow! {
    pub Flow(Order) -> Order {
        start Audit;
        Audit: task audit -> end;
    }
}
fn main() {}
