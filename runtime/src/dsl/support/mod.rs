//! What the code `#[task]`, `#[derive(TaskError)]` and `workflow!` generate calls. Not a public
//! API: it may change in any release.

mod build;
mod checks;
pub mod intrinsic;
mod jsonata;

pub use build::*;
pub use checks::*;

pub use super::flow::{assert_flows, Exact, Json};
pub use super::payload::Lens;
pub use super::task::{Never, TaskCall};
pub use futures::future::BoxFuture;

use super::task::{Task, TaskContext, TaskError};
use crate::aws::lambda::Invoked;
use crate::error::{names, StatesError};
use crate::tasks::{TaskRegistry, TaskRequest, TaskResult};

/// What answers a task's attempts in a handler built by [`task_handler`]: its function, or a
/// test's stand-in for it.
pub type TaskBody<T> = std::sync::Arc<
    dyn Fn(
            <T as Task>::Input,
            TaskContext,
        ) -> BoxFuture<'static, Result<<T as Task>::Output, <T as Task>::Error>>
        + Send
        + Sync,
>;

/// The handler that runs the task `T` for a Task state: JSON in, the function, JSON out; an
/// error becomes its ASL name and its text as the cause.
pub fn register<T: Task>(registry: TaskRegistry, state: &str) -> TaskRegistry {
    registry.on_state(state, task_handler::<T>(std::sync::Arc::new(T::call)))
}

/// A handler for `T`'s states answered by `body`, with `T`'s types: the request's JSON (for a
/// Lambda integration, its `Payload`) read as `T::Input`, the answer written as the state's
/// result (for `lambda:invoke`, the invocation's response carrying it).
pub fn task_handler<T: Task>(
    body: TaskBody<T>,
) -> impl Fn(TaskRequest) -> BoxFuture<'static, TaskResult> + Send + Sync + 'static {
    move |request: TaskRequest| -> BoxFuture<'static, TaskResult> {
        let (input, context) = match task_input::<T>(request) {
            Ok(parts) => parts,
            Err(error) => return Box::pin(async move { Err(error) }),
        };
        let answer = body(input, context);
        Box::pin(async move { task_result::<T>(answer.await) })
    }
}

/// The typed input and the context of one attempt of `T`.
pub fn task_input<T: Task>(request: TaskRequest) -> Result<(T::Input, TaskContext), StatesError> {
    // A Lambda integration sends `{"FunctionName", "Payload"}`: the function reads the payload.
    let input = match T::CALL {
        TaskCall::Direct => request.input,
        TaskCall::LambdaInvoke { .. } | TaskCall::LambdaCallback { .. } => match request.input {
            serde_json::Value::Object(mut request) => request.remove("Payload").unwrap_or_default(),
            other => other,
        },
    };
    let input = serde_json::from_value::<T::Input>(input).map_err(|e| {
        StatesError::new(
            names::TASK_FAILED,
            format!(
                "The input of task '{}' does not match its input type: {e}",
                T::NAME
            ),
        )
    })?;
    let context = TaskContext {
        state_name: request.state_name.to_string(),
        task_token: request.task_token,
        retry_count: request.retry_count,
        context: request.context,
    };
    Ok((input, context))
}

/// The state's result for `T`'s answer `answer`, or the error it raises.
pub fn task_result<T: Task>(answer: Result<T::Output, T::Error>) -> TaskResult {
    match answer {
        Ok(output) => match T::CALL {
            TaskCall::LambdaInvoke { .. } => serde_json::to_value(Invoked::new(output)),
            _ => serde_json::to_value(output),
        }
        .map_err(|e| {
            StatesError::new(
                names::TASK_FAILED,
                format!("The output of task '{}' does not serialise: {e}", T::NAME),
            )
        }),
        Err(error) => Err(StatesError::new(error.error_name(), error.to_string())),
    }
}

/// The ASL error name of `variant` of the error enum `E`.
pub fn error_name<E: TaskError>(variant: &str) -> String {
    E::name_of(variant)
        .map(str::to_string)
        .unwrap_or_else(|| variant.to_string())
}

/// Makes an `async fn`'s future the boxed, sendable future [`Task::call`] returns.
pub fn boxed<F, T>(future: F) -> BoxFuture<'static, T>
where
    F: std::future::Future<Output = T> + Send + 'static,
{
    Box::pin(future)
}

/// The result type of a Parallel or Map state before its `result_path` and `output`.
pub trait RawResult {
    /// The branches' tuple, the iterations' `Vec`, or the Distributed Map's `MapRunOutput`.
    type Raw;
}

/// The input and output types of one state of a `workflow!`, for the flow assertions.
pub trait StateTypes {
    /// What the state takes.
    type In;
    /// What it gives the next state.
    type Out;
    /// `Exact` or `Json`, for `In`.
    type InTag;
    /// `Exact` or `Json`, for `Out`.
    type OutTag;
}

pub use super::schema::schema_of;
