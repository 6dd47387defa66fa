//! Testing workflows written in Rust: `W::test()` runs a `workflow!` with its tasks answered
//! by typed stand-ins, on virtual time, and gives back what happened.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use stepfn::{task, workflow, TaskError, Workflow};
//!
//! #[derive(Clone, Debug, Serialize, Deserialize, PartialEq, stepfn::Payload)]
//! pub struct Order { pub id: String, pub total: f64 }
//!
//! #[derive(Debug, TaskError)]
//! pub enum PaymentError { Throttled, Declined }
//! impl std::fmt::Display for PaymentError {
//!     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "{self:?}") }
//! }
//!
//! #[task]
//! async fn charge(order: Order) -> Result<Order, PaymentError> { Ok(order) }
//!
//! workflow! {
//!     pub Checkout(Order) -> Order {
//!         start Charge;
//!         Charge: task charge -> Settle
//!             retry [PaymentError::Throttled] (interval = "1h", max_attempts = 3);
//!         Settle: wait "30d" -> end;
//!     }
//! }
//!
//! # stepfn::clock::virtual_runtime().unwrap().block_on(async {
//! let run = Checkout::test()
//!     .fail_attempt::<charge>(0, PaymentError::Throttled)
//!     .run(Order { id: "o-1".into(), total: 9.5 })
//!     .await;
//! run.assert_states(&["Charge", "Settle"]);
//! assert_eq!(run.retries().len(), 1);
//! assert_eq!(run.output().id, "o-1");
//! // An hour of backoff and thirty days of waiting, in no time.
//! assert!(run.virtual_time() >= std::time::Duration::from_secs(30 * 86_400 + 3_600));
//! # });
//! ```
//!
//! The run happens on a runtime of its own whose clock is virtual, whatever runtime the test
//! itself uses (a plain `#[tokio::test]` is fine): Wait states, retry backoff, timeouts and
//! scripted callbacks take no real time. A task is named by its function (`mock::<charge>`),
//! so a misspelt task is a compile error, and answered with its own types.

mod coverage;
mod history;
mod plan;
mod snapshot;

use std::any::TypeId;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::clock::{Clock, VirtualClock};
use crate::dsl::{Task, Workflow};
use crate::exec::{ExecutionOptions, Outcome};
use crate::tasks::{Callbacks, MockedTestCase, TaskRegistry, TaskRequest, TaskResult};
use plan::{Dispatch, Plan, TaskPlan};

pub use coverage::{Coverage, CoverageReport, Exercised, Item, COVERAGE_DIR_VARIABLE};
pub use history::{Catch, HistoryView, Retry, TestRun};
pub use snapshot::normalized_history;

/// 2026-01-01T00:00:00Z: where a test's virtual clock starts unless told otherwise.
pub const DEFAULT_START_MILLIS: i64 = 1_767_225_600_000;

/// A test of the workflow `W`: how its tasks are answered, then [`WorkflowTest::run`].
pub struct WorkflowTest<W: Workflow> {
    plans: HashMap<TypeId, Box<dyn Plan>>,
    mocks: Option<MockedTestCase>,
    services: Option<Box<dyn FnOnce(TaskRegistry) -> TaskRegistry + Send>>,
    s3_root: Option<std::path::PathBuf>,
    start_millis: i64,
    name: String,
    workflow: PhantomData<fn() -> W>,
}

