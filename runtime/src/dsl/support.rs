//! What the code `#[task]`, `#[derive(TaskError)]` and `workflow!` generate calls. Not a public
//! API: it may change in any release.

use serde_json::Value;

pub use super::flow::{assert_flows, Exact, Json};
pub use super::payload::Lens;
pub use super::task::{ErrorOutput, Never};
pub use futures::future::BoxFuture;

use super::task::{Task, TaskContext, TaskError};
use crate::error::{names, StatesError};
use crate::tasks::{TaskRegistry, TaskRequest, TaskResult};

/// The handler that runs the task `T` for a Task state: JSON in, the function, JSON out; an
/// error becomes its ASL name and its text as the cause.
pub fn register<T: Task>(registry: TaskRegistry, state: &str) -> TaskRegistry {
    registry.on_state(
        state,
        |request: TaskRequest| -> BoxFuture<'static, TaskResult> {
            let input = match serde_json::from_value::<T::Input>(request.input) {
                Ok(input) => input,
                Err(e) => {
                    let error = StatesError::new(
                        names::TASK_FAILED,
                        format!(
                            "The input of task '{}' does not match its input type: {e}",
                            T::NAME
                        ),
                    );
                    return Box::pin(async move { Err(error) });
                }
            };
            let context = TaskContext {
                state_name: request.state_name.to_string(),
                task_token: request.task_token,
                retry_count: request.retry_count,
                context: request.context,
            };
            Box::pin(async move {
                match T::call(input, context).await {
                    Ok(output) => serde_json::to_value(output).map_err(|e| {
                        StatesError::new(
                            names::TASK_FAILED,
                            format!("The output of task '{}' does not serialise: {e}", T::NAME),
                        )
                    }),
                    Err(error) => Err(StatesError::new(error.error_name(), error.to_string())),
                }
            })
        },
    )
}

/// The ASL error name of `variant` of the error enum `E`.
pub fn error_name<E: TaskError>(variant: &str) -> String {
    E::name_of(variant)
        .map(str::to_string)
        .unwrap_or_else(|| variant.to_string())
}

/// A JSON number for `BackoffRate` and numeric literals.
pub fn json_number(n: f64) -> serde_json::Number {
    serde_json::Number::from_f64(n).unwrap_or_else(|| 0.into())
}

/// A value as JSON (`pass(result = ...)`, literals in rules).
pub fn json<T: serde::Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Makes an `async fn`'s future the boxed, sendable future [`Task::call`] returns.
pub fn boxed<F, T>(future: F) -> BoxFuture<'static, T>
where
    F: std::future::Future<Output = T> + Send + 'static,
{
    Box::pin(future)
}

/// The input and output types of one state of a `workflow!`, for the flow assertions.
pub trait StateTypes {
    /// What the state takes.
    type In;
    /// What it gives the next state.
    type Out;
    /// `Exact` or `Json`, for `In`.
    type InTag;
    /// `Exact` or `Json`, for `Out`.
    type OutTag;
}

/// A field a Choice rule may compare with a number.
#[diagnostic::on_unimplemented(
    message = "a Choice rule compares this field with a number, but the field is a `{Self}`",
    label = "not a number",
    note = "Choice rules compare numbers with numbers, strings with strings and booleans with booleans"
)]
pub trait NumberOperand {}

/// A field a Choice rule may compare with a string.
#[diagnostic::on_unimplemented(
    message = "a Choice rule compares this field with a string, but the field is a `{Self}`",
    label = "not a string",
    note = "Choice rules compare numbers with numbers, strings with strings and booleans with booleans"
)]
pub trait StringOperand {}

/// A field a Choice rule may compare with `true` or `false`.
#[diagnostic::on_unimplemented(
    message = "a Choice rule compares this field with a boolean, but the field is a `{Self}`",
    label = "not a boolean",
    note = "Choice rules compare numbers with numbers, strings with strings and booleans with booleans"
)]
pub trait BooleanOperand {}

