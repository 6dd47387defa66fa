//! Builders of the typed model for the code `workflow!` generates: each call makes one state,
//! rule or handler of the `StateMachine` that `emit::asl` writes and the executor runs.
//! The macro checked the graph and the paths come from `Lens`es, so a failure here is a bug
//! in stepfn, not in the workflow.

use indexmap::IndexMap;
use serde_json::Value;
use stepfn_codegen::model::{
    Assign, Branch, Catcher, Choice, ChoiceRule, Comparison, ComparisonOperator, ComparisonValue,
    Condition, CsvDelimiter, CsvHeaderLocation, ExecutionType, Fail, InputType, ItemBatcher,
    ItemReader, JitterStrategy, Map, MaybeJsonata, NestedRule, Nullable, Parallel, Pass, Path,
    ProcessorConfig, ProcessorMode, Query, ReaderConfig, Resource, ResultWriter, Retrier, State,
    StateMachine, Succeed, Task, Template, Transition, Wait,
};

use super::super::task::{Task as DslTask, TaskCall};

/// A path `workflow!` wrote (from a `Lens`): valid by construction.
pub fn path(source: &str) -> Path {
    match Path::parse(source) {
        Ok(p) => p,
        Err(e) => unreachable!("workflow! built an invalid path '{source}': {e}"),
    }
}

fn nullable(source: Option<&str>) -> Option<Nullable<Path>> {
    source.map(|s| Nullable::Value(path(s)))
}

fn transition(next: Option<&str>) -> Transition {
    match next {
        Some(n) => Transition::Next(n.to_string()),
        None => Transition::End,
    }
}

fn handlers<T>(list: Vec<T>) -> Option<Vec<T>> {
    (!list.is_empty()).then_some(list)
}

/// A JSON number for `BackoffRate`, `ToleratedFailurePercentage` and numeric literals.
pub fn json_number(n: f64) -> serde_json::Number {
    serde_json::Number::from_f64(n).unwrap_or_else(|| 0.into())
}

/// A value as JSON (`pass(result = ...)`, literals in rules and templates).
pub fn json<T: serde::Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A Task state running `T`.
#[allow(clippy::too_many_arguments)]
pub fn task_state<T: DslTask>(
    comment: Option<&str>,
    input_path: Option<&str>,
    parameters: Option<Template>,
    result_selector: Option<Template>,
    result_path: Option<&str>,
    output_path: Option<&str>,
    next: Option<&str>,
    retry: Vec<Retrier>,
    catch: Vec<Catcher>,
) -> State {
    let (parameters, output_path) = match T::CALL {
        TaskCall::Direct => (parameters, output_path),
        TaskCall::LambdaInvoke { function_name } => {
            // Unless the state shapes the invocation's response itself, it passes on the
            // function's output.
            let unshaped =
                result_selector.is_none() && result_path.is_none() && output_path.is_none();
            (
                Some(lambda_request(function_name, parameters)),
                if unshaped {
                    Some("$.Payload")
                } else {
                    output_path
                },
            )
        }
        TaskCall::LambdaCallback { function_name } => {
            (Some(lambda_request(function_name, parameters)), output_path)
        }
    };
    State::Task(Task {
        comment: comment.map(str::to_string),
        resource: Resource::Uri(T::RESOURCE.to_string()),
        timeout_seconds: T::TIMEOUT_SECONDS.map(MaybeJsonata::Literal),
        heartbeat_seconds: T::HEARTBEAT_SECONDS.map(MaybeJsonata::Literal),
        input_path: nullable(input_path),
        parameters,
        result_selector,
        result_path: nullable(result_path),
        output_path: nullable(output_path),
        retry: handlers(retry),
        catch: handlers(catch),
        transition: transition(next),
        ..Default::default()
    })
}

