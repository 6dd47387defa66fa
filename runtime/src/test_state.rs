//! TestState: run one state on one input, as the `TestState` API does, and see where it
//! leads. A Task is answered by a mock (a result or an error); a retriable error is reported
//! as such rather than retried; a caught error reports the catcher's next state. The
//! `stateConfiguration` of the API places the state inside a run that is already under way
//! (retries made, Map iterations failed), and the inspection data shows the state's data flow
//! stage by stage.

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use stepfn_codegen::{
    parse, Map, Problems, QueryLanguage, State, StateMachine, Template, Transition,
};

use crate::clock::{Clock, SystemClock};
use crate::data::Data;
use crate::error::{names, StatesError};
use crate::exec::{catch, io, retry_delay, run_state, Fields, Shared, Step, Visit};
use crate::expr::context::{ContextObject, ExecutionContext};
use crate::expr::jsonata::{query_evaluation_error, Expected};
use crate::expr::scope::compact;
use crate::expr::variables::VariableScope;
use crate::history::History;
use crate::state_name::StateName;
use crate::tasks::{Callbacks, TaskRegistry, TaskRequest, DEFAULT_REGION};

/// What to test.
#[derive(Clone)]
#[non_exhaustive]
pub struct TestStateRequest {
    /// One state's definition, or a whole state machine (then `state_name` picks the state).
    pub definition: Value,
    /// The state to test inside a whole state machine.
    pub state_name: Option<String>,
    /// The state's input.
    pub input: Value,
    /// What the Task answers: its result, or the error it raises. For a Map or Parallel
    /// state, the whole state's result or error.
    pub mock: Option<Result<Value, StatesError>>,
    /// The context object to start from (`Execution`, `StateMachine`...).
    pub context: Option<Value>,
    /// The workflow variables the state sees, as a JSON object of name to value.
    pub variables: Option<Value>,
    /// The execution role (`$$.Execution.RoleArn`).
    pub role_arn: Option<String>,
    /// How much of the data flow the result reports.
    pub inspection_level: InspectionLevel,
    /// Where in a run the state is tested (`stateConfiguration`).
    pub state_configuration: StateConfiguration,
    /// Where time comes from: `$$.Execution.StartTime`, `$$.State.EnteredTime`, a Wait's
    /// deadline.
    pub clock: Arc<dyn Clock>,
}

impl Default for TestStateRequest {
    fn default() -> Self {
        TestStateRequest {
            definition: Value::Null,
            state_name: None,
            input: Value::Null,
            mock: None,
            context: None,
            variables: None,
            role_arn: None,
            inspection_level: InspectionLevel::default(),
            state_configuration: StateConfiguration::default(),
            clock: SystemClock::shared(),
        }
    }
}

impl TestStateRequest {
    /// A request to test `definition` (one state, or a whole machine with
    /// [`with_state_name`](Self::with_state_name)) on a `null` input.
    pub fn new(definition: Value) -> Self {
        TestStateRequest {
            definition,
            ..Self::default()
        }
    }

    stepfn_codegen::__setters! {
        set with_definition(definition: Value);
        some with_state_name(state_name: String);
        set with_input(input: Value);
        some with_mock(mock: Result<Value, StatesError>);
        some with_context(context: Value);
        some with_variables(variables: Value);
        some with_role_arn(role_arn: String);
        set with_inspection_level(inspection_level: InspectionLevel);
        set with_state_configuration(state_configuration: StateConfiguration);
        set with_clock(clock: Arc<dyn Clock>);
    }
}

impl std::fmt::Debug for TestStateRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestStateRequest")
            .field("definition", &self.definition)
            .field("state_name", &self.state_name)
            .field("input", &self.input)
            .field("mock", &self.mock)
            .field("context", &self.context)
            .field("variables", &self.variables)
            .field("role_arn", &self.role_arn)
            .field("inspection_level", &self.inspection_level)
            .field("state_configuration", &self.state_configuration)
            .finish_non_exhaustive()
    }
}

