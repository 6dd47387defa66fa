//! The executor: runs a [`StateMachine`] with the semantics AWS Step Functions gives it.
//!
//! ```
//! # let rt = stepfn::clock::virtual_runtime().unwrap();
//! # rt.block_on(async {
//! use serde_json::json;
//! let machine = stepfn::parse::from_str(r#"{"StartAt": "Hello", "States": {
//!     "Hello": {"Type": "Pass", "Result": "world", "ResultPath": "$.hello", "End": true}}}"#).unwrap();
//! let outcome = stepfn::Executor::new(machine).run(json!({"n": 1}), stepfn::ExecutionOptions::default()).await;
//! assert_eq!(outcome.output, Some(json!({"n": 1, "hello": "world"})));
//! # });
//! ```

mod branch;
pub(crate) mod io;
mod name;
mod recorder;
mod retry;
mod states;
mod stop;
mod stuck;
mod visit;

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{json, Value};
use stepfn_codegen::{ExecutionType, QueryLanguage, State, StateMachine};

use crate::clock::{Clock, SystemClock};
use crate::data::Data;
use crate::error::{self, StatesError};
use crate::expr::context::{ExecutionContext, ExecutionRecipe};
use crate::history::{Details, History, HistoryEvent};
use crate::tasks::{Activities, Callbacks, TaskRegistry, TaskResources, DEFAULT_REGION};

pub(crate) use crate::expr::fields::Fields;
pub use crate::expr::limits::{
    payload_size, ExpressionLimits, EXPRESSION_LIMITS, MAX_PAYLOAD_BYTES,
};
pub(crate) use branch::{run_branch, run_state};
pub use name::{check_name, InvalidName, MAX_NAME_CHARS};
pub(crate) use retry::catch;
pub(crate) use retry::delay as retry_delay;
pub use states::task::panic_message;
pub use stop::{StopRequest, StopSignal};
pub use stuck::{Stuck, StuckWatch, STUCK_ERROR};
pub(crate) use visit::{error_details, Shared, StateFacts, StateNames, Step, Visit};

/// A state machine ready to run many executions. Everything the definition computes (paths,
/// templates, intrinsic calls) was parsed when the model was built; nothing is re-parsed per
/// execution or per state.
#[derive(Clone)]
pub struct Executor {
    machine: Arc<StateMachine>,
    /// Every state's name, made once: history events and `$$` share them.
    state_names: Arc<StateNames>,
    /// Every Task state's resource, parsed once.
    task_resources: Arc<TaskResources>,
}

/// How an execution ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExecutionStatus {
    /// It reached a Succeed state or an `End`.
    Succeeded,
    /// An error nothing caught, or a Fail state.
    Failed,
    /// The execution's `TimeoutSeconds` passed.
    TimedOut,
    /// It was stopped.
    Aborted,
}

impl ExecutionStatus {
    /// `SUCCEEDED`, `FAILED`, `TIMED_OUT` or `ABORTED`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionStatus::Succeeded => "SUCCEEDED",
            ExecutionStatus::Failed => "FAILED",
            ExecutionStatus::TimedOut => "TIMED_OUT",
            ExecutionStatus::Aborted => "ABORTED",
        }
    }
}

/// The result of an execution, its output a [`Value`] ([`Executor::run`]) or a shared
/// [`Data`] ([`Executor::run_data`]).
#[derive(Clone, Debug)]
pub struct Outcome<Output = Value> {
    /// How it ended.
    pub status: ExecutionStatus,
    /// The output, when it succeeded.
    pub output: Option<Output>,
    /// The error name, when it did not.
    pub error: Option<String>,
    /// The cause, when it did not.
    pub cause: Option<String>,
    /// The history, when recorded.
    pub history: Vec<HistoryEvent>,
}

impl<Output: serde::Serialize> Outcome<Output> {
    /// `{"status", "output", "error", "cause"}`, as `stepfn run` prints it.
    pub fn to_json(&self) -> Value {
        json!({
            "status": self.status.as_str(),
            "output": self.output,
            "error": self.error,
            "cause": self.cause,
        })
    }
}

