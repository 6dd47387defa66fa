//! `arn:aws:states:::http:invoke`: an HTTPS endpoint, called with an EventBridge connection's
//! credentials.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{action, shape, RequestOf, ResponseOf};

/// The HTTP Task's request. `B` is the body (`()` for none, which is left out).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Invoke<B = ()> {
    /// The URL.
    #[serde(rename = "ApiEndpoint")]
    pub api_endpoint: String,
    /// `GET`, `POST`, `PUT`, `DELETE`, `PATCH`, `OPTIONS` or `HEAD`.
    #[serde(rename = "Method")]
    pub method: String,
    /// The connection whose credentials sign the call.
    #[serde(rename = "Authentication")]
    pub authentication: Authentication,
    /// The body.
    #[serde(
        rename = "RequestBody",
        default,
        skip_serializing_if = "is_unit",
        bound(
            serialize = "B: Serialize",
            deserialize = "B: Deserialize<'de> + Default"
        )
    )]
    pub request_body: B,
    /// Extra headers.
    #[serde(rename = "Headers", default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<Value>,
    /// Query string parameters.
    #[serde(
        rename = "QueryParameters",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub query_parameters: Option<Value>,
}

fn is_unit<B>(_: &B) -> bool {
    std::mem::size_of::<B>() == 0
}

#[diagnostic::do_not_recommend]
impl<B> crate::dsl::Payload for Invoke<B> {
    fn json_name(field: &str) -> &str {
        match field {
            "api_endpoint" => "ApiEndpoint",
            "method" => "Method",
            "authentication" => "Authentication",
            "request_body" => "RequestBody",
            "headers" => "Headers",
            "query_parameters" => "QueryParameters",
            other => other,
        }
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
        #[serde(default, skip_serializing_if = "Option::is_none")]
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
