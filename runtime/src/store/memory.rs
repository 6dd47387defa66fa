//! [`MemoryStore`]: executions kept in memory, for Express executions and tests.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;

use super::{
    check_continues, event_id, page_size, ActivityRecord, ExecutionQuery, ExecutionRecord,
    HistoryQuery, Page, RunStatus, StateMachineRecord, Store, StoreError, Transition,
};

/// Executions kept in memory: nothing outlives the process.
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    executions: HashMap<String, Entry>,
    by_name: HashMap<(String, String), String>,
    /// Counts insertions: listings go newest first by it, and page tokens name it.
    inserted: u64,
    activities: Vec<ActivityRecord>,
    state_machines: Vec<StateMachineRecord>,
    tags: HashMap<String, Vec<(String, String)>>,
}

struct Entry {
    record: ExecutionRecord,
    events: Vec<Value>,
    checkpoint: Option<String>,
    order: u64,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Page tokens are the position to go on from, tagged so that a token of the other listing
/// (or a made-up one) is refused.
pub(super) fn read_token(token: &Option<String>, tag: char) -> Result<Option<u64>, StoreError> {
    match token {
        None => Ok(None),
        Some(t) => t
            .strip_prefix(tag)
            .and_then(|n| n.parse().ok())
            .map(Some)
            .ok_or_else(|| StoreError::InvalidToken(t.clone())),
    }
}

pub(super) fn write_token(tag: char, position: u64) -> String {
    format!("{tag}{position}")
}

impl Store for MemoryStore {
    fn put_state_machine(&self, record: &StateMachineRecord) -> Result<(), StoreError> {
        let mut inner = self.inner();
        match inner
            .state_machines
            .iter_mut()
            .find(|m| m.arn == record.arn)
        {
            Some(existing) => existing.document = record.document.clone(),
            None => inner.state_machines.push(record.clone()),
        }
        Ok(())
    }

    fn delete_state_machine(&self, arn: &str) -> Result<bool, StoreError> {
        let mut inner = self.inner();
        let before = inner.state_machines.len();
        inner.state_machines.retain(|m| m.arn != arn);
        Ok(inner.state_machines.len() < before)
    }

    fn state_machines(&self) -> Result<Vec<StateMachineRecord>, StoreError> {
        Ok(self.inner().state_machines.clone())
    }

    fn put_tags(&self, arn: &str, tags: &[(String, String)]) -> Result<(), StoreError> {
        let mut inner = self.inner();
        if tags.is_empty() {
            inner.tags.remove(arn);
        } else {
            inner.tags.insert(arn.to_string(), tags.to_vec());
        }
        Ok(())
    }

    fn tags(&self, arn: &str) -> Result<Vec<(String, String)>, StoreError> {
        Ok(self.inner().tags.get(arn).cloned().unwrap_or_default())
    }

    fn put_activity(&self, record: &ActivityRecord) -> Result<(), StoreError> {
        let mut inner = self.inner();
        if !inner.activities.iter().any(|a| a.arn == record.arn) {
            inner.activities.push(record.clone());
        }
        Ok(())
    }

    fn delete_activity(&self, arn: &str) -> Result<bool, StoreError> {
        let mut inner = self.inner();
        let before = inner.activities.len();
        inner.activities.retain(|a| a.arn != arn);
        Ok(inner.activities.len() < before)
    }

    fn activities(&self) -> Result<Vec<ActivityRecord>, StoreError> {
        Ok(self.inner().activities.clone())
    }

    fn insert_execution(
        &self,
        record: &ExecutionRecord,
        checkpoint: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut inner = self.inner();
        let key = (record.state_machine_arn.clone(), record.name.clone());
        if inner.by_name.contains_key(&key) || inner.executions.contains_key(&record.execution_arn)
        {
            return Err(StoreError::ExecutionAlreadyExists(
                record.execution_arn.clone(),
            ));
        }
        inner.inserted += 1;
        let order = inner.inserted;
        inner.by_name.insert(key, record.execution_arn.clone());
        inner.executions.insert(
            record.execution_arn.clone(),
            Entry {
                record: record.clone(),
                events: Vec::new(),
                checkpoint: checkpoint.map(str::to_string),
                order,
            },
        );
        Ok(())
    }

