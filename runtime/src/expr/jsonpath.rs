//! JSONPath evaluation as Step Functions does it (the Jayway dialect).
//!
//! A *definite* path (names and indexes only) selects one node and fails when that node is
//! missing; any other path (wildcards, slices, unions, filters, deep scans) selects a list,
//! possibly empty, and is returned as a JSON array. Functions such as `.length()` apply to
//! what was selected before them.

use std::borrow::Cow;
use std::fmt::Write;

use regex_lite::Regex;
use serde_json::Number;

use crate::data::Data;
use stepfn_codegen::{FilterExpr, FilterOp, FilterOperand, Path, Segment, Selector};

/// Why a path selected nothing, worded as Step Functions words it (`No results for path:
/// $['x']`, `Missing property in path $['a']`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathNotFound {
    /// The message, without the path text it was evaluated for.
    pub message: String,
}

/// Evaluates `path` (its root already chosen by the caller) against `document`.
pub fn select<'a>(path: &Path, document: &'a Data) -> Result<Cow<'a, Data>, PathNotFound> {
    select_segments(path.segments(), document, document)
}

/// Evaluates segments against `node`; `root` is what `$` means inside filters.
pub fn select_segments<'a>(
    segments: &[Segment],
    node: &'a Data,
    root: &'a Data,
) -> Result<Cow<'a, Data>, PathNotFound> {
    let (selection, functions) = split_functions(segments);
    let selected = if is_definite(selection) {
        Cow::Borrowed(definite(selection, node)?)
    } else {
        let mut found = Vec::new();
        indefinite(selection, node, root, &mut found);
        Cow::Owned(found.into_iter().cloned().collect())
    };
    functions.iter().try_fold(selected, |value, f| match f {
        Segment::Function(name) => apply_function(name, &value).map(Cow::Owned),
        // Selection after a function is not Jayway syntax; the parser does not produce it.
        _ => Ok(value),
    })
}

fn split_functions(segments: &[Segment]) -> (&[Segment], &[Segment]) {
    let at = segments
        .iter()
        .position(|s| matches!(s, Segment::Function(_)))
        .unwrap_or(segments.len());
    segments.split_at(at)
}

fn is_definite(segments: &[Segment]) -> bool {
    segments
        .iter()
        .all(|s| matches!(s, Segment::Child(Selector::Name(_) | Selector::Index(_))))
}

/// The normalised form Jayway reports paths in: `$['a']['b'][0]`.
fn normalised(segments: &[Segment]) -> String {
    let mut out = String::from("$");
    for s in segments {
        match s {
            Segment::Child(Selector::Name(n)) => {
                let _ = write!(out, "['{n}']");
            }
            Segment::Child(Selector::Index(i)) => {
                let _ = write!(out, "[{i}]");
            }
            _ => {}
        }
    }
    out
}

fn definite<'a>(segments: &[Segment], node: &'a Data) -> Result<&'a Data, PathNotFound> {
    let mut current = node;
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        let next = match segment {
            Segment::Child(Selector::Name(name)) => match current {
                Data::Object(map) => map.get(name.as_str()),
                _ => {
                    return Err(PathNotFound {
                        message: format!(
                            "Expected to find an object with property {} in path {} but found '{}'",
                            normalised(&segments[i..=i]).trim_start_matches('$'),
                            normalised(&segments[..i]),
                            java_type_name(current)
                        ),
                    })
                }
            },
            Segment::Child(Selector::Index(index)) => match current {
                Data::Array(items) => resolve_index(*index, items.len()).map(|i| &items[i]),
                _ => {
                    return Err(PathNotFound {
                        message: format!(
                        "Filter: [{index}] can only be applied to arrays. Current context is: {}",
                        current
                    ),
                    })
                }
            },
            _ => unreachable!("definite paths hold names and indexes only"),
        };
        match next {
            Some(v) => current = v,
            None if last => {
                return Err(PathNotFound {
                    message: format!("No results for path: {}", normalised(segments)),
                })
            }
            None => {
                return Err(PathNotFound {
                    message: format!("Missing property in path {}", normalised(&segments[..=i])),
                })
            }
        }
    }
    Ok(current)
}

fn java_type_name(v: &Data) -> &'static str {
    match v {
        Data::Array(_) => "net.minidev.json.JSONArray",
        Data::String(_) => "java.lang.String",
        Data::Number(n) if n.is_f64() => "java.lang.Double",
        Data::Number(_) => "java.lang.Integer",
        Data::Bool(_) => "java.lang.Boolean",
        Data::Null => "null",
        Data::Object(_) => "java.util.LinkedHashMap",
    }
}

