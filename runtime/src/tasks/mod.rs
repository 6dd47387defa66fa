//! Task resources: who answers a Task state. Rust handlers registered by state name or by
//! resource ARN, and mocked responses in Step Functions Local's MockConfigFile format.

mod activities;
mod callbacks;
mod mock_config;
mod objects;
mod resource;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::Value;

pub use activities::{Activities, ActivityTask};
pub use callbacks::{
    Acknowledgement, CallbackError, CallbackMessage, Callbacks, TokenWait, WaitingTask,
};
pub use mock_config::{MockConfig, MockConfigError, MockedResponse, MockedTestCase};
pub use objects::{DirectoryObjects, ObjectStore, ObjectSummary};
pub(crate) use resource::TaskResources;
pub use resource::{IntegrationPattern, ResourceKind, TaskResource, DEFAULT_REGION};

use crate::data::Data;
use crate::error::StatesError;
use crate::expr::context::ContextObject;
use crate::state_name::StateName;

/// What a Task handler is asked to do: its input a [`Value`], or a shared [`Data`] for handlers
/// registered with [`TaskRegistry::on_state_data`].
#[derive(Clone, Debug)]
pub struct TaskRequest<Input = Value> {
    /// The Task state's name.
    pub state_name: StateName,
    /// Its `Resource` ARN.
    pub resource: Arc<str>,
    /// The effective input: the result of `InputPath` and `Parameters`.
    pub input: Input,
    /// The context object (`$$`) as the state sees it (built when first read).
    pub context: ContextObject,
    /// The task token, for `.waitForTaskToken` tasks.
    pub task_token: Option<String>,
    /// 0 on the first attempt, then 1, 2... on retries.
    pub retry_count: u32,
}

/// What a handler answers: the task's result, or the error it raises (its name becomes the
/// ASL error name that `Retry` and `Catch` match).
pub type TaskResult = Result<Value, StatesError>;

/// What a handler over shared data answers.
pub type DataTaskResult = Result<Data, StatesError>;

impl<Input> TaskRequest<Input> {
    /// The same request with its input converted.
    pub fn map_input<Other>(self, convert: impl FnOnce(Input) -> Other) -> TaskRequest<Other> {
        TaskRequest {
            state_name: self.state_name,
            resource: self.resource,
            input: convert(self.input),
            context: self.context,
            task_token: self.task_token,
            retry_count: self.retry_count,
        }
    }
}

/// Something that performs Task states.
pub trait TaskHandler: Send + Sync + 'static {
    /// Performs one attempt of a task.
    fn invoke(&self, request: TaskRequest) -> BoxFuture<'static, TaskResult>;

    /// The same attempt with the input and the result as shared data, as the executor calls
    /// it. A handler written over [`Value`] (this default) pays a copy each way.
    fn invoke_data(&self, request: TaskRequest<Data>) -> BoxFuture<'static, DataTaskResult> {
        let answer = self.invoke(request.map_input(|input| input.to_value()));
        Box::pin(async move { answer.await.map(Data::from) })
    }
}

/// A handler over shared data (see [`TaskRegistry::on_state_data`]): the executor hands it
/// the input without a copy and takes its result as it is.
struct DataHandler<F>(F);

impl<F, Fut> TaskHandler for DataHandler<F>
where
    F: Fn(TaskRequest<Data>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = DataTaskResult> + Send + 'static,
{
    fn invoke(&self, request: TaskRequest) -> BoxFuture<'static, TaskResult> {
        let answer = (self.0)(request.map_input(Data::from));
        Box::pin(async move { answer.await.map(Value::from) })
    }

    fn invoke_data(&self, request: TaskRequest<Data>) -> BoxFuture<'static, DataTaskResult> {
        Box::pin((self.0)(request))
    }
}

impl<F, Fut> TaskHandler for F
where
    F: Fn(TaskRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = TaskResult> + Send + 'static,
{
    fn invoke(&self, request: TaskRequest) -> BoxFuture<'static, TaskResult> {
        Box::pin(self(request))
    }
}

/// Where Task states find their handlers. Lookup order: the state's name, then its resource
/// ARN, then the mocked test case, then the fallback handler.
///
/// Cloning one (each execution takes one) shares its handlers without copying the tables.
#[derive(Clone, Default)]
pub struct TaskRegistry {
    /// None while empty: every execution's default options hold an empty registry, which
    /// then costs nothing to make, clone or drop.
    handlers: Option<Arc<Handlers>>,
}

/// Handlers by state name and by resource ARN, looked up at every Task state.
type HandlerTable = HashMap<String, Arc<dyn TaskHandler>, foldhash::fast::RandomState>;

#[derive(Clone, Default)]
struct Handlers {
    by_state: HandlerTable,
    by_resource: HandlerTable,
    mocks: Option<Arc<MockedTestCase>>,
    fallback: Option<Arc<dyn TaskHandler>>,
    dispatcher: Option<Arc<dyn TaskHandler>>,
    services: Option<Arc<dyn TaskHandler>>,
}

