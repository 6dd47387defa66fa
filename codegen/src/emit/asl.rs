use serde::ser::{Serialize, Serializer};
use serde::{Deserialize, Deserializer};
use serde_json::{Map as JsonMap, Value};

use crate::model::*;
use crate::Map;

/// The machine as an ASL JSON value.
pub fn to_value(machine: &StateMachine) -> Value {
    let mut o = Obj::default();
    o.opt_str("Comment", &machine.comment);
    o.opt(
        "QueryLanguage",
        machine.query_language.map(|q| Value::from(q.as_str())),
    );
    o.put("StartAt", Value::from(machine.start_at.as_str()));
    o.opt_str("Version", &machine.version);
    o.opt("TimeoutSeconds", machine.timeout_seconds.map(Value::from));
    o.put("States", states(&machine.states));
    o.done()
}

/// The machine as pretty-printed ASL JSON (two-space indent, trailing newline).
pub fn to_string_pretty(machine: &StateMachine) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(machine)).unwrap_or_default();
    s.push('\n');
    s
}

/// One state as an ASL JSON value.
pub fn state_to_value(state: &State) -> Value {
    let mut o = Obj::default();
    o.put("Type", Value::from(state.state_type().as_str()));
    o.opt_str("Comment", &state.comment().map(str::to_string));
    o.opt(
        "QueryLanguage",
        state.query_language().map(|q| Value::from(q.as_str())),
    );
    match state {
        State::Task(t) => {
            o.put(
                "Resource",
                match &t.resource {
                    Resource::Uri(s) => Value::from(s.as_str()),
                    Resource::CloudFormation(v) => v.clone(),
                },
            );
            o.opt_path("InputPath", &t.input_path);
            o.opt_template("Parameters", &t.parameters);
            o.opt_template("Arguments", &t.arguments);
            o.opt_template("ResultSelector", &t.result_selector);
            o.opt_path("ResultPath", &t.result_path);
            o.opt_path("OutputPath", &t.output_path);
            o.opt_template("Output", &t.output);
            o.opt_assign(&t.assign);
            o.opt(
                "TimeoutSeconds",
                t.timeout_seconds.as_ref().map(maybe_jsonata),
            );
            o.opt(
                "TimeoutSecondsPath",
                t.timeout_seconds_path.as_ref().map(path),
            );
            o.opt(
                "HeartbeatSeconds",
                t.heartbeat_seconds.as_ref().map(maybe_jsonata),
            );
            o.opt(
                "HeartbeatSecondsPath",
                t.heartbeat_seconds_path.as_ref().map(path),
            );
            o.opt_template("Credentials", &t.credentials);
            o.handlers(&t.retry, &t.catch);
            o.transition(&t.transition);
        }
        State::Pass(p) => {
            o.opt_path("InputPath", &p.input_path);
            o.opt_template("Parameters", &p.parameters);
            o.opt("Result", p.result.clone());
            o.opt_path("ResultPath", &p.result_path);
            o.opt_path("OutputPath", &p.output_path);
            o.opt_template("Output", &p.output);
            o.opt_assign(&p.assign);
            o.transition(&p.transition);
        }
        State::Choice(c) => {
            o.opt_path("InputPath", &c.input_path);
            o.put(
                "Choices",
                Value::Array(c.choices.iter().map(choice_rule).collect()),
            );
            o.opt_str("Default", &c.default);
            o.opt_path("OutputPath", &c.output_path);
            o.opt_template("Output", &c.output);
            o.opt_assign(&c.assign);
        }
        State::Wait(w) => {
            o.opt_path("InputPath", &w.input_path);
            o.opt("Seconds", w.seconds.as_ref().map(maybe_jsonata));
            o.opt("SecondsPath", w.seconds_path.as_ref().map(path));
            o.opt("Timestamp", w.timestamp.as_ref().map(maybe_jsonata));
            o.opt("TimestampPath", w.timestamp_path.as_ref().map(path));
            o.opt_path("OutputPath", &w.output_path);
            o.opt_template("Output", &w.output);
            o.opt_assign(&w.assign);
            o.transition(&w.transition);
        }
        State::Succeed(s) => {
            o.opt_path("InputPath", &s.input_path);
            o.opt_path("OutputPath", &s.output_path);
            o.opt_template("Output", &s.output);
        }
        State::Fail(f) => {
            o.opt("Error", f.error.as_ref().map(maybe_jsonata));
            o.opt(
                "ErrorPath",
                f.error_path.as_ref().map(|q| Value::from(q.source())),
            );
            o.opt("Cause", f.cause.as_ref().map(maybe_jsonata));
            o.opt(
                "CausePath",
                f.cause_path.as_ref().map(|q| Value::from(q.source())),
            );
        }
        State::Parallel(p) => {
            o.opt_path("InputPath", &p.input_path);
            o.opt_template("Parameters", &p.parameters);
            o.opt_template("Arguments", &p.arguments);
            o.put(
                "Branches",
                Value::Array(p.branches.iter().map(|b| branch(b, None)).collect()),
            );
            o.opt_template("ResultSelector", &p.result_selector);
            o.opt_path("ResultPath", &p.result_path);
            o.opt_path("OutputPath", &p.output_path);
            o.opt_template("Output", &p.output);
            o.opt_assign(&p.assign);
            o.handlers(&p.retry, &p.catch);
            o.transition(&p.transition);
        }
        State::Map(m) => map_fields(&mut o, m),
    }
    o.done()
}