fn resolve_index(index: i64, len: usize) -> Option<usize> {
    let len = len as i64;
    let i = if index < 0 { len + index } else { index };
    (0..len).contains(&i).then_some(i as usize)
}

fn indefinite<'a>(segments: &[Segment], node: &'a Data, root: &'a Data, out: &mut Vec<&'a Data>) {
    let Some((first, rest)) = segments.split_first() else {
        out.push(node);
        return;
    };
    match first {
        Segment::Child(selector) => {
            let mut children = Vec::new();
            apply_selector(selector, node, root, &mut children);
            for child in children {
                indefinite(rest, child, root, out);
            }
        }
        Segment::Descendant(selector) => {
            let mut matches = Vec::new();
            deep_scan(selector, node, root, &mut matches);
            for m in matches {
                indefinite(rest, m, root, out);
            }
        }
        Segment::Function(_) => unreachable!("functions are split off before selection"),
    }
}

fn deep_scan<'a>(selector: &Selector, node: &'a Data, root: &'a Data, out: &mut Vec<&'a Data>) {
    apply_selector(selector, node, root, out);
    match node {
        Data::Object(map) => map.values().for_each(|v| deep_scan(selector, v, root, out)),
        Data::Array(items) => items.iter().for_each(|v| deep_scan(selector, v, root, out)),
        _ => {}
    }
}

fn apply_selector<'a>(
    selector: &Selector,
    node: &'a Data,
    root: &'a Data,
    out: &mut Vec<&'a Data>,
) {
    match (selector, node) {
        (Selector::Name(name), Data::Object(map)) => out.extend(map.get(name.as_str())),
        (Selector::Names(names), Data::Object(map)) => {
            out.extend(names.iter().filter_map(|n| map.get(n.as_str())))
        }
        (Selector::Wildcard, Data::Object(map)) => out.extend(map.values()),
        (Selector::Wildcard, Data::Array(items)) => out.extend(items.iter()),
        (Selector::Index(i), Data::Array(items)) => {
            out.extend(resolve_index(*i, items.len()).map(|i| &items[i]))
        }
        (Selector::Indexes(indexes), Data::Array(items)) => out.extend(
            indexes
                .iter()
                .filter_map(|i| resolve_index(*i, items.len()).map(|i| &items[i])),
        ),
        (Selector::Slice(bounds), Data::Array(items)) => {
            let len = items.len() as i64;
            let step = bounds.step.unwrap_or(1);
            if step <= 0 {
                return;
            }
            let clamp = |i: i64| if i < 0 { (len + i).max(0) } else { i.min(len) };
            let start = clamp(bounds.start.unwrap_or(0));
            let end = clamp(bounds.end.unwrap_or(len));
            let mut i = start;
            while i < end {
                out.push(&items[i as usize]);
                i += step;
            }
        }
        (Selector::Filter(filter), Data::Array(items)) => out.extend(
            items
                .iter()
                .filter(|item| filter_matches(filter, item, root)),
        ),
        (Selector::Filter(filter), Data::Object(_)) if filter_matches(filter, node, root) => {
            out.push(node)
        }
        (Selector::Script(script), Data::Array(items)) => {
            if let Some(i) = script_index(script, items.len()) {
                out.extend(resolve_index(i, items.len()).map(|i| &items[i]));
            }
        }
        _ => {}
    }
}

/// Jayway scripts in brackets are in practice `(@.length-N)`; that is the form supported.
fn script_index(script: &str, len: usize) -> Option<i64> {
    let compact: String = script.chars().filter(|c| !c.is_whitespace()).collect();
    let inner = compact.strip_prefix('(')?.strip_suffix(')')?;
    let rest = inner.strip_prefix("@.length")?;
    if rest.is_empty() {
        return Some(len as i64);
    }
    let (sign, number) = rest.split_at(1);
    let n: i64 = number.parse().ok()?;
    match sign {
        "-" => Some(len as i64 - n),
        "+" => Some(len as i64 + n),
        _ => None,
    }
}

fn filter_matches(filter: &FilterExpr, current: &Data, root: &Data) -> bool {
    match filter {
        FilterExpr::Or(a, b) => {
            filter_matches(a, current, root) || filter_matches(b, current, root)
        }
        FilterExpr::And(a, b) => {
            filter_matches(a, current, root) && filter_matches(b, current, root)
        }
        FilterExpr::Not(a) => !filter_matches(a, current, root),
        FilterExpr::Exists(operand) => match operand_value(operand, current, root) {
            Some(Operand::Value(Data::Bool(b))) => b,
            Some(_) => true,
            None => false,
        },
        FilterExpr::Compare { op, left, right } => {
            let l = operand_value(left, current, root);
            let r = operand_value(right, current, root);
            compare(*op, l, r)
        }
    }
}

