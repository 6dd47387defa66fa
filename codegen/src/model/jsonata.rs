use std::fmt;
use std::sync::Arc;

use crate::jsonata::{Expression, SyntaxError};

/// A JSONata expression written as `{% ... %}` in a JSONata state, parsed once.
///
/// A string is JSONata only when the whole string starts with `{%` and ends with `%}`; anything
/// else is a literal string. The text between the delimiters is kept as written, beside its
/// evaluation plan, so nothing is parsed again when the state runs.
#[derive(Clone)]
pub struct Jsonata {
    expression: String,
    compiled: Arc<Expression>,
}

impl PartialEq for Jsonata {
    fn eq(&self, other: &Self) -> bool {
        self.expression == other.expression
    }
}

impl Jsonata {
    /// True when `s` is written as a JSONata expression: it starts with `{%` and ends with `%}`.
    pub fn is_delimited(s: &str) -> bool {
        s.len() >= 4 && s.starts_with("{%") && s.ends_with("%}")
    }

    /// The parsed expression in `s` if `s` is a JSONata string (`{% ... %}`), else `None`.
    pub fn from_delimited(s: &str) -> Option<Result<Self, SyntaxError>> {
        Jsonata::is_delimited(s).then(|| Jsonata::parse(&s[2..s.len() - 2]))
    }

    /// Parses an expression given without the `{% %}` delimiters. Errors found while planning
    /// (a literal used as a path step, a bad regular expression or signature) count as syntax
    /// errors: the expression could never run.
    pub fn parse(expression: impl Into<String>) -> Result<Self, SyntaxError> {
        let expression = expression.into();
        let compiled = Expression::parse(&expression).map_err(|e| SyntaxError {
            code: e.code,
            message: e.message,
            position: e.position.unwrap_or(0),
        })?;
        Ok(Jsonata {
            expression,
            compiled: Arc::new(compiled),
        })
    }

    /// The compiled expression, ready to evaluate.
    pub fn compiled(&self) -> &Expression {
        &self.compiled
    }

    /// The expression between the delimiters, as written.
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The whole string as it appears in ASL: `{%` + expression + `%}`.
    pub fn to_delimited(&self) -> String {
        format!("{{%{}%}}", self.expression)
    }
}

impl fmt::Debug for Jsonata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Jsonata({:?})", self.to_delimited())
    }
}

/// A field that JSONata states may compute: a literal of type `T`, or an expression.
#[derive(Clone, Debug, PartialEq)]
pub enum MaybeJsonata<T> {
    /// A literal value.
    Literal(T),
    /// A `{% %}` expression evaluated when the state runs.
    Jsonata(Jsonata),
}

impl<T> MaybeJsonata<T> {
    /// The literal value, if this is not an expression.
    pub fn literal(&self) -> Option<&T> {
        match self {
            MaybeJsonata::Literal(v) => Some(v),
            MaybeJsonata::Jsonata(_) => None,
        }
    }
}

impl<T> From<T> for MaybeJsonata<T> {
    fn from(v: T) -> Self {
        MaybeJsonata::Literal(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_string_rule() {
        assert_eq!(
            Jsonata::from_delimited("{% $x %}")
                .unwrap()
                .unwrap()
                .expression(),
            " $x "
        );
        assert!(Jsonata::from_delimited(" {% $x %}").is_none());
        assert!(Jsonata::from_delimited("{% $x %} ").is_none());
        assert!(Jsonata::from_delimited("{%}").is_none());
        assert!(Jsonata::from_delimited("{% 1 + %}").unwrap().is_err());
        assert_eq!(Jsonata::parse(" 1 ").unwrap().to_delimited(), "{% 1 %}");
    }
}
