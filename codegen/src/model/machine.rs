use indexmap::IndexMap;

use super::State;

/// The longest state name AWS accepts, in characters.
pub const MAX_STATE_NAME_CHARS: usize = 80;

/// The states of one scope, keyed by name, in the order they were written.
pub type States = IndexMap<String, State, foldhash::fast::RandomState>;

/// A whole ASL document: the top level of a state machine.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StateMachine {
    /// `Comment`.
    pub comment: Option<String>,
    /// `StartAt`: the name of the first state.
    pub start_at: String,
    /// `States`.
    pub states: States,
    /// `Version` (AWS's default is `"1.0"`).
    pub version: Option<String>,
    /// `TimeoutSeconds`: the execution's time limit.
    pub timeout_seconds: Option<u64>,
    /// `QueryLanguage`: the default for every state, nested ones included.
    pub query_language: Option<QueryLanguage>,
}

impl StateMachine {
    /// An empty machine starting at `start_at`; add the states next.
    pub fn new(start_at: impl Into<String>) -> Self {
        StateMachine {
            start_at: start_at.into(),
            ..Default::default()
        }
    }

    /// The query language of states that do not set one.
    pub fn default_query_language(&self) -> QueryLanguage {
        self.query_language.unwrap_or_default()
    }

    /// The query language a state runs with: its own, or the machine's. States inside
    /// Parallel branches and Map processors inherit the machine's, never the enclosing state's.
    pub fn query_language_of(&self, state: &State) -> QueryLanguage {
        state
            .query_language()
            .unwrap_or_else(|| self.default_query_language())
    }

    /// The top-level scope seen as a branch (its `StartAt`, `States` and `Comment`).
    pub fn scope(&self) -> (&str, &States) {
        (&self.start_at, &self.states)
    }
}

/// A nested state machine: one of a Parallel state's `Branches`, or a Map state's
/// `ItemProcessor` (whose `ProcessorConfig` lives on the [`crate::Map`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Branch {
    /// `Comment`.
    pub comment: Option<String>,
    /// `StartAt`.
    pub start_at: String,
    /// `States`.
    pub states: States,
}

impl Branch {
    /// A branch starting at `start_at`; add the states next.
    pub fn new(start_at: impl Into<String>) -> Self {
        Branch {
            start_at: start_at.into(),
            ..Default::default()
        }
    }
}

/// `QueryLanguage`: how paths and expressions in a state are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum QueryLanguage {
    /// JSONPath with payload templates and intrinsic functions (the default).
    #[default]
    JsonPath,
    /// JSONata expressions in `{% %}` strings.
    Jsonata,
}

impl QueryLanguage {
    /// The name used in ASL.
    pub fn as_str(self) -> &'static str {
        match self {
            QueryLanguage::JsonPath => "JSONPath",
            QueryLanguage::Jsonata => "JSONata",
        }
    }

    /// The language named `s` in ASL, if any.
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "JSONPath" => Some(QueryLanguage::JsonPath),
            "JSONata" => Some(QueryLanguage::Jsonata),
            _ => None,
        }
    }
}

/// Where a non-terminal state goes next: `Next` or `"End": true`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Transition {
    /// `"Next": name`.
    Next(String),
    /// `"End": true`.
    #[default]
    End,
}

impl Transition {
    /// The next state's name, if this is not an end.
    pub fn next(&self) -> Option<&str> {
        match self {
            Transition::Next(n) => Some(n),
            Transition::End => None,
        }
    }
}
