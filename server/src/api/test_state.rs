//! TestState: one state run on its own, with a mocked task result if given.

use serde::Deserialize;
use serde_json::{json, Value};
use stepfn::test_state::{
    test_state as run, InspectionLevel, StateConfiguration, TestStateRequest,
};
use stepfn::StatesError;

use crate::protocol::ApiError;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Request {
    definition: String,
    role_arn: Option<String>,
    input: Option<String>,
    state_name: Option<String>,
    variables: Option<String>,
    context: Option<String>,
    mock: Option<Mock>,
    inspection_level: Option<String>,
    state_configuration: Option<Configuration>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Configuration {
    retrier_retry_count: Option<u32>,
    error_caused_by_state: Option<String>,
    map_iteration_failure_count: Option<u64>,
    map_item_reader_data: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Mock {
    result: Option<String>,
    error_output: Option<MockError>,
}

#[derive(Deserialize)]
struct MockError {
    error: Option<String>,
    cause: Option<String>,
}

/// A member holding JSON text, parsed.
fn json_member(member: &str, text: Option<&str>) -> Result<Option<Value>, ApiError> {
    text.map(|t| {
        serde_json::from_str(t).map_err(|e| {
            ApiError::service(
                "InvalidExecutionInput",
                format!("Invalid JSON in '{member}': {e}"),
            )
        })
    })
    .transpose()
}

pub(super) async fn test_state(request: Request) -> Result<Value, ApiError> {
    let definition = json_member("definition", Some(&request.definition))?.unwrap_or_default();
    let mock = match request.mock {
        None => None,
        Some(Mock {
            result: Some(result),
            ..
        }) => Some(Ok(
            json_member("mock.result", Some(&result))?.unwrap_or_default()
        )),
        Some(Mock {
            error_output: Some(e),
            ..
        }) => Some(Err(StatesError::from_parts(e.error, e.cause))),
        Some(_) => {
            return Err(ApiError::validation(
                "1 validation error detected: the mock needs a result or an errorOutput",
            ))
        }
    };
    let inspection_level = match request.inspection_level.as_deref() {
        None => InspectionLevel::default(),
        Some(level) => InspectionLevel::parse(level).ok_or_else(|| {
            ApiError::validation(format!(
                "1 validation error detected: Value '{level}' at 'inspectionLevel' failed to \
                 satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]"
            ))
        })?,
    };
    let state_configuration = request
        .state_configuration
        .map(|c| StateConfiguration {
            retrier_retry_count: c.retrier_retry_count,
            error_caused_by_state: c.error_caused_by_state,
            map_iteration_failure_count: c.map_iteration_failure_count,
            map_item_reader_data: c.map_item_reader_data,
        })
        .unwrap_or_default();
    let outcome = run({
        let mut test = TestStateRequest::new(definition)
            .with_input(json_member("input", request.input.as_deref())?.unwrap_or(json!({})))
            .with_inspection_level(inspection_level)
            .with_state_configuration(state_configuration);
        test.state_name = request.state_name;
        test.mock = mock;
        test.context = json_member("context", request.context.as_deref())?;
        test.variables = json_member("variables", request.variables.as_deref())?;
        test.role_arn = request.role_arn;
        test
    })
    .await
    .map_err(|problems| {
        ApiError::service(
            "InvalidDefinition",
            format!("Invalid State Machine Definition: '{problems}'"),
        )
    })?;
    let mut out = json!({"status": outcome.status.as_str()});
    if let Some(output) = outcome.output {
        out["output"] = json!(output.to_string());
    }
    if let Some(error) = outcome.error {
        out["error"] = json!(error);
    }
    if let Some(cause) = outcome.cause {
        out["cause"] = json!(cause);
    }
    if let Some(next) = outcome.next_state {
        out["nextState"] = json!(next);
    }
    if let Some(data) = outcome.inspection_data {
        out["inspectionData"] = data.to_api_json();
    }
    Ok(out)
}