/// The role an execution runs as when its options name none (`$$.Execution.RoleArn`).
pub const DEFAULT_ROLE_ARN: &str = "arn:aws:iam::123456789012:role/StepFunctionsRole";

/// Everything about one execution besides its input.
#[derive(Clone)]
#[non_exhaustive]
pub struct ExecutionOptions {
    /// The execution name (a UUID when not given), in `$$.Execution.Name` and the execution's
    /// ARN; see [`check_name`] for the names AWS accepts.
    pub name: Option<String>,
    /// The state machine's name, for ARNs and `$$.StateMachine.Name`.
    pub state_machine_name: Cow<'static, str>,
    /// The account in ARNs.
    pub account: Cow<'static, str>,
    /// The region in ARNs.
    pub region: Cow<'static, str>,
    /// `$$.Execution.RoleArn`.
    pub role_arn: Cow<'static, str>,
    /// Where time comes from.
    pub clock: Arc<dyn Clock>,
    /// Who answers Task states.
    pub tasks: TaskRegistry,
    /// Where `.waitForTaskToken` tasks wait for SendTaskSuccess / SendTaskFailure. The default
    /// is one table shared by every execution given none (tokens are unique).
    pub callbacks: Callbacks,
    /// Where Task states on an activity ARN that no handler answers queue their work for
    /// workers (GetActivityTask). `None`: such states fail for want of a handler.
    pub activities: Option<Activities>,
    /// The directory S3 is served from: `s3://bucket/key` is `ROOT/bucket/key`.
    pub s3_root: Option<PathBuf>,
    /// Keep the history (payloads included).
    pub record_history: bool,
    /// Standard or Express: Express executions have `express:` ARNs and no redrive count.
    pub execution_type: ExecutionType,
    /// Raise it to stop the execution (StopExecution): give a clone of a [`StopSignal::new`]
    /// and keep one. The default, [`StopSignal::never`], cannot be raised.
    pub stop: StopSignal,
    /// How long and how deep one JSONata expression may evaluate before its state fails
    /// with `States.QueryEvaluationError`; see [`EXPRESSION_LIMITS`].
    pub expression_limits: ExpressionLimits,
}

/// The callbacks of executions whose options name none: one table for all of them (their
/// tokens are unique), so default options cost no allocation.
fn shared_callbacks() -> Callbacks {
    static SHARED: std::sync::LazyLock<Callbacks> = std::sync::LazyLock::new(Callbacks::default);
    SHARED.clone()
}

impl Default for ExecutionOptions {
    fn default() -> Self {
        ExecutionOptions {
            name: None,
            state_machine_name: "StateMachine".into(),
            account: "123456789012".into(),
            region: DEFAULT_REGION.into(),
            role_arn: DEFAULT_ROLE_ARN.into(),
            clock: SystemClock::shared(),
            tasks: TaskRegistry::default(),
            callbacks: shared_callbacks(),
            activities: None,
            s3_root: None,
            record_history: true,
            execution_type: ExecutionType::Standard,
            stop: StopSignal::never(),
            expression_limits: EXPRESSION_LIMITS,
        }
    }
}

