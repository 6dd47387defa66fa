//! AWS's JSON 1.0 protocol as Step Functions speaks it: `POST /` with the operation in
//! `X-Amz-Target: AWSStepFunctions.<Operation>` and its members as a JSON object; answers are
//! JSON objects, errors HTTP 400 (500 for the server's own faults) with `__type` and `message`.
//!
//! The `__type` namespaces are those AWS sends: service exceptions under
//! `com.amazonaws.swf.service.v2.model#`, request-shape violations under
//! `com.amazon.coral.validate#`, protocol faults under `com.amazon.coral.service#`. SDKs keep
//! what follows the `#`.

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use stepfn::durable::EngineError;

/// The content type of every request and answer.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

/// The prefix of `X-Amz-Target` before the operation name.
pub const TARGET_PREFIX: &str = "AWSStepFunctions.";

/// An error as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// `__type`: the namespace, `#`, and the error name.
    pub type_name: String,
    /// `message`.
    pub message: String,
}

impl ApiError {
    /// A Step Functions exception (`ExecutionDoesNotExist`, `InvalidArn`...), status 400.
    pub fn service(code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            type_name: format!("com.amazonaws.swf.service.v2.model#{code}"),
            message: message.into(),
        }
    }

    /// A request that breaks the operation's shape (a required member missing, a value out
    /// of its bounds), status 400.
    pub fn validation(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            type_name: "com.amazon.coral.validate#ValidationException".into(),
            message: message.into(),
        }
    }

    /// A protocol fault (`UnknownOperationException`, `SerializationException`...).
    pub fn protocol(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            type_name: format!("com.amazon.coral.service#{code}"),
            message: message.into(),
        }
    }

    /// The error name, without its namespace.
    pub fn code(&self) -> &str {
        self.type_name
            .rsplit_once('#')
            .map_or(&*self.type_name, |(_, c)| c)
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        let code = e.code();
        let message = e.to_string();
        if code == "InternalFailure" {
            return ApiError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                type_name: "com.amazon.coral.service#InternalFailure".into(),
                message,
            };
        }
        ApiError::service(code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"__type": self.type_name, "message": self.message});
        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert("content-type", HeaderValue::from_static(CONTENT_TYPE));
        if let Ok(code) = HeaderValue::from_str(self.code()) {
            headers.insert("x-amzn-errortype", code);
        }
        response
    }
}

/// A successful answer: the operation's output members.
pub fn answer(body: Value) -> Response {
    let mut response = (StatusCode::OK, body.to_string()).into_response();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static(CONTENT_TYPE));
    response
}

/// The operation named by `X-Amz-Target`.
pub fn operation(headers: &HeaderMap) -> Result<&str, ApiError> {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::protocol(
                StatusCode::BAD_REQUEST,
                "MissingAuthenticationTokenException",
                "Missing X-Amz-Target header: this endpoint speaks the Step Functions JSON 1.0 protocol",
            )
        })?;
    target
        .strip_prefix(TARGET_PREFIX)
        .ok_or_else(|| unknown(target))
}

/// The error for a target that names no operation.
pub fn unknown(target: &str) -> ApiError {
    ApiError::protocol(
        StatusCode::BAD_REQUEST,
        "UnknownOperationException",
        format!("Unknown operation: {target}"),
    )
}

/// The request members as `T`. Malformed JSON is a `SerializationException`; a missing
/// required member or a member of the wrong type a `ValidationException` in AWS's wording.
pub fn members<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // An empty body is an operation with no members given.
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::protocol(
            StatusCode::BAD_REQUEST,
            "SerializationException",
            format!("The request body is not JSON: {e}"),
        )
    })?;
    if !value.is_object() {
        return Err(ApiError::protocol(
            StatusCode::BAD_REQUEST,
            "SerializationException",
            "The request body must be a JSON object",
        ));
    }
    serde_json::from_value(value).map_err(|e| {
        let text = e.to_string();
        match text
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
        {
            Some(field) => ApiError::validation(format!(
                "1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"
            )),
            None => ApiError::validation(format!("1 validation error detected: {text}")),
        }
    })
}

/// Milliseconds since the Unix epoch as the protocol's timestamps: seconds, as a number.
pub fn timestamp(millis: i64) -> Value {
    json!(millis as f64 / 1000.0)
}

/// Checks that `value` is at most `max` characters, for member `member`.
pub fn check_length(member: &str, value: &str, max: usize) -> Result<(), ApiError> {
    if value.chars().count() > max {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Start {
        state_machine_arn: String,
    }

    #[test]
    fn malformed_and_incomplete_requests_get_aws_errors() {
        let e = members::<Start>(b"{not json").unwrap_err();
        assert_eq!(e.code(), "SerializationException");
        let e = members::<Start>(b"[1]").unwrap_err();
        assert_eq!(e.code(), "SerializationException");
        let e = members::<Start>(b"{}").unwrap_err();
        assert_eq!(e.code(), "ValidationException");
        assert!(e.message.contains("'stateMachineArn'"), "{}", e.message);
        let e = members::<Start>(br#"{"stateMachineArn": 3}"#).unwrap_err();
        assert_eq!(e.code(), "ValidationException");
    }

    #[test]
    fn the_target_names_the_operation() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-amz-target",
            HeaderValue::from_static("AWSStepFunctions.StartExecution"),
        );
        assert_eq!(operation(&headers).unwrap(), "StartExecution");
        headers.insert("x-amz-target", HeaderValue::from_static("DynamoDB.PutItem"));
        assert_eq!(
            operation(&headers).unwrap_err().code(),
            "UnknownOperationException"
        );
    }
}
