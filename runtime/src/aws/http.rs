//! `arn:aws:states:::http:invoke`: an HTTPS endpoint, called with an EventBridge connection's
//! credentials.

use serde_json::Value;

use super::{action, shape, RequestOf, ResponseOf};

shape! {
    /// The HTTP Task's request. `B` is the body (`Some(..)` in a template; left out for none).
    pub struct Invoke<B = Value> {
        /// The URL.
        api_endpoint: String => "ApiEndpoint";
        /// `GET`, `POST`, `PUT`, `DELETE`, `PATCH`, `OPTIONS` or `HEAD`.
        method: String => "Method";
        /// The connection whose credentials sign the call.
        authentication: Authentication => "Authentication";
        /// The body.
        #[serde(skip_serializing_if = "Option::is_none")]
        request_body: Option<B> => "RequestBody";
        /// Extra headers.
        #[serde(skip_serializing_if = "Option::is_none")]
        headers: Option<Value> => "Headers";
        /// Query string parameters.
        #[serde(skip_serializing_if = "Option::is_none")]
        query_parameters: Option<Value> => "QueryParameters";
    }
}

shape! {
    /// The connection an HTTP Task authenticates with.
    pub struct Authentication {
        /// The EventBridge connection's ARN.
        connection_arn: String => "ConnectionArn";
    }
}

shape! {
    /// The HTTP Task's result; `R` is the response body (JSON bodies are parsed).
    pub struct Response<R = Value> {
        /// The body.
        response_body: R => "ResponseBody";
        /// The status code, as text (`"200"`), as the HTTP Task gives it.
        status_code: String => "StatusCode";
        /// The status text.
        status_text: String => "StatusText";
        /// The response headers.
        #[serde(skip_serializing_if = "Option::is_none")]
        headers: Option<Value> => "Headers";
    }
}

impl<R> Response<R> {
    /// A `200 OK` response with `body`.
    pub fn ok(body: R) -> Self {
        Response {
            response_body: body,
            status_code: "200".to_string(),
            status_text: "OK".to_string(),
            headers: None,
        }
    }
}

impl<B> RequestOf<action::HttpInvoke> for Invoke<B> {}
impl<R> ResponseOf<action::HttpInvoke> for Response<R> {}
