//! Values during evaluation: JSON plus `undefined`, functions, and the sequence flags the
//! reference implementation keeps on its arrays.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::OnceLock;

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::error::Error;
use crate::plan::{LambdaPlan, RegexLiteral};
use crate::signature::Signature;

/// An object's members, in insertion order.
pub type Object = IndexMap<String, Value>;

/// How an array came to be.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArrayFlags {
    /// A sequence of results (collapses to its single item, vanishes when empty).
    pub sequence: bool,
    /// `[]` asked to keep a singleton.
    pub keep_singleton: bool,
    /// Built by an array constructor.
    pub cons: bool,
    /// Items are tuples (`@`/`#` bindings).
    pub tuple_stream: bool,
    /// The input array wrapped so it is treated as one value.
    pub outer_wrapper: bool,
}

/// A value.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// No value.
    #[default]
    Undefined,
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    String(Rc<str>),
    /// An array or sequence.
    Array(Rc<Vec<Value>>, ArrayFlags),
    /// An object.
    Object(Rc<Object>),
    /// A function.
    Function(Rc<Function>),
}

/// Something callable.
pub enum Function {
    /// A `function(...) {...}` with the scope it closed over.
    Lambda {
        /// Parameters, signature, body.
        plan: Arc<LambdaPlan>,
        /// The scope.
        env: Env,
        /// The context value where it was defined.
        input: Value,
    },
    /// A built-in function.
    Builtin(&'static Builtin),
    /// A partial application: `None` marks an argument still to come.
    Partial {
        /// What is applied.
        function: Value,
        /// The arguments given so far.
        args: Vec<Option<Value>>,
    },
    /// `f ~> g`: g after f.
    Chain(Value, Value),
    /// A regular expression literal, which matches when called.
    Regex(Arc<RegexLiteral>),
    /// A transform `| ... |`.
    Transform {
        /// The pattern, update and delete nodes.
        plan: Arc<crate::plan::Node>,
        /// The scope.
        env: Env,
    },
}

impl std::fmt::Debug for Function {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<function>")
    }
}

