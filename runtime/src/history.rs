//! The execution history: AWS's event types and details, in the shape of the
//! `GetExecutionHistory` response.

use serde_json::{json, Map, Value};
use stepfn_codegen::format_rfc3339_millis;

use crate::data::Data;
use crate::state_name::StateName;

/// One history event.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEvent {
    /// Its number in the history: from 1, rising, and skipping only where AWS numbers an
    /// event it does not show.
    pub id: u64,
    /// The event this one follows from (0 for none).
    pub previous_event_id: u64,
    /// When it happened, in milliseconds since the Unix epoch.
    pub timestamp_millis: i64,
    /// `ExecutionStarted`, `PassStateEntered`, `TaskScheduled`...
    pub event_type: &'static str,
    /// The state the event names (a `...StateEntered` / `...StateExited` event's, a Map
    /// iteration's): `name` in the API's details. Shared by all the events that name it.
    pub state: Option<StateName>,
    /// The event's other details, but its payload.
    pub details: Details,
    /// The payload the event carries (`input`, `output` or `parameters`), shared with the
    /// execution rather than copied; the API sends it as JSON text.
    pub payload: Option<EventPayload>,
}

/// An event's details as `(member, value)` pairs, in the order the API shows them. The
/// members are always known in advance, so no map (nor key string) is built per event, and
/// most events have at most one besides their payload and state name, so one is kept inline.
pub type Details = smallvec::SmallVec<[(&'static str, Data); 1]>;

/// The payload of a history event.
#[derive(Clone, Debug, PartialEq)]
pub struct EventPayload {
    /// The details member that holds it: `input`, `output` or `parameters`.
    pub field: &'static str,
    /// The value.
    pub value: Data,
}

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

    /// The payload, when the event carries one under `field`.
    pub fn payload(&self, field: &str) -> Option<&Data> {
        self.payload
            .as_ref()
            .filter(|p| p.field == field)
            .map(|p| &p.value)
    }

    /// The state name in the details, if the event has one.
    pub fn state_name(&self) -> Option<&str> {
        self.state
            .map(|s| s.as_str())
            .or_else(|| self.detail("name").and_then(Data::as_str))
    }

    /// The detail `member` (not the payload: see [`HistoryEvent::payload`]).
    pub fn detail(&self, member: &str) -> Option<&Data> {
        self.details
            .iter()
            .find(|(name, _)| *name == member)
            .map(|(_, value)| value)
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
        if !self.details.is_empty() || self.payload.is_some() || self.state.is_some() {
            let mut details = Map::new();
            if let Some(state) = &self.state {
                details.insert("name".into(), state.as_ref().into());
            }
            details.extend(
                self.details
                    .iter()
                    .map(|(name, value)| (name.to_string(), value.to_value())),
            );
            if let Some(EventPayload { field, value }) = &self.payload {
                details.insert((*field).into(), value.to_json_string().into());
                details.insert(format!("{field}Details"), json!({"truncated": false}));
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

/// An event to append: its fields, borrowed where the history keeps a shared copy.
pub struct NewEvent<'a> {
    /// The event this one follows from (0 for none).
    pub previous_event_id: u64,
    /// When it happened, in milliseconds since the Unix epoch.
    pub timestamp_millis: i64,
    /// `ExecutionStarted`, `PassStateEntered`, `TaskScheduled`...
    pub event_type: &'static str,
    /// The state the event names.
    pub state: Option<StateName>,
    /// The event's other details, but its payload.
    pub details: Details,
    /// The payload's details member and value.
    pub payload: Option<(&'static str, &'a Data)>,
}

/// The history of one execution, appended to by every branch of it.
#[derive(Debug, Default)]
pub struct History {
    // A spin lock: appends come from the execution's own task, so the lock is practically
    // never contended, and its release is a plain store where a futex mutex pays a second
    // atomic instruction per event.
    events: spin::mutex::SpinMutex<Numbered>,
    record: bool,
}

/// The events and the id the latest took. Ids rise by one per event, except where an id went
/// to an event AWS numbers but never shows (see [`History::skip_id`]); a resumed execution's
/// history starts after the stored one, which it does not hold.
#[derive(Debug, Default)]
struct Numbered {
    events: Vec<HistoryEvent>,
    last_id: u64,
}

impl Numbered {
    /// Where the event `id` is, or would be, in `events`.
    fn position(&self, id: u64) -> Result<usize, usize> {
        self.events.binary_search_by_key(&id, |e| e.id)
    }
}

impl History {
    /// A history that records events when `record` is true, and only counts them otherwise.
    pub fn new(record: bool) -> Self {
        History {
            // Enough for a short execution without growing.
            events: spin::mutex::SpinMutex::new(Numbered {
                events: Vec::with_capacity(16),
                last_id: 0,
            }),
            record,
        }
    }

    /// A recording history whose first event will have the id `last_stored_id + 1`: the
    /// continuation of a stored history.
    pub fn continuing(last_stored_id: u64) -> Self {
        let history = History::new(true);
        history.events.lock().last_id = last_stored_id;
        history
    }

    /// Appends the event `new` describes, numbering it, and returns its id. The event is
    /// made in its place in the history, not made elsewhere and moved in.
    pub fn append(&self, new: NewEvent<'_>) -> u64 {
        let mut numbered = self.events.lock();
        let id = numbered.last_id + 1;
        numbered.last_id = id;
        let (state, details, payload) = if self.record {
            let payload = new.payload.map(|(field, value)| EventPayload {
                field,
                value: value.clone(),
            });
            (new.state, new.details, payload)
        } else {
            // Without recording, events keep ids counting but hold no details.
            (None, Details::new(), None)
        };
        numbered.events.push(HistoryEvent {
            id,
            previous_event_id: new.previous_event_id,
            timestamp_millis: new.timestamp_millis,
            event_type: new.event_type,
            state,
            details,
            payload,
        });
        id
    }

    /// Takes the next id for an event that AWS numbers but leaves out of the history it
    /// shows (a successful Parallel's `ParallelStateSucceeded`), so that every later id is
    /// the one AWS gives. Returns the id.
    pub fn skip_id(&self) -> u64 {
        let mut numbered = self.events.lock();
        numbered.last_id += 1;
        numbered.last_id
    }

    /// Makes room for `additional` more events at once. A long history grows in one step
    /// instead of by doubling, which would copy every event and, for a moment, hold two
    /// copies; room reserved but never written costs address space, not memory.
    pub fn reserve(&self, additional: usize) {
        if self.record {
            self.events.lock().events.reserve(additional);
        }
    }

    /// True when events keep their details (payloads included).
    pub fn records(&self) -> bool {
        self.record
    }

    /// The events so far.
    pub fn events(&self) -> Vec<HistoryEvent> {
        self.events.lock().events.clone()
    }

    /// The events, moved out: the history is empty afterwards. An execution hands its history
    /// to its outcome this way, without copying the payloads.
    pub fn take_events(&self) -> Vec<HistoryEvent> {
        std::mem::take(&mut self.events.lock().events)
    }

    /// How many events this history holds (a continued history: since it continued).
    pub fn len(&self) -> usize {
        self.events.lock().events.len()
    }

    /// True before the first event.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The id of the latest event (0 before the first).
    pub fn last_id(&self) -> u64 {
        self.events.lock().last_id
    }

    /// The events after `after_id`, in the API's shape.
    pub fn api_events_after(&self, after_id: u64) -> Vec<Value> {
        let numbered = self.events.lock();
        let first = match numbered.position(after_id) {
            Ok(at) => at + 1,
            Err(at) => at,
        };
        numbered.events[first..]
            .iter()
            .map(HistoryEvent::to_api)
            .collect()
    }

    /// When the event `id` happened, if this history holds it.
    pub fn event_millis(&self, id: u64) -> Option<i64> {
        let numbered = self.events.lock();
        let at = numbered.position(id).ok()?;
        Some(numbered.events[at].timestamp_millis)
    }
}

/// A `GetExecutionHistory` response body for `events`.
pub fn to_api_response(events: &[HistoryEvent]) -> Value {
    json!({ "events": events.iter().map(HistoryEvent::to_api).collect::<Vec<_>>() })
}
