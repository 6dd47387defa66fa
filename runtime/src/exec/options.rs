//! [`ExecutionOptions`]: everything about one execution besides its input.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use stepfn_codegen::ExecutionType;

use super::stop::StopSignal;
use crate::clock::{Clock, SystemClock};
use crate::expr::limits::{ExpressionLimits, EXPRESSION_LIMITS};
use crate::tasks::{Activities, Callbacks, TaskRegistry, DEFAULT_REGION};

/// The role an execution runs as when its options name none (`$$.Execution.RoleArn`).
pub const DEFAULT_ROLE_ARN: &str = "arn:aws:iam::123456789012:role/StepFunctionsRole";

/// Everything about one execution besides its input.
#[derive(Clone)]
#[non_exhaustive]
pub struct ExecutionOptions {
    /// The execution name (a UUID when not given), in `$$.Execution.Name` and the execution's
    /// ARN; see [`check_name`](super::check_name) for the names AWS accepts.
    pub name: Option<String>,
    /// The state machine's name, for ARNs and `$$.StateMachine.Name`.
    pub state_machine_name: Cow<'static, str>,
    /// The account in ARNs.
    pub account: Cow<'static, str>,
    /// The region in ARNs.
    pub region: Cow<'static, str>,
    /// `$$.Execution.RoleArn`.
    pub role_arn: Cow<'static, str>,
    /// Where time comes from.
    pub clock: Arc<dyn Clock>,
    /// Who answers Task states.
    pub tasks: TaskRegistry,
    /// Where `.waitForTaskToken` tasks wait for SendTaskSuccess / SendTaskFailure. The default
    /// is one table shared by every execution given none (tokens are unique).
    pub callbacks: Callbacks,
    /// Where Task states on an activity ARN that no handler answers queue their work for
    /// workers (GetActivityTask). `None`: such states fail for want of a handler.
    pub activities: Option<Activities>,
    /// The directory S3 is served from: `s3://bucket/key` is `ROOT/bucket/key` (when
    /// `objects` names no store).
    pub s3_root: Option<PathBuf>,
    /// Where Distributed Map reads items and writes results (a real S3 API, say); before
    /// `s3_root`.
    pub objects: Option<Arc<dyn crate::tasks::ObjectStore>>,
    /// Keep the history (payloads included).
    pub record_history: bool,
    /// Standard or Express: Express executions have `express:` ARNs and no redrive count.
    pub execution_type: ExecutionType,
    /// Raise it to stop the execution (StopExecution): give a clone of a [`StopSignal::new`]
    /// and keep one. The default, [`StopSignal::never`], cannot be raised.
    pub stop: StopSignal,
    /// How long and how deep one JSONata expression may evaluate before its state fails
    /// with `States.QueryEvaluationError`; see [`EXPRESSION_LIMITS`].
    pub expression_limits: ExpressionLimits,
    /// Where its Distributed Map runs are kept for DescribeMapRun, ListMapRuns and
    /// UpdateMapRun (an engine's table). `None`: they run, and are not kept.
    pub map_runs: Option<super::MapRuns>,
}

/// The callbacks of executions whose options name none: one table for all of them (their
/// tokens are unique), so default options cost no allocation.
fn shared_callbacks() -> Callbacks {
    static SHARED: std::sync::LazyLock<Callbacks> = std::sync::LazyLock::new(Callbacks::default);
    SHARED.clone()
}

impl Default for ExecutionOptions {
    fn default() -> Self {
        ExecutionOptions {
            name: None,
            state_machine_name: "StateMachine".into(),
            account: "123456789012".into(),
            region: DEFAULT_REGION.into(),
            role_arn: DEFAULT_ROLE_ARN.into(),
            clock: SystemClock::shared(),
            tasks: TaskRegistry::default(),
            callbacks: shared_callbacks(),
            activities: None,
            s3_root: None,
            objects: None,
            record_history: true,
            execution_type: ExecutionType::Standard,
            stop: StopSignal::never(),
            expression_limits: EXPRESSION_LIMITS,
            map_runs: None,
        }
    }
}

impl ExecutionOptions {
    /// The defaults: a generated name, the system clock, no task handlers, history kept.
    pub fn new() -> Self {
        Self::default()
    }

    stepfn_codegen::__setters! {
        some with_name(name: String);
        into with_state_machine_name(state_machine_name: Cow<'static, str>);
        into with_account(account: Cow<'static, str>);
        into with_region(region: Cow<'static, str>);
        into with_role_arn(role_arn: Cow<'static, str>);
        set with_clock(clock: Arc<dyn Clock>);
        set with_tasks(tasks: TaskRegistry);
        set with_callbacks(callbacks: Callbacks);
        some with_activities(activities: Activities);
        some with_s3_root(s3_root: PathBuf);
        some with_objects(objects: Arc<dyn crate::tasks::ObjectStore>);
        set with_record_history(record_history: bool);
        set with_execution_type(execution_type: ExecutionType);
        set with_stop(stop: StopSignal);
        set with_expression_limits(expression_limits: ExpressionLimits);
        some with_map_runs(map_runs: super::MapRuns);
    }
}
