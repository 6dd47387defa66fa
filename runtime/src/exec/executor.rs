//! [`Executor`]: a state machine ready to run executions, and how one ends ([`Outcome`]).

use std::sync::Arc;

use serde_json::{json, Value};
use stepfn_codegen::{ExecutionType, QueryLanguage, State, StateMachine};

use super::branch;
use super::options::{ExecutionOptions, DEFAULT_ROLE_ARN};
use super::stop::StopRequest;
use super::visit::{self, error_details, Shared, StateNames};
use crate::data::Data;
use crate::error::{self, StatesError};
use crate::expr::context::{ExecutionContext, ExecutionRecipe};
use crate::expr::limits::MAX_PAYLOAD_BYTES;
use crate::history::{Details, History, HistoryEvent};
use crate::tasks::TaskResources;

/// A state machine ready to run many executions. Everything the definition computes (paths,
/// templates, intrinsic calls) was parsed when the model was built; nothing is re-parsed per
/// execution or per state.
#[derive(Clone)]
pub struct Executor {
    machine: Arc<StateMachine>,
    /// Every state's name, made once: history events and `$$` share them.
    state_names: Arc<StateNames>,
    /// Every Task state's resource, parsed once.
    pub(super) task_resources: Arc<TaskResources>,
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
            objects,
            record_history,
            execution_type,
            stop,
            expression_limits,
            map_runs,
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
            objects: objects.or_else(|| {
                s3_root.map(|root| {
                    Arc::new(crate::tasks::DirectoryObjects::new(root))
                        as Arc<dyn crate::tasks::ObjectStore>
                })
            }),
            default_language: self
                .machine
                .query_language
                .unwrap_or(QueryLanguage::JsonPath),
            context_override: None,
            state_mock: None,
            variable_budget: Default::default(),
            durable: durable.clone(),
            expression_limits,
            map_runs,
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
