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

impl From<SyntaxError> for Error {
    fn from(e: SyntaxError) -> Self {
        Error {
            code: e.code,
            message: e.message,
            position: Some(e.position),
        }
    }
}

/// A JSONata syntax error, with the reference implementation's code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// `S0201` and friends.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// Byte offset in the expression.
    pub position: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for SyntaxError {}
