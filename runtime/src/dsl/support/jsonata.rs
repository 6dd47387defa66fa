//! `query_language = jsonata;`: the machine `workflow!` built in JSONPath terms, rewritten for
//! `QueryLanguage: JSONata`. `InputPath` becomes `Arguments`, `ResultPath` an `Output` merging
//! the result into the input, `ItemsPath` `Items`, `SecondsPath`/`TimestampPath` expressions,
//! Choice rules `Condition`s, Pass `Result` an `Output`.

use serde_json::Value;
use stepfn_codegen::model::{
    Assign, Branch, ComparisonValue, Condition, IntrinsicArg, IntrinsicCall, IntrinsicFunction,
    Jsonata, MaybeJsonata, Nullable, Path, Query, QueryLanguage, State, StateMachine, States,
    Template,
};

/// `machine` with every state in JSONata terms.
pub(crate) fn jsonata_mode(mut machine: StateMachine) -> StateMachine {
    machine.query_language = Some(QueryLanguage::Jsonata);
    convert_states(&mut machine.states);
    machine
}

fn convert_branch(branch: &mut Branch) {
    convert_states(&mut branch.states);
}

/// The parts of a state the conversion reads and writes, whatever its type.
#[derive(Default)]
struct Io {
    input_path: Option<Nullable<Path>>,
    parameters: Option<Template>,
    result_selector: Option<Template>,
    result_path: Option<Nullable<Path>>,
    output_path: Option<Nullable<Path>>,
    assign: Option<Assign>,
}

fn source(p: &Nullable<Path>) -> &str {
    p.as_value().map_or("$", Path::source)
}