/// `lambda:invoke`'s request: the function's name, and the task's input as the `Payload`
/// (the state's input, or what `parameters` built).
fn lambda_request(function_name: &str, payload: Option<Template>) -> Template {
    let name = Value::String(function_name.to_string());
    match payload {
        Some(Template::Literal(payload)) => Template::Literal(Value::Object(
            [
                ("FunctionName".to_string(), name),
                ("Payload".to_string(), payload),
            ]
            .into_iter()
            .collect(),
        )),
        payload => Template::Object(IndexMap::from_iter([
            ("FunctionName".to_string(), Template::Literal(name)),
            (
                "Payload".to_string(),
                payload.unwrap_or_else(|| Template::Query(Query::Path(path("$")))),
            ),
        ])),
    }
}

/// A Pass state, with `Result` when given.
pub fn pass_state(comment: Option<&str>, result: Option<Value>, next: Option<&str>) -> State {
    State::Pass(Pass {
        comment: comment.map(str::to_string),
        result,
        transition: transition(next),
        ..Default::default()
    })
}

/// A Pass state whose output is built by `Parameters`.
pub fn pass_parameters(
    comment: Option<&str>,
    parameters: Option<Template>,
    next: Option<&str>,
) -> State {
    State::Pass(Pass {
        comment: comment.map(str::to_string),
        parameters,
        transition: transition(next),
        ..Default::default()
    })
}

/// One member of a payload template.
pub enum TemplateField {
    /// `"key.$": path`.
    Path(String),
    /// `"key": value`.
    Literal(Value),
    /// `"key": {...}`: a nested template.
    Nested(Template),
    /// `"key.$": "States.Format(...)"`: an intrinsic call, as its text.
    Intrinsic(String),
    /// `"key": [...]`: literals and nested templates (JSONPath has no path inside an array).
    Array(Vec<TemplateField>),
}

impl TemplateField {
    fn into_template(self) -> Template {
        match self {
            TemplateField::Path(p) => Template::Query(Query::Path(path(&p))),
            TemplateField::Literal(v) => Template::Literal(v),
            TemplateField::Nested(t) => t,
            TemplateField::Intrinsic(text) => super::intrinsic::intrinsic_query(&text),
            TemplateField::Array(elements) => {
                let elements: Vec<Template> =
                    elements.into_iter().map(Self::into_template).collect();
                let literals: Option<Vec<Value>> =
                    elements.iter().map(|e| e.as_literal().cloned()).collect();
                match literals {
                    Some(values) => Template::Literal(Value::Array(values)),
                    None => Template::Array(elements),
                }
            }
        }
    }
}

/// A payload template: `{"key.$": "$.path", "key": literal}` (all literals: one literal
/// object, as the parser reads it).
pub fn template(fields: Vec<(&str, TemplateField)>) -> Template {
    let members: IndexMap<String, Template> = fields
        .into_iter()
        .map(|(name, field)| (name.to_string(), field.into_template()))
        .collect();
    let literals: Option<serde_json::Map<String, Value>> = members
        .iter()
        .map(|(name, t)| t.as_literal().map(|v| (name.clone(), v.clone())))
        .collect();
    match literals {
        Some(object) => Template::Literal(Value::Object(object)),
        None => Template::Object(members),
    }
}

/// `$name.a.b`: the variable `name` and the part of `full` (a path from the assigning state's
/// value through the assigned field to the field read) after `assigned` (the assigned field's).
pub fn variable_path(name: &str, full: &str, assigned: &str) -> String {
    let rest = full.strip_prefix(assigned).unwrap_or("");
    format!("${name}{rest}")
}

/// `$$.Execution.Input...`: a path into the execution's input.
pub fn execution_input_path(input_path: &str) -> String {
    format!(
        "$$.Execution.Input{}",
        input_path.strip_prefix('$').unwrap_or(input_path)
    )
}

/// `$$.Map.Item.Value...`: a path into the current Map item.
pub fn map_item_path(item_path: &str) -> String {
    format!(
        "$$.Map.Item.Value{}",
        item_path.strip_prefix('$').unwrap_or(item_path)
    )
}

