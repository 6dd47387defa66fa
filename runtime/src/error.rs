//! The error a state raises: a name (`States.Timeout`, `MyApp.NotFound`...) and a cause.

use std::fmt;

/// Error names Step Functions itself raises.
pub mod names {
    /// Matches any error a retrier or catcher may see.
    pub const ALL: &str = "States.ALL";
    /// Matches any error except `States.Timeout`.
    pub const TASK_FAILED: &str = "States.TaskFailed";
    /// A task, heartbeat or execution ran out of time.
    pub const TIMEOUT: &str = "States.Timeout";
    /// A heartbeat did not arrive in time.
    pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
    /// Something the definition asked for cannot be done with this data; never retried or caught.
    pub const RUNTIME: &str = "States.Runtime";
    /// A payload exceeded 256 KiB.
    pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
    /// No Choice rule matched and there is no Default.
    pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
    /// ResultPath could not be applied to the state input.
    pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
    /// An intrinsic function failed.
    pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
    /// A Distributed Map had more failed items than it tolerates.
    pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
    /// A Map ItemReader could not read its items.
    pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
    /// A Map ResultWriter could not write its results.
    pub const RESULT_WRITER_FAILED: &str = "States.ResultWriterFailed";
    /// The task's resource could not be resolved or lacks permission.
    pub const PERMISSIONS: &str = "States.Permissions";
    /// A JSONata expression failed, returned nothing, or returned the wrong type.
    pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
}

/// An error raised while running a state, as Step Functions reports it. Both parts are
/// optional because a `Fail` state may name neither.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatesError {
    /// The error name.
    pub error: Option<String>,
    /// The human-readable cause.
    pub cause: Option<String>,
    /// For `States.Runtime` raised by the state's own processing: the executor still has to
    /// prefix the cause with the state's name and entry event.
    pub(crate) unlocated: bool,
    /// For `States.QueryEvaluationError`: the field whose expression failed
    /// (`Arguments/FunctionName`), which the `EvaluationFailed` event names.
    pub(crate) evaluation_field: Option<String>,
}

impl StatesError {
    /// An error with a name and a cause.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        StatesError {
            error: Some(error.into()),
            cause: Some(cause.into()),
            unlocated: false,
            evaluation_field: None,
        }
    }

    /// An error whose name and cause may each be absent, as a Fail state or a callback gives.
    pub fn from_parts(error: Option<String>, cause: Option<String>) -> Self {
        StatesError {
            error,
            cause,
            unlocated: false,
            evaluation_field: None,
        }
    }

    /// An error with a name and no cause.
    pub fn named(error: impl Into<String>) -> Self {
        StatesError {
            error: Some(error.into()),
            cause: None,
            unlocated: false,
            evaluation_field: None,
        }
    }

    /// A `States.Runtime` error raised by a state's processing; the executor prefixes the
    /// cause with "An error occurred while executing the state ...".
    pub fn runtime(cause: impl Into<String>) -> Self {
        StatesError {
            error: Some(names::RUNTIME.into()),
            cause: Some(cause.into()),
            unlocated: true,
            evaluation_field: None,
        }
    }

    /// The error name, or the empty string when there is none.
    pub fn name(&self) -> &str {
        self.error.as_deref().unwrap_or("")
    }

    /// False for the errors no retrier or catcher may handle.
    pub fn is_catchable(&self) -> bool {
        // AWS's recordings show States.DataLimitExceeded from a task result being caught
        // (even by States.ALL); only States.Runtime escapes every handler.
        self.name() != names::RUNTIME
    }

    /// True when a retrier's or catcher's `ErrorEquals` entry `pattern` matches this error.
    pub fn matches(&self, pattern: &str) -> bool {
        if !self.is_catchable() {
            return false;
        }
        match pattern {
            names::ALL => true,
            names::TASK_FAILED => self.name() != names::TIMEOUT,
            other => other == self.name(),
        }
    }

    /// The Error Output a catcher receives: `{"Error": ..., "Cause": ...}`, with `null` for
    /// a part that is absent (as when SendTaskFailure names no error).
    pub fn to_error_output(&self) -> crate::Data {
        let text = |t: &Option<String>| t.as_deref().map_or(crate::Data::Null, crate::Data::from);
        let mut members = crate::data::Object::with_capacity(2);
        members.insert("Error".into(), text(&self.error));
        members.insert("Cause".into(), text(&self.cause));
        crate::Data::object(members)
    }
}

impl fmt::Display for StatesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.error, &self.cause) {
            (Some(e), Some(c)) => write!(f, "{e}: {c}"),
            (Some(e), None) => f.write_str(e),
            (None, Some(c)) => f.write_str(c),
            (None, None) => f.write_str("failed"),
        }
    }
}

impl std::error::Error for StatesError {}
