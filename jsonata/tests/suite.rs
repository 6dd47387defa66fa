//! The official JSONata test suite (`../shared/conformance/jsonata`): every case, compared by
//! result, undefined result or error code. Cases we cannot pass yet are listed, with the reason,
//! in `tests/suite-skips.txt`; a listed case that passes fails the test so the list only shrinks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use stepfn_jsonata::{Bindings, Expression, Limits};
use stepfn_testkit::SkipList;

fn suite_root() -> PathBuf {
    stepfn_testkit::conformance().join("jsonata")
}

struct Case {
    id: String,
    group: String,
    body: Value,
}

fn cases() -> Vec<Case> {
    let root = suite_root().join("groups");
    let mut out = Vec::new();
    let mut groups: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("the JSONata suite must be at {}: {e}", root.display()))
        .flatten()
        .collect();
    groups.sort_by_key(|g| g.file_name());
    for group in groups {
        let group_name = group.file_name().to_string_lossy().to_string();
        let mut files: Vec<_> = std::fs::read_dir(group.path()).unwrap().flatten().collect();
        files.sort_by_key(|f| f.file_name());
        for file in files {
            if !file.file_name().to_string_lossy().ends_with(".json") {
                continue;
            }
            let name = file
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".json")
                .to_string();
            let text = std::fs::read_to_string(file.path()).unwrap();
            // A few files hold lone UTF-16 surrogates (`\\ud800`), which no Rust string can.
            let body: Value = match serde_json::from_str(&text) {
                Ok(body) => body,
                Err(e) => serde_json::json!({ "unreadable": e.to_string() }),
            };
            match body {
                Value::Array(items) => {
                    for (i, item) in items.into_iter().enumerate() {
                        out.push(Case {
                            id: format!("{group_name}/{name}#{i}"),
                            group: group_name.clone(),
                            body: item,
                        });
                    }
                }
                body => out.push(Case {
                    id: format!("{group_name}/{name}"),
                    group: group_name.clone(),
                    body,
                }),
            }
        }
    }
    out
}

fn same(a: &Value, b: &Value, unordered: bool) -> bool {
    match (a, b) {
        // Within a few units in the last place: the suite's own expectations for one sum
        // differ by one (90.57 in some cases, 90.57000000000001 in others).
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || (x - y).abs() <= 4.0 * f64::EPSILON * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return false;
            }
            if unordered {
                let mut used = vec![false; y.len()];
                x.iter().all(|xi| {
                    match y
                        .iter()
                        .enumerate()
                        .position(|(j, yj)| !used[j] && same(xi, yj, false))
                    {
                        Some(j) => {
                            used[j] = true;
                            true
                        }
                        None => false,
                    }
                })
            } else {
                x.iter().zip(y).all(|(a, b)| same(a, b, false))
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same(v, w, false)))
        }
        _ => a == b,
    }
}

