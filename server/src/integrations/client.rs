//! What the integrations share: the HTTP client, the Lambda endpoint, the engine nested
//! executions run on, and reading a task's parameters.

use std::sync::OnceLock;

use serde_json::Value;
use stepfn::durable::WeakEngine;
use stepfn::StatesError;

/// What every integration reads: where Lambda is served, the HTTP client, the engine.
pub(super) struct Inner {
    /// Where Lambda's Invoke API is served (`http://127.0.0.1:3001` for `sam local
    /// start-lambda`).
    pub(super) lambda_endpoint: Option<String>,
    pub(super) client: reqwest::Client,
    /// Where the AWS services are, when the server calls them.
    pub(super) aws: Option<super::aws::AwsServices>,
    /// The engine, set once it is open: nested executions run on it.
    pub(super) engine: OnceLock<WeakEngine>,
}

/// A JSON member of the task's parameters, or a `States.Runtime` error naming it.
pub(super) fn member<'v>(
    parameters: &'v Value,
    name: &str,
    resource: &str,
) -> Result<&'v Value, StatesError> {
    parameters.get(name).ok_or_else(|| {
        StatesError::runtime(format!(
            "The field '{name}' is required by the resource '{resource}'"
        ))
    })
}
