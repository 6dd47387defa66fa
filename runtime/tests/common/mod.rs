//! What the conformance tests share: where the corpus is, and how AWS's recordings compare.

#![allow(dead_code)]

use std::path::Path;

use regex::Regex;
use serde_json::Value;

/// The instant every recorded case starts at on the virtual clock: 2026-11-21T18:59:24Z, one
/// minute before the timestamps of the corpus's `WAIT_1_MIN` cases (`base/test_wait__*`), so
/// they wait the minute their recordings waited. A fixed start keeps each verdict independent
/// of the day the suite runs: a Wait whose timestamp lies about 68 years ahead fails as "too
/// long" now and on every later date.
pub const RECORDING_INSTANT_MILLIS: i64 = 1_795_287_564_000;

pub use stepfn_testkit::conformance;

/// A matcher for a string recorded with placeholders: each placeholder matches anything.
fn wildcard(expected: &str, placeholders: &[String]) -> Regex {
    let mut pattern = regex::escape(expected);
    let mut tokens: Vec<&String> = placeholders.iter().collect();
    tokens.sort_by_key(|t| std::cmp::Reverse(t.len()));
    for token in tokens {
        pattern = pattern.replace(&regex::escape(token), "(?s:.+?)");
    }
    Regex::new(&format!("^(?s:{pattern})$")).unwrap()
}

pub struct Comparer {
    pub wildcard: bool,
    placeholders: Vec<String>,
}

impl Comparer {
    pub fn new(case: &Value) -> Self {
        let meta = &case["meta"];
        let mut placeholders: Vec<String> = ["date", "111111111111", "<region>", "<partition>"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for key in ["placeholders_in_expect", "test_replacements"] {
            for p in meta[key].as_array().into_iter().flatten() {
                if let Some(p) = p.as_str() {
                    placeholders.push(p.to_string());
                }
            }
        }
        Comparer {
            wildcard: meta["compare"] == "wildcard",
            placeholders,
        }
    }

    pub fn strings(&self, expected: &str, actual: &str) -> bool {
        if expected == actual {
            return true;
        }
        if !self.wildcard {
            return false;
        }
        if ["date", "timestamp", "datetime"].contains(&expected) {
            return true;
        }
        wildcard(expected, &self.placeholders).is_match(actual)
    }

    pub fn values(&self, expected: &Value, actual: &Value) -> bool {
        match (expected, actual) {
            (Value::Object(e), Value::Object(a)) => {
                e.len() == a.len()
                    && e.iter()
                        .all(|(k, v)| a.get(k).is_some_and(|w| self.values(v, w)))
            }
            (Value::Array(e), Value::Array(a)) => {
                e.len() == a.len() && e.iter().zip(a).all(|(x, y)| self.values(x, y))
            }
            (Value::Number(e), Value::Number(a)) => e.as_f64() == a.as_f64(),
            (Value::String(e), Value::String(a)) => self.strings(e, a),
            // A placeholder recorded in place of a number or other value.
            (Value::String(e), other) if self.wildcard => self.strings(e, &other.to_string()),
            _ => expected == actual,
        }
    }
}

/// The skip list `name` in `tests/` (`case | reason` per line).
pub fn skip_list(name: &str) -> stepfn_testkit::SkipList {
    stepfn_testkit::SkipList::load(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests")
            .join(name),
    )
    .unwrap()
}
