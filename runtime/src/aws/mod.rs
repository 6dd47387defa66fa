//! Typed requests, responses and errors of the AWS service integrations a Task state can call
//! (`arn:aws:states:::SERVICE:ACTION`), for `#[task]` functions that stand in for them.
//!
//! A task whose `resource` is an optimized integration takes that action's request and returns
//! its response; `#[task]` checks both at the function's types:
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use stepfn::aws::sqs::{SendMessage, SendMessageOutput};
//! use stepfn::task;
//!
//! #[derive(Clone, Serialize, Deserialize, stepfn::Payload)]
//! pub struct Shipped { pub order_id: String }
//!
//! #[task(resource = "arn:aws:states:::sqs:sendMessage")]
//! async fn notify_warehouse(message: SendMessage<Shipped>) -> SendMessageOutput {
//!     let body = serde_json::to_string(&message.message_body).unwrap_or_default();
//!     SendMessageOutput::new(format!("m-{}", message.message_body.order_id), &body)
//! }
//! ```
//!
//! In a `workflow!` the state builds the request as a template (`parameters = SendMessage {
//! queue_url: "...", message_body: Shipped { order_id: .id }, .. }`, where `..` leaves the
//! optional members out and `Some(..)` fills one), so the emitted
//! `Parameters` are what the service reads; run natively, the function answers in the
//! service's place. `retry` and `catch` name the service's errors with the enums here
//! ([`Lambda::ServiceException`], [`DynamoDb::ConditionalCheckFailedException`]...), which are
//! the names AWS reports (`Lambda.ServiceException`).
//!
//! Shapes are generic over the user's part (a message body, an item, a child workflow's
//! input), defaulting to `serde_json::Value`; optional members are `Option`s that a template
//! leaves out with `..`.

pub mod dynamodb;
mod errors;
pub mod eventbridge;
pub mod http;
pub mod lambda;
pub mod sns;
pub mod sqs;
pub mod step_functions;

pub use errors::{DynamoDb, EventBridge, Http, Lambda, Sns, Sqs, StepFunctions};

/// A request or response shape: a struct whose members serde writes under AWS's names, with
/// those names known to `workflow!` paths ([`crate::Payload`]).
macro_rules! shape {
    (
        $(#[$meta:meta])*
        pub struct $name:ident $(<$($param:ident = $default:ty),+>)? {
            $($(#[$field_meta:meta])* $field:ident : $ty:ty => $json:literal;)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct $name $(<$($param = $default),+>)? {
            $(
                $(#[$field_meta])*
                #[serde(rename = $json)]
                pub $field: $ty,
            )*
        }

        #[diagnostic::do_not_recommend]
        impl $(<$($param),+>)? $crate::dsl::Payload for $name $(<$($param),+>)? {
            fn json_name(field: &str) -> &str {
                match field {
                    $(stringify!($field) => $json,)*
                    other => other,
                }
            }
        }
    };
}
pub(crate) use shape;

/// The request an integration's action takes, for `#[task]`'s check of the function's input.
/// `serde_json::Value` stands for any request.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not the request of the integration this task's `resource` names",
    label = "this input is not the action's request",
    note = "a task calling an optimized integration takes the request type of `stepfn::aws` for its action (for example `stepfn::aws::sqs::SendMessage<Body>`), or `serde_json::Value`"
)]
pub trait RequestOf<Action> {}

/// The response an integration's action gives, for `#[task]`'s check of the function's
/// output. `serde_json::Value` stands for any response.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not the response of the integration this task's `resource` names",
    label = "this output is not what the action returns",
    note = "a task calling an optimized integration returns the response type of `stepfn::aws` for its action and integration pattern (for example `stepfn::aws::sqs::SendMessageOutput`), or `serde_json::Value`"
)]
pub trait ResponseOf<Action> {}

impl<A> RequestOf<A> for serde_json::Value {}
impl<A> ResponseOf<A> for serde_json::Value {}

/// The integration actions (`sqs:sendMessage`, `states:startExecution.sync:2`...) as types,
/// which [`RequestOf`] and [`ResponseOf`] are implemented for.
pub mod action {
    macro_rules! actions {
        ($($(#[doc = $doc:literal])* $name:ident;)*) => {
            $($(#[doc = $doc])* #[derive(Debug)] pub enum $name {})*
        };
    }
    actions! {
        /// `sqs:sendMessage`.
        SqsSendMessage;
        /// `sns:publish`.
        SnsPublish;
        /// `dynamodb:getItem`.
        DynamoDbGetItem;
        /// `dynamodb:putItem`.
        DynamoDbPutItem;
        /// `dynamodb:updateItem`.
        DynamoDbUpdateItem;
        /// `dynamodb:deleteItem`.
        DynamoDbDeleteItem;
        /// `events:putEvents`.
        EventBridgePutEvents;
        /// `states:startExecution` (request and response).
        StartExecution;
        /// `states:startExecution.sync`: the child's output as a JSON string.
        StartExecutionSync;
        /// `states:startExecution.sync:2`: the child's output as JSON.
        StartExecutionSync2;
        /// `http:invoke`.
        HttpInvoke;
    }
}
