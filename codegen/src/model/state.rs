use serde_json::Value;

use super::{
    Assign, Branch, Catcher, Choice, Map, MaybeJsonata, Nullable, Path, QueryLanguage, Retrier,
    Template, Transition,
};

/// One state of a machine; the variant is its `Type`.
// States sit in their scope's map and are read far more often than moved; boxing the large
// variants would cost every construction an allocation and every user a `Box::new`.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum State {
    /// `"Type": "Task"`.
    Task(Task),
    /// `"Type": "Pass"`.
    Pass(Pass),
    /// `"Type": "Choice"`.
    Choice(Choice),
    /// `"Type": "Wait"`.
    Wait(Wait),
    /// `"Type": "Succeed"`.
    Succeed(Succeed),
    /// `"Type": "Fail"`.
    Fail(Fail),
    /// `"Type": "Parallel"`.
    Parallel(Parallel),
    /// `"Type": "Map"`.
    Map(Map),
}

/// The `Type` of a state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StateType {
    /// Task
    Task,
    /// Pass
    Pass,
    /// Choice
    Choice,
    /// Wait
    Wait,
    /// Succeed
    Succeed,
    /// Fail
    Fail,
    /// Parallel
    Parallel,
    /// Map
    Map,
}

impl StateType {
    /// Every type, in the order AWS lists them in its error message.
    pub const ALL: [StateType; 8] = [
        StateType::Task,
        StateType::Wait,
        StateType::Pass,
        StateType::Succeed,
        StateType::Fail,
        StateType::Choice,
        StateType::Parallel,
        StateType::Map,
    ];