fn map_fields(o: &mut Obj, m: &Map) {
    o.opt_path("InputPath", &m.input_path);
    o.opt("ItemsPath", m.items_path.as_ref().map(path));
    o.opt_template("Items", &m.items);
    if let Some(r) = &m.item_reader {
        let mut ro = Obj::default();
        ro.put("Resource", Value::from(r.resource.as_str()));
        ro.opt_template("Parameters", &r.parameters);
        ro.opt_template("Arguments", &r.arguments);
        if let Some(c) = &r.reader_config {
            let mut co = Obj::default();
            co.opt("InputType", c.input_type.map(|e| Value::from(e.as_str())));
            co.opt(
                "CSVHeaderLocation",
                c.csv_header_location.map(|e| Value::from(e.as_str())),
            );
            co.opt(
                "CSVHeaders",
                c.csv_headers.as_ref().map(|h| Value::from(h.clone())),
            );
            co.opt(
                "CSVDelimiter",
                c.csv_delimiter.map(|e| Value::from(e.as_str())),
            );
            co.opt("MaxItems", c.max_items.as_ref().map(maybe_jsonata));
            co.opt("MaxItemsPath", c.max_items_path.as_ref().map(path));
            co.opt_str("ItemsPointer", &c.items_pointer);
            co.opt(
                "Transformation",
                c.transformation.map(|e| Value::from(e.as_str())),
            );
            co.opt(
                "ManifestType",
                c.manifest_type.map(|e| Value::from(e.as_str())),
            );
            ro.put("ReaderConfig", co.done());
        }
        o.put("ItemReader", ro.done());
    }
    o.opt_template("ItemSelector", &m.item_selector);
    o.opt_template("Parameters", &m.parameters);
    if let Some(b) = &m.item_batcher {
        let mut bo = Obj::default();
        bo.opt(
            "MaxItemsPerBatch",
            b.max_items_per_batch.as_ref().map(maybe_jsonata),
        );
        bo.opt(
            "MaxItemsPerBatchPath",
            b.max_items_per_batch_path.as_ref().map(path),
        );
        bo.opt(
            "MaxInputBytesPerBatch",
            b.max_input_bytes_per_batch.as_ref().map(maybe_jsonata),
        );
        bo.opt(
            "MaxInputBytesPerBatchPath",
            b.max_input_bytes_per_batch_path.as_ref().map(path),
        );
        bo.opt_template("BatchInput", &b.batch_input);
        o.put("ItemBatcher", bo.done());
    }
    o.opt(
        "MaxConcurrency",
        m.max_concurrency.as_ref().map(maybe_jsonata),
    );
    o.opt(
        "MaxConcurrencyPath",
        m.max_concurrency_path.as_ref().map(path),
    );
    let processor = branch(&m.item_processor, m.processor_config.as_ref());
    o.put(
        if m.uses_iterator_field {
            "Iterator"
        } else {
            "ItemProcessor"
        },
        processor,
    );
    if let Some(w) = &m.result_writer {
        let mut wo = Obj::default();
        wo.opt_str("Resource", &w.resource);
        wo.opt_template("Parameters", &w.parameters);
        wo.opt_template("Arguments", &w.arguments);
        if let Some(c) = &w.writer_config {
            let mut co = Obj::default();
            co.opt("OutputType", c.output_type.map(|e| Value::from(e.as_str())));
            co.opt(
                "Transformation",
                c.transformation.map(|e| Value::from(e.as_str())),
            );
            wo.put("WriterConfig", co.done());
        }
        o.put("ResultWriter", wo.done());
    }
    o.opt(
        "ToleratedFailureCount",
        m.tolerated_failure_count.as_ref().map(maybe_jsonata),
    );
    o.opt(
        "ToleratedFailureCountPath",
        m.tolerated_failure_count_path.as_ref().map(path),
    );
    o.opt(
        "ToleratedFailurePercentage",
        m.tolerated_failure_percentage.as_ref().map(maybe_jsonata),
    );
    o.opt(
        "ToleratedFailurePercentagePath",
        m.tolerated_failure_percentage_path.as_ref().map(path),
    );
    o.opt_str("Label", &m.label);
    o.opt_template("ResultSelector", &m.result_selector);
    o.opt_path("ResultPath", &m.result_path);
    o.opt_path("OutputPath", &m.output_path);
    o.opt_template("Output", &m.output);
    o.opt_assign(&m.assign);
    o.handlers(&m.retry, &m.catch);
    o.transition(&m.transition);
}

