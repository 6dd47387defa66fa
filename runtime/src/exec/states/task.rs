//! The Task state: resolve who answers it, record the events its resource kind produces,
//! enforce TimeoutSeconds and HeartbeatSeconds, and wait for callbacks.

use std::borrow::Cow;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::FutureExt;
use serde_json::Value;
use stepfn_codegen::{MaybeJsonata, Path, Resource, State, Task};

use crate::data::Data;
use crate::error::{names, StatesError};
use crate::exec::io;
use crate::exec::visit::{error_details, finish, Shared, Visit};
use crate::expr::context::ContextObject;
use crate::expr::fields::Fields;
use crate::expr::scope::Scope;
use crate::history::Details;
use crate::tasks::{
    Acknowledgement, CallbackMessage, DataTaskResult, Resolution, ResourceKind, TaskRequest,
    TokenWait,
};

/// The event names one resource kind uses.
struct Events {
    scheduled: &'static str,
    started: &'static str,
    succeeded: &'static str,
    failed: &'static str,
    timed_out: &'static str,
}

impl Events {
    /// Records the attempt's failure `e`: timed out (`States.Timeout`) or failed, with the
    /// resource's `common` details.
    fn record_failure(&self, shared: &Shared, cursor: &mut u64, common: Details, e: &StatesError) {
        let mut details = common;
        details.extend(error_details(e));
        let event = if e.name() == names::TIMEOUT {
            self.timed_out
        } else {
            self.failed
        };
        shared.emit(cursor, event, details);
    }
}

const LAMBDA_EVENTS: Events = Events {
    scheduled: "LambdaFunctionScheduled",
    started: "LambdaFunctionStarted",
    succeeded: "LambdaFunctionSucceeded",
    failed: "LambdaFunctionFailed",
    timed_out: "LambdaFunctionTimedOut",
};
const ACTIVITY_EVENTS: Events = Events {
    scheduled: "ActivityScheduled",
    started: "ActivityStarted",
    succeeded: "ActivitySucceeded",
    failed: "ActivityFailed",
    timed_out: "ActivityTimedOut",
};
const TASK_EVENTS: Events = Events {
    scheduled: "TaskScheduled",
    started: "TaskStarted",
    succeeded: "TaskSucceeded",
    failed: "TaskFailed",
    timed_out: "TaskTimedOut",
};

fn seconds(
    literal: &Option<MaybeJsonata<u64>>,
    path: &Option<Path>,
    scope: &Scope<'_>,
) -> Result<Option<u64>, StatesError> {
    if let Some(MaybeJsonata::Literal(n)) = literal {
        return Ok(Some(*n));
    }
    let Some(path) = path else { return Ok(None) };
    let value = scope
        .select(path)
        .map_err(|e| crate::expr::scope::invalid_path(path, &e))?;
    match value.as_u64() {
        Some(n) if n > 0 => Ok(Some(n)),
        _ => Err(StatesError::runtime(format!(
            "The value of {} must be a positive integer, got {}",
            path.source(),
            crate::expr::scope::compact(&value)
        ))),
    }
}