macro_rules! numbers {
    ($($t:ty),*) => { $(impl NumberOperand for $t {})* };
}
numbers!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64);
impl StringOperand for String {}
impl StringOperand for &str {}
impl BooleanOperand for bool {}
impl<T: NumberOperand> NumberOperand for Option<T> {}
impl<T: StringOperand> StringOperand for Option<T> {}
impl<T: BooleanOperand> BooleanOperand for Option<T> {}
impl NumberOperand for Value {}
impl StringOperand for Value {}
impl BooleanOperand for Value {}

/// The path to a field a Choice rule compares with a number.
pub fn number_field<F: NumberOperand>(field: Lens<F>) -> Lens<F> {
    field
}
/// The path to a field a Choice rule compares with a string.
pub fn string_field<F: StringOperand>(field: Lens<F>) -> Lens<F> {
    field
}
/// The path to a field a Choice rule compares with a boolean.
pub fn boolean_field<F: BooleanOperand>(field: Lens<F>) -> Lens<F> {
    field
}

/// What a Map iterates: a sequence of `I`.
#[diagnostic::on_unimplemented(
    message = "Map items must be a sequence of `{I}`, but this is a `{Self}`",
    label = "not a `Vec<{I}>`"
)]
pub trait Items<I> {}
impl<I> Items<I> for Vec<I> {}
impl<I, const N: usize> Items<I> for [I; N] {}
impl<I> Items<I> for Value {}

/// The path to a Map's items, a sequence of `I`.
pub fn items_field<I, C: Items<I>>(items: Lens<C>) -> Lens<C> {
    items
}

/// A state machine from the JSON `workflow!` builds. The macro checked the graph, so a failure
/// here is a bug in stepfn, not in the workflow.
pub fn machine(definition: Value) -> stepfn_codegen::StateMachine {
    match stepfn_codegen::parse::from_value(&definition) {
        Ok(machine) => machine,
        Err(problems) => unreachable!("workflow! built an invalid definition: {problems}"),
    }
}

fn with_common(mut state: serde_json::Map<String, Value>, comment: Option<&str>) -> Value {
    if let Some(c) = comment {
        state.insert("Comment".into(), c.into());
    }
    Value::Object(state)
}

fn put_next(state: &mut serde_json::Map<String, Value>, next: Option<&str>) {
    match next {
        Some(n) => state.insert("Next".into(), n.into()),
        None => state.insert("End".into(), true.into()),
    };
}

fn put_handling(state: &mut serde_json::Map<String, Value>, retry: Vec<Value>, catch: Vec<Value>) {
    if !retry.is_empty() {
        state.insert("Retry".into(), Value::Array(retry));
    }
    if !catch.is_empty() {
        state.insert("Catch".into(), Value::Array(catch));
    }
}

/// A Task state running `T`.
#[allow(clippy::too_many_arguments)]
pub fn task_state<T: Task>(
    comment: Option<&str>,
    input_path: Option<&str>,
    parameters: Option<Value>,
    result_selector: Option<Value>,
    result_path: Option<&str>,
    output_path: Option<&str>,
    next: Option<&str>,
    retry: Vec<Value>,
    catch: Vec<Value>,
) -> Value {
    let mut s = serde_json::Map::new();
    s.insert("Type".into(), "Task".into());
    s.insert("Resource".into(), T::RESOURCE.into());
    if let Some(t) = T::TIMEOUT_SECONDS {
        s.insert("TimeoutSeconds".into(), t.into());
    }
    if let Some(h) = T::HEARTBEAT_SECONDS {
        s.insert("HeartbeatSeconds".into(), h.into());
    }
    if let Some(p) = input_path {
        s.insert("InputPath".into(), p.into());
    }
    if let Some(p) = parameters {
        s.insert("Parameters".into(), p);
    }
    if let Some(r) = result_selector {
        s.insert("ResultSelector".into(), r);
    }
    if let Some(p) = output_path {
        s.insert("OutputPath".into(), p.into());
    }
    if let Some(p) = result_path {
        s.insert("ResultPath".into(), p.into());
    }
    put_handling(&mut s, retry, catch);
    put_next(&mut s, next);
    with_common(s, comment)
}

