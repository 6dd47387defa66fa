//! `arn:aws:states:::states:startExecution`: another state machine (another `workflow!`) as a
//! Task, started and left (request-response), waited for (`.sync` gives its output as a
//! string, `.sync:2` as JSON), or waited for until it sends the task token back
//! (`.waitForTaskToken`).
//!
//! A native run answers with a function; [`StartExecution::run`] runs the child workflow
//! natively and gives what `.sync:2` gives:
//!
//! ```
//! # use serde::{Deserialize, Serialize};
//! # use stepfn::{task, workflow, Workflow};
//! use stepfn::aws::step_functions::{ChildExecution, ChildFailed, StartExecution};
//! # #[derive(Clone, Serialize, Deserialize, stepfn::Payload)]
//! # pub struct Parcel { pub weight: f64 }
//! # #[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
//! # pub struct Label { pub carrier: String }
//! # #[task]
//! # async fn print_label(parcel: Parcel) -> Label { Label { carrier: "post".into() } }
//! # workflow! { pub Labelling(Parcel) -> Label { start Print; Print: task print_label -> end; } }
//!
//! #[task(resource = "arn:aws:states:::states:startExecution.sync:2")]
//! async fn labelling(
//!     request: StartExecution<Parcel>,
//! ) -> Result<ChildExecution<Label>, ChildFailed> {
//!     request.run::<Labelling>().await
//! }
//! ```

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::{action, shape, RequestOf, ResponseOf};
use crate::dsl::{TaskError, Workflow, WorkflowError};

shape! {
    /// StartExecution's request.
    pub struct StartExecution<I = Value> {
        /// The child state machine's ARN.
        state_machine_arn: String => "StateMachineArn";
        /// The child's input.
        input: I => "Input";
        /// The execution's name (a generated one when absent).
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String> => "Name";
    }
}

shape! {
    /// StartExecution's response (request-response).
    pub struct StartExecutionOutput {
        /// The child execution.
        execution_arn: String => "ExecutionArn";
        /// When it started (milliseconds since the epoch, as a number).
        start_date: Value => "StartDate";
    }
}

shape! {
    /// What a `.sync` or `.sync:2` task gives once the child ended: its description, with its
    /// output (`O` is `String` for `.sync`, the child's output type for `.sync:2`).
    pub struct ChildExecution<O = Value> {
        /// The child execution.
        execution_arn: String => "ExecutionArn";
        /// The child state machine.
        state_machine_arn: String => "StateMachineArn";
        /// The execution's name.
        name: String => "Name";
        /// `SUCCEEDED`.
        status: String => "Status";
        /// The child's output.
        output: O => "Output";
        /// The child's input.
        #[serde(skip_serializing_if = "Option::is_none")]
        input: Option<Value> => "Input";
        /// When it started.
        #[serde(skip_serializing_if = "Option::is_none")]
        start_date: Option<Value> => "StartDate";
        /// When it ended.
        #[serde(skip_serializing_if = "Option::is_none")]
        stop_date: Option<Value> => "StopDate";
    }
}

/// A `.sync` child that did not succeed: the parent's task fails with `States.TaskFailed`, as
/// on AWS, the cause naming how the child ended.
#[derive(Debug)]
pub struct ChildFailed {
    /// How the child ended, with its error and cause.
    pub cause: String,
}

impl std::fmt::Display for ChildFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.cause)
    }
}

impl TaskError for ChildFailed {
    fn error_name(&self) -> &'static str {
        crate::error::names::TASK_FAILED
    }

    fn name_of(variant: &str) -> Option<&'static str> {
        (variant == "TaskFailed").then_some(crate::error::names::TASK_FAILED)
    }
}

impl<I: Serialize + Send + 'static> StartExecution<I> {
    /// Runs the child workflow `W` natively on this request's input and describes the ended
    /// execution as `.sync:2` does.
    pub async fn run<W>(self) -> Result<ChildExecution<W::Output>, ChildFailed>
    where
        W: Workflow<Input = I>,
        W::Output: DeserializeOwned,
    {
        let name = self
            .name
            .clone()
            .unwrap_or_else(|| crate::random::uuid_v4().to_string());
        let execution_arn = format!(
            "{}:{name}",
            self.state_machine_arn
                .replacen(":stateMachine:", ":execution:", 1)
        );
        let input = serde_json::to_value(&self.input).ok();
        match W::run(self.input).await {
            Ok(output) => Ok(ChildExecution {
                execution_arn,
                state_machine_arn: self.state_machine_arn,
                name,
                status: "SUCCEEDED".to_string(),
                output,
                input,
                start_date: None,
                stop_date: None,
            }),
            Err(WorkflowError::Failed {
                status,
                error,
                cause,
            }) => Err(ChildFailed {
                cause: format!(
                    "the child execution {execution_arn} ended {status:?}: {}: {}",
                    error.unwrap_or_default(),
                    cause.unwrap_or_default()
                ),
            }),
            Err(other) => Err(ChildFailed {
                cause: format!("the child execution {execution_arn} failed: {other}"),
            }),
        }
    }
}

impl<I> RequestOf<action::StartExecution> for StartExecution<I> {}
impl<I> RequestOf<action::StartExecutionSync> for StartExecution<I> {}
impl<I> RequestOf<action::StartExecutionSync2> for StartExecution<I> {}
impl ResponseOf<action::StartExecution> for StartExecutionOutput {}
impl ResponseOf<action::StartExecutionSync> for ChildExecution<String> {}
impl<O> ResponseOf<action::StartExecutionSync2> for ChildExecution<O> {}
