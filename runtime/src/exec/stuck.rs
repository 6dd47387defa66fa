//! Executions nothing outside can answer (`stepfn run`): one whose every branch waits on a
//! task token or an activity, with no timer left to wake it, can never end. It is stopped,
//! naming what it waits on, instead of waiting forever.
//!
//! The watch holds the only handles that could answer the execution's tokens and activities
//! (its [`Callbacks`] and [`Activities`]) and counts the timers pending on its clock. The
//! runtime it builds tells it when it is about to sleep with no task to run: if the execution
//! has not been woken since it last returned `Pending`, no timer of its clock is pending (none
//! can fire: not a Wait, a retry's backoff, a TimeoutSeconds, a HeartbeatSeconds or the
//! execution's own timeout) and tasks wait on their tokens, then nothing will ever wake it.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::Value;

use super::{ExecutionOptions, Executor, Outcome, StopSignal};
use crate::clock::Clock;
use crate::tasks::{Activities, Callbacks, WaitingTask};

/// The error an execution stopped for waiting forever is reported with (`ABORTED`, as a
/// stopped execution is).
pub const STUCK_ERROR: &str = "stepfn.Stuck";

/// Runs one execution that nothing outside the process can answer, and stops it once it can
/// never end. Build the runtime with [`StuckWatch::runtime`], then run the execution in it
/// with [`StuckWatch::run`].
///
/// Task handlers must answer without waiting on anything but the execution's clock (mocks,
/// handlers computing in memory): a handler awaiting a socket looks, to the watch, like no
/// progress.
pub struct StuckWatch {
    inner: Arc<Inner>,
}

/// Why the watch stopped an execution (which then ended `ABORTED` with [`STUCK_ERROR`]): what
/// its blocked branches waited on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stuck {
    /// The Task states waiting when it was stopped, by state name.
    pub waiting: Vec<WaitingTask>,
}

impl std::fmt::Display for Stuck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        describe(&self.waiting, f)
    }
}

fn describe(waiting: &[WaitingTask], f: &mut impl std::fmt::Write) -> std::fmt::Result {
    write!(
        f,
        "the execution can never end: every branch waits on a task nothing can answer, and no timer will wake it"
    )?;
    for (i, task) in waiting.iter().enumerate() {
        write!(f, "{} {task}", if i == 0 { ":" } else { ";" })?;
    }
    Ok(())
}

struct Inner {
    /// Timers of the execution's clock not yet fired (nor dropped).
    timers: AtomicUsize,
    /// Whether the execution was woken since it last returned `Pending`.
    woken: AtomicBool,
    /// The only handle on the execution's tokens.
    callbacks: Callbacks,
    stop: StopSignal,
    stuck: Mutex<Option<Vec<WaitingTask>>>,
}

impl Inner {
    /// The runtime is about to sleep, with no task to run.
    fn idle(&self) {
        if self.woken.load(Ordering::SeqCst) || self.timers.load(Ordering::SeqCst) > 0 {
            return;
        }
        let waiting = self.callbacks.waiting_tasks();
        if waiting.is_empty() {
            return;
        }
        let mut stuck = self.stuck.lock().unwrap_or_else(|e| e.into_inner());
        if stuck.is_some() {
            return;
        }
        let mut cause = String::new();
        let _ = describe(&waiting, &mut cause);
        *stuck = Some(waiting);
        drop(stuck);
        // Stopping (not dropping) the execution records its branches' `...Aborted` events
        // and gives an outcome with the history so far.
        self.stop.stop(Some(STUCK_ERROR.into()), Some(cause));
    }
}

impl Default for StuckWatch {
    fn default() -> Self {
        StuckWatch::new()
    }
}

impl StuckWatch {
    /// A watch for one execution.
    pub fn new() -> Self {
        StuckWatch {
            inner: Arc::new(Inner {
                timers: AtomicUsize::new(0),
                woken: AtomicBool::new(true),
                callbacks: Callbacks::default(),
                stop: StopSignal::new(),
                stuck: Mutex::new(None),
            }),
        }
    }

    /// The runtime to run the execution in: current-thread, so that its going idle means the
    /// whole execution waits; its time paused when `virtual_time` (for a
    /// [`crate::VirtualClock`]).
    pub fn runtime(&self, virtual_time: bool) -> std::io::Result<tokio::runtime::Runtime> {
        self.runtime_from(tokio::runtime::Builder::new_current_thread(), virtual_time)
    }

