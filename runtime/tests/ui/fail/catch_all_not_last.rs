// Order, Receipt and the tasks validate, charge and ship.
include!("../prelude.rs");

workflow! {
    pub Flow(Order) -> Order {
        start Validate;
        Validate: task validate -> end
            catch [States::ALL] -> Failed
            catch [States::Timeout] -> Failed;
        Failed: fail(error = "X");
    }
}
fn main() {}
