//! Workflow coverage: across test runs, which states were entered, which transitions (`Next`,
//! Choice rules and defaults), retriers and catchers were exercised; as a table, and as the
//! state graph with what was never exercised marked.
//!
//! Every [`super::TestRun`] adds what it exercised to its workflow's coverage in this process
//! ([`Coverage::of`]); with `STEPFN_COVERAGE_DIR` set, it also appends it to
//! `DIR/<Workflow>.runs.jsonl` beside the workflow's definition (`DIR/<Workflow>.asl.json`),
//! so that `stepfn coverage DIR --min 90` reports, and fails below a threshold, across all the
//! test binaries of a `cargo test`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use serde::{Deserialize, Serialize};
use stepfn_codegen::emit::graph::{mermaid_untested, Untested};
use stepfn_codegen::model::{State, StateMachine, States, Transition};

/// What one run exercised.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Exercised {
    /// States entered.
    pub states: BTreeSet<String>,
    /// Transitions taken, `(from, to)`.
    pub transitions: BTreeSet<(String, String)>,
    /// Retries: `(state, error)`.
    pub retries: BTreeSet<(String, Option<String>)>,
    /// Catches: `(state, next)`.
    pub catches: BTreeSet<(String, String)>,
}

impl Exercised {
    fn merge(&mut self, other: &Exercised) {
        self.states.extend(other.states.iter().cloned());
        self.transitions.extend(other.transitions.iter().cloned());
        self.retries.extend(other.retries.iter().cloned());
        self.catches.extend(other.catches.iter().cloned());
    }
}

/// The coverage of one workflow: its definition and what the runs so far exercised.
#[derive(Clone, Debug)]
pub struct Coverage {
    name: String,
    definition: StateMachine,
    exercised: Exercised,
}

/// Each workflow's coverage in this process, by name.
static IN_PROCESS: LazyLock<Mutex<HashMap<String, Coverage>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The variable naming the directory runs are recorded in.
pub const COVERAGE_DIR_VARIABLE: &str = "STEPFN_COVERAGE_DIR";

impl Coverage {
    /// The coverage of `W` by the runs of this process so far.
    pub fn of<W: crate::Workflow + 'static>() -> Coverage {
        let name = workflow_name::<W>();
        let known = IN_PROCESS
            .lock()
            .ok()
            .and_then(|all| all.get(&name).cloned());
        known.unwrap_or_else(|| Coverage {
            name,
            definition: W::definition().clone(),
            exercised: Exercised::default(),
        })
    }

    /// The coverage of the definition `definition` (called `name`) before any run.
    pub fn new(name: impl Into<String>, definition: StateMachine) -> Coverage {
        Coverage {
            name: name.into(),
            definition,
            exercised: Exercised::default(),
        }
    }

    /// Adds what one run exercised.
    pub fn add(&mut self, run: &Exercised) {
        self.exercised.merge(run);
    }

    /// The coverage recorded in `dir` for the workflow `name` (`name.asl.json` and
    /// `name.runs.jsonl`).
    pub fn load(dir: &Path, name: &str) -> Result<Coverage, String> {
        let asl = dir.join(format!("{name}.asl.json"));
        let text = std::fs::read_to_string(&asl)
            .map_err(|e| format!("cannot read {}: {e}", asl.display()))?;
        let definition = stepfn_codegen::check(&text, &Default::default())
            .map_err(|p| format!("{}: {p}", asl.display()))?;
        let runs = dir.join(format!("{name}.runs.jsonl"));
        let mut exercised = Exercised::default();
        if let Ok(text) = std::fs::read_to_string(&runs) {
            for (i, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let run: Exercised = serde_json::from_str(line)
                    .map_err(|e| format!("{}:{}: {e}", runs.display(), i + 1))?;
                exercised.merge(&run);
            }
        }
        Ok(Coverage {
            name: name.to_string(),
            definition,
            exercised,
        })
    }

    /// Every workflow recorded in `dir`, by name.
    pub fn load_all(dir: &Path) -> Result<Vec<Coverage>, String> {
        let entries =
            std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let mut names: Vec<String> = entries
            .flatten()
            .filter_map(|e| {
                e.file_name()
                    .to_str()
                    .and_then(|n| n.strip_suffix(".asl.json"))
                    .map(str::to_string)
            })
            .collect();
        names.sort();
        names.iter().map(|n| Coverage::load(dir, n)).collect()
    }

    /// The workflow's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What there is to exercise, each with whether it was.
    pub fn report(&self) -> CoverageReport {
        let mut items = Vec::new();
        collect(&self.definition.states, &self.exercised, &mut items);
        CoverageReport {
            name: self.name.clone(),
            definition: self.definition.clone(),
            items,
        }
    }
}