/// A Pass state, with `Result` when given.
pub fn pass_state(comment: Option<&str>, result: Option<Value>, next: Option<&str>) -> Value {
    let mut s = serde_json::Map::new();
    s.insert("Type".into(), "Pass".into());
    if let Some(r) = result {
        s.insert("Result".into(), r);
    }
    put_next(&mut s, next);
    with_common(s, comment)
}

/// A Pass state whose output is built by `Parameters`.
pub fn pass_parameters(
    comment: Option<&str>,
    parameters: Option<Value>,
    next: Option<&str>,
) -> Value {
    let mut s = serde_json::Map::new();
    s.insert("Type".into(), "Pass".into());
    if let Some(p) = parameters {
        s.insert("Parameters".into(), p);
    }
    put_next(&mut s, next);
    with_common(s, comment)
}

/// One member of a payload template.
pub enum TemplateField {
    /// `"key.$": path`.
    Path(String),
    /// `"key": value`.
    Literal(Value),
}

/// A payload template: `{"key.$": "$.path", "key": literal}`.
pub fn template(fields: Vec<(&str, TemplateField)>) -> Value {
    Value::Object(
        fields
            .into_iter()
            .map(|(name, field)| match field {
                TemplateField::Path(p) => (format!("{name}.$"), Value::String(p)),
                TemplateField::Literal(v) => (name.to_string(), v),
            })
            .collect(),
    )
}

/// `$$.Map.Item.Value...`: a path into the current Map item.
pub fn map_item_path(item_path: &str) -> String {
    format!(
        "$$.Map.Item.Value{}",
        item_path.strip_prefix('$').unwrap_or(item_path)
    )
}

/// A Map item's index, for the never-run functions that check templates.
pub fn index_value<T: Index>() -> T {
    unreachable!("only type-checked, never run")
}

/// Whole-number types a Map item's `index` may fill.
#[diagnostic::on_unimplemented(
    message = "`index` is a whole number, but the field is a `{Self}`",
    label = "not a whole number"
)]
pub trait Index {}
impl Index for u32 {}
impl Index for u64 {}
impl Index for usize {}
impl Index for i32 {}
impl Index for i64 {}

/// Stands for a field's value in the never-run functions that check templates.
pub fn copy_of<T>(_field: &T) -> T {
    unreachable!("only type-checked, never run")
}

/// A Wait state: `Seconds`, `Timestamp`, `SecondsPath` or `TimestampPath`.
pub fn wait_state(
    comment: Option<&str>,
    seconds: Option<u64>,
    timestamp: Option<&str>,
    seconds_path: Option<&str>,
    timestamp_path: Option<&str>,
    next: Option<&str>,
) -> Value {
    let mut s = serde_json::Map::new();
    s.insert("Type".into(), "Wait".into());
    if let Some(n) = seconds {
        s.insert("Seconds".into(), n.into());
    }
    if let Some(t) = timestamp {
        s.insert("Timestamp".into(), t.into());
    }
    if let Some(p) = seconds_path {
        s.insert("SecondsPath".into(), p.into());
    }
    if let Some(p) = timestamp_path {
        s.insert("TimestampPath".into(), p.into());
    }
    put_next(&mut s, next);
    with_common(s, comment)
}

/// A Succeed state.
pub fn succeed_state(comment: Option<&str>) -> Value {
    let mut s = serde_json::Map::new();
    s.insert("Type".into(), "Succeed".into());
    with_common(s, comment)
}

/// A Fail state.
pub fn fail_state(comment: Option<&str>, error: Option<&str>, cause: Option<&str>) -> Value {
    let mut s = serde_json::Map::new();
    s.insert("Type".into(), "Fail".into());
    if let Some(e) = error {
        s.insert("Error".into(), e.into());
    }
    if let Some(c) = cause {
        s.insert("Cause".into(), c.into());
    }
    with_common(s, comment)
}

/// A Choice state: each rule is a condition and its `Next`.
pub fn choice_state(
    comment: Option<&str>,
    rules: Vec<(Value, &str)>,
    default: Option<&str>,
) -> Value {
    let mut s = serde_json::Map::new();
    s.insert("Type".into(), "Choice".into());
    let choices = rules
        .into_iter()
        .map(|(condition, next)| {
            let mut rule = match condition {
                Value::Object(m) => m,
                _ => serde_json::Map::new(),
            };
            rule.insert("Next".into(), next.into());
            Value::Object(rule)
        })
        .collect();
    s.insert("Choices".into(), Value::Array(choices));
    if let Some(d) = default {
        s.insert("Default".into(), d.into());
    }
    with_common(s, comment)
}

