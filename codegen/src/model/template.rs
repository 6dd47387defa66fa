use indexmap::IndexMap;
use serde_json::Value;

use super::{IntrinsicCall, Jsonata, Path};

/// A field that may be explicitly `null`, which means something different from leaving it
/// out: `"ResultPath": null` discards the result, while no `ResultPath` means `$`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Nullable<T> {
    /// The field is `null`.
    Null,
    /// The field has a value.
    Value(T),
}

impl<T> Nullable<T> {
    /// The value, unless it is `null`.
    pub fn as_value(&self) -> Option<&T> {
        match self {
            Nullable::Null => None,
            Nullable::Value(v) => Some(v),
        }
    }
}

/// The value of a JSONPath `"key.$"` field: a path (into the input, the context object or a
/// variable) or an intrinsic function call.
#[derive(Clone, Debug, PartialEq)]
pub enum Query {
    /// `$.x`, `$$.Execution.Id` or `$var.x`.
    Path(Path),
    /// `States.Format('{}', $.x)`.
    Intrinsic(IntrinsicCall),
}

impl Query {
    /// The text as written in the definition.
    pub fn source(&self) -> &str {
        match self {
            Query::Path(p) => p.source(),
            Query::Intrinsic(c) => c.source(),
        }
    }
}

/// A payload template, parsed once.
///
/// In JSONPath states, object keys ending in `.$` take a [`Query`]; in JSONata states, any
/// string written `{% ... %}` is an expression. Subtrees with nothing to evaluate are kept as
/// one [`Template::Literal`], so evaluation copies them without walking them.
#[derive(Clone, Debug, PartialEq)]
pub enum Template {
    /// A constant JSON value.
    Literal(Value),
    /// An object with at least one evaluated member. Keys are the output names: a member
    /// whose template is a [`Template::Query`] was written with a `.$` suffix.
    Object(IndexMap<String, Template>),
    /// An array with at least one evaluated element.
    Array(Vec<Template>),
    /// A JSONPath path or intrinsic call (the value of a `"key.$"` member).
    Query(Query),
    /// A JSONata `{% %}` expression.
    Jsonata(Jsonata),
}

impl Template {
    /// True when evaluating this template needs no input: it is a constant.
    pub fn is_literal(&self) -> bool {
        matches!(self, Template::Literal(_))
    }

    /// The constant value, if this template is one.
    pub fn as_literal(&self) -> Option<&Value> {
        match self {
            Template::Literal(v) => Some(v),
            _ => None,
        }
    }
}

impl From<Value> for Template {
    fn from(v: Value) -> Self {
        Template::Literal(v)
    }
}

/// `Assign`: variable names and the templates that give their values.
///
/// In a JSONPath state a name is written `"name.$"` when its value is a path or intrinsic call;
/// the name kept here never has the suffix.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Assign(pub IndexMap<String, Template>);

impl Assign {
    /// The variable names in the order written.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
}
