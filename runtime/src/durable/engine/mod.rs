//! The durable engine: executions kept in a [`Store`](crate::store::Store), resumed after a
//! restart, with callbacks and activities across processes.

mod error;
mod express;
mod machines;
mod map_runs;
mod versions;

pub use error::EngineError;
pub use express::SyncExecution;
pub use machines::{StateMachineInfo, StateMachineSpec, StateMachineUpdate};
pub use versions::{is_version_arn, unqualified, AliasInfo, Qualifiers, VersionWeight};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use serde_json::{json, Value};
use stepfn_codegen::ExecutionType;

use crate::clock::{Clock, SystemClock};
use crate::data::Data;
use crate::durable::replay::Replay;
use crate::durable::run::{token_execution, DurableRun};
use crate::error::StatesError;
use crate::exec::{ExecutionOptions, Executor, StopSignal, MAX_PAYLOAD_BYTES};
use crate::store::{
    ActivityRecord, CommitQueue, ExecutionQuery, ExecutionRecord, HistoryQuery, Page, RunStatus,
    StatusChange, Store, StoreError,
};
use crate::tasks::{
    Activities, ActivityTask, CallbackError, Callbacks, MockConfig, TaskRegistry, DEFAULT_REGION,
};

/// How an [`Engine`] runs executions.
#[derive(Clone)]
#[non_exhaustive]
pub struct EngineOptions {
    /// Who answers Task states (the same handlers for every state machine).
    pub tasks: TaskRegistry,
    /// Where time comes from.
    pub clock: Arc<dyn Clock>,
    /// The account in ARNs.
    pub account: String,
    /// The region in ARNs.
    pub region: String,
    /// The role executions run as (`$$.Execution.RoleArn`) when their machine names none.
    pub role_arn: String,
    /// The MockConfigFile whose test cases `START_ARN#TestCase` runs (AWS's local emulator's
    /// convention).
    pub mock_config: Option<Arc<MockConfig>>,
    /// Where Distributed Map reads items and writes results (S3).
    pub objects: Option<Arc<dyn crate::tasks::ObjectStore>>,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            tasks: TaskRegistry::default(),
            clock: SystemClock::shared(),
            account: "123456789012".into(),
            region: DEFAULT_REGION.into(),
            role_arn: crate::exec::DEFAULT_ROLE_ARN.into(),
            mock_config: None,
            objects: None,
        }
    }
}

impl EngineOptions {
    /// The defaults: no task handlers, the system clock, the default account and region.
    pub fn new() -> Self {
        Self::default()
    }

    stepfn_codegen::__setters! {
        set with_tasks(tasks: TaskRegistry);
        set with_clock(clock: Arc<dyn Clock>);
        into with_account(account: String);
        into with_region(region: String);
        into with_role_arn(role_arn: String);
        some with_mock_config(mock_config: Arc<MockConfig>);
        some with_objects(objects: Arc<dyn crate::tasks::ObjectStore>);
    }
}

/// What [`Engine::start_execution`] answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartedExecution {
    /// The execution's ARN.
    pub execution_arn: String,
    /// When it started, in milliseconds since the Unix epoch.
    pub start_millis: i64,
}

/// Runs durable executions. Cheap to clone: clones share the engine.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

/// An [`Engine`] that does not keep it alive: for handlers the engine itself holds (a task
/// that starts another execution), which would otherwise keep it forever.
#[derive(Clone)]
pub struct WeakEngine {
    inner: std::sync::Weak<Inner>,
}

impl WeakEngine {
    /// The engine, while it is still in use.
    pub fn upgrade(&self) -> Option<Engine> {
        self.inner.upgrade().map(|inner| Engine { inner })
    }
}

struct Inner {
    commits: CommitQueue,
    options: EngineOptions,
    callbacks: Callbacks,
    activities: Activities,
    /// The registered state machines and their published versions, by ARN.
    machines: Mutex<HashMap<String, Registered>>,
    /// The state machines' aliases, by ARN.
    aliases: Mutex<HashMap<String, AliasInfo>>,
    /// The Distributed Map runs of the executions this process ran.
    map_runs: crate::exec::MapRuns,
    /// The executions running in this process.
    live: Mutex<HashMap<String, Live>>,
}

#[derive(Clone)]
struct Registered {
    executor: Executor,
    info: StateMachineInfo,
}

