//! StopExecution: ending a running execution from outside, as `ABORTED`.

use std::sync::Arc;

use tokio::sync::watch;

/// Why an execution was stopped: the `error` and `cause` StopExecution was given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StopRequest {
    /// The error name reported for the aborted execution.
    pub error: Option<String>,
    /// Its cause.
    pub cause: Option<String>,
}

/// A handle that stops an execution. Give a clone to [`crate::ExecutionOptions::stop`] and keep
/// one: [`StopSignal::stop`] ends the execution as `ABORTED`, recording the in-flight states'
/// `...Aborted` events and then `ExecutionAborted`.
#[derive(Clone)]
pub struct StopSignal {
    sender: Arc<watch::Sender<Option<StopRequest>>>,
}

impl Default for StopSignal {
    fn default() -> Self {
        StopSignal {
            sender: Arc::new(watch::Sender::new(None)),
        }
    }
}

impl StopSignal {
    /// A signal nobody has raised yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stops the execution. Returns false when it had already been stopped (the first
    /// request's error and cause stand).
    pub fn stop(&self, error: Option<String>, cause: Option<String>) -> bool {
        self.sender.send_if_modified(|current| {
            if current.is_some() {
                return false;
            }
            *current = Some(StopRequest { error, cause });
            true
        })
    }

    /// Whether [`StopSignal::stop`] was called.
    pub fn is_stopped(&self) -> bool {
        self.sender.borrow().is_some()
    }

    /// Completes when the execution is stopped. A signal nobody else holds a clone of can
    /// never be raised: waiting on it costs nothing.
    pub(crate) async fn stopped(&self) -> StopRequest {
        if Arc::strong_count(&self.sender) == 1 && !self.is_stopped() {
            return std::future::pending().await;
        }
        let mut receiver = self.sender.subscribe();
        let request = match receiver.wait_for(Option::is_some).await {
            Ok(request) => request.clone(),
            // The sender lives in `self`, so the channel cannot close while we wait.
            Err(_) => None,
        };
        request.unwrap_or_default()
    }
}
