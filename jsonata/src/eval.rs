//! Evaluation of a plan against an input, with the reference implementation's path, sequence
//! and tuple-stream semantics.

use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::ast::BinaryOp;
use crate::error::Error;
use crate::plan::{Group, Kind, Node, SortTerm, Stage};
use crate::value::{
    append, deep_clone, deep_equal, lookup, stringify, truthy, utf16_cmp, ArrayFlags, Env, Frame,
    Function, Interpreter, Object, Value,
};

/// Evaluation limits: the suite's `depth` and `timelimit`, and a default depth that keeps
/// runaway recursion an error instead of a crash.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Deepest nesting of evaluations.
    pub max_depth: usize,
    /// Longest evaluation.
    pub time_limit: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 100_000,
            time_limit: None,
        }
    }
}

/// The reference implementation's words when recursion runs out of stack.
const STACK_OVERFLOW: &str =
    "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.";

/// How much of the calling thread's stack one evaluation may use. Deep recursion fails with
/// U1001 once past it instead of overflowing the thread: 1 MiB leaves room below for the host
/// on a 2 MiB thread (tokio's workers and `std::thread::spawn`'s default).
const STACK_BUDGET: usize = 1024 * 1024;

/// The address of a local in the caller's frame: stacks grow down on every target Rust's tier-1
/// platforms have, so the distance from the first frame's address is the stack used since.
#[inline(never)]
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// One evaluation in progress.
pub struct Evaluator {
    depth: usize,
    /// [`stack_address`] at the outermost `evaluate` of this evaluation.
    stack_base: usize,
    limits: Limits,
    started: Instant,
    steps: u64,
    pub(crate) now: Option<i64>,
    /// Every frame this evaluation opened. A lambda bound to a variable holds its frame and
    /// the frame holds the lambda: a cycle that reference counting never frees, so each
    /// evaluation with `$f := function...` would leak its frames. They are emptied when the
    /// evaluation is over (see [`Evaluator::release_frames`]).
    frames: Vec<std::rc::Weak<Frame>>,
    /// How many frames may be remembered before the dead ones are forgotten.
    prune_at: usize,
}

type R = Result<Value, Error>;

fn err(code: &'static str, message: impl Into<String>) -> Error {
    Error::new(code, message)
}

impl Evaluator {
    /// An evaluator with `limits`.
    pub fn new(limits: Limits) -> Self {
        Evaluator {
            depth: 0,
            stack_base: 0,
            limits,
            started: Instant::now(),
            steps: 0,
            now: None,
            frames: Vec::new(),
            prune_at: 64,
        }
    }

    /// A frame over `parent`, remembered so that its cycles can be broken at the end.
    fn child_frame(&mut self, parent: &Env) -> Env {
        let frame = Frame::child(parent);
        self.remember(&frame);
        frame
    }

    /// A frame over `env` binding each member of a tuple-stream `tuple`.
    fn tuple_frame(&mut self, env: &Env, tuple: &Object) -> Env {
        let frame = self.child_frame(env);
        for (k, v) in tuple {
            frame.bind(k, v.clone());
        }
        frame
    }

    /// Remembers `frame` (the root one too: `$f := function...` at the top binds there).
    pub(crate) fn remember(&mut self, frame: &Env) {
        if self.frames.len() >= self.prune_at {
            self.frames.retain(|f| f.strong_count() > 0);
            self.prune_at = (self.frames.len() * 2).max(64);
        }
        self.frames.push(Rc::downgrade(frame));
    }

    /// Empties every frame still alive, breaking the cycles between frames and the lambdas
    /// bound in them. Only for a finished evaluation whose result holds no function: such a
    /// function would still need its frame.
    pub(crate) fn release_frames(&mut self) {
        for frame in self.frames.drain(..) {
            if let Some(frame) = frame.upgrade() {
                frame.clear();
            }
        }
    }

    /// Evaluates `node` with `input` as the context value.
    pub fn evaluate(&mut self, node: &Node, input: &Value, env: &Env) -> R {
        self.depth += 1;
        self.steps += 1;
        if self.depth > self.limits.max_depth {
            self.depth -= 1;
            return Err(err("U1001", STACK_OVERFLOW));
        }
        if let Some(limit) = self.limits.time_limit {
            if self.steps % 256 == 0 && self.started.elapsed() > limit {
                self.depth -= 1;
                return Err(err(
                    "U1001",
                    "Expression evaluation timeout: Check for infinite loop",
                ));
            }
        }
        let here = stack_address();
        if self.depth == 1 {
            self.stack_base = here;
        } else if self.stack_base.saturating_sub(here) > STACK_BUDGET {
            self.depth -= 1;
            return Err(err("U1001", STACK_OVERFLOW));
        }
        let result = self.evaluate_inner(node, input, env);
        self.depth -= 1;
        result
    }

