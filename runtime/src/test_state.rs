//! TestState: run one state on one input, as the `TestState` API does, and see where it
//! leads. A Task is answered by a mock (a result or an error); a retriable error is reported
//! as such rather than retried; a caught error reports the catcher's next state.

use std::sync::Arc;

use serde_json::{json, Value};
use stepfn_codegen::{parse, Problems, QueryLanguage, State, StateMachine};

use crate::clock::{Clock, SystemClock};
use crate::context::{ContextObject, ExecutionContext};
use crate::data::Data;
use crate::error::StatesError;
use crate::exec::{run_state, Shared, Step, Visit};
use crate::history::History;
use crate::state_name::StateName;
use crate::tasks::{Callbacks, TaskRegistry, TaskRequest, DEFAULT_REGION};
use crate::variables::VariableScope;

/// What to test.
#[derive(Clone, Debug, Default)]
pub struct TestStateRequest {
    /// One state's definition, or a whole state machine (then `state_name` picks the state).
    pub definition: Value,
    /// The state to test inside a whole state machine.
    pub state_name: Option<String>,
    /// The state's input.
    pub input: Value,
    /// What the Task answers: its result, or the error it raises.
    pub mock: Option<Result<Value, StatesError>>,
    /// The context object to start from (`Execution`, `StateMachine`...).
    pub context: Option<Value>,
    /// The workflow variables the state sees, as a JSON object of name to value.
    pub variables: Option<Value>,
    /// The execution role (`$$.Execution.RoleArn`).
    pub role_arn: Option<String>,
}

/// How the state ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestStateStatus {
    /// It produced an output (and a next state, unless it ends the execution).
    Succeeded,
    /// It raised an error nothing handles.
    Failed,
    /// It raised an error a retrier would retry.
    Retriable,
    /// It raised an error a catcher handles.
    CaughtError,
}

impl TestStateStatus {
    /// `SUCCEEDED`, `FAILED`, `RETRIABLE` or `CAUGHT_ERROR`.
    pub fn as_str(self) -> &'static str {
        match self {
            TestStateStatus::Succeeded => "SUCCEEDED",
            TestStateStatus::Failed => "FAILED",
            TestStateStatus::Retriable => "RETRIABLE",
            TestStateStatus::CaughtError => "CAUGHT_ERROR",
        }
    }
}

/// What the state did.
#[derive(Clone, Debug, PartialEq)]
pub struct TestStateResult {
    /// How it ended.
    pub status: TestStateStatus,
    /// Its output (also for a caught error: the catcher's output).
    pub output: Option<Value>,
    /// The error name, when it raised one.
    pub error: Option<String>,
    /// The cause, when it raised an error.
    pub cause: Option<String>,
    /// Where it leads.
    pub next_state: Option<String>,
}

fn pick_state(request: &TestStateRequest) -> Result<(String, State, QueryLanguage), Problems> {
    if request.definition.get("States").is_some() {
        let machine: StateMachine = parse::from_value(&request.definition)?;
        let name = request
            .state_name
            .clone()
            .unwrap_or_else(|| machine.start_at.clone());
        let language = machine.query_language.unwrap_or(QueryLanguage::JsonPath);
        let state = find_state(&machine.states, &name).ok_or_else(|| {
            Problems(vec![stepfn_codegen::Problem {
                code: stepfn_codegen::ProblemCode::SchemaValidationFailed,
                pointer: None,
                message: format!("The state '{name}' is not in the state machine"),
            }])
        })?;
        Ok((name, state, language))
    } else {
        let state = parse::state_from_value(&request.definition, QueryLanguage::JsonPath)?;
        let name = request
            .state_name
            .clone()
            .unwrap_or_else(|| "TestState".into());
        Ok((name, state, QueryLanguage::JsonPath))
    }
}

/// The state called `name`, at any depth (inside Parallel branches and Map processors).
fn find_state(states: &stepfn_codegen::States, name: &str) -> Option<State> {
    if let Some(s) = states.get(name) {
        return Some(s.clone());
    }
    states
        .values()
        .flat_map(State::nested_branches)
        .find_map(|branch| find_state(&branch.states, name))
}