/// `{"Variable": path, operator: value}`.
pub fn compare(path: &str, operator: &str, value: Value) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("Variable".into(), path.into());
    m.insert(operator.into(), value);
    Value::Object(m)
}

/// `{"And": [...]}`, `{"Or": [...]}`.
pub fn combine(operator: &str, rules: Vec<Value>) -> Value {
    let mut m = serde_json::Map::new();
    m.insert(operator.into(), Value::Array(rules));
    Value::Object(m)
}

/// `{"Not": rule}`.
pub fn not(rule: Value) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("Not".into(), rule);
    Value::Object(m)
}

/// A Parallel state.
pub fn parallel_state(
    comment: Option<&str>,
    branches: Vec<Value>,
    next: Option<&str>,
    retry: Vec<Value>,
    catch: Vec<Value>,
) -> Value {
    let mut s = serde_json::Map::new();
    s.insert("Type".into(), "Parallel".into());
    s.insert("Branches".into(), Value::Array(branches));
    put_handling(&mut s, retry, catch);
    put_next(&mut s, next);
    with_common(s, comment)
}

/// A Distributed Map's settings: an ItemReader (input type, bucket, key) and the failures
/// it tolerates.
pub struct Distributed {
    /// `JSON`, `JSONL` or `CSV`, the bucket and the key.
    pub reader: Option<(&'static str, &'static str, &'static str)>,
    /// The ResultWriter's bucket and prefix.
    pub writer: Option<(&'static str, &'static str)>,
    /// `ToleratedFailurePercentage`.
    pub tolerated_failure_percentage: Option<f64>,
    /// `ToleratedFailureCount`.
    pub tolerated_failure_count: Option<u64>,
}

/// A Map state: inline, or distributed when `distributed` is given.
#[allow(clippy::too_many_arguments)]
pub fn map_state(
    comment: Option<&str>,
    items_path: Option<&str>,
    max_concurrency: Option<u64>,
    distributed: Option<Distributed>,
    item_selector: Option<Value>,
    max_items_per_batch: Option<u64>,
    processor: Value,
    next: Option<&str>,
    retry: Vec<Value>,
    catch: Vec<Value>,
) -> Value {
    let mut s = serde_json::Map::new();
    s.insert("Type".into(), "Map".into());
    if let Some(p) = items_path {
        s.insert("ItemsPath".into(), p.into());
    }
    if let Some(n) = max_concurrency {
        s.insert("MaxConcurrency".into(), n.into());
    }
    if let Some(selector) = item_selector {
        s.insert("ItemSelector".into(), selector);
    }
    if let Some(n) = max_items_per_batch {
        s.insert(
            "ItemBatcher".into(),
            serde_json::json!({"MaxItemsPerBatch": n}),
        );
    }
    let mut processor = match processor {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    match &distributed {
        None => {
            processor.insert(
                "ProcessorConfig".into(),
                serde_json::json!({"Mode": "INLINE"}),
            );
        }
        Some(d) => {
            processor.insert(
                "ProcessorConfig".into(),
                serde_json::json!({"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}),
            );
            if let Some((input_type, bucket, key)) = d.reader {
                s.insert(
                    "ItemReader".into(),
                    serde_json::json!({
                        "Resource": "arn:aws:states:::s3:getObject",
                        "ReaderConfig": {"InputType": input_type},
                        "Parameters": {"Bucket": bucket, "Key": key}
                    }),
                );
            }
            if let Some((bucket, prefix)) = d.writer {
                s.insert(
                    "ResultWriter".into(),
                    serde_json::json!({
                        "Resource": "arn:aws:states:::s3:putObject",
                        "Parameters": {"Bucket": bucket, "Prefix": prefix}
                    }),
                );
            }
            if let Some(p) = d.tolerated_failure_percentage {
                s.insert(
                    "ToleratedFailurePercentage".into(),
                    Value::Number(json_number(p)),
                );
            }
            if let Some(c) = d.tolerated_failure_count {
                s.insert("ToleratedFailureCount".into(), c.into());
            }
        }
    }
    s.insert("ItemProcessor".into(), Value::Object(processor));
    put_handling(&mut s, retry, catch);
    put_next(&mut s, next);
    with_common(s, comment)
}

/// `{"StartAt": ..., "States": {...}}` of a machine, branch or processor.
pub fn states(start: &str, states: Vec<(&str, Value)>) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("StartAt".into(), start.into());
    m.insert(
        "States".into(),
        Value::Object(
            states
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        ),
    );
    Value::Object(m)
}

/// The whole machine: `states` plus the top-level fields.
pub fn top_level(body: Value, comment: Option<&str>, timeout: Option<u64>) -> Value {
    let mut m = match body {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    if let Some(c) = comment {
        m.insert("Comment".into(), c.into());
    }
    if let Some(t) = timeout {
        m.insert("TimeoutSeconds".into(), t.into());
    }
    Value::Object(m)
}

/// A state with `Assign`: each variable set from a path (`"name.$": "$.path"`).
pub fn with_assign(mut state: Value, variables: Vec<(&str, String)>) -> Value {
    let assign: serde_json::Map<String, Value> = variables
        .into_iter()
        .map(|(name, path)| (format!("{name}.$"), Value::String(path)))
        .collect();
    if let Value::Object(s) = &mut state {
        s.insert("Assign".into(), Value::Object(assign));
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
) -> Value {
    let mut r = serde_json::Map::new();
    r.insert("ErrorEquals".into(), errors.into());
    if let Some(i) = interval {
        r.insert("IntervalSeconds".into(), i.into());
    }
    if let Some(m) = max_attempts {
        r.insert("MaxAttempts".into(), m.into());
    }
    if let Some(b) = backoff {
        r.insert("BackoffRate".into(), Value::Number(json_number(b)));
    }
    if let Some(d) = max_delay {
        r.insert("MaxDelaySeconds".into(), d.into());
    }
    if jitter_full {
        r.insert("JitterStrategy".into(), "FULL".into());
    }
    Value::Object(r)
}

/// One element of `Catch`.
pub fn catcher(errors: Vec<String>, next: &str, result_path: Option<&str>) -> Value {
    let mut c = serde_json::json!({"ErrorEquals": errors, "Next": next});
    if let Some(p) = result_path {
        c["ResultPath"] = p.into();
    }
    c
}

/// A field of exactly the type `T`.
#[diagnostic::on_unimplemented(
    message = "this field is a `{Self}`, but the task takes a `{T}`",
    label = "the task's input is `{T}`",
    note = "`input = .field` hands the field to the task unconverted: the types must be identical"
)]
pub trait Same<T> {}
impl<T> Same<T> for T {}

/// A field that can hold a `T`: a `T` or an `Option<T>`.
#[diagnostic::on_unimplemented(
    message = "this field is a `{Self}`, which cannot hold the result, a `{T}`",
    label = "`result_path` puts a `{T}` here",
    note = "give the field the result's type (or `Option` of it)"
)]
pub trait Holds<T> {}
impl<T> Holds<T> for T {}
impl<T> Holds<T> for Option<T> {}

/// A whole number of seconds.
#[diagnostic::on_unimplemented(
    message = "`wait for` needs a whole number of seconds, but the field is a `{Self}`",
    label = "not a whole number"
)]
pub trait Seconds {}
impl Seconds for u8 {}
impl Seconds for u16 {}
impl Seconds for u32 {}
impl Seconds for u64 {}
impl Seconds for usize {}
impl Seconds for i32 {}
impl Seconds for i64 {}

