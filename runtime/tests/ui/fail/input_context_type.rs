// Order, Receipt and the tasks validate, charge and ship.
include!("../prelude.rs");

workflow! {
    pub Flow(Order) -> Receipt {
        start Charge;
        Charge: task charge(input = context.execution.input.id) -> end;
    }
}
fn main() {}
