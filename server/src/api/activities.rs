//! CreateActivity, DeleteActivity, DescribeActivity, ListActivities and GetActivityTask.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};
use stepfn::durable::Engine;

use super::paging::{listing, paged};
use super::tags::Tag;
use crate::protocol::{check_length, timestamp, ApiError};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Create {
    name: String,
    #[serde(default)]
    tags: Vec<Tag>,
}

pub(super) fn create(engine: &Engine, request: Create) -> Result<Value, ApiError> {
    let tags = Tag::pairs(request.tags)?;
    let activity = engine.create_activity(&request.name)?;
    if !tags.is_empty() {
        engine.tag_resource(&activity.arn, &tags)?;
    }
    Ok(json!({
        "activityArn": activity.arn,
        "creationDate": timestamp(activity.created_millis),
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ByArn {
    activity_arn: String,
}

pub(super) fn delete(engine: &Engine, request: ByArn) -> Result<Value, ApiError> {
    engine.delete_activity(&request.activity_arn)?;
    Ok(json!({}))
}

pub(super) fn describe(engine: &Engine, request: ByArn) -> Result<Value, ApiError> {
    let activity = engine.describe_activity(&request.activity_arn)?;
    Ok(json!({
        "activityArn": activity.arn,
        "name": activity.name,
        "creationDate": timestamp(activity.created_millis),
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct List {
    max_results: Option<i64>,
    next_token: Option<String>,
}

pub(super) fn list(engine: &Engine, request: List) -> Result<Value, ApiError> {
    let (page, next) = paged(
        engine.list_activities()?,
        request.max_results,
        request.next_token.as_deref(),
    )?;
    let items: Vec<Value> = page
        .iter()
        .map(|a| {
            json!({
                "activityArn": a.arn,
                "name": a.name,
                "creationDate": timestamp(a.created_millis),
            })
        })
        .collect();
    Ok(listing("activities", items, next))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GetTask {
    activity_arn: String,
    worker_name: Option<String>,
}

/// Long-polls for up to `poll`; no task in that time answers no members, as AWS does.
pub(super) async fn get_task(
    engine: &Engine,
    poll: Duration,
    request: GetTask,
) -> Result<Value, ApiError> {
    if let Some(worker) = &request.worker_name {
        check_length("workerName", worker, 80)?;
    }
    let task = engine
        .get_activity_task(&request.activity_arn, request.worker_name.as_deref(), poll)
        .await?;
    Ok(match task {
        Some(task) => json!({"taskToken": task.task_token, "input": task.input}),
        None => json!({}),
    })
}
