//! Express executions: run in memory, at most once, kept nowhere (AWS keeps them only in
//! CloudWatch Logs); StartSyncExecution waits for one and gives its result.

use serde_json::Value;
use stepfn_codegen::ExecutionType;

use super::{
    checked_input, execution_name, split_test_case, unqualified, Engine, EngineError, Registered,
    StartedExecution,
};
use crate::data::Data;
use crate::exec::{ExecutionOptions, StopSignal};
use crate::store::RunStatus;
use crate::tasks::TaskRegistry;

/// What StartSyncExecution answers.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncExecution {
    /// `arn:aws:states:REGION:ACCOUNT:express:MACHINE:NAME:ID`.
    pub execution_arn: String,
    /// The state machine it ran.
    pub state_machine_arn: String,
    /// Its name.
    pub name: String,
    /// When it started, in milliseconds since the Unix epoch.
    pub start_millis: i64,
    /// When it ended.
    pub stop_millis: i64,
    /// `Succeeded`, `Failed` or `TimedOut`.
    pub status: RunStatus,
    /// The input, as JSON text.
    pub input: String,
    /// The output, when it succeeded.
    pub output: Option<String>,
    /// The error, when it did not.
    pub error: Option<String>,
    /// The cause, when it did not.
    pub cause: Option<String>,
}

impl Engine {
    /// StartSyncExecution: runs an execution of the Express machine `state_machine_arn` (or
    /// `ARN#TestCase`) to its end and gives its result.
    pub async fn start_sync_execution(
        &self,
        state_machine_arn: &str,
        name: Option<&str>,
        input: &str,
    ) -> Result<SyncExecution, EngineError> {
        let (qualified_arn, test_case) = split_test_case(state_machine_arn);
        let (registered, _) = self.resolve(qualified_arn)?;
        let state_machine_arn = unqualified(qualified_arn);
        if registered.info.machine_type != ExecutionType::Express {
            return Err(EngineError::StateMachineTypeNotSupported(
                "This operation is not supported by this type of state machine".into(),
            ));
        }
        let tasks = self.tasks_for(&registered.info.name, test_case)?;
        let name = execution_name(name)?;
        let input = checked_input(input)?;
        let (execution_arn, options) = self.express_options(&registered, tasks, &name);
        let start_millis = self.inner.options.clock.now_millis();
        let input_text = input.to_string();
        let outcome = registered
            .executor
            .run_data(Data::from(input), options)
            .await;
        Ok(SyncExecution {
            execution_arn,
            state_machine_arn: state_machine_arn.to_string(),
            name,
            start_millis,
            stop_millis: self.inner.options.clock.now_millis(),
            status: outcome.status.into(),
            input: input_text,
            output: outcome.output.map(|o| o.to_json_string()),
            error: outcome.error,
            cause: outcome.cause,
        })
    }

    /// StartExecution of an Express machine: runs on its own, nothing is kept.
    pub(super) fn start_express(
        &self,
        registered: Registered,
        tasks: TaskRegistry,
        name: &str,
        input: Value,
    ) -> StartedExecution {
        let (execution_arn, options) = self.express_options(&registered, tasks, name);
        let start_millis = self.inner.options.clock.now_millis();
        tokio::spawn(async move {
            registered
                .executor
                .run_data(Data::from(input), options)
                .await;
        });
        StartedExecution {
            execution_arn,
            start_millis,
        }
    }

    fn express_options(
        &self,
        registered: &Registered,
        tasks: TaskRegistry,
        name: &str,
    ) -> (String, ExecutionOptions) {
        let options = &self.inner.options;
        let execution_arn = format!(
            "arn:aws:states:{}:{}:express:{}:{name}:{}",
            options.region,
            options.account,
            registered.info.name,
            crate::random::uuid_v4()
        );
        let execution_options = ExecutionOptions {
            name: Some(name.to_string()),
            state_machine_name: registered.info.name.clone().into(),
            account: options.account.clone().into(),
            region: options.region.clone().into(),
            role_arn: registered.info.role_arn.clone().into(),
            clock: options.clock.clone(),
            tasks,
            callbacks: self.inner.callbacks.clone(),
            activities: None,
            s3_root: None,
            objects: self.inner.options.objects.clone(),
            record_history: false,
            execution_type: ExecutionType::Express,
            stop: StopSignal::new(),
            expression_limits: crate::expr::limits::EXPRESSION_LIMITS,
            map_runs: None,
        };
        (execution_arn, execution_options)
    }
}