    fn evaluate_inner(&mut self, node: &Node, input: &Value, env: &Env) -> R {
        let mut result = match &node.kind {
            Kind::Path { .. } => self.path(node, input, env)?,
            Kind::String(s) => Value::string(s.as_str()),
            Kind::Number(n) => Value::Number(*n),
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Null => Value::Null,
            Kind::Regex(r) => Value::Function(Rc::new(Function::Regex(r.clone()))),
            Kind::Name(name) => lookup(input, name),
            Kind::Variable(name) => {
                if name.is_empty() {
                    match input {
                        Value::Array(items, f) if f.outer_wrapper => {
                            items.first().cloned().unwrap_or(Value::Undefined)
                        }
                        other => other.clone(),
                    }
                } else {
                    match env.lookup(name) {
                        Some(v) => v,
                        None => crate::functions::builtin(name)
                            .map(|b| Value::Function(Rc::new(Function::Builtin(b))))
                            .unwrap_or(Value::Undefined),
                    }
                }
            }
            Kind::Wildcard => wildcard(input),
            Kind::Descendant => descendants(input),
            Kind::Parent(label) => env.lookup(&ancestor_key(*label)).unwrap_or_default(),
            Kind::Negate(inner) => match self.evaluate(inner, input, env)? {
                Value::Undefined => Value::Undefined,
                Value::Number(n) => Value::Number(-n),
                _ => return Err(err("D1002", "Cannot negate a non-numeric value")),
            },
            Kind::Binary(op, lhs, rhs) => self.binary(*op, lhs, rhs, input, env)?,
            Kind::Array(items) => {
                let mut out = Vec::new();
                for (item, nested) in items {
                    let v = self.evaluate(item, input, env)?;
                    match v {
                        Value::Undefined => {}
                        Value::Array(arr, _) if !nested => out.extend(arr.iter().cloned()),
                        other => out.push(other),
                    }
                }
                Value::Array(
                    Rc::new(out),
                    ArrayFlags {
                        cons: node.cons_array,
                        ..Default::default()
                    },
                )
            }
            Kind::Object(group) => self.group(group, input.clone(), env)?,
            Kind::Call {
                procedure,
                arguments,
            } => {
                if arguments.iter().any(Option::is_none) {
                    self.partial(procedure, arguments, input, env)?
                } else {
                    self.call(procedure, arguments, input, env, None)?
                }
            }
            Kind::Condition(c, t, e) => {
                let cond = self.evaluate(c, input, env)?;
                if truthy(&cond).unwrap_or(false) {
                    self.evaluate(t, input, env)?
                } else if let Some(e) = e {
                    self.evaluate(e, input, env)?
                } else {
                    Value::Undefined
                }
            }
            Kind::Block(items) => {
                let frame = self.child_frame(env);
                let mut last = Value::Undefined;
                for item in items {
                    last = self.evaluate(item, input, &frame)?;
                }
                last
            }
            Kind::Bind(name, value) => {
                let v = self.evaluate(value, input, env)?;
                env.bind(name, v.clone());
                v
            }
            Kind::Lambda(plan) => Value::Function(Rc::new(Function::Lambda {
                plan: plan.clone(),
                env: env.clone(),
                input: input.clone(),
            })),
            Kind::Apply(lhs, rhs) => self.apply_operator(lhs, rhs, input, env)?,
            Kind::Transform(..) => Value::Function(Rc::new(Function::Transform {
                plan: Arc::new(node.clone()),
                env: env.clone(),
            })),
            Kind::Sort(terms) => self.sort(terms, input.clone(), env)?,
        };
        for predicate in &node.predicate {
            result = self.filter(predicate, result, env)?;
        }
        if !matches!(node.kind, Kind::Path { .. }) {
            if let Some(group) = &node.group {
                result = self.group(group, result, env)?;
            }
        }
        if let Value::Array(items, flags) = &result {
            if flags.sequence && !flags.tuple_stream {
                let keep = flags.keep_singleton || node.keep_array;
                if items.is_empty() {
                    return Ok(Value::Undefined);
                }
                if items.len() == 1 && !keep {
                    return Ok(items[0].clone());
                }
                if keep && !flags.keep_singleton {
                    let mut f = *flags;
                    f.keep_singleton = true;
                    return Ok(Value::Array(items.clone(), f));
                }
            }
        }
        Ok(result)
    }

