//! The state loop: enter a state, do its work, record its events, follow its transition.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use futures::FutureExt;
use stepfn_codegen::{
    Assign, Catcher, Choice, Condition, Fail, MaybeJsonata, Parallel, Pass, Query, QueryLanguage,
    State, States, Succeed, Template, Transition,
};

use super::durable::DurableRun;
use super::{choice, error_details, io, map, retry::find_catcher, retry::RetryState, task, wait};
use crate::clock::Clock;
use crate::data::Data;
use crate::error::{names, StatesError};
use crate::expr::context::{ContextObject, ExecutionContext};
use crate::expr::fields::Fields;
use crate::expr::jsonata::{Expected, JsonataScope};
use crate::expr::scope::Roots;
use crate::expr::variables::{Assigned, VariableBudget, VariableScope};
use crate::history::{Details, History, NewEvent};
use crate::state_name::StateName;
use crate::tasks::{Callbacks, TaskRegistry, TaskResources};

/// What every branch of one execution shares.
pub(crate) struct Shared {
    pub clock: Arc<dyn Clock>,
    pub tasks: TaskRegistry,
    pub callbacks: Callbacks,
    /// Where unanswered activity tasks wait for workers.
    pub activities: Option<crate::tasks::Activities>,
    pub history: History,
    /// `$$.Execution` and `$$.StateMachine`.
    pub execution: Arc<ExecutionContext>,
    /// The machine's state names, shared rather than copied into every visit.
    pub state_names: Arc<StateNames>,
    /// The machine's Task resources, parsed once.
    pub task_resources: Arc<TaskResources>,
    pub s3_root: Option<PathBuf>,
    pub default_language: QueryLanguage,
    /// TestState: the context object as the caller gave it, used as is.
    pub context_override: Option<ContextObject>,
    /// TestState: the whole result of a mocked Map or Parallel state.
    pub state_mock: Option<Result<Data, StatesError>>,
    /// The bytes all variables of the execution hold.
    pub variable_budget: VariableBudget,
    /// A durable execution's store and the history it resumes from.
    pub durable: Option<Arc<DurableRun>>,
    /// The budget of each JSONata expression.
    pub expression_limits: crate::exec::ExpressionLimits,
}

/// Every state of the machine by name, and what the executor learnt of it before running it.
pub(crate) type StateNames =
    std::collections::HashMap<Box<str>, StateFacts, foldhash::fast::RandomState>;

/// What is known of a state from its definition alone.
#[derive(Clone, Debug)]
pub(crate) struct StateFacts {
    /// The name, interned; `None` only in [`StateFacts::UNKNOWN`].
    pub name: Option<StateName>,
    /// Some field may read the context object (`$$` or `$states.context`). Found by looking
    /// for `$$` and `$states` anywhere in the state's definition, so it errs towards true.
    pub reads_context: bool,
    /// A Pass state's `Result`, converted once rather than at every visit.
    pub pass_result: Option<Data>,
    /// Where the state sits in the `States` that defines it.
    pub position: Option<usize>,
    /// A failed expression's `EvaluationFailed` follows the state's entry event rather than
    /// the event before it: AWS evaluates a Wait's duration as a step after the entry.
    pub evaluates_after_entry: bool,
}

impl StateFacts {
    /// What a state not seen before (or a name given twice) is assumed to be.
    pub const UNKNOWN: StateFacts = StateFacts {
        name: None,
        reads_context: true,
        pass_result: None,
        position: None,
        evaluates_after_entry: false,
    };

    /// The facts of `state`, at `position` in its `States`; `scratch` is reused between
    /// states for the definition's text.
    pub fn of(name: &str, state: &State, position: usize, scratch: &mut Vec<u8>) -> StateFacts {
        scratch.clear();
        let written = serde_json::to_writer(&mut *scratch, state).is_ok();
        let mentions = |needle: &[u8]| scratch.windows(needle.len()).any(|w| w == needle);
        StateFacts {
            name: Some(StateName::new(name)),
            reads_context: !written || mentions(b"$$") || mentions(b"$states"),
            pass_result: match state {
                State::Pass(Pass {
                    result: Some(result),
                    ..
                }) => Some(Data::from(result)),
                _ => None,
            },
            position: Some(position),
            evaluates_after_entry: matches!(state, State::Wait(_)),
        }
    }
}

