// Order, Receipt and the tasks validate, charge and ship.
include!("../prelude.rs");

workflow! {
    pub Flow(Order) -> Order {
        start Pause;
        Pause: wait "5 minutes" -> end;
    }
}
fn main() {}