    /// [`StuckWatch::runtime`] from `builder`, a current-thread builder the caller set up
    /// further (with I/O enabled, for tasks that call services over the network).
    pub fn runtime_from(
        &self,
        mut builder: tokio::runtime::Builder,
        virtual_time: bool,
    ) -> std::io::Result<tokio::runtime::Runtime> {
        let inner = self.inner.clone();
        builder.enable_time().on_thread_park(move || inner.idle());
        #[cfg(feature = "virtual-clock")]
        builder.start_paused(virtual_time);
        #[cfg(not(feature = "virtual-clock"))]
        if virtual_time {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                "virtual time needs stepfn's `virtual-clock` feature",
            ));
        }
        builder.build()
    }

    /// Runs the execution (in the runtime of [`StuckWatch::runtime`]) with `options`, whose
    /// callbacks, activities and stop signal the watch replaces with its own: nothing
    /// outside can answer a task token, and every activity of the definition exists, with
    /// no worker. Gives how the execution ended, and why the watch stopped it if it did.
    pub async fn run(
        self,
        executor: &Executor,
        input: Value,
        options: ExecutionOptions,
    ) -> (Outcome, Option<Stuck>) {
        let activities = Activities::default();
        for arn in executor.task_resources.activities() {
            activities.create(arn);
        }
        let options = ExecutionOptions {
            clock: Arc::new(CountedClock {
                clock: options.clock.clone(),
                inner: self.inner.clone(),
            }),
            callbacks: self.inner.callbacks.clone(),
            activities: Some(activities),
            stop: self.inner.stop.clone(),
            ..options
        };
        let waker = Arc::new(FlagWaker {
            inner: self.inner.clone(),
            outer: Mutex::new(None),
        });
        let outcome = Watched {
            execution: Box::pin(executor.run(input, options)),
            waker,
        }
        .await;
        let stuck = self
            .inner
            .stuck
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        (outcome, stuck.map(|waiting| Stuck { waiting }))
    }
}

/// The execution's clock, counting its pending timers.
struct CountedClock {
    clock: Arc<dyn Clock>,
    inner: Arc<Inner>,
}

/// One pending timer, counted until it fires or is dropped.
struct PendingTimer(Arc<Inner>);

impl Drop for PendingTimer {
    fn drop(&mut self) {
        self.0.timers.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Clock for CountedClock {
    fn now_millis(&self) -> i64 {
        self.clock.now_millis()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.inner.timers.fetch_add(1, Ordering::SeqCst);
        let pending = PendingTimer(self.inner.clone());
        let sleep = self.clock.sleep(duration);
        Box::pin(async move {
            sleep.await;
            drop(pending);
        })
    }
}

/// Wakes the execution's task, noting that it was woken.
struct FlagWaker {
    inner: Arc<Inner>,
    outer: Mutex<Option<Waker>>,
}

impl Wake for FlagWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.inner.woken.store(true, Ordering::SeqCst);
        if let Some(outer) = &*self.outer.lock().unwrap_or_else(|e| e.into_inner()) {
            outer.wake_by_ref();
        }
    }
}

/// The execution, polled with a [`FlagWaker`].
struct Watched<'a> {
    execution: Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>,
    waker: Arc<FlagWaker>,
}

impl Future for Watched<'_> {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        {
            let mut outer = self.waker.outer.lock().unwrap_or_else(|e| e.into_inner());
            if !outer.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *outer = Some(cx.waker().clone());
            }
        }
        // Cleared before polling: a wake during the poll (or after it) means another poll.
        self.waker.inner.woken.store(false, Ordering::SeqCst);
        let waker = Waker::from(self.waker.clone());
        let polled = self
            .execution
            .as_mut()
            .poll(&mut Context::from_waker(&waker));
        if polled.is_ready() {
            // Done: nothing is left to stop, whatever the runtime does next.
            self.waker.inner.woken.store(true, Ordering::SeqCst);
        }
        polled
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::VirtualClock;

    fn executor(definition: serde_json::Value) -> Executor {
        Executor::new(crate::parse::from_value(&definition).unwrap())
    }

    fn run_watched(executor: &Executor, input: Value) -> (Outcome, Option<Stuck>) {
        let watch = StuckWatch::new();
        let rt = watch.runtime(true).unwrap();
        rt.block_on(async {
            let options = ExecutionOptions {
                clock: Arc::new(VirtualClock::starting_at(0)),
                ..ExecutionOptions::default()
            };
            watch.run(executor, input, options).await
        })
    }

    #[test]
    fn a_task_token_nothing_answers_stops_the_execution() {
        let machine = executor(json!({"StartAt": "Approve", "States": {
            "Approve": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                        "Parameters": {"MessageBody": {"token.$": "$$.Task.Token"}}, "End": true}}}));
        let (outcome, stuck) = run_watched(&machine, json!({}));
        let stuck = stuck.expect("stopped");
        assert_eq!(stuck.waiting.len(), 1);
        assert_eq!(stuck.waiting[0].state_name, "Approve");
        assert_eq!(stuck.waiting[0].activity, None);
        assert_eq!(outcome.status, super::super::ExecutionStatus::Aborted);
        assert_eq!(outcome.error.as_deref(), Some(STUCK_ERROR));
        let cause = outcome.cause.unwrap();
        assert!(cause.contains(&stuck.waiting[0].task_token), "{cause}");
    }

    #[test]
    fn a_pending_timer_lets_the_execution_go_on() {
        // The Wait's day passes on the virtual clock while the other branch waits; then the
        // token's task is all that is left.
        let machine = executor(
            json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
            "Branches": [
                {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 86400, "End": true}}},
                {"StartAt": "T", "States": {"T": {"Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "End": true}}}]}}}),
        );
        let (outcome, stuck) = run_watched(&machine, json!({}));
        assert_eq!(stuck.expect("stopped").waiting[0].state_name, "T");
        let ended = outcome
            .history
            .iter()
            .find(|e| e.event_type == "WaitStateExited");
        assert!(ended.is_some(), "the Wait ran out before the stop");

        let machine = executor(json!({"StartAt": "T", "States": {"T": {"Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "TimeoutSeconds": 5, "End": true}}}));
        let (outcome, stuck) = run_watched(&machine, json!({}));
        assert_eq!(stuck, None);
        assert_eq!(outcome.error.as_deref(), Some("States.Timeout"));
    }
}
