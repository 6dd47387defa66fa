//! A state's fields evaluated in its query language: JSONPath paths and payload templates over
//! the effective input, or JSONata expressions over `$states`. The state functions ask for a
//! field's value here and need not know which language the state speaks.

use crate::data::Data;
use serde_json::Number;
use stepfn_codegen::{Assign, MaybeJsonata, Path, Template};

use crate::error::StatesError;
use crate::expr::context::ContextObject;
use crate::expr::jsonata::{Expected, JsonataScope};
use crate::expr::scope::{compact, invalid_path, Scope};

/// Where one state's fields are evaluated.
#[derive(Clone, Copy)]
pub(crate) enum Fields<'a> {
    /// A JSONPath state: `$` is the value the field applies to.
    Path(Scope<'a>),
    /// A JSONata state.
    Jsonata(JsonataScope<'a>),
}

impl<'a> Fields<'a> {
    /// The same fields with another context object (a Map item's, a task token's).
    pub fn with_context<'b>(self, context: &'b ContextObject) -> Fields<'b>
    where
        'a: 'b,
    {
        match self {
            Fields::Path(s) => Fields::Path(Scope { context, ..s }),
            Fields::Jsonata(s) => Fields::Jsonata(JsonataScope { context, ..s }),
        }
    }

    /// The context object the fields see.
    pub fn context(&self) -> &'a ContextObject {
        match self {
            Fields::Path(s) => s.context,
            Fields::Jsonata(s) => s.context,
        }
    }

    /// A payload template named `field` (`Arguments`, `ItemSelector`, `Parameters`...).
    pub fn template(&self, template: &Template, field: &str) -> Result<Data, StatesError> {
        match self {
            Fields::Path(s) => s.evaluate_template(template),
            Fields::Jsonata(s) => s.evaluate_template(template, field),
        }
    }

    /// The values an `Assign` computes, in the order written, before any is stored.
    pub fn assign(&self, assign: &Assign) -> Result<Vec<(String, Data)>, StatesError> {
        let states = std::cell::OnceCell::new();
        assign
            .0
            .iter()
            .map(|(name, template)| {
                let value = match self {
                    Fields::Path(s) => s.evaluate_field(template, name)?,
                    Fields::Jsonata(s) => {
                        s.template_sharing(template, &format!("Assign/{name}"), &states)?
                    }
                };
                Ok((name.clone(), value))
            })
            .collect()
    }

    /// A whole-number field: a literal, a JSONata expression, or (JSONPath) its `...Path`
    /// twin. `None` when neither is written.
    pub fn integer(
        &self,
        literal: &Option<MaybeJsonata<u64>>,
        path: &Option<Path>,
        field: &str,
        min: u64,
    ) -> Result<Option<i64>, StatesError> {
        match (literal, path, self) {
            (Some(MaybeJsonata::Literal(n)), _, _) => Ok(Some(*n as i64)),
            (Some(j @ MaybeJsonata::Jsonata(_)), _, Fields::Jsonata(s)) => {
                s.integer(j, field, min).map(|n| Some(n as i64))
            }
            (_, Some(p), Fields::Path(s)) => {
                integer_from_path(p, &format!("{field}Path"), s).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// A number field (`ToleratedFailurePercentage`): a literal, an expression, or its
    /// `...Path` twin.
    pub fn number(
        &self,
        literal: &Option<MaybeJsonata<Number>>,
        path: &Option<Path>,
        field: &str,
    ) -> Result<Option<f64>, StatesError> {
        match (literal, path, self) {
            (Some(MaybeJsonata::Literal(n)), _, _) => Ok(n.as_f64()),
            (Some(MaybeJsonata::Jsonata(j)), _, Fields::Jsonata(s)) => {
                Ok(s.evaluate(j, field, Expected::Number)?.as_f64())
            }
            (_, Some(p), Fields::Path(s)) => {
                let value = s.select(p).map_err(|e| invalid_path(p, &e))?;
                let parsed = match value.as_ref() {
                    Data::String(text) => text.trim().parse::<f64>().ok(),
                    other => other.as_f64(),
                };
                Some(parsed.ok_or_else(|| {
                    StatesError::runtime(format!(
                        "The {field}Path field refers to value \"{}\" which is not a valid float: {}",
                        shown(&value),
                        p.source()
                    ))
                }))
                .transpose()
            }
            _ => Ok(None),
        }
    }
}

/// An integer read through a JSONPath `...Path` field.
pub(crate) fn integer_from_path(
    path: &Path,
    field: &str,
    scope: &Scope<'_>,
) -> Result<i64, StatesError> {
    let value = scope.select(path).map_err(|e| invalid_path(path, &e))?;
    // Step Functions reads a number written as a string too ("1").
    let parsed = match value.as_ref() {
        Data::String(s) => s.trim().parse::<i64>().ok(),
        other => other.as_i64(),
    };
    parsed.ok_or_else(|| {
        StatesError::runtime(format!(
            "The {field} field refers to value \"{}\" which is not a valid integer: {}",
            shown(&value),
            path.source()
        ))
    })
}

fn shown(v: &Data) -> String {
    match v {
        Data::String(s) => s.to_string(),
        other => compact(other),
    }
}