fn convert_states(states: &mut States) {
    for state in states.values_mut() {
        let has_result = matches!(state, State::Task(_) | State::Parallel(_) | State::Map(_))
            || matches!(state, State::Pass(p) if p.result.is_some());
        let mut io = Io::default();
        match state {
            State::Task(s) => {
                io.input_path = s.input_path.take();
                io.parameters = s.parameters.take();
                io.result_selector = s.result_selector.take();
                io.result_path = s.result_path.take();
                io.output_path = s.output_path.take();
                io.assign = s.assign.take();
            }
            State::Pass(s) => {
                io.input_path = s.input_path.take();
                io.parameters = s.parameters.take();
                io.result_path = s.result_path.take();
                io.output_path = s.output_path.take();
                io.assign = s.assign.take();
            }
            State::Choice(s) => {
                io.input_path = s.input_path.take();
                io.output_path = s.output_path.take();
                io.assign = s.assign.take();
            }
            State::Wait(s) => {
                io.input_path = s.input_path.take();
                io.output_path = s.output_path.take();
                io.assign = s.assign.take();
            }
            State::Succeed(s) => {
                io.input_path = s.input_path.take();
                io.output_path = s.output_path.take();
            }
            State::Fail(_) => {}
            State::Parallel(s) => {
                io.input_path = s.input_path.take();
                io.parameters = s.parameters.take();
                io.result_selector = s.result_selector.take();
                io.result_path = s.result_path.take();
                io.output_path = s.output_path.take();
                io.assign = s.assign.take();
            }
            State::Map(s) => {
                io.input_path = s.input_path.take();
                io.parameters = s.parameters.take();
                io.result_selector = s.result_selector.take();
                io.result_path = s.result_path.take();
                io.output_path = s.output_path.take();
                io.assign = s.assign.take();
            }
        }
        let mut arguments = io
            .input_path
            .as_ref()
            .map(|p| expression(&input_expr(source(p))));
        let mut pass_output = None;
        if let Some(parameters) = &io.parameters {
            let built = structured(parameters, "$states.input");
            if matches!(state, State::Pass(_)) {
                pass_output = Some(built);
            } else {
                arguments = Some(built);
            }
        }
        let selected = io
            .result_selector
            .as_ref()
            .map(|selector| object_expr(selector, "$states.result"));
        let output = match (&io.result_path, selected) {
            (Some(p), selected) => {
                let result = selected.unwrap_or_else(|| "$states.result".into());
                Some(merged(source(p), &result))
            }
            (None, Some(selected)) => Some(selected),
            _ => None,
        };
        let output = match &io.output_path {
            Some(p) => {
                let mut e = format!("({})", output.unwrap_or_else(|| "$states.result".into()));
                for segment in segments(source(p)) {
                    e.push('.');
                    e.push_str(&name_of(&segment));
                }
                Some(e)
            }
            None => output,
        };
        let output = output.map(|o| expression(&o)).or(pass_output);
        let assign = io.assign.map(|Assign(variables)| {
            let from = if has_result {
                "$states.result"
            } else {
                "$states.input"
            };
            Assign(
                variables
                    .into_iter()
                    .map(|(name, value)| {
                        let path = match &value {
                            Template::Query(q) => q.source(),
                            _ => "$",
                        };
                        let mut e = from.to_string();
                        for s in segments(path) {
                            e.push('.');
                            e.push_str(&name_of(&s));
                        }
                        (name, expression(&e))
                    })
                    .collect(),
            )
        });
        match state {
            State::Task(s) => {
                s.arguments = arguments;
                s.output = output;
                s.assign = assign;
                s.catch.iter_mut().flatten().for_each(convert_catcher);
            }
            State::Pass(s) => {
                if let Some(result) = s.result.take() {
                    s.output = Some(Template::Literal(result));
                }
                if output.is_some() {
                    s.output = output;
                }
                s.assign = assign;
            }
            State::Choice(s) => {
                s.output = output;
                s.assign = assign;
                for rule in &mut s.choices {
                    let condition = expression_of(&condition(&rule.condition));
                    rule.condition = Condition::Jsonata(MaybeJsonata::Jsonata(condition));
                }
            }
            State::Wait(s) => {
                s.output = output;
                s.assign = assign;
                if let Some(p) = s.seconds_path.take() {
                    s.seconds = Some(MaybeJsonata::Jsonata(expression_of(&input_expr(
                        p.source(),
                    ))));
                }
                if let Some(p) = s.timestamp_path.take() {
                    s.timestamp = Some(MaybeJsonata::Jsonata(expression_of(&input_expr(
                        p.source(),
                    ))));
                }
            }
            State::Succeed(s) => s.output = output,
            State::Fail(_) => {}
            State::Parallel(s) => {
                s.arguments = arguments;
                s.output = output;
                s.assign = assign;
                s.catch.iter_mut().flatten().for_each(convert_catcher);
                s.branches.iter_mut().for_each(convert_branch);
            }
            State::Map(s) => {
                // A Map's `Arguments` do not exist: its input is `Items`.
                s.output = output;
                s.assign = assign;
                if let Some(selector) = s.item_selector.take() {
                    s.item_selector = Some(expression(&object_expr(&selector, "$states.input")));
                }
                if let Some(p) = s.items_path.take() {
                    s.items = Some(expression(&input_expr(p.source())));
                }
                s.catch.iter_mut().flatten().for_each(convert_catcher);
                convert_branch(&mut s.item_processor);
            }
        }
    }
}

fn convert_catcher(catcher: &mut stepfn_codegen::model::Catcher) {
    if let Some(p) = catcher.result_path.take() {
        catcher.output = Some(expression(&merged(source(&p), "$states.errorOutput")));
    }
}

/// `{% body %}` as the parser reads it.
fn expression_of(body: &str) -> Jsonata {
    match Jsonata::parse(format!(" {body} ")) {
        Ok(j) => j,
        Err(e) => unreachable!("workflow! built an invalid JSONata expression {body}: {e:?}"),
    }
}

fn expression(body: &str) -> Template {
    Template::Jsonata(expression_of(body))
}

/// The segments of a path `workflow!` emitted: `$.a.b` or `$.a['b c']`.
fn segments(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path.strip_prefix('$').unwrap_or(path);
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("['") {
            let end = r.find("']").unwrap_or(r.len());
            out.push(r[..end].replace("\\'", "'"));
            rest = r.get(end + 2..).unwrap_or("");
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            out.push(r[..end].to_string());
            rest = &r[end..];
        } else {
            break;
        }
    }
    out
}

/// A JSONata field name: bare when it can be, else in backticks.
fn name_of(segment: &str) -> String {
    let bare = segment
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if bare {
        segment.to_string()
    } else {
        format!("`{segment}`")
    }
}

