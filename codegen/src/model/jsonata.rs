use std::fmt;

/// A JSONata expression written as `{% ... %}` in a JSONata state.
///
/// A string is JSONata only when the whole string starts with `{%` and ends with `%}`; anything
/// else is a literal string. The text between the delimiters is kept as written.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Jsonata {
    expression: String,
}

impl Jsonata {
    /// The expression in `s` if `s` is a JSONata string (`{% ... %}`), else `None`.
    pub fn from_delimited(s: &str) -> Option<Self> {
        if s.len() >= 4 && s.starts_with("{%") && s.ends_with("%}") {
            Some(Jsonata { expression: s[2..s.len() - 2].to_string() })
        } else {
            None
        }
    }

    /// An expression from its text (without the `{% %}` delimiters).
    pub fn new(expression: impl Into<String>) -> Self {
        Jsonata { expression: expression.into() }
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
        assert_eq!(Jsonata::from_delimited("{% $x %}").unwrap().expression(), " $x ");
        assert!(Jsonata::from_delimited(" {% $x %}").is_none());
        assert!(Jsonata::from_delimited("{% $x %} ").is_none());
        assert!(Jsonata::from_delimited("{%}").is_none());
        assert_eq!(Jsonata::from_delimited("{%%}").unwrap().expression(), "");
        assert_eq!(Jsonata::new(" 1 ").to_delimited(), "{% 1 %}");
    }
}