impl Shared {
    /// The region in the execution's ARNs.
    pub fn region(&self) -> &str {
        self.execution.region()
    }

    /// The account in the execution's ARNs.
    pub fn account(&self) -> &str {
        self.execution.account()
    }

    /// Records an event following `cursor` and moves the cursor to it.
    #[inline]
    pub fn emit(&self, cursor: &mut u64, event_type: &'static str, details: Details) -> u64 {
        self.emit_timed(cursor, event_type, details).0
    }

    /// Records an event that does not move the cursor on: the next event of the branch
    /// follows the same event this one does, as AWS links what follows a MapStateSucceeded.
    pub fn emit_aside(&self, after: u64, event_type: &'static str, details: Details) -> u64 {
        let mut cursor = after;
        self.emit(&mut cursor, event_type, details)
    }

    /// Takes the id AWS gives an event it leaves out of the history it shows (a successful
    /// Parallel's `ParallelStateSucceeded`), so later events have AWS's ids. A resumed
    /// execution took it before, unless it has caught up with the stored history: an
    /// unshown event is stored nowhere, so only the ids after it tell.
    pub fn skip_unshown_event(&self) {
        if self.replay().is_none() {
            self.history.skip_id();
        }
    }

    /// Records an event carrying `payload` in its details member `field`.
    #[inline]
    pub fn emit_payload(
        &self,
        cursor: &mut u64,
        event_type: &'static str,
        details: Details,
        field: &'static str,
        payload: &Data,
    ) -> u64 {
        self.record(
            self.clock.now_millis(),
            cursor,
            event_type,
            None,
            details,
            Some((field, payload)),
        )
        .0
    }

    /// Records an event naming `state` (a Map iteration's, say) without a payload.
    pub fn emit_named(
        &self,
        cursor: &mut u64,
        event_type: &'static str,
        state: StateName,
        details: Details,
    ) -> u64 {
        self.record(
            self.clock.now_millis(),
            cursor,
            event_type,
            Some(state),
            details,
            None,
        )
        .0
    }

    /// Records a `...StateEntered` or `...StateExited` event of `state`, with its payload,
    /// and returns its id and time.
    #[inline]
    pub fn emit_state(
        &self,
        cursor: &mut u64,
        event_type: &'static str,
        state: StateName,
        field: &'static str,
        payload: &Data,
        details: Details,
    ) -> (u64, i64) {
        self.record(
            self.clock.now_millis(),
            cursor,
            event_type,
            Some(state),
            details,
            Some((field, payload)),
        )
    }

    /// Records an event carrying `payload` at `timestamp_millis` rather than now.
    pub fn record_at(
        &self,
        timestamp_millis: i64,
        cursor: &mut u64,
        event_type: &'static str,
        details: Details,
        field: &'static str,
        payload: &Data,
    ) -> u64 {
        self.record(
            timestamp_millis,
            cursor,
            event_type,
            None,
            details,
            Some((field, payload)),
        )
        .0
    }

    /// Records an event without a payload and returns its id and time.
    pub fn emit_timed(
        &self,
        cursor: &mut u64,
        event_type: &'static str,
        details: Details,
    ) -> (u64, i64) {
        self.record(
            self.clock.now_millis(),
            cursor,
            event_type,
            None,
            details,
            None,
        )
    }

