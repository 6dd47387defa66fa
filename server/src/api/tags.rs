//! TagResource, UntagResource and ListTagsForResource (state machines and activities).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use stepfn::durable::Engine;

use crate::protocol::ApiError;

/// A tag as the API writes it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Tag {
    key: String,
    #[serde(default)]
    value: String,
}

impl Tag {
    pub(super) fn pairs(tags: Vec<Tag>) -> Result<Vec<(String, String)>, ApiError> {
        tags.into_iter()
            .map(|t| {
                crate::protocol::check_length("tags.member.key", &t.key, 128)?;
                crate::protocol::check_length("tags.member.value", &t.value, 256)?;
                Ok((t.key, t.value))
            })
            .collect()
    }

    pub(super) fn from_pairs(pairs: Vec<(String, String)>) -> Vec<Tag> {
        pairs
            .into_iter()
            .map(|(key, value)| Tag { key, value })
            .collect()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TagRequest {
    resource_arn: String,
    tags: Vec<Tag>,
}

pub(super) fn tag(engine: &Engine, request: TagRequest) -> Result<Value, ApiError> {
    engine.tag_resource(&request.resource_arn, &Tag::pairs(request.tags)?)?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Untag {
    resource_arn: String,
    tag_keys: Vec<String>,
}

pub(super) fn untag(engine: &Engine, request: Untag) -> Result<Value, ApiError> {
    engine.untag_resource(&request.resource_arn, &request.tag_keys)?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ListRequest {
    resource_arn: String,
}

pub(super) fn list(engine: &Engine, request: ListRequest) -> Result<Value, ApiError> {
    let tags = engine.list_tags(&request.resource_arn)?;
    Ok(json!({"tags": Tag::from_pairs(tags)}))
}
