//! Task tokens: `.waitForTaskToken` tasks wait here until SendTaskSuccess, SendTaskFailure
//! or a missed heartbeat decides them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use crate::error::StatesError;

/// What a waiting task receives.
#[derive(Debug)]
pub enum CallbackMessage {
    /// SendTaskHeartbeat: the heartbeat clock restarts.
    Heartbeat,
    /// SendTaskSuccess or SendTaskFailure: the task is decided.
    Done(Result<Value, StatesError>, Option<Acknowledgement>),
}

/// Told once the task's result is recorded (durably, for a durable execution): the
/// SendTask* call that carried it returns only then. Dropped untold when the result was not
/// taken (the execution stopped first).
#[derive(Debug)]
pub struct Acknowledgement(oneshot::Sender<()>);

impl Acknowledgement {
    /// Says the result is recorded.
    pub fn done(self) {
        let _ = self.0.send(());
    }
}

/// Why a SendTask* call was refused, with AWS's error names.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// No task waits on this token (never issued, or already decided).
    #[error("TaskDoesNotExist: Task does not exist anymore")]
    TaskDoesNotExist,
    /// The token is not one this executor issued.
    #[error("InvalidToken: Invalid Token: '{0}'")]
    InvalidToken(String),
}

/// The tokens of the tasks waiting for a callback.
#[derive(Clone, Default)]
pub struct Callbacks {
    waiting: Arc<Mutex<HashMap<String, Waiter>>>,
}

/// One issued token: where its messages go, whether the task has handed it out yet, and
/// what the task is blocked on while it waits on the token.
struct Waiter {
    sender: mpsc::UnboundedSender<CallbackMessage>,
    published: bool,
    blocked: Option<BlockedOn>,
}

/// The state a task blocked on its token belongs to, and the activity it waits to be taken
/// from (when it waits for a worker rather than for SendTask*).
struct BlockedOn {
    state_name: String,
    activity: Option<String>,
}

/// A Task state blocked on its token: waiting for SendTaskSuccess or SendTaskFailure, or for
/// a worker to take its activity task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitingTask {
    /// The Task state's name.
    pub state_name: String,
    /// The token that answers it.
    pub task_token: String,
    /// The activity's ARN while the task waits for a worker to take it (GetActivityTask);
    /// `None` while it waits for SendTaskSuccess or SendTaskFailure.
    pub activity: Option<String>,
}

impl std::fmt::Display for WaitingTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.activity {
            Some(arn) => write!(
                f,
                "state '{}' waits for a worker of the activity {} (task token {})",
                self.state_name, arn, self.task_token
            ),
            None => write!(
                f,
                "state '{}' waits for SendTaskSuccess or SendTaskFailure on the task token {}",
                self.state_name, self.task_token
            ),
        }
    }
}

/// While alive, lists its token's task in [`Callbacks::waiting_tasks`].
pub(crate) struct Blocked {
    callbacks: Callbacks,
    token: String,
}

impl Drop for Blocked {
    fn drop(&mut self) {
        if let Some(waiter) = self.callbacks.lock().get_mut(&self.token) {
            waiter.blocked = None;
        }
    }
}

/// The receiving end of one task token.
pub struct TokenWait {
    token: String,
    receiver: mpsc::UnboundedReceiver<CallbackMessage>,
    callbacks: Callbacks,
}

impl TokenWait {
    /// The token the task was given.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Says the token has left the executor (its task's start is recorded), so
    /// [`Callbacks::waiting_tokens`] lists it.
    pub fn publish(&self) {
        if let Some(waiter) = self.callbacks.lock().get_mut(&self.token) {
            waiter.published = true;
        }
    }

    /// Says the task of `state_name` is blocked on this token (waiting for a worker of
    /// `activity` when given, else for SendTask*) until the guard is dropped.
    pub(crate) fn blocked(&self, state_name: &str, activity: Option<&str>) -> Blocked {
        if let Some(waiter) = self.callbacks.lock().get_mut(&self.token) {
            waiter.blocked = Some(BlockedOn {
                state_name: state_name.to_string(),
                activity: activity.map(str::to_string),
            });
        }
        Blocked {
            callbacks: self.callbacks.clone(),
            token: self.token.clone(),
        }
    }

