//! Where an execution is, read from its history: each state's status (as the console's graph
//! colours it), its last input and output, its error and retries; each Map's iterations.
//!
//! Events are attributed to states by `previousEventId`: an event follows the one before it in
//! its own branch, so it belongs to the state whose `...StateEntered` starts that chain.

use std::collections::HashMap;

use serde_json::Value;

/// A state that ran, as far as the history tells.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct StateProgress {
    /// `RUNNING`, `SUCCEEDED`, `FAILED`, `CAUGHT`, `ABORTED` or `TIMED_OUT`.
    pub status: &'static str,
    /// The id of the event that entered it last.
    pub entered_id: u64,
    /// Its input and output as the history gives them (JSON text), on its last visit.
    pub input: Option<String>,
    pub output: Option<String>,
    /// Its last error and cause.
    pub error: Option<String>,
    pub cause: Option<String>,
    /// How many times it was retried on its last visit.
    pub retries: u32,
    /// Whether it failed since it was last scheduled (a Catch may still take it).
    failed: bool,
}

/// A Map state's iterations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Iterations {
    pub succeeded: u64,
    pub failed: u64,
    pub running: u64,
}

/// What the history of one execution says of its states.
#[derive(Clone, Debug, Default)]
pub(crate) struct Progress {
    pub states: HashMap<String, StateProgress>,
    pub iterations: HashMap<String, Iterations>,
    /// The state each event belongs to, by event id.
    pub owners: HashMap<u64, String>,
    /// The Map Runs the execution's Distributed Map states started, by state.
    pub map_runs: HashMap<String, String>,
}

/// The member of an event holding its details (`taskFailedEventDetails`...).
pub(crate) fn details(event: &Value) -> Option<&serde_json::Map<String, Value>> {
    event.as_object()?.iter().find_map(|(key, value)| {
        key.ends_with("EventDetails")
            .then(|| value.as_object())
            .flatten()
    })
}

fn text(details: Option<&serde_json::Map<String, Value>>, key: &str) -> Option<String> {
    details?
        .get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
}

const FAILURES: &[&str] = &[
    "TaskFailed",
    "TaskTimedOut",
    "TaskStartFailed",
    "TaskSubmitFailed",
    "LambdaFunctionFailed",
    "LambdaFunctionTimedOut",
    "LambdaFunctionStartFailed",
    "LambdaFunctionScheduleFailed",
    "ActivityFailed",
    "ActivityTimedOut",
    "ActivityScheduleFailed",
    "MapStateFailed",
    "ParallelStateFailed",
    "MapRunFailed",
];

const SCHEDULES: &[&str] = &[
    "TaskScheduled",
    "LambdaFunctionScheduled",
    "ActivityScheduled",
];

/// The Parallel or Map state each state of `machine` runs inside, by name.
pub(crate) fn enclosing(machine: &stepfn_codegen::StateMachine) -> HashMap<String, String> {
    fn walk(
        states: &stepfn_codegen::States,
        parent: Option<&str>,
        out: &mut HashMap<String, String>,
    ) {
        for (name, state) in states {
            if let Some(parent) = parent {
                out.insert(name.clone(), parent.to_string());
            }
            for branch in state.nested_branches() {
                walk(&branch.states, Some(name), out);
            }
        }
    }
    let mut out = HashMap::new();
    walk(&machine.states, None, &mut out);
    out
}