    fn path(&mut self, node: &Node, input: &Value, env: &Env) -> R {
        let Kind::Path {
            steps,
            keep_singleton,
        } = &node.kind
        else {
            unreachable!()
        };
        let mut input_seq: Vec<Value> = match input {
            Value::Array(items, _) if !matches!(steps[0].kind, Kind::Variable(_)) => {
                items.as_ref().clone()
            }
            other => vec![other.clone()],
        };
        let mut result: Value = Value::Undefined;
        let mut tuples: Option<Vec<Object>> = None;
        let mut is_tuple = false;
        for (i, step) in steps.iter().enumerate() {
            if step.tuple {
                is_tuple = true;
            }
            if i == 0 && step.cons_array {
                result = self.evaluate(step, &Value::sequence(input_seq.clone()), env)?;
            } else if is_tuple {
                tuples = Some(self.tuple_step(step, &input_seq, tuples.take(), env)?);
            } else {
                result = self.step(step, &input_seq, env, i == steps.len() - 1)?;
            }
            if !is_tuple {
                match &result {
                    Value::Undefined => break,
                    Value::Array(items, _) if items.is_empty() => break,
                    _ => {}
                }
            }
            if step.focus.is_none() {
                input_seq = match &result {
                    Value::Array(items, _) => items.as_ref().clone(),
                    Value::Undefined => Vec::new(),
                    other => vec![other.clone()],
                };
            }
        }
        if is_tuple && node.tuple {
            // A `%` beyond this path still needs the ancestors the tuples carry.
            result = self.sequence_with(
                tuples
                    .iter()
                    .flatten()
                    .cloned()
                    .map(Value::object)
                    .collect(),
                true,
            );
        } else if is_tuple {
            let items: Vec<Value> = tuples
                .as_ref()
                .map(|ts| {
                    ts.iter()
                        .map(|t| t.get("@").cloned().unwrap_or(Value::Undefined))
                        .collect()
                })
                .unwrap_or_default();
            result = Value::sequence(items);
        }
        if *keep_singleton {
            result = match result {
                Value::Array(items, f) if f.cons && !f.sequence => {
                    let mut flags = ArrayFlags {
                        sequence: true,
                        keep_singleton: true,
                        ..Default::default()
                    };
                    flags.keep_singleton = true;
                    Value::Array(Rc::new(vec![Value::Array(items, f)]), flags)
                }
                Value::Array(items, mut f) => {
                    f.keep_singleton = true;
                    Value::Array(items, f)
                }
                Value::Undefined => Value::Undefined,
                other => Value::Array(
                    Rc::new(vec![other]),
                    ArrayFlags {
                        sequence: true,
                        keep_singleton: true,
                        ..Default::default()
                    },
                ),
            };
        }
        if let Some(group) = &node.group {
            let source = if is_tuple {
                let mut v = Value::sequence(
                    tuples
                        .unwrap_or_default()
                        .into_iter()
                        .map(Value::object)
                        .collect(),
                );
                if let Value::Array(_, f) = &mut v {
                    f.tuple_stream = true;
                }
                v
            } else {
                result
            };
            result = self.group(group, source, env)?;
        }
        Ok(result)
    }

    fn step(&mut self, step: &Node, input: &[Value], env: &Env, last: bool) -> R {
        if let Kind::Sort(terms) = &step.kind {
            let mut result = self.sort(terms, Value::sequence(input.to_vec()), env)?;
            for stage in &step.stages {
                if let Stage::Filter(p) = stage {
                    result = self.filter(p, result, env)?;
                }
            }
            return Ok(result);
        }
        let mut results = Vec::new();
        for item in input {
            let mut res = self.evaluate(step, item, env)?;
            for stage in &step.stages {
                if let Stage::Filter(p) = stage {
                    res = self.filter(p, res, env)?;
                }
            }
            if !res.is_undefined() {
                results.push(res);
            }
        }
        if last && results.len() == 1 {
            if let Value::Array(_, f) = &results[0] {
                if !f.sequence {
                    return Ok(results.pop().unwrap_or_default());
                }
            }
        }
        let mut out = Vec::new();
        for res in results {
            match res {
                Value::Array(items, f) if !f.cons => out.extend(items.iter().cloned()),
                other => out.push(other),
            }
        }
        Ok(Value::sequence(out))
    }

