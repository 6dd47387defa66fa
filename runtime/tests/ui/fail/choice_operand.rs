// Order, Receipt and the tasks validate, charge and ship.
include!("../prelude.rs");

workflow! {
    pub Flow(Order) -> Order {
        start Route;
        Route: choice {
            when .id > 10.0 => Ship,
            else => Ship,
        }
        Ship: task ship -> end;
    }
}
fn main() {}