/// `inspectionLevel`: how much the result tells of the state's data flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InspectionLevel {
    /// Status, output, error and next state only.
    #[default]
    Info,
    /// Also the inspection data: the value after each stage of the data flow.
    Debug,
    /// As `Debug`; AWS adds an HTTP Task's raw request and response, which a mocked or
    /// local task does not have.
    Trace,
}

impl InspectionLevel {
    /// `INFO`, `DEBUG` or `TRACE`.
    pub fn parse(text: &str) -> Option<InspectionLevel> {
        match text {
            "INFO" => Some(InspectionLevel::Info),
            "DEBUG" => Some(InspectionLevel::Debug),
            "TRACE" => Some(InspectionLevel::Trace),
            _ => None,
        }
    }

    /// `INFO`, `DEBUG` or `TRACE`.
    pub fn as_str(self) -> &'static str {
        match self {
            InspectionLevel::Info => "INFO",
            InspectionLevel::Debug => "DEBUG",
            InspectionLevel::Trace => "TRACE",
        }
    }
}

/// `stateConfiguration`: what happened in the run before the tested attempt.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StateConfiguration {
    /// Retries the retrier that matches the mocked error has already made: it decides whether
    /// the error is retried again (`RETRIABLE`) and the backoff before that retry.
    pub retrier_retry_count: Option<u32>,
    /// The state inside a Map or Parallel that raised the mocked error. The mocked error is
    /// the whole state's error whichever inner state raised it, so it changes no outcome.
    pub error_caused_by_state: Option<String>,
    /// How many iterations of a mocked Map failed: beyond its `ToleratedFailureCount` or
    /// `ToleratedFailurePercentage`, the Map fails with `States.ExceedToleratedFailureThreshold`.
    pub map_iteration_failure_count: Option<u64>,
    /// What a Distributed Map's `ItemReader` reads, as found in its source (a JSON array for
    /// JSON input), in place of reading the source.
    pub map_item_reader_data: Option<String>,
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

/// Which retrier or catcher handled the error (`inspectionData.errorDetails`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorDetails {
    /// The retrier that matched the error (also when it has no attempts left).
    pub retry_index: Option<usize>,
    /// The wait before the retry, when the error is retried.
    pub retry_backoff_interval_seconds: Option<u64>,
    /// The catcher that caught the error.
    pub catch_index: Option<usize>,
}

/// The state's data flow, stage by stage (`inspectionData`), for `DEBUG` and `TRACE`. A stage
/// the state does not have, or did not reach, is absent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InspectionData {
    /// The raw input.
    pub input: Option<Value>,
    /// After `InputPath` (JSONPath).
    pub after_input_path: Option<Value>,
    /// After `Parameters` (JSONPath): a Task's request, a Pass state's result.
    pub after_parameters: Option<Value>,
    /// After `Arguments` (JSONata): a Task's request.
    pub after_arguments: Option<Value>,
    /// A Task's result, or a Pass state's `Result`.
    pub result: Option<Value>,
    /// After `ResultSelector` (JSONPath).
    pub after_result_selector: Option<Value>,
    /// After `ResultPath` (JSONPath), before `OutputPath`.
    pub after_result_path: Option<Value>,
    /// A Map's items after `ItemsPath` (JSONPath).
    pub after_items_path: Option<Value>,
    /// The workflow variables after the state, when the request gave some.
    pub variables: Option<Value>,
    /// A Map's `MaxConcurrency` (0: no limit).
    pub max_concurrency: Option<i64>,
    /// A Map's `ToleratedFailureCount`, when it has one.
    pub tolerated_failure_count: Option<i64>,
    /// A Map's `ToleratedFailurePercentage`, when it has one.
    pub tolerated_failure_percentage: Option<f64>,
    /// Which retrier or catcher handled the error.
    pub error_details: Option<ErrorDetails>,
}