struct Live {
    stop: StopSignal,
    durable: Arc<DurableRun>,
    ended: tokio::sync::watch::Receiver<bool>,
}

/// What is stored with an execution to resume it: its definition and how it runs, and what
/// `DescribeStateMachineForExecution` tells of the machine as it was when it started.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Checkpoint {
    /// The definition as it was given: an execution runs the definition it started with,
    /// whatever is registered later.
    definition: String,
    state_machine_name: String,
    role_arn: String,
    /// The id of the last event before each redrive.
    #[serde(default)]
    redriven_after: Vec<u64>,
    /// The MockConfigFile test case whose mocks answer its tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    test_case: Option<String>,
    /// The version it runs, when started on a version or through an alias.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version_arn: Option<String>,
    /// The alias it was started through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    alias_arn: Option<String>,
    /// The machine's revision, update time and configuration when it started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revision_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    updated_millis: Option<i64>,
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    configuration: serde_json::Map<String, Value>,
}

/// The state machine an execution runs, as it was when the execution started.
#[derive(Clone, Debug, PartialEq)]
pub struct ExecutionSource {
    /// The machine (its unqualified ARN, name, definition, role, revision, configuration).
    pub state_machine: StateMachineInfo,
    /// The version and alias it was started on, if any.
    pub qualifiers: Qualifiers,
}

/// How long a callback for an execution that is being resumed waits for it to reach its task.
const RESUME_GRACE: Duration = Duration::from_secs(10);

impl Engine {
    /// An engine on `store`; every execution the store holds as running is resumed.
    pub async fn open(store: Arc<dyn Store>, options: EngineOptions) -> Result<Engine, StoreError> {
        let engine = Engine {
            inner: Arc::new(Inner {
                commits: CommitQueue::start(store),
                options,
                callbacks: Callbacks::default(),
                activities: Activities::default(),
                machines: Mutex::new(HashMap::new()),
                aliases: Mutex::new(HashMap::new()),
                map_runs: crate::exec::MapRuns::default(),
                live: Mutex::new(HashMap::new()),
            }),
        };
        engine
            .load_state_machines()
            .map_err(|e| StoreError::Database(e.to_string()))?;
        // Activities first: resumed executions may be waiting on their workers.
        for activity in engine.store().activities()? {
            engine.inner.activities.create(&activity.arn);
        }
        for record in engine.store().running()? {
            engine.resume(record)?;
        }
        Ok(engine)
    }

    /// A handle on this engine that does not keep it alive.
    pub fn downgrade(&self) -> WeakEngine {
        WeakEngine {
            inner: Arc::downgrade(&self.inner),
        }
    }

    fn store(&self) -> &dyn Store {
        &**self.inner.commits.store()
    }

