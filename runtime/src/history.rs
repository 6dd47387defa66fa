//! The execution history: AWS's event types and details, in the shape of the
//! `GetExecutionHistory` response.

use std::sync::Mutex;

use serde_json::{json, Map, Value};
use stepfn_codegen::format_rfc3339_millis;

/// One history event.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEvent {
    /// 1-based position in the history.
    pub id: u64,
    /// The event this one follows from (0 for none).
    pub previous_event_id: u64,
    /// When it happened, in milliseconds since the Unix epoch.
    pub timestamp_millis: i64,
    /// `ExecutionStarted`, `PassStateEntered`, `TaskScheduled`...
    pub event_type: &'static str,
    /// The event's details, with payloads as JSON values (the API sends them as strings).
    pub details: Map<String, Value>,
}

/// Fields that carry payloads: JSON values here, JSON text in the API.
const PAYLOAD_FIELDS: &[&str] = &["input", "output", "parameters"];

impl HistoryEvent {
    /// The name of the details member in the API response, e.g. `stateEnteredEventDetails`.
    pub fn details_key(&self) -> String {
        let t = self.event_type;
        if t.ends_with("StateEntered") {
            "stateEnteredEventDetails".into()
        } else if t.ends_with("StateExited") {
            "stateExitedEventDetails".into()
        } else {
            let mut chars = t.chars();
            let first = chars.next().map(|c| c.to_ascii_lowercase()).unwrap_or('x');
            format!("{first}{}EventDetails", chars.as_str())
        }
    }

    /// The state name in the details, if the event has one.
    pub fn state_name(&self) -> Option<&str> {
        self.details.get("name").and_then(Value::as_str)
    }

    /// The event as the API returns it: payloads as JSON text, `timestamp` in epoch seconds.
    pub fn to_api(&self) -> Value {
        let mut event = Map::new();
        event.insert(
            "timestamp".into(),
            json!(self.timestamp_millis as f64 / 1000.0),
        );
        event.insert("type".into(), self.event_type.into());
        event.insert("id".into(), self.id.into());
        event.insert("previousEventId".into(), self.previous_event_id.into());
        if !self.details.is_empty() {
            let mut details = self.details.clone();
            for field in PAYLOAD_FIELDS {
                if let Some(v) = details.get_mut(*field) {
                    let text = serde_json::to_string(v).unwrap_or_default();
                    *v = Value::String(text);
                    let key = format!("{field}Details");
                    details.insert(key, json!({"truncated": false}));
                }
            }
            event.insert(self.details_key(), Value::Object(details));
        }
        Value::Object(event)
    }

    /// A one-line human rendering, for `--history` in a terminal.
    pub fn summary(&self) -> String {
        format!(
            "{:>4} {} {}{}",
            self.id,
            format_rfc3339_millis(self.timestamp_millis),
            self.event_type,
            self.state_name()
                .map(|n| format!(" {n}"))
                .unwrap_or_default()
        )
    }
}

/// The history of one execution, appended to by every branch of it.
#[derive(Debug, Default)]
pub struct History {
    events: Mutex<Vec<HistoryEvent>>,
    record: bool,
}

impl History {
    /// A history that records events when `record` is true, and only counts them otherwise.
    pub fn new(record: bool) -> Self {
        History {
            events: Mutex::new(Vec::new()),
            record,
        }
    }

    /// Appends an event and returns its id.
    pub fn push(
        &self,
        previous_event_id: u64,
        timestamp_millis: i64,
        event_type: &'static str,
        details: Map<String, Value>,
    ) -> u64 {
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        let id = events.len() as u64 + 1;
        // Without recording, events keep ids counting but hold no payloads.
        events.push(HistoryEvent {
            id,
            previous_event_id,
            timestamp_millis,
            event_type,
            details: if self.record { details } else { Map::new() },
        });
        id
    }

    /// True when events keep their details (payloads included).
    pub fn records(&self) -> bool {
        self.record
    }

    /// The events so far.
    pub fn events(&self) -> Vec<HistoryEvent> {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The events, moved out: the history is empty afterwards. An execution hands its history
    /// to its outcome this way, without copying the payloads.
    pub fn take_events(&self) -> Vec<HistoryEvent> {
        std::mem::take(&mut *self.events.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// How many events there are.
    pub fn len(&self) -> usize {
        self.events.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// True before the first event.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A `GetExecutionHistory` response body for `events`.
pub fn to_api_response(events: &[HistoryEvent]) -> Value {
    json!({ "events": events.iter().map(HistoryEvent::to_api).collect::<Vec<_>>() })
}
