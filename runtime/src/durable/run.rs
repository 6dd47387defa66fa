//! A durable execution's link to its store: the history it commits as it goes, and the stored
//! history it resumes from ([`Replay`]).

use std::sync::Arc;

use base64::Engine as _;

use crate::durable::replay::Replay;
use crate::history::History;
use crate::store::{CommitQueue, StatusChange, StoreError};

/// What makes one run of an execution durable.
pub(crate) struct DurableRun {
    /// The execution's ARN, the key of everything stored about it.
    pub execution_arn: Arc<str>,
    /// The stored history the run reaches again before it does anything new.
    pub replay: Replay,
    /// When the execution started (kept across restarts: timers count from it).
    pub start_millis: i64,
    /// How many times the execution was redriven.
    pub redrive_count: u32,
    /// The id of the last event before the latest redrive: the run records `ExecutionRedriven`
    /// after it (the stored one, once recorded).
    pub redriven_after: Option<u64>,
    commits: CommitQueue,
    /// The id of the last event known durable.
    committed: tokio::sync::Mutex<u64>,
}

impl DurableRun {
    #[cfg(feature = "durable")]
    pub fn new(
        execution_arn: Arc<str>,
        replay: Replay,
        commits: CommitQueue,
        start_millis: i64,
        redrive_count: u32,
        redriven_after: Option<u64>,
    ) -> Self {
        let committed = tokio::sync::Mutex::new(replay.last_id());
        DurableRun {
            execution_arn,
            replay,
            start_millis,
            redrive_count,
            redriven_after,
            commits,
            committed,
        }
    }

    /// Commits the events `history` recorded since the last commit (and the execution's new
    /// status, when it ended); completes once they are durable.
    pub async fn commit(
        &self,
        history: &History,
        status: Option<StatusChange>,
    ) -> Result<(), StoreError> {
        // One commit at a time per execution: concurrent branches must not send the same
        // events twice, nor out of order.
        let mut committed = self.committed.lock().await;
        let events = history.api_events_after(*committed);
        if events.is_empty() && status.is_none() {
            return Ok(());
        }
        let last = events
            .last()
            .map_or(*committed, |e| e["id"].as_u64().unwrap_or(0));
        // Counted as sent once handed over, not once durable: a run dropped while waiting
        // (a stopped execution's states) must not send the same events again.
        let submitted = self
            .commits
            .submit(self.execution_arn.clone(), events, None, status);
        *committed = last;
        drop(committed);
        submitted.durable().await
    }

    /// The task token of the attempt `retry_count` of the state entered at event
    /// `entered_id`. Made from where it was issued rather than drawn at random, so the run
    /// that resumes the execution issues the same token and the one handed out stays valid.
    pub fn task_token(&self, entered_id: u64, retry_count: u32) -> String {
        let plain = format!("{}#{entered_id}#{retry_count}", self.execution_arn);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(plain)
    }
}

/// The execution a task token of a durable run belongs to; `None` for any other text.
#[cfg(feature = "durable")]
pub fn token_execution(token: &str) -> Option<String> {
    token_origin(token).map(|(arn, _)| arn)
}

/// The execution a task token of a durable run belongs to, and the id of the event that
/// entered the state that issued it.
#[cfg(feature = "durable")]
pub fn token_origin(token: &str) -> Option<(String, u64)> {
    let plain = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    let plain = String::from_utf8(plain).ok()?;
    let mut parts = plain.rsplitn(3, '#');
    let _retry: u32 = parts.next()?.parse().ok()?;
    let entered: u64 = parts.next()?.parse().ok()?;
    let arn = parts.next()?;
    arn.starts_with("arn:").then(|| (arn.to_string(), entered))
}
