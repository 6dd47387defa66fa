//! Lambda functions through Lambda's Invoke REST API on a Lambda-compatible endpoint.

use serde_json::{json, Value};
use stepfn::{StatesError, TaskResult};

use super::client::{member, Inner};

/// What the function answered.
struct Invoked {
    status: u16,
    payload: Value,
    /// `X-Amz-Function-Error`: the function raised.
    function_error: bool,
    executed_version: String,
    request_id: String,
}

/// `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` -> (name, qualifier).
fn function_name(reference: &str) -> (String, Option<String>) {
    let parts: Vec<&str> = reference.split(':').collect();
    match parts.as_slice() {
        ["arn", _, "lambda", _, _, "function", name] => (name.to_string(), None),
        ["arn", _, "lambda", _, _, "function", name, qualifier] => {
            (name.to_string(), Some(qualifier.to_string()))
        }
        [name, qualifier] => (name.to_string(), Some(qualifier.to_string())),
        _ => (reference.to_string(), None),
    }
}

async fn call(inner: &Inner, function: &str, payload: &Value) -> Result<Invoked, StatesError> {
    let Some(endpoint) = &inner.lambda_endpoint else {
        return Err(StatesError::new(
            "Lambda.SdkClientException",
            format!(
                "stepfn serve was started without --lambda-endpoint, so the function '{function}' cannot be invoked"
            ),
        ));
    };
    let (name, qualifier) = function_name(function);
    let mut url = format!("{endpoint}/2015-03-31/functions/{name}/invocations");
    if let Some(q) = &qualifier {
        url.push_str(&format!("?Qualifier={q}"));
    }
    let response = inner
        .client
        .post(&url)
        .header("X-Amz-Invocation-Type", "RequestResponse")
        .header("content-type", "application/json")
        .body(payload.to_string())
        .send()
        .await
        .map_err(|e| {
            StatesError::new(
                "Lambda.SdkClientException",
                format!("Unable to execute HTTP request to {url}: {e}"),
            )
        })?;
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let function_error = header("x-amz-function-error").is_some();
    let executed_version = header("x-amz-executed-version").unwrap_or_else(|| "$LATEST".into());
    let request_id =
        header("x-amzn-requestid").unwrap_or_else(|| stepfn::random::uuid_v4().to_string());
    let text = response.text().await.map_err(|e| {
        StatesError::new(
            "Lambda.SdkClientException",
            format!("Reading the answer of {url}: {e}"),
        )
    })?;
    if !(200..300).contains(&status) {
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let code = body
            .get("Type")
            .or_else(|| body.get("__type"))
            .and_then(Value::as_str)
            .map(|t| t.rsplit('#').next().unwrap_or(t).to_string())
            .unwrap_or_else(|| match status {
                404 => "ResourceNotFoundException".into(),
                429 => "TooManyRequestsException".into(),
                _ => "ServiceException".into(),
            });
        let message = body
            .get("message")
            .or_else(|| body.get("Message"))
            .and_then(Value::as_str)
            .map_or_else(|| text.clone(), str::to_string);
        return Err(StatesError::new(
            format!("Lambda.{code}"),
            format!(
                "{message} (Service: AWSLambda; Status Code: {status}; Error Code: {code}; Request ID: {request_id}; Proxy: null)"
            ),
        ));
    }
    // A function may answer nothing, or text that is not JSON.
    let payload = if text.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Ok(Invoked {
        status,
        payload,
        function_error,
        executed_version,
        request_id,
    })
}

/// The error a function raised: its `errorType` is the error name, its answer the cause.
fn raised(payload: &Value) -> StatesError {
    let error = payload
        .get("errorType")
        .and_then(Value::as_str)
        .unwrap_or("Exception")
        .to_string();
    StatesError::new(error, payload.to_string())
}

/// A Task whose resource is a Lambda function ARN: its result is what the function answers.
pub(super) async fn invoke_function(inner: &Inner, arn: &str, input: Value) -> TaskResult {
    let invoked = call(inner, arn, &input).await?;
    if invoked.function_error {
        return Err(raised(&invoked.payload));
    }
    Ok(invoked.payload)
}

/// `arn:aws:states:::lambda:invoke`: `FunctionName` and `Payload` in, Lambda's Invoke answer
/// out (`Payload`, `StatusCode`, `ExecutedVersion` and the SDK's metadata).
pub(super) async fn invoke_integration(inner: &Inner, parameters: Value) -> TaskResult {
    let resource = "arn:aws:states:::lambda:invoke";
    let function = member(&parameters, "FunctionName", resource)?
        .as_str()
        .ok_or_else(|| StatesError::runtime("The field 'FunctionName' must be a string"))?
        .to_string();
    let function = match parameters.get("Qualifier").and_then(Value::as_str) {
        Some(q) if !function.starts_with("arn:") => format!("{function}:{q}"),
        _ => function,
    };
    let payload = match parameters.get("Payload") {
        // A string payload is sent as it is written.
        Some(Value::String(text)) => {
            serde_json::from_str(text).unwrap_or(Value::String(text.clone()))
        }
        Some(p) => p.clone(),
        None => json!({}),
    };
    let invoked = call(inner, &function, &payload).await?;
    if invoked.function_error {
        return Err(raised(&invoked.payload));
    }
    Ok(json!({
        "ExecutedVersion": invoked.executed_version,
        "Payload": invoked.payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": [invoked.executed_version],
                "x-amzn-RequestId": [invoked.request_id],
                "Content-Type": ["application/json"],
            },
            "HttpHeaders": {
                "X-Amz-Executed-Version": invoked.executed_version,
                "x-amzn-RequestId": invoked.request_id,
                "Content-Type": "application/json",
            },
            "HttpStatusCode": invoked.status,
        },
        "SdkResponseMetadata": {"RequestId": invoked.request_id},
        "StatusCode": invoked.status,
    }))
}

#[cfg(test)]
mod tests {
    use super::function_name;

    #[test]
    fn function_references_give_the_name_and_qualifier() {
        assert_eq!(
            function_name("arn:aws:lambda:us-east-1:1:function:charge"),
            ("charge".into(), None)
        );
        assert_eq!(
            function_name("arn:aws:lambda:us-east-1:1:function:charge:live"),
            ("charge".into(), Some("live".into()))
        );
        assert_eq!(function_name("charge"), ("charge".into(), None));
        assert_eq!(
            function_name("charge:2"),
            ("charge".into(), Some("2".into()))
        );
    }
}
