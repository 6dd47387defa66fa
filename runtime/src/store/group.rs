//! Group commit: the transitions of many executions committed together.
//!
//! A durable commit costs a sync to disk, far more than the work of a transition. One thread
//! owns the writing: while it commits one batch, the transitions that arrive meanwhile wait,
//! and go together in the next batch with one sync. Each execution still waits for its own
//! transition to be durable before it goes on, so batching never weakens the guarantee.

use std::sync::mpsc;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::oneshot;

use super::{StatusChange, Store, StoreError, Transition};

/// The most transitions one batch commits: bounds the time a batch holds the database.
const MAX_BATCH: usize = 1024;

/// A transition waiting for the writer thread, with where to say how it went.
struct Pending {
    execution_arn: Arc<str>,
    events: Vec<Value>,
    checkpoint: Option<String>,
    status: Option<StatusChange>,
    reply: oneshot::Sender<Result<(), StoreError>>,
}

/// A handle on the writer thread of one store; clones share it. The thread ends when the
/// last handle is dropped.
#[derive(Clone)]
pub struct CommitQueue {
    sender: mpsc::Sender<Pending>,
    store: Arc<dyn Store>,
}

impl CommitQueue {
    /// Starts the writer thread of `store`.
    pub fn start(store: Arc<dyn Store>) -> CommitQueue {
        let (sender, receiver) = mpsc::channel::<Pending>();
        let writer = store.clone();
        std::thread::Builder::new()
            .name("stepfn-commit".into())
            .spawn(move || write_batches(&*writer, receiver))
            .expect("the commit thread starts");
        CommitQueue { sender, store }
    }

    /// The store it writes to.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Commits one transition of `execution_arn`; completes once it is durable.
    pub async fn commit(
        &self,
        execution_arn: Arc<str>,
        events: Vec<Value>,
        checkpoint: Option<String>,
        status: Option<StatusChange>,
    ) -> Result<(), StoreError> {
        self.submit(execution_arn, events, checkpoint, status)
            .durable()
            .await
    }

    /// Hands one transition to the writer now (commits are made in the order they are
    /// submitted) and gives what completes once it is durable. A caller that stops waiting
    /// still knows the transition was handed over, so it never submits it twice.
    pub fn submit(
        &self,
        execution_arn: Arc<str>,
        events: Vec<Value>,
        checkpoint: Option<String>,
        status: Option<StatusChange>,
    ) -> Submitted {
        // On a current-thread runtime there is no other worker to go on while the writer
        // thread syncs, and awaiting it would look idle to a paused (virtual) clock, which
        // would jump to the next timer mid-commit: the commit is made right here instead.
        let current_thread = tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread);
        if current_thread {
            return Submitted(Handed::Done(self.store.commit(
                &execution_arn,
                Transition {
                    events: &events,
                    checkpoint: checkpoint.as_deref(),
                    status: status.as_ref(),
                },
            )));
        }
        let (reply, answer) = oneshot::channel();
        let sent = self.sender.send(Pending {
            execution_arn,
            events,
            checkpoint,
            status,
            reply,
        });
        match sent {
            Ok(()) => Submitted(Handed::Queued(answer)),
            Err(_) => Submitted(Handed::Done(Err(stopped()))),
        }
    }
}

/// A transition handed to the writer; [`Submitted::durable`] completes once it is durable.
pub struct Submitted(Handed);

enum Handed {
    /// The writer thread will answer.
    Queued(oneshot::Receiver<Result<(), StoreError>>),
    /// Already committed (or refused) in place.
    Done(Result<(), StoreError>),
}

impl Submitted {
    /// Completes once the transition is durable (or failed).
    pub async fn durable(self) -> Result<(), StoreError> {
        match self.0 {
            Handed::Queued(answer) => answer.await.map_err(|_| stopped())?,
            Handed::Done(result) => result,
        }
    }
}

fn stopped() -> StoreError {
    StoreError::Database("the commit thread has stopped".into())
}

fn write_batches(store: &dyn Store, receiver: mpsc::Receiver<Pending>) {
    let mut batch = Vec::new();
    while let Ok(first) = receiver.recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let transitions: Vec<(&str, Transition<'_>)> = batch
            .iter()
            .map(|p| {
                (
                    &*p.execution_arn,
                    Transition {
                        events: &p.events,
                        checkpoint: p.checkpoint.as_deref(),
                        status: p.status.as_ref(),
                    },
                )
            })
            .collect();
        let results = store.commit_batch(&transitions);
        drop(transitions);
        for (pending, result) in batch.drain(..).zip(results) {
            // The execution may have been dropped meanwhile; its transition stands.
            let _ = pending.reply.send(result);
        }
    }
}