impl ExecutionOptions {
    /// The defaults: a generated name, the system clock, no task handlers, history kept.
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        some with_name(name: String);
        into with_state_machine_name(state_machine_name: Cow<'static, str>);
        into with_account(account: Cow<'static, str>);
        into with_region(region: Cow<'static, str>);
        into with_role_arn(role_arn: Cow<'static, str>);
        set with_clock(clock: Arc<dyn Clock>);
        set with_tasks(tasks: TaskRegistry);
        set with_callbacks(callbacks: Callbacks);
        some with_activities(activities: Activities);
        some with_s3_root(s3_root: PathBuf);
        set with_record_history(record_history: bool);
        set with_execution_type(execution_type: ExecutionType);
        set with_stop(stop: StopSignal);
        set with_expression_limits(expression_limits: ExpressionLimits);
    }
}

impl Executor {
    /// An executor for `machine` (already checked: see [`crate::check`]).
    pub fn new(machine: StateMachine) -> Self {
        fn collect(
            states: &stepfn_codegen::States,
            names: &mut StateNames,
            resources: &mut TaskResources,
            scratch: &mut Vec<u8>,
        ) {
            for (position, (name, state)) in states.iter().enumerate() {
                names
                    .entry(name.as_str().into())
                    // Names are unique in a valid machine; should one repeat, neither state's
                    // facts can be trusted for the other.
                    .and_modify(|known| *known = visit::StateFacts::UNKNOWN)
                    .or_insert_with(|| visit::StateFacts::of(name, state, position, scratch));
                if let State::Task(stepfn_codegen::Task {
                    resource: stepfn_codegen::Resource::Uri(arn),
                    ..
                }) = state
                {
                    resources.add(arn);
                }
                for branch in state.nested_branches() {
                    collect(&branch.states, names, resources, scratch);
                }
            }
        }
        let mut state_names = StateNames::default();
        let mut task_resources = TaskResources::default();
        collect(
            &machine.states,
            &mut state_names,
            &mut task_resources,
            &mut Vec::new(),
        );
        Executor {
            machine: Arc::new(machine),
            state_names: Arc::new(state_names),
            task_resources: Arc::new(task_resources),
        }
    }

    /// The state machine it runs.
    pub fn machine(&self) -> &StateMachine {
        &self.machine
    }

    /// Runs one execution to its end.
    pub async fn run(&self, input: Value, options: ExecutionOptions) -> Outcome {
        let outcome = self.run_data(Data::from(input), options).await;
        Outcome {
            status: outcome.status,
            output: outcome.output.map(Data::into),
            error: outcome.error,
            cause: outcome.cause,
            history: outcome.history,
        }
    }

    /// Runs one execution to its end, taking and giving payloads as [`Data`]: nothing is
    /// copied on the way in or out.
    pub async fn run_data(&self, input: Data, options: ExecutionOptions) -> Outcome<Data> {
        self.run_inner(input, options, None).await
    }

    /// Runs one execution durably: it records its history in the store as it goes, resuming
    /// from the stored history `durable` replays.
    #[cfg(feature = "durable")]
    pub(crate) async fn run_durable(
        &self,
        input: Data,
        options: ExecutionOptions,
        durable: Arc<crate::durable::run::DurableRun>,
    ) -> Outcome<Data> {
        self.run_inner(input, options, Some(durable)).await
    }

    async fn run_inner(
        &self,
        input: Data,
        options: ExecutionOptions,
        durable: Option<Arc<crate::durable::run::DurableRun>>,
    ) -> Outcome<Data> {
        let ExecutionOptions {
            name,
            state_machine_name,
            account,
            region,
            role_arn,
            clock,
            tasks,
            callbacks,
            activities,
            s3_root,
            record_history,
            execution_type,
            stop,
            expression_limits,
        } = options;
        let start = match &durable {
            Some(d) => d.start_millis,
            None => clock.now_millis(),
        };
        let role_detail = if role_arn == DEFAULT_ROLE_ARN {
            static DEFAULT_ROLE: std::sync::LazyLock<Data> =
                std::sync::LazyLock::new(|| Data::from(DEFAULT_ROLE_ARN));
            DEFAULT_ROLE.clone()
        } else {
            Data::from(role_arn.as_ref())
        };
        let execution = ExecutionContext::lazy(ExecutionRecipe {
            input: input.clone(),
            name,
            state_machine_name,
            region,
            account,
            role_arn,
            start_millis: start,
            express: execution_type == ExecutionType::Express,
            redrive_count: durable.as_ref().map_or(0, |d| d.redrive_count),
        });
        let shared = Shared {
            run_branch: branch::run_branch,
            clock,
            tasks,
            callbacks,
            activities,
            history: match &durable {
                Some(d) => History::continuing(d.replay.last_id()),
                None => History::new(record_history),
            },
            execution: Arc::new(execution),
            state_names: self.state_names.clone(),
            task_resources: self.task_resources.clone(),
            s3_root,
            default_language: self
                .machine
                .query_language
                .unwrap_or(QueryLanguage::JsonPath),
            context_override: None,
            state_mock: None,
            variable_budget: Default::default(),
            durable: durable.clone(),
            expression_limits,
        };
        let mut cursor = 0;
        let details = smallvec::smallvec![("roleArn", role_detail)];
        shared.record_at(
            start,
            &mut cursor,
            "ExecutionStarted",
            details,
            "input",
            &input,
        );
        if let Some((durable, mut last)) =
            durable.as_ref().and_then(|d| Some((d, d.redriven_after?)))
        {
            let details = smallvec::smallvec![("redriveCount", durable.redrive_count.into())];
            shared.emit(&mut last, "ExecutionRedriven", details);
        }
        cursor = 0;

        // Step Functions refuses larger inputs at StartExecution; every later payload is
        // checked where it can grow.
        let result = if crate::expr::limits::exceeds(&input, MAX_PAYLOAD_BYTES) {
            Ended::Ran(Err(StatesError::new(
                error::names::DATA_LIMIT_EXCEEDED,
                format!("The execution input is larger than {MAX_PAYLOAD_BYTES} bytes, the most Step Functions accepts."),
            )))
        } else {
            // Pinned where it is made: the state loop's future is large, and select! would
            // otherwise move it.
            let mut run = std::pin::pin!(branch::run_scope(
                &shared,
                &self.machine.states,
                &self.machine.start_at,
                input,
                crate::expr::variables::VariableScope::root(),
                false,
                &mut cursor,
            ));
            let timer = async {
                match self.machine.timeout_seconds {
                    // Counted from the start, which a resumed execution keeps.
                    Some(seconds) => {
                        let deadline = start.saturating_add((seconds as i64).saturating_mul(1000));
                        shared.sleep_until(deadline).await
                    }
                    None => std::future::pending().await,
                }
            };
            // The losing futures are dropped at the end of this block, before the closing
            // event, so the states still running record their ...Aborted events first.
            // The run is polled first: no random draw per poll, and an execution that ends
            // in the same poll as its timer ends as it ran.
            tokio::select! {
                biased;
                r = &mut run => Ended::Ran(r),
                _ = timer => Ended::TimedOut,
                stop = stop.stopped() => Ended::Stopped(stop),
            }
        };
        let mut cursor = shared.history.last_id();
        let (status, output, error) = match result {
            Ended::Ran(Ok(output)) => {
                shared.emit_payload(
                    &mut cursor,
                    "ExecutionSucceeded",
                    Details::new(),
                    "output",
                    &output,
                );
                (ExecutionStatus::Succeeded, Some(output), None)
            }
            Ended::Ran(Err(e)) => {
                shared.emit(&mut cursor, "ExecutionFailed", error_details(&e));
                (ExecutionStatus::Failed, None, Some(e))
            }
            Ended::Stopped(stop) => {
                let e = StatesError::from_parts(stop.error, stop.cause);
                shared.emit(&mut cursor, "ExecutionAborted", error_details(&e));
                (ExecutionStatus::Aborted, None, Some(e))
            }
            Ended::TimedOut => {
                // AWS reports a timed-out execution with neither error nor cause.
                shared.emit(&mut cursor, "ExecutionTimedOut", Details::new());
                (ExecutionStatus::TimedOut, None, None)
            }
        };
        let (error, cause) = match error {
            Some(e) => (e.error, e.cause),
            None => (None, None),
        };
        if let Some(durable) = &durable {
            let change = crate::store::StatusChange {
                status: status.into(),
                output: output.as_ref().map(Data::to_json_string),
                error: error.clone(),
                cause: cause.clone(),
                stop_millis: Some(shared.clock.now_millis()),
                redriven: false,
            };
            if let Err(e) = durable.commit(&shared.history, Some(change)).await {
                // The end is not durable: the execution resumes after a restart and ends again.
                return Outcome {
                    status: ExecutionStatus::Failed,
                    output: None,
                    error: Some(error::names::RUNTIME.into()),
                    cause: Some(e.to_string()),
                    history: Vec::new(),
                };
            }
        }
        Outcome {
            status,
            output,
            error,
            cause,
            history: if record_history {
                shared.history.take_events()
            } else {
                Vec::new()
            },
        }
    }
}

/// How the race between the states, the execution timeout and a stop request ended.
enum Ended {
    Ran(Result<Data, StatesError>),
    TimedOut,
    Stopped(StopRequest),
}
