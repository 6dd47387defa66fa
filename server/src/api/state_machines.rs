//! CreateStateMachine, UpdateStateMachine, DeleteStateMachine, DescribeStateMachine,
//! ListStateMachines and ValidateStateMachineDefinition.

use serde::Deserialize;
use serde_json::{json, Map, Value};
use stepfn::durable::{Engine, StateMachineInfo, StateMachineSpec, StateMachineUpdate};
use stepfn_codegen::{CheckOptions, ExecutionType};

use super::paging::{listing, paged};
use super::tags::Tag;
use crate::protocol::{check_length, timestamp, ApiError};

/// The members kept and given back as they were sent.
const CONFIGURATION: [&str; 4] = [
    "loggingConfiguration",
    "tracingConfiguration",
    "encryptionConfiguration",
    "description",
];

fn machine_type(name: Option<&str>) -> Result<ExecutionType, ApiError> {
    match name {
        None => Ok(ExecutionType::Standard),
        Some(n) => ExecutionType::from_name(n).ok_or_else(|| {
            ApiError::validation(format!(
                "1 validation error detected: Value '{n}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [EXPRESS, STANDARD]"
            ))
        }),
    }
}

fn configuration(rest: &Map<String, Value>) -> Map<String, Value> {
    CONFIGURATION
        .iter()
        .filter_map(|k| rest.get(*k).map(|v| (k.to_string(), v.clone())))
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Create {
    name: String,
    definition: String,
    role_arn: String,
    #[serde(rename = "type")]
    machine_type: Option<String>,
    #[serde(default)]
    tags: Vec<Tag>,
    #[serde(default)]
    publish: bool,
    version_description: Option<String>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// `versionDescription` goes only with `publish`.
fn check_publish(publish: bool, version_description: &Option<String>) -> Result<(), ApiError> {
    if version_description.is_some() && !publish {
        return Err(ApiError::service(
            "ValidationException",
            "Version description can only be set when publish is true",
        ));
    }
    Ok(())
}

/// The longest definition Step Functions takes, in characters (its API's length limit).
const MAX_DEFINITION_CHARS: usize = 1_048_576;

pub(super) fn create(engine: &Engine, request: Create) -> Result<Value, ApiError> {
    check_length("definition", &request.definition, MAX_DEFINITION_CHARS)?;
    check_publish(request.publish, &request.version_description)?;
    let tags = Tag::pairs(request.tags)?;
    let info = engine.create_state_machine(StateMachineSpec {
        name: request.name,
        definition: request.definition,
        role_arn: request.role_arn,
        machine_type: machine_type(request.machine_type.as_deref())?,
        configuration: configuration(&request.rest),
    })?;
    if !tags.is_empty() {
        engine.tag_resource(&info.arn, &tags)?;
    }
    let mut out = json!({
        "stateMachineArn": info.arn,
        "creationDate": timestamp(info.created_millis),
    });
    if request.publish {
        let version =
            engine.publish_state_machine_version(&info.arn, None, request.version_description)?;
        out["stateMachineVersionArn"] = json!(version.arn);
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Update {
    state_machine_arn: String,
    definition: Option<String>,
    role_arn: Option<String>,
    #[serde(default)]
    publish: bool,
    version_description: Option<String>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

pub(super) fn update(engine: &Engine, request: Update) -> Result<Value, ApiError> {
    if let Some(definition) = &request.definition {
        check_length("definition", definition, MAX_DEFINITION_CHARS)?;
    }
    check_publish(request.publish, &request.version_description)?;
    let info = engine.update_state_machine(
        &request.state_machine_arn,
        StateMachineUpdate {
            definition: request.definition,
            role_arn: request.role_arn,
            configuration: configuration(&request.rest),
        },
    )?;
    let mut out = json!({
        "updateDate": timestamp(info.updated_millis.unwrap_or(info.created_millis)),
        "revisionId": info.revision_id,
    });
    if request.publish {
        let version =
            engine.publish_state_machine_version(&info.arn, None, request.version_description)?;
        out["stateMachineVersionArn"] = json!(version.arn);
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ByArn {
    state_machine_arn: String,
}

pub(super) fn delete(engine: &Engine, request: ByArn) -> Result<Value, ApiError> {
    engine.delete_state_machine(&request.state_machine_arn)?;
    Ok(json!({}))
}

/// DescribeStateMachine's answer for `info`.
fn described(info: &StateMachineInfo) -> Value {
    let mut out = json!({
        "stateMachineArn": info.arn,
        "name": info.name,
        "status": "ACTIVE",
        "definition": info.definition,
        "roleArn": info.role_arn,
        "type": info.machine_type.as_str(),
        "creationDate": timestamp(info.created_millis),
        "loggingConfiguration": {"level": "OFF", "includeExecutionData": false},
        "tracingConfiguration": {"enabled": false},
    });
    for (key, value) in &info.configuration {
        out[key] = value.clone();
    }
    if let Some(revision) = &info.revision_id {
        out["revisionId"] = json!(revision);
    }
    out
}

pub(super) fn describe(engine: &Engine, request: ByArn) -> Result<Value, ApiError> {
    Ok(described(
        &engine.describe_state_machine(&request.state_machine_arn)?,
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct List {
    max_results: Option<i64>,
    next_token: Option<String>,
}

pub(super) fn list(engine: &Engine, request: List) -> Result<Value, ApiError> {
    let (page, next) = paged(
        engine.list_state_machines()?,
        request.max_results,
        request.next_token.as_deref(),
    )?;
    let items: Vec<Value> = page
        .iter()
        .map(|m| {
            json!({
                "stateMachineArn": m.arn,
                "name": m.name,
                "type": m.machine_type.as_str(),
                "creationDate": timestamp(m.created_millis),
            })
        })
        .collect();
    Ok(listing("stateMachines", items, next))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Validate {
    definition: String,
    #[serde(rename = "type")]
    machine_type: Option<String>,
    max_results: Option<i64>,
}

pub(super) fn validate(request: Validate) -> Result<Value, ApiError> {
    check_length("definition", &request.definition, MAX_DEFINITION_CHARS)?;
    let options = CheckOptions::new()
        .with_machine_type(machine_type(request.machine_type.as_deref())?.into());
    let problems = match stepfn_codegen::check(&request.definition, &options) {
        Ok(_) => Vec::new(),
        Err(problems) => problems.0,
    };
    let limit = match request.max_results.unwrap_or(0) {
        n if n <= 0 => 100,
        n => n as usize,
    };
    let diagnostics: Vec<Value> = problems
        .iter()
        .take(limit)
        .map(|p| {
            json!({
                "severity": "ERROR",
                "code": p.code.as_str(),
                "message": p.message,
                "location": p.location(),
            })
        })
        .collect();
    Ok(json!({
        "result": if problems.is_empty() { "OK" } else { "FAIL" },
        "diagnostics": diagnostics,
        "truncated": problems.len() > limit,
    }))
}