fn states(states: &States) -> Value {
    Value::Object(
        states
            .iter()
            .map(|(name, s)| (name.clone(), state_to_value(s)))
            .collect(),
    )
}

fn branch(b: &Branch, config: Option<&ProcessorConfig>) -> Value {
    let mut o = Obj::default();
    o.opt_str("Comment", &b.comment);
    if let Some(c) = config {
        let mut co = Obj::default();
        co.opt("Mode", c.mode.map(|m| Value::from(m.as_str())));
        co.opt(
            "ExecutionType",
            c.execution_type.map(|e| Value::from(e.as_str())),
        );
        o.put("ProcessorConfig", co.done());
    }
    o.put("StartAt", Value::from(b.start_at.as_str()));
    o.put("States", states(&b.states));
    o.done()
}

fn choice_rule(rule: &ChoiceRule) -> Value {
    let mut o = Obj::default();
    condition(&mut o, &rule.condition);
    o.opt_str("Comment", &rule.comment);
    o.opt_assign(&rule.assign);
    o.opt_template("Output", &rule.output);
    o.put("Next", Value::from(rule.next.as_str()));
    o.done()
}

fn nested_rule(rule: &NestedRule) -> Value {
    let mut o = Obj::default();
    condition(&mut o, &rule.condition);
    o.opt_str("Comment", &rule.comment);
    o.done()
}

fn condition(o: &mut Obj, c: &Condition) {
    match c {
        Condition::And(rules) => {
            o.put("And", Value::Array(rules.iter().map(nested_rule).collect()))
        }
        Condition::Or(rules) => o.put("Or", Value::Array(rules.iter().map(nested_rule).collect())),
        Condition::Not(rule) => o.put("Not", nested_rule(rule)),
        Condition::Compare(cmp) => {
            o.put("Variable", path(&cmp.variable));
            let value = match &cmp.value {
                ComparisonValue::String(s) => Value::from(s.as_str()),
                ComparisonValue::Number(n) => Value::Number(n.clone()),
                ComparisonValue::Bool(b) => Value::Bool(*b),
                ComparisonValue::Path(p) => path(p),
            };
            o.put(cmp.operator.name(), value);
        }
        Condition::Jsonata(j) => o.put("Condition", maybe_jsonata(j)),
    }
}

fn path(p: &Path) -> Value {
    Value::from(p.source())
}

fn maybe_jsonata<T: Clone + Into<Value>>(v: &MaybeJsonata<T>) -> Value {
    match v {
        MaybeJsonata::Literal(v) => v.clone().into(),
        MaybeJsonata::Jsonata(j) => Value::from(j.to_delimited()),
    }
}