impl InspectionData {
    /// The API's `inspectionData`: payloads as JSON text, counts as numbers.
    pub fn to_api_json(&self) -> Value {
        let mut out = serde_json::Map::new();
        let payloads = [
            ("input", &self.input),
            ("afterInputPath", &self.after_input_path),
            ("afterParameters", &self.after_parameters),
            ("afterArguments", &self.after_arguments),
            ("result", &self.result),
            ("afterResultSelector", &self.after_result_selector),
            ("afterResultPath", &self.after_result_path),
            ("afterItemsPath", &self.after_items_path),
            ("variables", &self.variables),
        ];
        for (member, value) in payloads {
            if let Some(value) = value {
                out.insert(member.into(), Value::String(value.to_string()));
            }
        }
        if let Some(n) = self.max_concurrency {
            out.insert("maxConcurrency".into(), n.into());
        }
        if let Some(n) = self.tolerated_failure_count {
            out.insert("toleratedFailureCount".into(), n.into());
        }
        if let Some(p) = self.tolerated_failure_percentage {
            out.insert("toleratedFailurePercentage".into(), json!(p));
        }
        if let Some(details) = &self.error_details {
            let mut d = serde_json::Map::new();
            if let Some(i) = details.retry_index {
                d.insert("retryIndex".into(), i.into());
            }
            if let Some(s) = details.retry_backoff_interval_seconds {
                d.insert("retryBackoffIntervalSeconds".into(), s.into());
            }
            if let Some(i) = details.catch_index {
                d.insert("catchIndex".into(), i.into());
            }
            out.insert("errorDetails".into(), Value::Object(d));
        }
        Value::Object(out)
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
    /// The data flow, at the `DEBUG` and `TRACE` inspection levels.
    pub inspection_data: Option<InspectionData>,
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

/// What a mocked Task was asked and answered, for the inspection data.
#[derive(Default)]
struct TaskSeen {
    request: Option<Value>,
    result: Option<Value>,
}

/// How the tested state ended, its next state owned.
enum Ending {
    Next(String, Data),
    End(Data),
    Caught {
        next: String,
        output: Data,
        error: StatesError,
    },
    Retriable(StatesError),
}

impl From<Step<'_>> for Ending {
    fn from(step: Step<'_>) -> Ending {
        match step {
            Step::Next(next, output) => Ending::Next(next.to_string(), output),
            Step::End(output) => Ending::End(output),
            Step::Caught {
                next,
                output,
                error,
            } => Ending::Caught {
                next: next.to_string(),
                output,
                error,
            },
            Step::Retriable(error) => Ending::Retriable(error),
        }
    }
}

/// Runs one state. A definition that does not parse gives its problems.
pub async fn test_state(request: TestStateRequest) -> Result<TestStateResult, Problems> {
    let (name, state, language) = pick_state(&request)?;
    let seen = Arc::new(Mutex::new(TaskSeen::default()));
    let mut tasks = TaskRegistry::new();
    if let Some(mock) = request.mock.clone() {
        let seen = seen.clone();
        tasks = tasks.fallback(move |task: TaskRequest| {
            let answer = mock.clone();
            let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            seen.request = Some(task.input);
            seen.result = answer.as_ref().ok().cloned();
            async move { answer }
        });
    }
    let clock = request.clock.clone();
    let context = request.context.clone().unwrap_or(Value::Null);
    let part = |key: &str, default: Value| match context.get(key) {
        Some(v) => v.clone(),
        None => default,
    };
    let shared = Shared {
        run_branch: crate::exec::run_branch,
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
        objects: None,
        default_language: language,
        context_override: request.context.clone().map(ContextObject::from_value),
        state_mock: request.mock.clone().map(|m| m.map(Data::from)),
        variable_budget: Default::default(),
        durable: None,
        expression_limits: crate::expr::limits::EXPRESSION_LIMITS,
        map_runs: None,
    };
    let given_variables: Vec<(String, Data)> = request
        .variables
        .iter()
        .filter_map(Value::as_object)
        .flatten()
        .map(|(k, v)| (k.clone(), Data::from(v)))
        .collect();
    let variables = VariableScope::with_values(given_variables.iter().cloned());
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
    let mut inspection = InspectionData {
        input: Some(request.input.clone()),
        ..InspectionData::default()
    };
    let raw = Data::from(&request.input);
    let mut cursor = 0;
    let ending = match &state {
        State::Task(_) | State::Parallel(_) | State::Map(_) => {
            let tested = Tested {
                visit: &visit,
                state: &state,
                request: &request,
                seen: &seen,
            };
            tested.handled(raw, &mut inspection, &mut cursor).await
        }
        _ => {
            inspect_simple(&visit, &state, &raw, &mut inspection);
            // AWS's TestState gives a cause as raised, without the "entered at the event id"
            // prefix of an execution's history: there is no history.
            run_state(&visit, &state, raw, &mut cursor)
                .await
                .map(Ending::from)
        }
    };
    let mut result = match ending {
        Ok(Ending::Next(next, output)) => TestStateResult {
            status: TestStateStatus::Succeeded,
            output: Some(output.into()),
            error: None,
            cause: None,
            next_state: Some(next),
            inspection_data: None,
        },
        Ok(Ending::End(output)) => TestStateResult {
            status: TestStateStatus::Succeeded,
            output: Some(output.into()),
            error: None,
            cause: None,
            next_state: None,
            inspection_data: None,
        },
        Ok(Ending::Caught {
            next,
            output,
            error,
        }) => TestStateResult {
            status: TestStateStatus::CaughtError,
            output: Some(output.into()),
            error: error.error,
            cause: error.cause,
            next_state: Some(next),
            inspection_data: None,
        },
        Ok(Ending::Retriable(error)) => TestStateResult {
            status: TestStateStatus::Retriable,
            output: None,
            error: error.error,
            cause: error.cause,
            next_state: None,
            inspection_data: None,
        },
        Err(error) => TestStateResult {
            status: TestStateStatus::Failed,
            output: None,
            error: error.error,
            cause: error.cause,
            next_state: None,
            inspection_data: None,
        },
    };
    if request.inspection_level != InspectionLevel::Info {
        if !given_variables.is_empty() {
            inspection.variables = Some(variables_after(&visit, given_variables));
        }
        result.inspection_data = Some(inspection);
    }
    Ok(result)
}

/// The variables as the state leaves them: those given, then what its `Assign` set.
fn variables_after(visit: &Visit<'_>, given: Vec<(String, Data)>) -> Value {
    let mut all: serde_json::Map<String, Value> =
        given.into_iter().map(|(k, v)| (k, v.into())).collect();
    let assigned = visit.assigned.lock().unwrap_or_else(|e| e.into_inner());
    for (name, value) in assigned.iter().flat_map(|a| a.iter()) {
        all.insert(name.to_string(), value.clone().into());
    }
    Value::Object(all)
}

/// The stages of a JSONPath state without Retry or Catch, as far as they get: a stage that
/// fails ends the report there, and the executor, which runs the state, reports the error.
fn inspect_simple(visit: &Visit<'_>, state: &State, raw: &Data, inspection: &mut InspectionData) {
    if !visit.is_jsonata() {
        let _ = simple_stages(visit, state, raw, inspection);
    }
}

fn simple_stages(
    visit: &Visit<'_>,
    state: &State,
    raw: &Data,
    inspection: &mut InspectionData,
) -> Result<(), StatesError> {
    let context = visit.context(None);
    let roots = visit.roots(&context);
    let input_path = match state {
        State::Pass(s) => s.input_path.as_ref(),
        State::Choice(s) => s.input_path.as_ref(),
        State::Wait(s) => s.input_path.as_ref(),
        State::Succeed(s) => s.input_path.as_ref(),
        _ => None,
    };
    let State::Pass(pass) = state else {
        let effective = io::input_path(Cow::Borrowed(raw), input_path, roots)?;
        inspection.after_input_path = Some(effective.into_owned().into());
        return Ok(());
    };
    // AWS reports a Pass state's `Result` as its result, and no InputPath or Parameters
    // stage: they are not applied when the result is fixed.
    let result = match &pass.result {
        Some(result) => {
            inspection.result = Some(result.clone());
            Data::from(result)
        }
        None => {
            let effective = io::input_path(Cow::Borrowed(raw), input_path, roots)?;
            inspection.after_input_path = Some(effective.as_ref().clone().into());
            let effective = io::parameters(effective, pass.parameters.as_ref(), roots)?;
            inspection.after_parameters = Some(effective.as_ref().clone().into());
            effective.into_owned()
        }
    };
    inspection.after_result_selector = Some(result.clone().into());
    let after = io::result_path(Cow::Borrowed(raw), result, pass.result_path.as_ref())?;
    inspection.after_result_path = Some(after.into());
    Ok(())
}

/// The state under test when it has Retry and Catch (Task, Parallel, Map): TestState makes
/// one attempt, then reports which retrier or catcher handles its error.
struct Tested<'a> {
    visit: &'a Visit<'a>,
    state: &'a State,
    request: &'a TestStateRequest,
    seen: &'a Mutex<TaskSeen>,
}