    /// The name used in ASL.
    pub fn as_str(self) -> &'static str {
        match self {
            StateType::Task => "Task",
            StateType::Pass => "Pass",
            StateType::Choice => "Choice",
            StateType::Wait => "Wait",
            StateType::Succeed => "Succeed",
            StateType::Fail => "Fail",
            StateType::Parallel => "Parallel",
            StateType::Map => "Map",
        }
    }

    /// The type named `s`, if any.
    pub fn from_name(s: &str) -> Option<Self> {
        StateType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl State {
    /// The state's `Type`.
    pub fn state_type(&self) -> StateType {
        match self {
            State::Task(_) => StateType::Task,
            State::Pass(_) => StateType::Pass,
            State::Choice(_) => StateType::Choice,
            State::Wait(_) => StateType::Wait,
            State::Succeed(_) => StateType::Succeed,
            State::Fail(_) => StateType::Fail,
            State::Parallel(_) => StateType::Parallel,
            State::Map(_) => StateType::Map,
        }
    }

    /// The state's own `QueryLanguage`, if it sets one.
    pub fn query_language(&self) -> Option<QueryLanguage> {
        match self {
            State::Task(s) => s.query_language,
            State::Pass(s) => s.query_language,
            State::Choice(s) => s.query_language,
            State::Wait(s) => s.query_language,
            State::Succeed(s) => s.query_language,
            State::Fail(s) => s.query_language,
            State::Parallel(s) => s.query_language,
            State::Map(s) => s.query_language,
        }
    }

    /// The state's `Comment`.
    pub fn comment(&self) -> Option<&str> {
        match self {
            State::Task(s) => s.comment.as_deref(),
            State::Pass(s) => s.comment.as_deref(),
            State::Choice(s) => s.comment.as_deref(),
            State::Wait(s) => s.comment.as_deref(),
            State::Succeed(s) => s.comment.as_deref(),
            State::Fail(s) => s.comment.as_deref(),
            State::Parallel(s) => s.comment.as_deref(),
            State::Map(s) => s.comment.as_deref(),
        }
    }

    /// `Next`/`End` for the states that have one (all but Choice, Succeed and Fail).
    pub fn transition(&self) -> Option<&Transition> {
        match self {
            State::Task(s) => Some(&s.transition),
            State::Pass(s) => Some(&s.transition),
            State::Wait(s) => Some(&s.transition),
            State::Parallel(s) => Some(&s.transition),
            State::Map(s) => Some(&s.transition),
            State::Choice(_) | State::Succeed(_) | State::Fail(_) => None,
        }
    }

    /// True when reaching this state can end its scope: `"End": true`, Succeed or Fail.
    pub fn is_terminal(&self) -> bool {
        match self {
            State::Succeed(_) | State::Fail(_) => true,
            State::Choice(_) => false,
            _ => self.transition() == Some(&Transition::End),
        }
    }

    /// `Retry` of Task, Parallel and Map states.
    pub fn retry(&self) -> Option<&[Retrier]> {
        match self {
            State::Task(s) => s.retry.as_deref(),
            State::Parallel(s) => s.retry.as_deref(),
            State::Map(s) => s.retry.as_deref(),
            _ => None,
        }
    }

    /// `Output` (JSONata) of the states that have one (all but Fail).
    pub fn output(&self) -> Option<&Template> {
        match self {
            State::Task(s) => s.output.as_ref(),
            State::Pass(s) => s.output.as_ref(),
            State::Choice(s) => s.output.as_ref(),
            State::Wait(s) => s.output.as_ref(),
            State::Succeed(s) => s.output.as_ref(),
            State::Parallel(s) => s.output.as_ref(),
            State::Map(s) => s.output.as_ref(),
            State::Fail(_) => None,
        }
    }

    /// `ResultSelector` of Task, Parallel and Map states.
    pub fn result_selector(&self) -> Option<&Template> {
        match self {
            State::Task(s) => s.result_selector.as_ref(),
            State::Parallel(s) => s.result_selector.as_ref(),
            State::Map(s) => s.result_selector.as_ref(),
            _ => None,
        }
    }

    /// `ResultPath` of the states that have one (Task, Pass, Parallel, Map).
    pub fn result_path(&self) -> Option<&Nullable<Path>> {
        match self {
            State::Task(s) => s.result_path.as_ref(),
            State::Pass(s) => s.result_path.as_ref(),
            State::Parallel(s) => s.result_path.as_ref(),
            State::Map(s) => s.result_path.as_ref(),
            _ => None,
        }
    }

    /// `OutputPath` of the states that have one (all but Fail).
    pub fn output_path(&self) -> Option<&Nullable<Path>> {
        match self {
            State::Task(s) => s.output_path.as_ref(),
            State::Pass(s) => s.output_path.as_ref(),
            State::Choice(s) => s.output_path.as_ref(),
            State::Wait(s) => s.output_path.as_ref(),
            State::Succeed(s) => s.output_path.as_ref(),
            State::Parallel(s) => s.output_path.as_ref(),
            State::Map(s) => s.output_path.as_ref(),
            State::Fail(_) => None,
        }
    }

    /// `Catch` of Task, Parallel and Map states.
    pub fn catch(&self) -> Option<&[Catcher]> {
        match self {
            State::Task(s) => s.catch.as_deref(),
            State::Parallel(s) => s.catch.as_deref(),
            State::Map(s) => s.catch.as_deref(),
            _ => None,
        }
    }

    /// The state-level `Assign`.
    pub fn assign(&self) -> Option<&Assign> {
        match self {
            State::Task(s) => s.assign.as_ref(),
            State::Pass(s) => s.assign.as_ref(),
            State::Choice(s) => s.assign.as_ref(),
            State::Wait(s) => s.assign.as_ref(),
            State::Parallel(s) => s.assign.as_ref(),
            State::Map(s) => s.assign.as_ref(),
            State::Succeed(_) | State::Fail(_) => None,
        }
    }

    /// The names of every state this one may go to next, with the JSON pointer suffix of the
    /// field that names it (`Next`, `Default`, `Choices/0/Next`, `Catch/1/Next`).
    pub fn targets(&self) -> Vec<(String, &str)> {
        let mut out = Vec::new();
        if let Some(Transition::Next(n)) = self.transition() {
            out.push(("Next".to_string(), n.as_str()));
        }
        if let State::Choice(c) = self {
            for (i, rule) in c.choices.iter().enumerate() {
                out.push((format!("Choices/{i}/Next"), rule.next.as_str()));
            }
            if let Some(d) = &c.default {
                out.push(("Default".to_string(), d.as_str()));
            }
        }
        for (i, c) in self.catch().unwrap_or_default().iter().enumerate() {
            out.push((format!("Catch/{i}/Next"), c.next.as_str()));
        }
        out
    }

    /// The nested state machines of a Parallel (its branches) or a Map (its processor).
    pub fn nested_branches(&self) -> Vec<&Branch> {
        match self {
            State::Parallel(p) => p.branches.iter().collect(),
            State::Map(m) => vec![&m.item_processor],
            _ => Vec::new(),
        }
    }
}

/// A Task state: runs one unit of work through its `Resource`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Task {
    /// `Comment`.
    pub comment: Option<String>,
    /// `QueryLanguage`.
    pub query_language: Option<QueryLanguage>,
    /// `Resource`: a Lambda, activity or service integration ARN (or a `${Placeholder}`).
    pub resource: Resource,
    /// `Parameters` (JSONPath).
    pub parameters: Option<Template>,
    /// `Arguments` (JSONata).
    pub arguments: Option<Template>,
    /// `InputPath` (JSONPath).
    pub input_path: Option<Nullable<Path>>,
    /// `ResultSelector` (JSONPath).
    pub result_selector: Option<Template>,
    /// `ResultPath` (JSONPath).
    pub result_path: Option<Nullable<Path>>,
    /// `OutputPath` (JSONPath).
    pub output_path: Option<Nullable<Path>>,
    /// `Output` (JSONata).
    pub output: Option<Template>,
    /// `Assign`.
    pub assign: Option<Assign>,
    /// `TimeoutSeconds` (an expression in JSONata states).
    pub timeout_seconds: Option<MaybeJsonata<u64>>,
    /// `TimeoutSecondsPath` (JSONPath).
    pub timeout_seconds_path: Option<Path>,
    /// `HeartbeatSeconds` (an expression in JSONata states).
    pub heartbeat_seconds: Option<MaybeJsonata<u64>>,
    /// `HeartbeatSecondsPath` (JSONPath).
    pub heartbeat_seconds_path: Option<Path>,
    /// `Credentials`: an object whose `RoleArn` (or `RoleArn.$`) names the role to assume.
    pub credentials: Option<Template>,
    /// `Retry`.
    pub retry: Option<Vec<Retrier>>,
    /// `Catch`.
    pub catch: Option<Vec<Catcher>>,
    /// `Next` or `End`.
    pub transition: Transition,
}

