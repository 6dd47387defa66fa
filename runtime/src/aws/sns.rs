//! `arn:aws:states:::sns:publish` (and `.waitForTaskToken`).

use serde_json::Value;

use super::{action, shape, RequestOf, ResponseOf};

shape! {
    /// Publish's request, to a topic (or, with `target_arn`/`phone_number`, an endpoint).
    pub struct Publish<M = Value> {
        /// The message; a JSON value is written as JSON.
        message: M => "Message";
        /// The topic.
        #[serde(skip_serializing_if = "Option::is_none")]
        topic_arn: Option<String> => "TopicArn";
        /// A mobile endpoint, instead of a topic.
        #[serde(skip_serializing_if = "Option::is_none")]
        target_arn: Option<String> => "TargetArn";
        /// An SMS number, instead of a topic.
        #[serde(skip_serializing_if = "Option::is_none")]
        phone_number: Option<String> => "PhoneNumber";
        /// The e-mail subject.
        #[serde(skip_serializing_if = "Option::is_none")]
        subject: Option<String> => "Subject";
        /// `json` when `message` holds one message per protocol.
        #[serde(skip_serializing_if = "Option::is_none")]
        message_structure: Option<String> => "MessageStructure";
        /// Message attributes, as SNS takes them.
        #[serde(skip_serializing_if = "Option::is_none")]
        message_attributes: Option<Value> => "MessageAttributes";
        /// FIFO topics: the message group.
        #[serde(skip_serializing_if = "Option::is_none")]
        message_group_id: Option<String> => "MessageGroupId";
    }
}

shape! {
    /// Publish's response.
    pub struct PublishOutput {
        /// The message's id.
        message_id: String => "MessageId";
        /// FIFO topics: the message's sequence number.
        #[serde(skip_serializing_if = "Option::is_none")]
        sequence_number: Option<String> => "SequenceNumber";
    }
}

impl PublishOutput {
    /// The response for the message `message_id`.
    pub fn new(message_id: impl Into<String>) -> Self {
        PublishOutput {
            message_id: message_id.into(),
            sequence_number: None,
        }
    }
}

impl<M> RequestOf<action::SnsPublish> for Publish<M> {}
impl ResponseOf<action::SnsPublish> for PublishOutput {}