enum Operand {
    Value(Data),
    Regex(Regex),
}

fn operand_value(operand: &FilterOperand, current: &Data, root: &Data) -> Option<Operand> {
    let from = |segments: &[Segment], node: &Data| -> Option<Data> {
        select_segments(segments, node, root)
            .ok()
            .map(Cow::into_owned)
    };
    match operand {
        FilterOperand::Current(segments) => from(segments, current).map(Operand::Value),
        FilterOperand::Root(segments) => from(segments, root).map(Operand::Value),
        FilterOperand::Literal(v) => Some(Operand::Value(Data::from(v))),
        FilterOperand::Regex { pattern, flags } => {
            let prefix = if flags.contains('i') { "(?i)" } else { "" };
            Regex::new(&format!("{prefix}{pattern}"))
                .ok()
                .map(Operand::Regex)
        }
    }
}

fn compare(op: FilterOp, left: Option<Operand>, right: Option<Operand>) -> bool {
    use FilterOp::*;
    let (Some(left), Some(right)) = (left, right) else {
        return op == Ne;
    };
    match (op, left, right) {
        (Matches, Operand::Value(Data::String(s)), Operand::Regex(re)) => re
            .find(&s)
            .is_some_and(|m| m.start() == 0 && m.end() == s.len()),
        (_, Operand::Value(l), Operand::Value(r)) => match op {
            Eq => values_equal(&l, &r),
            Ne => !values_equal(&l, &r),
            Lt | Le | Gt | Ge => match ordering(&l, &r) {
                Some(o) => match op {
                    Lt => o.is_lt(),
                    Le => o.is_le(),
                    Gt => o.is_gt(),
                    _ => o.is_ge(),
                },
                None => false,
            },
            In => r
                .as_array()
                .is_some_and(|a| a.iter().any(|x| values_equal(x, &l))),
            Nin => r
                .as_array()
                .is_some_and(|a| !a.iter().any(|x| values_equal(x, &l))),
            SubsetOf => match (l.as_array(), r.as_array()) {
                (Some(a), Some(b)) => a.iter().all(|x| b.iter().any(|y| values_equal(x, y))),
                _ => false,
            },
            AnyOf => match (l.as_array(), r.as_array()) {
                (Some(a), Some(b)) => a.iter().any(|x| b.iter().any(|y| values_equal(x, y))),
                _ => false,
            },
            NoneOf => match (l.as_array(), r.as_array()) {
                (Some(a), Some(b)) => !a.iter().any(|x| b.iter().any(|y| values_equal(x, y))),
                _ => false,
            },
            Size => {
                let size = match &l {
                    Data::Array(a) => a.len(),
                    Data::String(s) => s.chars().count(),
                    _ => return false,
                };
                r.as_u64() == Some(size as u64)
            }
            Empty => {
                let empty = match &l {
                    Data::Array(a) => a.is_empty(),
                    Data::String(s) => s.is_empty(),
                    _ => return false,
                };
                r.as_bool() == Some(empty)
            }
            Contains => match (&l, &r) {
                (Data::Array(a), x) => a.iter().any(|y| values_equal(x, y)),
                (Data::String(s), Data::String(x)) => s.contains(&**x),
                _ => false,
            },
            Matches => false,
        },
        _ => false,
    }
}

/// JSON equality with numbers compared by value (`1 == 1.0`).
pub fn values_equal(a: &Data, b: &Data) -> bool {
    match (a, b) {
        (Data::Number(x), Data::Number(y)) => numbers_equal(x, y),
        (Data::Array(x), Data::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| values_equal(a, b))
        }
        (Data::Object(x), Data::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w)))
        }
        _ => a == b,
    }
}

fn numbers_equal(x: &Number, y: &Number) -> bool {
    match (x.as_i64(), y.as_i64()) {
        (Some(a), Some(b)) => a == b,
        _ => x.as_f64() == y.as_f64(),
    }
}

