//! StartExecution, StartSyncExecution, StopExecution, DescribeExecution, ListExecutions,
//! GetExecutionHistory and RedriveExecution.

use serde::Deserialize;
use serde_json::{json, Value};
use stepfn::durable::{describe_json, is_version_arn, unqualified, Engine};
use stepfn::store::{ExecutionQuery, HistoryQuery, RunStatus};
use stepfn_codegen::ExecutionType;

use super::paging::{listing, page_size};
use crate::protocol::{check_length, timestamp, ApiError};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Start {
    state_machine_arn: String,
    name: Option<String>,
    input: Option<String>,
}

fn input(given: &Option<String>) -> &str {
    given.as_deref().unwrap_or("{}")
}

pub(super) async fn start(engine: &Engine, request: Start) -> Result<Value, ApiError> {
    check_length("stateMachineArn", &request.state_machine_arn, 2048)?;
    let started = engine
        .start_execution(
            &request.state_machine_arn,
            request.name.as_deref(),
            input(&request.input),
        )
        .await?;
    Ok(json!({
        "executionArn": started.execution_arn,
        "startDate": timestamp(started.start_millis),
    }))
}

pub(super) async fn start_sync(engine: &Engine, request: Start) -> Result<Value, ApiError> {
    let done = engine
        .start_sync_execution(
            &request.state_machine_arn,
            request.name.as_deref(),
            input(&request.input),
        )
        .await?;
    let mut out = json!({
        "executionArn": done.execution_arn,
        "stateMachineArn": done.state_machine_arn,
        "name": done.name,
        "startDate": timestamp(done.start_millis),
        "stopDate": timestamp(done.stop_millis),
        "status": done.status.as_str(),
        "input": done.input,
        "inputDetails": {"included": true},
        "billingDetails": {
            "billedMemoryUsedInMB": 64,
            "billedDurationInMilliseconds": (done.stop_millis - done.start_millis).max(100),
        },
    });
    if let Some(output) = done.output {
        out["output"] = json!(output);
        out["outputDetails"] = json!({"included": true});
    }
    if let Some(error) = done.error {
        out["error"] = json!(error);
    }
    if let Some(cause) = done.cause {
        out["cause"] = json!(cause);
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Stop {
    execution_arn: String,
    error: Option<String>,
    cause: Option<String>,
}

pub(super) async fn stop(engine: &Engine, request: Stop) -> Result<Value, ApiError> {
    if let Some(error) = &request.error {
        check_length("error", error, 256)?;
    }
    if let Some(cause) = &request.cause {
        check_length("cause", cause, 32768)?;
    }
    let stopped = engine
        .stop_execution(&request.execution_arn, request.error, request.cause)
        .await?;
    Ok(json!({"stopDate": timestamp(stopped)}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ByArn {
    execution_arn: String,
}

pub(super) fn describe(engine: &Engine, request: ByArn) -> Result<Value, ApiError> {
    let record = engine.describe_execution(&request.execution_arn)?;
    let mut out = describe_json(&record);
    let qualifiers = engine.execution_source(&request.execution_arn)?.qualifiers;
    if let Some(version) = qualifiers.version_arn {
        out["stateMachineVersionArn"] = json!(version);
    }
    if let Some(alias) = qualifiers.alias_arn {
        out["stateMachineAliasArn"] = json!(alias);
    }
    Ok(out)
}

/// DescribeStateMachineForExecution: the machine as it was when the execution started.
pub(super) fn describe_state_machine(engine: &Engine, request: ByArn) -> Result<Value, ApiError> {
    let source = engine.execution_source(&request.execution_arn)?;
    let machine = source.state_machine;
    let mut out = json!({
        "stateMachineArn": machine.arn,
        "name": machine.name,
        "definition": machine.definition,
        "roleArn": machine.role_arn,
        "updateDate": timestamp(machine.updated_millis.unwrap_or(machine.created_millis)),
        "loggingConfiguration": {"level": "OFF", "includeExecutionData": false},
        "tracingConfiguration": {"enabled": false},
    });
    for key in [
        "loggingConfiguration",
        "tracingConfiguration",
        "encryptionConfiguration",
    ] {
        if let Some(value) = machine.configuration.get(key) {
            out[key] = value.clone();
        }
    }
    if let Some(revision) = machine.revision_id {
        out["revisionId"] = json!(revision);
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct List {
    state_machine_arn: Option<String>,
    map_run_arn: Option<String>,
    status_filter: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

/// ListExecutions of a Map Run: its child executions.
fn list_map_run(engine: &Engine, map_run_arn: &str, request: &List) -> Result<Value, ApiError> {
    let run = engine.describe_map_run(map_run_arn)?;
    let status = status_filter(request.status_filter.as_deref())?;
    let children: Vec<_> = engine
        .list_map_run_executions(map_run_arn)?
        .into_iter()
        .filter(|c| status.is_none_or(|s| s.as_str() == c.status))
        .collect();
    let (page, next) =
        super::paging::paged(children, request.max_results, request.next_token.as_deref())?;
    let items: Vec<Value> = page
        .iter()
        .map(|c| {
            let mut item = json!({
                "executionArn": c.execution_arn,
                "stateMachineArn": run.state_machine_arn,
                "name": c.name,
                "status": c.status,
                "startDate": timestamp(c.start_millis),
                "mapRunArn": map_run_arn,
                "itemCount": 1,
            });
            if let Some(stop) = c.stop_millis {
                item["stopDate"] = timestamp(stop);
            }
            item
        })
        .collect();
    Ok(listing("executions", items, next))
}

fn status_filter(name: Option<&str>) -> Result<Option<RunStatus>, ApiError> {
    match name {
        None => Ok(None),
        Some(name) => Ok(Some(RunStatus::parse(name).ok_or_else(|| {
            ApiError::validation(format!(
                "1 validation error detected: Value '{name}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]"
            ))
        })?)),
    }
}

pub(super) fn list(engine: &Engine, request: List) -> Result<Value, ApiError> {
    if let Some(run) = &request.map_run_arn {
        if request.state_machine_arn.is_some() {
            return Err(ApiError::validation(
                "Only one of stateMachineArn and mapRunArn can be specified",
            ));
        }
        return list_map_run(engine, run, &request);
    }
    let Some(machine) = request.state_machine_arn else {
        return Err(ApiError::validation(
            "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null",
        ));
    };
    // A version or alias must exist; its machine's type decides.
    if is_version_arn(&machine) {
        engine.describe_state_machine(&machine)?;
    } else if unqualified(&machine) != machine {
        engine.describe_state_machine_alias(&machine)?;
    }
    if engine
        .describe_state_machine(unqualified(&machine))?
        .machine_type
        == ExecutionType::Express
    {
        return Err(ApiError::service(
            "StateMachineTypeNotSupported",
            "This operation is not supported by this type of state machine",
        ));
    }
    let status = status_filter(request.status_filter.as_deref())?;
    let page = engine.list_executions(&ExecutionQuery {
        state_machine_arn: Some(machine),
        status,
        max_results: page_size(request.max_results)?,
        next_token: request.next_token,
    })?;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|r| {
            let mut item = json!({
                "executionArn": r.execution_arn,
                "stateMachineArn": r.state_machine_arn,
                "name": r.name,
                "status": r.status.as_str(),
                "startDate": timestamp(r.start_millis),
                "redriveCount": r.redrive_count,
            });
            if let Some(stop) = r.stop_millis {
                item["stopDate"] = timestamp(stop);
            }
            item
        })
        .collect();
    Ok(listing("executions", items, page.next_token))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct History {
    execution_arn: String,
    max_results: Option<i64>,
    #[serde(default)]
    reverse_order: bool,
    next_token: Option<String>,
}

pub(super) fn history(engine: &Engine, request: History) -> Result<Value, ApiError> {
    // An unknown execution is an error, not an empty history.
    engine.describe_execution(&request.execution_arn)?;
    let page = engine.get_execution_history(
        &request.execution_arn,
        &HistoryQuery {
            reverse_order: request.reverse_order,
            max_results: page_size(request.max_results)?,
            next_token: request.next_token,
        },
    )?;
    Ok(listing("events", page.items, page.next_token))
}

pub(super) async fn redrive(engine: &Engine, request: ByArn) -> Result<Value, ApiError> {
    let when = engine.redrive_execution(&request.execution_arn).await?;
    Ok(json!({"redriveDate": timestamp(when)}))
}
