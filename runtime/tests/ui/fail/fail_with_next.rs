// Order, Receipt and the tasks validate, charge and ship.
include!("../prelude.rs");

workflow! {
    pub Flow(Order) -> Order {
        start Validate;
        Validate: task validate -> Rejected;
        Rejected: fail(error = "Order.Rejected") -> end;
    }
}
fn main() {}