impl Tested<'_> {
    async fn handled(
        &self,
        raw: Data,
        inspection: &mut InspectionData,
        cursor: &mut u64,
    ) -> Result<Ending, StatesError> {
        let visit = self.visit;
        let retry_count = self
            .request
            .state_configuration
            .retrier_retry_count
            .unwrap_or(0);
        // The executor makes the attempt; Retry and Catch are decided here, where the retry
        // count the request gives is known and the retrier or catcher is reported.
        let attempt_only = without_handlers(self.state);
        let attempt = match self.before_attempt(&raw, retry_count, inspection) {
            Err(e) => Err(e),
            Ok(()) => match run_state(visit, &attempt_only, raw.clone(), cursor).await {
                Ok(Step::Next(_, output) | Step::End(output)) => Ok(output),
                Ok(_) => {
                    unreachable!("a state without Retry and Catch neither retries nor catches")
                }
                Err(e) => Err(e),
            },
        };
        self.after_attempt(&raw, attempt.is_ok(), retry_count, inspection);
        let error = match attempt {
            Ok(output) => {
                return Ok(match self.state.transition() {
                    Some(Transition::Next(next)) => Ending::Next(next.clone(), output),
                    _ => Ending::End(output),
                })
            }
            Err(error) => error,
        };
        let mut details = ErrorDetails::default();
        let matching = |patterns: &[String]| patterns.iter().any(|p| error.matches(p));
        let retrier = self
            .state
            .retry()
            .unwrap_or_default()
            .iter()
            .enumerate()
            .find(|(_, r)| matching(&r.error_equals));
        if let Some((index, retrier)) = retrier {
            details.retry_index = Some(index);
            if u64::from(retry_count) < retrier.max_attempts() {
                let delay = retry_delay(retrier, retry_count.into());
                details.retry_backoff_interval_seconds = Some(delay.as_secs_f64().round() as u64);
                inspection.error_details = Some(details);
                return Ok(Ending::Retriable(error));
            }
        }
        let catcher = self
            .state
            .catch()
            .unwrap_or_default()
            .iter()
            .enumerate()
            .find(|(_, c)| matching(&c.error_equals));
        let ending = match catcher {
            Some((index, catcher)) => {
                details.catch_index = Some(index);
                catch(visit, catcher, raw, &error, retry_count).map(Ending::from)
            }
            None => Err(error),
        };
        if details != ErrorDetails::default() {
            inspection.error_details = Some(details);
        }
        ending
    }

    /// The stages before the work: a Task's InputPath, and for a mocked Map everything up to
    /// its items, which AWS evaluates (and fails on) before it takes the mocked result.
    fn before_attempt(
        &self,
        raw: &Data,
        retry_count: u32,
        inspection: &mut InspectionData,
    ) -> Result<(), StatesError> {
        let visit = self.visit;
        match self.state {
            State::Task(task) if !visit.is_jsonata() => {
                let context = visit.context(Some(retry_count));
                // A failing InputPath fails the attempt too; the executor reports that error.
                if let Ok(effective) = io::input_path(
                    Cow::Borrowed(raw),
                    task.input_path.as_ref(),
                    visit.roots(&context),
                ) {
                    inspection.after_input_path = Some(effective.into_owned().into());
                }
                Ok(())
            }
            State::Map(map) if self.request.mock.is_some() => {
                self.mocked_map(map, raw, retry_count, inspection)
            }
            _ => Ok(()),
        }
    }

    fn mocked_map(
        &self,
        map: &Map,
        raw: &Data,
        retry_count: u32,
        inspection: &mut InspectionData,
    ) -> Result<(), StatesError> {
        let visit = self.visit;
        let config = &self.request.state_configuration;
        let context = visit.context(Some(retry_count));
        let effective = if visit.is_jsonata() {
            Cow::Borrowed(raw)
        } else {
            let effective = io::input_path(
                Cow::Borrowed(raw),
                map.input_path.as_ref(),
                visit.roots(&context),
            )?;
            inspection.after_input_path = Some(effective.as_ref().clone().into());
            effective
        };
        let fields = visit.fields(&effective, &context);
        let item_count = match (&map.item_reader, &config.map_item_reader_data) {
            (Some(_), Some(data)) => serde_json::from_str::<Value>(data)
                .ok()
                .and_then(|v| v.as_array().map(Vec::len)),
            // The reader's source is not read: only the data the request gives stands for it.
            (Some(_), None) => None,
            (None, _) => {
                let items = map_items(map, &fields, &effective)?;
                if map.items_path.is_some() && !visit.is_jsonata() {
                    inspection.after_items_path = Some(Value::from(items.clone()));
                }
                items.as_array().map(|a| a.len())
            }
        };
        let concurrency = fields
            .integer(
                &map.max_concurrency,
                &map.max_concurrency_path,
                "MaxConcurrency",
                0,
            )?
            .unwrap_or(0)
            .max(0);
        inspection.max_concurrency = Some(concurrency);
        let count = fields.integer(
            &map.tolerated_failure_count,
            &map.tolerated_failure_count_path,
            "ToleratedFailureCount",
            0,
        )?;
        inspection.tolerated_failure_count = count;
        let percentage = fields.number(
            &map.tolerated_failure_percentage,
            &map.tolerated_failure_percentage_path,
            "ToleratedFailurePercentage",
        )?;
        inspection.tolerated_failure_percentage = percentage;
        // The failed iterations matter only beside a mocked result (a mocked error is the
        // Map's error) and against a tolerance the Map sets: AWS's TestState does not fail a
        // Map without one, whatever the count.
        let (Some(failed), Some(Ok(result))) =
            (config.map_iteration_failure_count, &self.request.mock)
        else {
            return Ok(());
        };
        let total = item_count.or_else(|| result.as_array().map(Vec::len));
        let over_count = count.is_some_and(|c| failed as i64 > c);
        let over_percentage = match (percentage, total) {
            (Some(p), Some(total)) if total > 0 => failed as f64 * 100.0 / total as f64 > p,
            _ => false,
        };
        if over_count || over_percentage {
            return Err(StatesError::new(
                names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                "The specified tolerated failure threshold was exceeded",
            ));
        }
        Ok(())
    }

    /// The stages of the attempt: the Task's request, and (JSONPath) the result through
    /// ResultSelector and ResultPath when the attempt succeeded.
    fn after_attempt(
        &self,
        raw: &Data,
        succeeded: bool,
        retry_count: u32,
        inspection: &mut InspectionData,
    ) {
        let visit = self.visit;
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let result = match self.state {
            State::Task(_) => {
                let request = seen.request.clone();
                if visit.is_jsonata() {
                    inspection.after_arguments = request;
                } else {
                    inspection.after_parameters = request;
                }
                if succeeded {
                    inspection.result = seen.result.clone();
                }
                seen.result.clone()
            }
            _ => match &self.request.mock {
                Some(Ok(result)) => Some(result.clone()),
                _ => None,
            },
        };
        let (true, false, Some(result)) = (succeeded, visit.is_jsonata(), result) else {
            return;
        };
        let context = visit.context(Some(retry_count));
        let roots = visit.roots(&context);
        let Ok(selected) =
            io::result_selector(Data::from(result), self.state.result_selector(), roots)
        else {
            return;
        };
        inspection.after_result_selector = Some(selected.clone().into());
        if let Ok(after) = io::result_path(Cow::Borrowed(raw), selected, self.state.result_path()) {
            inspection.after_result_path = Some(after.into());
        }
    }
}