    fn live(&self) -> std::sync::MutexGuard<'_, HashMap<String, Live>> {
        self.inner.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn machines(&self) -> std::sync::MutexGuard<'_, HashMap<String, Registered>> {
        self.inner
            .machines
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// StartExecution: starts the state machine `state_machine_arn` on `input` (JSON text).
    /// A name already used by a running execution with the same input gives that execution
    /// back (AWS's idempotency); any other reuse is [`EngineError::ExecutionAlreadyExists`].
    /// `STATE_MACHINE_ARN#TestCase` runs with the mocks of that MockConfigFile test case. An
    /// Express machine's execution runs in memory and is not kept. A version's ARN runs that
    /// version; an alias's runs the version its routing picks.
    pub async fn start_execution(
        &self,
        state_machine_arn: &str,
        name: Option<&str>,
        input: &str,
    ) -> Result<StartedExecution, EngineError> {
        let (qualified_arn, test_case) = split_test_case(state_machine_arn);
        let (registered, qualifiers) = self.resolve(qualified_arn)?;
        let state_machine_arn = unqualified(qualified_arn);
        let tasks = self.tasks_for(&registered.info.name, test_case)?;
        let name = execution_name(name)?;
        let input = checked_input(input)?;
        if registered.info.machine_type == ExecutionType::Express {
            return Ok(self.start_express(registered, tasks, &name, input));
        }
        let options = &self.inner.options;
        let execution_arn = format!(
            "arn:aws:states:{}:{}:execution:{}:{name}",
            options.region, options.account, registered.info.name
        );
        let start_millis = options.clock.now_millis();
        let input = input.to_string();
        let record = ExecutionRecord::started(
            &execution_arn,
            state_machine_arn,
            &name,
            &input,
            start_millis,
        );
        let info = &registered.info;
        let checkpoint = Checkpoint {
            definition: info.definition.clone(),
            state_machine_name: info.name.clone(),
            role_arn: info.role_arn.clone(),
            redriven_after: Vec::new(),
            test_case: test_case.map(str::to_string),
            version_arn: qualifiers.version_arn,
            alias_arn: qualifiers.alias_arn,
            revision_id: info.revision_id.clone(),
            updated_millis: info.updated_millis,
            configuration: info.configuration.clone(),
        };
        let text = serde_json::to_string(&checkpoint).unwrap_or_default();
        match self.store().insert_execution(&record, Some(&text)) {
            Ok(()) => {}
            Err(StoreError::ExecutionAlreadyExists(_)) => {
                return match self.store().execution_named(state_machine_arn, &name)? {
                    Some(existing)
                        if existing.status == RunStatus::Running && existing.input == input =>
                    {
                        Ok(StartedExecution {
                            execution_arn: existing.execution_arn,
                            start_millis: existing.start_millis,
                        })
                    }
                    _ => Err(EngineError::ExecutionAlreadyExists(execution_arn)),
                };
            }
            Err(e) => return Err(e.into()),
        }
        self.launch(
            registered.executor,
            tasks,
            &record,
            checkpoint,
            Replay::nothing(),
        );
        Ok(StartedExecution {
            execution_arn,
            start_millis,
        })
    }

    fn checkpoint_of(&self, execution_arn: &str) -> Result<Option<Checkpoint>, EngineError> {
        Ok(self
            .store()
            .checkpoint(execution_arn)?
            .and_then(|text| serde_json::from_str(&text).ok()))
    }

    /// DescribeStateMachineForExecution: the machine the execution runs, as it was when the
    /// execution started, and the version and alias it was started on.
    pub fn execution_source(&self, execution_arn: &str) -> Result<ExecutionSource, EngineError> {
        let record = self.describe_execution(execution_arn)?;
        let checkpoint = self.checkpoint_of(execution_arn)?.ok_or_else(|| {
            EngineError::Internal(format!(
                "the execution {execution_arn} has no stored definition"
            ))
        })?;
        Ok(ExecutionSource {
            state_machine: StateMachineInfo {
                arn: record.state_machine_arn,
                name: checkpoint.state_machine_name,
                definition: checkpoint.definition,
                role_arn: checkpoint.role_arn,
                machine_type: ExecutionType::Standard,
                created_millis: record.start_millis,
                updated_millis: checkpoint.updated_millis,
                revision_id: checkpoint.revision_id,
                configuration: checkpoint.configuration,
                version: None,
                last_version: 0,
            },
            qualifiers: Qualifiers {
                version_arn: checkpoint.version_arn,
                alias_arn: checkpoint.alias_arn,
            },
        })
    }

    /// Who answers the tasks of an execution of `state_machine`: the engine's handlers, over
    /// the mocks of `test_case` when one is named.
    fn tasks_for(
        &self,
        state_machine: &str,
        test_case: Option<&str>,
    ) -> Result<TaskRegistry, EngineError> {
        let tasks = self.inner.options.tasks.clone();
        let Some(test_case) = test_case else {
            return Ok(tasks);
        };
        let Some(config) = &self.inner.options.mock_config else {
            return Err(EngineError::InvalidArn(format!(
                "Invalid Arn: test case '{test_case}' asked for, but no mock configuration was given"
            )));
        };
        let case = config
            .test_case(Some(state_machine), test_case)
            .map_err(|e| EngineError::InvalidArn(format!("Invalid Arn: {e}")))?;
        Ok(tasks.with_mocks(case))
    }