/// The path to a field of exactly the type `T`.
pub fn same_field<T, F: Same<T>>(field: Lens<F>) -> Lens<F> {
    field
}

/// A field of exactly the type `output = .field as T` names.
#[diagnostic::on_unimplemented(
    message = "this field is a `{Self}`, but `output` says `{T}`",
    label = "`output` passes this field on as a `{T}`"
)]
pub trait OutputIs<T> {}
impl<T> OutputIs<T> for T {}

/// The path to the field `output` passes on, of exactly the type `T`.
pub fn output_field<T, F: OutputIs<T>>(field: Lens<F>) -> Lens<F> {
    field
}

/// The path to a field that can hold a `T`.
pub fn holds_field<T, F: Holds<T>>(field: Lens<F>) -> Lens<F> {
    field
}

/// The path to a number of seconds.
pub fn seconds_field<F: Seconds>(field: Lens<F>) -> Lens<F> {
    field
}

/// The machine `workflow!` built in JSONPath terms, rewritten for `QueryLanguage: JSONata`:
/// `InputPath` becomes `Arguments`, `ResultPath` an `Output` merging the result into the input,
/// `ItemsPath` `Items`, `SecondsPath`/`TimestampPath` expressions, Choice rules `Condition`s,
/// Pass `Result` an `Output`.
pub fn jsonata_mode(mut machine: Value) -> Value {
    if let Value::Object(m) = &mut machine {
        m.insert("QueryLanguage".into(), "JSONata".into());
    }
    convert_states(&mut machine);
    machine
}

