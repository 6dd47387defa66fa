//! The Choice state: its rules (the 39 comparison operators and And/Or/Not, with AWS's
//! type-mismatch (false) and missing-path (`States.Runtime`) rules), and the transition the
//! first matching rule, or `Default`, takes.

use crate::error::names;
use crate::exec::io;
use crate::exec::visit::{jsonata_output, Step, Visit};
use crate::expr::fields::Fields;
use crate::expr::jsonata::Expected;
use std::borrow::Cow;
use std::cmp::Ordering;
use stepfn_codegen::{Choice, MaybeJsonata};

use crate::data::Data;
use stepfn_codegen::{
    parse_rfc3339, Comparison, ComparisonOperator as Op, ComparisonValue, Condition, Path,
};

use crate::error::StatesError;
use crate::expr::scope::Scope;

/// Evaluates a rule's condition.
pub fn evaluate(condition: &Condition, scope: &Scope<'_>) -> Result<bool, StatesError> {
    match condition {
        Condition::And(rules) => {
            for r in rules {
                if !evaluate(&r.condition, scope)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Condition::Or(rules) => {
            for r in rules {
                if evaluate(&r.condition, scope)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Condition::Not(rule) => Ok(!evaluate(&rule.condition, scope)?),
        Condition::Compare(c) => compare(c, scope),
        Condition::Jsonata(_) => Err(StatesError::runtime(
            "JSONata conditions are evaluated in JSONata states only",
        )),
    }
}

fn invalid_value(path: &Path) -> StatesError {
    StatesError::runtime(format!(
        "Invalid path '{}': The choice state's condition path references an invalid value.",
        path.source()
    ))
}

fn lookup<'a>(path: &Path, scope: &Scope<'a>) -> Option<Cow<'a, Data>> {
    scope.select(path).ok()
}

fn compare(c: &Comparison, scope: &Scope<'_>) -> Result<bool, StatesError> {
    let variable = lookup(&c.variable, scope);
    if c.operator == Op::IsPresent {
        let expected = matches!(c.value, ComparisonValue::Bool(true));
        return Ok(variable.is_some() == expected);
    }
    let variable = variable.ok_or_else(|| invalid_value(&c.variable))?;
    let v = variable.as_ref();
    let expected: Cow<'_, Data> = match &c.value {
        ComparisonValue::String(s) => Cow::Owned(Data::from(s.as_str())),
        ComparisonValue::Number(n) => Cow::Owned(Data::Number(n.clone())),
        ComparisonValue::Bool(b) => Cow::Owned(Data::Bool(*b)),
        ComparisonValue::Path(p) => lookup(p, scope).ok_or_else(|| invalid_value(p))?,
    };
    let e = expected.as_ref();
    Ok(match c.operator {
        Op::StringEquals | Op::StringEqualsPath => strings(v, e, Ordering::is_eq),
        Op::StringLessThan | Op::StringLessThanPath => strings(v, e, Ordering::is_lt),
        Op::StringGreaterThan | Op::StringGreaterThanPath => strings(v, e, Ordering::is_gt),
        Op::StringLessThanEquals | Op::StringLessThanEqualsPath => strings(v, e, Ordering::is_le),
        Op::StringGreaterThanEquals | Op::StringGreaterThanEqualsPath => {
            strings(v, e, Ordering::is_ge)
        }
        Op::StringMatches => match (v, e) {
            (Data::String(s), Data::String(pattern)) => glob_matches(pattern, s)?,
            _ => false,
        },
        Op::NumericEquals | Op::NumericEqualsPath => numbers(v, e, Ordering::is_eq),
        Op::NumericLessThan | Op::NumericLessThanPath => numbers(v, e, Ordering::is_lt),
        Op::NumericGreaterThan | Op::NumericGreaterThanPath => numbers(v, e, Ordering::is_gt),
        Op::NumericLessThanEquals | Op::NumericLessThanEqualsPath => numbers(v, e, Ordering::is_le),
        Op::NumericGreaterThanEquals | Op::NumericGreaterThanEqualsPath => {
            numbers(v, e, Ordering::is_ge)
        }
        Op::BooleanEquals | Op::BooleanEqualsPath => match (v, e) {
            (Data::Bool(a), Data::Bool(b)) => a == b,
            _ => false,
        },
        Op::TimestampEquals | Op::TimestampEqualsPath => timestamps(v, e, Ordering::is_eq),
        Op::TimestampLessThan | Op::TimestampLessThanPath => timestamps(v, e, Ordering::is_lt),
        Op::TimestampGreaterThan | Op::TimestampGreaterThanPath => {
            timestamps(v, e, Ordering::is_gt)
        }
        Op::TimestampLessThanEquals | Op::TimestampLessThanEqualsPath => {
            timestamps(v, e, Ordering::is_le)
        }
        Op::TimestampGreaterThanEquals | Op::TimestampGreaterThanEqualsPath => {
            timestamps(v, e, Ordering::is_ge)
        }
        Op::IsNull => v.is_null() == truthy(e),
        Op::IsNumeric => v.is_number() == truthy(e),
        Op::IsString => v.is_string() == truthy(e),
        Op::IsBoolean => v.is_boolean() == truthy(e),
        Op::IsTimestamp => v.as_str().and_then(parse_rfc3339).is_some() == truthy(e),
        Op::IsPresent => unreachable!("handled before the lookup"),
    })
}

fn truthy(v: &Data) -> bool {
    v.as_bool() == Some(true)
}

fn strings(a: &Data, b: &Data, test: fn(Ordering) -> bool) -> bool {
    match (a, b) {
        (Data::String(x), Data::String(y)) => test(x.cmp(y)),
        _ => false,
    }
}

fn numbers(a: &Data, b: &Data, test: fn(Ordering) -> bool) -> bool {
    let (Data::Number(x), Data::Number(y)) = (a, b) else {
        return false;
    };
    let ordering = match (x.as_i64(), y.as_i64()) {
        (Some(i), Some(j)) => Some(i.cmp(&j)),
        _ => x
            .as_f64()
            .zip(y.as_f64())
            .and_then(|(f, g)| f.partial_cmp(&g)),
    };
    ordering.is_some_and(test)
}

fn timestamps(a: &Data, b: &Data, test: fn(Ordering) -> bool) -> bool {
    let parse = |v: &Data| v.as_str().and_then(parse_rfc3339);
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => test(x.cmp(&y)),
        _ => false,
    }
}

