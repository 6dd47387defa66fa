//! How a test answers one task's states: a typed stand-in for its function, attempts that
//! fail, a callback answered later. Kept per task type, installed per state at run time.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::Value;

use crate::clock::Clock;
use crate::dsl::support::{task_input, task_result};
use crate::dsl::Task;
use crate::tasks::{Callbacks, TaskRegistry, TaskRequest, TaskResult};
use crate::StatesError;

/// A typed answer to a task's input.
pub(super) type Answer<T> = Arc<
    dyn Fn(<T as Task>::Input) -> Result<<T as Task>::Output, <T as Task>::Error> + Send + Sync,
>;

/// What the test's dispatcher does with a callback task of one state: sends its request, and
/// arranges the callback.
pub(super) type Dispatch = Box<dyn Fn(TaskRequest) -> BoxFuture<'static, TaskResult> + Send + Sync>;

/// A task's plan, whatever the task's type.
pub(super) trait Plan: Send + Sync {
    /// `registry` with `state` answered as planned; a callback goes into `dispatch`.
    fn install(
        &self,
        registry: TaskRegistry,
        state: &'static str,
        dispatch: &mut HashMap<&'static str, Dispatch>,
        callbacks: &Callbacks,
        clock: &Arc<dyn Clock>,
    ) -> TaskRegistry;

    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// How the states of the task `T` are answered.
pub(super) struct TaskPlan<T: Task> {
    /// Instead of the function.
    pub answer: Option<Answer<T>>,
    /// Attempts (by retry count) that fail, with what.
    pub failures: HashMap<u32, StatesError>,
    /// A callback answered this long after the request.
    pub callback: Option<(Duration, Answer<T>)>,
    /// While the callback waits: a heartbeat this often.
    pub heartbeat: Option<Duration>,
}

impl<T: Task> Default for TaskPlan<T> {
    fn default() -> Self {
        TaskPlan {
            answer: None,
            failures: HashMap::new(),
            callback: None,
            heartbeat: None,
        }
    }
}

impl<T: Task> Plan for TaskPlan<T> {
    fn install(
        &self,
        registry: TaskRegistry,
        state: &'static str,
        dispatch: &mut HashMap<&'static str, Dispatch>,
        callbacks: &Callbacks,
        clock: &Arc<dyn Clock>,
    ) -> TaskRegistry {
        let failures = Arc::new(self.failures.clone());
        if let Some((after, answer)) = &self.callback {
            // No handler answers the state, so it waits for its token; the dispatcher sends
            // the request and schedules the answer.
            let (after, answer, heartbeat) = (*after, answer.clone(), self.heartbeat);
            let (callbacks, clock) = (callbacks.clone(), clock.clone());
            dispatch.insert(
                state,
                Box::new(move |request: TaskRequest| {
                    let attempt = request.retry_count;
                    let token = request.task_token.clone().unwrap_or_default();
                    let result = match failures.get(&attempt) {
                        Some(failure) => Err(failure.clone()),
                        None => match task_input::<T>(request) {
                            Ok((input, _)) => task_result::<T>(answer(input)),
                            Err(e) => Err(e),
                        },
                    };
                    let (callbacks, clock) = (callbacks.clone(), clock.clone());
                    if let Some(every) = heartbeat {
                        let (callbacks, clock, token) =
                            (callbacks.clone(), clock.clone(), token.clone());
                        tokio::spawn(async move {
                            // Until the task stops waiting (answered, timed out).
                            loop {
                                clock.sleep(every).await;
                                if callbacks.send_heartbeat(&token).is_err() {
                                    break;
                                }
                            }
                        });
                    }
                    tokio::spawn(async move {
                        clock.sleep(after).await;
                        // The task may have ended meanwhile (a timeout): nothing to answer.
                        let _ = match result {
                            Ok(output) => callbacks.send_success(&token, output),
                            Err(e) => callbacks.send_failure(&token, e.error, e.cause),
                        };
                    });
                    Box::pin(async { Ok(Value::Null) })
                }),
            );
            return registry.without_state(state);
        }
        let answer = self.answer.clone();
        registry.on_state(
            state,
            move |request: TaskRequest| -> BoxFuture<'static, TaskResult> {
                if let Some(failure) = failures.get(&request.retry_count) {
                    let failure = failure.clone();
                    return Box::pin(async move { Err(failure) });
                }
                let (input, context) = match task_input::<T>(request) {
                    Ok(parts) => parts,
                    Err(e) => return Box::pin(async move { Err(e) }),
                };
                match &answer {
                    Some(answer) => {
                        let result = task_result::<T>(answer(input));
                        Box::pin(async move { result })
                    }
                    None => {
                        let call = T::call(input, context);
                        Box::pin(async move { task_result::<T>(call.await) })
                    }
                }
            },
        )
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
