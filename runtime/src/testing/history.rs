//! What a test run gives back, read from its history: the states entered, the transitions
//! taken, the retries and the catches.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::time::Duration;

use crate::dsl::{TaskError, Workflow};
use crate::exec::{ExecutionStatus, Outcome};
use crate::history::HistoryEvent;

/// A retried attempt: the state, which attempt failed (0: the first), and its error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retry {
    /// The state.
    pub state: String,
    /// The attempt that failed.
    pub attempt: u32,
    /// Its error name, when the history gives one.
    pub error: Option<String>,
}

/// A failure a catcher handled: the state, its error, and the state it went on to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catch {
    /// The state that failed.
    pub state: String,
    /// Its error name, when the history gives one.
    pub error: Option<String>,
    /// The catcher's `Next`.
    pub next: String,
}

/// One test run of `W`: how it ended, its typed output, and what happened on the way.
pub struct TestRun<W: Workflow> {
    outcome: Outcome,
    start_millis: i64,
    elapsed_millis: i64,
    workflow: PhantomData<fn() -> W>,
}

/// An event's type is one of a state's failures.
fn is_failure(event_type: &str) -> bool {
    event_type.ends_with("Failed") && event_type != "ExecutionFailed"
        || event_type.ends_with("TimedOut") && event_type != "ExecutionTimedOut"
}

/// An event starts an attempt of a state's work.
fn is_attempt(event_type: &str) -> bool {
    event_type.ends_with("Scheduled")
        || event_type == "ParallelStateStarted"
        || event_type == "MapStateStarted"
}

/// What a history says about the path an execution took: the states it entered, the
/// transitions, retries and catches; for a test run of a workflow or of an ASL definition.
#[derive(Clone, Copy)]
pub struct HistoryView<'a>(pub &'a [HistoryEvent]);

impl<'a> HistoryView<'a> {
    /// The states entered, in the order they were (nested ones included).
    pub fn states(&self) -> Vec<&'a str> {
        self.0
            .iter()
            .filter(|e| e.event_type.ends_with("StateEntered"))
            .filter_map(HistoryEvent::state_name)
            .collect()
    }

    /// The transitions taken: `(from, to)` for each state left for another (a catcher's
    /// included), in order.
    pub fn transitions(&self) -> Vec<(String, String)> {
        let history = self.0;
        let exited: HashMap<u64, &str> = history
            .iter()
            .filter(|e| e.event_type.ends_with("StateExited"))
            .filter_map(|e| Some((e.id, e.state_name()?)))
            .collect();
        history
            .iter()
            .filter(|e| e.event_type.ends_with("StateEntered"))
            .filter_map(|e| {
                let from = exited.get(&e.previous_event_id)?;
                Some((from.to_string(), e.state_name()?.to_string()))
            })
            .collect()
    }

    /// The events of each state entered, in its own thread of the history: from its
    /// `StateEntered` along the `previous_event_id` links until it is left.
    fn state_spans(&self) -> Vec<(&'a str, Vec<&'a HistoryEvent>)> {
        let history = self.0;
        let mut following: HashMap<u64, Vec<&HistoryEvent>> = HashMap::new();
        for event in history {
            following
                .entry(event.previous_event_id)
                .or_default()
                .push(event);
        }
        let mut spans = Vec::new();
        for entered in history
            .iter()
            .filter(|e| e.event_type.ends_with("StateEntered"))
        {
            let Some(state) = entered.state_name() else {
                continue;
            };
            let kind = entered
                .event_type
                .strip_suffix("StateEntered")
                .unwrap_or_default();
            if kind == "Parallel" || kind == "Map" {
                // Branches fork from the state: its own events are those of its kind up to its
                // exit (`ParallelStateStarted`, `ParallelStateFailed`...).
                let exit = format!("{kind}StateExited");
                let aborted = format!("{kind}StateAborted");
                let span: Vec<&HistoryEvent> = history
                    .iter()
                    .skip_while(|e| e.id <= entered.id)
                    .take_while(|e| {
                        !((e.event_type == exit || e.event_type == aborted)
                            && e.state_name() == Some(state))
                    })
                    .filter(|e| {
                        e.event_type.starts_with(kind)
                            && !e.event_type.ends_with("StateEntered")
                            && !e.event_type.starts_with("MapIteration")
                            && !e.event_type.ends_with("StateExited")
                    })
                    .chain(history.iter().skip_while(|e| e.id <= entered.id).find(|e| {
                        (e.event_type == exit || e.event_type == aborted)
                            && e.state_name() == Some(state)
                    }))
                    .collect();
                spans.push((state, span));
                continue;
            }
            let mut span = Vec::new();
            let mut at = entered.id;
            // A Parallel's or Map's branches fork; the state's own events continue through
            // the event of its own kind (`ParallelStateSucceeded`...), found by walking all.
            let mut guard = 0;
            while let Some(next) = following.get(&at).and_then(|n| n.first()) {
                guard += 1;
                if guard > history.len() {
                    break;
                }
                span.push(*next);
                if next.event_type.ends_with("StateExited")
                    || next.event_type.ends_with("StateAborted")
                    || next.event_type.ends_with("StateEntered")
                {
                    break;
                }
                at = next.id;
            }
            spans.push((state, span));
        }
        spans
    }

    /// The attempts that failed and were tried again, in order.
    pub fn retries(&self) -> Vec<Retry> {
        let mut retries = Vec::new();
        for (state, span) in self.state_spans() {
            let mut attempt = 0;
            let mut failure: Option<Option<String>> = None;
            for event in span {
                if is_failure(event.event_type) {
                    failure = Some(error_of(event));
                } else if is_attempt(event.event_type) {
                    if let Some(error) = failure.take() {
                        retries.push(Retry {
                            state: state.to_string(),
                            attempt,
                            error,
                        });
                        attempt += 1;
                    }
                }
            }
        }
        retries
    }

    /// The failures a catcher handled, in order.
    pub fn catches(&self) -> Vec<Catch> {
        let history = self.0;
        let mut catches = Vec::new();
        for (state, span) in self.state_spans() {
            let last_failure = span
                .iter()
                .rposition(|e| is_failure(e.event_type))
                .map(|i| (i, error_of(span[i])));
            let Some((at, error)) = last_failure else {
                continue;
            };
            // Caught: no attempt after the failure, and the state was left for another.
            if span[at..].iter().any(|e| is_attempt(e.event_type)) {
                continue;
            }
            let Some(exit) = span.iter().find(|e| e.event_type.ends_with("StateExited")) else {
                continue;
            };
            let next = history
                .iter()
                .find(|e| e.previous_event_id == exit.id && e.event_type.ends_with("StateEntered"))
                .and_then(HistoryEvent::state_name);
            if let Some(next) = next {
                catches.push(Catch {
                    state: state.to_string(),
                    error,
                    next: next.to_string(),
                });
            }
        }
        catches
    }

    /// What this run exercised, for coverage.
    pub fn exercised(&self) -> super::Exercised {
        super::Exercised {
            states: self.states().into_iter().map(str::to_string).collect(),
            transitions: self.transitions().into_iter().collect(),
            retries: self
                .retries()
                .into_iter()
                .map(|r| (r.state, r.error))
                .collect(),
            catches: self
                .catches()
                .into_iter()
                .map(|c| (c.state, c.next))
                .collect(),
        }
    }
}