/// A Wait state: `Seconds`, `Timestamp`, `SecondsPath` or `TimestampPath`.
pub fn wait_state(
    comment: Option<&str>,
    seconds: Option<u64>,
    timestamp: Option<&str>,
    seconds_path: Option<&str>,
    timestamp_path: Option<&str>,
    next: Option<&str>,
) -> State {
    State::Wait(Wait {
        comment: comment.map(str::to_string),
        seconds: seconds.map(MaybeJsonata::Literal),
        timestamp: timestamp.map(|t| MaybeJsonata::Literal(t.to_string())),
        seconds_path: seconds_path.map(path),
        timestamp_path: timestamp_path.map(path),
        transition: transition(next),
        ..Default::default()
    })
}

/// A Succeed state.
pub fn succeed_state(comment: Option<&str>) -> State {
    State::Succeed(Succeed {
        comment: comment.map(str::to_string),
        ..Default::default()
    })
}

/// A Fail state.
pub fn fail_state(comment: Option<&str>, error: Option<&str>, cause: Option<&str>) -> State {
    State::Fail(Fail {
        comment: comment.map(str::to_string),
        error: error.map(|e| MaybeJsonata::Literal(e.to_string())),
        cause: cause.map(|c| MaybeJsonata::Literal(c.to_string())),
        ..Default::default()
    })
}

/// A Choice state: each rule is a condition and its `Next`.
pub fn choice_state(
    comment: Option<&str>,
    rules: Vec<(Condition, &str)>,
    default: Option<&str>,
) -> State {
    State::Choice(Choice {
        comment: comment.map(str::to_string),
        choices: rules
            .into_iter()
            .map(|(condition, next)| ChoiceRule {
                comment: None,
                condition,
                next: next.to_string(),
                assign: None,
                output: None,
            })
            .collect(),
        default: default.map(str::to_string),
        ..Default::default()
    })
}

/// `.field == Enum::Variant`: equality with what serde writes for the variant (a string for a
/// unit variant; a number or boolean is compared as one).
pub fn variant_equals<E: serde::Serialize>(variable: &str, variant: &E) -> Condition {
    let operator = match json(variant) {
        Value::String(_) => "StringEquals",
        Value::Number(_) => "NumericEquals",
        Value::Bool(_) => "BooleanEquals",
        other => panic!(
            "a Choice rule compares `{variable}` with an enum variant that serialises as {other}, \
             not as a string, number or boolean: Choice rules compare unit variants"
        ),
    };
    compare(variable, operator, json(variant))
}

/// `{"Variable": path, operator: value}`.
pub fn compare(variable: &str, operator: &str, value: Value) -> Condition {
    let Some(operator) = ComparisonOperator::from_name(operator) else {
        unreachable!("workflow! built an unknown operator {operator}")
    };
    let value = match value {
        Value::String(s) => ComparisonValue::String(s),
        Value::Number(n) => ComparisonValue::Number(n),
        Value::Bool(b) => ComparisonValue::Bool(b),
        other => unreachable!("workflow! built a comparison with {other}"),
    };
    Condition::Compare(Comparison {
        variable: path(variable),
        operator,
        value,
    })
}

fn nested(condition: Condition) -> NestedRule {
    NestedRule {
        comment: None,
        condition,
    }
}

/// `{"And": [...]}`, `{"Or": [...]}`.
pub fn combine(operator: &str, rules: Vec<Condition>) -> Condition {
    let rules = rules.into_iter().map(nested).collect();
    if operator == "And" {
        Condition::And(rules)
    } else {
        Condition::Or(rules)
    }
}

/// `{"Not": rule}`.
pub fn not(rule: Condition) -> Condition {
    Condition::Not(Box::new(nested(rule)))
}

/// A Parallel state.
pub fn parallel_state(
    comment: Option<&str>,
    branches: Vec<Branch>,
    next: Option<&str>,
    retry: Vec<Retrier>,
    catch: Vec<Catcher>,
) -> State {
    State::Parallel(Parallel {
        comment: comment.map(str::to_string),
        branches,
        retry: handlers(retry),
        catch: handlers(catch),
        transition: transition(next),
        ..Default::default()
    })
}

