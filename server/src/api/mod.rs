//! The operations: each takes its request members (deserialised from the body) and answers
//! its output members, or an [`ApiError`]. One module per resource the API is about.

mod activities;
mod callbacks;
mod executions;
mod map_runs;
mod paging;
mod state_machines;
mod tags;
mod test_state;
mod versions;

use serde_json::Value;

use crate::protocol::{self, members, ApiError};
use crate::shared::Shared;

/// Runs the operation `operation` on the request body `body`.
pub(crate) async fn call(shared: &Shared, operation: &str, body: &[u8]) -> Result<Value, ApiError> {
    let engine = &shared.engine;
    match operation {
        "CreateStateMachine" => state_machines::create(engine, members(body)?),
        "UpdateStateMachine" => state_machines::update(engine, members(body)?),
        "DeleteStateMachine" => state_machines::delete(engine, members(body)?),
        "DescribeStateMachine" => state_machines::describe(engine, members(body)?),
        "ListStateMachines" => state_machines::list(engine, members(body)?),
        "ValidateStateMachineDefinition" => state_machines::validate(members(body)?),
        "PublishStateMachineVersion" => versions::publish(engine, members(body)?),
        "ListStateMachineVersions" => versions::list(engine, members(body)?),
        "DeleteStateMachineVersion" => versions::delete(engine, members(body)?),
        "CreateStateMachineAlias" => versions::create_alias(engine, members(body)?),
        "DescribeStateMachineAlias" => versions::describe_alias(engine, members(body)?),
        "UpdateStateMachineAlias" => versions::update_alias(engine, members(body)?),
        "DeleteStateMachineAlias" => versions::delete_alias(engine, members(body)?),
        "ListStateMachineAliases" => versions::list_aliases(engine, members(body)?),
        "StartExecution" => executions::start(engine, members(body)?).await,
        "StartSyncExecution" => executions::start_sync(engine, members(body)?).await,
        "StopExecution" => executions::stop(engine, members(body)?).await,
        "DescribeExecution" => executions::describe(engine, members(body)?),
        "DescribeStateMachineForExecution" => {
            executions::describe_state_machine(engine, members(body)?)
        }
        "ListExecutions" => executions::list(engine, members(body)?),
        "GetExecutionHistory" => executions::history(engine, members(body)?),
        "DescribeMapRun" => map_runs::describe(engine, members(body)?),
        "ListMapRuns" => map_runs::list(engine, members(body)?),
        "UpdateMapRun" => map_runs::update(engine, members(body)?),
        "RedriveExecution" => executions::redrive(engine, members(body)?).await,
        "SendTaskSuccess" => callbacks::success(engine, members(body)?).await,
        "SendTaskFailure" => callbacks::failure(engine, members(body)?).await,
        "SendTaskHeartbeat" => callbacks::heartbeat(engine, members(body)?).await,
        "CreateActivity" => activities::create(engine, members(body)?),
        "DeleteActivity" => activities::delete(engine, members(body)?),
        "DescribeActivity" => activities::describe(engine, members(body)?),
        "ListActivities" => activities::list(engine, members(body)?),
        "GetActivityTask" => {
            activities::get_task(engine, shared.activity_poll, members(body)?).await
        }
        "TestState" => test_state::test_state(members(body)?).await,
        "TagResource" => tags::tag(engine, members(body)?),
        "UntagResource" => tags::untag(engine, members(body)?),
        "ListTagsForResource" => tags::list(engine, members(body)?),
        other => Err(protocol::unknown(&format!(
            "{}{other}",
            protocol::TARGET_PREFIX
        ))),
    }
}