impl<W: Workflow> TestRun<W> {
    pub(super) fn new(outcome: Outcome, start_millis: i64, elapsed_millis: i64) -> Self {
        TestRun {
            outcome,
            start_millis,
            elapsed_millis,
            workflow: PhantomData,
        }
    }

    /// How the execution ended.
    pub fn status(&self) -> ExecutionStatus {
        self.outcome.status
    }

    /// The error name, when it did not succeed.
    pub fn error(&self) -> Option<&str> {
        self.outcome.error.as_deref()
    }

    /// The cause, when it did not succeed.
    pub fn cause(&self) -> Option<&str> {
        self.outcome.cause.as_deref()
    }

    /// The whole outcome: status, JSON output, error, cause, history.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// The typed output, or why there is none.
    pub fn try_output(&self) -> Result<W::Output, String> {
        if self.outcome.status != ExecutionStatus::Succeeded {
            return Err(format!(
                "the execution ended {:?}: {}: {}\n  states: {}",
                self.outcome.status,
                self.error().unwrap_or(""),
                self.cause().unwrap_or(""),
                self.states().join(" → ")
            ));
        }
        match super::typed_output::<W::Output>(self.outcome.output.as_ref()) {
            Some(Ok(output)) => Ok(output),
            Some(Err(e)) => Err(format!("the output is not the workflow's output type: {e}")),
            None => Err("the execution succeeded without an output".to_string()),
        }
    }

    /// The typed output; panics, saying how the execution ended and where it went, when it
    /// did not succeed.
    #[track_caller]
    pub fn output(&self) -> W::Output {
        match self.try_output() {
            Ok(output) => output,
            Err(why) => panic!("{why}"),
        }
    }

    /// Asserts that the execution failed with `error`'s ASL name (a task's error variant).
    #[track_caller]
    pub fn assert_error<E: TaskError>(&self, error: &E) {
        self.assert_error_name(error.error_name());
    }

