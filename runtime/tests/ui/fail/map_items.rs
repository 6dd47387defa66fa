// Order, Receipt and the tasks validate, charge and ship.
include!("../prelude.rs");

workflow! {
    pub Flow(Order) -> Vec<Order> {
        start Each;
        Each: map<Order>(items = .total) -> end {
            start Ship;
            Ship: task ship -> end;
        }
    }
}
fn main() {}