impl Progress {
    /// Reads `events` (the API's shape, oldest first) of a machine whose states run inside
    /// the Parallel and Map states `enclosing` names.
    pub(crate) fn of(events: &[Value], enclosing: &HashMap<String, String>) -> Progress {
        let mut p = Progress::default();
        // The Parallel and Map states: those some state runs inside.
        let scopes: std::collections::HashSet<&String> = enclosing.values().collect();
        for event in events {
            let kind = event["type"].as_str().unwrap_or_default();
            let id = event["id"].as_u64().unwrap_or(0);
            let previous = event["previousEventId"].as_u64().unwrap_or(0);
            let details = details(event);
            if kind.ends_with("StateEntered") {
                let Some(name) = text(details, "name") else {
                    continue;
                };
                p.owners.insert(id, name.clone());
                p.states.insert(
                    name,
                    StateProgress {
                        status: "RUNNING",
                        entered_id: id,
                        input: text(details, "input"),
                        ..Default::default()
                    },
                );
                continue;
            }
            if kind.ends_with("StateExited") {
                let Some(name) = text(details, "name") else {
                    continue;
                };
                p.owners.insert(id, name.clone());
                if let Some(state) = p.states.get_mut(&name) {
                    state.output = text(details, "output");
                    state.status = if state.failed { "CAUGHT" } else { "SUCCEEDED" };
                }
                continue;
            }
            if kind.starts_with("Execution") {
                let ended = match kind {
                    "ExecutionFailed" => Some("ABORTED"),
                    "ExecutionAborted" => Some("ABORTED"),
                    "ExecutionTimedOut" => Some("TIMED_OUT"),
                    _ => None,
                };
                if kind == "ExecutionFailed" {
                    // The state the failure came from: a state error no Catch took.
                    let culprit = p.owners.get(&previous).cloned();
                    if let Some(state) = culprit.and_then(|c| p.states.get_mut(&c)) {
                        if state.status == "RUNNING" {
                            state.status = "FAILED";
                            state.error = text(details, "error");
                            state.cause = text(details, "cause");
                        }
                    }
                }
                if let Some(ended) = ended {
                    for state in p.states.values_mut() {
                        if state.status == "RUNNING" {
                            state.status = ended;
                        }
                    }
                }
                if kind == "ExecutionRedriven" {
                    // A redrive runs the states that did not succeed again.
                    for state in p.states.values_mut() {
                        state.failed = false;
                    }
                }
                continue;
            }
            let Some(mut owner) = p.owners.get(&previous).cloned() else {
                continue;
            };
            // A Parallel's or Map's own events follow the branch event that ended it: they
            // belong to the innermost such state around it that is still running.
            if kind.starts_with("ParallelState")
                || kind.starts_with("MapState")
                || kind.starts_with("MapRun")
            {
                let mut at = Some(owner.clone());
                while let Some(name) = at {
                    let running = p.states.get(&name).is_some_and(|s| s.status == "RUNNING");
                    if running && scopes.contains(&name) {
                        owner = name;
                        break;
                    }
                    at = enclosing.get(&name).cloned();
                }
            }
            if kind.starts_with("MapIteration") {
                // An iteration's events name their Map state.
                if let Some(map) = text(details, "name") {
                    owner = map;
                }
            }
            p.owners.insert(id, owner.clone());
            if kind.starts_with("MapIteration") {
                let counts = p.iterations.entry(owner.clone()).or_default();
                match kind {
                    "MapIterationStarted" => counts.running += 1,
                    "MapIterationSucceeded" => {
                        counts.running = counts.running.saturating_sub(1);
                        counts.succeeded += 1;
                    }
                    "MapIterationFailed" | "MapIterationAborted" => {
                        counts.running = counts.running.saturating_sub(1);
                        counts.failed += 1;
                    }
                    _ => {}
                }
                continue;
            }
            if kind == "MapRunStarted" {
                if let Some(arn) = text(details, "mapRunArn") {
                    p.map_runs.insert(owner.clone(), arn);
                }
            }
            let Some(state) = p.states.get_mut(&owner) else {
                continue;
            };
            if FAILURES.contains(&kind) {
                state.failed = true;
                state.status = "FAILED";
                state.error = text(details, "error");
                state.cause = text(details, "cause");
            } else if SCHEDULES.contains(&kind) && state.failed {
                state.failed = false;
                state.retries += 1;
                state.status = "RUNNING";
            }
        }
        p
    }