/// A path the state reads, from its input (or from a variable or the context, which such a
/// path may name).
fn input_expr(path: &str) -> String {
    path_expr(path, "$states.input")
}

/// A path `workflow!` emitted, read from `source` (`$$...` from the context object).
fn path_expr(path: &str, source: &str) -> String {
    let (mut e, path) = match path.strip_prefix('$') {
        Some(rest) if rest.starts_with('$') => ("$states.context".to_string(), rest),
        // `$name...`: a variable, which JSONata reads by the same name.
        Some(rest) if rest.starts_with(|c: char| c.is_alphabetic() || c == '_') => {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            (format!("${}", &rest[..end]), &path[end + 1..])
        }
        _ => (source.to_string(), path),
    };
    for s in segments(path) {
        e.push('.');
        e.push_str(&name_of(&s));
    }
    e
}

/// The JSONata equivalent of an intrinsic call, its paths read from `source`.
fn intrinsic_expr(call: &IntrinsicCall, source: &str) -> String {
    use IntrinsicFunction as F;
    let args: Vec<String> = call
        .args
        .iter()
        .skip(usize::from(call.function == F::Format))
        .map(|a| match a {
            IntrinsicArg::String { value, .. } => Value::String(value.clone()).to_string(),
            IntrinsicArg::Number(n) => n.to_string(),
            IntrinsicArg::Bool(b) => b.to_string(),
            IntrinsicArg::Null => "null".to_string(),
            IntrinsicArg::Path(p) => path_expr(p.source(), source),
            IntrinsicArg::Call(c) => intrinsic_expr(c, source),
        })
        .collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_else(|| "null".to_string());
    match call.function {
        F::Format => {
            // The template's pieces around each `{}`, joined with the arguments as text.
            let Some(IntrinsicArg::String {
                value,
                placeholders,
            }) = call.args.first()
            else {
                unreachable!("workflow! built States.Format without its template")
            };
            let mut pieces = Vec::new();
            let mut from = 0;
            for (i, at) in placeholders.iter().enumerate() {
                pieces.push(Value::String(value[from..*at].to_string()).to_string());
                pieces.push(format!("$string({})", arg(i)));
                from = at + 2;
            }
            pieces.push(Value::String(value[from..].to_string()).to_string());
            format!("({})", pieces.join(" & "))
        }
        F::StringToJson => format!("$parse({})", arg(0)),
        F::JsonToString => format!("$string({})", arg(0)),
        F::Array => format!("[{}]", args.join(", ")),
        F::ArrayPartition => format!("$partition({}, {})", arg(0), arg(1)),
        F::ArrayContains => format!("({} in {})", arg(1), arg(0)),
        F::ArrayRange => format!("$range({}, {}, {})", arg(0), arg(1), arg(2)),
        F::ArrayGetItem => format!("{}[{}]", arg(0), arg(1)),
        F::ArrayLength => format!("$count({})", arg(0)),
        F::ArrayUnique => format!("$distinct({})", arg(0)),
        F::Base64Encode => format!("$base64encode({})", arg(0)),
        F::Base64Decode => format!("$base64decode({})", arg(0)),
        F::Hash => format!("$hash({}, {})", arg(0), arg(1)),
        F::JsonMerge => format!("$merge([{}, {}])", arg(0), arg(1)),
        // JSONata's `$random()` is a fraction in [0, 1).
        F::MathRandom => format!("($floor($random() * ({1} - {0})) + {0})", arg(0), arg(1)),
        F::MathAdd => format!("({} + {})", arg(0), arg(1)),
        F::StringSplit => format!("$split({}, {})", arg(0), arg(1)),
        F::Uuid => "$uuid()".to_string(),
    }
}

/// A JSONata object constructor for a JSONPath payload template over `source`.
fn object_expr(template: &Template, source: &str) -> String {
    let members: Vec<String> = match template {
        Template::Object(members) => members
            .iter()
            .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), value_expr(v, source)))
            .collect(),
        Template::Literal(Value::Object(members)) => members
            .iter()
            .map(|(k, v)| format!("{}: {v}", Value::String(k.clone())))
            .collect(),
        other => unreachable!("workflow! built a template {other:?}"),
    };
    format!("{{{}}}", members.join(", "))
}

