//! SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat.

use serde::Deserialize;
use serde_json::{json, Value};
use stepfn::durable::Engine;

use crate::protocol::{check_length, ApiError};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Success {
    task_token: String,
    output: String,
}

pub(super) async fn success(engine: &Engine, request: Success) -> Result<Value, ApiError> {
    engine
        .send_task_success(&request.task_token, &request.output)
        .await?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Failure {
    task_token: String,
    error: Option<String>,
    cause: Option<String>,
}

pub(super) async fn failure(engine: &Engine, request: Failure) -> Result<Value, ApiError> {
    if let Some(error) = &request.error {
        check_length("error", error, 256)?;
    }
    if let Some(cause) = &request.cause {
        check_length("cause", cause, 32768)?;
    }
    engine
        .send_task_failure(&request.task_token, request.error, request.cause)
        .await?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Heartbeat {
    task_token: String,
}

pub(super) async fn heartbeat(engine: &Engine, request: Heartbeat) -> Result<Value, ApiError> {
    engine.send_task_heartbeat(&request.task_token).await?;
    Ok(json!({}))
}
