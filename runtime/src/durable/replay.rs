//! Resuming an execution from its stored history.
//!
//! A durable execution is resumed by running it again from its start: every event it would
//! record that the stored history already holds is taken from there (its id, its time and what
//! it reports) instead of being recorded again, and work whose end is recorded (a task's answer,
//! a Wait that ran out, a retry's pause) is not done again. The executor is deterministic given
//! those recorded results, so it walks the same path to the point where the history ends, and
//! goes on from there as if it had never stopped.
//!
//! An event is found by what identifies it in its branch: the event it follows, its type, and
//! the state name and Map index it carries. Concurrent branches interleave differently on every
//! run, so an event's position in the history could not identify it; its predecessor does,
//! because each branch's events form a chain.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use serde_json::{Map, Value};

use crate::data::Data;
use crate::error::StatesError;

/// What identifies an event within its execution.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct EventKey {
    previous: u64,
    event_type: Box<str>,
    name: Option<Box<str>>,
    index: Option<u64>,
}

/// A stored event the resumed execution reaches again.
#[derive(Clone, Debug)]
pub(crate) struct StoredEvent {
    /// Its id in the history.
    pub id: u64,
    /// When it happened.
    pub millis: i64,
    /// Its type.
    pub event_type: Box<str>,
    /// Its `...EventDetails`.
    details: Map<String, Value>,
}

impl StoredEvent {
    /// The detail `member`, when it is text.
    pub fn text(&self, member: &str) -> Option<&str> {
        self.details.get(member).and_then(Value::as_str)
    }

    /// The payload under `member` (`output`, `input`), read back from its JSON text.
    pub fn payload(&self, member: &str) -> Option<Data> {
        let text = self.text(member)?;
        serde_json::from_str::<Value>(text).ok().map(Data::from)
    }

    /// The error a failure event reports.
    pub fn error(&self) -> StatesError {
        StatesError::from_parts(
            self.text("error").map(str::to_string),
            self.text("cause").map(str::to_string),
        )
    }

    /// The variables a `...StateExited` event says the state assigned.
    pub fn assigned_variables(&self) -> Option<Vec<(String, Data)>> {
        let assigned = self.details.get("assignedVariables")?.as_object()?;
        assigned
            .iter()
            .map(|(name, text)| {
                let value = serde_json::from_str::<Value>(text.as_str()?).ok()?;
                Some((name.clone(), Data::from(value)))
            })
            .collect()
    }
}

/// The stored events a resumed execution has not reached yet.
#[derive(Debug, Default)]
pub(crate) struct Replay {
    pending: Mutex<HashMap<EventKey, StoredEvent>>,
    /// Every stored event's time by id, for pauses measured from an event.
    times: HashMap<u64, i64>,
    /// The id of the last stored event.
    last_id: u64,
    /// Set once every stored event was reached again: from then on nothing is looked up.
    caught_up: AtomicBool,
}

/// Why a stored history cannot be replayed.
#[cfg(feature = "durable")]
#[derive(Debug, thiserror::Error)]
#[error("stored history event {position} is malformed: {problem}")]
pub struct ReplayError {
    position: usize,
    problem: &'static str,
}

impl Replay {
    /// Nothing to replay: a run that starts the execution.
    #[cfg(feature = "durable")]
    pub fn nothing() -> Replay {
        Replay {
            caught_up: AtomicBool::new(true),
            ..Replay::default()
        }
    }

    /// The replay of an execution's stored `events`, redriven after each of the event ids
    /// `redriven_after` (in order): the events up to a redrive are replayed as that redrive
    /// left them (see [`redrive_kept`]), and those since as they are.
    #[cfg(feature = "durable")]
    pub fn resuming(events: &[Value], redriven_after: &[u64]) -> Result<Replay, ReplayError> {
        let id_of = |event: &Value| event["id"].as_u64().unwrap_or(0);
        let mut kept: Vec<&Value> = Vec::with_capacity(events.len());
        let mut rest = events.iter().peekable();
        for boundary in redriven_after {
            while let Some(event) = rest.next_if(|e| id_of(e) <= *boundary) {
                kept.push(event);
            }
            kept = redrive_kept(&kept);
        }
        kept.extend(rest);
        let kept: std::collections::HashSet<u64> = kept.into_iter().map(id_of).collect();
        Self::filtered(events, |event| kept.contains(&id_of(event)))
    }

