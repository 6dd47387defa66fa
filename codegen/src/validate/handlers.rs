//! Retry and Catch rules, and Task timing rules.

use crate::model::STATES_ALL;
use crate::{MaybeJsonata, Pointer, Problem, State, StateMachine};

pub(super) fn check(machine: &StateMachine, problems: &mut Vec<Problem>) {
    super::walk::each_state(&machine.states, &Pointer::root(), &mut |_, state, ptr| {
        if let Some(retry) = state.retry() {
            error_lists(
                retry.iter().map(|r| r.error_equals.as_slice()),
                &ptr.key("Retry"),
                problems,
            );
        }
        if let Some(catch) = state.catch() {
            error_lists(
                catch.iter().map(|c| c.error_equals.as_slice()),
                &ptr.key("Catch"),
                problems,
            );
        }
        if let State::Task(task) = state {
            if let (Some(MaybeJsonata::Literal(heartbeat)), Some(MaybeJsonata::Literal(timeout))) =
                (&task.heartbeat_seconds, &task.timeout_seconds)
            {
                if heartbeat >= timeout {
                    problems.push(Problem::schema(
                        &ptr.key("HeartbeatSeconds"),
                        format!("HeartbeatSeconds ({heartbeat}) must be smaller than TimeoutSeconds ({timeout})"),
                    ));
                }
            }
        }
    });
}

/// `States.ALL` must stand alone, in the last retrier or catcher.
fn error_lists<'a>(
    lists: impl ExactSizeIterator<Item = &'a [String]>,
    at: &Pointer,
    problems: &mut Vec<Problem>,
) {
    let count = lists.len();
    for (i, errors) in lists.enumerate() {
        if errors.iter().any(|e| e == STATES_ALL) && (errors.len() > 1 || i + 1 != count) {
            problems.push(Problem::schema(
                &at.index(i).key("ErrorEquals"),
                "States.ALL can only appear in the last element, and by itself.",
            ));
        }
    }
}