/// One thing a test can exercise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The state it belongs to.
    pub state: String,
    /// `state`, `next`, `choice`, `default`, `retry` or `catch`.
    pub kind: &'static str,
    /// Where it leads (the retrier's errors for `retry`).
    pub to: String,
    /// Whether a run exercised it.
    pub tested: bool,
}

/// A workflow's coverage, item by item.
#[derive(Clone, Debug)]
pub struct CoverageReport {
    name: String,
    definition: StateMachine,
    /// The items, in definition order.
    pub items: Vec<Item>,
}

fn collect(states: &States, exercised: &Exercised, items: &mut Vec<Item>) {
    for (name, state) in states {
        let item = |kind: &'static str, to: &str, tested: bool| Item {
            state: name.clone(),
            kind,
            to: to.to_string(),
            tested,
        };
        let took = |to: &str| {
            exercised
                .transitions
                .contains(&(name.clone(), to.to_string()))
        };
        items.push(item("state", "", exercised.states.contains(name)));
        if let Some(Transition::Next(next)) = state.transition() {
            items.push(item("next", next, took(next)));
        }
        if let State::Choice(choice) = state {
            let mut seen = BTreeSet::new();
            for rule in &choice.choices {
                // Rules leading to one state are one transition: the history cannot tell them
                // apart.
                if seen.insert(rule.next.clone()) {
                    items.push(item("choice", &rule.next, took(&rule.next)));
                }
            }
            if let Some(default) = &choice.default {
                items.push(item("default", default, took(default)));
            }
        }
        let retried: Vec<&Option<String>> = exercised
            .retries
            .iter()
            .filter(|(s, _)| s == name)
            .map(|(_, e)| e)
            .collect();
        let retriers = state.retry().unwrap_or_default();
        for (i, retrier) in retriers.iter().enumerate() {
            // A retry is the first retrier's that matches its error, as the executor chose it.
            let tested = retried.iter().any(|error| {
                let chosen = retriers
                    .iter()
                    .position(|r| matches(&r.error_equals, error.as_deref()));
                chosen == Some(i)
            });
            items.push(item("retry", &retrier.error_equals.join(", "), tested));
        }
        for catcher in state.catch().unwrap_or_default() {
            let tested = exercised
                .catches
                .contains(&(name.clone(), catcher.next.clone()));
            items.push(item("catch", &catcher.next, tested));
        }
        for branch in state.nested_branches() {
            collect(&branch.states, exercised, items);
        }
    }
}

/// Whether `error` is one `error_equals` names (`States.ALL` names any; an unknown error is
/// matched by `States.ALL` only).
fn matches(error_equals: &[String], error: Option<&str>) -> bool {
    error_equals.iter().any(|e| {
        e == "States.ALL"
            || Some(e.as_str()) == error
            || (e == "States.TaskFailed"
                && error.is_some_and(|x| !x.starts_with("States.") || x == "States.TaskFailed"))
    })
}

