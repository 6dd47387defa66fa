//! Where executions live between their transitions: the execution records, their histories
//! and the point each running execution would resume from.
//!
//! Two stores implement [`Store`]: [`MemoryStore`] (Express executions: nothing outlives the
//! process) and, with the `sqlite` feature, `SqliteStore` (Standard executions: an embedded database file, every
//! [`Store::commit`] durable before it returns, so an execution acknowledges a transition only
//! once it would survive a crash).
//!
//! The store keeps history events in the shape `GetExecutionHistory` returns
//! ([`HistoryEvent::to_api`](crate::history::HistoryEvent::to_api)) and a running execution's
//! resume point as opaque JSON text the executor writes and reads back.

mod group;
mod memory;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use group::{CommitQueue, Submitted};
pub use memory::MemoryStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

use serde_json::Value;

/// An execution's status, as `DescribeExecution` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RunStatus {
    /// Started, not ended.
    Running,
    /// It reached a Succeed state or an `End`.
    Succeeded,
    /// An error nothing caught, or a Fail state.
    Failed,
    /// The execution's `TimeoutSeconds` passed.
    TimedOut,
    /// It was stopped.
    Aborted,
    /// A redrive was asked for and has not started yet.
    PendingRedrive,
}

impl RunStatus {
    /// `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED` or `PENDING_REDRIVE`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "RUNNING",
            RunStatus::Succeeded => "SUCCEEDED",
            RunStatus::Failed => "FAILED",
            RunStatus::TimedOut => "TIMED_OUT",
            RunStatus::Aborted => "ABORTED",
            RunStatus::PendingRedrive => "PENDING_REDRIVE",
        }
    }

    /// The status named `text` (as [`RunStatus::as_str`] writes it).
    pub fn parse(text: &str) -> Option<RunStatus> {
        [
            RunStatus::Running,
            RunStatus::Succeeded,
            RunStatus::Failed,
            RunStatus::TimedOut,
            RunStatus::Aborted,
            RunStatus::PendingRedrive,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

impl From<crate::ExecutionStatus> for RunStatus {
    fn from(status: crate::ExecutionStatus) -> Self {
        match status {
            crate::ExecutionStatus::Succeeded => RunStatus::Succeeded,
            crate::ExecutionStatus::Failed => RunStatus::Failed,
            crate::ExecutionStatus::TimedOut => RunStatus::TimedOut,
            crate::ExecutionStatus::Aborted => RunStatus::Aborted,
        }
    }
}

/// What `DescribeExecution` tells of one execution.
#[derive(Clone, Debug, PartialEq)]
pub struct ExecutionRecord {
    /// `arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME`.
    pub execution_arn: String,
    /// The state machine it runs.
    pub state_machine_arn: String,
    /// Its name, unique per state machine.
    pub name: String,
    /// Where it is.
    pub status: RunStatus,
    /// The input, as JSON text.
    pub input: String,
    /// The output, as JSON text, once it succeeded.
    pub output: Option<String>,
    /// The error name, once it failed.
    pub error: Option<String>,
    /// The cause, once it failed.
    pub cause: Option<String>,
    /// When it started, in milliseconds since the Unix epoch.
    pub start_millis: i64,
    /// When it ended.
    pub stop_millis: Option<i64>,
    /// How many times it was redriven.
    pub redrive_count: u32,
}

impl ExecutionRecord {
    /// A running execution's record, as `StartExecution` makes it.
    pub fn started(
        execution_arn: impl Into<String>,
        state_machine_arn: impl Into<String>,
        name: impl Into<String>,
        input: impl Into<String>,
        start_millis: i64,
    ) -> Self {
        ExecutionRecord {
            execution_arn: execution_arn.into(),
            state_machine_arn: state_machine_arn.into(),
            name: name.into(),
            status: RunStatus::Running,
            input: input.into(),
            output: None,
            error: None,
            cause: None,
            start_millis,
            stop_millis: None,
            redrive_count: 0,
        }
    }
}

/// How an execution ended (or was put back to running by a redrive), recorded with the
/// transition that did it.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusChange {
    /// The new status.
    pub status: RunStatus,
    /// The output, as JSON text, when it succeeded.
    pub output: Option<String>,
    /// The error name.
    pub error: Option<String>,
    /// The cause.
    pub cause: Option<String>,
    /// When it ended (`None` when it runs again).
    pub stop_millis: Option<i64>,
    /// Counts one more redrive.
    pub redriven: bool,
}

/// One transition of one execution, committed at once: its new history events, where it
/// would resume from now, and its status when that changed. Nothing of it is kept unless all
/// of it is.
#[derive(Clone, Debug, Default)]
pub struct Transition<'a> {
    /// The events, in the API's shape, each with its `id`; ids continue the stored history
    /// without gaps or repeats.
    pub events: &'a [Value],
    /// Where the execution resumes from after a restart, replacing the last one; `None` keeps
    /// the last.
    pub checkpoint: Option<&'a str>,
    /// The status, when the transition changed it.
    pub status: Option<&'a StatusChange>,
}

