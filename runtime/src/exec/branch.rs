//! The branch loop: enter a state, do its work, record its events, follow its transition,
//! until the branch (the machine, a Parallel branch, a Map iteration) ends.

use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

use futures::future::BoxFuture;
use futures::FutureExt;
use stepfn_codegen::{State, States};

use crate::data::Data;
use crate::error::{names, StatesError};
use crate::exec::retry::handled;
use crate::exec::states::choice::choose;
use crate::exec::states::fail::fail;
use crate::exec::states::pass::pass;
use crate::exec::states::succeed::succeed;
use crate::exec::states::wait;
use crate::exec::visit::{
    aborted_event, entered_event, exited_event, AbortGuard, Shared, StateFacts, Step, Visit,
};
use crate::expr::variables::{Assigned, VariableScope};
use crate::history::Details;
use crate::state_name::StateName;

/// Runs the states of one branch (the machine, a Parallel branch, a Map iteration) from
/// `start_at` to an end, returning the branch's output. Boxed: Parallel and Map states run
/// branches inside a branch.
pub(crate) fn run_branch<'a>(
    shared: &'a Shared,
    states: &'a States,
    start_at: &'a str,
    input: Data,
    variables: VariableScope<'a>,
    concurrent: bool,
    cursor: &'a mut u64,
) -> BoxFuture<'a, Result<Data, StatesError>> {
    Box::pin(run_scope(
        shared, states, start_at, input, variables, concurrent, cursor,
    ))
}

/// [`run_branch`] unboxed, for the machine's own states: an execution then allocates no
/// future of its own.
pub(crate) async fn run_scope<'a>(
    shared: &'a Shared,
    states: &'a States,
    start_at: &'a str,
    input: Data,
    variables: VariableScope<'a>,
    concurrent: bool,
    cursor: &'a mut u64,
) -> Result<Data, StatesError> {
    let mut variables = variables;
    let result = run_states(
        shared,
        states,
        start_at,
        input,
        &mut variables,
        concurrent,
        cursor,
    )
    .await;
    variables.release(&shared.variable_budget);
    result
}

async fn run_states<'a>(
    shared: &'a Shared,
    states: &'a States,
    start_at: &'a str,
    input: Data,
    variables: &mut VariableScope<'a>,
    concurrent: bool,
    cursor: &mut u64,
) -> Result<Data, StatesError> {
    let mut name: &str = start_at;
    let mut input = input;
    loop {
        // One lookup by name finds the interned name, what is known of the state, and where it
        // sits in its `States`. A name not in the table (TestState's, or one given twice) is
        // looked up in `states` itself.
        let known = shared.state_names.get(name).and_then(|facts| {
            let (key, state) = states.get_index(facts.position?)?;
            (key == name).then_some((facts.name?, facts, state))
        });
        let (shared_name, facts, state) = match known {
            Some(found) => found,
            None => {
                let Some(state) = states.get(name) else {
                    return Err(StatesError::new(
                        names::RUNTIME,
                        format!("The state '{name}' does not exist"),
                    ));
                };
                (StateName::new(name), &StateFacts::UNKNOWN, state)
            }
        };
        let entered_previous = *cursor;
        let (entered_id, entered_millis) = shared.emit_state(
            cursor,
            entered_event(state),
            shared_name,
            "input",
            &input,
            Details::new(),
        );
        let visit = Visit {
            shared,
            name,
            shared_name,
            facts,
            entered_millis,
            entered_id,
            entered_previous,
            single_step: false,
            concurrent,
            language: state.query_language().unwrap_or(shared.default_language),
            variables,
            assigned: Mutex::new(None),
            has_assigned: AtomicBool::new(false),
        };
        let mut abort = AbortGuard::new(shared, aborted_event(state), name, entered_id);
        // Let sibling Parallel branches and Map iterations enter their states too before this
        // one goes on: AWS interleaves the events of concurrent branches this way.
        if concurrent {
            tokio::task::yield_now().await;
        }
        // A bug anywhere in the state's work (an expression, a template, a clock) must end
        // this execution, not the process that runs it, nor leave it running forever.
        let result = match std::panic::AssertUnwindSafe(run_state(&visit, state, input, cursor))
            .catch_unwind()
            .await
        {
            Ok(result) => result,
            Err(payload) => Err(StatesError::runtime(format!(
                "The state's evaluation panicked: {}",
                crate::exec::states::task::panic_message(payload.as_ref())
            ))),
        };
        abort.disarm();
        let step = match result {
            Ok(step) => step,
            Err(e) => {
                let e = visit.locate(e, cursor);
                // A Task whose failure ends its Parallel branch or Map iteration never exits:
                // AWS records it aborted, after its failure and without moving the chain on.
                if concurrent && matches!(state, State::Task(_)) && e.is_catchable() {
                    drop(AbortGuard::new(shared, aborted_event(state), name, *cursor));
                }
                return Err(e);
            }
        };
        let assigned = visit
            .assigned
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        let (next, mut output) = match step {
            Step::Next(next, output) | Step::Caught { next, output, .. } => (Some(next), output),
            Step::End(output) => (None, output),
            Step::Retriable(e) => return Err(e),
        };
        let mut assigned = assigned;
        // A resumed execution goes on with what the state gave the first time (an output or
        // variables may hold a fresh UUID or the time): the stored exit says what that was.
        if let Some(replay) = shared.replay() {
            if let Some(stored) = replay.peek(*cursor, &[exited_event(state)], Some(name)) {
                if let Some(recorded) = stored.payload("output") {
                    output = recorded;
                }
                if let Some(values) = stored.assigned_variables() {
                    assigned = Some(Assigned::check(values, None, &shared.variable_budget)?);
                }
            }
        }
        let mut details = Details::new();
        if shared.history.records() {
            if let Some(assigned) = &assigned {
                details.push(("assignedVariables", assigned_details(assigned)));
                details.push((
                    "assignedVariablesDetails",
                    Data::from(serde_json::json!({"truncated": false})),
                ));
            }
        }
        shared.emit_state(
            cursor,
            exited_event(state),
            shared_name,
            "output",
            &output,
            details,
        );
        if let Some(assigned) = assigned {
            variables.commit(assigned, &shared.variable_budget);
        }
        match next {
            // A name that leads nowhere fails at the top of the loop.
            Some(next) => {
                name = next;
                input = output;
            }
            None => return Ok(output),
        }
    }
}

/// `assignedVariables` of a `...StateExited` event: each value as JSON text.
fn assigned_details(assigned: &Assigned) -> Data {
    Data::object(
        assigned
            .iter()
            .map(|(name, value)| (name.into(), crate::expr::scope::compact(value).into()))
            .collect(),
    )
}

pub(crate) async fn run_state<'s>(
    visit: &Visit<'_>,
    state: &'s State,
    input: Data,
    cursor: &mut u64,
) -> Result<Step<'s>, StatesError> {
    match state {
        State::Pass(s) => pass(visit, s, input),
        State::Choice(s) => choose(visit, s, input),
        State::Succeed(s) => succeed(visit, s, input),
        State::Fail(s) => Err(fail(visit, s, &input)?),
        State::Wait(s) => wait::run(visit, s, input).await,
        State::Task(_) | State::Parallel(_) | State::Map(_) => {
            handled(visit, state, input, cursor).await
        }
    }
}