/// The `Resource` of a Task.
#[derive(Clone, Debug, PartialEq)]
pub enum Resource {
    /// An ARN or URI, possibly holding `${Placeholder}`s for CloudFormation to substitute.
    Uri(String),
    /// A CloudFormation intrinsic such as `{"Fn::GetAtt": [...]}`, as found in templates
    /// that embed the definition; it is resolved at deploy time and is not valid ASL on its own.
    CloudFormation(Value),
}

impl Resource {
    /// The ARN or URI, unless this is a CloudFormation intrinsic.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Resource::Uri(s) => Some(s),
            Resource::CloudFormation(_) => None,
        }
    }
}

impl Default for Resource {
    fn default() -> Self {
        Resource::Uri(String::new())
    }
}

impl From<&str> for Resource {
    fn from(s: &str) -> Self {
        Resource::Uri(s.to_string())
    }
}

impl From<String> for Resource {
    fn from(s: String) -> Self {
        Resource::Uri(s)
    }
}

/// A Pass state: passes its input on, optionally reshaped or replaced by `Result`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pass {
    /// `Comment`.
    pub comment: Option<String>,
    /// `QueryLanguage`.
    pub query_language: Option<QueryLanguage>,
    /// `Result` (JSONPath): a fixed value, never evaluated.
    pub result: Option<Value>,
    /// `Parameters` (JSONPath).
    pub parameters: Option<Template>,
    /// `InputPath` (JSONPath).
    pub input_path: Option<Nullable<Path>>,
    /// `ResultPath` (JSONPath).
    pub result_path: Option<Nullable<Path>>,
    /// `OutputPath` (JSONPath).
    pub output_path: Option<Nullable<Path>>,
    /// `Output` (JSONata).
    pub output: Option<Template>,
    /// `Assign`.
    pub assign: Option<Assign>,
    /// `Next` or `End`.
    pub transition: Transition,
}

