//! The executor against executions recorded on AWS (`../shared/conformance/executions`):
//! every case, in both query languages and with Variables, runs with its recorded task results
//! as mocks and a virtual clock started at a fixed instant, and must end as AWS's did, with the
//! same sequence of history events, numbered (ids and `previousEventId`s) as AWS numbered them.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::Path;
use std::sync::{Arc, Mutex};

use common::{conformance, Comparer};
use regex::Regex;
use serde_json::Value;
use stepfn::exec::{ExecutionOptions, Executor};
use stepfn::tasks::TaskRegistry;
use stepfn::{StatesError, VirtualClock};

/// Cases this executor is not expected to pass yet, each with its reason.
fn skips() -> stepfn_testkit::SkipList {
    common::skip_list("execution-skips.txt")
}

/// Passing cases whose history AWS numbered in an order that depends on timing (concurrent
/// branches and iterations interleaving), each with its reason.
fn numbering_skips() -> stepfn_testkit::SkipList {
    common::skip_list("history-numbering-skips.txt")
}

/// True for definitions that use JSONata or Variables (counted apart in the report).
fn uses_jsonata_or_variables(definition: &Value) -> bool {
    let text = definition.to_string();
    let variable_reference = Regex::new(r#"(^|["(,\s])\$[A-Za-z_]"#).unwrap();
    text.contains("JSONata")
        || text.contains("{%")
        || text.contains("\"Assign\"")
        || variable_reference.is_match(&text)
}

struct Recorded {
    state: String,
    parameters: Option<Value>,
    result: Answer,
    used: bool,
}

#[derive(Clone)]
enum Answer {
    Done(Result<Value, StatesError>),
    Never,
}

/// The recorder parsed JSON causes back into objects; Step Functions carries them as text,
/// which the legacy Lambda integration wrote with Python's separators and the others compactly.
fn cause_text(cause: &Value, event: &str) -> Option<String> {
    match cause {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other if event.starts_with("LambdaFunction") => Some(python_json(other)),
        other => Some(other.to_string()),
    }
}

fn python_json(v: &Value) -> String {
    match v {
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(python_json).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(members) => format!(
            "{{{}}}",
            members
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), python_json(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// Answers each Task state with its recorded invocations: the Nth call of a state gets the
/// Nth recording, except that a recording whose parameters match the call is preferred (Map
/// and Parallel calls come in no fixed order).
fn recorded_tasks(case: &Value) -> TaskRegistry {
    let invocations = case["tasks"]["invocations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let recorded: Vec<Recorded> = invocations
        .iter()
        .map(|inv| {
            let result = &inv["result"];
            let event = result["event"].as_str().unwrap_or_default();
            let answer = match result.get("output") {
                Some(output) => Answer::Done(Ok(output.clone())),
                // The task did not answer in time: let the executor's own timer fire.
                None if event.ends_with("TimedOut") => Answer::Never,
                None => Answer::Done(Err(StatesError::from_parts(
                    result["error"].as_str().map(str::to_string),
                    cause_text(&result["cause"], event),
                ))),
            };
            Recorded {
                state: inv["state"].as_str().unwrap_or_default().to_string(),
                parameters: inv.get("parameters").or_else(|| inv.get("input")).cloned(),
                result: answer,
                used: false,
            }
        })
        .collect();
    let recorded = Arc::new(Mutex::new(recorded));
    TaskRegistry::new().fallback(move |request: stepfn::TaskRequest| {
        let recorded = recorded.clone();
        async move {
            let answer = {
                let mut all = recorded.lock().unwrap();
                let candidates: Vec<usize> = (0..all.len())
                    .filter(|&i| !all[i].used && *all[i].state == *request.state_name)
                    .collect();
                let chosen = candidates
                    .iter()
                    .copied()
                    .find(|&i| all[i].parameters.as_ref() == Some(&request.input))
                    .or_else(|| candidates.first().copied());
                let answer = match chosen {
                    Some(i) => {
                        all[i].used = true;
                        all[i].result.clone()
                    }
                    None => Answer::Done(Err(StatesError::new(
                        "Test.NoRecording",
                        format!(
                            "no recorded invocation left for state {}",
                            request.state_name
                        ),
                    ))),
                };
                answer
            };
            match answer {
                Answer::Done(result) => result,
                Answer::Never => {
                    // Longer than any timeout a case sets; the virtual clock makes it free.
                    tokio::time::sleep(std::time::Duration::from_secs(400 * 86_400)).await;
                    Err(StatesError::new(
                        "Test.NeverAnswered",
                        "the recorded task timed out",
                    ))
                }
            }
        }
    })
}

/// Writes the S3 objects a case's setup put, under a fresh directory.
fn s3_setup(case: &Value, dir: &Path) {
    for call in case["tasks"]["aws_setup_calls"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if call["service"] == "s3" && call["op"] == "put_object" {
            let args = &call["kwargs"];
            let path = dir
                .join(args["Bucket"].as_str().unwrap())
                .join(args["Key"].as_str().unwrap());
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, args["Body"].as_str().unwrap_or_default()).unwrap();
        }
    }
}

/// The event types and state names of a history, as the comparison sees them.
fn event_sequence(events: impl Iterator<Item = (String, Option<String>)>) -> Vec<String> {
    events
        .map(|(t, name)| match name {
            Some(n) => format!("{t}:{n}"),
            None => t,
        })
        .collect()
}

fn recorded_sequence(history: &[Value]) -> Vec<String> {
    event_sequence(history.iter().map(|e| {
        let t = e["type"].as_str().unwrap_or_default().to_string();
        let name = e
            .get("stateEnteredEventDetails")
            .or_else(|| e.get("stateExitedEventDetails"))
            .and_then(|d| d["name"].as_str())
            .map(str::to_string);
        (t, name)
    }))
}

/// How a passing case's history compares with AWS's recording.
#[derive(Clone, Copy)]
struct HistoryMatch {
    /// Event types and state names, in order.
    sequence: bool,
    /// Every event's id, type and `previousEventId`.
    numbered: bool,
}

enum Verdict {
    Pass { history: Option<HistoryMatch> },
    Fail(String),
}

/// An event as the numbered comparison sees it: id, type, previousEventId. An id of `None`
/// is one the recorder replaced by a placeholder (events of concurrent Parallel branches, whose
/// order AWS does not fix): it matches any id.
type Numbered = (Option<u64>, String, Option<u64>);

/// The recorded events in the order AWS numbered them.
fn recorded_numbering(history: &[Value], reverse_order: bool) -> Vec<Numbered> {
    let mut events: Vec<Numbered> = history
        .iter()
        .map(|e| {
            (
                e["id"].as_u64(),
                e["type"].as_str().unwrap_or_default().to_string(),
                e["previousEventId"].as_u64(),
            )
        })
        .collect();
    if reverse_order {
        events.reverse();
    }
    events
}

/// Whether our event matches the recorded one: a placeholder id matches any id and
/// previousEventId (the recorder wrote 0 for both).
fn same_numbering(ours: &Numbered, theirs: &Numbered) -> bool {
    ours.1 == theirs.1
        && match theirs.0 {
            None => true,
            Some(id) => ours.0 == Some(id) && theirs.2.is_none_or(|p| ours.2 == Some(p)),
        }
}

/// Whether our history is numbered as the recorded one. Each run of placeholder events (the
/// events of concurrent branches) was recorded in an order of the recorder's own, so within
/// it only the event types count, in any order.
fn numbered_alike(ours: &[Numbered], theirs: &[Numbered]) -> bool {
    if ours.len() != theirs.len() {
        return false;
    }
    let mut at = 0;
    while at < theirs.len() {
        if theirs[at].0.is_some() {
            if !same_numbering(&ours[at], &theirs[at]) {
                return false;
            }
            at += 1;
            continue;
        }
        let end = (at..theirs.len())
            .find(|&i| theirs[i].0.is_some())
            .unwrap_or(theirs.len());
        let mut our_types: Vec<&str> = ours[at..end].iter().map(|e| e.1.as_str()).collect();
        let mut their_types: Vec<&str> = theirs[at..end].iter().map(|e| e.1.as_str()).collect();
        our_types.sort_unstable();
        their_types.sort_unstable();
        if our_types != their_types {
            return false;
        }
        at = end;
    }
    true
}

/// Where two numbered histories part, for the diff report.
fn first_numbering_difference(ours: &[Numbered], theirs: &[Numbered]) -> String {
    let at = ours
        .iter()
        .zip(theirs)
        .take_while(|(a, b)| same_numbering(a, b))
        .count();
    format!(
        "ours {:?} / AWS {:?}",
        &ours[at.min(ours.len())..ours.len().min(at + 3)],
        &theirs[at.min(theirs.len())..theirs.len().min(at + 3)]
    )
}

/// The recorder replaced activity ARNs by a placeholder; a Task whose recorded calls were
/// activity calls gets an activity ARN back, so it runs as the activity task it was.
fn restore_redacted_resources(case: &Value) -> Value {
    let mut definition = case["definition"].clone();
    let activity_states: HashSet<&str> = case["tasks"]["invocations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| {
            i["event"]
                .as_str()
                .is_some_and(|e| e.starts_with("Activity"))
        })
        .filter_map(|i| i["state"].as_str())
        .collect();
    fn walk(v: &mut Value, activity_states: &HashSet<&str>) {
        match v {
            Value::Object(members) => {
                for (name, state) in members.iter_mut() {
                    let redacted = state["Resource"]
                        .as_str()
                        .is_some_and(|r| r.starts_with('<') && r.ends_with('>'));
                    if redacted && activity_states.contains(name.as_str()) {
                        state["Resource"] = Value::String(format!(
                            "arn:aws:states:us-east-1:111111111111:activity:{name}"
                        ));
                    }
                    walk(state, activity_states);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, activity_states)),
            _ => {}
        }
    }
    walk(&mut definition, &activity_states);
    definition
}

fn run_case(case: &Value, scratch: &Path) -> Verdict {
    let definition = match stepfn::parse::from_value(&restore_redacted_resources(case)) {
        Ok(m) => m,
        Err(problems) => return Verdict::Fail(format!("definition rejected: {problems}")),
    };
    let _ = fs::remove_dir_all(scratch);
    fs::create_dir_all(scratch).unwrap();
    s3_setup(case, scratch);
    let runtime = stepfn::clock::virtual_runtime().unwrap();
    let outcome = runtime.block_on(async {
        let options = ExecutionOptions::new()
            .with_clock(Arc::new(VirtualClock::starting_at(
                common::RECORDING_INSTANT_MILLIS,
            )))
            .with_tasks(recorded_tasks(case))
            .with_s3_root(scratch.to_path_buf())
            .with_execution_type(if case["meta"]["state_machine_type"] == "EXPRESS" {
                stepfn::model::ExecutionType::Express
            } else {
                stepfn::model::ExecutionType::Standard
            });
        Executor::new(definition)
            .run(case["input"].clone(), options)
            .await
    });
    let expect = &case["expect"];
    let cmp = Comparer::new(case);
    let status = outcome.status.as_str();
    if expect["status"] != status {
        return Verdict::Fail(format!(
            "status {status} (expected {}); error {:?} cause {:?}",
            expect["status"], outcome.error, outcome.cause
        ));
    }
    if status == "SUCCEEDED" {
        let actual = outcome.output.clone().unwrap_or(Value::Null);
        if !cmp.values(&expect["output"], &actual) {
            return Verdict::Fail(format!("output {actual}\n   expected {}", expect["output"]));
        }
    } else {
        let error_ok = match (expect["error"].as_str(), outcome.error.as_deref()) {
            (None, None) => true,
            (Some(e), Some(a)) => cmp.strings(e, a),
            (None, Some(_)) | (Some(_), None) => false,
        };
        let cause_ok = match (&expect["cause"], outcome.cause.as_deref()) {
            (Value::Null, None | Some("")) => true,
            (Value::String(e), None) => e.is_empty(),
            (Value::String(e), Some(a)) => cmp.strings(e, a),
            // The recorder parsed JSON causes into objects: compare them as JSON.
            (e, Some(a)) => serde_json::from_str::<Value>(a).is_ok_and(|a| cmp.values(e, &a)),
            _ => false,
        };
        if !error_ok || !cause_ok {
            return Verdict::Fail(format!(
                "error {:?} cause {:?}\n   expected error {} cause {}",
                outcome.error, outcome.cause, expect["error"], expect["cause"]
            ));
        }
    }
    let history = case["history"].as_array().map(|recorded| {
        let ours = event_sequence(
            outcome
                .history
                .iter()
                .map(|e| (e.event_type.to_string(), state_name_of(e))),
        );
        let mut theirs = recorded_sequence(recorded);
        // Some recordings are of GetExecutionHistory with reverseOrder.
        let reverse_order = case["source"]
            .as_str()
            .is_some_and(|s| s.contains("reverseOrder[True]"));
        if reverse_order {
            theirs.reverse();
        }
        if ours != theirs && std::env::var_os("STEPFN_HISTORY_DIFF").is_some() {
            let at = ours.iter().zip(&theirs).take_while(|(a, b)| a == b).count();
            println!(
                "{}: history differs at event {}: ours {:?} / AWS {:?}",
                case["source"].as_str().unwrap_or_default(),
                at + 1,
                &ours[at..ours.len().min(at + 4)],
                &theirs[at..theirs.len().min(at + 4)]
            );
        }
        let ours_numbered: Vec<Numbered> = outcome
            .history
            .iter()
            .map(|e| {
                (
                    Some(e.id),
                    e.event_type.to_string(),
                    Some(e.previous_event_id),
                )
            })
            .collect();
        let theirs_numbered = recorded_numbering(recorded, reverse_order);
        let numbered = numbered_alike(&ours_numbered, &theirs_numbered);
        if !numbered && std::env::var_os("STEPFN_HISTORY_DUMP").is_some() {
            for i in 0..ours_numbered.len().max(theirs_numbered.len()) {
                println!(
                    "  {:<45} {:?}",
                    format!("{:?}", ours_numbered.get(i)),
                    theirs_numbered.get(i)
                );
            }
        }
        if !numbered && std::env::var_os("STEPFN_HISTORY_DIFF").is_some() {
            println!(
                "{}: numbering differs: {}",
                case["source"].as_str().unwrap_or_default(),
                first_numbering_difference(&ours_numbered, &theirs_numbered)
            );
        }
        HistoryMatch {
            sequence: ours == theirs,
            numbered,
        }
    });
    Verdict::Pass { history }
}

fn state_name_of(e: &stepfn::HistoryEvent) -> Option<String> {
    (e.event_type.ends_with("StateEntered") || e.event_type.ends_with("StateExited"))
        .then(|| e.state_name().map(str::to_string))
        .flatten()
}

#[test]
fn recorded_executions_end_as_on_aws() {
    let root = conformance().join("executions");
    let index: Vec<Value> =
        serde_json::from_str(&fs::read_to_string(root.join("INDEX.json")).unwrap()).unwrap();
    let skips = skips();
    let only = std::env::var("STEPFN_CASE").ok();
    let scratch = std::env::temp_dir().join(format!("stepfn-executions-{}", std::process::id()));
    let mut by_group: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let (mut in_scope, mut passed, mut history_total, mut history_ok) = (0, 0, 0, 0);
    let numbering_skips = numbering_skips();
    let mut numbered_ok = 0;
    let mut numbering_failures = Vec::new();
    let (mut numbering_seen, mut numbered) = (Vec::new(), Vec::new());
    let (mut modern_total, mut modern_passed) = (0, 0);
    let mut failures = Vec::new();
    let mut passing = Vec::new();
    let mut seen = HashSet::new();
    for entry in &index {
        let file = entry["file"].as_str().unwrap();
        if only.as_deref().is_some_and(|o| !file.contains(o)) {
            continue;
        }
        let case: Value =
            serde_json::from_str(&fs::read_to_string(root.join(file)).unwrap()).unwrap();
        let modern = uses_jsonata_or_variables(&case["definition"]);
        seen.insert(file.to_string());
        in_scope += 1;
        modern_total += usize::from(modern);
        let group = file.split('/').next().unwrap().to_string();
        let counts = by_group.entry(group).or_default();
        counts.0 += 1;
        let verdict = run_case(&case, &scratch);
        match (verdict, skips.contains(file)) {
            (Verdict::Pass { history }, _) => {
                passed += 1;
                modern_passed += usize::from(modern);
                counts.1 += 1;
                if let Some(m) = history {
                    history_total += 1;
                    history_ok += usize::from(m.sequence);
                    numbered_ok += usize::from(m.numbered);
                    numbering_seen.push(file.to_string());
                    if m.numbered {
                        numbered.push(file.to_string());
                    } else if !numbering_skips.contains(file) {
                        numbering_failures.push(file.to_string());
                    }
                }
                passing.push(file.to_string());
            }
            (Verdict::Fail(_), true) => counts.2 += 1,
            (Verdict::Fail(why), false) => failures.push(format!("{file}: {why}")),
        }
    }
    let _ = fs::remove_dir_all(&scratch);
    println!("recorded executions, by group (cases / passed / skipped):");
    for (group, (n, p, s)) in &by_group {
        println!("  {group:<20} {n:>4} {p:>4} {s:>4}");
    }
    println!("of them using JSONata or Variables: passed {modern_passed} of {modern_total}");
    println!("passed {passed} of {in_scope}; history event sequence matches AWS in {history_ok} of {history_total} passing cases with a recording");
    println!("history ids, types and previousEventIds match AWS in {numbered_ok} of {history_total} passing cases with a recording");
    if only.is_none() {
        skips.assert_not_stale(&seen, &passing);
        numbering_skips.assert_not_stale(&numbering_seen, &numbered);
        assert!(
            passed * 100 >= in_scope * 95,
            "only {passed} of {in_scope} pass (95% needed)"
        );
    }
    skips.assert_not_stale(skips.cases(), &passing);
    numbering_skips.assert_not_stale(numbering_skips.cases(), &numbered);
    assert!(
        numbering_failures.is_empty(),
        "{} passing cases number their history unlike AWS (STEPFN_HISTORY_DIFF=1 shows where):\n{}",
        numbering_failures.len(),
        numbering_failures.join("\n")
    );
    assert!(
        failures.is_empty(),
        "{} cases fail and are not on the skip list:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
