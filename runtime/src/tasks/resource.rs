//! What a Task's `Resource` ARN names, which decides the history events it produces.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

/// The kinds of Task resources, as the history tells them apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourceKind {
    /// `arn:aws:lambda:REGION:ACCOUNT:function:NAME`: `LambdaFunction*` events.
    LambdaFunction,
    /// `arn:aws:states:REGION:ACCOUNT:activity:NAME`: `Activity*` events.
    Activity,
    /// `arn:aws:states:::SERVICE:API[.sync|.sync:2|.waitForTaskToken]`: `Task*` events.
    Service {
        /// `lambda`, `sqs`, `aws-sdk:dynamodb`...
        resource_type: String,
        /// `invoke`, `sendMessage.waitForTaskToken`, `putItem`...
        resource: String,
        /// How the task waits for its result.
        pattern: IntegrationPattern,
    },
}

/// How a service-integration Task waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntegrationPattern {
    /// Returns when the API call returns.
    RequestResponse,
    /// `.sync` / `.sync:2`: waits for the job to finish.
    Sync,
    /// `.waitForTaskToken`: waits for SendTaskSuccess / SendTaskFailure.
    WaitForTaskToken,
}

/// A parsed Task resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskResource {
    /// The ARN as written.
    pub arn: Arc<str>,
    /// What it names.
    pub kind: ResourceKind,
    /// Where the region sits in `arn` (empty for `arn:aws:states:::` forms).
    region: Range<usize>,
}

/// The region reported for resources whose ARN names none.
pub const DEFAULT_REGION: &str = "us-east-1";

impl TaskResource {
    /// Classifies `arn`. Anything unrecognised is treated as a service integration named by
    /// the whole ARN, so that handlers registered for it still run.
    pub fn parse(arn: &str) -> TaskResource {
        let mut fields = [""; 7];
        let mut count = 0;
        for (slot, part) in fields.iter_mut().zip(arn.splitn(7, ':')) {
            *slot = part;
            count += 1;
        }
        let parts = &fields[..count];
        // The fourth field, as a range of `arn` (the fields are slices of it).
        let region = parts.get(3).map_or(0..0, |r| {
            let start = r.as_ptr() as usize - arn.as_ptr() as usize;
            start..start + r.len()
        });
        let kind = match parts {
            ["arn", _, "lambda", _, _, "function", ..] => ResourceKind::LambdaFunction,
            ["arn", _, "states", _, _, "activity", ..] => ResourceKind::Activity,
            ["arn", _, "states", "", "", service, rest] => {
                let (resource_type, resource) = if *service == "aws-sdk" {
                    match rest.split_once(':') {
                        Some((svc, api)) => (format!("aws-sdk:{svc}"), api.to_string()),
                        None => (service.to_string(), rest.to_string()),
                    }
                } else {
                    (service.to_string(), rest.to_string())
                };
                let pattern = if resource.ends_with(".waitForTaskToken") {
                    IntegrationPattern::WaitForTaskToken
                } else if resource.ends_with(".sync") || resource.ends_with(".sync:2") {
                    IntegrationPattern::Sync
                } else {
                    IntegrationPattern::RequestResponse
                };
                ResourceKind::Service {
                    resource_type,
                    resource,
                    pattern,
                }
            }
            _ => ResourceKind::Service {
                resource_type: "unknown".into(),
                resource: arn.to_string(),
                pattern: IntegrationPattern::RequestResponse,
            },
        };
        TaskResource {
            arn: arn.into(),
            kind,
            region,
        }
    }

    /// The region in the ARN, or the default region for `arn:aws:states:::` forms.
    pub fn region(&self) -> &str {
        match &self.arn[self.region.clone()] {
            "" => DEFAULT_REGION,
            region => region,
        }
    }

    /// True for integrations that get a task token in `$$.Task.Token`: `.waitForTaskToken`
    /// and `.sync`.
    pub fn issues_token(&self) -> bool {
        matches!(
            self.kind,
            ResourceKind::Service {
                pattern: IntegrationPattern::WaitForTaskToken | IntegrationPattern::Sync,
                ..
            }
        )
    }

    /// True for `.waitForTaskToken` integrations.
    pub fn waits_for_token(&self) -> bool {
        matches!(
            self.kind,
            ResourceKind::Service {
                pattern: IntegrationPattern::WaitForTaskToken,
                ..
            }
        )
    }
}

/// Task resources, parsed once per executor and found by ARN.
#[derive(Default)]
pub(crate) struct TaskResources(HashMap<Box<str>, Arc<TaskResource>, foldhash::fast::RandomState>);

impl TaskResources {
    /// Parses `arn` unless it is known already.
    pub fn add(&mut self, arn: &str) {
        if !self.0.contains_key(arn) {
            self.0
                .insert(arn.into(), Arc::new(TaskResource::parse(arn)));
        }
    }

    /// The ARNs of the activities among them.
    pub fn activities(&self) -> impl Iterator<Item = &str> {
        self.0
            .values()
            .filter(|r| r.kind == ResourceKind::Activity)
            .map(|r| &*r.arn)
    }

    /// The parsed `arn`: known (borrowed), or parsed now.
    pub fn get(&self, arn: &str) -> Cow<'_, TaskResource> {
        match self.0.get(arn) {
            Some(known) => Cow::Borrowed(&**known),
            None => Cow::Owned(TaskResource::parse(arn)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_the_arn_forms() {
        let sdk = TaskResource::parse("arn:aws:states:::aws-sdk:dynamodb:putItem");
        assert_eq!(sdk.region(), DEFAULT_REGION);
        assert_eq!(
            TaskResource::parse("arn:aws:lambda:eu-west-1:123456789012:function:f").region(),
            "eu-west-1"
        );
        assert_eq!(
            sdk.kind,
            ResourceKind::Service {
                resource_type: "aws-sdk:dynamodb".into(),
                resource: "putItem".into(),
                pattern: IntegrationPattern::RequestResponse
            }
        );
        let callback = TaskResource::parse("arn:aws:states:::sqs:sendMessage.waitForTaskToken");
        assert!(callback.waits_for_token());
        assert_eq!(
            TaskResource::parse("arn:aws:lambda:eu-west-1:123456789012:function:f").kind,
            ResourceKind::LambdaFunction
        );
        assert_eq!(
            TaskResource::parse("arn:aws:states:us-east-1:123456789012:activity:a").kind,
            ResourceKind::Activity
        );
    }
}