    /// The next message for this token.
    pub async fn next(&mut self) -> Option<CallbackMessage> {
        self.receiver.recv().await
    }
}

impl Drop for TokenWait {
    fn drop(&mut self) {
        self.callbacks.lock().remove(&self.token);
    }
}

impl Callbacks {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Waiter>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Issues a fresh token and the wait on it. The token is valid until the wait is dropped.
    pub fn issue(&self) -> TokenWait {
        self.issue_token(crate::random::uuid_v4().simple().to_string())
    }

    /// Issues `token` (made by the caller, unique) and the wait on it.
    pub fn issue_token(&self, token: String) -> TokenWait {
        let (sender, receiver) = mpsc::unbounded_channel();
        self.lock().insert(
            token.clone(),
            Waiter {
                sender,
                published: false,
                blocked: None,
            },
        );
        TokenWait {
            token,
            receiver,
            callbacks: self.clone(),
        }
    }

    /// The tokens of the tasks waiting now. A token is listed once its task has handed it
    /// out: for a durable execution, once the task's start is committed, so a token seen
    /// here is one a restarted process waits on again.
    pub fn waiting_tokens(&self) -> Vec<String> {
        self.lock()
            .iter()
            .filter(|(_, w)| w.published)
            .map(|(token, _)| token.clone())
            .collect()
    }

    /// The Task states blocked on their token now, by state name then token. A task answered
    /// (its SendTask* delivered) or no longer waiting is not listed.
    pub fn waiting_tasks(&self) -> Vec<WaitingTask> {
        let mut tasks: Vec<WaitingTask> = self
            .lock()
            .iter()
            .filter_map(|(token, w)| {
                let blocked = w.blocked.as_ref()?;
                Some(WaitingTask {
                    state_name: blocked.state_name.clone(),
                    task_token: token.clone(),
                    activity: blocked.activity.clone(),
                })
            })
            .collect();
        tasks.sort_by(|a, b| (&a.state_name, &a.task_token).cmp(&(&b.state_name, &b.task_token)));
        tasks
    }

    /// SendTaskSuccess.
    pub fn send_success(&self, token: &str, output: Value) -> Result<(), CallbackError> {
        self.deliver(token, CallbackMessage::Done(Ok(output), None), true)
    }

    /// Whether a task waits on `token` now.
    pub fn is_waiting(&self, token: &str) -> bool {
        self.lock().contains_key(token)
    }

    /// SendTaskSuccess or SendTaskFailure (`result`), completing once the execution has
    /// recorded the result; fails with [`CallbackError::TaskDoesNotExist`] when it stopped
    /// before it did.
    pub async fn decide(
        &self,
        token: &str,
        result: Result<Value, StatesError>,
    ) -> Result<(), CallbackError> {
        let (sender, recorded) = oneshot::channel();
        let message = CallbackMessage::Done(result, Some(Acknowledgement(sender)));
        self.deliver(token, message, true)?;
        recorded.await.map_err(|_| CallbackError::TaskDoesNotExist)
    }

    /// SendTaskFailure: the task fails with `error` verbatim as its error name.
    pub fn send_failure(
        &self,
        token: &str,
        error: Option<String>,
        cause: Option<String>,
    ) -> Result<(), CallbackError> {
        let failure = StatesError {
            error,
            cause,
            unlocated: false,
            evaluation_field: None,
        };
        self.deliver(token, CallbackMessage::Done(Err(failure), None), true)
    }

    /// SendTaskHeartbeat.
    pub fn send_heartbeat(&self, token: &str) -> Result<(), CallbackError> {
        self.deliver(token, CallbackMessage::Heartbeat, false)
    }

    fn deliver(
        &self,
        token: &str,
        message: CallbackMessage,
        last: bool,
    ) -> Result<(), CallbackError> {
        if token.is_empty() || token.len() > 2048 {
            return Err(CallbackError::InvalidToken(token.to_string()));
        }
        let mut waiting = self.lock();
        let sender = if last {
            waiting.remove(token).map(|w| w.sender)
        } else {
            waiting.get(token).map(|w| w.sender.clone())
        };
        let sender = sender.ok_or(CallbackError::TaskDoesNotExist)?;
        sender
            .send(message)
            .map_err(|_| CallbackError::TaskDoesNotExist)
    }
}