    /// Appends an event at `timestamp_millis` after `cursor`, moves the cursor to it, and
    /// gives its id and time: a resumed execution reaching an event the stored history holds
    /// takes that event's id and time, and records nothing.
    #[inline]
    fn record(
        &self,
        timestamp_millis: i64,
        cursor: &mut u64,
        event_type: &'static str,
        state: Option<StateName>,
        details: Details,
        payload: Option<(&'static str, &Data)>,
    ) -> (u64, i64) {
        if let Some(stored) = self.replayed(*cursor, event_type, state, &details) {
            *cursor = stored.id;
            return (stored.id, stored.millis);
        }
        let id = self.history.append(NewEvent {
            previous_event_id: *cursor,
            timestamp_millis,
            event_type,
            state,
            details,
            payload,
        });
        *cursor = id;
        (id, timestamp_millis)
    }

    /// The stored event a resumed execution records again, if it is one.
    fn replayed(
        &self,
        previous: u64,
        event_type: &str,
        state: Option<StateName>,
        details: &Details,
    ) -> Option<super::replay::StoredEvent> {
        let replay = &self.durable.as_ref()?.replay;
        if replay.is_caught_up() {
            return None;
        }
        let detail = |member: &str| details.iter().find(|(m, _)| *m == member).map(|(_, v)| v);
        let name = match state {
            Some(state) => Some(state.as_str()),
            None => detail("name").and_then(Data::as_str),
        };
        let index = detail("index").and_then(Data::as_u64);
        replay.take(previous, event_type, name, index)
    }

    /// The stored history of a resumed execution, while it has events the run has not
    /// reached again.
    pub fn replay(&self) -> Option<&super::replay::Replay> {
        self.durable
            .as_ref()
            .map(|d| &d.replay)
            .filter(|r| !r.is_caught_up())
    }

    /// When the event `id` happened.
    pub fn event_millis(&self, id: u64) -> Option<i64> {
        self.history
            .event_millis(id)
            .or_else(|| self.durable.as_ref().and_then(|d| d.replay.millis(id)))
    }

    /// Makes what was recorded so far durable, for a durable execution (nothing otherwise):
    /// called before work outside the executor depends on it (a token handed out, a timer
    /// that must survive a restart) and after work whose result must not be lost.
    pub async fn commit(&self) -> Result<(), StatesError> {
        let Some(durable) = &self.durable else {
            return Ok(());
        };
        durable
            .commit(&self.history, None)
            .await
            .map_err(|e| StatesError::runtime(e.to_string()))
    }

    /// Sleeps until `millis` on the execution's clock (not at all when it is past).
    pub async fn sleep_until(&self, millis: i64) {
        let remaining = millis.saturating_sub(self.clock.now_millis());
        if remaining > 0 {
            self.clock
                .sleep(std::time::Duration::from_millis(remaining as u64))
                .await;
        }
    }

    /// The context object for a state entered at `entered_millis`.
    pub fn context(
        &self,
        state: StateName,
        entered_millis: i64,
        retry_count: Option<u32>,
    ) -> ContextObject {
        if let Some(context) = &self.context_override {
            return context.clone();
        }
        ContextObject::for_state(self.execution.clone(), state, entered_millis, retry_count)
    }
}

/// Where a state leads; the next state's name is borrowed from the definition.
pub(crate) enum Step<'s> {
    Next(&'s str, Data),
    End(Data),
    /// An error a catcher handled: go to `next` with `output`.
    Caught {
        next: &'s str,
        output: Data,
        error: StatesError,
    },
    /// TestState only: the error would be retried.
    Retriable(StatesError),
}

/// One visit of a state: what the state functions need to know.
pub(crate) struct Visit<'a> {
    pub shared: &'a Shared,
    pub name: &'a str,
    /// `name`, shared by the visit's events and context object.
    pub shared_name: StateName,
    /// What the executor learnt of the state before running it.
    pub facts: &'a StateFacts,
    pub entered_millis: i64,
    /// The id of the `...StateEntered` event, and of the event before it.
    pub entered_id: u64,
    pub entered_previous: u64,
    /// TestState: report a retriable error instead of retrying it.
    pub single_step: bool,
    /// The state runs beside others (a Parallel branch, a Map iteration): its task handlers
    /// get their own tokio tasks so they can use every worker thread.
    pub concurrent: bool,
    /// The state's query language.
    pub language: QueryLanguage,
    /// The variables as the state entered.
    pub variables: &'a VariableScope<'a>,
    /// What the state's (or its catcher's or rule's) `Assign` computed, stored in the scope
    /// when the state ends so every field of the state sees the values as of its entry.
    pub assigned: Mutex<Option<Assigned>>,
    /// Whether `assigned` holds something, read without the lock.
    pub has_assigned: AtomicBool,
}

impl<'a> Visit<'a> {
    pub fn context(&self, retry_count: Option<u32>) -> ContextObject {
        self.shared
            .context(self.shared_name, self.entered_millis, retry_count)
    }