/// A Map state whose batches carry `BatchInput`.
pub fn with_batch_input(mut state: State, batch_input: Option<Template>) -> State {
    if let (State::Map(map), Some(template)) = (&mut state, batch_input) {
        if let Some(batcher) = map.item_batcher.as_mut() {
            batcher.batch_input = Some(template);
        }
    }
    state
}

/// A Parallel or Map state with its ResultSelector, ResultPath and OutputPath.
pub fn shaped(
    mut state: State,
    result_selector: Option<Template>,
    result_path: Option<&str>,
    output_path: Option<&str>,
) -> State {
    match &mut state {
        State::Parallel(p) => {
            p.result_selector = result_selector;
            p.result_path = nullable(result_path);
            p.output_path = nullable(output_path);
        }
        State::Map(m) => {
            m.result_selector = result_selector;
            m.result_path = nullable(result_path);
            m.output_path = nullable(output_path);
        }
        other => unreachable!("workflow! shaped a {other:?}"),
    }
    state
}

/// A Distributed Map's ItemReader: an S3 object and how to read it.
pub struct Reader {
    /// `JSON`, `JSONL`, `CSV` or `MANIFEST`.
    pub input_type: &'static str,
    /// The bucket.
    pub bucket: &'static str,
    /// The object's key.
    pub key: &'static str,
    /// `CSVHeaders` (with `CSVHeaderLocation: GIVEN`); for CSV without them, `FIRST_ROW`.
    pub csv_headers: Option<Vec<&'static str>>,
    /// `CSVDelimiter`.
    pub csv_delimiter: Option<&'static str>,
    /// `MaxItems`.
    pub max_items: Option<u64>,
}

/// A Distributed Map's settings: an ItemReader (input type, bucket, key) and the failures
/// it tolerates.
pub struct Distributed {
    /// The ItemReader.
    pub reader: Option<Reader>,
    /// The ResultWriter's bucket and prefix.
    pub writer: Option<(&'static str, &'static str)>,
    /// `ToleratedFailurePercentage`.
    pub tolerated_failure_percentage: Option<f64>,
    /// `ToleratedFailureCount`.
    pub tolerated_failure_count: Option<u64>,
}

fn literal_object<const N: usize>(members: [(&str, &str); N]) -> Template {
    Template::Literal(Value::Object(
        members
            .into_iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect(),
    ))
}