    /// Asserts that the execution failed with the error name `name` (a Fail state's
    /// `Error`, `States.Timeout`...).
    #[track_caller]
    pub fn assert_error_name(&self, name: &str) {
        if self.error() != Some(name) {
            panic!(
                "expected the execution to fail with `{name}`, but it ended {:?}{}\n  states: {}",
                self.outcome.status,
                match (self.error(), self.cause()) {
                    (Some(e), Some(c)) => format!(" with `{e}`: {c}"),
                    (Some(e), None) => format!(" with `{e}`"),
                    _ => String::new(),
                },
                self.states().join(" → ")
            );
        }
    }

    fn view(&self) -> HistoryView<'_> {
        HistoryView(&self.outcome.history)
    }

    /// The states entered, in the order they were (nested ones included).
    pub fn states(&self) -> Vec<&str> {
        self.view().states()
    }

    /// The transitions taken: `(from, to)` for each state left for another (a catcher's
    /// included), in order.
    pub fn transitions(&self) -> Vec<(String, String)> {
        self.view().transitions()
    }

    /// The attempts that failed and were tried again, in order.
    pub fn retries(&self) -> Vec<Retry> {
        self.view().retries()
    }

    /// The failures a catcher handled, in order.
    pub fn catches(&self) -> Vec<Catch> {
        self.view().catches()
    }

    /// What this run exercised, for coverage.
    pub fn exercised(&self) -> super::Exercised {
        self.view().exercised()
    }

    /// Asserts the states entered, printing both paths and where they part when they differ.
    #[track_caller]
    pub fn assert_states(&self, expected: &[&str]) {
        let actual = self.states();
        if actual != expected {
            panic!("{}", path_diff(expected, &actual));
        }
    }

    /// The whole history.
    pub fn history(&self) -> &[HistoryEvent] {
        &self.outcome.history
    }

    /// How much virtual time the execution took.
    pub fn virtual_time(&self) -> Duration {
        Duration::from_millis(self.elapsed_millis.max(0) as u64)
    }

    /// The history as text that is the same on every run: one event a line, its time as an
    /// offset from the start, ids and tokens numbered in order of appearance (see
    /// [`super::normalized_history`]).
    pub fn snapshot(&self) -> String {
        super::normalized_history(&self.outcome.history, self.start_millis)
    }

    /// Compares [`TestRun::snapshot`] with the file `path` (relative to the crate's root when
    /// relative). With `STEPFN_UPDATE_SNAPSHOTS=1`, or when the file does not exist, writes
    /// it instead; a missing file then fails the test so that it is reviewed and committed.
    #[track_caller]
    pub fn assert_snapshot(&self, path: impl AsRef<std::path::Path>) {
        super::snapshot::assert_matches(&self.snapshot(), path.as_ref());
    }
}

/// An event's `error` detail.
fn error_of(event: &HistoryEvent) -> Option<String> {
    event
        .detail("error")
        .and_then(|d| d.as_str())
        .map(str::to_string)
}

/// Two paths side by side, from where they part.
fn path_diff(expected: &[&str], actual: &[&str]) -> String {
    let common = expected
        .iter()
        .zip(actual)
        .take_while(|(a, b)| a == b)
        .count();
    let mut text = String::from("the states entered differ from the expected path\n");
    text.push_str(&format!("  expected: {}\n", expected.join(" → ")));
    text.push_str(&format!("  actual:   {}\n", actual.join(" → ")));
    match (expected.get(common), actual.get(common)) {
        (Some(e), Some(a)) => text.push_str(&format!(
            "  they part after {} state(s): expected `{e}`, entered `{a}`",
            common
        )),
        (Some(e), None) => text.push_str(&format!(
            "  the run stopped after {common} state(s), before `{e}`"
        )),
        (None, Some(a)) => text.push_str(&format!(
            "  the run went on after {common} state(s), into `{a}`"
        )),
        (None, None) => {}
    }
    text
}

#[cfg(test)]
mod tests {
    use super::path_diff;

    #[test]
    fn a_path_diff_says_where_the_paths_part() {
        let text = path_diff(&["A", "B", "C"], &["A", "X"]);
        assert!(text.contains("expected: A → B → C"), "{text}");
        assert!(text.contains("actual:   A → X"), "{text}");
        assert!(
            text.contains("part after 1 state(s): expected `B`, entered `X`"),
            "{text}"
        );
        let short = path_diff(&["A", "B"], &["A"]);
        assert!(
            short.contains("stopped after 1 state(s), before `B`"),
            "{short}"
        );
        let long = path_diff(&["A"], &["A", "B"]);
        assert!(
            long.contains("went on after 1 state(s), into `B`"),
            "{long}"
        );
    }
}