impl<W: Workflow + 'static> WorkflowTest<W> {
    /// A test whose tasks run their own functions, on a virtual clock starting at
    /// [`DEFAULT_START_MILLIS`], in an execution named `test`.
    pub fn new() -> Self {
        WorkflowTest {
            plans: HashMap::new(),
            mocks: None,
            services: None,
            s3_root: None,
            start_millis: DEFAULT_START_MILLIS,
            name: "test".to_string(),
            workflow: PhantomData,
        }
    }

    /// Starts the virtual clock at `millis` (since the Unix epoch).
    pub fn starting_at(mut self, millis: i64) -> Self {
        self.start_millis = millis;
        self
    }

    /// Serves S3 (Distributed Map readers and writers) from the directory `root`:
    /// `s3://bucket/key` is `root/bucket/key`.
    pub fn with_s3_root(mut self, root: impl Into<std::path::PathBuf>) -> Self {
        self.s3_root = Some(root.into());
        self
    }

    /// Names the execution (`$$.Execution.Name`).
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    fn plan<T: Task>(&mut self) -> &mut TaskPlan<T> {
        let id = TypeId::of::<T>();
        if !W::task_states().iter().any(|(_, t)| *t == id) {
            panic!(
                "the task `{}` runs in no Task state of `{}`",
                T::NAME,
                std::any::type_name::<W>()
            );
        }
        let plan = self
            .plans
            .entry(id)
            .or_insert_with(|| Box::new(TaskPlan::<T>::default()));
        match plan.as_any_mut().downcast_mut::<TaskPlan<T>>() {
            Some(plan) => plan,
            None => unreachable!("the plan of a task's TypeId is that task's"),
        }
    }

    /// Answers every attempt of the task `T` with `answer` instead of its function.
    pub fn mock<T: Task>(
        mut self,
        answer: impl Fn(T::Input) -> Result<T::Output, T::Error> + Send + Sync + 'static,
    ) -> Self {
        self.plan::<T>().answer = Some(Arc::new(answer));
        self
    }

    /// Answers every attempt of the task `T` with `output`.
    pub fn returns<T: Task>(self, output: T::Output) -> Self
    where
        T::Output: Clone + Sync,
    {
        self.mock::<T>(move |_| Ok(output.clone()))
    }

    /// Fails attempt `attempt` of the task `T` (0: the first, 1: the first retry...) with
    /// `error`; the other attempts are answered as they would be.
    pub fn fail_attempt<T: Task>(mut self, attempt: u32, error: T::Error) -> Self {
        let failure =
            crate::StatesError::new(crate::dsl::TaskError::error_name(&error), error.to_string());
        self.plan::<T>().failures.insert(attempt, failure);
        self
    }

    /// Fails attempt `attempt` of the task `T` with `States.Timeout`, as a task that ran past
    /// its `TimeoutSeconds` does.
    pub fn time_out<T: Task>(mut self, attempt: u32) -> Self {
        let timeout = crate::StatesError::new(
            crate::error::names::TIMEOUT,
            "the task timed out (WorkflowTest::time_out)",
        );
        self.plan::<T>().failures.insert(attempt, timeout);
        self
    }

    /// For a callback task (`.waitForTaskToken`): the request is sent, and `after` of virtual
    /// time later the callback answers with `answer`'s result (SendTaskSuccess with the
    /// output, or SendTaskFailure with the error's name and text). Timeouts and heartbeats
    /// the state sets run meanwhile.
    pub fn callback<T: Task>(
        mut self,
        after: Duration,
        answer: impl Fn(T::Input) -> Result<T::Output, T::Error> + Send + Sync + 'static,
    ) -> Self {
        self.plan::<T>().callback = Some((after, Arc::new(answer)));
        self
    }

    /// While a [`WorkflowTest::callback`] of the task `T` waits, sends SendTaskHeartbeat every
    /// `every` of virtual time, as a worker that is alive does.
    pub fn heartbeat_every<T: Task>(mut self, every: Duration) -> Self {
        self.plan::<T>().heartbeat = Some(every);
        self
    }

    /// Answers the states of service integrations (`arn:aws:states:::...` resources) with
    /// `handler` instead of their functions: real services, such as `stepfn serve`'s
    /// (`stepfn_server::service_tasks`, calling DynamoDB, SQS... at an endpoint). A task this
    /// test answers otherwise (`mock`, `fail_attempt`, `callback`...) still is. Such a run is
    /// on real time: network calls cannot wait on a paused clock.
    pub fn with_services(mut self, handler: impl crate::TaskHandler) -> Self {
        self.services = Some(Box::new(move |registry: TaskRegistry| {
            registry.services(handler)
        }));
        self
    }

    /// Answers the Task states from a MockConfigFile test case instead (as `stepfn serve` and
    /// Step Functions Local would); typed answers set here are then not used.
    pub fn with_mock_config(mut self, test_case: MockedTestCase) -> Self {
        self.mocks = Some(test_case);
        self
    }

    /// Runs the workflow on `input` and gives back what happened. The run has a runtime of its
    /// own, with virtual time, on a thread of its own.
    pub async fn run(self, input: W::Input) -> TestRun<W>
    where
        W::Output: Send + 'static,
    {
        let (send, receive) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let _ = send.send(self.run_blocking(input));
        });
        match receive.await {
            Ok(run) => run,
            Err(_) => panic!("the test run of `{}` panicked", std::any::type_name::<W>()),
        }
    }

    /// [`WorkflowTest::run`] for a test that is not async.
    pub fn run_blocking(self, input: W::Input) -> TestRun<W> {
        // Calls to real services wait on the network, which a paused clock would skip past
        // (timing them out at once): such a run is on real time.
        let runtime = match self.services {
            Some(_) => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build(),
            None => crate::clock::virtual_runtime(),
        };
        let runtime = match runtime {
            Ok(runtime) => runtime,
            Err(e) => panic!("no runtime for the test run: {e}"),
        };
        runtime.block_on(self.run_here(input))
    }

    async fn run_here(self, input: W::Input) -> TestRun<W> {
        let clock = Arc::new(VirtualClock::starting_at(self.start_millis));
        let callbacks = Callbacks::default();
        let input = match serde_json::to_value(&input) {
            Ok(input) => input,
            Err(e) => panic!("the workflow input does not serialise: {e}"),
        };
        let mut registry = W::tasks();
        let mut dispatch: HashMap<&'static str, Dispatch> = HashMap::new();
        let shared_clock: Arc<dyn Clock> = clock.clone();
        for (state, task) in W::task_states() {
            if let Some(plan) = self.plans.get(&task) {
                registry = plan.install(registry, state, &mut dispatch, &callbacks, &shared_clock);
            }
        }
        if let Some(services) = self.services {
            let planned: Vec<&'static str> = W::task_states()
                .into_iter()
                .filter(|(_, task)| self.plans.contains_key(task))
                .map(|(state, _)| state)
                .collect();
            for (state, resource) in task_resources(&W::definition().states) {
                if resource.starts_with("arn:aws:states:::") && !planned.contains(&state) {
                    registry = registry.without_state(state);
                }
            }
            registry = services(registry);
        }
        if !dispatch.is_empty() {
            let dispatch = Arc::new(dispatch);
            registry = registry.dispatcher(move |request: TaskRequest| {
                let answer: futures::future::BoxFuture<'static, TaskResult> =
                    match dispatch.get(request.state_name.as_str()) {
                        Some(send) => send(request),
                        None => Box::pin(async { Ok(Value::Null) }),
                    };
                answer
            });
        }
        if let Some(case) = self.mocks {
            registry = TaskRegistry::new().with_mocks(case);
        }
        let short_name = std::any::type_name::<W>()
            .rsplit("::")
            .next()
            .unwrap_or("StateMachine")
            .to_string();
        let mut options = ExecutionOptions::new()
            .with_clock(shared_clock.clone())
            .with_tasks(registry)
            .with_callbacks(callbacks)
            .with_name(self.name)
            .with_state_machine_name(short_name)
            .with_record_history(true);
        if let Some(root) = self.s3_root {
            options = options.with_s3_root(root);
        }
        let outcome: Outcome = W::executor().run(input, options).await;
        let elapsed = shared_clock.now_millis() - self.start_millis;
        let run = TestRun::new(outcome, self.start_millis, elapsed);
        coverage::record::<W>(run.exercised());
        run
    }
}

impl<W: Workflow + 'static> Default for WorkflowTest<W> {
    fn default() -> Self {
        Self::new()
    }
}

/// Every Task state's name and resource, nested ones included.
fn task_resources(states: &stepfn_codegen::model::States) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    for (name, state) in states {
        if let stepfn_codegen::model::State::Task(task) = state {
            if let Some(resource) = task.resource.as_str() {
                found.push((name.as_str(), resource));
            }
        }
        for branch in state.nested_branches() {
            found.extend(task_resources(&branch.states));
        }
    }
    found
}

/// The typed output of a run's JSON output, when it is one.
fn typed_output<O: DeserializeOwned>(output: Option<&Value>) -> Option<Result<O, String>> {
    output.map(|v| serde_json::from_value(v.clone()).map_err(|e| e.to_string()))
}
