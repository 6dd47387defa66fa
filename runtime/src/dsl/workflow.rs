//! Workflows: what `workflow!` implements.

use serde::de::DeserializeOwned;
use serde::Serialize;
use stepfn_codegen::emit::deploy::DeployOptions;
use stepfn_codegen::emit::DeployError;
use stepfn_codegen::model::StateMachine;

use crate::exec::{ExecutionOptions, ExecutionStatus, Executor};
use crate::tasks::TaskRegistry;

/// A workflow defined in Rust: one definition gives the ASL to deploy and a native run.
pub trait Workflow {
    /// The execution input.
    type Input: Serialize + Send + 'static;
    /// The execution output.
    type Output: DeserializeOwned;

    /// The state machine, built from the definition (serde names included) once per process.
    fn definition() -> &'static StateMachine;

    /// The executor of [`Workflow::definition`], compiled once per process: every
    /// [`Workflow::run`] reuses it.
    fn executor() -> &'static Executor;

    /// Handlers for every Task state, running the `#[task]` functions.
    fn tasks() -> TaskRegistry;

    /// The ASL JSON, pretty-printed.
    fn asl_json() -> String {
        stepfn_codegen::emit::to_string_pretty(Self::definition())
    }

    /// A CloudFormation template deploying the workflow with its execution role; each
    /// `${TaskNameArn}` placeholder a Parameter unless `options` binds it.
    fn cloudformation(options: &DeployOptions) -> Result<serde_json::Value, DeployError> {
        stepfn_codegen::emit::deploy::cloudformation(Self::definition(), options)
    }

    /// The same as a SAM template.
    fn sam(options: &DeployOptions) -> Result<serde_json::Value, DeployError> {
        stepfn_codegen::emit::deploy::sam(Self::definition(), options)
    }

    /// The ASL file's text and a CDK construct (TypeScript) loading it from `asl_file`.
    fn cdk(options: &DeployOptions, asl_file: &str) -> Result<(String, String), DeployError> {
        stepfn_codegen::emit::deploy::cdk(Self::definition(), options, asl_file)
    }

    /// The execution role's policy document.
    fn iam_policy(options: &DeployOptions) -> Result<serde_json::Value, DeployError> {
        let role = stepfn_codegen::emit::iam::RoleOptions::new()
            .with_logging(options.logging.is_some())
            .with_tracing(options.tracing);
        let role = match &options.name {
            Some(name) => role.with_state_machine_name(name.clone()),
            None => role,
        };
        let permissions = stepfn_codegen::emit::iam::permissions(Self::definition(), &role)?;
        Ok(stepfn_codegen::emit::iam::policy_document(&permissions))
    }

    /// The state graph as a Mermaid flowchart.
    fn mermaid() -> String {
        stepfn_codegen::emit::graph::mermaid(Self::definition())
    }

    /// The state graph in Graphviz DOT.
    fn dot() -> String {
        stepfn_codegen::emit::graph::dot(Self::definition())
    }

    /// The state graph as SVG.
    fn svg() -> String {
        stepfn_codegen::emit::graph::svg(Self::definition())
    }

    /// Each Task state's name with its task's type, so that a test can answer a task's states
    /// by naming the task. `workflow!` implements it.
    fn task_states() -> Vec<(&'static str, std::any::TypeId)> {
        Vec::new()
    }

    /// JSON Schemas of the input and output of every task whose `#[task(schema)]` asked for
    /// them, by Task state name. `workflow!` implements it.
    fn task_schemas() -> Vec<(&'static str, serde_json::Value, serde_json::Value)> {
        Vec::new()
    }

    /// JSON Schemas of the workflow's input and output, and of the tasks' (see
    /// [`Workflow::task_schemas`]): `{"input", "output", "tasks": {state: {"input", "output"}}}`.
    fn schemas() -> serde_json::Value
    where
        Self::Input: super::schema::JsonSchema,
        Self::Output: super::schema::JsonSchema,
    {
        let tasks: serde_json::Map<String, serde_json::Value> = Self::task_schemas()
            .into_iter()
            .map(|(state, input, output)| {
                (
                    state.to_string(),
                    serde_json::json!({"input": input, "output": output}),
                )
            })
            .collect();
        serde_json::json!({
            "input": super::schema::schema_of::<Self::Input>(),
            "output": super::schema::schema_of::<Self::Output>(),
            "tasks": tasks,
        })
    }

    /// A test of this workflow: its tasks answered by typed stand-ins, on virtual time (see
    /// [`crate::testing`]).
    #[cfg(feature = "testing")]
    fn test() -> crate::testing::WorkflowTest<Self>
    where
        Self: Sized + 'static,
    {
        crate::testing::WorkflowTest::new()
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
            let outcome = Self::executor().run(input, options).await;
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
