//! A `workflow!` on the durable engine, typed: registered once, started with its input type,
//! its executions' outputs read as its output type, and callback tasks answered with the
//! task's own output type. The engine resumes what was running when it reopens its store, so a
//! [`DurableExecution`] can be picked up again by ARN after a restart.

use std::marker::PhantomData;

use crate::durable::{Engine, EngineError};
use crate::exec::ExecutionStatus;
use crate::store::RunStatus;

use super::task::Task;
use super::workflow::{Workflow, WorkflowError};

/// The workflow `W` registered on a durable [`Engine`] as a Standard state machine.
///
/// The engine runs the Task states with the handlers it was opened with: give it
/// `EngineOptions::new().with_tasks(W::tasks())` to run every task function in this process,
/// or a registry without the callback tasks that something outside answers.
pub struct DurableWorkflow<W> {
    engine: Engine,
    state_machine_arn: String,
    workflow: PhantomData<fn() -> W>,
}

impl<W: Workflow> DurableWorkflow<W> {
    /// Registers `W`'s definition on `engine` as the state machine `name` (replacing one of
    /// that name for the executions started from now on).
    pub fn register(engine: &Engine, name: &str) -> Self {
        let state_machine_arn = engine.register(name, W::definition().clone());
        DurableWorkflow {
            engine: engine.clone(),
            state_machine_arn,
            workflow: PhantomData,
        }
    }

    /// The state machine's ARN.
    pub fn arn(&self) -> &str {
        &self.state_machine_arn
    }

    /// Starts an execution on `input` (named `name`, or a generated name). Starting a running
    /// execution's name again with the same input gives that execution back, as AWS does.
    pub async fn start(
        &self,
        name: Option<&str>,
        input: &W::Input,
    ) -> Result<DurableExecution<W>, DurableError> {
        let input = serde_json::to_string(input)
            .map_err(|e| DurableError::Workflow(WorkflowError::Input(e)))?;
        let started = self
            .engine
            .start_execution(&self.state_machine_arn, name, &input)
            .await?;
        Ok(self.execution(&started.execution_arn))
    }

    /// The execution `execution_arn` of this workflow: one started earlier, in this process
    /// or (the store being durable) before a restart.
    pub fn execution(&self, execution_arn: &str) -> DurableExecution<W> {
        DurableExecution {
            engine: self.engine.clone(),
            execution_arn: execution_arn.to_string(),
            workflow: PhantomData,
        }
    }
}

/// One execution of the workflow `W` on a durable engine.
pub struct DurableExecution<W> {
    engine: Engine,
    execution_arn: String,
    workflow: PhantomData<fn() -> W>,
}

impl<W: Workflow> DurableExecution<W> {
    /// The execution's ARN, which finds it again after a restart.
    pub fn arn(&self) -> &str {
        &self.execution_arn
    }

    /// Where the execution is now.
    pub fn status(&self) -> Result<RunStatus, EngineError> {
        Ok(self.engine.describe_execution(&self.execution_arn)?.status)
    }

    /// Waits for the execution to end and gives its output, typed; an execution that did not
    /// succeed is [`WorkflowError::Failed`] with AWS's error and cause.
    pub async fn output(&self) -> Result<W::Output, DurableError> {
        let record = self.engine.wait(&self.execution_arn).await?;
        let status = match record.status {
            RunStatus::Succeeded => {
                let text = record.output.unwrap_or_else(|| "null".to_string());
                return serde_json::from_str(&text)
                    .map_err(|e| DurableError::Workflow(WorkflowError::Output(e)));
            }
            RunStatus::TimedOut => ExecutionStatus::TimedOut,
            RunStatus::Aborted => ExecutionStatus::Aborted,
            // Failed, or waiting for a redrive after failing: the failure is what it has.
            _ => ExecutionStatus::Failed,
        };
        Err(DurableError::Workflow(WorkflowError::Failed {
            status,
            error: record.error,
            cause: record.cause,
        }))
    }
}

/// Answers the callback task waiting on `task_token`, which runs the task `T`, with its
/// output: SendTaskSuccess, typed by the task the token was issued to.
pub async fn send_task_output<T: Task>(
    engine: &Engine,
    task_token: &str,
    output: &T::Output,
) -> Result<(), DurableError> {
    let output = serde_json::to_string(output).map_err(|e| {
        DurableError::Engine(EngineError::InvalidOutput(format!(
            "the output of task '{}' does not serialise: {e}",
            T::NAME
        )))
    })?;
    Ok(engine.send_task_success(task_token, &output).await?)
}

/// What a typed durable call can fail with: the engine refused it, or the workflow's input,
/// output or execution did not turn out as its types say.
#[derive(Debug, thiserror::Error)]
pub enum DurableError {
    /// The engine refused the call (an unknown ARN, a name reused with another input...).
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The execution failed, or its input or output did not fit the workflow's types.
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
}