/// A Map's items: `Items` (JSONata) or `ItemsPath` (JSONPath) over its effective input,
/// which must give an array.
fn map_items(map: &Map, fields: &Fields<'_>, effective: &Data) -> Result<Data, StatesError> {
    let items = match fields {
        Fields::Jsonata(scope) => match &map.items {
            Some(Template::Jsonata(j)) => scope.evaluate(j, "Items", Expected::Array)?,
            Some(t) => scope.evaluate_template(t, "Items")?,
            None => effective.clone(),
        },
        Fields::Path(scope) => match &map.items_path {
            Some(p) => scope.select_io_path(p)?,
            None => effective.clone(),
        },
    };
    if matches!(items, Data::Array(_)) {
        return Ok(items);
    }
    Err(match fields {
        Fields::Jsonata(_) => query_evaluation_error(
            format!(
                "Map state input must be an array but was: {}",
                compact(&items)
            ),
            "Items",
        ),
        Fields::Path(_) => {
            let source = map.items_path.as_ref().map_or("$", |p| p.source());
            // AWS names a context path (`$$.Execution.Input`) by its place in the context
            // object (`$.Execution.Input`).
            let shown = if source.starts_with("$$") {
                &source[1..]
            } else {
                source
            };
            StatesError::runtime(format!("Reference path \"{shown}\" must point to array."))
        }
    })
}

