//! `arn:aws:states:::states:startExecution[.sync|.sync:2]`: a child execution on this server.

use serde_json::{json, Map, Value};
use stepfn::durable::{Engine, EngineError};
use stepfn::store::{ExecutionRecord, RunStatus};
use stepfn::{StatesError, TaskRequest, TaskResult};
use stepfn_codegen::ExecutionType;

use super::client::member;

const RESOURCE: &str = "arn:aws:states:::states:startExecution";

/// The error a Task gets when the StartExecution call is refused, as AWS words it.
fn refused(e: EngineError) -> StatesError {
    let code = e.code();
    StatesError::new(
        format!("StepFunctions.{code}Exception"),
        format!(
            "{e} (Service: AWSStepFunctions; Status Code: 400; Error Code: {code}; Request ID: {}; Proxy: null)",
            stepfn::random::uuid_v4()
        ),
    )
}

/// A child's name when the Task gives none: the same for the same attempt of the same state
/// visit, so a parent resumed after a restart finds the child it started (StartExecution is
/// idempotent by name) instead of starting another.
fn derived_name(request: &TaskRequest) -> String {
    let context = request.context.value().to_value();
    let seed = format!(
        "{}|{}|{}|{}",
        context.pointer("/Execution/Id").unwrap_or(&Value::Null),
        request.state_name,
        context
            .pointer("/State/EnteredTime")
            .unwrap_or(&Value::Null),
        request.retry_count
    );
    let fnv = |basis: u64| {
        seed.bytes().fold(basis, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
    };
    let (high, low) = (fnv(0xcbf2_9ce4_8422_2325), fnv(0x6c62_272e_07bb_0142));
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0xffff,
        low >> 48,
        low & 0xffff_ffff_ffff
    )
}

pub(super) async fn start(
    engine: &Engine,
    request: &TaskRequest,
    pattern: Option<&str>,
) -> TaskResult {
    let parameters = &request.input;
    let machine = member(parameters, "StateMachineArn", RESOURCE)?
        .as_str()
        .ok_or_else(|| StatesError::runtime("The field 'StateMachineArn' must be a string"))?;
    let input = match parameters.get("Input") {
        None => "{}".to_string(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    };
    let name = match parameters.get("Name").and_then(Value::as_str) {
        Some(name) => name.to_string(),
        None => derived_name(request),
    };
    let express = engine
        .describe_state_machine(stepfn::durable::unqualified(
            machine.split('#').next().unwrap_or(machine),
        ))
        .map_err(refused)?
        .machine_type
        == ExecutionType::Express;
    let sync = match pattern {
        // The child is started; the task then waits for SendTaskSuccess/Failure with the
        // token its input carries.
        None | Some("waitForTaskToken") => false,
        Some("sync") | Some("sync:2") => true,
        Some(other) => {
            return Err(StatesError::runtime(format!(
                "The resource '{RESOURCE}.{other}' is not supported"
            )))
        }
    };
    let as_json = pattern == Some("sync:2");
    if sync && express {
        let done = engine
            .start_sync_execution(machine, Some(&name), &input)
            .await
            .map_err(refused)?;
        let record = ExecutionRecord {
            execution_arn: done.execution_arn,
            state_machine_arn: done.state_machine_arn,
            name: done.name,
            status: done.status,
            input: done.input,
            output: done.output,
            error: done.error,
            cause: done.cause,
            start_millis: done.start_millis,
            stop_millis: Some(done.stop_millis),
            redrive_count: 0,
        };
        return ended(&record, as_json);
    }
    let started = engine
        .start_execution(machine, Some(&name), &input)
        .await
        .map_err(refused)?;
    if !sync {
        return Ok(json!({
            "ExecutionArn": started.execution_arn,
            "StartDate": started.start_millis,
        }));
    }
    let record = engine.wait(&started.execution_arn).await.map_err(refused)?;
    ended(&record, as_json)
}

/// The Task's result from the child's end: DescribeExecution's members (the input and output
/// as JSON for `.sync:2`, as text for `.sync`); a child that did not succeed fails the Task
/// with `States.TaskFailed` and those members as the cause.
fn ended(record: &ExecutionRecord, as_json: bool) -> TaskResult {
    let payload = |text: &str| {
        if as_json {
            serde_json::from_str(text).unwrap_or(Value::Null)
        } else {
            json!(text)
        }
    };
    // Keys in AWS's (alphabetical) order.
    let mut out = Map::new();
    if let Some(cause) = &record.cause {
        out.insert("Cause".into(), json!(cause));
    }
    if let Some(error) = &record.error {
        out.insert("Error".into(), json!(error));
    }
    out.insert("ExecutionArn".into(), json!(record.execution_arn));
    out.insert("Input".into(), payload(&record.input));
    out.insert("InputDetails".into(), json!({"Included": true}));
    out.insert("Name".into(), json!(record.name));
    if let Some(output) = &record.output {
        out.insert("Output".into(), payload(output));
        out.insert("OutputDetails".into(), json!({"Included": true}));
    }
    if !as_json && record.status == RunStatus::Succeeded {
        out.insert("RedriveCount".into(), json!(record.redrive_count));
        out.insert("RedriveStatus".into(), json!("NOT_REDRIVABLE"));
        out.insert(
            "RedriveStatusReason".into(),
            json!("Execution is SUCCEEDED and cannot be redriven"),
        );
    }
    out.insert("StartDate".into(), json!(record.start_millis));
    out.insert("StateMachineArn".into(), json!(record.state_machine_arn));
    out.insert("Status".into(), json!(record.status.as_str()));
    if let Some(stop) = record.stop_millis {
        out.insert("StopDate".into(), json!(stop));
    }
    let out = Value::Object(out);
    if record.status == RunStatus::Succeeded {
        Ok(out)
    } else {
        Err(StatesError::new("States.TaskFailed", out.to_string()))
    }
}