    /// The context object for the state's own fields (not a task's request): an empty one
    /// when the state's definition never reads it, which saves making one per visit.
    pub fn fields_context(&self) -> Cow<'static, ContextObject> {
        if self.facts.reads_context {
            Cow::Owned(self.context(None))
        } else {
            Cow::Borrowed(ContextObject::unread())
        }
    }

    pub fn is_jsonata(&self) -> bool {
        self.language == QueryLanguage::Jsonata
    }

    /// `$$` and `$name` for JSONPath fields.
    pub fn roots<'c>(&'c self, context: &'c ContextObject) -> Roots<'c> {
        Roots {
            context,
            variables: Some(self.variables),
        }
    }

    /// The state's fields where the JSONPath `$` (or JSONata `$states.input`) is `input`.
    pub fn fields<'c>(&'c self, input: &'c Data, context: &'c ContextObject) -> Fields<'c> {
        if self.is_jsonata() {
            Fields::Jsonata(
                JsonataScope::new(input, context, Some(self.variables))
                    .with_limits(self.shared.expression_limits),
            )
        } else {
            Fields::Path(self.roots(context).scope(input))
        }
    }

    /// Evaluates `assign` (none: nothing is assigned) and keeps its values for the end of the
    /// state, replacing what an earlier Assign of this visit computed.
    pub fn assign(&self, assign: Option<&Assign>, fields: &Fields<'_>) -> Result<(), StatesError> {
        // Most states assign nothing: then there is nothing to replace either.
        if assign.is_none() && !self.has_assigned.load(Ordering::Relaxed) {
            return Ok(());
        }
        let assigned = match assign {
            Some(a) => Some(Assigned::check(
                fields.assign(a)?,
                Some(self.variables),
                &self.shared.variable_budget,
            )?),
            None => None,
        };
        self.has_assigned
            .store(assigned.is_some(), Ordering::Relaxed);
        *self.assigned.lock().unwrap_or_else(|e| e.into_inner()) = assigned;
        Ok(())
    }

    /// Prefixes the cause of an error the state's own processing raised with the state and
    /// its entry event, as Step Functions reports it, and records `EvaluationFailed` for a
    /// failed JSONata expression.
    pub fn locate(&self, mut e: StatesError, cursor: &mut u64) -> StatesError {
        if !e.unlocated {
            return e;
        }
        e.cause = Some(format!(
            "An error occurred while executing the state '{}' (entered at the event id #{}). {}",
            self.name,
            self.entered_id,
            e.cause.unwrap_or_default()
        ));
        e.unlocated = false;
        if let Some(field) = e.evaluation_field.take() {
            let mut details = error_details(&e);
            details.push(("location", field.into()));
            details.push(("state", self.name.into()));
            // AWS links this event to the one before the state was entered, but where the
            // failed expression was evaluated after the entry.
            let mut previous = if self.facts.evaluates_after_entry {
                self.entered_id
            } else {
                self.entered_previous
            };
            *cursor = self.shared.emit(&mut previous, "EvaluationFailed", details);
        }
        e
    }
}

fn entered_event(state: &State) -> &'static str {
    match state {
        State::Task(_) => "TaskStateEntered",
        State::Pass(_) => "PassStateEntered",
        State::Choice(_) => "ChoiceStateEntered",
        State::Wait(_) => "WaitStateEntered",
        State::Succeed(_) => "SucceedStateEntered",
        State::Fail(_) => "FailStateEntered",
        State::Parallel(_) => "ParallelStateEntered",
        State::Map(_) => "MapStateEntered",
    }
}

fn exited_event(state: &State) -> &'static str {
    match state {
        State::Task(_) => "TaskStateExited",
        State::Pass(_) => "PassStateExited",
        State::Choice(_) => "ChoiceStateExited",
        State::Wait(_) => "WaitStateExited",
        State::Succeed(_) => "SucceedStateExited",
        State::Fail(_) => "FailStateExited",
        State::Parallel(_) => "ParallelStateExited",
        State::Map(_) => "MapStateExited",
    }
}