/// Which executions `ListExecutions` wants.
#[derive(Clone, Debug, Default)]
pub struct ExecutionQuery {
    /// Only this state machine's executions.
    pub state_machine_arn: Option<String>,
    /// Only executions with this status.
    pub status: Option<RunStatus>,
    /// At most this many (0: the default, 100).
    pub max_results: usize,
    /// Where the previous page ended.
    pub next_token: Option<String>,
}

/// Which events `GetExecutionHistory` wants.
#[derive(Clone, Debug, Default)]
pub struct HistoryQuery {
    /// Newest first.
    pub reverse_order: bool,
    /// At most this many (0: the default, 100).
    pub max_results: usize,
    /// Where the previous page ended.
    pub next_token: Option<String>,
}

/// One page of a listing, and the token of the next when there is more.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Passed back for the next page; `None` on the last.
    pub next_token: Option<String>,
}

/// The most items a page holds unless asked for fewer (AWS's limit too).
pub const MAX_PAGE: usize = 1000;
/// The page size when none is asked for.
pub const DEFAULT_PAGE: usize = 100;

/// How many items a page of `asked` holds.
pub(crate) fn page_size(asked: usize) -> usize {
    match asked {
        0 => DEFAULT_PAGE,
        n => n.min(MAX_PAGE),
    }
}

/// What a store refuses, or fails at.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The state machine already has an execution of that name.
    #[error("ExecutionAlreadyExists: Execution Already Exists: '{0}'")]
    ExecutionAlreadyExists(String),
    /// No execution has this ARN.
    #[error("ExecutionDoesNotExist: Execution Does Not Exist: '{0}'")]
    ExecutionDoesNotExist(String),
    /// A paging token the store did not give.
    #[error("InvalidToken: Invalid Token: '{0}'")]
    InvalidToken(String),
    /// A transition's events do not continue the stored history.
    #[error("history of '{execution_arn}' continues after event {expected}, not at {given}")]
    EventOutOfOrder {
        /// The execution.
        execution_arn: String,
        /// The smallest id the next event may have.
        expected: u64,
        /// The id it had.
        given: u64,
    },
    /// The database failed (a full disk, a corrupt file...).
    #[error("the execution store failed: {0}")]
    Database(String),
}

/// Where executions live between their transitions. See the [module](self) docs.
pub trait Store: Send + Sync {
    /// Records a new execution with the point it would resume from, both or neither. Fails
    /// with [`StoreError::ExecutionAlreadyExists`] when its state machine already has an
    /// execution of that name.
    fn insert_execution(
        &self,
        record: &ExecutionRecord,
        checkpoint: Option<&str>,
    ) -> Result<(), StoreError>;

