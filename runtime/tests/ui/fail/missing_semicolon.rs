// Order, Receipt and the tasks validate, charge and ship.
include!("../prelude.rs");

workflow! {
    pub Flow(Order) -> Receipt {
        start Validate;
        Validate: task validate -> Charge
        Charge: task charge -> end;
    }
}
fn main() {}
