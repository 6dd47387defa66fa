//! The event recorder: every history event a state writes goes through [`Shared`] here, which
//! numbers it, links it to the event before it and, for a durable execution, replays what the
//! stored history already holds instead of writing it twice.

use crate::data::Data;
use crate::error::StatesError;
use crate::exec::visit::Shared;
use crate::history::{Details, NewEvent};
use crate::state_name::StateName;

impl Shared {
    /// Records an event following `cursor` and moves the cursor to it.
    #[inline]
    pub fn emit(&self, cursor: &mut u64, event_type: &'static str, details: Details) -> u64 {
        self.emit_timed(cursor, event_type, details).0
    }

    /// Records an event that does not move the cursor on: the next event of the branch
    /// follows the same event this one does, as AWS links what follows a MapStateSucceeded.
    pub fn emit_aside(&self, after: u64, event_type: &'static str, details: Details) -> u64 {
        let mut cursor = after;
        self.emit(&mut cursor, event_type, details)
    }

    /// Takes the id AWS gives an event it leaves out of the history it shows (a successful
    /// Parallel's `ParallelStateSucceeded`), so later events have AWS's ids. A resumed
    /// execution took it before, unless it has caught up with the stored history: an
    /// unshown event is stored nowhere, so only the ids after it tell.
    pub fn skip_unshown_event(&self) {
        if self.replay().is_none() {
            self.history.skip_id();
        }
    }

    /// Records an event carrying `payload` in its details member `field`.
    #[inline]
    pub fn emit_payload(
        &self,
        cursor: &mut u64,
        event_type: &'static str,
        details: Details,
        field: &'static str,
        payload: &Data,
    ) -> u64 {
        self.record(
            self.clock.now_millis(),
            cursor,
            event_type,
            None,
            details,
            Some((field, payload)),
        )
        .0
    }

    /// Records an event naming `state` (a Map iteration's, say) without a payload.
    pub fn emit_named(
        &self,
        cursor: &mut u64,
        event_type: &'static str,
        state: StateName,
        details: Details,
    ) -> u64 {
        self.record(
            self.clock.now_millis(),
            cursor,
            event_type,
            Some(state),
            details,
            None,
        )
        .0
    }

    /// Records a `...StateEntered` or `...StateExited` event of `state`, with its payload,
    /// and returns its id and time.
    #[inline]
    pub fn emit_state(
        &self,
        cursor: &mut u64,
        event_type: &'static str,
        state: StateName,
        field: &'static str,
        payload: &Data,
        details: Details,
    ) -> (u64, i64) {
        self.record(
            self.clock.now_millis(),
            cursor,
            event_type,
            Some(state),
            details,
            Some((field, payload)),
        )
    }

    /// Records an event carrying `payload` at `timestamp_millis` rather than now.
    pub fn record_at(
        &self,
        timestamp_millis: i64,
        cursor: &mut u64,
        event_type: &'static str,
        details: Details,
        field: &'static str,
        payload: &Data,
    ) -> u64 {
        self.record(
            timestamp_millis,
            cursor,
            event_type,
            None,
            details,
            Some((field, payload)),
        )
        .0
    }

    /// Records an event without a payload and returns its id and time.
    pub fn emit_timed(
        &self,
        cursor: &mut u64,
        event_type: &'static str,
        details: Details,
    ) -> (u64, i64) {
        self.record(
            self.clock.now_millis(),
            cursor,
            event_type,
            None,
            details,
            None,
        )
    }

    /// Appends an event at `timestamp_millis` after `cursor`, moves the cursor to it, and
    /// gives its id and time: a resumed execution reaching an event the stored history holds
    /// takes that event's id and time, and records nothing.
    #[inline]
    fn record(
        &self,
        timestamp_millis: i64,
        cursor: &mut u64,
        event_type: &'static str,
        state: Option<StateName>,
        details: Details,
        payload: Option<(&'static str, &Data)>,
    ) -> (u64, i64) {
        if let Some(stored) = self.replayed(*cursor, event_type, state, &details) {
            *cursor = stored.id;
            return (stored.id, stored.millis);
        }
        let id = self.history.append(NewEvent {
            previous_event_id: *cursor,
            timestamp_millis,
            event_type,
            state,
            details,
            payload,
        });
        *cursor = id;
        (id, timestamp_millis)
    }

    /// The stored event a resumed execution records again, if it is one.
    fn replayed(
        &self,
        previous: u64,
        event_type: &str,
        state: Option<StateName>,
        details: &Details,
    ) -> Option<crate::durable::replay::StoredEvent> {
        let replay = &self.durable.as_ref()?.replay;
        if replay.is_caught_up() {
            return None;
        }
        let detail = |member: &str| details.iter().find(|(m, _)| *m == member).map(|(_, v)| v);
        let name = match state {
            Some(state) => Some(state.as_str()),
            None => detail("name").and_then(Data::as_str),
        };
        let index = detail("index").and_then(Data::as_u64);
        replay.take(previous, event_type, name, index)
    }

    /// The stored history of a resumed execution, while it has events the run has not
    /// reached again.
    pub fn replay(&self) -> Option<&crate::durable::replay::Replay> {
        self.durable
            .as_ref()
            .map(|d| &d.replay)
            .filter(|r| !r.is_caught_up())
    }

    /// When the event `id` happened.
    pub fn event_millis(&self, id: u64) -> Option<i64> {
        self.history
            .event_millis(id)
            .or_else(|| self.durable.as_ref().and_then(|d| d.replay.millis(id)))
    }

    /// Makes what was recorded so far durable, for a durable execution (nothing otherwise):
    /// called before work outside the executor depends on it (a token handed out, a timer
    /// that must survive a restart) and after work whose result must not be lost.
    pub async fn commit(&self) -> Result<(), StatesError> {
        let Some(durable) = &self.durable else {
            return Ok(());
        };
        durable
            .commit(&self.history, None)
            .await
            .map_err(|e| StatesError::runtime(e.to_string()))
    }
}
