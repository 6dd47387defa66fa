//! DescribeMapRun, ListMapRuns and UpdateMapRun.

use serde::Deserialize;
use serde_json::{json, Value};
use stepfn::durable::Engine;
use stepfn::exec::{MapRunCounts, MapRunInfo, MapRunUpdate};

use super::paging::{listing, paged};
use crate::protocol::{timestamp, ApiError};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ByMapRun {
    map_run_arn: String,
}

fn counts(c: &MapRunCounts) -> Value {
    json!({
        "pending": c.pending,
        "running": c.running,
        "succeeded": c.succeeded,
        "failed": c.failed,
        "timedOut": c.timed_out,
        "aborted": c.aborted,
        "total": c.total,
        "resultsWritten": c.results_written,
        "failuresNotRedrivable": 0,
        "pendingRedrive": 0,
    })
}

/// DescribeMapRun's answer for `run`.
fn described(run: &MapRunInfo) -> Value {
    let mut out = json!({
        "mapRunArn": run.map_run_arn,
        "executionArn": run.execution_arn,
        "status": run.status.as_str(),
        "startDate": timestamp(run.start_millis),
        "maxConcurrency": run.max_concurrency,
        "toleratedFailurePercentage": run.tolerated_failure_percentage,
        "toleratedFailureCount": run.tolerated_failure_count,
        "itemCounts": counts(&run.item_counts),
        "executionCounts": counts(&run.execution_counts),
        "redriveCount": 0,
    });
    if let Some(stop) = run.stop_millis {
        out["stopDate"] = timestamp(stop);
    }
    out
}

pub(super) fn describe(engine: &Engine, request: ByMapRun) -> Result<Value, ApiError> {
    Ok(described(&engine.describe_map_run(&request.map_run_arn)?))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct List {
    execution_arn: String,
    max_results: Option<i64>,
    next_token: Option<String>,
}

pub(super) fn list(engine: &Engine, request: List) -> Result<Value, ApiError> {
    let (page, next) = paged(
        engine.list_map_runs(&request.execution_arn)?,
        request.max_results,
        request.next_token.as_deref(),
    )?;
    let items = page
        .iter()
        .map(|run| {
            let mut item = json!({
                "executionArn": run.execution_arn,
                "mapRunArn": run.map_run_arn,
                "stateMachineArn": run.state_machine_arn,
                "startDate": timestamp(run.start_millis),
            });
            if let Some(stop) = run.stop_millis {
                item["stopDate"] = timestamp(stop);
            }
            item
        })
        .collect();
    Ok(listing("mapRuns", items, next))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Update {
    map_run_arn: String,
    max_concurrency: Option<i64>,
    tolerated_failure_percentage: Option<f64>,
    tolerated_failure_count: Option<i64>,
}

/// A member that must not be negative.
fn not_negative(member: &str, value: Option<i64>) -> Result<Option<u64>, ApiError> {
    match value {
        Some(n) if n < 0 => Err(ApiError::validation(format!(
            "1 validation error detected: Value '{n}' at '{member}' failed to satisfy constraint: Member must have value greater than or equal to 0"
        ))),
        other => Ok(other.map(|n| n as u64)),
    }
}

pub(super) fn update(engine: &Engine, request: Update) -> Result<Value, ApiError> {
    engine.update_map_run(
        &request.map_run_arn,
        MapRunUpdate {
            max_concurrency: not_negative("maxConcurrency", request.max_concurrency)?,
            tolerated_failure_percentage: request.tolerated_failure_percentage,
            tolerated_failure_count: not_negative(
                "toleratedFailureCount",
                request.tolerated_failure_count,
            )?,
        },
    )?;
    Ok(json!({}))
}
