//! The Fail state: ends the execution with its error and cause.

use stepfn_codegen::{Fail, MaybeJsonata, Query};

use crate::data::Data;
use crate::error::StatesError;
use crate::exec::visit::Visit;
use crate::expr::fields::Fields;

pub(crate) fn fail(visit: &Visit<'_>, s: &Fail, raw: &Data) -> Result<StatesError, StatesError> {
    let context = visit.context(None);
    if let Fields::Jsonata(scope) = visit.fields(raw, &context) {
        let text = |field: &Option<MaybeJsonata<String>>, name: &str| {
            field.as_ref().map(|f| scope.string(f, name)).transpose()
        };
        return Ok(StatesError::from_parts(
            text(&s.error, "Error")?,
            text(&s.cause, "Cause")?,
        ));
    }
    let scope = visit.roots(&context).scope(raw);
    let text = |literal: &Option<MaybeJsonata<String>>,
                path: &Option<Query>,
                field: &str|
     -> Result<Option<String>, StatesError> {
        if let Some(MaybeJsonata::Literal(s)) = literal {
            return Ok(Some(s.clone()));
        }
        let Some(query) = path else { return Ok(None) };
        let value = match query {
            Query::Path(p) => scope
                .select(p)
                .map(std::borrow::Cow::into_owned)
                .map_err(|_| scope.not_found_in_input(p, field))?,
            Query::Intrinsic(_) => scope.evaluate_query(query, field)?,
        };
        Ok(Some(match value {
            Data::String(s) => s.to_string(),
            other => crate::expr::scope::compact(&other),
        }))
    };
    Ok(StatesError::from_parts(
        text(&s.error, &s.error_path, "ErrorPath")?,
        text(&s.cause, &s.cause_path, "CausePath")?,
    ))
}
