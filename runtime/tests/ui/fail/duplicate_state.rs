// Order, Receipt and the tasks validate, charge and ship.
include!("../prelude.rs");

workflow! {
    pub Flow(Order) -> Order {
        start Validate;
        Validate: task validate -> Ship;
        Ship: task ship -> end;
        Ship: task ship -> end;
    }
}
fn main() {}
