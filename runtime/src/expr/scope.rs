//! Evaluating what a JSONPath-mode definition computes: paths with their three roots (`$`,
//! `$$`, `$name`), payload templates (`"key.$"`), and intrinsic calls inside them.

use std::borrow::Cow;

use crate::data::Data;
use stepfn_codegen::{Path, PathRoot};

use crate::error::StatesError;
use crate::expr::context::ContextObject;
use crate::expr::jsonpath::{self, PathNotFound};
use crate::expr::variables::VariableScope;

/// What `$$` and `$name` mean for one state: every root of a path but `$`.
#[derive(Clone, Copy)]
pub struct Roots<'a> {
    /// `$$`.
    pub context: &'a ContextObject,
    /// `$name`.
    pub variables: Option<&'a VariableScope<'a>>,
}

impl<'a> Roots<'a> {
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

    /// `The JSONPath '$.x' specified for the field 'k.$' could not be found in the input '...'`.
    pub fn not_found_in_input(&self, path: &Path, field: &str) -> StatesError {
        StatesError::runtime(format!(
            "The JSONPath '{}' specified for the field '{}' could not be found in the input '{}'",
            path.source(),
            field,
            compact(self.input)
        ))
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