/// `state` without Retry and Catch, for one attempt whose error is handled by TestState.
fn without_handlers(state: &State) -> State {
    let mut single = state.clone();
    match &mut single {
        State::Task(s) => (s.retry, s.catch) = (None, None),
        State::Parallel(s) => (s.retry, s.catch) = (None, None),
        State::Map(s) => (s.retry, s.catch) = (None, None),
        _ => {}
    }
    single
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::VirtualClock;

    fn run(request: TestStateRequest) -> TestStateResult {
        let runtime = crate::clock::virtual_runtime().unwrap();
        runtime.block_on(test_state(request)).unwrap()
    }

    #[test]
    fn the_request_clock_gives_the_start_and_entered_times() {
        let result = run(TestStateRequest {
            definition: json!({"Type": "Pass", "End": true, "Parameters": {
                "start.$": "$$.Execution.StartTime", "entered.$": "$$.State.EnteredTime"}}),
            input: json!({}),
            clock: Arc::new(VirtualClock::starting_at(1_795_287_564_000)),
            ..TestStateRequest::default()
        });
        let at = "2026-11-21T18:59:24.000Z";
        assert_eq!(result.output, Some(json!({"start": at, "entered": at})));
    }

    #[test]
    fn failed_iterations_beyond_the_tolerated_percentage_fail_a_mocked_map() {
        let request = |failed| TestStateRequest {
            definition: json!({"Type": "Map", "ItemsPath": "$.items",
                "ToleratedFailurePercentage": 50, "End": true,
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}),
            input: json!({"items": [1, 2, 3, 4]}),
            mock: Some(Ok(json!([1, 1, 1, 1]))),
            inspection_level: InspectionLevel::Debug,
            state_configuration: StateConfiguration {
                map_iteration_failure_count: Some(failed),
                ..StateConfiguration::default()
            },
            ..TestStateRequest::default()
        };
        let within = run(request(2));
        assert_eq!(within.status, TestStateStatus::Succeeded);
        let inspection = within.inspection_data.unwrap();
        assert_eq!(inspection.after_items_path, Some(json!([1, 2, 3, 4])));
        assert_eq!(inspection.tolerated_failure_percentage, Some(50.0));
        let beyond = run(request(3));
        assert_eq!(beyond.status, TestStateStatus::Failed);
        assert_eq!(
            beyond.error.as_deref(),
            Some(names::EXCEED_TOLERATED_FAILURE_THRESHOLD)
        );
    }

    #[test]
    fn info_level_reports_no_inspection_data() {
        let result = run(TestStateRequest {
            definition: json!({"Type": "Pass", "End": true}),
            input: json!({"a": 1}),
            ..TestStateRequest::default()
        });
        assert_eq!(result.inspection_data, None);
    }
}