    /// Resumes the stored running execution `record`.
    fn resume(&self, record: ExecutionRecord) -> Result<(), StoreError> {
        let arn = &record.execution_arn;
        let checkpoint: Option<Checkpoint> = self
            .store()
            .checkpoint(arn)?
            .and_then(|text| serde_json::from_str(&text).ok());
        let Some(checkpoint) = checkpoint else {
            return self.end_unresumable(&record, "its resume point is missing or unreadable");
        };
        let machine = match stepfn_codegen::parse::from_str(&checkpoint.definition) {
            Ok(machine) => machine,
            Err(e) => return self.end_unresumable(&record, &e.to_string()),
        };
        let tasks = match self.tasks_for(
            &checkpoint.state_machine_name,
            checkpoint.test_case.as_deref(),
        ) {
            Ok(tasks) => tasks,
            Err(e) => return self.end_unresumable(&record, &e.to_string()),
        };
        let events = self.full_history(arn)?;
        let replay = match Replay::resuming(&events, &checkpoint.redriven_after) {
            Ok(replay) => replay,
            Err(e) => return self.end_unresumable(&record, &e.to_string()),
        };
        self.launch(Executor::new(machine), tasks, &record, checkpoint, replay);
        Ok(())
    }

    /// Ends a running execution that cannot be resumed, as failed, saying why.
    fn end_unresumable(&self, record: &ExecutionRecord, why: &str) -> Result<(), StoreError> {
        let change = StatusChange {
            status: RunStatus::Failed,
            output: None,
            error: Some(crate::error::names::RUNTIME.into()),
            cause: Some(format!("The execution could not be resumed: {why}")),
            stop_millis: Some(self.inner.options.clock.now_millis()),
            redriven: false,
        };
        self.store().commit(
            &record.execution_arn,
            crate::store::Transition {
                events: &[],
                checkpoint: None,
                status: Some(&change),
            },
        )
    }

    fn full_history(&self, arn: &str) -> Result<Vec<Value>, StoreError> {
        let mut events = Vec::new();
        let mut query = HistoryQuery {
            max_results: crate::store::MAX_PAGE,
            ..Default::default()
        };
        loop {
            let page = self.store().history(arn, &query)?;
            events.extend(page.items);
            match page.next_token {
                Some(token) => query.next_token = Some(token),
                None => return Ok(events),
            }
        }
    }

    /// Runs the execution `record` in a task of its own, replaying `replay` first.
    fn launch(
        &self,
        executor: Executor,
        tasks: TaskRegistry,
        record: &ExecutionRecord,
        checkpoint: Checkpoint,
        replay: Replay,
    ) {
        let arn: Arc<str> = record.execution_arn.as_str().into();
        let options = &self.inner.options;
        let durable = Arc::new(DurableRun::new(
            arn.clone(),
            replay,
            self.inner.commits.clone(),
            record.start_millis,
            record.redrive_count,
            checkpoint.redriven_after.last().copied(),
        ));
        let stop = StopSignal::new();
        let (ended_sender, ended) = tokio::sync::watch::channel(false);
        self.live().insert(
            record.execution_arn.clone(),
            Live {
                stop: stop.clone(),
                durable: durable.clone(),
                ended,
            },
        );
        let execution_options = ExecutionOptions {
            name: Some(record.name.clone()),
            state_machine_name: checkpoint.state_machine_name.into(),
            account: options.account.clone().into(),
            region: options.region.clone().into(),
            role_arn: checkpoint.role_arn.into(),
            clock: options.clock.clone(),
            tasks,
            callbacks: self.inner.callbacks.clone(),
            activities: Some(self.inner.activities.clone()),
            s3_root: None,
            objects: options.objects.clone(),
            record_history: true,
            execution_type: stepfn_codegen::ExecutionType::Standard,
            stop,
            expression_limits: crate::expr::limits::EXPRESSION_LIMITS,
            map_runs: Some(self.inner.map_runs.clone()),
        };
        let input = serde_json::from_str::<Value>(&record.input).unwrap_or(Value::Null);
        let engine = self.clone();
        tokio::spawn(async move {
            let run = executor.run_durable(Data::from(input), execution_options, durable);
            // A state's own panics fail it in the executor; one anywhere else in the run must
            // still end the execution, not leave it RUNNING with no task behind it.
            if let Err(payload) = std::panic::AssertUnwindSafe(run).catch_unwind().await {
                let message = crate::exec::panic_message(payload.as_ref());
                engine.fail_after_panic(&arn, &message).await;
            }
            engine.live().remove(&*arn);
            let _ = ended_sender.send(true);
        });
    }