    fn tuple_step(
        &mut self,
        step: &Node,
        input: &[Value],
        tuples: Option<Vec<Object>>,
        env: &Env,
    ) -> Result<Vec<Object>, Error> {
        if let Kind::Sort(terms) = &step.kind {
            let mut result = match tuples {
                Some(ts) => {
                    let mut v = Value::sequence(ts.into_iter().map(Value::object).collect());
                    if let Value::Array(_, f) = &mut v {
                        f.tuple_stream = true;
                    }
                    tuples_of(self.sort(terms, v, env)?)
                }
                None => {
                    let sorted = self.sort(terms, Value::sequence(input.to_vec()), env)?;
                    sorted
                        .into_items()
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| {
                            let mut t = Object::new();
                            t.insert("@".into(), v);
                            if let Some(index) = &step.index {
                                t.insert(index.clone(), Value::Number(i as f64));
                            }
                            t
                        })
                        .collect()
                }
            };
            result = self.stages(&step.stages, result, env)?;
            return Ok(result);
        }
        let tuples = tuples.unwrap_or_else(|| {
            input
                .iter()
                .map(|v| {
                    let mut t = Object::new();
                    t.insert("@".into(), v.clone());
                    t
                })
                .collect()
        });
        let mut result = Vec::new();
        for tuple in &tuples {
            let frame = self.tuple_frame(env, tuple);
            let context = tuple.get("@").cloned().unwrap_or_default();
            let res = self.evaluate(step, &context, &frame)?;
            if res.is_undefined() {
                continue;
            }
            let stream = res.flags().tuple_stream;
            let items = match res {
                Value::Array(items, _) => items.as_ref().clone(),
                other => vec![other],
            };
            for (b, item) in items.into_iter().enumerate() {
                let mut t = tuple.clone();
                if stream {
                    if let Value::Object(o) = &item {
                        for (k, v) in o.iter() {
                            t.insert(k.clone(), v.clone());
                        }
                    }
                } else {
                    if let Some(focus) = &step.focus {
                        t.insert(focus.clone(), item);
                        t.insert("@".into(), context.clone());
                    } else {
                        t.insert("@".into(), item);
                    }
                    if let Some(index) = &step.index {
                        t.insert(index.clone(), Value::Number(b as f64));
                    }
                    if let Some(label) = step.ancestor {
                        t.insert(ancestor_key(label), context.clone());
                    }
                }
                result.push(t);
            }
        }
        self.stages(&step.stages, result, env)
    }

    fn stages(
        &mut self,
        stages: &[Stage],
        mut tuples: Vec<Object>,
        env: &Env,
    ) -> Result<Vec<Object>, Error> {
        for stage in stages {
            match stage {
                Stage::Filter(p) => {
                    let mut v = Value::sequence(tuples.into_iter().map(Value::object).collect());
                    if let Value::Array(_, f) = &mut v {
                        f.tuple_stream = true;
                    }
                    tuples = tuples_of(self.filter(p, v, env)?);
                }
                Stage::Index(name) => {
                    for (i, t) in tuples.iter_mut().enumerate() {
                        t.insert(name.clone(), Value::Number(i as f64));
                    }
                }
            }
        }
        Ok(tuples)
    }

    fn filter(&mut self, predicate: &Node, input: Value, env: &Env) -> R {
        let stream = input.flags().tuple_stream;
        let items = match input {
            Value::Array(items, _) => items,
            other => Rc::new(vec![other]),
        };
        let mut out = Vec::new();
        if let Kind::Number(n) = predicate.kind {
            if predicate.predicate.is_empty() && predicate.group.is_none() {
                let mut index = n.floor();
                if index < 0.0 {
                    index += items.len() as f64;
                }
                if index >= 0.0 {
                    if let Some(item) = items.get(index as usize).filter(|i| !i.is_undefined()) {
                        match item {
                            Value::Array(..) => {
                                let mut v = item.clone();
                                if stream {
                                    if let Value::Array(_, f) = &mut v {
                                        f.tuple_stream = true;
                                    }
                                }
                                return Ok(v);
                            }
                            other => out.push(other.clone()),
                        }
                    }
                }
                return Ok(self.sequence_with(out, stream));
            }
        }
        for (index, item) in items.iter().enumerate() {
            if item.is_undefined() {
                continue;
            }
            let (context, frame) = if stream {
                match item {
                    Value::Object(t) => (
                        t.get("@").cloned().unwrap_or_default(),
                        self.tuple_frame(env, t),
                    ),
                    other => (other.clone(), env.clone()),
                }
            } else {
                (item.clone(), env.clone())
            };
            let res = self.evaluate(predicate, &context, &frame)?;
            let numbers: Option<Vec<f64>> = match &res {
                Value::Number(n) => Some(vec![*n]),
                Value::Array(xs, _)
                    if !xs.is_empty() && xs.iter().all(|x| matches!(x, Value::Number(_))) =>
                {
                    Some(xs.iter().filter_map(Value::as_f64).collect())
                }
                _ => None,
            };
            match numbers {
                Some(ns) => {
                    for n in ns {
                        let mut i = n.floor();
                        if i < 0.0 {
                            i += items.len() as f64;
                        }
                        if i == index as f64 {
                            out.push(item.clone());
                        }
                    }
                }
                None => {
                    if truthy(&res).unwrap_or(false) {
                        out.push(item.clone());
                    }
                }
            }
        }
        Ok(self.sequence_with(out, stream))
    }

    fn sequence_with(&self, items: Vec<Value>, stream: bool) -> Value {
        let mut v = Value::sequence(items);
        if let Value::Array(_, f) = &mut v {
            f.tuple_stream = stream;
        }
        v
    }

    /// Object constructors and group-by.
    fn group(&mut self, group: &Group, input: Value, env: &Env) -> R {
        let reduce = input.flags().tuple_stream;
        let mut items = match input {
            Value::Array(items, _) => items.as_ref().clone(),
            other => vec![other],
        };
        if items.is_empty() {
            items.push(Value::Undefined);
        }
        let mut groups: indexmap::IndexMap<String, (Value, usize)> = indexmap::IndexMap::new();
        for item in &items {
            let (context, frame) = match (reduce, item) {
                (true, Value::Object(t)) => (
                    t.get("@").cloned().unwrap_or_default(),
                    self.tuple_frame(env, t),
                ),
                _ => (item.clone(), env.clone()),
            };
            for (pair_index, (key_node, _)) in group.pairs.iter().enumerate() {
                let key = self.evaluate(key_node, &context, &frame)?;
                let key = match key {
                    Value::Undefined => continue,
                    Value::String(s) => s.to_string(),
                    _ => {
                        return Err(err(
                            "T1003",
                            "Key in object structure must evaluate to a string",
                        ))
                    }
                };
                match groups.get_mut(&key) {
                    Some((data, index)) => {
                        if *index != pair_index {
                            return Err(err(
                                "D1009",
                                format!("Multiple key definitions evaluate to same key: \"{key}\""),
                            ));
                        }
                        *data = append(std::mem::take(data), item.clone());
                    }
                    None => {
                        groups.insert(key, (item.clone(), pair_index));
                    }
                }
            }
        }
        let mut out = Object::new();
        for (key, (data, index)) in groups {
            let (context, frame) = if reduce {
                let mut tuple = reduce_tuples(&data);
                let context = tuple.shift_remove("@").unwrap_or_default();
                (context, self.tuple_frame(env, &tuple))
            } else {
                (data, env.clone())
            };
            let value = self.evaluate(&group.pairs[index].1, &context, &frame)?;
            if !value.is_undefined() {
                out.insert(key, value);
            }
        }
        Ok(Value::object(out))
    }

    fn sort(&mut self, terms: &[SortTerm], input: Value, env: &Env) -> R {
        let stream = input.flags().tuple_stream;
        let items = input.into_items();
        let mut keyed = Vec::with_capacity(items.len());
        for item in items {
            let (context, frame) = match (stream, &item) {
                (true, Value::Object(t)) => (
                    t.get("@").cloned().unwrap_or_default(),
                    self.tuple_frame(env, t),
                ),
                _ => (item.clone(), env.clone()),
            };
            let mut keys = Vec::with_capacity(terms.len());
            for term in terms {
                let k = self.evaluate(&term.expr, &context, &frame)?;
                match &k {
                    Value::Undefined | Value::Number(_) | Value::String(_) => {}
                    _ => {
                        return Err(err(
                            "T2008",
                            "The expressions within an order-by clause must evaluate to numeric or string values",
                        ))
                    }
                }
                keys.push(k);
            }
            keyed.push((keys, item));
        }
        // Mixed types in one term are an error, as the reference implementation reports.
        for t in 0..terms.len() {
            let mut seen: Option<char> = None;
            for (keys, _) in &keyed {
                let s = keys[t].symbol();
                if s == 'm' {
                    continue;
                }
                match seen {
                    None => seen = Some(s),
                    Some(prev) if prev != s => {
                        return Err(err(
                            "T2007",
                            "Type mismatch when comparing values in order-by clause",
                        ))
                    }
                    _ => {}
                }
            }
        }
        keyed.sort_by(|(a, _), (b, _)| {
            for (t, term) in terms.iter().enumerate() {
                let ord = match (&a[t], &b[t]) {
                    (Value::Undefined, Value::Undefined) => std::cmp::Ordering::Equal,
                    (Value::Undefined, _) => std::cmp::Ordering::Greater,
                    (_, Value::Undefined) => std::cmp::Ordering::Less,
                    (Value::Number(x), Value::Number(y)) => {
                        x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal)
                    }
                    (Value::String(x), Value::String(y)) => utf16_cmp(x, y),
                    _ => std::cmp::Ordering::Equal,
                };
                let undefined_involved = a[t].is_undefined() || b[t].is_undefined();
                let ord = if term.descending && !undefined_involved {
                    ord.reverse()
                } else {
                    ord
                };
                if ord != std::cmp::Ordering::Equal {
                    return ord;
                }
            }
            std::cmp::Ordering::Equal
        });
        let mut v = Value::sequence(keyed.into_iter().map(|(_, item)| item).collect());
        if let Value::Array(_, f) = &mut v {
            f.tuple_stream = stream;
        }
        Ok(v)
    }

    fn binary(&mut self, op: BinaryOp, lhs: &Node, rhs: &Node, input: &Value, env: &Env) -> R {
        use BinaryOp::*;
        match op {
            Elvis => {
                let l = self.evaluate(lhs, input, env)?;
                return if truthy(&l).unwrap_or(false) {
                    Ok(l)
                } else {
                    self.evaluate(rhs, input, env)
                };
            }
            Coalesce => {
                let l = self.evaluate(lhs, input, env)?;
                return if l.is_undefined() {
                    self.evaluate(rhs, input, env)
                } else {
                    Ok(l)
                };
            }
            And | Or => {
                let l = truthy(&self.evaluate(lhs, input, env)?).unwrap_or(false);
                if op == And && !l {
                    return Ok(Value::Bool(false));
                }
                if op == Or && l {
                    return Ok(Value::Bool(true));
                }
                let r = truthy(&self.evaluate(rhs, input, env)?).unwrap_or(false);
                return Ok(Value::Bool(r));
            }
            _ => {}
        }
        let l = self.evaluate(lhs, input, env)?;
        let r = self.evaluate(rhs, input, env)?;
        match op {
            Add | Subtract | Multiply | Divide | Modulo => {
                let ln = numeric(&l, "T2001", "left")?;
                let rn = numeric(&r, "T2002", "right")?;
                let (Some(a), Some(b)) = (ln, rn) else {
                    return Ok(Value::Undefined);
                };
                Ok(Value::Number(match op {
                    Add => a + b,
                    Subtract => a - b,
                    Multiply => a * b,
                    Divide => a / b,
                    _ => a % b,
                }))
            }
            Equal | NotEqual => {
                if l.is_undefined() || r.is_undefined() {
                    return Ok(Value::Bool(false));
                }
                let eq = deep_equal(&l, &r);
                Ok(Value::Bool(if op == Equal { eq } else { !eq }))
            }
            Less | LessEqual | Greater | GreaterEqual => {
                let comparable =
                    |v: &Value| matches!(v, Value::Undefined | Value::String(_) | Value::Number(_));
                if !comparable(&l) || !comparable(&r) {
                    return Err(err(
                        "T2010",
                        "The expressions either side of operator must evaluate to numeric or string values",
                    ));
                }
                if l.is_undefined() || r.is_undefined() {
                    return Ok(Value::Undefined);
                }
                let ord =
                    match (&l, &r) {
                        (Value::Number(a), Value::Number(b)) => a.partial_cmp(b),
                        (Value::String(a), Value::String(b)) => Some(utf16_cmp(a, b)),
                        _ => return Err(err(
                            "T2009",
                            "The values either side of the operator must be of the same data type",
                        )),
                    };
                let Some(ord) = ord else {
                    return Ok(Value::Bool(false));
                };
                use std::cmp::Ordering as O;
                Ok(Value::Bool(match op {
                    Less => ord == O::Less,
                    LessEqual => ord != O::Greater,
                    Greater => ord == O::Greater,
                    _ => ord != O::Less,
                }))
            }
            Concat => {
                let s = |v: &Value| -> Result<String, Error> {
                    if v.is_undefined() {
                        Ok(String::new())
                    } else {
                        stringify(v, false)
                    }
                };
                Ok(Value::string(format!("{}{}", s(&l)?, s(&r)?)))
            }
            Range => {
                let int = |v: &Value,
                           code: &'static str,
                           side: &str|
                 -> Result<Option<f64>, Error> {
                    match v {
                        Value::Undefined => Ok(None),
                        Value::Number(n) if n.fract() == 0.0 => Ok(Some(*n)),
                        _ => Err(err(
                            code,
                            format!("The {side} side of the range operator (..) must evaluate to an integer"),
                        )),
                    }
                };
                let a = int(&l, "T2003", "left")?;
                let b = int(&r, "T2004", "right")?;
                let (Some(a), Some(b)) = (a, b) else {
                    return Ok(Value::Undefined);
                };
                if a > b {
                    return Ok(Value::Undefined);
                }
                let size = b - a + 1.0;
                if size > 1e7 {
                    return Err(err(
                        "D2014",
                        "The size of the sequence allocated by the range operator (..) must not exceed 1e7.",
                    ));
                }
                let items = (0..size as i64)
                    .map(|i| Value::Number(a + i as f64))
                    .collect();
                Ok(Value::sequence(items))
            }
            In => {
                if l.is_undefined() || r.is_undefined() {
                    return Ok(Value::Bool(false));
                }
                let items = match &r {
                    Value::Array(items, _) => items.as_ref().clone(),
                    other => vec![other.clone()],
                };
                Ok(Value::Bool(items.iter().any(|i| strict_equal(i, &l))))
            }
            _ => unreachable!("handled above"),
        }
    }

    fn call(
        &mut self,
        procedure: &Node,
        arguments: &[Option<Node>],
        input: &Value,
        env: &Env,
        first: Option<Value>,
    ) -> R {
        let proc = self.evaluate(procedure, input, env)?;
        if proc.is_undefined() {
            if let Kind::Path { steps, .. } = &procedure.kind {
                if let Some(Kind::Name(n)) = steps.first().map(|s| &s.kind) {
                    if env.lookup(n).is_some() || crate::functions::builtin(n).is_some() {
                        return Err(err(
                            "T1005",
                            format!("Attempted to invoke a non-function. Did you mean ${n}?"),
                        ));
                    }
                }
            }
        }
        let mut args = Vec::with_capacity(arguments.len() + 1);
        if let Some(f) = first {
            args.push(f);
        }
        for a in arguments.iter().flatten() {
            args.push(self.evaluate(a, input, env)?);
        }
        self.apply(&proc, args, input, env)
    }

    fn partial(
        &mut self,
        procedure: &Node,
        arguments: &[Option<Node>],
        input: &Value,
        env: &Env,
    ) -> R {
        let mut args = Vec::with_capacity(arguments.len());
        for a in arguments {
            args.push(match a {
                Some(a) => Some(self.evaluate(a, input, env)?),
                None => None,
            });
        }
        let proc = self.evaluate(procedure, input, env)?;
        match &proc {
            Value::Function(f) if !matches!(**f, Function::Regex(_)) => {
                Ok(Value::Function(Rc::new(Function::Partial {
                    function: proc.clone(),
                    args,
                })))
            }
            _ => {
                if let Kind::Path { steps, .. } = &procedure.kind {
                    if let Some(Kind::Name(n)) = steps.first().map(|s| &s.kind) {
                        if env.lookup(n).is_some() || crate::functions::builtin(n).is_some() {
                            return Err(err(
                                "T1007",
                                format!("Attempted to partially apply a non-function. Did you mean ${n}?"),
                            ));
                        }
                    }
                }
                Err(err("T1008", "Attempted to partially apply a non-function"))
            }
        }
    }

    /// Calls `proc` with `args`; `input` is the context value for `-` parameters. A call that
    /// ends in a tail call returns a thunk, which is run here, in a loop rather than nested.
    pub fn apply(&mut self, proc: &Value, args: Vec<Value>, input: &Value, env: &Env) -> R {
        let mut result = self.apply_once(proc, args, input, env)?;
        while let Some((call, defined_in, closure)) = thunk(&result) {
            let Kind::Call {
                procedure,
                arguments,
            } = &call.body.kind
            else {
                break;
            };
            let next = self.evaluate(procedure, &defined_in, &closure)?;
            let mut args = Vec::with_capacity(arguments.len());
            for a in arguments.iter().flatten() {
                args.push(self.evaluate(a, &defined_in, &closure)?);
            }
            result = self.apply_once(&next, args, input, env)?;
        }
        Ok(result)
    }

    fn apply_once(&mut self, proc: &Value, args: Vec<Value>, input: &Value, env: &Env) -> R {
        let Value::Function(f) = proc else {
            return Err(err("T1006", "Attempted to invoke a non-function"));
        };
        match &**f {
            Function::Lambda {
                plan,
                env: closure,
                input: defined_in,
            } => {
                let args = match &plan.signature {
                    Some(sig) => sig.validate("lambda", &args, input)?,
                    None => args,
                };
                let frame = self.child_frame(closure);
                for (i, p) in plan.params.iter().enumerate() {
                    frame.bind(p, args.get(i).cloned().unwrap_or_default());
                }
                self.evaluate(&plan.body, defined_in, &frame)
            }
            Function::Builtin(b) => {
                let args = match b.signature() {
                    Some(sig) => sig.validate(b.name, &args, input)?,
                    None => args,
                };
                (b.implementation)(self, &args, input, env)
            }
            Function::Partial {
                function,
                args: given,
            } => {
                let mut supplied = args.into_iter();
                let full: Vec<Value> = given
                    .iter()
                    .map(|a| match a {
                        Some(v) => v.clone(),
                        None => supplied.next().unwrap_or_default(),
                    })
                    .collect();
                self.apply(function, full, input, env)
            }
            Function::Chain(first, second) => {
                let mid = self.apply(first, args, input, env)?;
                self.apply(second, vec![mid], input, env)
            }
            Function::Regex(r) => {
                let s = args.first().cloned().unwrap_or_default();
                match s {
                    Value::String(s) => Ok(crate::functions::regex_match_object(&r.regex, &s, 0)),
                    Value::Undefined => Ok(Value::Undefined),
                    _ => Err(err(
                        "T0410",
                        "Argument 1 of function regex does not match function signature",
                    )),
                }
            }
            Function::Transform { plan, env: closure } => {
                let obj = args.first().cloned().unwrap_or_default();
                self.transform(plan, obj, closure)
            }
        }
    }

    fn apply_operator(&mut self, lhs: &Node, rhs: &Node, input: &Value, env: &Env) -> R {
        let l = self.evaluate(lhs, input, env)?;
        if let Kind::Call {
            procedure,
            arguments,
        } = &rhs.kind
        {
            if arguments.iter().all(Option::is_some) {
                return self.call(procedure, arguments, input, env, Some(l));
            }
        }
        let f = self.evaluate(rhs, input, env)?;
        if !f.is_function() {
            return Err(err(
                "T2006",
                "The right side of the function application operator ~> must be a function",
            ));
        }
        if l.is_function() {
            return Ok(Value::Function(Rc::new(Function::Chain(l, f))));
        }
        self.apply(&f, vec![l], input, env)
    }

    fn transform(&mut self, plan: &Node, obj: Value, env: &Env) -> R {
        let Kind::Transform(pattern, update, delete) = &plan.kind else {
            unreachable!()
        };
        if obj.is_undefined() {
            return Ok(Value::Undefined);
        }
        if !matches!(obj, Value::Object(_) | Value::Array(..)) {
            return Err(err(
                "T0410",
                "Argument 1 of function transform does not match function signature",
            ));
        }
        let result = deep_clone(&obj);
        let matches = self.evaluate(pattern, &result, env)?;
        let mut edits: Vec<(*const Object, Object, Vec<String>)> = Vec::new();
        for m in matches.into_items() {
            let Value::Object(target) = &m else { continue };
            let upd = self.evaluate(update, &m, env)?;
            let updates = match upd {
                Value::Undefined => Object::new(),
                Value::Object(o) => o.as_ref().clone(),
                _ => {
                    return Err(err(
                        "T2011",
                        "The insert/update clause of the transform expression must evaluate to an object",
                    ))
                }
            };
            let mut deletions = Vec::new();
            if let Some(d) = delete {
                let del = self.evaluate(d, &m, env)?;
                if !del.is_undefined() {
                    for item in del.into_items() {
                        match item {
                            Value::String(s) => deletions.push(s.to_string()),
                            _ => {
                                return Err(err(
                                    "T2012",
                                    "The delete clause of the transform expression must evaluate to a string or array of strings",
                                ))
                            }
                        }
                    }
                }
            }
            edits.push((Rc::as_ptr(target), updates, deletions));
        }
        Ok(apply_edits(&result, &edits))
    }
}