/// How a Task state is to be answered, borrowed from the registry.
#[derive(Clone, Copy)]
pub enum Resolution<'r> {
    /// Run this handler.
    Handler(&'r dyn TaskHandler),
    /// Answer with the mocked response of the test case.
    Mock(&'r MockedTestCase),
    /// No handler: a `.waitForTaskToken` task simply waits for its callback.
    AwaitCallback,
    /// A `.waitForTaskToken` task: this handler sends the work out (with the token), then
    /// the task waits for its callback.
    Dispatch(&'r dyn TaskHandler),
}

impl TaskRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        TaskRegistry::default()
    }

    fn handlers(&self) -> &Handlers {
        static EMPTY: std::sync::LazyLock<Handlers> = std::sync::LazyLock::new(Handlers::default);
        self.handlers.as_deref().unwrap_or(&EMPTY)
    }

    /// The handlers, to change: copied first when another registry shares them.
    fn handlers_mut(&mut self) -> &mut Handlers {
        Arc::make_mut(self.handlers.get_or_insert_with(Default::default))
    }

    /// Answers the Task state named `state` with `handler`.
    pub fn on_state(mut self, state: impl Into<String>, handler: impl TaskHandler) -> Self {
        self.handlers_mut()
            .by_state
            .insert(state.into(), Arc::new(handler));
        self
    }

    /// No handler for the Task state named `state` any more: a callback task then waits for
    /// an answer from outside (SendTaskSuccess), which is how a workflow's own task functions
    /// (`Workflow::tasks()`) leave one task to a real worker.
    pub fn without_state(mut self, state: &str) -> Self {
        if self.handlers().by_state.contains_key(state) {
            self.handlers_mut().by_state.remove(state);
        }
        self
    }

    /// Answers the Task state named `state` with `handler`, which takes and gives shared
    /// [`Data`]: no copy of the input or the result is made on the way (the fastest kind of
    /// handler; `{...input, "done": true}` is `input.clone()` plus one member).
    pub fn on_state_data<F, Fut>(self, state: impl Into<String>, handler: F) -> Self
    where
        F: Fn(TaskRequest<Data>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = DataTaskResult> + Send + 'static,
    {
        self.on_state(state, DataHandler(handler))
    }

    /// Answers every Task state whose `Resource` is `arn` with `handler`.
    pub fn on_resource(mut self, arn: impl Into<String>, handler: impl TaskHandler) -> Self {
        self.handlers_mut()
            .by_resource
            .insert(arn.into(), Arc::new(handler));
        self
    }

    /// Answers states with the mocked responses of a MockConfigFile test case.
    pub fn with_mocks(mut self, test_case: MockedTestCase) -> Self {
        self.handlers_mut().mocks = Some(Arc::new(test_case));
        self
    }

    /// Answers every Task state nothing else answers.
    pub fn fallback(mut self, handler: impl TaskHandler) -> Self {
        self.handlers_mut().fallback = Some(Arc::new(handler));
        self
    }

    /// Sends out `.waitForTaskToken` tasks that no handler, resource handler or mock answers:
    /// `handler` gets the task (its token in [`TaskRequest::task_token`]) and starts the work
    /// (invokes a Lambda function, sends a message), and the task then waits for
    /// SendTaskSuccess or SendTaskFailure. An error from `handler` fails the task.
    pub fn dispatcher(mut self, handler: impl TaskHandler) -> Self {
        self.handlers_mut().dispatcher = Some(Arc::new(handler));
        self
    }

    /// Answers the Lambda functions and service integrations nothing else answers; unlike
    /// [`TaskRegistry::fallback`], activities are left to their workers.
    pub fn services(mut self, handler: impl TaskHandler) -> Self {
        self.handlers_mut().services = Some(Arc::new(handler));
        self
    }

    /// This registry over `base`: handlers here win, and `base`'s handlers fill in the states
    /// and resources this one does not answer. A registry with mocks or a fallback already
    /// answers every state, so `base` adds nothing to it.
    pub fn merged_over(self, base: TaskRegistry) -> TaskRegistry {
        if self.handlers().mocks.is_some() || self.handlers().fallback.is_some() {
            return self;
        }
        let mine = self.handlers.map(Arc::unwrap_or_clone).unwrap_or_default();
        let base = base.handlers.map(Arc::unwrap_or_clone).unwrap_or_default();
        let mut by_state = base.by_state;
        by_state.extend(mine.by_state);
        let mut by_resource = base.by_resource;
        by_resource.extend(mine.by_resource);
        TaskRegistry {
            handlers: Some(Arc::new(Handlers {
                by_state,
                by_resource,
                mocks: mine.mocks.or(base.mocks),
                fallback: mine.fallback.or(base.fallback),
                dispatcher: mine.dispatcher.or(base.dispatcher),
                services: mine.services.or(base.services),
            })),
        }
    }

    /// Who answers the Task state `state` with resource `resource`.
    pub fn resolve(&self, state: &str, resource: &TaskResource) -> Option<Resolution<'_>> {
        let handlers = self.handlers();
        if let Some(h) = handlers.by_state.get(state) {
            return Some(Resolution::Handler(&**h));
        }
        if let Some(h) = handlers.by_resource.get(&*resource.arn) {
            return Some(Resolution::Handler(&**h));
        }
        if let Some(m) = &handlers.mocks {
            if m.mocks_state(state) {
                return Some(Resolution::Mock(m));
            }
        }
        if resource.waits_for_token() {
            if let Some(h) = &handlers.dispatcher {
                return Some(Resolution::Dispatch(&**h));
            }
        }
        if let Some(h) = &handlers.services {
            if !matches!(resource.kind, ResourceKind::Activity) && !resource.waits_for_token() {
                return Some(Resolution::Handler(&**h));
            }
        }
        if let Some(h) = &handlers.fallback {
            return Some(Resolution::Handler(&**h));
        }
        resource
            .waits_for_token()
            .then_some(Resolution::AwaitCallback)
    }
}