fn convert_states(scope: &mut Value) {
    let Some(states) = scope.get_mut("States").and_then(Value::as_object_mut) else {
        return;
    };
    for state in states.values_mut() {
        let Some(s) = state.as_object_mut() else {
            continue;
        };
        if let Some(Value::String(p)) = s.remove("InputPath") {
            s.insert("Arguments".into(), expression(&input_expr(&p)).into());
        }
        if let Some(Value::Object(parameters)) = s.remove("Parameters") {
            let built = expression(&object_expr(&parameters, "$states.input"));
            let field = if s.get("Type").and_then(Value::as_str) == Some("Pass") {
                "Output"
            } else {
                "Arguments"
            };
            s.insert(field.into(), built.into());
        }
        let selected = match s.remove("ResultSelector") {
            Some(Value::Object(selector)) => Some(object_expr(&selector, "$states.result")),
            _ => None,
        };
        let output = match (s.remove("ResultPath"), selected) {
            (Some(Value::String(p)), selected) => {
                let result = selected.unwrap_or_else(|| "$states.result".into());
                Some(merged(&p, &result))
            }
            (_, Some(selected)) => Some(selected),
            _ => None,
        };
        let output = match s.remove("OutputPath") {
            Some(Value::String(p)) => {
                let mut e = format!("({})", output.unwrap_or_else(|| "$states.result".into()));
                for segment in segments(&p) {
                    e.push('.');
                    e.push_str(&name_of(&segment));
                }
                Some(e)
            }
            _ => output,
        };
        if let Some(o) = output {
            s.insert("Output".into(), expression(&o).into());
        }
        if let Some(Value::Object(selector)) = s.remove("ItemSelector") {
            s.insert(
                "ItemSelector".into(),
                expression(&object_expr(&selector, "$states.input")).into(),
            );
        }
        if let Some(Value::String(p)) = s.remove("ItemsPath") {
            s.insert("Items".into(), expression(&input_expr(&p)).into());
        }
        if let Some(Value::String(p)) = s.remove("SecondsPath") {
            s.insert("Seconds".into(), expression(&input_expr(&p)).into());
        }
        if let Some(Value::String(p)) = s.remove("TimestampPath") {
            s.insert("Timestamp".into(), expression(&input_expr(&p)).into());
        }
        let has_result = matches!(
            s.get("Type").and_then(Value::as_str),
            Some("Task" | "Parallel" | "Map")
        ) || s.contains_key("Result");
        if let Some(Value::Object(assign)) = s.remove("Assign") {
            let source = if has_result {
                "$states.result"
            } else {
                "$states.input"
            };
            let converted: serde_json::Map<String, Value> = assign
                .into_iter()
                .map(|(name, path)| {
                    let name = name.trim_end_matches(".$").to_string();
                    let path = path.as_str().unwrap_or("$");
                    let mut e = source.to_string();
                    for s in segments(path) {
                        e.push('.');
                        e.push_str(&name_of(&s));
                    }
                    (name, expression(&e).into())
                })
                .collect();
            s.insert("Assign".into(), Value::Object(converted));
        }
        if let Some(result) = s.remove("Result") {
            s.insert("Output".into(), result);
        }
        if let Some(Value::Array(catchers)) = s.get_mut("Catch") {
            for c in catchers.iter_mut().filter_map(Value::as_object_mut) {
                if let Some(Value::String(p)) = c.remove("ResultPath") {
                    c.insert(
                        "Output".into(),
                        expression(&merged(&p, "$states.errorOutput")).into(),
                    );
                }
            }
        }
        if let Some(Value::Array(rules)) = s.get_mut("Choices") {
            for rule in rules.iter_mut().filter_map(Value::as_object_mut) {
                let next = rule.remove("Next");
                let condition = condition(&Value::Object(std::mem::take(rule)));
                rule.insert("Condition".into(), expression(&condition).into());
                if let Some(n) = next {
                    rule.insert("Next".into(), n);
                }
            }
        }
        if let Some(Value::Array(branches)) = s.get_mut("Branches") {
            branches.iter_mut().for_each(convert_states);
        }
        if let Some(processor) = s.get_mut("ItemProcessor") {
            convert_states(processor);
        }
    }
}