/// One attempt of the Task state `s` (which is `state`).
pub(crate) async fn run(
    visit: &Visit<'_>,
    state: &State,
    s: &Task,
    mut raw: Cow<'_, Data>,
    retry_count: u32,
    cursor: &mut u64,
) -> Result<Data, StatesError> {
    let shared = visit.shared;
    let arn = match &s.resource {
        Resource::Uri(arn) => arn,
        Resource::CloudFormation(v) => {
            return Err(StatesError::runtime(format!(
                "The resource {} is a CloudFormation expression; substitute it before running",
                v
            )))
        }
    };
    let resource = shared.task_resources.get(arn);
    // Shared by the events that name the resource.
    let arn = Data::String(resource.arn.clone());
    let mut token: Option<TokenWait> = None;
    let mut context = visit.context(Some(retry_count));
    // An activity no handler answers is queued for a worker, who answers with its token.
    let queued = matches!(resource.kind, ResourceKind::Activity)
        && shared.activities.is_some()
        && shared.tasks.resolve(visit.name, &resource).is_none();
    if resource.issues_token() || queued {
        let wait = match (&shared.durable, given_task_token(shared)) {
            (Some(durable), _) => shared
                .callbacks
                .issue_token(durable.task_token(visit.entered_id, retry_count)),
            (None, Some(given)) => shared.callbacks.issue_token(given),
            (None, None) => shared.callbacks.issue(),
        };
        context = context.with_task_token(wait.token());
        token = Some(wait);
    }
    let (parameters, timeout, heartbeat) =
        if let Fields::Jsonata(scope) = visit.fields(&raw, &context) {
            let seconds = |field: &Option<MaybeJsonata<u64>>, name: &str| {
                field
                    .as_ref()
                    .map(|f| scope.integer(f, name, 1))
                    .transpose()
            };
            let timeout = seconds(&s.timeout_seconds, "TimeoutSeconds")?;
            let heartbeat = seconds(&s.heartbeat_seconds, "HeartbeatSeconds")?;
            let arguments = match &s.arguments {
                Some(t) => scope.evaluate_template(t, "Arguments")?,
                None => raw.as_ref().clone(),
            };
            (arguments, timeout, heartbeat)
        } else {
            let roots = visit.roots(&context);
            let input = io::pipeline_input(&mut raw, s.result_path.as_ref());
            let effective = io::input_path(input, s.input_path.as_ref(), roots)?;
            let scope = roots.scope(&effective);
            let timeout = seconds(&s.timeout_seconds, &s.timeout_seconds_path, &scope)?;
            let heartbeat = seconds(&s.heartbeat_seconds, &s.heartbeat_seconds_path, &scope)?;
            let parameters = io::parameters(effective, s.parameters.as_ref(), roots)?.into_owned();
            (parameters, timeout, heartbeat)
        };

    let (events, mut common) = match &resource.kind {
        ResourceKind::LambdaFunction => (&LAMBDA_EVENTS, Details::new()),
        ResourceKind::Activity => (&ACTIVITY_EVENTS, Details::new()),
        ResourceKind::Service {
            resource_type,
            resource,
            ..
        } => {
            let m: Details = smallvec::smallvec![
                ("resourceType", resource_type.clone().into()),
                ("resource", resource.clone().into()),
            ];
            (&TASK_EVENTS, m)
        }
    };
    let mut scheduled = common.clone();
    let payload_field = match &resource.kind {
        ResourceKind::Service { .. } => {
            scheduled.push(("region", resource.region().into()));
            "parameters"
        }
        _ => {
            scheduled.push(("resource", arn.clone()));
            "input"
        }
    };
    if let Some(t) = timeout {
        scheduled.push(("timeoutInSeconds", t.into()));
    }
    if let Some(h) = heartbeat {
        scheduled.push(("heartbeatInSeconds", h.into()));
    }
    if !matches!(resource.kind, ResourceKind::Service { .. }) {
        common.push(("resource", arn.clone()));
    }
    shared.emit_payload(
        cursor,
        events.scheduled,
        scheduled,
        payload_field,
        &parameters,
    );
    let worker = if queued {
        match await_worker(visit, &resource.arn, &token, &parameters, timeout, cursor).await {
            Ok(worker) => worker,
            Err(e) => {
                events.record_failure(shared, cursor, common, &e);
                shared.commit().await?;
                return Err(e);
            }
        }
    } else {
        "stepfn".to_string()
    };
    let started = match &resource.kind {
        ResourceKind::Activity => {
            smallvec::smallvec![("workerName", worker.into())]
        }
        ResourceKind::LambdaFunction => Details::new(),
        ResourceKind::Service { .. } => common.clone(),
    };
    let (_, started_millis) = shared.emit_timed(cursor, events.started, started);

    // The handler gets the context object; the state's own later fields keep a copy only
    // when they read it.
    let (request_context, context) = if visit.facts.reads_context {
        (context.clone(), Cow::Owned(context))
    } else {
        (context, Cow::Borrowed(ContextObject::unread()))
    };
    let request = TaskRequest {
        state_name: visit.shared_name,
        resource: resource.arn.clone(),
        input: parameters.clone(),
        context: request_context,
        task_token: token.as_ref().map(|t| t.token().to_string()),
        retry_count,
    };
    let resolution = if queued {
        Some(Resolution::AwaitCallback)
    } else {
        shared.tasks.resolve(visit.name, &resource)
    };
    // `.sync` and `.waitForTaskToken` integrations report the API call that started the
    // work before the result arrives.
    if token.is_some() && resolution.is_some() && !queued {
        let mut submitted = common.clone();
        submitted.push(("output", Data::empty_object()));
        shared.emit(cursor, "TaskSubmitted", submitted);
    }
    let heartbeat_applies =
        resource.waits_for_token() || matches!(resource.kind, ResourceKind::Activity);
    // A resumed execution whose history holds this attempt's result takes it from there: the
    // handler is not asked again, nor the callback awaited.
    let recorded = shared.replay().and_then(|replay| {
        replay.peek(
            *cursor,
            &[events.succeeded, events.failed, events.timed_out],
            None,
        )
    });
    if recorded.is_none() && token.is_some() {
        // The token leaves the executor now: what issued it must survive a restart, so the
        // run that resumes issues the same one.
        shared.commit().await?;
    }
    if let Some(wait) = &token {
        wait.publish();
    }
    let mut acknowledgement = None;
    let result = if let Some(stored) = recorded {
        Some(match stored.payload("output") {
            Some(output) if &*stored.event_type == events.succeeded => Ok(output),
            _ => Err(stored.error()),
        })
    } else {
        // Pinned where it is made, so awaiting it does not move it.
        let answer = std::pin::pin!(async {
            let answered = match resolution {
            // A handler beside other work, or racing a timeout, gets a task of its own where
            // other worker threads can take it; otherwise (alone, or on a current-thread
            // runtime) it is polled right here, which saves a spawn per Task state.
            Some(Resolution::Handler(h))
                if (visit.concurrent || timeout.is_some() || heartbeat.is_some())
                    && on_worker_threads() =>
            {
                spawn_handler(h.invoke_data(request))
            }
            Some(Resolution::Handler(h)) => inline_handler(h.invoke_data(request)),
            Some(Resolution::Mock(m)) => {
                let result = m.next_answer(visit.name).map(Data::from);
                Box::pin(async move { result })
            }
            Some(Resolution::Dispatch(h)) => {
                h.invoke_data(request).await?;
                return match token.as_mut() {
                    Some(wait) => await_callback(visit, wait, heartbeat, &mut acknowledgement)
                        .await
                        .map(Data::from),
                    None => Err(StatesError::runtime("no task token was issued")),
                };
            }
            Some(Resolution::AwaitCallback) => {
                return match token
                    .as_mut()
                    .filter(|_| resource.waits_for_token() || queued)
                {
                    Some(wait) => await_callback(visit, wait, heartbeat, &mut acknowledgement)
                        .await
                        .map(Data::from),
                    None => Err(StatesError::runtime("no task token was issued")),
                }
            }
            None => {
                return Err(StatesError::new(
                    names::RUNTIME,
                    format!(
                        "No handler answers the resource '{arn}' of state '{}': register one, or give a mock (--mock-config)",
                        visit.name
                    ),
                ))
            }
        };
            // A handler answering a callback task still owes heartbeats: SendTaskHeartbeat on its
            // token keeps it alive.
            match (heartbeat.filter(|_| heartbeat_applies), token.as_mut()) {
                (Some(h), Some(wait)) => tokio::select! {
                    r = answered => r,
                    e = heartbeat_watchdog(shared, wait, h) => Err(e),
                },
                _ => answered.await,
            }
        });
        match timeout {
            Some(t) => {
                // Counted from the task's start, which a resumed execution keeps.
                let timer = shared
                    .sleep_until(started_millis.saturating_add((t as i64).saturating_mul(1000)));
                tokio::select! {
                    r = answer => Some(r),
                    _ = timer => None,
                }
            }
            None => Some(answer.await),
        }
    };
    drop(token);
    let outcome = match result {
        Some(Ok(output)) => {
            shared.emit_payload(cursor, events.succeeded, common, "output", &output);
            Ok(output)
        }
        Some(Err(e)) => {
            events.record_failure(shared, cursor, common, &e);
            Err(e)
        }
        None => {
            let e = StatesError::new(names::TIMEOUT, "");
            events.record_failure(shared, cursor, common, &e);
            Err(e)
        }
    };
    // The task's result is not lost once the task is done: a resumed execution finds it.
    shared.commit().await?;
    if let Some(acknowledgement) = acknowledgement {
        acknowledgement.done();
    }
    finish(visit, state, raw, outcome?, &context)
}