fn ordering(a: &Data, b: &Data) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Data::Number(x), Data::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Data::String(x), Data::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn apply_function(name: &str, value: &Data) -> Result<Data, PathNotFound> {
    let numbers = || -> Result<Vec<f64>, PathNotFound> {
        let items = value.as_array().ok_or_else(|| PathNotFound {
            message: "Aggregation function attempted to calculate value using empty array".into(),
        })?;
        let nums: Vec<f64> = items.iter().filter_map(Data::as_f64).collect();
        if nums.is_empty() {
            return Err(PathNotFound {
                message: "Aggregation function attempted to calculate value using empty array"
                    .into(),
            });
        }
        Ok(nums)
    };
    let number = |f: f64| Data::Number(Number::from_f64(f).unwrap_or_else(|| Number::from(0)));
    Ok(match name {
        "length" | "size" => match value {
            Data::Array(a) => Data::from(a.len()),
            Data::Object(m) => Data::from(m.len()),
            Data::String(s) => Data::from(s.chars().count()),
            _ => {
                return Err(PathNotFound {
                    message: format!("Invalid function {name}() on {value}"),
                })
            }
        },
        "keys" => match value {
            Data::Object(m) => m.keys().map(|k| Data::from(k.as_str())).collect(),
            _ => Data::Null,
        },
        "first" => value
            .as_array()
            .and_then(|a| a.first())
            .cloned()
            .unwrap_or(Data::Null),
        "last" => value
            .as_array()
            .and_then(|a| a.last())
            .cloned()
            .unwrap_or(Data::Null),
        "min" => number(numbers()?.into_iter().fold(f64::INFINITY, f64::min)),
        "max" => number(numbers()?.into_iter().fold(f64::NEG_INFINITY, f64::max)),
        "sum" => number(numbers()?.into_iter().sum()),
        "avg" => {
            let n = numbers()?;
            number(n.iter().sum::<f64>() / n.len() as f64)
        }
        "stddev" => {
            let n = numbers()?;
            let mean = n.iter().sum::<f64>() / n.len() as f64;
            number((n.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n.len() as f64).sqrt())
        }
        _ => {
            return Err(PathNotFound {
                message: format!("Function with name: {name} does not exist."),
            })
        }
    })
}

/// Writes `value` at the reference path `segments` inside `target`, creating objects on the
/// way. Returns false when the path cannot be applied (it crosses a non-object, or indexes
/// out of range), which is `States.ResultPathMatchFailure`.
pub fn put(target: &mut Data, segments: &[Segment], value: Data) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        *target = value;
        return true;
    };
    match first {
        Segment::Child(Selector::Name(name)) if rest.is_empty() => {
            target.insert_member(name, value).is_some()
        }
        Segment::Child(Selector::Name(name)) => {
            let Some(map) = target.object_mut() else {
                return false;
            };
            let slot = map.get_or_insert_with(name.as_str(), || Data::Null);
            if !slot.is_object() && !slot.is_array() {
                *slot = Data::empty_object();
            }
            put(slot, rest, value)
        }
        Segment::Child(Selector::Index(index)) => {
            let Some(items) = target.array_mut() else {
                return false;
            };
            match resolve_index(*index, items.len()) {
                Some(i) => put(&mut items[i], rest, value),
                None => false,
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(path: &str, doc: &serde_json::Value) -> Result<serde_json::Value, String> {
        let doc = Data::from(doc);
        let p = Path::parse(path).unwrap();
        select(&p, &doc)
            .map(|v| v.to_value())
            .map_err(|e| e.message)
    }

    #[test]
    fn definite_paths_select_one_node_or_fail() {
        let doc = json!({"a": {"b": [1, 2, 3]}});
        assert_eq!(eval("$.a.b[1]", &doc), Ok(json!(2)));
        assert_eq!(eval("$.a.b[-1]", &doc), Ok(json!(3)));
        assert_eq!(eval("$.x", &doc), Err("No results for path: $['x']".into()));
        assert_eq!(
            eval("$.x.y", &doc),
            Err("Missing property in path $['x']".into())
        );
    }

    #[test]
    fn indefinite_paths_select_lists() {
        let doc = json!({"items": [{"p": 5, "n": "a"}, {"p": 15, "n": "b"}, {"n": "c"}]});
        assert_eq!(eval("$.items[*].n", &doc), Ok(json!(["a", "b", "c"])));
        assert_eq!(eval("$.items[?(@.p > 10)].n", &doc), Ok(json!(["b"])));
        assert_eq!(eval("$.items[0:2].n", &doc), Ok(json!(["a", "b"])));
        assert_eq!(eval("$..p", &doc), Ok(json!([5, 15])));
        assert_eq!(eval("$.items[?(@.q)]", &doc), Ok(json!([])));
        assert_eq!(eval("$.items.length()", &doc), Ok(json!(3)));
        assert_eq!(eval("$.items[(@.length-1)].n", &doc), Ok(json!(["c"])));
    }

    #[test]
    fn put_creates_objects_and_reports_mismatch() {
        let mut doc = Data::from(json!({"a": 1}));
        let p = Path::parse("$.b.c").unwrap();
        assert!(put(&mut doc, p.segments(), Data::from(2)));
        assert!(doc == json!({"a": 1, "b": {"c": 2}}));
        let mut text = Data::from("s");
        assert!(!put(&mut text, p.segments(), Data::from(2)));
    }
}
