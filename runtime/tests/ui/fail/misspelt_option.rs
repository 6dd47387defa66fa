// Order, Receipt and the tasks validate, charge and ship.
include!("../prelude.rs");

workflow! {
    pub Flow(Order) -> Order {
        start Validate;
        Validate: task validate -> end
            retry [States::ALL] (max_attempt = 3);
    }
}
fn main() {}