/// Queues an activity task for a worker and waits until one takes it, giving the worker's
/// name; `TimeoutSeconds` counts from now. A resumed execution whose history shows the task
/// taken does not queue it again: the worker holds the same token.
async fn await_worker(
    visit: &Visit<'_>,
    activity_arn: &str,
    token: &Option<TokenWait>,
    parameters: &Data,
    timeout: Option<u64>,
    cursor: &u64,
) -> Result<String, StatesError> {
    let shared = visit.shared;
    if let Some(stored) = shared
        .replay()
        .and_then(|r| r.peek(*cursor, &["ActivityStarted"], None))
    {
        return Ok(stored.text("workerName").unwrap_or("worker").to_string());
    }
    let (Some(activities), Some(token)) = (&shared.activities, token) else {
        return Err(StatesError::runtime("no task token was issued"));
    };
    // The token leaves the executor: what issued it must survive a restart.
    shared.commit().await?;
    let task = crate::tasks::ActivityTask {
        task_token: token.token().to_string(),
        input: parameters.to_json_string(),
    };
    let Some(taken) = activities.schedule(activity_arn, task) else {
        return Err(StatesError::runtime(format!(
            "The activity {activity_arn} does not exist."
        )));
    };
    let _blocked = token.blocked(visit.name, Some(activity_arn));
    let deadline = timeout.map(|t| {
        shared
            .clock
            .now_millis()
            .saturating_add((t as i64).saturating_mul(1000))
    });
    tokio::select! {
        worker = taken => worker.map_err(|_| StatesError::runtime(format!(
            "The activity {activity_arn} was deleted."
        ))),
        _ = async {
            match deadline {
                Some(d) => shared.sleep_until(d).await,
                None => std::future::pending().await,
            }
        } => Err(StatesError::new(names::TIMEOUT, "")),
    }
}