    /// Commits one transition of the execution `execution_arn`: all of it, or nothing.
    fn commit(&self, execution_arn: &str, transition: Transition<'_>) -> Result<(), StoreError>;

    /// Commits transitions of several executions, each all or nothing as [`Store::commit`]
    /// does, returning each one's result in order. A store that syncs to disk does it once for
    /// the whole batch: that is what lets many executions share the cost of durability.
    fn commit_batch(&self, batch: &[(&str, Transition<'_>)]) -> Vec<Result<(), StoreError>> {
        batch
            .iter()
            .map(|(arn, transition)| self.commit(arn, transition.clone()))
            .collect()
    }

    /// The execution `execution_arn`, if there is one.
    fn execution(&self, execution_arn: &str) -> Result<Option<ExecutionRecord>, StoreError>;

    /// The execution named `name` of `state_machine_arn`, if there is one.
    fn execution_named(
        &self,
        state_machine_arn: &str,
        name: &str,
    ) -> Result<Option<ExecutionRecord>, StoreError>;

    /// Executions, newest first.
    fn executions(&self, query: &ExecutionQuery) -> Result<Page<ExecutionRecord>, StoreError>;

    /// The history of `execution_arn`, oldest first unless reversed.
    fn history(&self, execution_arn: &str, query: &HistoryQuery)
        -> Result<Page<Value>, StoreError>;

    /// Where the execution resumes from, as last committed.
    fn checkpoint(&self, execution_arn: &str) -> Result<Option<String>, StoreError>;

    /// The executions still running (to resume after a restart), oldest first.
    fn running(&self) -> Result<Vec<ExecutionRecord>, StoreError>;

    /// Records the activity `record` (nothing changes when its ARN is recorded already).
    fn put_activity(&self, record: &ActivityRecord) -> Result<(), StoreError>;

    /// Forgets the activity `arn`; whether it was recorded.
    fn delete_activity(&self, arn: &str) -> Result<bool, StoreError>;

    /// Every activity, oldest first.
    fn activities(&self) -> Result<Vec<ActivityRecord>, StoreError>;

    /// Records the state machine `record`, replacing the one of its ARN (which keeps its
    /// place in the listing).
    fn put_state_machine(&self, record: &StateMachineRecord) -> Result<(), StoreError>;

    /// Forgets the state machine `arn` (its executions stay); whether it was recorded.
    fn delete_state_machine(&self, arn: &str) -> Result<bool, StoreError>;

    /// Every state machine, oldest first.
    fn state_machines(&self) -> Result<Vec<StateMachineRecord>, StoreError>;

    /// Replaces the tags of the resource `arn` (a state machine or an activity).
    fn put_tags(&self, arn: &str, tags: &[(String, String)]) -> Result<(), StoreError>;

    /// The tags of the resource `arn`, in the order they were first given.
    fn tags(&self, arn: &str) -> Result<Vec<(String, String)>, StoreError>;
}

/// A state machine as it is kept: what the listing needs in columns, the rest (definition,
/// type, role, configuration, revisions) as JSON text its owner writes and reads back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateMachineRecord {
    /// `arn:aws:states:REGION:ACCOUNT:stateMachine:NAME`.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// When it was created, in milliseconds since the Unix epoch.
    pub created_millis: i64,
    /// Everything else, as JSON text.
    pub document: String,
}

/// An activity, as `DescribeActivity` tells of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivityRecord {
    /// `arn:aws:states:REGION:ACCOUNT:activity:NAME`.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// When it was created, in milliseconds since the Unix epoch.
    pub created_millis: i64,
}

/// The id of an event in the API's shape.
pub(crate) fn event_id(event: &Value) -> u64 {
    event["id"].as_u64().unwrap_or(0)
}

/// Checks that `events` continue a history whose last stored event is `last_id`: ids rise
/// from there, without repeats. They may skip: AWS numbers some events it never shows (a
/// successful Parallel's `ParallelStateSucceeded`), and histories keep its numbering. Gives
/// the last id after the events.
pub(crate) fn check_continues(
    execution_arn: &str,
    last_id: u64,
    events: &[Value],
) -> Result<u64, StoreError> {
    let mut last = last_id;
    for event in events {
        let given = event_id(event);
        if given <= last {
            return Err(StoreError::EventOutOfOrder {
                execution_arn: execution_arn.into(),
                expected: last + 1,
                given,
            });
        }
        last = given;
    }
    Ok(last)
}

#[cfg(test)]
pub(crate) mod conformance;