/// The call a tail-call thunk holds, with the context and scope it was made in.
fn thunk(v: &Value) -> Option<(Arc<crate::plan::LambdaPlan>, Value, Env)> {
    match v {
        Value::Function(f) => match &**f {
            Function::Lambda { plan, env, input } if plan.thunk => {
                Some((plan.clone(), input.clone(), env.clone()))
            }
            _ => None,
        },
        _ => None,
    }
}

fn apply_edits(v: &Value, edits: &[(*const Object, Object, Vec<String>)]) -> Value {
    match v {
        Value::Object(o) => {
            let ptr = Rc::as_ptr(o);
            let mut out: Object = o
                .iter()
                .map(|(k, v)| (k.clone(), apply_edits(v, edits)))
                .collect();
            for (target, updates, deletions) in edits {
                if *target == ptr {
                    for (k, v) in updates {
                        out.insert(k.clone(), v.clone());
                    }
                    for d in deletions {
                        out.shift_remove(d);
                    }
                }
            }
            Value::object(out)
        }
        Value::Array(items, f) => Value::Array(
            Rc::new(items.iter().map(|i| apply_edits(i, edits)).collect()),
            *f,
        ),
        other => other.clone(),
    }
}

fn numeric(v: &Value, code: &'static str, side: &str) -> Result<Option<f64>, Error> {
    match v {
        Value::Undefined => Ok(None),
        Value::Number(n) if !n.is_finite() => Err(err("D1001", "Number out of range")),
        Value::Number(n) => Ok(Some(*n)),
        _ => Err(err(
            code,
            format!("The {side} side of the arithmetic expression is not a number"),
        )),
    }
}

