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

/// One issued token: where its messages go, and whether the task has handed it out yet.
struct Waiter {
    sender: mpsc::UnboundedSender<CallbackMessage>,
    published: bool,
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
        self.issue_token(uuid::Uuid::new_v4().simple().to_string())
    }

    /// Issues `token` (made by the caller, unique) and the wait on it.
    pub fn issue_token(&self, token: String) -> TokenWait {
        let (sender, receiver) = mpsc::unbounded_channel();
        self.lock().insert(
            token.clone(),
            Waiter {
                sender,
                published: false,
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
