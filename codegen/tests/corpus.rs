//! The ASL model and validator against the conformance corpus in `../shared/conformance`:
//! definitions AWS ran or accepted, and definitions AWS (or a tool) rejected.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use stepfn_codegen::{check, check_value, emit, parse, CheckOptions, MachineType, QueryLanguage};

use stepfn_testkit::{conformance, SkipList};

/// A skip list in `tests/`.
fn skip_list(name: &str) -> SkipList {
    SkipList::load(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests")
            .join(name),
    )
    .unwrap()
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(p).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every execution case: (file, definition, machine type).
fn executions() -> Vec<(PathBuf, Value, MachineType)> {
    json_files(&conformance().join("executions"))
        .into_iter()
        .filter(|p| {
            !matches!(
                p.file_name().and_then(|n| n.to_str()),
                Some("INDEX.json" | "SKIPPED.json")
            )
        })
        .map(|p| {
            let case = read_json(&p);
            let machine_type = match case["meta"]["state_machine_type"].as_str() {
                Some("EXPRESS") => MachineType::Express,
                _ => MachineType::Standard,
            };
            (p, case["definition"].clone(), machine_type)
        })
        .collect()
}

/// Reads `original` with `read`, writes it back with `write`, and records any difference.
fn round_trip<T>(
    file: &Path,
    original: &Value,
    read: impl FnOnce(&Value) -> Result<T, stepfn_codegen::Problems>,
    write: impl FnOnce(&T) -> Value,
    failures: &mut Vec<String>,
) {
    match read(original) {
        Ok(model) => {
            let written = write(&model);
            if &written != original {
                failures.push(format!(
                    "{}: written back differs:\n  read  {original}\n  wrote {written}",
                    file.display()
                ));
            }
        }
        Err(problems) => failures.push(format!("{}: not read: {problems}", file.display())),
    }
}

fn round_trip_machine(file: &Path, original: &Value, failures: &mut Vec<String>) {
    round_trip(file, original, parse::from_value, emit::to_value, failures);
}

#[test]
fn round_trip_over_the_whole_corpus() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (file, definition, _) in executions() {
        round_trip_machine(&file, &definition, &mut failures);
        count += 1;
    }
    for file in json_files(&conformance().join("validator/valid")) {
        let text = fs::read_to_string(&file).unwrap();
        let original: Value = serde_json::from_str(&text).unwrap();
        round_trip_machine(&file, &original, &mut failures);
        count += 1;
    }
    for file in json_files(&conformance().join("test-state")) {
        let case = read_json(&file);
        let definition = &case["definition"];
        if definition.get("StartAt").is_some() {
            round_trip_machine(&file, definition, &mut failures);
        } else {
            round_trip(
                file.as_path(),
                definition,
                |v| parse::state_from_value(v, QueryLanguage::JsonPath),
                emit::state_to_value,
                &mut failures,
            );
        }
        count += 1;
    }
    assert!(count > 1300, "only {count} definitions found");
    assert!(
        failures.is_empty(),
        "{} of {count} definitions do not round-trip:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_definition_aws_ran_is_valid() {
    let mut failures = Vec::new();
    let all = executions();
    for (file, definition, machine_type) in &all {
        if let Err(problems) = check_value(
            definition,
            &CheckOptions::new().with_machine_type(*machine_type),
        ) {
            failures.push(format!("{}: {problems}", file.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} executed definitions rejected:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

struct ValidatorCase {
    file: String,
    text: String,
    valid: bool,
    recorded_against_aws: bool,
    machine_type: MachineType,
    aws_message: Option<String>,
}

fn validator_cases() -> Vec<ValidatorCase> {
    let dir = conformance().join("validator");
    let manifest = read_json(&dir.join("manifest.json"));
    let mut out = Vec::new();
    for (file, entry) in manifest.as_object().expect("manifest is an object") {
        let text = fs::read_to_string(dir.join(file)).unwrap();
        let expect = &entry["expect"];
        let machine_type = if expect["type"] == "EXPRESS" {
            MachineType::Express
        } else {
            MachineType::Standard
        };
        let aws_message = expect["message"]
            .as_str()
            .or_else(|| expect["raw"]["exception_value"].as_str())
            .map(str::to_string)
            .or_else(|| {
                expect["diagnostics"][0]["message"]
                    .as_str()
                    .map(str::to_string)
            });
        out.push(ValidatorCase {
            file: file.clone(),
            text,
            valid: entry["valid"] == true,
            recorded_against_aws: entry["recorded_against_aws"] == true,
            machine_type,
            aws_message,
        });
    }
    assert!(out.len() > 290, "only {} validator cases", out.len());
    out
}

#[test]
fn aws_recorded_verdicts_are_matched() {
    let mut failures = Vec::new();
    let mut count = 0;
    let skipped = skip_list("aws-verdict-skips.txt");
    let (mut seen, mut now_matching) = (Vec::new(), Vec::new());
    for case in validator_cases()
        .into_iter()
        .filter(|c| c.recorded_against_aws)
    {
        seen.push(case.file.clone());
        if skipped.contains(&case.file) {
            let accepted = check(
                &case.text,
                &CheckOptions::new().with_machine_type(case.machine_type),
            )
            .is_ok();
            if accepted == case.valid {
                now_matching.push(case.file.clone());
            }
            continue;
        }
        count += 1;
        let result = check(
            &case.text,
            &CheckOptions::new().with_machine_type(case.machine_type),
        );
        match (case.valid, result) {
            (true, Err(problems)) => failures.push(format!(
                "{}: AWS accepts it, we reject it: {problems}",
                case.file
            )),
            (false, Ok(_)) => failures.push(format!(
                "{}: AWS rejects it ({:?}), we accept it",
                case.file, case.aws_message
            )),
            _ => {}
        }
    }
    assert!(count >= 115, "only {count} AWS-recorded cases");
    skipped.assert_not_stale(&seen, &now_matching);
    assert!(
        failures.is_empty(),
        "{} of {count} AWS verdicts not matched:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Where AWS recorded its message, ours must contain AWS's words (the part that names the
/// problem, before AWS's ` at /pointer`).
#[test]
fn aws_messages_are_reproduced() {
    let mut failures = Vec::new();
    let skipped = skip_list("aws-message-skips.txt");
    let (mut seen, mut now_matching) = (Vec::new(), Vec::new());
    for case in validator_cases()
        .into_iter()
        .filter(|c| c.recorded_against_aws && !c.valid)
    {
        let Some(aws) = &case.aws_message else {
            continue;
        };
        seen.push(case.file.clone());
        let Err(problems) = check(
            &case.text,
            &CheckOptions::new().with_machine_type(case.machine_type),
        ) else {
            continue;
        };
        let ours = problems.to_string();
        let core = aws_core(aws);
        if skipped.contains(&case.file) {
            if ours.contains(&core) {
                now_matching.push(case.file.clone());
            }
        } else if !ours.contains(&core) {
            failures.push(format!("{}:\n  AWS  {core}\n  ours {ours}", case.file));
        }
    }
    skipped.assert_not_stale(&seen, &now_matching);
    assert!(
        failures.is_empty(),
        "{} messages differ from AWS's:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The problem text inside AWS's error: `...: 'CODE: message at /ptr'` becomes `message`.
fn aws_core(aws: &str) -> String {
    let inner = aws
        .split_once("Invalid State Machine Definition: '")
        .map_or(aws, |(_, rest)| rest.trim_end_matches('\''));
    let inner = inner
        .split_once(": ")
        .filter(|(code, _)| code.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .map_or(inner, |(_, m)| m);
    let inner = inner.rsplit_once(" at /").map_or(inner, |(m, _)| m);
    let inner = &inner.replace("\\'", "'");
    if let Some(args) = inner.strip_prefix("Error=ValueError Args=[") {
        let end = args.find("] in definition").unwrap_or(args.len());
        let quoted = &args[..end];
        return quoted[1..quoted.len() - 1].replace("\\\\", "\\");
    }
    inner.replace("<partition>", "aws")
}

/// The cases labelled by another tool, not by AWS. Where we disagree, AWS's behaviour as far
/// as it is known decides, and each disagreement is listed with its reason in
/// `tests/validator-disagreements.txt`. The list may only shrink.
#[test]
fn tool_labelled_verdicts_agree_at_least_95_percent() {
    let listed = skip_list("validator-disagreements.txt");
    let mut disagreements = BTreeMap::new();
    let (mut total, mut seen) = (0, Vec::new());
    for case in validator_cases()
        .into_iter()
        .filter(|c| !c.recorded_against_aws)
    {
        total += 1;
        seen.push(case.file.clone());
        let accepted = check(
            &case.text,
            &CheckOptions::new().with_machine_type(case.machine_type),
        );
        if accepted.is_ok() != case.valid {
            let ours = match accepted {
                Ok(_) => "accepted".to_string(),
                Err(p) => format!("rejected: {p}"),
            };
            disagreements.insert(case.file.clone(), ours);
        }
    }
    let agreement = 1.0 - disagreements.len() as f64 / total as f64;
    let unlisted: Vec<String> = disagreements
        .iter()
        .filter(|(f, _)| !listed.contains(f))
        .map(|(f, ours)| format!("{f}: we {ours}"))
        .collect();
    let agreeing: Vec<&str> = seen
        .iter()
        .map(String::as_str)
        .filter(|f| !disagreements.contains_key(*f))
        .collect();
    assert!(
        unlisted.is_empty(),
        "disagreements not listed with a reason:\n{}",
        unlisted.join("\n")
    );
    listed.assert_not_stale(&seen, agreeing);
    assert!(
        agreement >= 0.95,
        "agreement {:.1}% over {total} tool-labelled files is below 95%",
        agreement * 100.0
    );
    eprintln!(
        "tool-labelled agreement: {}/{total} ({:.1}%)",
        total - disagreements.len(),
        agreement * 100.0
    );
}