/// A template as JSON; a member holding a [`Query`] gets its `.$` suffix back.
pub(crate) fn template(t: &Template) -> Value {
    match t {
        Template::Literal(v) => v.clone(),
        Template::Object(members) => template_object(members.iter().map(|(k, v)| (k.as_str(), v))),
        Template::Array(items) => Value::Array(items.iter().map(template).collect()),
        Template::Query(q) => Value::from(q.source()),
        Template::Jsonata(j) => Value::from(j.to_delimited()),
    }
}

fn template_object<'a>(members: impl IntoIterator<Item = (&'a str, &'a Template)>) -> Value {
    let mut out = JsonMap::new();
    for (key, member) in members {
        let key = if matches!(member, Template::Query(_)) {
            format!("{key}.$")
        } else {
            key.to_string()
        };
        out.insert(key, template(member));
    }
    Value::Object(out)
}

fn retrier(r: &Retrier) -> Value {
    let mut o = Obj::default();
    o.put("ErrorEquals", Value::from(r.error_equals.clone()));
    o.opt_str("Comment", &r.comment);
    o.opt("IntervalSeconds", r.interval_seconds.map(Value::from));
    o.opt("MaxAttempts", r.max_attempts.map(Value::from));
    o.opt("BackoffRate", r.backoff_rate.clone().map(Value::Number));
    o.opt("MaxDelaySeconds", r.max_delay_seconds.map(Value::from));
    o.opt(
        "JitterStrategy",
        r.jitter_strategy.map(|j| Value::from(j.as_str())),
    );
    o.done()
}

fn catcher(c: &Catcher) -> Value {
    let mut o = Obj::default();
    o.put("ErrorEquals", Value::from(c.error_equals.clone()));
    o.opt_str("Comment", &c.comment);
    o.opt_path("ResultPath", &c.result_path);
    o.opt_template("Output", &c.output);
    o.opt_assign(&c.assign);
    o.put("Next", Value::from(c.next.as_str()));
    o.done()
}

/// An object under construction, fields in insertion order.
#[derive(Default)]
struct Obj(JsonMap<String, Value>);

impl Obj {
    fn put(&mut self, key: &str, v: Value) {
        self.0.insert(key.to_string(), v);
    }

    fn opt(&mut self, key: &str, v: Option<Value>) {
        if let Some(v) = v {
            self.put(key, v);
        }
    }

    fn opt_str(&mut self, key: &str, v: &Option<String>) {
        self.opt(key, v.as_deref().map(Value::from));
    }

    fn opt_path(&mut self, key: &str, v: &Option<Nullable<Path>>) {
        self.opt(
            key,
            v.as_ref().map(|p| match p {
                Nullable::Null => Value::Null,
                Nullable::Value(p) => path(p),
            }),
        );
    }

    fn opt_template(&mut self, key: &str, t: &Option<Template>) {
        self.opt(key, t.as_ref().map(template));
    }

    fn opt_assign(&mut self, a: &Option<Assign>) {
        self.opt(
            "Assign",
            a.as_ref()
                .map(|a| template_object(a.0.iter().map(|(k, v)| (k.as_str(), v)))),
        );
    }

    fn handlers(&mut self, retry: &Option<Vec<Retrier>>, catch: &Option<Vec<Catcher>>) {
        self.opt(
            "Retry",
            retry
                .as_ref()
                .map(|r| Value::Array(r.iter().map(retrier).collect())),
        );
        self.opt(
            "Catch",
            catch
                .as_ref()
                .map(|c| Value::Array(c.iter().map(catcher).collect())),
        );
    }

    fn transition(&mut self, t: &Transition) {
        match t {
            Transition::Next(n) => self.put("Next", Value::from(n.as_str())),
            Transition::End => self.put("End", Value::Bool(true)),
        }
    }

    fn done(self) -> Value {
        Value::Object(self.0)
    }
}

impl Serialize for StateMachine {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        to_value(self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for StateMachine {
    /// Reads a definition and reports every structural problem at once. Whole-machine rules
    /// are not checked here; use [`crate::check`] or [`crate::validate()`] for those.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        crate::parse::from_value(&value).map_err(serde::de::Error::custom)
    }
}

impl Serialize for State {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        state_to_value(self).serialize(serializer)
    }
}
