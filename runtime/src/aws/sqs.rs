//! `arn:aws:states:::sqs:sendMessage` (and `.waitForTaskToken`).

use serde_json::Value;

use super::{action, shape, RequestOf, ResponseOf};

shape! {
    /// SendMessage's request; the body is written as JSON (SQS receives it as a string).
    pub struct SendMessage<B = Value> {
        /// The queue's URL.
        queue_url: String => "QueueUrl";
        /// The message.
        message_body: B => "MessageBody";
        /// Seconds before the message can be received.
        #[serde(skip_serializing_if = "Option::is_none")]
        delay_seconds: Option<u32> => "DelaySeconds";
        /// FIFO queues: the message group.
        #[serde(skip_serializing_if = "Option::is_none")]
        message_group_id: Option<String> => "MessageGroupId";
        /// FIFO queues: the deduplication id.
        #[serde(skip_serializing_if = "Option::is_none")]
        message_deduplication_id: Option<String> => "MessageDeduplicationId";
        /// Message attributes, as SQS takes them.
        #[serde(skip_serializing_if = "Option::is_none")]
        message_attributes: Option<Value> => "MessageAttributes";
    }
}

shape! {
    /// SendMessage's response.
    pub struct SendMessageOutput {
        /// The new message's id.
        message_id: String => "MessageId";
        /// The MD5 digest of the body, in hex.
        md5_of_message_body: String => "MD5OfMessageBody";
        /// FIFO queues: the message's sequence number.
        #[serde(skip_serializing_if = "Option::is_none")]
        sequence_number: Option<String> => "SequenceNumber";
    }
}

impl SendMessageOutput {
    /// The response for the message `message_id` whose body was `body`.
    pub fn new(message_id: impl Into<String>, body: &str) -> Self {
        SendMessageOutput {
            message_id: message_id.into(),
            md5_of_message_body: format!("{:x}", md5::compute(body.as_bytes())),
            sequence_number: None,
        }
    }
}

impl<B> RequestOf<action::SqsSendMessage> for SendMessage<B> {}
impl ResponseOf<action::SqsSendMessage> for SendMessageOutput {}
