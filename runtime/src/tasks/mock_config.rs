//! Mocked responses in AWS Step Functions Local's MockConfigFile format:
//!
//! ```json
//! {"StateMachines": {"Order": {"TestCases": {"HappyPath": {"Charge": "ChargeOk"}}}},
//!  "MockedResponses": {"ChargeOk": {"0": {"Throw": {"Error": "Busy", "Cause": "try again"}},
//!                                   "1-2": {"Return": {"charged": true}}}}}
//! ```
//!
//! The keys of a mocked response count the calls of its state (retries included) from 0.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;

use crate::error::StatesError;

/// A parsed MockConfigFile.
#[derive(Clone, Debug, Default)]
pub struct MockConfig {
    state_machines: HashMap<String, HashMap<String, HashMap<String, String>>>,
    responses: HashMap<String, MockedResponse>,
}

/// One mocked response: what each call of a state answers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MockedResponse {
    steps: Vec<(u32, u32, Result<Value, StatesError>)>,
}

impl MockedResponse {
    /// The answer to call number `call` (0-based).
    pub fn answer(&self, call: u32) -> Option<Result<Value, StatesError>> {
        self.steps
            .iter()
            .find(|(from, to, _)| (*from..=*to).contains(&call))
            .map(|(_, _, r)| r.clone())
    }
}

/// The mocks of one test case, with the call count of each state.
#[derive(Debug, Default)]
pub struct MockedTestCase {
    name: String,
    states: HashMap<String, MockedResponse>,
    calls: Mutex<HashMap<String, u32>>,
}

/// Why a MockConfigFile cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MockConfigError {
    /// The file is not JSON or not shaped like a MockConfigFile.
    #[error("invalid mock config at {pointer}: {message}")]
    Invalid {
        /// JSON pointer to the offending member.
        pointer: String,
        /// What is wrong.
        message: String,
    },
    /// No state machine has this test case (or several do and none was named).
    #[error("{0}")]
    UnknownTestCase(String),
}

fn invalid(pointer: impl Into<String>, message: impl Into<String>) -> MockConfigError {
    MockConfigError::Invalid {
        pointer: pointer.into(),
        message: message.into(),
    }
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

impl MockConfig {
    /// Parses the text of a MockConfigFile.
    pub fn from_json(text: &str) -> Result<MockConfig, MockConfigError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| invalid("", format!("not JSON: {e}")))?;
        MockConfig::from_value(&value)
    }

    /// Reads a MockConfigFile already parsed as JSON.
    pub fn from_value(value: &Value) -> Result<MockConfig, MockConfigError> {
        let root = value
            .as_object()
            .ok_or_else(|| invalid("", "expected an object"))?;
        let mut config = MockConfig::default();
        if let Some(machines) = root.get("StateMachines") {
            let machines = machines
                .as_object()
                .ok_or_else(|| invalid("/StateMachines", "expected an object"))?;
            for (machine, body) in machines {
                let at = format!("/StateMachines/{}", escape(machine));
                let cases = body
                    .get("TestCases")
                    .and_then(Value::as_object)
                    .ok_or_else(|| invalid(&at, "expected an object with \"TestCases\""))?;
                let mut parsed = HashMap::new();
                for (case, states) in cases {
                    let at = format!("{at}/TestCases/{}", escape(case));
                    let states = states.as_object().ok_or_else(|| {
                        invalid(&at, "expected an object of state -> mocked response")
                    })?;
                    let mut map = HashMap::new();
                    for (state, response) in states {
                        let name = response.as_str().ok_or_else(|| {
                            invalid(
                                format!("{at}/{}", escape(state)),
                                "expected the name of a mocked response",
                            )
                        })?;
                        map.insert(state.clone(), name.to_string());
                    }
                    parsed.insert(case.clone(), map);
                }
                config.state_machines.insert(machine.clone(), parsed);
            }
        }
        if let Some(responses) = root.get("MockedResponses") {
            let responses = responses
                .as_object()
                .ok_or_else(|| invalid("/MockedResponses", "expected an object"))?;
            for (name, steps) in responses {
                let at = format!("/MockedResponses/{}", escape(name));
                config
                    .responses
                    .insert(name.clone(), parse_response(&at, steps)?);
            }
        }
        for (machine, cases) in &config.state_machines {
            for (case, states) in cases {
                for (state, response) in states {
                    if !config.responses.contains_key(response) {
                        return Err(invalid(
                            format!(
                                "/StateMachines/{}/TestCases/{}/{}",
                                escape(machine),
                                escape(case),
                                escape(state)
                            ),
                            format!("no mocked response named '{response}'"),
                        ));
                    }
                }
            }
        }
        Ok(config)
    }

    /// The test case `test_case` of `state_machine`; without a state machine name, the one
    /// state machine that has such a test case.
    pub fn test_case(
        &self,
        state_machine: Option<&str>,
        test_case: &str,
    ) -> Result<MockedTestCase, MockConfigError> {
        let candidates: Vec<(&String, &HashMap<String, String>)> = self
            .state_machines
            .iter()
            .filter(|(m, _)| state_machine.is_none_or(|wanted| wanted == m.as_str()))
            .filter_map(|(m, cases)| cases.get(test_case).map(|c| (m, c)))
            .collect();
        let states = match candidates.as_slice() {
            [(_, states)] => *states,
            [] => {
                return Err(MockConfigError::UnknownTestCase(match state_machine {
                    Some(m) => format!("state machine '{m}' has no test case '{test_case}'"),
                    None => format!("no state machine has a test case '{test_case}'"),
                }))
            }
            several => {
                let mut names: Vec<&str> = several.iter().map(|(m, _)| m.as_str()).collect();
                names.sort_unstable();
                return Err(MockConfigError::UnknownTestCase(format!(
                    "test case '{test_case}' exists in several state machines ({}); name one",
                    names.join(", ")
                )));
            }
        };
        Ok(MockedTestCase {
            name: test_case.to_string(),
            states: states
                .iter()
                .map(|(state, response)| (state.clone(), self.responses[response].clone()))
                .collect(),
            calls: Mutex::default(),
        })
    }
}