    /// The status of each state that ran, for the graph.
    pub(crate) fn statuses(&self) -> HashMap<String, String> {
        self.states
            .iter()
            .map(|(name, s)| (name.clone(), s.status.to_string()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(id: u64, previous: u64, kind: &str, details: Value) -> Value {
        let key = format!("{}EventDetails", kind[..1].to_lowercase() + &kind[1..]);
        json!({"id": id, "previousEventId": previous, "type": kind, key: details})
    }

    #[test]
    fn a_caught_failure_a_retry_and_a_success_are_told_apart() {
        let events = vec![
            event(1, 0, "ExecutionStarted", json!({})),
            event(
                2,
                0,
                "TaskStateEntered",
                json!({"name": "Charge", "input": "{}"}),
            ),
            event(3, 2, "TaskScheduled", json!({})),
            event(
                4,
                3,
                "TaskFailed",
                json!({"error": "Busy", "cause": "try again"}),
            ),
            event(5, 4, "TaskScheduled", json!({})),
            event(
                6,
                5,
                "TaskFailed",
                json!({"error": "Card.Declined", "cause": "<b>no</b>"}),
            ),
            event(
                7,
                6,
                "TaskStateExited",
                json!({"name": "Charge", "output": "{}"}),
            ),
            event(
                8,
                7,
                "PassStateEntered",
                json!({"name": "Refund", "input": "{}"}),
            ),
            event(
                9,
                8,
                "PassStateExited",
                json!({"name": "Refund", "output": "1"}),
            ),
            event(
                10,
                9,
                "WaitStateEntered",
                json!({"name": "Later", "input": "1"}),
            ),
        ];
        let p = Progress::of(&events, &HashMap::new());
        let charge = &p.states["Charge"];
        assert_eq!(charge.status, "CAUGHT");
        assert_eq!(charge.retries, 1);
        assert_eq!(charge.error.as_deref(), Some("Card.Declined"));
        assert_eq!(p.states["Refund"].status, "SUCCEEDED");
        assert_eq!(p.states["Refund"].output.as_deref(), Some("1"));
        assert_eq!(p.states["Later"].status, "RUNNING");
        assert_eq!(p.owners[&6], "Charge");
    }

    #[test]
    fn an_uncaught_failure_fails_its_state_and_aborts_the_others() {
        let events = vec![
            event(1, 0, "ExecutionStarted", json!({})),
            event(
                2,
                0,
                "ParallelStateEntered",
                json!({"name": "Both", "input": "{}"}),
            ),
            event(3, 2, "ParallelStateStarted", json!({})),
            event(
                4,
                3,
                "TaskStateEntered",
                json!({"name": "Left", "input": "{}"}),
            ),
            event(
                5,
                3,
                "WaitStateEntered",
                json!({"name": "Right", "input": "{}"}),
            ),
            event(6, 4, "TaskFailed", json!({"error": "Boom"})),
            event(7, 6, "ParallelStateFailed", json!({"error": "Boom"})),
            event(8, 7, "ExecutionFailed", json!({"error": "Boom"})),
        ];
        let enclosing = HashMap::from([
            ("Left".to_string(), "Both".to_string()),
            ("Right".to_string(), "Both".to_string()),
        ]);
        let p = Progress::of(&events, &enclosing);
        assert_eq!(p.states["Left"].status, "FAILED");
        assert_eq!(p.states["Right"].status, "ABORTED");
        assert_eq!(p.states["Both"].status, "FAILED");
    }

    #[test]
    fn map_iterations_are_counted() {
        let events = vec![
            event(1, 0, "ExecutionStarted", json!({})),
            event(
                2,
                0,
                "MapStateEntered",
                json!({"name": "Each", "input": "[1,2,3]"}),
            ),
            event(3, 2, "MapStateStarted", json!({"length": 3})),
            event(
                4,
                3,
                "MapIterationStarted",
                json!({"index": 0, "name": "Each"}),
            ),
            event(
                5,
                3,
                "MapIterationStarted",
                json!({"index": 1, "name": "Each"}),
            ),
            event(
                6,
                3,
                "MapIterationStarted",
                json!({"index": 2, "name": "Each"}),
            ),
            event(
                9,
                4,
                "PassStateEntered",
                json!({"name": "Inner", "input": "1"}),
            ),
            event(
                10,
                9,
                "PassStateExited",
                json!({"name": "Inner", "output": "1"}),
            ),
            event(
                7,
                10,
                "MapIterationSucceeded",
                json!({"index": 0, "name": "Each"}),
            ),
            event(
                8,
                5,
                "MapIterationFailed",
                json!({"index": 1, "name": "Each"}),
            ),
        ];
        let p = Progress::of(&events, &HashMap::new());
        assert_eq!(
            p.iterations["Each"],
            Iterations {
                succeeded: 1,
                failed: 1,
                running: 1
            }
        );
    }

    #[test]
    fn a_state_error_no_event_names_fails_the_state_the_execution_failed_at() {
        let events = vec![
            event(1, 0, "ExecutionStarted", json!({})),
            event(
                2,
                0,
                "PassStateEntered",
                json!({"name": "Shape", "input": "{}"}),
            ),
            event(
                3,
                2,
                "ExecutionFailed",
                json!({"error": "States.Runtime", "cause": "bad path"}),
            ),
        ];
        let p = Progress::of(&events, &HashMap::new());
        assert_eq!(p.states["Shape"].status, "FAILED");
        assert_eq!(p.states["Shape"].error.as_deref(), Some("States.Runtime"));
    }
}
