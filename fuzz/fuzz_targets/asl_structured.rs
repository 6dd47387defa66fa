//! ASL definitions built from structured input: states of every type wired to each other by
//! name, with fields drawn from ASL's own (paths, intrinsic calls, JSONata, templates, retriers,
//! catchers, choice rules, nested branches), so that most inputs get past the JSON syntax and
//! the field checks into the validator's whole-machine rules. What is accepted is emitted and
//! must be accepted again.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};
use stepfn::{check_value, emit, CheckOptions, MachineType};

#[derive(Arbitrary, Debug)]
struct Machine {
    express: bool,
    language: Option<Language>,
    start: u8,
    states: Vec<StateDef>,
    extra: Vec<(Field, Val)>,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Language {
    JsonPath,
    Jsonata,
}

#[derive(Arbitrary, Debug)]
struct StateDef {
    kind: Kind,
    language: Option<Language>,
    /// `Next` (a state by number), or `End` when `None`.
    next: Option<u8>,
    fields: Vec<(Field, Val)>,
}

#[derive(Arbitrary, Debug)]
enum Kind {
    Pass,
    Task,
    Wait,
    Succeed,
    Fail,
    Choice {
        rules: Vec<Rule>,
        default: Option<u8>,
    },
    Parallel {
        branches: Vec<Machine>,
    },
    Map {
        processor: Box<Machine>,
        distributed: bool,
    },
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum Rule {
    Compare {
        variable: PathText,
        operator: Operator,
        value: Val,
    },
    And(Vec<Rule>),
    Or(Vec<Rule>),
    Not(Box<Rule>),
    Condition(JsonataText),
}

#[derive(Arbitrary, Debug)]
enum Operator {
    StringEquals,
    StringEqualsPath,
    StringLessThan,
    StringGreaterThanEquals,
    StringMatches,
    NumericEquals,
    NumericEqualsPath,
    NumericLessThan,
    NumericGreaterThanEquals,
    BooleanEquals,
    BooleanEqualsPath,
    TimestampEquals,
    TimestampLessThanPath,
    TimestampGreaterThan,
    IsNull,
    IsPresent,
    IsNumeric,
    IsString,
    IsBoolean,
    IsTimestamp,
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum Field {
    Comment,
    InputPath,
    OutputPath,
    ResultPath,
    Parameters,
    ResultSelector,
    Result,
    Arguments,
    Output,
    Assign,
    Resource,
    TimeoutSeconds,
    TimeoutSecondsPath,
    HeartbeatSeconds,
    HeartbeatSecondsPath,
    Credentials,
    Retry,
    Catch,
    Seconds,
    SecondsPath,
    Timestamp,
    TimestampPath,
    Error,
    ErrorPath,
    Cause,
    CausePath,
    Items,
    ItemsPath,
    ItemSelector,
    ItemReader,
    ItemBatcher,
    ResultWriter,
    MaxConcurrency,
    MaxConcurrencyPath,
    ToleratedFailurePercentage,
    ToleratedFailureCount,
    Label,
    Iterator,
    Version,
    TimeoutSecondsTop,
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum Val {
    Path(PathText),
    Jsonata(JsonataText),
    Intrinsic(IntrinsicText),
    Timestamp(TimestampText),
    Resource(ResourceText),
    ErrorName(ErrorText),
    State(u8),
    Str(String),
    Int(i64),
    Small(u8),
    Float(f64),
    Bool(bool),
    Null,
    Array(Vec<Val>),
    Object(Vec<(Key, Val)>),
    Retrier {
        errors: Vec<ErrorText>,
        interval: Option<i64>,
        attempts: Option<i64>,
        backoff: Option<f64>,
        max_delay: Option<i64>,
        jitter: bool,
    },
    Catcher {
        errors: Vec<ErrorText>,
        next: u8,
        result_path: Option<PathText>,
    },
}

#[derive(Arbitrary, Debug)]
enum Key {
    Plain(String),
    /// `name.$`: a path or intrinsic call in JSONPath templates.
    Query(String),
    Known(Field),
}

#[derive(Arbitrary, Debug)]
enum PathText {
    Input,
    Member(String),
    Context(String),
    Variable(String),
    Index(String, i16),
    Wildcard,
    Filter(String, i32),
    Slice(i8, i8),
    Function(String),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum JsonataText {
    Input,
    States(String),
    Sum,
    Variable(String),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum IntrinsicText {
    Format(Vec<PathText>),
    Array(Vec<PathText>),
    ArrayRange(i32, i32, i32),
    ArrayGetItem(PathText, i32),
    StringToJson(PathText),
    JsonToString(PathText),
    Hash(PathText, String),
    MathAdd(PathText, i64),
    Uuid,
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum TimestampText {
    Valid,
    WithOffset(u8, u8),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum ResourceText {
    Lambda,
    LambdaInvoke,
    Sync,
    Callback,
    Activity,
    Sdk,
    Http,
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum ErrorText {
    All,
    Timeout,
    TaskFailed,
    Permissions,
    Custom(String),
}

/// State names: a few, so that references often hit one.
fn name(n: u8) -> String {
    format!("S{}", n % 6)
}

impl Machine {
    fn to_json(&self, depth: usize) -> Value {
        let mut o = Map::new();
        let states: Map<String, Value> = self
            .states
            .iter()
            .take(6)
            .enumerate()
            .map(|(i, s)| (name(i as u8), s.to_json(depth)))
            .collect();
        o.insert("StartAt".into(), json!(name(self.start)));
        o.insert("States".into(), Value::Object(states));
        if let Some(language) = self.language {
            o.insert("QueryLanguage".into(), language.to_json());
        }
        for (field, value) in &self.extra {
            o.insert(field.name(), value.to_json(depth));
        }
        Value::Object(o)
    }
}

impl Language {
    fn to_json(self) -> Value {
        match self {
            Language::JsonPath => json!("JSONPath"),
            Language::Jsonata => json!("JSONata"),
        }
    }
}

impl StateDef {
    fn to_json(&self, depth: usize) -> Value {
        let mut o = Map::new();
        let type_name = match &self.kind {
            Kind::Pass => "Pass",
            Kind::Task => "Task",
            Kind::Wait => "Wait",
            Kind::Succeed => "Succeed",
            Kind::Fail => "Fail",
            Kind::Choice { .. } => "Choice",
            Kind::Parallel { .. } => "Parallel",
            Kind::Map { .. } => "Map",
            Kind::Other(s) => s,
        };
        o.insert("Type".into(), json!(type_name));
        if let Some(language) = self.language {
            o.insert("QueryLanguage".into(), language.to_json());
        }
        match &self.kind {
            Kind::Choice { rules, default } => {
                let rules: Vec<Value> = rules
                    .iter()
                    .enumerate()
                    .map(|(i, r)| r.to_json(depth, Some(i as u8 + 1)))
                    .collect();
                o.insert("Choices".into(), Value::Array(rules));
                if let Some(d) = default {
                    o.insert("Default".into(), json!(name(*d)));
                }
            }
            Kind::Parallel { branches } if depth < 3 => {
                let branches: Vec<Value> = branches.iter().map(|b| b.to_json(depth + 1)).collect();
                o.insert("Branches".into(), Value::Array(branches));
            }
            Kind::Map {
                processor,
                distributed,
            } if depth < 3 => {
                let mut p = processor.to_json(depth + 1);
                if *distributed {
                    p["ProcessorConfig"] =
                        json!({"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"});
                }
                o.insert("ItemProcessor".into(), p);
            }
            _ => {}
        }
        if !matches!(self.kind, Kind::Choice { .. } | Kind::Succeed | Kind::Fail) {
            match self.next {
                Some(n) => o.insert("Next".into(), json!(name(n))),
                None => o.insert("End".into(), json!(true)),
            };
        }
        for (field, value) in &self.fields {
            o.insert(field.name(), value.to_json(depth));
        }
        Value::Object(o)
    }
}

impl Rule {
    fn to_json(&self, depth: usize, next: Option<u8>) -> Value {
        let mut o = match self {
            Rule::Compare {
                variable,
                operator,
                value,
            } => {
                let mut o = Map::new();
                o.insert("Variable".into(), json!(variable.text()));
                o.insert(operator.name(), value.to_json(depth));
                o
            }
            Rule::And(rules) | Rule::Or(rules) => {
                let key = if matches!(self, Rule::And(_)) {
                    "And"
                } else {
                    "Or"
                };
                let rules: Vec<Value> = rules.iter().map(|r| r.to_json(depth, None)).collect();
                let mut o = Map::new();
                o.insert(key.into(), Value::Array(rules));
                o
            }
            Rule::Not(rule) => {
                let mut o = Map::new();
                o.insert("Not".into(), rule.to_json(depth, None));
                o
            }
            Rule::Condition(j) => {
                let mut o = Map::new();
                o.insert("Condition".into(), json!(j.delimited()));
                o
            }
        };
        if let Some(n) = next {
            o.insert("Next".into(), json!(name(n)));
        }
        Value::Object(o)
    }
}

impl Operator {
    fn name(&self) -> String {
        match self {
            Operator::Other(s) => s.clone(),
            other => format!("{other:?}"),
        }
    }
}

impl Field {
    fn name(&self) -> String {
        match self {
            Field::TimeoutSecondsTop => "TimeoutSeconds".into(),
            Field::Other(s) => s.clone(),
            other => format!("{other:?}"),
        }
    }
}

impl Val {
    fn to_json(&self, depth: usize) -> Value {
        match self {
            Val::Path(p) => json!(p.text()),
            Val::Jsonata(j) => json!(j.delimited()),
            Val::Intrinsic(i) => json!(i.text()),
            Val::Timestamp(t) => json!(t.text()),
            Val::Resource(r) => json!(r.text()),
            Val::ErrorName(e) => json!(e.text()),
            Val::State(n) => json!(name(*n)),
            Val::Str(s) => json!(s),
            Val::Int(n) => json!(n),
            Val::Small(n) => json!(n),
            Val::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Val::Bool(b) => json!(b),
            Val::Null => Value::Null,
            Val::Array(items) if depth < 6 => {
                Value::Array(items.iter().map(|v| v.to_json(depth + 1)).collect())
            }
            Val::Object(members) if depth < 6 => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.text(), v.to_json(depth + 1)))
                    .collect(),
            ),
            Val::Array(_) | Val::Object(_) => json!({}),
            Val::Retrier {
                errors,
                interval,
                attempts,
                backoff,
                max_delay,
                jitter,
            } => {
                let mut o = Map::new();
                o.insert(
                    "ErrorEquals".into(),
                    errors.iter().map(ErrorText::text).collect(),
                );
                if let Some(n) = interval {
                    o.insert("IntervalSeconds".into(), json!(n));
                }
                if let Some(n) = attempts {
                    o.insert("MaxAttempts".into(), json!(n));
                }
                if let Some(f) = backoff {
                    o.insert(
                        "BackoffRate".into(),
                        serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
                    );
                }
                if let Some(n) = max_delay {
                    o.insert("MaxDelaySeconds".into(), json!(n));
                }
                if *jitter {
                    o.insert("JitterStrategy".into(), json!("FULL"));
                }
                Value::Array(vec![Value::Object(o)])
            }
            Val::Catcher {
                errors,
                next,
                result_path,
            } => {
                let mut o = Map::new();
                o.insert(
                    "ErrorEquals".into(),
                    errors.iter().map(ErrorText::text).collect(),
                );
                o.insert("Next".into(), json!(name(*next)));
                if let Some(p) = result_path {
                    o.insert("ResultPath".into(), json!(p.text()));
                }
                Value::Array(vec![Value::Object(o)])
            }
        }
    }
}

impl Key {
    fn text(&self) -> String {
        match self {
            Key::Plain(s) => s.clone(),
            Key::Query(s) => format!("{s}.$"),
            Key::Known(f) => f.name(),
        }
    }
}

impl PathText {
    fn text(&self) -> String {
        match self {
            PathText::Input => "$".into(),
            PathText::Member(s) => format!("$.{s}"),
            PathText::Context(s) => format!("$$.{s}"),
            PathText::Variable(s) => format!("${s}"),
            PathText::Index(s, i) => format!("$.{s}[{i}]"),
            PathText::Wildcard => "$.items[*].id".into(),
            PathText::Filter(s, n) => format!("$.items[?(@.{s} > {n})]"),
            PathText::Slice(a, b) => format!("$.items[{a}:{b}]"),
            PathText::Function(f) => format!("$.items.{f}()"),
            PathText::Raw(s) => s.clone(),
        }
    }
}

impl JsonataText {
    fn delimited(&self) -> String {
        let inner = match self {
            JsonataText::Input => "$states.input".into(),
            JsonataText::States(s) => format!("$states.{s}"),
            JsonataText::Sum => "$sum($states.input.items.id)".into(),
            JsonataText::Variable(s) => format!("${s}"),
            JsonataText::Raw(s) => s.clone(),
        };
        format!("{{% {inner} %}}")
    }
}

impl IntrinsicText {
    fn text(&self) -> String {
        let paths = |ps: &[PathText]| ps.iter().map(PathText::text).collect::<Vec<_>>().join(", ");
        match self {
            IntrinsicText::Format(ps) => format!("States.Format('{{}} and {{}}', {})", paths(ps)),
            IntrinsicText::Array(ps) => format!("States.Array({})", paths(ps)),
            IntrinsicText::ArrayRange(a, b, c) => format!("States.ArrayRange({a}, {b}, {c})"),
            IntrinsicText::ArrayGetItem(p, i) => {
                format!("States.ArrayGetItem({}, {i})", p.text())
            }
            IntrinsicText::StringToJson(p) => format!("States.StringToJson({})", p.text()),
            IntrinsicText::JsonToString(p) => format!("States.JsonToString({})", p.text()),
            IntrinsicText::Hash(p, a) => format!("States.Hash({}, '{a}')", p.text()),
            IntrinsicText::MathAdd(p, n) => format!("States.MathAdd({}, {n})", p.text()),
            IntrinsicText::Uuid => "States.UUID()".into(),
            IntrinsicText::Raw(s) => format!("States.{s}"),
        }
    }
}

impl TimestampText {
    fn text(&self) -> String {
        match self {
            TimestampText::Valid => "2026-11-21T18:59:24Z".into(),
            TimestampText::WithOffset(h, m) => format!("2026-11-21T18:59:24.5+{h:02}:{m:02}"),
            TimestampText::Raw(s) => s.clone(),
        }
    }
}

impl ResourceText {
    fn text(&self) -> String {
        match self {
            ResourceText::Lambda => "arn:aws:lambda:us-east-1:123456789012:function:f".into(),
            ResourceText::LambdaInvoke => "arn:aws:states:::lambda:invoke".into(),
            ResourceText::Sync => "arn:aws:states:::states:startExecution.sync:2".into(),
            ResourceText::Callback => "arn:aws:states:::sqs:sendMessage.waitForTaskToken".into(),
            ResourceText::Activity => "arn:aws:states:us-east-1:123456789012:activity:a".into(),
            ResourceText::Sdk => "arn:aws:states:::aws-sdk:s3:getObject".into(),
            ResourceText::Http => "arn:aws:states:::http:invoke".into(),
            ResourceText::Raw(s) => s.clone(),
        }
    }
}

impl ErrorText {
    fn text(&self) -> Value {
        json!(match self {
            ErrorText::All => "States.ALL",
            ErrorText::Timeout => "States.Timeout",
            ErrorText::TaskFailed => "States.TaskFailed",
            ErrorText::Permissions => "States.Permissions",
            ErrorText::Custom(s) => s,
        })
    }
}

fuzz_target!(|machine: Machine| {
    let definition = machine.to_json(0);
    let options = CheckOptions::new().with_machine_type(if machine.express {
        MachineType::Express
    } else {
        MachineType::Standard
    });
    if let Ok(accepted) = check_value(&definition, &options) {
        let emitted = emit::to_value(&accepted);
        if let Err(problems) = check_value(&emitted, &options) {
            panic!("an accepted definition, emitted, is refused: {problems:?}\n{definition}\n{emitted}");
        }
    }
});