impl Value {
    /// A plain array.
    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Rc::new(items), ArrayFlags::default())
    }

    /// A sequence.
    pub fn sequence(items: Vec<Value>) -> Value {
        Value::Array(
            Rc::new(items),
            ArrayFlags {
                sequence: true,
                ..Default::default()
            },
        )
    }

    /// A string.
    pub fn string(s: impl Into<Rc<str>>) -> Value {
        Value::String(s.into())
    }

    /// An object.
    pub fn object(o: Object) -> Value {
        Value::Object(Rc::new(o))
    }

    /// Whether this is a function or holds one (in an array or object, at any depth).
    pub fn holds_function(&self) -> bool {
        match self {
            Value::Function(_) => true,
            Value::Array(items, _) => items.iter().any(Value::holds_function),
            Value::Object(members) => members.values().any(Value::holds_function),
            _ => false,
        }
    }

    /// Whether this is `undefined`.
    pub fn is_undefined(&self) -> bool {
        matches!(self, Value::Undefined)
    }

    /// Whether this is an array (or sequence).
    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(..))
    }

    /// Whether this is a sequence.
    pub fn is_sequence(&self) -> bool {
        matches!(self, Value::Array(_, f) if f.sequence)
    }

    /// Whether this is a function.
    pub fn is_function(&self) -> bool {
        matches!(self, Value::Function(_))
    }

    /// The items of an array; empty for anything else.
    pub fn as_array_slice(&self) -> &[Value] {
        match self {
            Value::Array(items, _) => items,
            _ => &[],
        }
    }

    /// The flags of an array.
    pub fn flags(&self) -> ArrayFlags {
        match self {
            Value::Array(_, f) => *f,
            _ => ArrayFlags::default(),
        }
    }

    /// The signature symbol of this value's type.
    pub fn symbol(&self) -> char {
        match self {
            Value::Undefined => 'm',
            Value::Null => 'l',
            Value::Bool(_) => 'b',
            Value::Number(_) => 'n',
            Value::String(_) => 's',
            Value::Array(..) => 'a',
            Value::Object(_) => 'o',
            Value::Function(_) => 'f',
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// Arrays as they are; anything else as a one-item array; undefined as empty.
    pub fn into_items(self) -> Vec<Value> {
        match self {
            Value::Undefined => Vec::new(),
            Value::Array(items, _) => Rc::try_unwrap(items).unwrap_or_else(|rc| (*rc).clone()),
            other => vec![other],
        }
    }

    /// From JSON.
    pub fn from_json(json: &Json) -> Value {
        match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
            Json::String(s) => Value::string(s.as_str()),
            Json::Array(items) => Value::array(items.iter().map(Value::from_json).collect()),
            Json::Object(members) => Value::object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// To JSON: undefined is `None`; inside arrays it becomes `null`, inside objects it is
    /// left out; functions become `""`, as JSON.stringify would have them.
    pub fn to_json(&self) -> Option<Json> {
        Some(match self {
            Value::Undefined => return None,
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => number_json(*n),
            Value::String(s) => Json::String(s.to_string()),
            Value::Array(items, _) => Json::Array(
                items
                    .iter()
                    .map(|v| v.to_json().unwrap_or(Json::Null))
                    .collect(),
            ),
            Value::Object(members) => Json::Object(
                members
                    .iter()
                    .filter_map(|(k, v)| v.to_json().map(|j| (k.clone(), j)))
                    .collect(),
            ),
            Value::Function(_) => Json::String(String::new()),
        })
    }
}

/// A number as JSON: integers as integers where exact.
pub fn number_json(n: f64) -> Json {
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        Json::from(n as i64)
    } else {
        serde_json::Number::from_f64(n)
            .map(Json::Number)
            .unwrap_or(Json::Null)
    }
}

/// `$boolean` semantics (undefined stays undefined).
pub fn truthy(v: &Value) -> Option<bool> {
    Some(match v {
        Value::Undefined => return None,
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => *n != 0.0,
        Value::String(s) => !s.is_empty(),
        Value::Array(items, _) => match items.len() {
            0 => false,
            1 => truthy(&items[0]).unwrap_or(false),
            _ => items.iter().any(|i| truthy(i).unwrap_or(false)),
        },
        Value::Object(o) => !o.is_empty(),
        Value::Function(_) => false,
    })
}

/// Deep equality (`=`).
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Undefined, Value::Undefined) => true,
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x, _), Value::Array(y, _)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| deep_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        (Value::Function(x), Value::Function(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}

/// A number as JavaScript's `Number.prototype.toString` writes it.
pub fn js_number(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if n == 0.0 {
        return "0".into();
    }
    let sci = format!("{:e}", n.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    let point = exp + 1;
    let sign = if n < 0.0 { "-" } else { "" };
    let body = if k <= point && point <= 21 {
        format!("{digits}{}", "0".repeat((point - k) as usize))
    } else if 0 < point && point <= 21 {
        format!(
            "{}.{}",
            &digits[..point as usize],
            &digits[point as usize..]
        )
    } else if -6 < point && point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else {
        let e = point - 1;
        let e_sign = if e >= 0 { "+" } else { "-" };
        if k == 1 {
            format!("{digits}e{e_sign}{}", e.abs())
        } else {
            format!("{}.{}e{e_sign}{}", &digits[..1], &digits[1..], e.abs())
        }
    };
    format!("{sign}{body}")
}

/// A number rounded to 15 significant digits, as `$string` writes numbers.
pub fn precision15(n: f64) -> f64 {
    format!("{n:.14e}").parse().unwrap_or(n)
}

/// `$string` semantics.
pub fn stringify(v: &Value, pretty: bool) -> Result<String, Error> {
    Ok(match v {
        Value::String(s) => s.to_string(),
        Value::Function(_) => String::new(),
        Value::Number(n) if !n.is_finite() => {
            return Err(Error::new(
                "D3001",
                "Attempting to invoke string function on Infinity or NaN",
            ))
        }
        Value::Array(items, flags) if flags.outer_wrapper && !items.is_empty() => {
            stringify(&items[0], pretty)?
        }
        other => {
            let mut out = String::new();
            write_json(other, pretty, 0, &mut out)?;
            out
        }
    })
}

fn write_json(v: &Value, pretty: bool, indent: usize, out: &mut String) -> Result<(), Error> {
    match v {
        Value::Undefined | Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if !n.is_finite() {
                return Err(Error::new("D1001", "Number out of range"));
            } else {
                // Integers print in full; other numbers to 15 significant digits.
                let shown = if n.fract() == 0.0 {
                    *n
                } else {
                    precision15(*n)
                };
                out.push_str(&js_number(shown));
            }
        }
        Value::String(s) => out.push_str(&Json::String(s.to_string()).to_string()),
        Value::Function(_) => out.push_str("\"\""),
        Value::Array(items, _) => {
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(pretty, indent + 1, out);
                write_json(item, pretty, indent + 1, out)?;
            }
            newline(pretty, indent, out);
            out.push(']');
        }
        Value::Object(members) => {
            let present: Vec<_> = members.iter().filter(|(_, v)| !v.is_undefined()).collect();
            if present.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (k, item)) in present.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(pretty, indent + 1, out);
                out.push_str(&Json::String(k.clone()).to_string());
                out.push(':');
                if pretty {
                    out.push(' ');
                }
                write_json(item, pretty, indent + 1, out)?;
            }
            newline(pretty, indent, out);
            out.push('}');
        }
    }
    Ok(())
}