/// Runs a handler's attempt as its own tokio task, so handlers of concurrent Map iterations
/// and Parallel branches use every worker thread. The task is aborted when the state stops
/// waiting for it (timeout, a failed sibling branch); a panicking handler fails the task.
fn spawn_handler(work: BoxFuture<'static, DataTaskResult>) -> BoxFuture<'static, DataTaskResult> {
    struct AbortOnDrop(tokio::task::JoinHandle<DataTaskResult>);
    impl Drop for AbortOnDrop {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let mut handle = AbortOnDrop(tokio::spawn(work));
    Box::pin(async move {
        match (&mut handle.0).await {
            Ok(result) => result,
            Err(e) => match e.try_into_panic() {
                Ok(payload) => Err(panicked(payload.as_ref())),
                Err(e) => Err(StatesError::new(names::TASK_FAILED, e.to_string())),
            },
        }
    })
}

/// Whether the runtime has worker threads a spawned handler could run on.
fn on_worker_threads() -> bool {
    tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread)
}

/// Polls a handler's attempt in the state's own task; a panicking handler fails the task, as
/// a spawned one does.
fn inline_handler(work: BoxFuture<'static, DataTaskResult>) -> BoxFuture<'static, DataTaskResult> {
    Box::pin(async move {
        match std::panic::AssertUnwindSafe(work).catch_unwind().await {
            Ok(result) => result,
            Err(payload) => Err(panicked(payload.as_ref())),
        }
    })
}

fn panicked(payload: &(dyn std::any::Any + Send)) -> StatesError {
    StatesError::new(
        names::TASK_FAILED,
        format!("The task handler panicked: {}", panic_message(payload)),
    )
}

/// The message a panic carried, when it was text.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// Completes with `States.Timeout` once `heartbeat_seconds` pass without a heartbeat.
async fn heartbeat_watchdog(
    shared: &Shared,
    wait: &mut TokenWait,
    heartbeat_seconds: u64,
) -> StatesError {
    loop {
        let timer = shared.clock.sleep(Duration::from_secs(heartbeat_seconds));
        tokio::select! {
            m = wait.next() => match m {
                Some(CallbackMessage::Heartbeat) => continue,
                // The handler answers this task; a callback on its token changes nothing.
                Some(CallbackMessage::Done(..)) => continue,
                None => std::future::pending::<()>().await,
            },
            _ = timer => return StatesError::new(names::TIMEOUT, ""),
        }
    }
}

/// Waits for SendTaskSuccess or SendTaskFailure on `wait`'s token, failing with
/// `States.Timeout` once `heartbeat` seconds pass without a heartbeat.
async fn await_callback(
    visit: &Visit<'_>,
    wait: &mut TokenWait,
    heartbeat: Option<u64>,
    acknowledgement: &mut Option<Acknowledgement>,
) -> Result<Value, StatesError> {
    let shared = visit.shared;
    let _blocked = wait.blocked(visit.name, None);
    loop {
        let message = match heartbeat {
            Some(h) => {
                let timer = shared.clock.sleep(Duration::from_secs(h));
                tokio::select! {
                    m = wait.next() => m,
                    _ = timer => return Err(StatesError::new(names::TIMEOUT, "")),
                }
            }
            None => wait.next().await,
        };
        match message {
            Some(CallbackMessage::Heartbeat) => continue,
            Some(CallbackMessage::Done(result, ack)) => {
                *acknowledgement = ack;
                return result;
            }
            None => return Err(StatesError::named(names::TIMEOUT)),
        }
    }
}

/// The task token a TestState caller's context object names (`Task.Token`): AWS gives the
/// state that token rather than one of its own.
fn given_task_token(shared: &Shared) -> Option<String> {
    let context = shared.context_override.as_ref()?;
    let token = context.value().get("Task")?.get("Token")?.as_str()?;
    Some(token.to_string())
}