/// A Map state: inline, or distributed when `distributed` is given.
#[allow(clippy::too_many_arguments)]
pub fn map_state(
    comment: Option<&str>,
    items_path: Option<&str>,
    max_concurrency: Option<u64>,
    distributed: Option<Distributed>,
    item_selector: Option<Template>,
    max_items_per_batch: Option<u64>,
    processor: Branch,
    next: Option<&str>,
    retry: Vec<Retrier>,
    catch: Vec<Catcher>,
) -> State {
    let mut map = Map {
        comment: comment.map(str::to_string),
        item_processor: processor,
        items_path: items_path.map(path),
        max_concurrency: max_concurrency.map(MaybeJsonata::Literal),
        item_selector,
        item_batcher: max_items_per_batch.map(|n| ItemBatcher {
            max_items_per_batch: Some(MaybeJsonata::Literal(n)),
            ..Default::default()
        }),
        retry: handlers(retry),
        catch: handlers(catch),
        transition: transition(next),
        ..Default::default()
    };
    match distributed {
        None => {
            map.processor_config = Some(ProcessorConfig {
                mode: Some(ProcessorMode::Inline),
                execution_type: None,
            })
        }
        Some(d) => {
            map.processor_config = Some(ProcessorConfig {
                mode: Some(ProcessorMode::Distributed),
                execution_type: Some(ExecutionType::Standard),
            });
            map.item_reader = d.reader.map(|r| {
                let csv = r.input_type == "CSV";
                ItemReader {
                    resource: "arn:aws:states:::s3:getObject".to_string(),
                    parameters: Some(literal_object([("Bucket", r.bucket), ("Key", r.key)])),
                    reader_config: Some(ReaderConfig {
                        input_type: InputType::from_name(r.input_type),
                        csv_header_location: csv.then(|| {
                            if r.csv_headers.is_some() {
                                CsvHeaderLocation::Given
                            } else {
                                CsvHeaderLocation::FirstRow
                            }
                        }),
                        csv_headers: r
                            .csv_headers
                            .map(|h| h.into_iter().map(str::to_string).collect()),
                        csv_delimiter: r.csv_delimiter.and_then(CsvDelimiter::from_name),
                        max_items: r.max_items.map(MaybeJsonata::Literal),
                        ..Default::default()
                    }),
                    ..Default::default()
                }
            });
            map.result_writer = d.writer.map(|(bucket, prefix)| ResultWriter {
                resource: Some("arn:aws:states:::s3:putObject".to_string()),
                parameters: Some(literal_object([("Bucket", bucket), ("Prefix", prefix)])),
                ..Default::default()
            });
            map.tolerated_failure_percentage = d
                .tolerated_failure_percentage
                .map(|p| MaybeJsonata::Literal(json_number(p)));
            map.tolerated_failure_count = d.tolerated_failure_count.map(MaybeJsonata::Literal);
        }
    }
    State::Map(map)
}

/// `{"StartAt": ..., "States": {...}}` of a machine, branch or processor.
pub fn states(start: &str, states: Vec<(&str, State)>) -> Branch {
    let mut branch = Branch::new(start);
    branch.states = states
        .into_iter()
        .map(|(name, state)| (name.to_string(), state))
        .collect();
    branch
}

/// The whole machine: `body` plus the top-level fields, in JSONata terms when `jsonata`.
pub fn machine(
    body: Branch,
    comment: Option<&str>,
    timeout: Option<u64>,
    jsonata: bool,
) -> StateMachine {
    let machine = StateMachine {
        comment: comment.map(str::to_string),
        start_at: body.start_at,
        states: body.states,
        timeout_seconds: timeout,
        ..Default::default()
    };
    if jsonata {
        super::jsonata::jsonata_mode(machine)
    } else {
        machine
    }
}

/// A state with `Assign`: each variable set from a path (`"name.$": "$.path"`).
pub fn with_assign(mut state: State, variables: Vec<(&str, String)>) -> State {
    let assign: IndexMap<String, Template> = variables
        .into_iter()
        .map(|(name, p)| (name.to_string(), Template::Query(Query::Path(path(&p)))))
        .collect();
    let assign = Some(Assign(assign));
    match &mut state {
        State::Task(s) => s.assign = assign,
        State::Pass(s) => s.assign = assign,
        State::Choice(s) => s.assign = assign,
        State::Wait(s) => s.assign = assign,
        State::Parallel(s) => s.assign = assign,
        State::Map(s) => s.assign = assign,
        State::Succeed(_) | State::Fail(_) => {}
    }
    state
}

/// One element of `Retry`.
pub fn retrier(
    errors: Vec<String>,
    interval: Option<u64>,
    max_attempts: Option<u64>,
    backoff: Option<f64>,
    max_delay: Option<u64>,
    jitter_full: bool,
) -> Retrier {
    Retrier {
        comment: None,
        error_equals: errors,
        interval_seconds: interval,
        max_attempts,
        backoff_rate: backoff.map(json_number),
        max_delay_seconds: max_delay,
        jitter_strategy: jitter_full.then_some(JitterStrategy::Full),
    }
}

/// One element of `Catch`.
pub fn catcher(errors: Vec<String>, next: &str, result_path: Option<&str>) -> Catcher {
    Catcher {
        result_path: nullable(result_path),
        ..Catcher::new(errors, next)
    }
}
