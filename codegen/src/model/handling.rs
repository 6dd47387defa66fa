use serde_json::Number;

use super::{Assign, Nullable, Path, Template};

/// The error name that matches every error: alone, in the last retrier or catcher.
pub const STATES_ALL: &str = "States.ALL";

/// The `States.*` error names AWS defines, `States.ALL` first (it matches every error).
pub const STATES_ERRORS: &[&str] = &[
    STATES_ALL,
    "States.Timeout",
    "States.TaskFailed",
    "States.HeartbeatTimeout",
    "States.Permissions",
    "States.ResultPathMatchFailure",
    "States.ParameterPathFailure",
    "States.BranchFailed",
    "States.NoChoiceMatched",
    "States.IntrinsicFailure",
    "States.ExceedToleratedFailureThreshold",
    "States.ItemReaderFailed",
    "States.ResultWriterFailed",
    "States.QueryEvaluationError",
    "States.DataLimitExceeded",
    "States.Runtime",
];

/// One element of `Retry`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Retrier {
    /// `Comment`.
    pub comment: Option<String>,
    /// `ErrorEquals`: the error names this retrier handles.
    pub error_equals: Vec<String>,
    /// `IntervalSeconds` (default 1).
    pub interval_seconds: Option<u64>,
    /// `MaxAttempts` (default 3; 0 never retries).
    pub max_attempts: Option<u64>,
    /// `BackoffRate` (default 2.0), kept as written.
    pub backoff_rate: Option<Number>,
    /// `MaxDelaySeconds`: a cap on each delay.
    pub max_delay_seconds: Option<u64>,
    /// `JitterStrategy` (default `NONE`).
    pub jitter_strategy: Option<JitterStrategy>,
}

impl Retrier {
    /// A retrier for `errors` with AWS's defaults.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(errors: I) -> Self {
        Retrier {
            error_equals: errors.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }

    /// `IntervalSeconds` or its default, 1.
    pub fn interval_seconds(&self) -> u64 {
        self.interval_seconds.unwrap_or(1)
    }

    /// `MaxAttempts` or its default, 3.
    pub fn max_attempts(&self) -> u64 {
        self.max_attempts.unwrap_or(3)
    }

    /// `BackoffRate` or its default, 2.0.
    pub fn backoff_rate(&self) -> f64 {
        self.backoff_rate
            .as_ref()
            .and_then(Number::as_f64)
            .unwrap_or(2.0)
    }

    /// `JitterStrategy` or its default, `NONE`.
    pub fn jitter_strategy(&self) -> JitterStrategy {
        self.jitter_strategy.unwrap_or_default()
    }
}

/// `JitterStrategy` of a retrier.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JitterStrategy {
    /// `FULL`: each delay is drawn uniformly between 0 and the computed delay.
    Full,
    /// `NONE`: delays are exactly as computed.
    #[default]
    None,
}

impl JitterStrategy {
    /// The name used in ASL.
    pub fn as_str(self) -> &'static str {
        match self {
            JitterStrategy::Full => "FULL",
            JitterStrategy::None => "NONE",
        }
    }
}

/// One element of `Catch`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catcher {
    /// `Comment`.
    pub comment: Option<String>,
    /// `ErrorEquals`: the error names this catcher handles.
    pub error_equals: Vec<String>,
    /// `Next`: the state to go to.
    pub next: String,
    /// `ResultPath` (JSONPath): where the error output goes in the raw input.
    pub result_path: Option<Nullable<Path>>,
    /// `Output` (JSONata).
    pub output: Option<Template>,
    /// `Assign`.
    pub assign: Option<Assign>,
}

impl Catcher {
    /// A catcher sending `errors` to `next`.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(
        errors: I,
        next: impl Into<String>,
    ) -> Self {
        Catcher {
            error_equals: errors.into_iter().map(Into::into).collect(),
            next: next.into(),
            ..Default::default()
        }
    }
}
