//! StopExecution: ending a running execution from outside, as `ABORTED`.

use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

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
    /// `None` for a signal that can never be raised (the default of an execution's options).
    inner: Option<Arc<Inner>>,
}

impl Default for StopSignal {
    fn default() -> Self {
        StopSignal {
            inner: Some(Arc::default()),
        }
    }
}

#[derive(Default)]
struct Inner {
    request: Mutex<Option<StopRequest>>,
    raised: Notify,
}

impl StopSignal {
    /// A signal nobody has raised yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A signal that can never be raised: [`StopSignal::stop`] on it does nothing. What an
    /// execution gets when its options name no signal; it costs no allocation.
    pub fn never() -> Self {
        StopSignal { inner: None }
    }

    /// Stops the execution. Returns false when it had already been stopped (the first
    /// request's error and cause stand), or when the signal is [`StopSignal::never`].
    pub fn stop(&self, error: Option<String>, cause: Option<String>) -> bool {
        let Some(inner) = &self.inner else {
            return false;
        };
        let mut request = inner.request.lock().unwrap_or_else(|e| e.into_inner());
        if request.is_some() {
            return false;
        }
        *request = Some(StopRequest { error, cause });
        drop(request);
        inner.raised.notify_waiters();
        true
    }

    /// Whether [`StopSignal::stop`] was called.
    pub fn is_stopped(&self) -> bool {
        self.raised().is_some()
    }

    fn raised(&self) -> Option<StopRequest> {
        self.inner
            .as_ref()?
            .request
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Completes when the execution is stopped. A signal nobody else holds a clone of can
    /// never be raised: waiting on it costs nothing.
    pub(crate) async fn stopped(&self) -> StopRequest {
        let Some(inner) = self.inner.as_ref().filter(|i| Arc::strong_count(i) > 1) else {
            if let Some(request) = self.raised() {
                return request;
            }
            return std::future::pending().await;
        };
        loop {
            // Registered before the check, so a stop between the two still wakes us.
            let raised = inner.raised.notified();
            if let Some(request) = self.raised() {
                return request;
            }
            raised.await;
        }
    }
}
