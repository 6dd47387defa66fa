//! A history as text that is the same on every run, and its comparison with a file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::history::HistoryEvent;

/// One line per event: its id, its time as an offset from `start_millis`, its type, and its
/// details as JSON (payloads as JSON, not as text). UUIDs and task tokens become `<uuid:N>`,
/// numbered in order of appearance, so random ids do not change the text.
pub fn normalized_history(events: &[HistoryEvent], start_millis: i64) -> String {
    let mut names = Placeholders::default();
    let mut text = String::new();
    for event in events {
        let details = match event.to_api() {
            Value::Object(mut members) => members
                .remove(&event.details_key())
                .map(|d| readable(d, &mut names)),
            _ => None,
        };
        text.push_str(&format!(
            "{} +{}ms {}",
            event.id,
            event.timestamp_millis - start_millis,
            event.event_type
        ));
        if let Some(details) = details {
            text.push(' ');
            text.push_str(&details.to_string());
        }
        text.push('\n');
    }
    text
}

/// Ids seen so far, by their placeholder number.
#[derive(Default)]
struct Placeholders {
    seen: HashMap<String, usize>,
}

impl Placeholders {
    fn replace(&mut self, text: &str) -> String {
        static IDS: std::sync::LazyLock<regex_lite::Regex> = std::sync::LazyLock::new(|| {
            match regex_lite::Regex::new(
                r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32}\b",
            ) {
                Ok(re) => re,
                Err(e) => unreachable!("the id pattern is valid: {e}"),
            }
        });
        IDS.replace_all(text, |found: &regex_lite::Captures<'_>| {
            let next = self.seen.len() + 1;
            let n = *self.seen.entry(found[0].to_string()).or_insert(next);
            format!("<uuid:{n}>")
        })
        .into_owned()
    }
}

/// `details` with ids replaced, and payloads (JSON text) shown as JSON.
fn readable(details: Value, names: &mut Placeholders) -> Value {
    match details {
        Value::String(s) => {
            let s = names.replace(&s);
            match serde_json::from_str::<Value>(&s) {
                Ok(v @ (Value::Object(_) | Value::Array(_))) => v,
                _ => Value::String(s),
            }
        }
        Value::Object(members) => Value::Object(
            members
                .into_iter()
                .filter(|(k, _)| !k.ends_with("Details") || k == "details")
                .map(|(k, v)| (k, readable(v, names)))
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| readable(v, names)).collect())
        }
        other => other,
    }
}

/// Compares `text` with the snapshot file at `path`, or writes it (see
/// [`super::TestRun::assert_snapshot`]).
#[track_caller]
pub(super) fn assert_matches(text: &str, path: &Path) {
    let path = resolve(path);
    let update = std::env::var_os("STEPFN_UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
    match std::fs::read_to_string(&path) {
        Ok(expected) if !update => {
            if expected != text {
                panic!(
                    "the history differs from the snapshot {}\n{}\n(rerun with STEPFN_UPDATE_SNAPSHOTS=1 to accept the new history)",
                    path.display(),
                    line_diff(&expected, text)
                );
            }
        }
        existing => {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            if let Err(e) = std::fs::write(&path, text) {
                panic!("cannot write the snapshot {}: {e}", path.display());
            }
            if existing.is_err() && !update {
                panic!(
                    "wrote the new snapshot {}: review it, commit it, and run the test again",
                    path.display()
                );
            }
        }
    }
}

fn resolve(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    match std::env::var_os("CARGO_MANIFEST_DIR") {
        Some(root) => PathBuf::from(root).join(path),
        None => path.to_path_buf(),
    }
}

/// The lines that differ, marked `-` (the snapshot) and `+` (this run).
fn line_diff(expected: &str, actual: &str) -> String {
    let (old, new): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut text = String::new();
    for i in 0..old.len().max(new.len()) {
        match (old.get(i), new.get(i)) {
            (Some(a), Some(b)) if a == b => {}
            (a, b) => {
                if let Some(a) = a {
                    text.push_str(&format!("- {a}\n"));
                }
                if let Some(b) = b {
                    text.push_str(&format!("+ {b}\n"));
                }
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_numbered_in_order_of_appearance() {
        let mut names = Placeholders::default();
        let text = names.replace(
            "a 0f8fad5b-d9cb-469f-a165-70867728950e b 7c9e6679742540de944be07fc1f90ae7 a 0f8fad5b-d9cb-469f-a165-70867728950e",
        );
        assert_eq!(text, "a <uuid:1> b <uuid:2> a <uuid:1>");
    }

    #[test]
    fn a_line_diff_shows_both_sides() {
        let diff = line_diff("a\nb\nc", "a\nx\nc");
        assert_eq!(diff, "- b\n+ x\n");
    }
}
