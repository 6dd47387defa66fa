//! Errors with the reference implementation's codes (`T0410`, `D3001`, ...).

use std::fmt;

/// A JSONata error: a syntax error, a type error or a dynamic error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The reference implementation's code.
    pub code: &'static str,
    /// What went wrong.
    pub message: String,
    /// Byte offset in the expression, when known.
    pub position: Option<usize>,
}

impl Error {
    /// An error with `code` and `message`.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            position: None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

impl From<crate::parser::SyntaxError> for Error {
    fn from(e: crate::parser::SyntaxError) -> Self {
        Error {
            code: e.code,
            message: e.message,
            position: Some(e.position),
        }
    }
}
