//! Tasks: async Rust functions that do the work of Task states.

use std::fmt::Display;

use futures::future::BoxFuture;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::expr::context::ContextObject;

/// What `#[task]` implements for the marker type it generates next to the function: the
/// task's input, output and error types, its name and resource, its timeouts, and a way to
/// call it on JSON.
pub trait Task: 'static {
    /// The payload the task takes.
    type Input: DeserializeOwned + Send + 'static;
    /// What it returns on success.
    type Output: Serialize + Send + 'static;
    /// The Task state's result, which `result_selector`, `result_path` and `output` shape:
    /// the output, or for `lambda:invoke` the [`Invoked`](crate::aws::lambda::Invoked)
    /// response carrying it.
    type Result: Serialize + Send + 'static;
    /// The errors it raises; each variant has an ASL error name.
    type Error: TaskError;
    /// [`Exact`](crate::dsl::Exact), or [`Json`](crate::dsl::Json) when the input is
    /// `serde_json::Value`.
    type InputTag;
    /// The same for the output.
    type OutputTag;
    /// The function's name.
    const NAME: &'static str;
    /// The `Resource` of Task states that run this task.
    const RESOURCE: &'static str;
    /// `TimeoutSeconds`, if the attribute set one.
    const TIMEOUT_SECONDS: Option<u64>;
    /// `HeartbeatSeconds`, if the attribute set one.
    const HEARTBEAT_SECONDS: Option<u64>;
    /// How the Task state hands the input to the function.
    const CALL: TaskCall = TaskCall::Direct;
    /// JSON Schemas of the input and output, when `#[task(schema)]` asked for them.
    fn schemas() -> Option<(serde_json::Value, serde_json::Value)> {
        None
    }

    /// Runs the function.
    fn call(
        input: Self::Input,
        context: TaskContext,
    ) -> BoxFuture<'static, Result<Self::Output, Self::Error>>;
}

/// How a Task state reaches its function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskCall {
    /// The state's input is the function's input, the function's output the state's result:
    /// a Lambda function ARN, an activity, or a service integration whose request the
    /// function takes.
    Direct,
    /// `arn:aws:states:::lambda:invoke`: the state sends `{"FunctionName", "Payload"}` and
    /// the result is the invocation's response, the function's output in its `Payload`.
    LambdaInvoke {
        /// The `FunctionName` the state names.
        function_name: &'static str,
    },
    /// `arn:aws:states:::lambda:invoke.waitForTaskToken`: the function gets the `Payload`,
    /// and the result is what the callback sends.
    LambdaCallback {
        /// The `FunctionName` the state names.
        function_name: &'static str,
    },
}

/// An error a task raises, with the ASL error name that `Retry` and `Catch` match.
/// `#[derive(TaskError)]` implements it for enums: `Type.Variant` unless the variant says
/// `#[task_error(name = "...")]`.
pub trait TaskError: Display + Send + 'static {
    /// The ASL error name of this error.
    fn error_name(&self) -> &'static str;

    /// The ASL error name of the variant called `variant`, for `Retry` and `Catch`.
    fn name_of(variant: &str) -> Option<&'static str>
    where
        Self: Sized;
}

/// What a task may know about the state that runs it.
#[derive(Clone, Debug)]
pub struct TaskContext {
    /// The Task state's name.
    pub state_name: String,
    /// The task token, for `.waitForTaskToken` resources.
    pub task_token: Option<String>,
    /// 0 on the first attempt, then 1, 2... on retries.
    pub retry_count: u32,
    /// The context object (`$$`).
    pub context: ContextObject,
}

/// Tasks that cannot fail return `-> Output`; their error type is this one, which has no value.
#[derive(Debug)]
pub enum Never {}

impl Display for Never {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {}
    }
}

impl TaskError for Never {
    fn error_name(&self) -> &'static str {
        match *self {}
    }

    fn name_of(_: &str) -> Option<&'static str> {
        None
    }
}

/// What a catcher passes to the state it leads to: the Error Output
/// `{"Error": ..., "Cause": ...}`. A state reached through `catch` takes this type.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ErrorOutput {
    /// The error name.
    #[serde(rename = "Error")]
    pub error: Option<String>,
    /// The cause.
    #[serde(rename = "Cause")]
    pub cause: Option<String>,
}

/// What each iteration of a Map with `max_items_per_batch` takes: `{"Items": [...]}`, and
/// with `batch_input = T { .. }` the `BatchInput` every batch carries, of type `B`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ItemBatch<I, B = ()> {
    /// The items of this batch.
    #[serde(rename = "Items")]
    pub items: Vec<I>,
    /// What `batch_input` built from the Map's input (`()` without one).
    #[serde(
        rename = "BatchInput",
        default,
        skip_serializing_if = "is_unit",
        bound(
            serialize = "I: serde::Serialize, B: serde::Serialize",
            deserialize = "I: serde::Deserialize<'de>, B: serde::Deserialize<'de> + Default"
        )
    )]
    pub batch_input: B,
}

/// Whether a batch input is `()`, which is not written (a batch without one is `{"Items"}`).
fn is_unit<B>(_: &B) -> bool {
    std::mem::size_of::<B>() == 0
}

/// What a Distributed Map with a `writer` gives: where its results were written.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MapRunOutput {
    /// The Map Run's ARN.
    #[serde(rename = "MapRunArn")]
    pub map_run_arn: String,
    /// The bucket and key of the manifest.
    #[serde(rename = "ResultWriterDetails")]
    pub result_writer_details: ResultWriterDetails,
}

/// Where a Map Run wrote its manifest.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ResultWriterDetails {
    /// The bucket.
    #[serde(rename = "Bucket")]
    pub bucket: String,
    /// The manifest's key.
    #[serde(rename = "Key")]
    pub key: String,
}