    #[cfg(feature = "durable")]
    fn filtered(events: &[Value], keep: impl Fn(&Value) -> bool) -> Result<Replay, ReplayError> {
        let mut pending = HashMap::with_capacity(events.len());
        let mut times = HashMap::with_capacity(events.len());
        let mut last_id = 0;
        for (position, event) in events.iter().enumerate() {
            let malformed = |problem| ReplayError { position, problem };
            let id = event["id"].as_u64().ok_or_else(|| malformed("no id"))?;
            let millis = event["timestamp"]
                .as_f64()
                .map(|seconds| (seconds * 1000.0).round() as i64)
                .ok_or_else(|| malformed("no timestamp"))?;
            last_id = last_id.max(id);
            times.insert(id, millis);
            if !keep(event) {
                continue;
            }
            let event_type = event["type"].as_str().ok_or_else(|| malformed("no type"))?;
            let details = details(event).cloned().unwrap_or_default();
            let key = EventKey {
                previous: event["previousEventId"].as_u64().unwrap_or(0),
                event_type: event_type.into(),
                name: details.get("name").and_then(Value::as_str).map(Into::into),
                index: details.get("index").and_then(Value::as_u64),
            };
            // Should two events share a key, the first is the one a run reaches first.
            pending.entry(key).or_insert(StoredEvent {
                id,
                millis,
                event_type: event_type.into(),
                details,
            });
        }
        let caught_up = AtomicBool::new(pending.is_empty());
        Ok(Replay {
            pending: Mutex::new(pending),
            times,
            last_id,
            caught_up,
        })
    }

    /// The id of the last stored event: new events are numbered after it.
    pub fn last_id(&self) -> u64 {
        self.last_id
    }

    /// True once every stored event was reached again.
    pub fn is_caught_up(&self) -> bool {
        self.caught_up.load(Ordering::Acquire)
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<EventKey, StoredEvent>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The stored event the run is recording again, taken out of those pending.
    pub fn take(
        &self,
        previous: u64,
        event_type: &str,
        name: Option<&str>,
        index: Option<u64>,
    ) -> Option<StoredEvent> {
        if self.is_caught_up() {
            return None;
        }
        let mut pending = self.pending();
        let found = pending.remove(&EventKey {
            previous,
            event_type: event_type.into(),
            name: name.map(Into::into),
            index,
        });
        if pending.is_empty() {
            self.caught_up.store(true, Ordering::Release);
        }
        found
    }

    /// The stored event of one of `event_types` that follows `previous` (and names `name`),
    /// left pending: the run will record it in its turn.
    pub fn peek(
        &self,
        previous: u64,
        event_types: &[&str],
        name: Option<&str>,
    ) -> Option<StoredEvent> {
        if self.is_caught_up() {
            return None;
        }
        let pending = self.pending();
        event_types.iter().find_map(|event_type| {
            pending
                .get(&EventKey {
                    previous,
                    event_type: (*event_type).into(),
                    name: name.map(Into::into),
                    index: None,
                })
                .cloned()
        })
    }

    /// Whether any stored event follows `previous`: the work between them was done.
    pub fn has_successor(&self, previous: u64) -> bool {
        !self.is_caught_up() && self.pending().keys().any(|k| k.previous == previous)
    }

    /// When the stored event `id` happened.
    pub fn millis(&self, id: u64) -> Option<i64> {
        self.times.get(&id).copied()
    }
}

#[cfg(feature = "durable")]
fn details(event: &Value) -> Option<&Map<String, Value>> {
    event
        .as_object()?
        .iter()
        .find(|(key, _)| key.ends_with("EventDetails"))
        .and_then(|(_, value)| value.as_object())
}

/// What a redrive keeps of the `events` of a failed execution: the run goes up to the states
/// that failed or were stopped, and runs those again. Left out are the events that ended the
/// execution and its failed branches, and the entry of every state that never exited but a
/// Parallel or Map (whose successful branches and iterations are kept).
#[cfg(feature = "durable")]
fn redrive_kept<'e>(events: &[&'e Value]) -> Vec<&'e Value> {
    let by_id: HashMap<u64, &Value> = events
        .iter()
        .filter_map(|e| Some((e["id"].as_u64()?, *e)))
        .collect();
    let name_of = |event: &Value| {
        details(event)
            .and_then(|d| d.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    // A visit's events chain back to its entry: walking back from each exit finds the entry
    // it closes.
    let mut closed = std::collections::HashSet::new();
    for event in events {
        if !event["type"]
            .as_str()
            .unwrap_or("")
            .ends_with("StateExited")
        {
            continue;
        }
        let name = name_of(event);
        let mut previous = event["previousEventId"].as_u64().unwrap_or(0);
        while let Some(earlier) = by_id.get(&previous) {
            if earlier["type"]
                .as_str()
                .unwrap_or("")
                .ends_with("StateEntered")
                && name_of(earlier) == name
            {
                closed.insert(previous);
                break;
            }
            previous = earlier["previousEventId"].as_u64().unwrap_or(0);
        }
    }
    const ENDINGS: [&str; 9] = [
        "ExecutionFailed",
        "ExecutionAborted",
        "ExecutionTimedOut",
        "ParallelStateFailed",
        "MapStateFailed",
        "MapIterationFailed",
        "MapIterationAborted",
        "ParallelStateAborted",
        "MapStateAborted",
    ];
    events
        .iter()
        .copied()
        .filter(|event| {
            let kind = event["type"].as_str().unwrap_or("");
            let id = event["id"].as_u64().unwrap_or(0);
            let never_exited = kind.ends_with("StateEntered")
                && kind != "ParallelStateEntered"
                && kind != "MapStateEntered"
                && !closed.contains(&id);
            !ENDINGS.contains(&kind) && !never_exited
        })
        .collect()
}
