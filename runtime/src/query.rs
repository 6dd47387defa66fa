//! Evaluating what a JSONPath-mode definition computes: paths with their three roots (`$`,
//! `$$`, `$name`), payload templates (`"key.$"`), and intrinsic calls inside them.

use std::borrow::Cow;

use crate::data::{Data, Object};
use stepfn_codegen::{Path, PathRoot, Query, Template};

use crate::context::ContextObject;
use crate::error::StatesError;
use crate::intrinsics;
use crate::jsonpath::{self, PathNotFound};
use crate::variables::VariableScope;

/// What `$$` and `$name` mean for one state: every root of a path but `$`.
#[derive(Clone, Copy)]
pub struct Roots<'a> {
    /// `$$`.
    pub context: &'a ContextObject,
    /// `$name`.
    pub variables: Option<&'a VariableScope<'a>>,
}

impl<'a> Roots<'a> {
    /// Roots with the context object and no variables.
    pub fn context_only(context: &'a ContextObject) -> Self {
        Roots {
            context,
            variables: None,
        }
    }

    /// The scope where `$` is `input`.
    pub fn scope(self, input: &'a Data) -> Scope<'a> {
        Scope {
            input,
            context: self.context,
            variables: self.variables,
        }
    }
}

/// What the roots of a path mean where it is evaluated.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    /// `$`.
    pub input: &'a Data,
    /// `$$`.
    pub context: &'a ContextObject,
    /// `$name`.
    pub variables: Option<&'a VariableScope<'a>>,
}

impl<'a> Scope<'a> {
    /// Evaluates `path` from the root it names.
    pub fn select(&self, path: &Path) -> Result<Cow<'a, Data>, PathNotFound> {
        let document = match path.root() {
            PathRoot::Input => self.input,
            PathRoot::Context => self.context.value(),
            PathRoot::Variable(name) => match self.variables.and_then(|vars| vars.get(name)) {
                Some(v) => v,
                None => {
                    return Err(PathNotFound {
                        message: format!("The variable '{name}' is not defined"),
                    })
                }
            },
        };
        jsonpath::select(path, document)
    }

    /// `InputPath` / `OutputPath`: a missing path is `Invalid path '$.x' : No results...`.
    pub fn select_io_path(&self, path: &Path) -> Result<Data, StatesError> {
        self.select(path)
            .map(Cow::into_owned)
            .map_err(|e| invalid_path(path, &e))
    }

    /// A `"key.$"` value: path or intrinsic call, for the field `field` (written with `.$`).
    pub fn evaluate_query(&self, query: &Query, field: &str) -> Result<Data, StatesError> {
        match query {
            Query::Path(path) => self
                .select(path)
                .map(Cow::into_owned)
                .map_err(|_| self.not_found_in_input(path, field)),
            Query::Intrinsic(call) => intrinsics::call(call, self),
        }
    }

    /// `The JSONPath '$.x' specified for the field 'k.$' could not be found in the input '...'`.
    pub fn not_found_in_input(&self, path: &Path, field: &str) -> StatesError {
        StatesError::runtime(format!(
            "The JSONPath '{}' specified for the field '{}' could not be found in the input '{}'",
            path.source(),
            field,
            compact(self.input)
        ))
    }

    /// Evaluates a payload template (Parameters, ResultSelector, ItemSelector...).
    pub fn evaluate_template(&self, template: &Template) -> Result<Data, StatesError> {
        self.evaluate_field(template, "")
    }

    /// Evaluates one member of a template; `key` names it in error messages.
    pub fn evaluate_field(&self, template: &Template, key: &str) -> Result<Data, StatesError> {
        Ok(match template {
            Template::Literal(v) => Data::from(v),
            Template::Object(members) => {
                let mut out = Object::with_capacity(members.len());
                for (name, member) in members {
                    out.insert(name.into(), self.evaluate_field(member, name)?);
                }
                Data::object(out)
            }
            Template::Array(items) => Data::array(
                items
                    .iter()
                    .map(|t| self.evaluate_field(t, key))
                    .collect::<Result<_, _>>()?,
            ),
            // The field's name (`key.$`) is written out only for an error message.
            Template::Query(Query::Path(path)) => self
                .select(path)
                .map(Cow::into_owned)
                .map_err(|_| self.not_found_in_input(path, &format!("{key}.$")))?,
            Template::Query(Query::Intrinsic(call)) => intrinsics::call(call, self)?,
            Template::Jsonata(j) => {
                return Err(StatesError::runtime(format!(
                    "JSONata expression '{}' in a JSONPath state",
                    j.expression()
                )))
            }
        })
    }
}

/// `Invalid path '$.x' : No results for path: $['x']`.
pub fn invalid_path(path: &Path, e: &PathNotFound) -> StatesError {
    StatesError::runtime(format!("Invalid path '{}' : {}", path.source(), e.message))
}

/// Compact JSON text, as Step Functions quotes data in its messages.
pub fn compact(value: &Data) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