fn aborted_event(state: &State) -> Option<&'static str> {
    match state {
        State::Task(_) => Some("TaskStateAborted"),
        State::Wait(_) => Some("WaitStateAborted"),
        State::Parallel(_) => Some("ParallelStateAborted"),
        State::Map(_) => Some("MapStateAborted"),
        _ => None,
    }
}

/// Records `...Aborted` for work dropped before it finished: a Parallel branch or Map
/// iteration stopped because a sibling failed, or an execution that timed out. The event's
/// details are built only then: most guards are disarmed.
pub(crate) struct AbortGuard<'a> {
    shared: &'a Shared,
    event: Option<&'static str>,
    name: &'a str,
    index: Option<usize>,
    previous: u64,
}

impl<'a> AbortGuard<'a> {
    pub fn new(
        shared: &'a Shared,
        event: Option<&'static str>,
        name: &'a str,
        previous: u64,
    ) -> Self {
        AbortGuard {
            shared,
            event,
            name,
            index: None,
            previous,
        }
    }

    /// For a Map iteration: the details carry its index too.
    pub fn with_index(mut self, index: usize) -> Self {
        self.index = Some(index);
        self
    }

    pub fn disarm(&mut self) {
        self.event = None;
    }
}

impl Drop for AbortGuard<'_> {
    fn drop(&mut self) {
        if let Some(event) = self.event.take() {
            let mut details = Details::new();
            details.push(("name", self.name.into()));
            if let Some(index) = self.index {
                details.push(("index", index.into()));
            }
            self.shared.emit(&mut self.previous, event, details);
        }
    }
}

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
                task::panic_message(payload.as_ref())
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

/// One attempt of the work of a Task, Parallel or Map state, giving the state's output.
/// `raw` is borrowed when Retry or Catch still needs the state's input after the attempt.
async fn attempt(
    visit: &Visit<'_>,
    state: &State,
    raw: Cow<'_, Data>,
    retry_count: u32,
    cursor: &mut u64,
) -> Result<Data, StatesError> {
    if let (true, Some(mock), State::Parallel(_) | State::Map(_)) =
        (visit.single_step, &visit.shared.state_mock, state)
    {
        let context = visit.context(Some(retry_count));
        let result = mock.clone()?;
        return finish(visit, state, raw, result, &context);
    }
    match state {
        State::Task(s) => task::run(visit, state, s, raw, retry_count, cursor).await,
        State::Parallel(s) => parallel(visit, state, s, raw, retry_count, cursor).await,
        State::Map(s) => map::run(visit, state, s, raw, retry_count, cursor).await,
        _ => unreachable!("only Task, Parallel and Map states have Retry and Catch"),
    }
}

pub(crate) fn follow(transition: &Transition, output: Data) -> Step<'_> {
    match transition {
        Transition::Next(n) => Step::Next(n, output),
        Transition::End => Step::End(output),
    }
}

fn pass<'s>(visit: &Visit<'_>, s: &'s Pass, raw: Data) -> Result<Step<'s>, StatesError> {
    let context = visit.fields_context();
    if visit.is_jsonata() {
        let output = jsonata_output(visit, s.assign.as_ref(), s.output.as_ref(), raw, &context)?;
        return Ok(follow(&s.transition, output));
    }
    let roots = visit.roots(&context);
    let result_path = s.result_path.as_ref();
    let mut raw = Cow::Owned(raw);
    let input = io::pipeline_input(&mut raw, result_path);
    let effective = io::input_path(input, s.input_path.as_ref(), roots)?;
    let effective = io::parameters(effective, s.parameters.as_ref(), roots)?;
    let result = match (&visit.facts.pass_result, &s.result) {
        (Some(converted), _) => converted.clone(),
        (None, Some(result)) => Data::from(result),
        (None, None) => effective.into_owned(),
    };
    visit.assign(s.assign.as_ref(), &visit.fields(&result, &context))?;
    let output = io::result_path(raw, result, result_path)?;
    let output = io::output_path(output, s.output_path.as_ref(), roots)?;
    // Without Result, Parameters or a merge, the output is a part of the input, which was
    // already within the limit.
    if s.result.is_some() || s.parameters.is_some() || io::keeps_raw(result_path) {
        io::check_size(&output, visit.name)?;
    }
    Ok(follow(&s.transition, output))
}

