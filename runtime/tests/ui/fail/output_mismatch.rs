// Order, Receipt and the tasks validate, charge and ship.
include!("../prelude.rs");

workflow! {
    pub Flow(Order) -> Order {
        start Charge;
        Charge: task charge -> end;
    }
}
fn main() {}
