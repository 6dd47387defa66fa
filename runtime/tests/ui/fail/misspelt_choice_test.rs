// Order, Receipt and the tasks validate, charge and ship.
include!("../prelude.rs");

workflow! {
    pub Flow(Order) -> Order {
        start Check;
        Check: choice {
            when is_presnt(.id) => Validate,
            else => Validate,
        }
        Validate: task validate -> end;
    }
}
fn main() {}
