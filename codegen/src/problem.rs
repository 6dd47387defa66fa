use std::fmt;

use crate::Pointer;

/// The kind of a problem, named with the codes AWS's `ValidateStateMachineDefinition` returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProblemCode {
    /// The text is not JSON (or YAML) at all.
    InvalidJsonDescription,
    /// A field is missing, misplaced, of the wrong type or out of range.
    SchemaValidationFailed,
    /// A transition names no state of its scope, or a state cannot be reached.
    MissingTransitionTarget,
    /// A scope has no terminal state.
    MissingEndState,
}

impl ProblemCode {
    /// The code as AWS spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::InvalidJsonDescription => "INVALID_JSON_DESCRIPTION",
            ProblemCode::SchemaValidationFailed => "SCHEMA_VALIDATION_FAILED",
            ProblemCode::MissingTransitionTarget => "MISSING_TRANSITION_TARGET",
            ProblemCode::MissingEndState => "MISSING_END_STATE",
        }
    }
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing wrong with a definition: what, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The AWS diagnostic code.
    pub code: ProblemCode,
    /// Where in the definition; `None` when the problem concerns no single place
    /// (AWS gives no location for a machine without a terminal state).
    pub pointer: Option<Pointer>,
    /// What is wrong, in AWS's words where AWS has any.
    pub message: String,
}

impl Problem {
    pub(crate) fn schema(pointer: &Pointer, message: impl Into<String>) -> Self {
        Problem {
            code: ProblemCode::SchemaValidationFailed,
            pointer: Some(pointer.clone()),
            message: message.into(),
        }
    }

    /// The location as shown to users: the pointer, or `/` when there is none.
    pub fn location(&self) -> &str {
        self.pointer.as_ref().map_or("/", Pointer::as_str)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pointer {
            Some(p) => write!(f, "{}: {} at {}", self.code, self.message, p),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

/// Every problem found in a definition, in document order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many problems there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The problems one by one.
    pub fn iter(&self) -> std::slice::Iter<'_, Problem> {
        self.0.iter()
    }
}

impl fmt::Display for Problems {
    /// All problems on one line, joined the way AWS joins them in an `InvalidDefinition` error.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

impl IntoIterator for Problems {
    type Item = Problem;
    type IntoIter = std::vec::IntoIter<Problem>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