/// A JSONata state without a result (Pass, Choice, Wait, Succeed): `Assign`, then `Output`
/// (the input when absent), both over the state's input.
pub(crate) fn jsonata_output(
    visit: &Visit<'_>,
    assign: Option<&Assign>,
    output: Option<&Template>,
    input: Data,
    context: &ContextObject,
) -> Result<Data, StatesError> {
    let fields = visit.fields(&input, context);
    visit.assign(assign, &fields)?;
    let output = match output {
        Some(template) => fields.template(template, "Output")?,
        None => return Ok(input),
    };
    io::check_size(&output, visit.name)?;
    Ok(output)
}

fn choose<'s>(visit: &Visit<'_>, s: &'s Choice, raw: Data) -> Result<Step<'s>, StatesError> {
    let context = visit.fields_context();
    let roots = visit.roots(&context);
    let effective = if visit.is_jsonata() {
        Cow::Owned(raw)
    } else {
        io::input_path(Cow::Owned(raw), s.input_path.as_ref(), roots)?
    };
    let fields = visit.fields(&effective, &context);
    let mut matched = None;
    for rule in &s.choices {
        let holds = match (&rule.condition, fields) {
            (Condition::Jsonata(MaybeJsonata::Literal(b)), _) => *b,
            (Condition::Jsonata(MaybeJsonata::Jsonata(j)), Fields::Jsonata(scope)) => {
                scope.evaluate(j, "Condition", Expected::Boolean)?.as_bool() == Some(true)
            }
            (condition, Fields::Path(scope)) => choice::evaluate(condition, &scope)?,
            (_, Fields::Jsonata(_)) => {
                return Err(StatesError::runtime(
                    "A JSONata Choice rule needs a Condition",
                ))
            }
        };
        if holds {
            matched = Some(rule);
            break;
        }
    }
    let (next, assign, output) = match matched {
        Some(rule) => (
            rule.next.as_str(),
            rule.assign.as_ref(),
            rule.output.as_ref(),
        ),
        None => match &s.default {
            Some(d) => (d.as_str(), s.assign.as_ref(), s.output.as_ref()),
            None => {
                return Err(StatesError::new(
                    names::NO_CHOICE_MATCHED,
                    format!(
                        "No Matches! The Choice state '{}' matched no rule and has no Default",
                        visit.name
                    ),
                ))
            }
        },
    };
    if visit.is_jsonata() {
        let output = jsonata_output(visit, assign, output, effective.into_owned(), &context)?;
        return Ok(Step::Next(next, output));
    }
    visit.assign(assign, &fields)?;
    let output = io::output_path(effective.into_owned(), s.output_path.as_ref(), roots)?;
    Ok(Step::Next(next, output))
}

fn succeed<'s>(visit: &Visit<'_>, s: &Succeed, raw: Data) -> Result<Step<'s>, StatesError> {
    let context = visit.fields_context();
    if visit.is_jsonata() {
        return Ok(Step::End(jsonata_output(
            visit,
            None,
            s.output.as_ref(),
            raw,
            &context,
        )?));
    }
    let roots = visit.roots(&context);
    let effective = io::input_path(Cow::Owned(raw), s.input_path.as_ref(), roots)?;
    let output = io::output_path(effective.into_owned(), s.output_path.as_ref(), roots)?;
    Ok(Step::End(output))
}

fn fail(visit: &Visit<'_>, s: &Fail, raw: &Data) -> Result<StatesError, StatesError> {
    let context = visit.context(None);
    if let Fields::Jsonata(scope) = visit.fields(raw, &context) {
        let text = |field: &Option<MaybeJsonata<String>>, name: &str| {
            field.as_ref().map(|f| scope.string(f, name)).transpose()
        };
        return Ok(StatesError::from_parts(
            text(&s.error, "Error")?,
            text(&s.cause, "Cause")?,
        ));
    }
    let scope = visit.roots(&context).scope(raw);
    let text = |literal: &Option<MaybeJsonata<String>>,
                path: &Option<Query>,
                field: &str|
     -> Result<Option<String>, StatesError> {
        if let Some(MaybeJsonata::Literal(s)) = literal {
            return Ok(Some(s.clone()));
        }
        let Some(query) = path else { return Ok(None) };
        let value = match query {
            Query::Path(p) => scope
                .select(p)
                .map(std::borrow::Cow::into_owned)
                .map_err(|_| scope.not_found_in_input(p, field))?,
            Query::Intrinsic(_) => scope.evaluate_query(query, field)?,
        };
        Ok(Some(match value {
            Data::String(s) => s.to_string(),
            other => crate::expr::scope::compact(&other),
        }))
    };
    Ok(StatesError::from_parts(
        text(&s.error, &s.error_path, "ErrorPath")?,
        text(&s.cause, &s.cause_path, "CausePath")?,
    ))
}