/// `StringMatches`: only `*` is special; `\*` is a literal star and `\\` a backslash.
fn glob_matches(pattern: &str, text: &str) -> Result<bool, StatesError> {
    enum Token {
        Char(char),
        Star,
    }
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped) => tokens.push(Token::Char(escaped)),
                None => {
                    return Err(StatesError::runtime(format!(
                        "The StringMatches pattern '{pattern}' ends with an open escape"
                    )))
                }
            },
            '*' => tokens.push(Token::Star),
            other => tokens.push(Token::Char(other)),
        }
    }
    let text: Vec<char> = text.chars().collect();
    // Classic two-pointer wildcard match with backtracking to the last star.
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match tokens.get(p) {
            Some(Token::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            Some(Token::Star) => {
                star = Some((p, t));
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return Ok(false),
            },
        }
    }
    while matches!(tokens.get(p), Some(Token::Star)) {
        p += 1;
    }
    Ok(p == tokens.len())
}

pub(crate) fn choose<'s>(
    visit: &Visit<'_>,
    s: &'s Choice,
    raw: Data,
) -> Result<Step<'s>, StatesError> {
    let context = visit.fields_context();
    let roots = visit.roots(&context);
    let effective = if visit.is_jsonata() {
        Cow::Owned(raw)
    } else {
        io::input_path(Cow::Owned(raw), s.input_path.as_ref(), roots)?
    };
    let fields = visit.fields(&effective, &context);
    let mut matched = None;
    for rule in &s.choices {
        let holds = match (&rule.condition, fields) {
            (Condition::Jsonata(MaybeJsonata::Literal(b)), _) => *b,
            (Condition::Jsonata(MaybeJsonata::Jsonata(j)), Fields::Jsonata(scope)) => {
                scope.evaluate(j, "Condition", Expected::Boolean)?.as_bool() == Some(true)
            }
            (condition, Fields::Path(scope)) => evaluate(condition, &scope)?,
            (_, Fields::Jsonata(_)) => {
                return Err(StatesError::runtime(
                    "A JSONata Choice rule needs a Condition",
                ))
            }
        };
        if holds {
            matched = Some(rule);
            break;
        }
    }
    let (next, assign, output) = match matched {
        Some(rule) => (
            rule.next.as_str(),
            rule.assign.as_ref(),
            rule.output.as_ref(),
        ),
        None => match &s.default {
            Some(d) => (d.as_str(), s.assign.as_ref(), s.output.as_ref()),
            None => {
                return Err(StatesError::new(
                    names::NO_CHOICE_MATCHED,
                    format!(
                        "No Matches! The Choice state '{}' matched no rule and has no Default",
                        visit.name
                    ),
                ))
            }
        },
    };
    if visit.is_jsonata() {
        let output = jsonata_output(visit, assign, output, effective.into_owned(), &context)?;
        return Ok(Step::Next(next, output));
    }
    visit.assign(assign, &fields)?;
    let output = io::output_path(effective.into_owned(), s.output_path.as_ref(), roots)?;
    Ok(Step::Next(next, output))
}

#[cfg(test)]
mod tests {
    use super::glob_matches;

    #[test]
    fn globs_treat_only_star_as_special() {
        assert_eq!(glob_matches("*.log", "app.log"), Ok(true));
        assert_eq!(glob_matches("a?c", "abc"), Ok(false));
        assert_eq!(glob_matches("a?c", "a?c"), Ok(true));
        assert_eq!(glob_matches(r"a\*c", "a*c"), Ok(true));
        assert_eq!(glob_matches(r"a\*c", "abc"), Ok(false));
        assert_eq!(glob_matches("*a*b*", "xxaxxbxx"), Ok(true));
        assert!(glob_matches("a\\", "a").is_err());
    }
}
