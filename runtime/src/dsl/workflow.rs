//! Workflows: what `workflow!` implements.

use serde::de::DeserializeOwned;
use serde::Serialize;
use stepfn_codegen::StateMachine;

use crate::exec::{ExecutionOptions, ExecutionStatus, Executor};
use crate::tasks::TaskRegistry;

/// A workflow defined in Rust: one definition gives the ASL to deploy and a native run.
pub trait Workflow {
    /// The execution input.
    type Input: Serialize + Send + 'static;
    /// The execution output.
    type Output: DeserializeOwned;

    /// The state machine, built from the definition (serde names included).
    fn definition() -> StateMachine;

    /// Handlers for every Task state, running the `#[task]` functions.
    fn tasks() -> TaskRegistry;

    /// The ASL JSON, pretty-printed.
    fn asl_json() -> String {
        crate::emit::to_string_pretty(&Self::definition())
    }

    /// Runs the workflow natively with its task functions, on the real clock.
    fn run(
        input: Self::Input,
    ) -> impl std::future::Future<Output = Result<Self::Output, WorkflowError>> + Send {
        Self::run_with(input, ExecutionOptions::default())
    }

    /// Runs the workflow natively with `options`; the task functions answer the Task states
    /// that `options.tasks` leaves unanswered (see [`TaskRegistry::merged_over`]).
    fn run_with(
        input: Self::Input,
        options: ExecutionOptions,
    ) -> impl std::future::Future<Output = Result<Self::Output, WorkflowError>> + Send {
        async move {
            let input = serde_json::to_value(input).map_err(WorkflowError::Input)?;
            let options = ExecutionOptions {
                tasks: options.tasks.merged_over(Self::tasks()),
                ..options
            };
            let outcome = Executor::new(Self::definition()).run(input, options).await;
            match outcome.status {
                ExecutionStatus::Succeeded => {
                    let output = outcome.output.unwrap_or_default();
                    serde_json::from_value(output).map_err(WorkflowError::Output)
                }
                status => Err(WorkflowError::Failed {
                    status,
                    error: outcome.error,
                    cause: outcome.cause,
                }),
            }
        }
    }
}

/// Why a native run gave no typed output.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// The input did not serialise.
    #[error("the workflow input does not serialise: {0}")]
    Input(serde_json::Error),
    /// The execution did not succeed.
    #[error("the execution ended {status:?}: {}: {}", error.as_deref().unwrap_or(""), cause.as_deref().unwrap_or(""))]
    Failed {
        /// How it ended.
        status: ExecutionStatus,
        /// The error name.
        error: Option<String>,
        /// The cause.
        cause: Option<String>,
    },
    /// The output is not the workflow's output type.
    #[error("the workflow output does not deserialise: {0}")]
    Output(serde_json::Error),
}