    fn commit(&self, execution_arn: &str, transition: Transition<'_>) -> Result<(), StoreError> {
        let mut inner = self.inner();
        let entry = inner
            .executions
            .get_mut(execution_arn)
            .ok_or_else(|| StoreError::ExecutionDoesNotExist(execution_arn.into()))?;
        // Checked before anything changes, so a refused transition leaves no trace.
        let last_id = entry.events.last().map_or(0, event_id);
        check_continues(execution_arn, last_id, transition.events)?;
        entry.events.extend(transition.events.iter().cloned());
        if let Some(checkpoint) = transition.checkpoint {
            entry.checkpoint = Some(checkpoint.to_string());
        }
        if let Some(change) = transition.status {
            let record = &mut entry.record;
            record.status = change.status;
            record.output = change.output.clone();
            record.error = change.error.clone();
            record.cause = change.cause.clone();
            record.stop_millis = change.stop_millis;
            if change.redriven {
                record.redrive_count += 1;
            }
        }
        Ok(())
    }

    fn execution(&self, execution_arn: &str) -> Result<Option<ExecutionRecord>, StoreError> {
        Ok(self
            .inner()
            .executions
            .get(execution_arn)
            .map(|e| e.record.clone()))
    }

    fn execution_named(
        &self,
        state_machine_arn: &str,
        name: &str,
    ) -> Result<Option<ExecutionRecord>, StoreError> {
        let inner = self.inner();
        Ok(inner
            .by_name
            .get(&(state_machine_arn.to_string(), name.to_string()))
            .and_then(|arn| inner.executions.get(arn))
            .map(|e| e.record.clone()))
    }

    fn executions(&self, query: &ExecutionQuery) -> Result<Page<ExecutionRecord>, StoreError> {
        let before = read_token(&query.next_token, 'e')?;
        let inner = self.inner();
        let mut matching: Vec<&Entry> = inner
            .executions
            .values()
            .filter(|e| before.is_none_or(|b| e.order < b))
            .filter(|e| {
                query
                    .state_machine_arn
                    .as_ref()
                    .is_none_or(|arn| &e.record.state_machine_arn == arn)
            })
            .filter(|e| query.status.is_none_or(|s| e.record.status == s))
            .collect();
        matching.sort_by_key(|e| std::cmp::Reverse(e.order));
        Ok(paged_executions(
            matching
                .into_iter()
                .map(|e| (e.record.clone(), e.order))
                .collect(),
            page_size(query.max_results),
        ))
    }

    fn history(
        &self,
        execution_arn: &str,
        query: &HistoryQuery,
    ) -> Result<Page<Value>, StoreError> {
        let from = read_token(&query.next_token, 'h')?;
        let inner = self.inner();
        let entry = inner
            .executions
            .get(execution_arn)
            .ok_or_else(|| StoreError::ExecutionDoesNotExist(execution_arn.into()))?;
        let size = page_size(query.max_results);
        let events = &entry.events;
        // Ids rise but may skip (see `check_continues`): a token's id is found, not counted.
        let page: Vec<&Value> = if query.reverse_order {
            let end = from.map_or(events.len(), |id| {
                events.partition_point(|e| event_id(e) <= id)
            });
            events[..end].iter().rev().take(size + 1).collect()
        } else {
            let start = from.map_or(0, |id| events.partition_point(|e| event_id(e) < id));
            events[start..].iter().take(size + 1).collect()
        };
        Ok(paged_events(page, size, query.reverse_order))
    }

    fn checkpoint(&self, execution_arn: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .inner()
            .executions
            .get(execution_arn)
            .and_then(|e| e.checkpoint.clone()))
    }

    fn running(&self) -> Result<Vec<ExecutionRecord>, StoreError> {
        let inner = self.inner();
        let mut running: Vec<&Entry> = inner
            .executions
            .values()
            .filter(|e| e.record.status == RunStatus::Running)
            .collect();
        running.sort_by_key(|e| e.order);
        Ok(running.into_iter().map(|e| e.record.clone()).collect())
    }
}

/// A page of executions out of those read with their insertion order, newest first (more
/// than `size` tells there is another page); the token names the last one's order, and the
/// next page starts below it.
pub(super) fn paged_executions(
    mut read: Vec<(ExecutionRecord, u64)>,
    size: usize,
) -> Page<ExecutionRecord> {
    let next_token = (read.len() > size).then(|| write_token('e', read[size - 1].1));
    read.truncate(size);
    Page {
        items: read.into_iter().map(|(record, _)| record).collect(),
        next_token,
    }
}

/// A page of events out of up to `size + 1` read (the extra one tells there is more). The
/// token names the id the next page starts at (forwards), or ends before (in reverse).
pub(super) fn paged_events(mut read: Vec<&Value>, size: usize, reverse: bool) -> Page<Value> {
    let next_token = (read.len() > size).then(|| {
        let last = event_id(read[size - 1]);
        write_token('h', if reverse { last - 1 } else { last + 1 })
    });
    read.truncate(size);
    Page {
        items: read.into_iter().cloned().collect(),
        next_token,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_a_store() {
        super::super::conformance::check_store(&MemoryStore::new());
    }
}
