// Order, Receipt and the tasks validate, charge and ship.
include!("../prelude.rs");

workflow! {
    pub Flow(Order) -> Order {
        start Both;
        Both: parallel -> end {
            branch { start Ship; Ship: task ship -> end; }
            branch { start Charge; Charge: task charge -> end; }
        }
    }
}
fn main() {}
