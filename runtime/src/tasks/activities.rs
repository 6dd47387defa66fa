//! Activities: Task states whose work is done by workers that poll for it (GetActivityTask)
//! and answer with the task token (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{oneshot, Notify};

/// A task handed to a worker: its token and its input as JSON text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivityTask {
    /// The token to answer with.
    pub task_token: String,
    /// The task's effective input, as JSON text.
    pub input: String,
}

/// A task waiting for a worker, and who to tell the worker's name when one takes it.
struct Queued {
    task: ActivityTask,
    taken: oneshot::Sender<String>,
}

#[derive(Default)]
struct Queue {
    tasks: VecDeque<Queued>,
    arrived: Arc<Notify>,
}

/// The activities that exist, and the tasks waiting on each. Clones share them.
#[derive(Clone, Default)]
pub struct Activities {
    queues: Arc<Mutex<HashMap<String, Queue>>>,
}

impl Activities {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Queue>> {
        self.queues.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes the activity `arn` exist (again: nothing changes when it does).
    pub fn create(&self, arn: &str) {
        self.lock().entry(arn.to_string()).or_default();
    }

    /// Removes the activity `arn`; its waiting tasks are dropped (their states wait on until
    /// their timeout, as on AWS). Returns whether it existed.
    pub fn delete(&self, arn: &str) -> bool {
        self.lock().remove(arn).is_some()
    }

    /// Whether the activity `arn` exists.
    pub fn exists(&self, arn: &str) -> bool {
        self.lock().contains_key(arn)
    }

    /// Queues `task` on the activity `arn`; the receiver gets the name of the worker that
    /// takes it. `None` when no such activity exists.
    pub fn schedule(&self, arn: &str, task: ActivityTask) -> Option<oneshot::Receiver<String>> {
        let mut queues = self.lock();
        let queue = queues.get_mut(arn)?;
        let (taken, receiver) = oneshot::channel();
        queue.tasks.push_back(Queued { task, taken });
        queue.arrived.notify_one();
        Some(receiver)
    }

    /// GetActivityTask: the next task of the activity `arn` for the worker `worker_name`,
    /// waiting up to `poll` for one. Each task goes to exactly one worker. `None` when none
    /// came (or the activity does not exist).
    pub async fn poll(&self, arn: &str, worker_name: &str, poll: Duration) -> Option<ActivityTask> {
        let deadline = tokio::time::Instant::now() + poll;
        loop {
            let arrived = {
                let mut queues = self.lock();
                let queue = queues.get_mut(arn)?;
                while let Some(queued) = queue.tasks.pop_front() {
                    // A task whose state stopped waiting (timed out, aborted) is skipped.
                    if queued.taken.send(worker_name.to_string()).is_ok() {
                        return Some(queued.task);
                    }
                }
                queue.arrived.clone()
            };
            let notified = arrived.notified();
            tokio::select! {
                _ = notified => continue,
                _ = tokio::time::sleep_until(deadline) => return None,
            }
        }
    }
}