fn strict_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x, _), Value::Array(y, _)) => Rc::ptr_eq(x, y),
        (Value::Object(x), Value::Object(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}

fn flatten_into(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(items, _) => {
            for i in items.iter() {
                flatten_into(i, out);
            }
        }
        other => out.push(other.clone()),
    }
}

fn wildcard(input: &Value) -> Value {
    let input = match input {
        Value::Array(items, f) if f.outer_wrapper && !items.is_empty() => &items[0],
        other => other,
    };
    let mut out = Vec::new();
    let mut push = |v: &Value| match v {
        Value::Array(..) => flatten_into(v, &mut out),
        other => out.push(other.clone()),
    };
    match input {
        Value::Object(o) => o.values().for_each(&mut push),
        Value::Array(items, _) => items.iter().for_each(&mut push),
        _ => {}
    }
    Value::sequence(out)
}

fn descendants(input: &Value) -> Value {
    if input.is_undefined() {
        return Value::Undefined;
    }
    fn walk(v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Array(items, _) => items.iter().for_each(|i| walk(i, out)),
            Value::Object(o) => {
                out.push(v.clone());
                o.values().for_each(|i| walk(i, out));
            }
            other => out.push(other.clone()),
        }
    }
    let mut out = Vec::new();
    walk(input, &mut out);
    if out.len() == 1 {
        out.pop().unwrap_or_default()
    } else {
        Value::sequence(out)
    }
}