/// Runs a state's work under its `Retry` and `Catch`: the work returns the state's output;
/// an error is retried as the retriers say, then caught, else raised.
async fn handled<'s>(
    visit: &Visit<'_>,
    state: &'s State,
    raw: Data,
    cursor: &mut u64,
) -> Result<Step<'s>, StatesError> {
    let transition = state.transition().unwrap_or(&Transition::End);
    let retriers = state.retry().unwrap_or_default();
    let catchers = state.catch().unwrap_or_default();
    if retriers.is_empty() && catchers.is_empty() {
        // Nothing needs the input after the attempt: the attempt may consume it.
        return match attempt(visit, state, Cow::Owned(raw), 0, cursor).await {
            Ok(output) => Ok(follow(transition, output)),
            Err(error) => {
                let error = visit.locate(error, cursor);
                record_failure(visit, state, &error, cursor);
                Err(error)
            }
        };
    }
    let mut retry = RetryState::new(state.retry());
    loop {
        match attempt(visit, state, Cow::Borrowed(&raw), retry.retry_count, cursor).await {
            Ok(output) => return Ok(follow(transition, output)),
            Err(error) => {
                let error = visit.locate(error, cursor);
                if let Some(delay) = retry.next_delay(&error) {
                    if visit.single_step {
                        return Ok(Step::Retriable(error));
                    }
                    retry_pause(visit.shared, *cursor, delay).await?;
                    continue;
                }
                record_failure(visit, state, &error, cursor);
                return match find_catcher(state.catch(), &error) {
                    Some(catcher) => catch(visit, catcher, raw, &error, retry.retry_count),
                    None => Err(error),
                };
            }
        }
    }
}

/// The pause before a retry, after the failure recorded as event `failed`. A durable execution
/// counts it from that event and commits first, so a restart neither loses nor repeats it; a
/// resumed one skips it when the history shows the next attempt began.
async fn retry_pause(
    shared: &Shared,
    failed: u64,
    delay: std::time::Duration,
) -> Result<(), StatesError> {
    if shared.durable.is_none() {
        shared.clock.sleep(delay).await;
        return Ok(());
    }
    if shared.replay().is_some_and(|r| r.has_successor(failed)) {
        return Ok(());
    }
    shared.commit().await?;
    let from = shared
        .event_millis(failed)
        .unwrap_or_else(|| shared.clock.now_millis());
    shared
        .sleep_until(from.saturating_add(delay.as_millis() as i64))
        .await;
    Ok(())
}

/// A Map or Parallel records its failure once no retry follows; a States.Runtime failure ends
/// the execution with no state event.
fn record_failure(visit: &Visit<'_>, state: &State, error: &StatesError, cursor: &mut u64) {
    if !error.is_catchable() {
        return;
    }
    let event = match state {
        State::Parallel(_) => "ParallelStateFailed",
        State::Map(_) => "MapStateFailed",
        _ => return,
    };
    visit.shared.emit(cursor, event, error_details(error));
}

