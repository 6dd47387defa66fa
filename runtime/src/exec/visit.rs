//! What a state runs with: the execution's [`Shared`] parts, the [`Visit`] of one state, where
//! it leads ([`Step`]), the guard that records an abort, and the output pipeline every state
//! ends with.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use stepfn_codegen::{Assign, Pass, QueryLanguage, State, States, Template, Transition};

use crate::durable::run::DurableRun;
use crate::exec::io;

use crate::clock::Clock;
use crate::data::Data;
use crate::error::StatesError;
use crate::expr::context::{ContextObject, ExecutionContext};
use crate::expr::fields::Fields;
use crate::expr::jsonata::JsonataScope;
use crate::expr::scope::Roots;
use crate::expr::variables::{Assigned, VariableBudget, VariableScope};
use crate::history::{Details, History};
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
    pub objects: Option<std::sync::Arc<dyn crate::tasks::ObjectStore>>,
    pub default_language: QueryLanguage,
    /// TestState: the context object as the caller gave it, used as is.
    pub context_override: Option<ContextObject>,
    /// TestState: the whole result of a mocked Map or Parallel state.
    pub state_mock: Option<Result<Data, StatesError>>,
    /// The bytes all variables of the execution hold.
    pub variable_budget: VariableBudget,
    /// A durable execution's store and the history it resumes from.
    pub durable: Option<Arc<DurableRun>>,
    /// The branch loop, for Map and Parallel (see [`BranchRunner`]).
    pub run_branch: BranchRunner,
    /// The budget of each JSONata expression.
    pub expression_limits: crate::expr::limits::ExpressionLimits,
    /// Where Distributed Map runs are kept, if anywhere.
    pub map_runs: Option<super::MapRuns>,
}

/// The branch loop, reached through [`Shared::run_branch`]: Map and Parallel run branches
/// inside a branch, and call the loop this way rather than import it (the loop imports them).
pub(crate) type BranchRunner = for<'a> fn(
    &'a Shared,
    &'a States,
    &'a str,
    Data,
    VariableScope<'a>,
    bool,
    &'a mut u64,
) -> BoxFuture<'a, Result<Data, StatesError>>;

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

pub(crate) fn entered_event(state: &State) -> &'static str {
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

pub(crate) fn exited_event(state: &State) -> &'static str {
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

pub(crate) fn aborted_event(state: &State) -> Option<&'static str> {
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

pub(crate) fn follow(transition: &Transition, output: Data) -> Step<'_> {
    match transition {
        Transition::Next(n) => Step::Next(n, output),
        Transition::End => Step::End(output),
    }
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

/// `{"error", "cause"}` for failure events, leaving out what is absent.
pub(crate) fn error_details(e: &StatesError) -> Details {
    let mut d = Details::new();
    if let Some(error) = &e.error {
        d.push(("error", error.clone().into()));
    }
    if let Some(cause) = &e.cause {
        d.push(("cause", cause.clone().into()));
    }
    d
}
