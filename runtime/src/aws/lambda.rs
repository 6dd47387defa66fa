//! `arn:aws:states:::lambda:invoke`: the task function is the Lambda function's handler.
//!
//! The state sends `{"FunctionName": ..., "Payload": <the task's input>}` and gets
//! [`Invoked`] back; unless the state shapes the result itself (`result_selector`,
//! `result_path`, `output`), `workflow!` passes on its `Payload`, the function's output.

use serde_json::Value;

use super::shape;

shape! {
    /// What `lambda:invoke` returns: the function's output in `Payload`, with the call's
    /// metadata.
    pub struct Invoked<P = Value> {
        /// The version that ran (`$LATEST` unless the name was qualified).
        executed_version: String => "ExecutedVersion";
        /// The function's output.
        payload: P => "Payload";
        /// The HTTP status of the invocation (200).
        status_code: u16 => "StatusCode";
        /// The HTTP response's headers and status, as AWS reports them.
        #[serde(skip_serializing_if = "Option::is_none")]
        sdk_http_metadata: Option<Value> => "SdkHttpMetadata";
        /// The request id.
        #[serde(skip_serializing_if = "Option::is_none")]
        sdk_response_metadata: Option<Value> => "SdkResponseMetadata";
    }
}

impl<P> Invoked<P> {
    /// The response of an invocation of `$LATEST` that returned `payload`.
    pub fn new(payload: P) -> Self {
        Invoked {
            executed_version: "$LATEST".to_string(),
            payload,
            status_code: 200,
            sdk_http_metadata: Some(serde_json::json!({"HttpStatusCode": 200})),
            sdk_response_metadata: None,
        }
    }
}