impl CoverageReport {
    /// How many items were exercised, and how many there are.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.items.iter().filter(|i| i.tested).count(),
            self.items.len(),
        )
    }

    /// The share exercised, in percent (100 when there is nothing to exercise).
    pub fn percent(&self) -> f64 {
        let (tested, all) = self.counts();
        if all == 0 {
            100.0
        } else {
            tested as f64 * 100.0 / all as f64
        }
    }

    /// A table: a summary line per kind, then each item.
    pub fn table(&self) -> String {
        let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for item in &self.items {
            let entry = by_kind.entry(item.kind).or_default();
            entry.1 += 1;
            if item.tested {
                entry.0 += 1;
            }
        }
        let (tested, all) = self.counts();
        let mut text = format!(
            "coverage of {}: {tested}/{all} ({:.1}%)",
            self.name,
            self.percent()
        );
        let kinds: Vec<String> = by_kind
            .iter()
            .map(|(k, (t, a))| format!("{k} {t}/{a}"))
            .collect();
        text.push_str(&format!(" — {}\n", kinds.join(", ")));
        let width = self
            .items
            .iter()
            .map(|i| i.state.chars().count())
            .max()
            .unwrap_or(5)
            .max(5);
        text.push_str(&format!(
            "  {:width$}  {:7}  {:30}  tested\n",
            "state", "kind", "to"
        ));
        for item in &self.items {
            text.push_str(&format!(
                "  {:width$}  {:7}  {:30}  {}\n",
                item.state,
                item.kind,
                item.to,
                if item.tested { "yes" } else { "NO" }
            ));
        }
        text
    }

    /// The state graph as Mermaid, with the states and transitions never exercised in red.
    pub fn mermaid(&self) -> String {
        let mut untested = Untested::default();
        for item in self.items.iter().filter(|i| !i.tested) {
            match item.kind {
                "state" => {
                    untested.states.insert(item.state.clone());
                }
                "next" | "choice" | "default" | "catch" => {
                    untested.edges.insert((item.state.clone(), item.to.clone()));
                }
                _ => {}
            }
        }
        mermaid_untested(&self.definition, &untested)
    }

    /// Panics, with the table, when less than `percent` was exercised.
    #[track_caller]
    pub fn assert_at_least(&self, percent: f64) {
        if self.percent() + 1e-9 < percent {
            panic!(
                "coverage of {} is {:.1}%, below {percent}%\n{}",
                self.name,
                self.percent(),
                self.table()
            );
        }
    }
}

/// `W`'s short name: the last segment of its type name.
fn workflow_name<W: 'static>() -> String {
    std::any::type_name::<W>()
        .rsplit("::")
        .next()
        .unwrap_or("Workflow")
        .to_string()
}

/// Adds a run of `W` to its coverage in this process, and to `STEPFN_COVERAGE_DIR` when set.
pub(super) fn record<W: crate::Workflow + 'static>(run: Exercised) {
    let name = workflow_name::<W>();
    if let Ok(mut all) = IN_PROCESS.lock() {
        all.entry(name.clone())
            .or_insert_with(|| Coverage {
                name: name.clone(),
                definition: W::definition().clone(),
                exercised: Exercised::default(),
            })
            .exercised
            .merge(&run);
    }
    if let Some(dir) = std::env::var_os(COVERAGE_DIR_VARIABLE) {
        let dir = PathBuf::from(dir);
        if let Err(e) = append(&dir, &name, W::definition(), &run) {
            panic!("cannot record coverage in {}: {e}", dir.display());
        }
    }
}

fn append(
    dir: &Path,
    name: &str,
    definition: &StateMachine,
    run: &Exercised,
) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    let asl = dir.join(format!("{name}.asl.json"));
    std::fs::write(&asl, stepfn_codegen::emit::to_string_pretty(definition))?;
    let mut line = serde_json::to_string(run).map_err(std::io::Error::other)?;
    line.push('\n');
    // One write per run, in append mode: runs of parallel tests do not interleave.
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(format!("{name}.runs.jsonl")))?
        .write_all(line.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn retriers_match_as_the_executor_matches_them() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(matches(&names(&["States.ALL"]), Some("Anything")));
        assert!(matches(
            &names(&["Payment.Throttled"]),
            Some("Payment.Throttled")
        ));
        assert!(!matches(
            &names(&["Payment.Throttled"]),
            Some("Payment.Declined")
        ));
        assert!(matches(
            &names(&["States.TaskFailed"]),
            Some("Payment.Declined")
        ));
        assert!(!matches(
            &names(&["States.TaskFailed"]),
            Some("States.Timeout")
        ));
    }
}
