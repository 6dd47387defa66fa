//! The operations: each takes its request members (deserialised from the body) and answers
//! its output members, or an [`ApiError`]. One module per resource the API is about.

mod activities;
mod callbacks;
mod executions;
mod state_machines;
mod tags;
mod test_state;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::protocol::{self, members, ApiError};
use crate::Shared;

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
        "StartExecution" => executions::start(engine, members(body)?).await,
        "StartSyncExecution" => executions::start_sync(engine, members(body)?).await,
        "StopExecution" => executions::stop(engine, members(body)?).await,
        "DescribeExecution" => executions::describe(engine, members(body)?),
        "ListExecutions" => executions::list(engine, members(body)?),
        "GetExecutionHistory" => executions::history(engine, members(body)?),
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

/// A tag as the API writes it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Tag {
    key: String,
    #[serde(default)]
    value: String,
}

impl Tag {
    fn pairs(tags: Vec<Tag>) -> Result<Vec<(String, String)>, ApiError> {
        tags.into_iter()
            .map(|t| {
                protocol::check_length("tags.member.key", &t.key, 128)?;
                protocol::check_length("tags.member.value", &t.value, 256)?;
                Ok((t.key, t.value))
            })
            .collect()
    }

    fn from_pairs(pairs: Vec<(String, String)>) -> Vec<Tag> {
        pairs
            .into_iter()
            .map(|(key, value)| Tag { key, value })
            .collect()
    }
}

/// `maxResults` as the API bounds it (0 to 1000; 0 for the default).
fn page_size(max_results: Option<i64>) -> Result<usize, ApiError> {
    match max_results {
        None => Ok(0),
        Some(n) if (0..=1000).contains(&n) => Ok(n as usize),
        Some(_) => Err(ApiError::validation(
            "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
        )),
    }
}

/// One page of an in-memory listing: `items` from the position `next_token` names.
fn paged<T>(
    items: Vec<T>,
    max_results: Option<i64>,
    next_token: Option<&str>,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let size = match page_size(max_results)? {
        0 => 100,
        n => n,
    };
    let start = match next_token {
        None => 0,
        Some(token) => token
            .strip_prefix('p')
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= items.len())
            .ok_or_else(|| {
                ApiError::service("InvalidToken", format!("Invalid Token: '{token}'"))
            })?,
    };
    let end = (start + size).min(items.len());
    let next = (end < items.len()).then(|| format!("p{end}"));
    Ok((
        items.into_iter().skip(start).take(end - start).collect(),
        next,
    ))
}

/// A listing's answer: `items` under `member`, and `nextToken` when there is more.
fn listing(member: &str, items: Vec<Value>, next_token: Option<String>) -> Value {
    let mut out = serde_json::Map::new();
    out.insert(member.into(), Value::Array(items));
    if let Some(next) = next_token {
        out.insert("nextToken".into(), Value::String(next));
    }
    Value::Object(out)
}
