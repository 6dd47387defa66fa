//! PublishStateMachineVersion, ListStateMachineVersions, DeleteStateMachineVersion, and the
//! aliases: CreateStateMachineAlias, DescribeStateMachineAlias, UpdateStateMachineAlias,
//! DeleteStateMachineAlias and ListStateMachineAliases.

use serde::Deserialize;
use serde_json::{json, Value};
use stepfn::durable::{AliasInfo, Engine, VersionWeight};

use super::paging::{listing, paged};
use crate::protocol::{timestamp, ApiError};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Publish {
    state_machine_arn: String,
    revision_id: Option<String>,
    description: Option<String>,
}

pub(super) fn publish(engine: &Engine, request: Publish) -> Result<Value, ApiError> {
    let version = engine.publish_state_machine_version(
        &request.state_machine_arn,
        request.revision_id.as_deref(),
        request.description,
    )?;
    Ok(json!({
        "stateMachineVersionArn": version.arn,
        "creationDate": timestamp(version.created_millis),
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ListByMachine {
    state_machine_arn: String,
    max_results: Option<i64>,
    next_token: Option<String>,
}

pub(super) fn list(engine: &Engine, request: ListByMachine) -> Result<Value, ApiError> {
    let (page, next) = paged(
        engine.list_state_machine_versions(&request.state_machine_arn)?,
        request.max_results,
        request.next_token.as_deref(),
    )?;
    let items = page
        .iter()
        .map(|v| {
            json!({
                "stateMachineVersionArn": v.arn,
                "creationDate": timestamp(v.created_millis),
            })
        })
        .collect();
    Ok(listing("stateMachineVersions", items, next))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ByVersion {
    state_machine_version_arn: String,
}

pub(super) fn delete(engine: &Engine, request: ByVersion) -> Result<Value, ApiError> {
    engine.delete_state_machine_version(&request.state_machine_version_arn)?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CreateAlias {
    name: String,
    description: Option<String>,
    routing_configuration: Vec<VersionWeight>,
}

pub(super) fn create_alias(engine: &Engine, request: CreateAlias) -> Result<Value, ApiError> {
    let alias = engine.create_state_machine_alias(
        &request.name,
        request.description,
        request.routing_configuration,
    )?;
    Ok(json!({
        "stateMachineAliasArn": alias.arn,
        "creationDate": timestamp(alias.created_millis),
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ByAlias {
    state_machine_alias_arn: String,
}

/// DescribeStateMachineAlias's answer for `alias`.
fn described(alias: &AliasInfo) -> Value {
    let mut out = json!({
        "stateMachineAliasArn": alias.arn,
        "name": alias.name,
        "routingConfiguration": alias.routing_configuration,
        "creationDate": timestamp(alias.created_millis),
        "updateDate": timestamp(alias.updated_millis.unwrap_or(alias.created_millis)),
    });
    if let Some(description) = &alias.description {
        out["description"] = json!(description);
    }
    out
}

pub(super) fn describe_alias(engine: &Engine, request: ByAlias) -> Result<Value, ApiError> {
    Ok(described(&engine.describe_state_machine_alias(
        &request.state_machine_alias_arn,
    )?))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UpdateAlias {
    state_machine_alias_arn: String,
    description: Option<String>,
    routing_configuration: Option<Vec<VersionWeight>>,
}

pub(super) fn update_alias(engine: &Engine, request: UpdateAlias) -> Result<Value, ApiError> {
    let alias = engine.update_state_machine_alias(
        &request.state_machine_alias_arn,
        request.description,
        request.routing_configuration,
    )?;
    Ok(json!({
        "updateDate": timestamp(alias.updated_millis.unwrap_or(alias.created_millis)),
    }))
}

pub(super) fn delete_alias(engine: &Engine, request: ByAlias) -> Result<Value, ApiError> {
    engine.delete_state_machine_alias(&request.state_machine_alias_arn)?;
    Ok(json!({}))
}

pub(super) fn list_aliases(engine: &Engine, request: ListByMachine) -> Result<Value, ApiError> {
    let (page, next) = paged(
        engine.list_state_machine_aliases(&request.state_machine_arn)?,
        request.max_results,
        request.next_token.as_deref(),
    )?;
    let items = page
        .iter()
        .map(|a| {
            json!({
                "stateMachineAliasArn": a.arn,
                "creationDate": timestamp(a.created_millis),
            })
        })
        .collect();
    Ok(listing("stateMachineAliases", items, next))
}
