//! `arn:aws:states:::http:invoke`: the HTTP call made for real. `Authentication` is accepted
//! and not used (there is no EventBridge connection locally).

use serde_json::{json, Map, Value};
use stepfn::{StatesError, TaskResult};

use super::client::{member, Inner};

const RESOURCE: &str = "arn:aws:states:::http:invoke";

/// `QueryParameters` or form fields: strings as they are, other values as JSON text.
fn pairs(object: Option<&Value>) -> Vec<(String, String)> {
    let Some(Value::Object(map)) = object else {
        return Vec::new();
    };
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    map.iter()
        .flat_map(|(k, v)| match v {
            Value::Array(items) => items.iter().map(|i| (k.clone(), text(i))).collect(),
            other => vec![(k.clone(), text(other))],
        })
        .collect()
}

pub(super) async fn invoke(inner: &Inner, parameters: Value) -> TaskResult {
    let endpoint = member(&parameters, "ApiEndpoint", RESOURCE)?
        .as_str()
        .ok_or_else(|| StatesError::runtime("The field 'ApiEndpoint' must be a string"))?;
    let method = member(&parameters, "Method", RESOURCE)?
        .as_str()
        .ok_or_else(|| StatesError::runtime("The field 'Method' must be a string"))?;
    let method = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
        .map_err(|_| StatesError::runtime(format!("'{method}' is not an HTTP method")))?;
    let mut request = inner
        .client
        .request(method, endpoint)
        .query(&pairs(parameters.get("QueryParameters")));
    if let Some(Value::Object(headers)) = parameters.get("Headers") {
        for (name, value) in headers {
            let value = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            request = request.header(name.as_str(), value);
        }
    }
    let url_encoded = parameters
        .pointer("/Transform/RequestBodyEncoding")
        .and_then(Value::as_str)
        == Some("URL_ENCODED");
    match parameters.get("RequestBody") {
        None => {}
        Some(body) if url_encoded => {
            let form: String = pairs(Some(body))
                .iter()
                .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
                .collect::<Vec<_>>()
                .join("&");
            request = request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form);
        }
        Some(Value::String(text)) => request = request.body(text.clone()),
        Some(body) => {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string())
        }
    }
    // AWS names a timeout and a failed connection alike.
    let response = request.send().await.map_err(|e| {
        StatesError::new(
            "States.Http.Socket",
            format!("The HTTP request to {endpoint} failed: {e}"),
        )
    })?;
    let status = response.status();
    let mut headers = Map::new();
    for (name, value) in response.headers() {
        let entry = headers
            .entry(name.as_str().to_string())
            .or_insert_with(|| json!([]));
        if let Value::Array(values) = entry {
            values.push(json!(value.to_str().unwrap_or_default()));
        }
    }
    let text = response
        .text()
        .await
        .map_err(|e| StatesError::new("States.Http.Socket", e.to_string()))?;
    let body = serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text));
    let result = json!({
        "Headers": headers,
        "ResponseBody": body,
        "StatusCode": status.as_u16().to_string(),
        "StatusText": status.canonical_reason().unwrap_or(""),
    });
    if status.is_success() {
        Ok(result)
    } else {
        Err(StatesError::new(
            format!("States.Http.StatusCode.{}", status.as_u16()),
            result.to_string(),
        ))
    }
}

/// `application/x-www-form-urlencoded` escaping.
fn form_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_become_query_pairs_and_form_fields() {
        let p = pairs(Some(&json!({"a": "x y", "n": 3, "many": ["1", "2"]})));
        assert_eq!(
            p,
            vec![
                ("a".to_string(), "x y".to_string()),
                ("n".into(), "3".into()),
                ("many".into(), "1".into()),
                ("many".into(), "2".into())
            ]
        );
        assert_eq!(form_encode("a b&c=é"), "a+b%26c%3D%C3%A9");
    }
}