/// Runs one case: `Ok(())` when it passes, else what differed.
fn run(case: &Case) -> Result<(), String> {
    let b = &case.body;
    if let Some(why) = b.get("unreadable") {
        return Err(format!(
            "the case file cannot be read as Rust strings: {why}"
        ));
    }
    let expr = match (b.get("expr"), b.get("expr-file")) {
        (Some(Value::String(e)), _) => e.clone(),
        (_, Some(Value::String(f))) => {
            std::fs::read_to_string(suite_root().join("groups").join(&case.group).join(f))
                .map_err(|e| format!("expr-file: {e}"))?
        }
        _ => return Err("no expression".into()),
    };
    let data: Option<Value> = match (b.get("data"), b.get("dataset")) {
        (Some(d), _) => Some(d.clone()),
        (_, Some(Value::String(name))) => {
            let text =
                std::fs::read_to_string(suite_root().join("datasets").join(format!("{name}.json")))
                    .map_err(|e| format!("dataset: {e}"))?;
            Some(serde_json::from_str(&text).map_err(|e| e.to_string())?)
        }
        _ => None,
    };
    let bindings: Bindings = b
        .get("bindings")
        .and_then(Value::as_object)
        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let mut limits = Limits::default();
    if let Some(d) = b.get("depth").and_then(Value::as_u64) {
        limits.max_depth = d as usize;
    }
    if let Some(t) = b.get("timelimit").and_then(Value::as_u64) {
        limits.time_limit = Some(Duration::from_millis(t));
    }
    let outcome =
        Expression::parse(&expr).and_then(|e| e.evaluate_with(data.as_ref(), &bindings, limits));
    let unordered = b.get("unordered").and_then(Value::as_bool).unwrap_or(false);
    let code = b
        .get("code")
        .or_else(|| b.get("error").and_then(|e| e.get("code")))
        .and_then(Value::as_str);
    if let Some(code) = code {
        return match outcome {
            Err(e) if e.code == code => Ok(()),
            Err(e) => Err(format!(
                "expected error {code}, got {}: {}",
                e.code, e.message
            )),
            Ok(v) => Err(format!("expected error {code}, got {}", show(&v))),
        };
    }
    if b.get("undefinedResult").and_then(Value::as_bool) == Some(true) {
        return match outcome {
            Ok(None) => Ok(()),
            Ok(v) => Err(format!("expected undefined, got {}", show(&v))),
            Err(e) => Err(format!(
                "expected undefined, got error {}: {}",
                e.code, e.message
            )),
        };
    }
    let expected = b.get("result").cloned().unwrap_or(Value::Null);
    match outcome {
        Ok(Some(v)) if same(&v, &expected, unordered) => Ok(()),
        Ok(v) => Err(format!("expected {expected}, got {}", show(&v))),
        Err(e) => Err(format!(
            "expected {expected}, got error {}: {}",
            e.code, e.message
        )),
    }
}

fn show(v: &Option<Value>) -> String {
    v.as_ref()
        .map(|v| v.to_string())
        .unwrap_or_else(|| "undefined".into())
}

fn skip_list() -> SkipList {
    SkipList::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suite-skips.txt")).unwrap()
}

#[test]
fn the_jsonata_test_suite() {
    let only = std::env::var("STEPFN_CASE").ok();
    let skips = skip_list();
    let all = cases();
    let mut passed = 0;
    let mut unexpected = Vec::new();
    let mut now_passing = Vec::new();
    let mut seen = Vec::new();
    let mut by_group: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for case in &all {
        if only.as_ref().is_some_and(|o| !case.id.contains(o.as_str())) {
            continue;
        }
        seen.push(case.id.as_str());
        let result = run(case);
        let entry = by_group.entry(case.group.clone()).or_default();
        entry.0 += 1;
        match (result, skips.contains(&case.id)) {
            (Ok(()), false) => {
                passed += 1;
                entry.1 += 1;
            }
            (Ok(()), true) => {
                passed += 1;
                entry.1 += 1;
                now_passing.push(case.id.clone());
            }
            (Err(why), true) => {
                if std::env::var_os("STEPFN_WHY").is_some() {
                    println!("skipped {}: {why}", case.id);
                }
            }
            (Err(why), false) => unexpected.push(format!("{}: {why}", case.id)),
        }
    }
    let total: usize = by_group.values().map(|(n, _)| n).sum();
    if std::env::var("STEPFN_GROUPS").is_ok() {
        for (g, (n, p)) in &by_group {
            if p < n {
                println!("{g}: {p}/{n}");
            }
        }
    }
    println!(
        "JSONata suite: passed {passed} of {total} ({:.1}%); {} on the skip list",
        100.0 * passed as f64 / total.max(1) as f64,
        skips.len()
    );
    assert!(
        unexpected.is_empty(),
        "{} cases fail and are not on tests/suite-skips.txt:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    if only.is_none() {
        skips.assert_not_stale(&seen, &now_passing);
    } else {
        skips.assert_not_stale(skips.cases(), &now_passing);
    }
}
