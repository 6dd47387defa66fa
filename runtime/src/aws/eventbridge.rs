//! `arn:aws:states:::events:putEvents` (and `.waitForTaskToken`).

use serde_json::Value;

use super::{action, shape, RequestOf, ResponseOf};

shape! {
    /// PutEvents' request: the events to send, each with a typed detail.
    pub struct PutEvents<D = Value> {
        /// The events.
        entries: Vec<Entry<D>> => "Entries";
    }
}

shape! {
    /// One event.
    pub struct Entry<D = Value> {
        /// The event's detail (a JSON object, written as JSON).
        detail: D => "Detail";
        /// What kind of event it is.
        detail_type: String => "DetailType";
        /// Who sends it.
        source: String => "Source";
        /// The bus (the account's default bus when absent).
        #[serde(skip_serializing_if = "Option::is_none")]
        event_bus_name: Option<String> => "EventBusName";
        /// ARNs the event concerns.
        #[serde(skip_serializing_if = "Option::is_none")]
        resources: Option<Vec<String>> => "Resources";
    }
}

shape! {
    /// PutEvents' response.
    pub struct PutEventsOutput {
        /// One result per entry, in order.
        entries: Vec<EntryResult> => "Entries";
        /// How many entries failed (the task fails with `EventBridge.FailedEntry` when any did).
        failed_entry_count: u32 => "FailedEntryCount";
    }
}

shape! {
    /// The result of one entry.
    pub struct EntryResult {
        /// The event's id, when it was accepted.
        #[serde(skip_serializing_if = "Option::is_none")]
        event_id: Option<String> => "EventId";
        /// Why it was not.
        #[serde(skip_serializing_if = "Option::is_none")]
        error_code: Option<String> => "ErrorCode";
        /// The error's message.
        #[serde(skip_serializing_if = "Option::is_none")]
        error_message: Option<String> => "ErrorMessage";
    }
}

impl PutEventsOutput {
    /// The response when every entry was accepted, with these ids.
    pub fn accepted(event_ids: impl IntoIterator<Item = String>) -> Self {
        PutEventsOutput {
            entries: event_ids
                .into_iter()
                .map(|id| EntryResult {
                    event_id: Some(id),
                    error_code: None,
                    error_message: None,
                })
                .collect(),
            failed_entry_count: 0,
        }
    }
}

impl<D> RequestOf<action::EventBridgePutEvents> for PutEvents<D> {}
impl ResponseOf<action::EventBridgePutEvents> for PutEventsOutput {}