    /// Ends the execution `arn` FAILED with `States.Runtime` after its run panicked: an
    /// ExecutionFailed event follows the last one stored, and the record says FAILED, so a
    /// restart does not run it into the same panic again.
    async fn fail_after_panic(&self, arn: &Arc<str>, message: &str) {
        let last = self
            .store()
            .history(
                arn,
                &HistoryQuery {
                    reverse_order: true,
                    max_results: 1,
                    next_token: None,
                },
            )
            .ok()
            .and_then(|page| page.items.first().map(|e| e["id"].as_u64().unwrap_or(0)))
            .unwrap_or(0);
        let error = crate::error::names::RUNTIME.to_string();
        let cause = format!("The execution panicked: {message}");
        let now = self.inner.options.clock.now_millis();
        let failed = crate::history::HistoryEvent {
            id: last + 1,
            previous_event_id: last,
            timestamp_millis: now,
            event_type: "ExecutionFailed",
            state: None,
            details: smallvec::smallvec![
                ("error", Data::from(error.as_str())),
                ("cause", Data::from(cause.as_str())),
            ],
            payload: None,
        };
        let change = StatusChange {
            status: RunStatus::Failed,
            output: None,
            error: Some(error),
            cause: Some(cause),
            stop_millis: Some(now),
            redriven: false,
        };
        if let Err(e) = self
            .inner
            .commits
            .commit(arn.clone(), vec![failed.to_api()], None, Some(change))
            .await
        {
            eprintln!(
                "stepfn: the execution {arn} panicked and could not be recorded as failed: {e}"
            );
        }
    }

    /// Completes once the execution `execution_arn` is no longer running in this process,
    /// and gives its record.
    pub async fn wait(&self, execution_arn: &str) -> Result<ExecutionRecord, EngineError> {
        let ended = self.live().get(execution_arn).map(|l| l.ended.clone());
        if let Some(mut ended) = ended {
            // An error means the sender is gone: the execution ended.
            let _ = ended.wait_for(|ended| *ended).await;
        }
        self.describe_execution(execution_arn)
    }

    /// DescribeExecution.
    pub fn describe_execution(&self, execution_arn: &str) -> Result<ExecutionRecord, EngineError> {
        check_arn(execution_arn, "execution")?;
        self.store()
            .execution(execution_arn)?
            .ok_or_else(|| EngineError::ExecutionDoesNotExist(execution_arn.into()))
    }

