// Order, Receipt and the tasks validate, charge and ship.
include!("../prelude.rs");

workflow! {
    pub Flow(Order) -> Receipt {
        start Validate;
        Validate: task validate -> Chrage;
        Charge: task charge -> end;
    }
}
fn main() {}

// The workflow type still exists, so code using it reports nothing more.
#[allow(dead_code)]
fn uses_the_workflow() -> &'static stepfn::StateMachine {
    <Flow as stepfn::Workflow>::definition()
}