fn expression(body: &str) -> String {
    format!("{{% {body} %}}")
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

fn input_expr(path: &str) -> String {
    let mut e = String::from("$states.input");
    for s in segments(path) {
        e.push('.');
        e.push_str(&name_of(&s));
    }
    e
}

/// A JSONata object constructor for a JSONPath payload template over `source`.
fn object_expr(template: &serde_json::Map<String, Value>, source: &str) -> String {
    let members: Vec<String> = template
        .iter()
        .map(|(key, value)| match (key.strip_suffix(".$"), value) {
            (Some(name), Value::String(path)) => {
                // `$$...` reads the context object.
                let (mut e, path) = match path.strip_prefix('$') {
                    Some(rest) if rest.starts_with('$') => ("$states.context".to_string(), rest),
                    _ => (source.to_string(), path.as_str()),
                };
                for s in segments(path) {
                    e.push('.');
                    e.push_str(&name_of(&s));
                }
                format!("{}: {e}", Value::String(name.to_string()))
            }
            _ => format!("{}: {value}", Value::String(key.clone())),
        })
        .collect();
    format!("{{{}}}", members.join(", "))
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
fn condition(rule: &Value) -> String {
    let list = |key: &str, op: &str| -> Option<String> {
        rule.get(key).and_then(Value::as_array).map(|rules| {
            let parts: Vec<String> = rules
                .iter()
                .map(|r| format!("({})", condition(r)))
                .collect();
            parts.join(&format!(" {op} "))
        })
    };
    if let Some(c) = list("And", "and") {
        return c;
    }
    if let Some(c) = list("Or", "or") {
        return c;
    }
    if let Some(inner) = rule.get("Not") {
        return format!("$not({})", condition(inner));
    }
    let variable = rule
        .get("Variable")
        .and_then(Value::as_str)
        .map(input_expr)
        .unwrap_or_default();
    let Some((operator, operand)) = rule
        .as_object()
        .and_then(|m| m.iter().find(|(k, _)| *k != "Variable"))
    else {
        return "false".into();
    };
    let literal = operand.to_string();
    let compare = |op: &str| format!("{variable} {op} {literal}");
    match operator.as_str() {
        "IsPresent" => format!("$exists({variable})"),
        "IsNull" => format!("{variable} = null"),
        "IsNumeric" => format!("$type({variable}) = 'number'"),
        "IsString" => format!("$type({variable}) = 'string'"),
        "IsBoolean" => format!("$type({variable}) = 'boolean'"),
        "IsTimestamp" => format!(
            "$type({variable}) = 'string' and $contains({variable}, /^\\d{{4}}-\\d{{2}}-\\d{{2}}T/)"
        ),
        "StringMatches" => {
            let pattern: String = operand
                .as_str()
                .unwrap_or_default()
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

pub use super::schema::schema_of;