    /// ListExecutions: newest first, by state machine and status, in pages. A version's or
    /// an alias's ARN lists the executions started on it.
    pub fn list_executions(
        &self,
        query: &ExecutionQuery,
    ) -> Result<Page<ExecutionRecord>, EngineError> {
        let Some(qualified) = query
            .state_machine_arn
            .as_deref()
            .filter(|arn| unqualified(arn) != *arn)
        else {
            return Ok(self.store().executions(query)?);
        };
        // The store indexes executions by machine; a version's or alias's are picked out of
        // the machine's by what their checkpoints say, and paged here.
        let mut whole = ExecutionQuery {
            state_machine_arn: Some(unqualified(qualified).to_string()),
            status: query.status,
            max_results: crate::store::MAX_PAGE,
            next_token: None,
        };
        let mut matching = Vec::new();
        loop {
            let page = self.store().executions(&whole)?;
            for record in page.items {
                let started_on = self.checkpoint_of(&record.execution_arn)?.and_then(|c| {
                    if is_version_arn(qualified) {
                        c.version_arn
                    } else {
                        c.alias_arn
                    }
                });
                if started_on.as_deref() == Some(qualified) {
                    matching.push(record);
                }
            }
            match page.next_token {
                Some(token) => whole.next_token = Some(token),
                None => break,
            }
        }
        let start = match &query.next_token {
            None => 0,
            Some(token) => token
                .strip_prefix('q')
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n <= matching.len())
                .ok_or_else(|| EngineError::InvalidToken(token.clone()))?,
        };
        let size = crate::store::page_size(query.max_results);
        let end = (start + size).min(matching.len());
        let next_token = (end < matching.len()).then(|| format!("q{end}"));
        Ok(Page {
            items: matching.drain(start..end).collect(),
            next_token,
        })
    }

    /// The whole history of the execution `execution_arn`, oldest first (every page of
    /// GetExecutionHistory).
    pub fn full_execution_history(&self, execution_arn: &str) -> Result<Vec<Value>, EngineError> {
        check_arn(execution_arn, "execution")?;
        Ok(self.full_history(execution_arn)?)
    }

    /// GetExecutionHistory: the events as the API returns them, in pages, either way.
    pub fn get_execution_history(
        &self,
        execution_arn: &str,
        query: &HistoryQuery,
    ) -> Result<Page<Value>, EngineError> {
        check_arn(execution_arn, "execution")?;
        Ok(self.store().history(execution_arn, query)?)
    }

    /// StopExecution: the execution ends `ABORTED` with `error` and `cause`; completes once
    /// that is recorded, giving when it stopped. An execution that already ended is left as
    /// it is.
    pub async fn stop_execution(
        &self,
        execution_arn: &str,
        error: Option<String>,
        cause: Option<String>,
    ) -> Result<i64, EngineError> {
        let record = self.describe_execution(execution_arn)?;
        let live = self
            .live()
            .get(execution_arn)
            .map(|l| (l.stop.clone(), l.ended.clone()));
        if let Some((stop, mut ended)) = live {
            stop.stop(error, cause);
            let _ = ended.wait_for(|ended| *ended).await;
        } else if record.status == RunStatus::Running {
            // Running in the store, in no process: it ends here.
            let change = StatusChange {
                status: RunStatus::Aborted,
                output: None,
                error,
                cause,
                stop_millis: Some(self.inner.options.clock.now_millis()),
                redriven: false,
            };
            self.inner
                .commits
                .commit(execution_arn.into(), Vec::new(), None, Some(change))
                .await?;
        }
        let record = self.describe_execution(execution_arn)?;
        Ok(record
            .stop_millis
            .unwrap_or_else(|| self.inner.options.clock.now_millis()))
    }

    /// RedriveExecution: a failed, timed-out or aborted execution runs again from the states
    /// that did not succeed, keeping the results of those that did; gives the redrive time.
    pub async fn redrive_execution(&self, execution_arn: &str) -> Result<i64, EngineError> {
        let record = self.describe_execution(execution_arn)?;
        if !matches!(
            record.status,
            RunStatus::Failed | RunStatus::TimedOut | RunStatus::Aborted
        ) {
            return Err(EngineError::ExecutionNotRedrivable(format!(
                "Execution with arn '{execution_arn}' is not redrivable: its status is {}",
                record.status.as_str()
            )));
        }
        let mut checkpoint: Checkpoint = self
            .store()
            .checkpoint(execution_arn)?
            .and_then(|text| serde_json::from_str(&text).ok())
            .ok_or_else(|| {
                EngineError::ExecutionNotRedrivable(format!(
                    "Execution with arn '{execution_arn}' has no stored definition"
                ))
            })?;
        let machine = stepfn_codegen::parse::from_str(&checkpoint.definition)
            .map_err(|e| EngineError::Internal(e.to_string()))?;
        let tasks = self.tasks_for(
            &checkpoint.state_machine_name,
            checkpoint.test_case.as_deref(),
        )?;
        let events = self.full_history(execution_arn)?;
        let last_id = events.last().and_then(|e| e["id"].as_u64()).unwrap_or(0);
        checkpoint.redriven_after.push(last_id);
        let replay = Replay::resuming(&events, &checkpoint.redriven_after)
            .map_err(|e| EngineError::Internal(e.to_string()))?;
        let now = self.inner.options.clock.now_millis();
        let change = StatusChange {
            status: RunStatus::Running,
            output: None,
            error: None,
            cause: None,
            stop_millis: None,
            redriven: true,
        };
        let text = serde_json::to_string(&checkpoint).unwrap_or_default();
        self.inner
            .commits
            .commit(execution_arn.into(), Vec::new(), Some(text), Some(change))
            .await?;
        let record = self.describe_execution(execution_arn)?;
        self.launch(Executor::new(machine), tasks, &record, checkpoint, replay);
        Ok(now)
    }

    /// SendTaskSuccess: the task waiting on `task_token` succeeds with `output` (JSON text);
    /// completes once that is recorded.
    pub async fn send_task_success(
        &self,
        task_token: &str,
        output: &str,
    ) -> Result<(), EngineError> {
        if output.len() > MAX_PAYLOAD_BYTES {
            return Err(EngineError::InvalidOutput(format!(
                "the output is larger than {MAX_PAYLOAD_BYTES} bytes"
            )));
        }
        let output: Value =
            serde_json::from_str(output).map_err(|e| EngineError::InvalidOutput(e.to_string()))?;
        self.decide(task_token, Ok(output)).await
    }

    /// SendTaskFailure: the task waiting on `task_token` fails with `error` and `cause`.
    pub async fn send_task_failure(
        &self,
        task_token: &str,
        error: Option<String>,
        cause: Option<String>,
    ) -> Result<(), EngineError> {
        self.decide(task_token, Err(StatesError::from_parts(error, cause)))
            .await
    }

    /// SendTaskHeartbeat: the task waiting on `task_token` is alive.
    pub async fn send_task_heartbeat(&self, task_token: &str) -> Result<(), EngineError> {
        self.await_token(task_token).await?;
        self.inner
            .callbacks
            .send_heartbeat(task_token)
            .map_err(EngineError::from)
    }

    async fn decide(
        &self,
        task_token: &str,
        result: Result<Value, StatesError>,
    ) -> Result<(), EngineError> {
        self.await_token(task_token).await?;
        self.inner
            .callbacks
            .decide(task_token, result)
            .await
            .map_err(EngineError::from)
    }

    /// Checks `task_token` and, when its execution is being resumed and has not reached the
    /// task again yet, waits for it to.
    async fn await_token(&self, task_token: &str) -> Result<(), EngineError> {
        if task_token.is_empty() || task_token.len() > 2048 {
            return Err(EngineError::InvalidToken(task_token.into()));
        }
        if self.inner.callbacks.is_waiting(task_token) {
            return Ok(());
        }
        let Some(execution_arn) = token_execution(task_token) else {
            return Err(EngineError::InvalidToken(task_token.into()));
        };
        let deadline = tokio::time::Instant::now() + RESUME_GRACE;
        loop {
            let resuming = self
                .live()
                .get(&execution_arn)
                .is_some_and(|l| !l.durable.replay.is_caught_up());
            if self.inner.callbacks.is_waiting(task_token) {
                return Ok(());
            }
            if !resuming || tokio::time::Instant::now() >= deadline {
                return Err(EngineError::TaskDoesNotExist);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// CreateActivity: the activity `name` (the same ARN again for a name that exists).
    pub fn create_activity(&self, name: &str) -> Result<ActivityRecord, EngineError> {
        check_name(name)?;
        let options = &self.inner.options;
        let arn = format!(
            "arn:aws:states:{}:{}:activity:{name}",
            options.region, options.account
        );
        if let Some(existing) = self
            .store()
            .activities()?
            .into_iter()
            .find(|a| a.arn == arn)
        {
            return Ok(existing);
        }
        let record = ActivityRecord {
            arn: arn.clone(),
            name: name.to_string(),
            created_millis: options.clock.now_millis(),
        };
        self.store().put_activity(&record)?;
        self.inner.activities.create(&arn);
        Ok(record)
    }

    /// DeleteActivity. Tasks already waiting on it wait until their timeout.
    pub fn delete_activity(&self, activity_arn: &str) -> Result<(), EngineError> {
        check_arn(activity_arn, "activity")?;
        self.store().delete_activity(activity_arn)?;
        self.inner.activities.delete(activity_arn);
        Ok(())
    }

    /// ListActivities, oldest first.
    pub fn list_activities(&self) -> Result<Vec<ActivityRecord>, EngineError> {
        Ok(self.store().activities()?)
    }

    /// DescribeActivity.
    pub fn describe_activity(&self, activity_arn: &str) -> Result<ActivityRecord, EngineError> {
        check_arn(activity_arn, "activity")?;
        self.store()
            .activities()?
            .into_iter()
            .find(|a| a.arn == activity_arn)
            .ok_or_else(|| EngineError::ActivityDoesNotExist(activity_arn.into()))
    }

    /// GetActivityTask: the next task of the activity for the worker `worker_name`, waiting
    /// up to `poll` (AWS waits 60 s); each task goes to exactly one worker. `None` when no
    /// task came in time.
    pub async fn get_activity_task(
        &self,
        activity_arn: &str,
        worker_name: Option<&str>,
        poll: Duration,
    ) -> Result<Option<ActivityTask>, EngineError> {
        check_arn(activity_arn, "activity")?;
        if !self.inner.activities.exists(activity_arn) {
            return Err(EngineError::ActivityDoesNotExist(activity_arn.into()));
        }
        let worker = worker_name.unwrap_or("");
        Ok(self.inner.activities.poll(activity_arn, worker, poll).await)
    }

    /// The executions running in this process.
    pub fn running(&self) -> Vec<String> {
        self.live().keys().cloned().collect()
    }

    /// The task tokens tasks wait on now.
    pub fn waiting_tokens(&self) -> Vec<String> {
        self.inner.callbacks.waiting_tokens()
    }

    /// The task tokens the execution `execution_arn` waits on now, each with the id of the
    /// event that entered the state waiting on it.
    pub fn tokens_of(&self, execution_arn: &str) -> Vec<(String, u64)> {
        let mut tokens: Vec<(String, u64)> = self
            .waiting_tokens()
            .into_iter()
            .filter_map(|token| {
                let (arn, entered) = crate::durable::run::token_origin(&token)?;
                (arn == execution_arn).then_some((token, entered))
            })
            .collect();
        tokens.sort_by_key(|(_, entered)| *entered);
        tokens
    }
}

/// `ARN#TestCase` split into the ARN and the MockConfigFile test case.
fn split_test_case(state_machine_arn: &str) -> (&str, Option<&str>) {
    match state_machine_arn.split_once('#') {
        Some((arn, case)) => (arn, Some(case)),
        None => (state_machine_arn, None),
    }
}

/// The name asked for (checked), or a fresh one.
fn execution_name(name: Option<&str>) -> Result<String, EngineError> {
    match name {
        Some(name) => {
            check_name(name)?;
            Ok(name.to_string())
        }
        None => Ok(crate::random::uuid_v4().to_string()),
    }
}

/// The execution input, checked to be JSON within the size limit.
fn checked_input(input: &str) -> Result<Value, EngineError> {
    if input.len() > MAX_PAYLOAD_BYTES {
        return Err(EngineError::InvalidExecutionInput(format!(
            "the input is larger than {MAX_PAYLOAD_BYTES} bytes"
        )));
    }
    serde_json::from_str(input).map_err(|e| EngineError::InvalidExecutionInput(e.to_string()))
}

/// AWS's rules for execution names: 1 to 80 characters, none of whitespace, brackets,
/// wildcards, special characters or control characters.
fn check_name(name: &str) -> Result<(), EngineError> {
    crate::exec::check_name(name)
        .map_err(|_| EngineError::InvalidName(format!("Invalid Name: '{name}'")))
}

/// Checks that `arn` is an ARN of `kind` (`execution`, `stateMachine`...).
fn check_arn(arn: &str, kind: &str) -> Result<(), EngineError> {
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() < 7 || parts[0] != "arn" || parts[2] != "states" || parts[5] != kind {
        return Err(EngineError::InvalidArn(format!("Invalid Arn: '{arn}'")));
    }
    Ok(())
}

impl From<CallbackError> for EngineError {
    fn from(e: CallbackError) -> Self {
        match e {
            CallbackError::TaskDoesNotExist => EngineError::TaskDoesNotExist,
            CallbackError::InvalidToken(t) => EngineError::InvalidToken(t),
        }
    }
}

/// The JSON `DescribeExecution` returns for `record`.
pub fn describe_json(record: &ExecutionRecord) -> Value {
    let seconds = |millis: i64| millis as f64 / 1000.0;
    let mut out = json!({
        "executionArn": record.execution_arn,
        "stateMachineArn": record.state_machine_arn,
        "name": record.name,
        "status": record.status.as_str(),
        "startDate": seconds(record.start_millis),
        "input": record.input,
        "inputDetails": {"included": true},
        "redriveCount": record.redrive_count,
    });
    if let Some(stop) = record.stop_millis {
        out["stopDate"] = json!(seconds(stop));
    }
    if let Some(output) = &record.output {
        out["output"] = json!(output);
        out["outputDetails"] = json!({"included": true});
    }
    if let Some(error) = &record.error {
        out["error"] = json!(error);
    }
    if let Some(cause) = &record.cause {
        out["cause"] = json!(cause);
    }
    out
}

#[cfg(test)]
mod tests;