/// A catcher's `Assign` replaces the state's; its `ResultPath` (JSONPath) or `Output`
/// (JSONata, the Error Output when absent) gives the state's output.
pub(crate) fn catch<'s>(
    visit: &Visit<'_>,
    catcher: &'s Catcher,
    raw: Data,
    error: &StatesError,
    retry_count: u32,
) -> Result<Step<'s>, StatesError> {
    let error_output = error.to_error_output();
    let context = visit.context(Some(retry_count));
    let output = match visit.fields(&raw, &context) {
        Fields::Jsonata(scope) => {
            let fields = Fields::Jsonata(scope.with_error_output(&error_output));
            visit.assign(catcher.assign.as_ref(), &fields)?;
            match &catcher.output {
                Some(template) => fields.template(template, "Output")?,
                None => error_output,
            }
        }
        Fields::Path(_) => {
            visit.assign(
                catcher.assign.as_ref(),
                &visit.fields(&error_output, &context),
            )?;
            io::result_path(Cow::Owned(raw), error_output, catcher.result_path.as_ref())?
        }
    };
    io::check_size(&output, visit.name)?;
    Ok(Step::Caught {
        next: catcher.next.as_str(),
        output,
        error: error.clone(),
    })
}

/// `state` is the Parallel state `s`, for what all three kinds share.
async fn parallel(
    visit: &Visit<'_>,
    state: &State,
    s: &Parallel,
    mut raw: Cow<'_, Data>,
    retry_count: u32,
    cursor: &mut u64,
) -> Result<Data, StatesError> {
    let shared = visit.shared;
    let context = visit.context(Some(retry_count));
    let effective = if visit.is_jsonata() {
        match &s.arguments {
            Some(t) => visit.fields(&raw, &context).template(t, "Arguments")?,
            None => raw.as_ref().clone(),
        }
    } else {
        let roots = visit.roots(&context);
        let input = io::pipeline_input(&mut raw, s.result_path.as_ref());
        let effective = io::input_path(input, s.input_path.as_ref(), roots)?;
        io::parameters(effective, s.parameters.as_ref(), roots)?.into_owned()
    };
    let started = shared.emit(cursor, "ParallelStateStarted", Details::new());
    // Branches share the input: it is copied only where a branch changes it.
    let effective = &effective;
    // Each branch chains its events from ParallelStateStarted; a branch gives back where
    // its chain ended, which is where the Parallel's own events follow on.
    let branches = s.branches.iter().map(|branch| async move {
        let input = effective.clone();
        let mut branch_cursor = started;
        match run_branch(
            shared,
            &branch.states,
            &branch.start_at,
            input,
            VariableScope::nested(visit.variables),
            true,
            &mut branch_cursor,
        )
        .await
        {
            Ok(output) => Ok((output, branch_cursor)),
            Err(e) => Err((e, branch_cursor)),
        }
    });
    let ended = match futures::future::try_join_all(branches).await {
        Ok(ended) => ended,
        Err((e, failed_at)) => {
            // ParallelStateFailed follows the failing branch's last event.
            *cursor = failed_at;
            return Err(e);
        }
    };
    // The Parallel goes on from the branch that ended last; AWS numbers a
    // ParallelStateSucceeded there that its histories never show.
    *cursor = ended.iter().map(|(_, at)| *at).max().unwrap_or(started);
    shared.skip_unshown_event();
    let outputs = ended.into_iter().map(|(output, _)| output).collect();
    finish(visit, state, raw, Data::array(outputs), &context)
}

/// What a Task, Parallel or Map state does with its result: `Assign`, then (JSONPath)
/// ResultSelector -> ResultPath -> OutputPath, or (JSONata) `Output`, then the size limit.
pub(crate) fn finish(
    visit: &Visit<'_>,
    state: &State,
    raw: Cow<'_, Data>,
    result: Data,
    context: &ContextObject,
) -> Result<Data, StatesError> {
    let output = if let Fields::Jsonata(scope) = visit.fields(&raw, context) {
        let fields = Fields::Jsonata(scope.with_result(&result));
        visit.assign(state.assign(), &fields)?;
        match state.output() {
            Some(template) => fields.template(template, "Output")?,
            None => result,
        }
    } else {
        // Assign sees the raw result, beside ResultSelector.
        visit.assign(state.assign(), &visit.fields(&result, context))?;
        let roots = visit.roots(context);
        let result = io::result_selector(result, state.result_selector(), roots)?;
        let output = io::result_path(raw, result, state.result_path())?;
        io::output_path(output, state.output_path(), roots)?
    };
    io::check_size(&output, visit.name)?;
    Ok(output)
}