/// A payload template as a JSON object whose computed members are `{% %}` expressions and
/// whose literal members stay literal, so that what a state calls (a `FunctionName`, a
/// `TableName`, a `QueueUrl`) reads as plainly as in JSONPath, for people and for the IAM
/// deriver.
fn structured(template: &Template, source: &str) -> Template {
    match template {
        Template::Object(members) => Template::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), structured(v, source)))
                .collect(),
        ),
        Template::Array(elements) => {
            Template::Array(elements.iter().map(|e| structured(e, source)).collect())
        }
        Template::Literal(v) => Template::Literal(v.clone()),
        computed => expression(&value_expr(computed, source)),
    }
}

/// The JSONata expression of one value of a payload template.
fn value_expr(value: &Template, source: &str) -> String {
    match value {
        Template::Query(Query::Path(path)) => path_expr(path.source(), source),
        Template::Query(Query::Intrinsic(call)) => intrinsic_expr(call, source),
        Template::Literal(v) => v.to_string(),
        nested @ Template::Object(_) => object_expr(nested, source),
        Template::Array(elements) => format!(
            "[{}]",
            elements
                .iter()
                .map(|e| value_expr(e, source))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => unreachable!("workflow! built a template member {other:?}"),
    }
}

/// The input with `value` placed at `path`.
fn merged(path: &str, value: &str) -> String {
    let segs = segments(path);
    match segs.split_last() {
        None => value.to_string(),
        Some((last, [])) => format!(
            "$merge([$states.input, {{{}: {value}}}])",
            Value::String(last.clone())
        ),
        Some((last, parents)) => format!(
            "$states.input ~> |{}|{{{}: {value}}}|",
            parents
                .iter()
                .map(|p| name_of(p))
                .collect::<Vec<_>>()
                .join("."),
            Value::String(last.clone())
        ),
    }
}

/// A JSONPath Choice rule as a JSONata condition.
fn condition(rule: &Condition) -> String {
    let list = |rules: &[stepfn_codegen::model::NestedRule], op: &str| -> String {
        let parts: Vec<String> = rules
            .iter()
            .map(|r| format!("({})", condition(&r.condition)))
            .collect();
        parts.join(&format!(" {op} "))
    };
    let c = match rule {
        Condition::And(rules) => return list(rules, "and"),
        Condition::Or(rules) => return list(rules, "or"),
        Condition::Not(inner) => return format!("$not({})", condition(&inner.condition)),
        Condition::Jsonata(_) => return "false".into(),
        Condition::Compare(c) => c,
    };
    let variable = path_expr(c.variable.source(), "$states.input");
    let literal = match &c.value {
        ComparisonValue::String(s) => Value::String(s.clone()).to_string(),
        ComparisonValue::Number(n) => n.to_string(),
        ComparisonValue::Bool(b) => b.to_string(),
        ComparisonValue::Path(p) => Value::String(p.source().to_string()).to_string(),
    };
    let compare = |op: &str| format!("{variable} {op} {literal}");
    match c.operator.name() {
        "IsPresent" => format!("$exists({variable})"),
        "IsNull" => format!("{variable} = null"),
        "IsNumeric" => format!("$type({variable}) = 'number'"),
        "IsString" => format!("$type({variable}) = 'string'"),
        "IsBoolean" => format!("$type({variable}) = 'boolean'"),
        "IsTimestamp" => format!(
            "$type({variable}) = 'string' and $contains({variable}, /^\\d{{4}}-\\d{{2}}-\\d{{2}}T/)"
        ),
        "StringMatches" => {
            let pattern: String = match &c.value {
                ComparisonValue::String(s) => s.as_str(),
                _ => "",
            }
            .chars()
            .map(|c| match c {
                '*' => ".*".to_string(),
                c if c.is_ascii_alphanumeric() || c == ' ' => c.to_string(),
                c => format!("\\{c}"),
            })
            .collect();
            format!("$contains({variable}, /^{pattern}$/)")
        }
        op if op.ends_with("GreaterThanEquals") => compare(">="),
        op if op.ends_with("LessThanEquals") => compare("<="),
        op if op.ends_with("GreaterThan") => compare(">"),
        op if op.ends_with("LessThan") => compare("<"),
        _ => compare("="),
    }
}