/// Runs one state. A definition that does not parse gives its problems.
pub async fn test_state(request: TestStateRequest) -> Result<TestStateResult, Problems> {
    let (name, state, language) = pick_state(&request)?;
    let mut tasks = TaskRegistry::new();
    if let Some(mock) = request.mock.clone() {
        tasks = tasks.fallback(move |_: TaskRequest| {
            let answer = mock.clone();
            async move { answer }
        });
    }
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let context = request.context.clone().unwrap_or(Value::Null);
    let part = |key: &str, default: Value| match context.get(key) {
        Some(v) => v.clone(),
        None => default,
    };
    let shared = Shared {
        clock: clock.clone(),
        tasks,
        callbacks: Callbacks::default(),
        activities: None,
        history: History::new(false),
        // TestState runs the state as a one-state Express execution.
        execution: Arc::new(ExecutionContext::given(
            Data::from(part(
                "Execution",
                json!({
                    "Id": "arn:aws:states:us-east-1:123456789012:express:TestState:test",
                    "Input": request.input,
                    "Name": "test",
                    "RoleArn": request.role_arn,
                    "StartTime": stepfn_codegen::format_rfc3339_millis(clock.now_millis()),
                }),
            )),
            Data::from(part(
                "StateMachine",
                json!({"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:TestState", "Name": "TestState"}),
            )),
            DEFAULT_REGION.into(),
            "123456789012".into(),
        )),
        state_names: Default::default(),
        task_resources: Default::default(),
        s3_root: None,
        default_language: language,
        context_override: request.context.clone().map(ContextObject::from_value),
        state_mock: request.mock.clone().map(|m| m.map(Data::from)),
        variable_budget: Default::default(),
        durable: None,
        expression_limits: crate::exec::EXPRESSION_LIMITS,
    };
    let variables = VariableScope::with_values(
        request
            .variables
            .iter()
            .filter_map(Value::as_object)
            .flatten()
            .map(|(k, v)| (k.clone(), Data::from(v))),
    );
    // Without a context object from the caller, AWS names the state under test "StateName"
    // in `$$.State.Name`.
    let visit_name = if request.context.is_some() {
        name.as_str()
    } else {
        "StateName"
    };
    let visit = Visit {
        shared: &shared,
        name: visit_name,
        shared_name: StateName::new(visit_name),
        facts: &crate::exec::StateFacts::UNKNOWN,
        entered_millis: clock.now_millis(),
        entered_id: 1,
        entered_previous: 0,
        single_step: true,
        concurrent: false,
        language: state.query_language().unwrap_or(language),
        variables: &variables,
        assigned: Default::default(),
        has_assigned: Default::default(),
    };
    let mut cursor = 0;
    let result = run_state(&visit, &state, Data::from(&request.input), &mut cursor)
        .await
        .map_err(|e| visit.locate(e, &mut cursor));
    Ok(match result {
        Ok(Step::Next(next, output)) => TestStateResult {
            status: TestStateStatus::Succeeded,
            output: Some(output.into()),
            error: None,
            cause: None,
            next_state: Some(next.to_string()),
        },
        Ok(Step::End(output)) => TestStateResult {
            status: TestStateStatus::Succeeded,
            output: Some(output.into()),
            error: None,
            cause: None,
            next_state: None,
        },
        Ok(Step::Caught {
            next,
            output,
            error,
        }) => TestStateResult {
            status: TestStateStatus::CaughtError,
            output: Some(output.into()),
            error: error.error,
            cause: error.cause,
            next_state: Some(next.to_string()),
        },
        Ok(Step::Retriable(error)) => TestStateResult {
            status: TestStateStatus::Retriable,
            output: None,
            error: error.error,
            cause: error.cause,
            next_state: None,
        },
        Err(error) => TestStateResult {
            status: TestStateStatus::Failed,
            output: None,
            error: error.error,
            cause: error.cause,
            next_state: None,
        },
    })
}