fn newline(pretty: bool, indent: usize, out: &mut String) {
    if pretty {
        out.push('\n');
        out.push_str(&"  ".repeat(indent));
    }
}

/// A scope.
pub type Env = Rc<Frame>;

/// One frame of variables.
#[derive(Default)]
pub struct Frame {
    vars: RefCell<HashMap<String, Value>>,
    parent: Option<Env>,
}

impl Frame {
    /// A frame over `parent`.
    pub fn child(parent: &Env) -> Env {
        Rc::new(Frame {
            vars: RefCell::new(HashMap::new()),
            parent: Some(parent.clone()),
        })
    }

    /// The outermost frame.
    pub fn root() -> Env {
        Rc::new(Frame::default())
    }

    /// Binds `name` in this frame.
    pub fn bind(&self, name: &str, value: Value) {
        self.vars.borrow_mut().insert(name.to_string(), value);
    }

    /// Drops every binding of this frame.
    pub fn clear(&self) {
        self.vars.borrow_mut().clear();
    }

    /// The value of `name` here or in an enclosing frame.
    pub fn lookup(&self, name: &str) -> Option<Value> {
        if let Some(v) = self.vars.borrow().get(name) {
            return Some(v.clone());
        }
        self.parent.as_ref().and_then(|p| p.lookup(name))
    }
}

/// What a built-in function may ask of the evaluation running it: calling a function value,
/// evaluating a plan (`$eval`), and the evaluation's one clock reading (`$now`, `$millis`).
pub trait Interpreter {
    /// Calls `function` with `args`.
    fn apply(
        &mut self,
        function: &Value,
        args: Vec<Value>,
        input: &Value,
        env: &Env,
    ) -> Result<Value, Error>;
    /// Evaluates `plan` with `input` as the context value.
    fn evaluate(
        &mut self,
        plan: &crate::plan::Node,
        input: &Value,
        env: &Env,
    ) -> Result<Value, Error>;
    /// The time of this evaluation: `$now()` and `$millis()` agree within one evaluation.
    fn now_millis(&mut self) -> i64;
}

/// How a built-in function runs: its arguments, the context value and the scope of the call.
pub type Implementation = fn(&mut dyn Interpreter, &[Value], &Value, &Env) -> Result<Value, Error>;

/// A built-in function.
pub struct Builtin {
    /// Its name, without `$`.
    pub name: &'static str,
    signature_text: &'static str,
    signature: OnceLock<Option<Signature>>,
    /// What it does.
    pub implementation: Implementation,
}

impl Builtin {
    /// A built-in named `name` (without `$`) with the signature written `signature_text`.
    pub const fn new(
        name: &'static str,
        signature_text: &'static str,
        implementation: Implementation,
    ) -> Builtin {
        Builtin {
            name,
            signature_text,
            signature: OnceLock::new(),
            implementation,
        }
    }

    /// The parsed signature.
    pub fn signature(&self) -> Option<&Signature> {
        self.signature
            .get_or_init(|| Signature::parse(self.signature_text).ok())
            .as_ref()
    }
}

/// A copy sharing nothing, so transform edits can find each object by identity.
pub fn deep_clone(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            Value::object(o.iter().map(|(k, v)| (k.clone(), deep_clone(v))).collect())
        }
        Value::Array(items, f) => Value::Array(Rc::new(items.iter().map(deep_clone).collect()), *f),
        other => other.clone(),
    }
}

/// JavaScript compares strings by UTF-16 code units.
pub fn utf16_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Field lookup over a value or each item of an array, flattening one level.
pub fn lookup(input: &Value, key: &str) -> Value {
    match input {
        Value::Array(items, _) => {
            let mut out = Vec::new();
            for item in items.iter() {
                match lookup(item, key) {
                    Value::Undefined => {}
                    Value::Array(xs, _) => out.extend(xs.iter().cloned()),
                    other => out.push(other),
                }
            }
            Value::sequence(out)
        }
        Value::Object(o) => o.get(key).cloned().unwrap_or_default(),
        _ => Value::Undefined,
    }
}

/// `$append` semantics: a plain array of both sides' items.
pub fn append(a: Value, b: Value) -> Value {
    if a.is_undefined() {
        return b;
    }
    if b.is_undefined() {
        return a;
    }
    let mut items = a.into_items();
    items.extend(b.into_items());
    Value::array(items)
}
