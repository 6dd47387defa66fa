//! What the engine refuses, with the error names the Step Functions API uses.

use crate::store::StoreError;

/// An [`Engine`](super::Engine) call refused or failed; [`EngineError::code`] is the error
/// name the Step Functions API returns for it.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// No state machine has this ARN.
    #[error("State Machine Does Not Exist: '{0}'")]
    StateMachineDoesNotExist(String),
    /// No execution has this ARN.
    #[error("Execution Does Not Exist: '{0}'")]
    ExecutionDoesNotExist(String),
    /// The state machine has an execution of this name (ended, or with another input).
    #[error("Execution Already Exists: '{0}'")]
    ExecutionAlreadyExists(String),
    /// The name breaks AWS's naming rules.
    #[error("{0}")]
    InvalidName(String),
    /// The text is not an ARN of the expected kind.
    #[error("{0}")]
    InvalidArn(String),
    /// The execution input is not JSON, or too large.
    #[error("Invalid State Machine Execution Input: '{0}'")]
    InvalidExecutionInput(String),
    /// A task's output is not JSON, or too large.
    #[error("Invalid Output: '{0}'")]
    InvalidOutput(String),
    /// The task token is not one the engine issues.
    #[error("Invalid Token: '{0}'")]
    InvalidToken(String),
    /// No task waits on this token (any more).
    #[error("Task does not exist anymore")]
    TaskDoesNotExist,
    /// No activity has this ARN.
    #[error("Activity Does Not Exist: '{0}'")]
    ActivityDoesNotExist(String),
    /// The execution cannot be redriven.
    #[error("{0}")]
    ExecutionNotRedrivable(String),
    /// A state machine of this name exists with another definition, role or type.
    #[error("{0}")]
    StateMachineAlreadyExists(String),
    /// The definition breaks the rules of ASL (the validator's messages).
    #[error("Invalid State Machine Definition: '{0}'")]
    InvalidDefinition(String),
    /// The call lacks something it needs.
    #[error("{0}")]
    MissingRequiredParameter(String),
    /// No state machine or activity has this ARN.
    #[error("{0}")]
    ResourceNotFound(String),
    /// A resource would carry more tags than allowed.
    #[error("{0}")]
    TooManyTags(String),
    /// The call does not apply to this type of state machine (StartSyncExecution on a
    /// Standard one...).
    #[error("{0}")]
    StateMachineTypeNotSupported(String),
    /// The call conflicts with what exists (a version still routed to by an alias, an
    /// alias of that name with another routing, a revision that is no longer current).
    #[error("{0}")]
    Conflict(String),
    /// A quota is reached (1000 versions, 100 aliases per state machine).
    #[error("{0}")]
    ServiceQuotaExceeded(String),
    /// A member breaks its constraints (Step Functions' own ValidationException).
    #[error("{0}")]
    Validation(String),
    /// The store failed, or the engine met a state it cannot work from.
    #[error("{0}")]
    Internal(String),
}

impl EngineError {
    /// The API's error name: `ExecutionDoesNotExist`, `InvalidToken`...
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::StateMachineDoesNotExist(_) => "StateMachineDoesNotExist",
            EngineError::ExecutionDoesNotExist(_) => "ExecutionDoesNotExist",
            EngineError::ExecutionAlreadyExists(_) => "ExecutionAlreadyExists",
            EngineError::InvalidName(_) => "InvalidName",
            EngineError::InvalidArn(_) => "InvalidArn",
            EngineError::InvalidExecutionInput(_) => "InvalidExecutionInput",
            EngineError::InvalidOutput(_) => "InvalidOutput",
            EngineError::InvalidToken(_) => "InvalidToken",
            EngineError::TaskDoesNotExist => "TaskDoesNotExist",
            EngineError::ActivityDoesNotExist(_) => "ActivityDoesNotExist",
            EngineError::ExecutionNotRedrivable(_) => "ExecutionNotRedrivable",
            EngineError::StateMachineAlreadyExists(_) => "StateMachineAlreadyExists",
            EngineError::InvalidDefinition(_) => "InvalidDefinition",
            EngineError::MissingRequiredParameter(_) => "MissingRequiredParameter",
            EngineError::ResourceNotFound(_) => "ResourceNotFound",
            EngineError::TooManyTags(_) => "TooManyTags",
            EngineError::StateMachineTypeNotSupported(_) => "StateMachineTypeNotSupported",
            EngineError::Conflict(_) => "ConflictException",
            EngineError::ServiceQuotaExceeded(_) => "ServiceQuotaExceededException",
            EngineError::Validation(_) => "ValidationException",
            EngineError::Internal(_) => "InternalFailure",
        }
    }
}

impl From<StoreError> for EngineError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::ExecutionAlreadyExists(arn) => EngineError::ExecutionAlreadyExists(arn),
            StoreError::ExecutionDoesNotExist(arn) => EngineError::ExecutionDoesNotExist(arn),
            StoreError::InvalidToken(token) => EngineError::InvalidToken(token),
            other => EngineError::Internal(other.to_string()),
        }
    }
}