/// A Wait state: pauses for a duration or until a time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Wait {
    /// `Comment`.
    pub comment: Option<String>,
    /// `QueryLanguage`.
    pub query_language: Option<QueryLanguage>,
    /// `Seconds`.
    pub seconds: Option<MaybeJsonata<u64>>,
    /// `Timestamp` (RFC 3339).
    pub timestamp: Option<MaybeJsonata<String>>,
    /// `SecondsPath` (JSONPath).
    pub seconds_path: Option<Path>,
    /// `TimestampPath` (JSONPath).
    pub timestamp_path: Option<Path>,
    /// `InputPath` (JSONPath).
    pub input_path: Option<Nullable<Path>>,
    /// `OutputPath` (JSONPath).
    pub output_path: Option<Nullable<Path>>,
    /// `Output` (JSONata).
    pub output: Option<Template>,
    /// `Assign`.
    pub assign: Option<Assign>,
    /// `Next` or `End`.
    pub transition: Transition,
}

/// A Succeed state: ends its scope successfully.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Succeed {
    /// `Comment`.
    pub comment: Option<String>,
    /// `QueryLanguage`.
    pub query_language: Option<QueryLanguage>,
    /// `InputPath` (JSONPath).
    pub input_path: Option<Nullable<Path>>,
    /// `OutputPath` (JSONPath).
    pub output_path: Option<Nullable<Path>>,
    /// `Output` (JSONata).
    pub output: Option<Template>,
}

/// A Fail state: ends its scope with an error.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fail {
    /// `Comment`.
    pub comment: Option<String>,
    /// `QueryLanguage`.
    pub query_language: Option<QueryLanguage>,
    /// `Error` (an expression in JSONata states).
    pub error: Option<MaybeJsonata<String>>,
    /// `ErrorPath` (JSONPath): a path or intrinsic call.
    pub error_path: Option<super::Query>,
    /// `Cause` (an expression in JSONata states).
    pub cause: Option<MaybeJsonata<String>>,
    /// `CausePath` (JSONPath): a path or intrinsic call.
    pub cause_path: Option<super::Query>,
}

/// A Parallel state: runs its branches at once and collects their outputs in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parallel {
    /// `Comment`.
    pub comment: Option<String>,
    /// `QueryLanguage`.
    pub query_language: Option<QueryLanguage>,
    /// `Branches`.
    pub branches: Vec<Branch>,
    /// `Parameters` (JSONPath).
    pub parameters: Option<Template>,
    /// `Arguments` (JSONata).
    pub arguments: Option<Template>,
    /// `InputPath` (JSONPath).
    pub input_path: Option<Nullable<Path>>,
    /// `ResultSelector` (JSONPath).
    pub result_selector: Option<Template>,
    /// `ResultPath` (JSONPath).
    pub result_path: Option<Nullable<Path>>,
    /// `OutputPath` (JSONPath).
    pub output_path: Option<Nullable<Path>>,
    /// `Output` (JSONata).
    pub output: Option<Template>,
    /// `Assign`.
    pub assign: Option<Assign>,
    /// `Retry`.
    pub retry: Option<Vec<Retrier>>,
    /// `Catch`.
    pub catch: Option<Vec<Catcher>>,
    /// `Next` or `End`.
    pub transition: Transition,
}