fn parse_response(at: &str, steps: &Value) -> Result<MockedResponse, MockConfigError> {
    let steps = steps
        .as_object()
        .ok_or_else(|| invalid(at, "expected an object of call number -> Return/Throw"))?;
    let mut out = Vec::new();
    for (key, step) in steps {
        let at = format!("{at}/{}", escape(key));
        let range = match key.split_once('-') {
            Some((a, b)) => a.trim().parse().ok().zip(b.trim().parse().ok()),
            None => key.trim().parse().ok().map(|n| (n, n)),
        };
        let (from, to): (u32, u32) = range
            .filter(|(a, b)| a <= b)
            .ok_or_else(|| invalid(&at, "expected a call number (\"0\") or range (\"1-2\")"))?;
        let answer = match (step.get("Return"), step.get("Throw")) {
            (Some(v), None) => Ok(v.clone()),
            (None, Some(t)) => {
                let text = |field: &str| t.get(field).and_then(Value::as_str).map(str::to_string);
                Err(StatesError {
                    error: text("Error"),
                    cause: text("Cause"),
                    unlocated: false,
                    evaluation_field: None,
                })
            }
            _ => {
                return Err(invalid(
                    &at,
                    "expected exactly one of \"Return\" or \"Throw\"",
                ))
            }
        };
        out.push((from, to, answer));
    }
    Ok(MockedResponse { steps: out })
}

impl MockedTestCase {
    /// The test case's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True when the test case mocks the state `state`.
    pub fn mocks_state(&self, state: &str) -> bool {
        self.states.contains_key(state)
    }

    /// The answer to the next call of `state`.
    pub fn next_answer(&self, state: &str) -> Result<Value, StatesError> {
        let call = {
            let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
            let n = calls.entry(state.to_string()).or_insert(0);
            let call = *n;
            *n += 1;
            call
        };
        self.states
            .get(state)
            .and_then(|r| r.answer(call))
            .unwrap_or_else(|| {
                Err(StatesError::new(
                    crate::error::names::RUNTIME,
                    format!(
                        "test case '{}' has no mocked response for call {call} of state '{state}'",
                        self.name
                    ),
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_calls_in_order_and_ranges() {
        let config = MockConfig::from_value(&json!({
            "StateMachines": {"M": {"TestCases": {"Retry": {"Charge": "Flaky"}}}},
            "MockedResponses": {"Flaky": {
                "0": {"Throw": {"Error": "Busy", "Cause": "later"}},
                "1-2": {"Return": {"ok": true}}
            }}
        }))
        .unwrap();
        let case = config.test_case(None, "Retry").unwrap();
        assert_eq!(
            case.next_answer("Charge").unwrap_err().error.as_deref(),
            Some("Busy")
        );
        assert_eq!(case.next_answer("Charge"), Ok(json!({"ok": true})));
        assert_eq!(case.next_answer("Charge"), Ok(json!({"ok": true})));
        assert!(case.next_answer("Charge").is_err());
    }

    #[test]
    fn bad_files_say_where() {
        let err = MockConfig::from_value(&json!({
            "StateMachines": {"M": {"TestCases": {"T": {"S": "Missing"}}}},
            "MockedResponses": {}
        }))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid mock config at /StateMachines/M/TestCases/T/S: no mocked response named 'Missing'"
        );
    }
}