/// The name a step's context travels under in a tuple stream for a `%` to read: no variable
/// written in an expression can have it.
fn ancestor_key(label: usize) -> String {
    format!("!{label}")
}

fn tuples_of(v: Value) -> Vec<Object> {
    v.into_items()
        .into_iter()
        .filter_map(|t| match t {
            Value::Object(o) => Some(o.as_ref().clone()),
            _ => None,
        })
        .collect()
}

fn reduce_tuples(data: &Value) -> Object {
    match data {
        Value::Array(items, _) => {
            let mut result = match items.first() {
                Some(Value::Object(o)) => o.as_ref().clone(),
                _ => Object::new(),
            };
            for t in items.iter().skip(1) {
                if let Value::Object(o) = t {
                    for (k, v) in o.iter() {
                        let prev = result.shift_remove(k).unwrap_or_default();
                        result.insert(k.clone(), append(prev, v.clone()));
                    }
                }
            }
            result
        }
        Value::Object(o) => o.as_ref().clone(),
        _ => Object::new(),
    }
}

impl Interpreter for Evaluator {
    fn apply(&mut self, function: &Value, args: Vec<Value>, input: &Value, env: &Env) -> R {
        Evaluator::apply(self, function, args, input, env)
    }

    fn evaluate(&mut self, plan: &Node, input: &Value, env: &Env) -> R {
        Evaluator::evaluate(self, plan, input, env)
    }

    fn now_millis(&mut self) -> i64 {
        *self.now.get_or_insert_with(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0)
        })
    }
}
