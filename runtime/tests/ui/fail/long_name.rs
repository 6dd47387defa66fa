// Order, Receipt and the tasks validate, charge and ship.
include!("../prelude.rs");

workflow! {
    pub Flow(Order) -> Order {
        start ThisStateNameIsLongerThanEightyCharactersWhichIsTheMostThatAwsStepFunctionsAcceptsForAName;
        ThisStateNameIsLongerThanEightyCharactersWhichIsTheMostThatAwsStepFunctionsAcceptsForAName: task validate -> end;
    }
}
fn main() {}
