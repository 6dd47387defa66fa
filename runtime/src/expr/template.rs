//! JSONPath-mode payload templates (`"key.$"`) and queries: paths and intrinsic calls,
//! evaluated in a [`Scope`].

use std::borrow::Cow;

use stepfn_codegen::{Query, Template};

use crate::data::{Data, Object};
use crate::error::StatesError;
use crate::expr::intrinsics;
use crate::expr::scope::Scope;

impl Scope<'_> {
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
