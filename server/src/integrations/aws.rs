//! AWS services behind Task states: the optimized DynamoDB, SQS, SNS and EventBridge
//! integrations, and `aws-sdk:SERVICE:ACTION` for the services that speak AWS's JSON protocols
//! and for SNS (its query protocol), called at the endpoint the server is given (LocalStack,
//! moto, or AWS), signed with SigV4.
//!
//! Results are the services' JSON responses (PascalCase, as Step Functions gives them); errors
//! are named as Step Functions names them: `DynamoDB.ConditionalCheckFailedException` for the
//! optimized integrations, `DynamoDb.ConditionalCheckFailedException` (the SDK's service name in
//! PascalCase) for `aws-sdk`, with the service's message as the cause.

use std::collections::HashMap;
use std::time::SystemTime;

use serde_json::Value;
use stepfn::StatesError;

use crate::percent::encode;

/// Where the AWS services are, and who calls them.
#[derive(Clone, Debug, Default)]
pub struct AwsServices {
    /// One endpoint for every service (`http://127.0.0.1:5000` for moto, LocalStack's).
    pub endpoint: Option<String>,
    /// Endpoints of single services, by signing name (`dynamodb`, `sqs`, `events`...).
    pub endpoints: HashMap<String, String>,
    /// The region calls are signed for.
    pub region: String,
}

impl AwsServices {
    /// Every service at `endpoint`.
    pub fn at(endpoint: impl Into<String>, region: impl Into<String>) -> Self {
        AwsServices {
            endpoint: Some(endpoint.into()),
            endpoints: HashMap::new(),
            region: region.into(),
        }
    }

    /// The URL of the service `signing_name`: its own endpoint, the common one, or AWS's.
    pub(super) fn url(&self, signing_name: &str) -> String {
        match self.endpoints.get(signing_name).or(self.endpoint.as_ref()) {
            Some(url) => format!("{}/", url.trim_end_matches('/')),
            None => format!("https://{signing_name}.{}.amazonaws.com/", self.region),
        }
    }
}

/// A service that speaks AWS's JSON protocol.
struct JsonService {
    /// The name requests are signed with, and its endpoint's.
    signing: &'static str,
    /// The `X-Amz-Target` prefix.
    target: &'static str,
    /// `1.0` or `1.1`.
    version: &'static str,
    /// The service's name in `aws-sdk` error names.
    sdk_name: &'static str,
}

/// The JSON-protocol services, by their name in `aws-sdk:NAME:action`.
fn json_service(name: &str) -> Option<JsonService> {
    let (signing, target, version, sdk_name) = match name {
        "dynamodb" => ("dynamodb", "DynamoDB_20120810", "1.0", "DynamoDb"),
        "sqs" => ("sqs", "AmazonSQS", "1.0", "Sqs"),
        "eventbridge" | "events" => ("events", "AWSEvents", "1.1", "EventBridge"),
        "sfn" => ("states", "AWSStepFunctions", "1.0", "Sfn"),
        "secretsmanager" => ("secretsmanager", "secretsmanager", "1.1", "SecretsManager"),
        "ssm" => ("ssm", "AmazonSSM", "1.1", "Ssm"),
        "kinesis" => ("kinesis", "Kinesis_20131202", "1.1", "Kinesis"),
        "cloudwatchlogs" | "logs" => ("logs", "Logs_20140328", "1.1", "CloudWatchLogs"),
        "kms" => ("kms", "TrentService", "1.1", "Kms"),
        _ => return None,
    };
    Some(JsonService {
        signing,
        target,
        version,
        sdk_name,
    })
}

/// The services `aws-sdk:*` reaches, for messages.
const JSON_SERVICES: &str = "dynamodb, sqs, eventbridge, sfn, secretsmanager, ssm, kinesis, \
     cloudwatchlogs, kms; sns; and s3's getObject, putObject, deleteObject, headObject and \
     listObjectsV2";

/// A service's error: its code (`ConditionalCheckFailedException`) and message.
pub(super) struct ServiceError {
    pub(super) code: String,
    pub(super) message: String,
    /// The HTTP status; 0 when the call did not reach the service.
    pub(super) status: u16,
    /// The service's request id, when it gave one.
    pub(super) request_id: String,
}

impl ServiceError {
    /// What went wrong, as the service (or the HTTP client) said it.
    pub(super) fn message(&self) -> &str {
        &self.message
    }

    /// A call that never reached the service (or whose answer could not be read).
    pub(super) fn client(message: String) -> Self {
        ServiceError {
            code: "SdkClientException".to_string(),
            message,
            status: 0,
            request_id: String::new(),
        }
    }

    /// The error of an optimized integration, as Step Functions (AWS's SDK for Java v1) names
    /// it: `Prefix.Code` for the exceptions the service models, else the service's base
    /// exception, the cause ending in the call's details.
    fn optimized(self, service: &OptimizedErrors) -> StatesError {
        if self.status == 0 {
            return StatesError::new(
                format!("{}.SdkClientException", service.prefix),
                format!("Unable to execute HTTP request: {}", self.message),
            );
        }
        let modeled = service.modeled.contains(&self.code.as_str()) || service.modeled.is_empty();
        let name = if modeled {
            exception(self.code.clone())
        } else {
            service.base.to_string()
        };
        StatesError::new(
            format!("{}.{name}", service.prefix),
            format!(
                "{} (Service: {}; Status Code: {}; Error Code: {}; Request ID: {}; Proxy: null)",
                self.message, service.v1_name, self.status, self.code, self.request_id
            ),
        )
    }

    /// The error of an `aws-sdk` integration, as Step Functions (AWS's SDK for Java v2) names
    /// it: `Service.Code`, or `Service.ServiceException` for the errors every service shares.
    pub(super) fn sdk(self, sdk_name: &str) -> StatesError {
        if self.status == 0 {
            return StatesError::new(format!("{sdk_name}.SdkClientException"), self.message);
        }
        let name = if COMMON_ERRORS.contains(&self.code.as_str()) {
            format!("{sdk_name}Exception")
        } else {
            exception(self.code.clone())
        };
        StatesError::new(
            format!("{sdk_name}.{name}"),
            format!(
                "{} (Service: {sdk_name}, Status Code: {}, Request ID: {})",
                self.message, self.status, self.request_id
            ),
        )
    }
}

/// Errors any AWS service may answer that no service models as an exception of its own.
const COMMON_ERRORS: &[&str] = &[
    "ValidationException",
    "SerializationException",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "MissingParameter",
    "InvalidParameterValue",
    "MalformedQueryString",
];

/// How an optimized integration's errors are named.
struct OptimizedErrors {
    /// `DynamoDB`, `SQS`...
    prefix: &'static str,
    /// The SDK for Java v1's service name, in causes.
    v1_name: &'static str,
    /// The base exception, for errors the service does not model.
    base: &'static str,
    /// The codes the service models as exceptions (empty: all).
    modeled: &'static [&'static str],
}

const DYNAMODB_ERRORS: OptimizedErrors = OptimizedErrors {
    prefix: "DynamoDB",
    v1_name: "AmazonDynamoDBv2",
    base: "AmazonDynamoDBException",
    modeled: &[
        "ConditionalCheckFailedException",
        "ResourceNotFoundException",
        "ProvisionedThroughputExceededException",
        "ItemCollectionSizeLimitExceededException",
        "TransactionConflictException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ResourceInUseException",
        "LimitExceededException",
        "ReplicatedWriteConflictException",
    ],
};

const SQS_ERRORS: OptimizedErrors = OptimizedErrors {
    prefix: "SQS",
    v1_name: "AmazonSQS",
    base: "AmazonSQSException",
    modeled: &[
        "QueueDoesNotExist",
        "InvalidMessageContents",
        "UnsupportedOperation",
        "RequestThrottled",
        "InvalidSecurity",
        "KmsAccessDenied",
        "KmsDisabled",
        "KmsNotFound",
        "KmsThrottled",
    ],
};

const SNS_ERRORS: OptimizedErrors = OptimizedErrors {
    prefix: "SNS",
    v1_name: "AmazonSNS",
    base: "AmazonSNSException",
    modeled: &[
        "NotFound",
        "InvalidParameter",
        "AuthorizationError",
        "Throttled",
        "EndpointDisabled",
        "InternalError",
        "KMSAccessDenied",
        "KMSDisabled",
        "KMSNotFound",
        "KMSThrottling",
        "PlatformApplicationDisabled",
    ],
};

const EVENTBRIDGE_ERRORS: OptimizedErrors = OptimizedErrors {
    prefix: "EventBridge",
    v1_name: "AmazonEventBridge",
    base: "AmazonEventBridgeException",
    modeled: &["InternalException"],
};

/// `action` (camelCase, as in the resource) in PascalCase, as the API names it.
fn pascal(action: &str) -> String {
    let mut chars = action.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A service's answer: its status, request id (from the headers) and body.
pub(super) struct Answer {
    pub(super) status: reqwest::StatusCode,
    pub(super) request_id: String,
    pub(super) body: Vec<u8>,
    /// The answer's headers, names as HTTP/1.1 services write them.
    pub(super) headers: Vec<(String, String)>,
}

/// A service's successful answer: its result, and what the optimized integrations add to it.
struct Reply {
    value: Value,
    status: u16,
    request_id: String,
    headers: Vec<(String, String)>,
}

impl Reply {
    /// The result as an optimized integration gives it: with `SdkHttpMetadata` (the answer's
    /// status and headers) and `SdkResponseMetadata` (its request id), as AWS's SDK for
    /// Java v1, which Step Functions calls these with, reports them.
    fn optimized(self) -> Value {
        let mut value = match self.value {
            Value::Object(map) => map,
            other => return other,
        };
        let all: serde_json::Map<String, Value> = self
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::Array(vec![Value::String(v.clone())])))
            .collect();
        let single: serde_json::Map<String, Value> = self
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        value.insert(
            "SdkHttpMetadata".into(),
            serde_json::json!({
                "AllHttpHeaders": all,
                "HttpHeaders": single,
                "HttpStatusCode": self.status,
            }),
        );
        value.insert(
            "SdkResponseMetadata".into(),
            serde_json::json!({"RequestId": self.request_id}),
        );
        Value::Object(value)
    }

    /// The result as an `aws-sdk` integration gives it: the service's members alone.
    fn sdk(self) -> Value {
        self.value
    }
}

/// A header name as AWS's services write it (HTTP/2 and the HTTP client lower-case them):
/// `Content-Type`, `Date`, `x-amzn-RequestId`.
fn header_name(lower: &str) -> String {
    match lower {
        "x-amzn-requestid" => "x-amzn-RequestId".to_string(),
        "x-amz-request-id" | "x-amz-crc32" | "x-amz-id-2" => lower.to_string(),
        other => other
            .split('-')
            .map(|part| {
                let mut chars = part.chars();
                chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("-"),
    }
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// POSTs `payload` with `headers` to `url`, signed for the service `signing_name`.
async fn post_signed(
    client: &reqwest::Client,
    aws: &AwsServices,
    signing_name: &str,
    url: &str,
    headers: Vec<(String, String)>,
    payload: Vec<u8>,
) -> Result<Answer, ServiceError> {
    send_signed(
        client,
        aws,
        signing_name,
        reqwest::Method::POST,
        url,
        headers,
        payload,
    )
    .await
}

/// Sends `payload` with `headers` to `url` by `method`, signed for the service
/// `signing_name`.
pub(super) async fn send_signed(
    client: &reqwest::Client,
    aws: &AwsServices,
    signing_name: &str,
    method: reqwest::Method,
    url: &str,
    mut headers: Vec<(String, String)>,
    payload: Vec<u8>,
) -> Result<Answer, ServiceError> {
    // SigV4 signs the host; the HTTP client writes it itself.
    let host = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_default();
    headers.push(("host".to_string(), host));
    let signature = sign(aws, signing_name, method.as_str(), url, &headers, &payload)?;
    headers.extend(signature);
    let mut request = client.request(method, url).body(payload);
    for (name, value) in &headers {
        if name != "host" {
            request = request.header(name, value);
        }
    }
    let response = request
        .send()
        .await
        .map_err(|e| ServiceError::client(format!("{url}: {e}")))?;
    let status = response.status();
    let request_id = request_id(response.headers());
    let answer_headers = response
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((header_name(k.as_str()), v.to_str().ok()?.to_string())))
        .collect();
    let body = response
        .bytes()
        .await
        .map_err(|e| ServiceError::client(format!("{url}: {e}")))?
        .to_vec();
    Ok(Answer {
        status,
        request_id,
        body,
        headers: answer_headers,
    })
}

/// Calls `action` of `service` with `body`.
async fn call(
    client: &reqwest::Client,
    aws: &AwsServices,
    service: &JsonService,
    action: &str,
    body: &Value,
) -> Result<Reply, ServiceError> {
    let url = aws.url(service.signing);
    let payload = serde_json::to_vec(body).unwrap_or_default();
    let content_type = format!("application/x-amz-json-{}", service.version);
    let target = format!("{}.{}", service.target, pascal(action));
    let answer = post_signed(
        client,
        aws,
        service.signing,
        &url,
        vec![
            ("content-type".to_string(), content_type),
            ("x-amz-target".to_string(), target),
        ],
        payload,
    )
    .await?;
    let text = answer.text();
    let (status, request_id, headers) = (answer.status, answer.request_id, answer.headers);
    let value: Value = if text.trim().is_empty() {
        Value::Object(Default::default())
    } else {
        serde_json::from_str(&text).map_err(|e| {
            ServiceError::client(format!("{url} answered {status} with no JSON: {e}"))
        })?
    };
    if status.is_success() {
        return Ok(Reply {
            value,
            status: status.as_u16(),
            request_id,
            headers,
        });
    }
    // `__type` is `com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException` or the
    // bare code.
    let code = value
        .get("__type")
        .and_then(Value::as_str)
        .map(|t| t.rsplit('#').next().unwrap_or(t).to_string())
        .unwrap_or_else(|| format!("Http{}", status.as_u16()));
    let message = value
        .get("message")
        .or_else(|| value.get("Message"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Err(ServiceError {
        code,
        message,
        status: status.as_u16(),
        request_id,
    })
}

/// The request id an AWS answer carries in its headers.
fn request_id(headers: &reqwest::header::HeaderMap) -> String {
    ["x-amzn-requestid", "x-amz-request-id"]
        .iter()
        .find_map(|name| headers.get(*name))
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Calls `action` of the query-protocol service `signing_name` (API version `version`) with
/// the form `params`; its `<ActionResult>` as JSON.
async fn query_call(
    client: &reqwest::Client,
    aws: &AwsServices,
    signing_name: &str,
    version: &str,
    action: &str,
    params: &[(String, String)],
) -> Result<Reply, ServiceError> {
    let url = aws.url(signing_name);
    let mut form: Vec<(String, String)> = vec![
        ("Action".to_string(), pascal(action)),
        ("Version".to_string(), version.to_string()),
    ];
    form.extend(params.iter().cloned());
    let payload = form
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes();
    let answer = post_signed(
        client,
        aws,
        signing_name,
        &url,
        vec![(
            "content-type".to_string(),
            "application/x-www-form-urlencoded; charset=utf-8".to_string(),
        )],
        payload,
    )
    .await?;
    let text = answer.text();
    let (status, header_request_id, headers) = (answer.status, answer.request_id, answer.headers);
    let document = roxmltree::Document::parse(&text)
        .map_err(|e| ServiceError::client(format!("{url} answered {status} with no XML: {e}")))?;
    let element = |name: &str| {
        document
            .descendants()
            .find(|n| n.has_tag_name(name))
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_string()
    };
    if !status.is_success() {
        let in_body = element("RequestId");
        return Err(ServiceError {
            code: element("Code"),
            message: element("Message"),
            status: status.as_u16(),
            request_id: if in_body.is_empty() {
                header_request_id
            } else {
                in_body
            },
        });
    }
    let result = format!("{}Result", pascal(action));
    let value = document
        .descendants()
        .find(|n| n.has_tag_name(result.as_str()))
        .map(xml_json)
        .unwrap_or_else(|| Value::Object(Default::default()));
    let in_body = element("RequestId");
    Ok(Reply {
        value,
        status: status.as_u16(),
        request_id: if in_body.is_empty() {
            header_request_id
        } else {
            in_body
        },
        headers,
    })
}

/// An XML element as JSON: text for a leaf, a list for `member` children, an object of its
/// children otherwise (as the SDKs read query-protocol answers).
fn xml_json(node: roxmltree::Node<'_, '_>) -> Value {
    let children: Vec<_> = node.children().filter(|c| c.is_element()).collect();
    if children.is_empty() {
        return Value::String(node.text().unwrap_or_default().to_string());
    }
    if children.iter().all(|c| c.has_tag_name("member")) {
        return Value::Array(children.into_iter().map(xml_json).collect());
    }
    Value::Object(
        children
            .into_iter()
            .map(|c| (c.tag_name().name().to_string(), xml_json(c)))
            .collect(),
    )
}

/// The form fields of a query-protocol request from its JSON parameters: members as they
/// are (objects given as text fields written as JSON), lists as `Name.member.N`.
fn form_fields(parameters: &Value) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    if let Value::Object(members) = parameters {
        for (name, value) in members {
            match value {
                Value::String(s) => fields.push((name.clone(), s.clone())),
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let text = match item {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        fields.push((format!("{name}.member.{}", i + 1), text));
                    }
                }
                Value::Null => {}
                other => fields.push((name.clone(), other.to_string())),
            }
        }
    }
    fields
}

/// A query-protocol error code as Step Functions names it: with the `Exception` suffix.
fn exception(code: String) -> String {
    if code.ends_with("Exception") {
        code
    } else {
        format!("{code}Exception")
    }
}

/// The credentials of the profile `AWS_PROFILE` (or `default`) in the shared credentials
/// file (`AWS_SHARED_CREDENTIALS_FILE`, or `~/.aws/credentials`), as the AWS SDKs read them
/// after the environment.
fn profile_credentials() -> Option<(String, String, Option<String>)> {
    let path = match std::env::var_os("AWS_SHARED_CREDENTIALS_FILE") {
        Some(path) => std::path::PathBuf::from(path),
        None => std::path::PathBuf::from(std::env::var_os("HOME")?).join(".aws/credentials"),
    };
    let text = std::fs::read_to_string(path).ok()?;
    let profile = std::env::var("AWS_PROFILE").unwrap_or_else(|_| "default".to_string());
    credentials_in(&text, &profile)
}

/// The access key, secret and session token of `profile` in a credentials file's `text`.
fn credentials_in(text: &str, profile: &str) -> Option<(String, String, Option<String>)> {
    let mut in_profile = false;
    let mut values: HashMap<String, String> = HashMap::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_profile = section.trim() == profile;
            continue;
        }
        if in_profile {
            if let Some((key, value)) = line.split_once('=') {
                values.insert(key.trim().to_string(), value.trim().to_string());
            }
        }
    }
    Some((
        values.remove("aws_access_key_id")?,
        values.remove("aws_secret_access_key")?,
        values.remove("aws_session_token"),
    ))
}

/// The SigV4 headers for a `method` request of `payload` to `url`, from the credentials in the
/// environment, else in the shared credentials file. Without any the placeholder key `test`
/// signs: local emulators (moto,
/// LocalStack) tell the service from the signature and accept any key; AWS refuses it.
fn sign(
    aws: &AwsServices,
    signing_name: &str,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    payload: &[u8],
) -> Result<Vec<(String, String)>, ServiceError> {
    let (key, secret, token) = match (
        std::env::var("AWS_ACCESS_KEY_ID"),
        std::env::var("AWS_SECRET_ACCESS_KEY"),
    ) {
        (Ok(key), Ok(secret)) => (key, secret, std::env::var("AWS_SESSION_TOKEN").ok()),
        _ => {
            profile_credentials().unwrap_or_else(|| ("test".to_string(), "test".to_string(), None))
        }
    };
    let identity =
        aws_credential_types::Credentials::new(key, secret, token, None, "environment").into();
    let failed = |e: String| ServiceError::client(format!("cannot sign the request: {e}"));
    let mut settings = aws_sigv4::http_request::SigningSettings::default();
    if signing_name == "s3" {
        // S3 signs its payload's hash in a header of its own, and its keys as they are.
        settings.payload_checksum_kind = aws_sigv4::http_request::PayloadChecksumKind::XAmzSha256;
        settings.percent_encoding_mode = aws_sigv4::http_request::PercentEncodingMode::Single;
        settings.uri_path_normalization_mode =
            aws_sigv4::http_request::UriPathNormalizationMode::Disabled;
    }
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(&aws.region)
        .name(signing_name)
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .map_err(|e| failed(e.to_string()))?
        .into();
    let signable = aws_sigv4::http_request::SignableRequest::new(
        method,
        url,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        aws_sigv4::http_request::SignableBody::Bytes(payload),
    )
    .map_err(|e| failed(e.to_string()))?;
    let (instructions, _) = aws_sigv4::http_request::sign(signable, &params)
        .map_err(|e| failed(e.to_string()))?
        .into_parts();
    Ok(instructions
        .headers()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect())
}

/// A JSON value written as the string a service field takes (a message body, an event's
/// detail), as Step Functions writes an object given there.
fn as_text(value: &mut Value) {
    if !value.is_string() && !value.is_null() {
        *value = Value::String(value.to_string());
    }
}

/// Runs `service:action` (the part of the resource after `arn:aws:states:::`, without its
/// pattern) on `parameters`; `None` when it is not a service this module calls.
pub(super) async fn answer(
    client: &reqwest::Client,
    aws: &AwsServices,
    api: &str,
    mut parameters: Value,
) -> Option<Result<Value, StatesError>> {
    let (service, action) = api.split_once(':')?;
    Some(match (service, action) {
        ("dynamodb", "getItem" | "putItem" | "updateItem" | "deleteItem") => {
            let dynamodb = json_service("dynamodb")?;
            call(client, aws, &dynamodb, action, &parameters)
                .await
                .map(Reply::optimized)
                .map_err(|e| e.optimized(&DYNAMODB_ERRORS))
        }
        ("sqs", "sendMessage") => {
            let sqs = json_service("sqs")?;
            if let Some(body) = parameters.get_mut("MessageBody") {
                as_text(body);
            }
            call(client, aws, &sqs, action, &parameters)
                .await
                .map(Reply::optimized)
                .map_err(|e| e.optimized(&SQS_ERRORS))
        }
        ("sns", "publish") => {
            if let Some(message) = parameters.get_mut("Message") {
                as_text(message);
            }
            query_call(
                client,
                aws,
                "sns",
                "2010-03-31",
                action,
                &form_fields(&parameters),
            )
            .await
            .map(Reply::optimized)
            .map_err(|e| e.optimized(&SNS_ERRORS))
        }
        ("events", "putEvents") => {
            let events = json_service("events")?;
            if let Some(entries) = parameters.get_mut("Entries").and_then(Value::as_array_mut) {
                for entry in entries {
                    if let Some(detail) = entry.get_mut("Detail") {
                        as_text(detail);
                    }
                }
            }
            match call(client, aws, &events, action, &parameters)
                .await
                .map(Reply::optimized)
            {
                Ok(response) => {
                    let failed = response
                        .get("FailedEntryCount")
                        .and_then(Value::as_u64)
                        .unwrap_or(0);
                    if failed > 0 {
                        Err(StatesError::new(
                            "EventBridge.FailedEntry",
                            response.to_string(),
                        ))
                    } else {
                        Ok(response)
                    }
                }
                Err(e) => Err(e.optimized(&EVENTBRIDGE_ERRORS)),
            }
        }
        ("aws-sdk", sdk) => {
            let (name, sdk_action) = sdk.split_once(':')?;
            match json_service(name) {
                Some(service) => call(client, aws, &service, sdk_action, &parameters)
                    .await
                    .map(Reply::sdk)
                    .map_err(|e| e.sdk(service.sdk_name)),
                None if name == "sns" => query_call(
                    client,
                    aws,
                    "sns",
                    "2010-03-31",
                    sdk_action,
                    &form_fields(&parameters),
                )
                .await
                .map(Reply::sdk)
                .map_err(|e| e.sdk("Sns")),
                None => Err(StatesError::runtime(format!(
                    "stepfn serve calls aws-sdk integrations of the services that speak AWS's JSON protocols, and SNS ({JSON_SERVICES}), not '{name}'; mock this state (--mock-config)"
                ))),
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_written_as_aws_writes_them() {
        assert_eq!(header_name("content-type"), "Content-Type");
        assert_eq!(header_name("date"), "Date");
        assert_eq!(header_name("x-amzn-requestid"), "x-amzn-RequestId");
        assert_eq!(header_name("x-amz-crc32"), "x-amz-crc32");
    }

    #[test]
    fn optimized_results_carry_the_http_metadata_and_sdk_results_do_not() {
        let reply = || Reply {
            value: serde_json::json!({"MessageId": "m-1"}),
            status: 200,
            request_id: "r-1".into(),
            headers: vec![("Content-Type".into(), "application/x-amz-json-1.0".into())],
        };
        assert_eq!(
            reply().optimized(),
            serde_json::json!({
                "MessageId": "m-1",
                "SdkHttpMetadata": {
                    "AllHttpHeaders": {"Content-Type": ["application/x-amz-json-1.0"]},
                    "HttpHeaders": {"Content-Type": "application/x-amz-json-1.0"},
                    "HttpStatusCode": 200
                },
                "SdkResponseMetadata": {"RequestId": "r-1"}
            })
        );
        assert_eq!(reply().sdk(), serde_json::json!({"MessageId": "m-1"}));
    }

    #[test]
    fn urls_come_from_the_service_the_common_endpoint_or_aws() {
        let mut aws = AwsServices::at("http://127.0.0.1:5000/", "eu-west-1");
        aws.endpoints
            .insert("sqs".into(), "http://127.0.0.1:9324".into());
        assert_eq!(aws.url("dynamodb"), "http://127.0.0.1:5000/");
        assert_eq!(aws.url("sqs"), "http://127.0.0.1:9324/");
        aws.endpoint = None;
        assert_eq!(aws.url("events"), "https://events.eu-west-1.amazonaws.com/");
    }

    #[test]
    fn objects_given_as_text_fields_are_written_as_json() {
        let mut body = serde_json::json!({"a": 1});
        as_text(&mut body);
        assert_eq!(body, Value::String("{\"a\":1}".into()));
        let mut text = Value::String("hi".into());
        as_text(&mut text);
        assert_eq!(text, "hi");
        assert_eq!(pascal("sendMessage"), "SendMessage");
    }

    #[test]
    fn a_profile_s_credentials_are_read_from_the_credentials_file() {
        let text = "# comment\n[default]\naws_access_key_id = AKIA1\naws_secret_access_key=s1\n\n[ci]\naws_access_key_id=AKIA2\naws_secret_access_key = s2\naws_session_token = t2\n";
        assert_eq!(
            credentials_in(text, "default"),
            Some(("AKIA1".into(), "s1".into(), None))
        );
        assert_eq!(
            credentials_in(text, "ci"),
            Some(("AKIA2".into(), "s2".into(), Some("t2".into())))
        );
        assert_eq!(credentials_in(text, "missing"), None);
    }

    #[test]
    fn query_forms_and_answers_are_read_as_the_sdks_read_them() {
        assert_eq!(encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        let fields = form_fields(&serde_json::json!({"Name": "t", "Tags": ["a", "b"], "N": 3}));
        assert!(fields.contains(&("Tags.member.2".to_string(), "b".to_string())));
        assert!(fields.contains(&("N".to_string(), "3".to_string())));
        let xml = "<R><CreateTopicResult><TopicArn>arn:t</TopicArn><L><member>x</member><member>y</member></L></CreateTopicResult></R>";
        let doc = roxmltree::Document::parse(xml).unwrap();
        let result = doc
            .descendants()
            .find(|n| n.has_tag_name("CreateTopicResult"))
            .unwrap();
        assert_eq!(
            xml_json(result),
            serde_json::json!({"TopicArn": "arn:t", "L": ["x", "y"]})
        );
        assert_eq!(exception("NotFound".into()), "NotFoundException");
    }

    /// The names and causes AWS gave in the recordings of `error_handling/`
    /// (`test_task_service_dynamodb`, `test_aws_sdk`), request ids aside.
    #[test]
    fn errors_are_named_and_explained_as_aws_names_them() {
        let error = |code: &str, message: &str| ServiceError {
            code: code.into(),
            message: message.into(),
            status: 400,
            request_id: "<request_id>".into(),
        };
        let missing = error("ResourceNotFoundException", "Requested resource not found");
        let optimized = missing.optimized(&DYNAMODB_ERRORS);
        assert_eq!(
            optimized.error.as_deref(),
            Some("DynamoDB.ResourceNotFoundException")
        );
        assert_eq!(
            optimized.cause.as_deref(),
            Some("Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: <request_id>; Proxy: null)")
        );
        let invalid =
            error("ValidationException", "1 validation error detected").optimized(&DYNAMODB_ERRORS);
        assert_eq!(
            invalid.error.as_deref(),
            Some("DynamoDB.AmazonDynamoDBException")
        );
        let sdk =
            error("ResourceNotFoundException", "Requested resource not found").sdk("DynamoDb");
        assert_eq!(
            sdk.error.as_deref(),
            Some("DynamoDb.ResourceNotFoundException")
        );
        assert_eq!(
            sdk.cause.as_deref(),
            Some("Requested resource not found (Service: DynamoDb, Status Code: 400, Request ID: <request_id>)")
        );
        let sdk_invalid =
            error("ValidationException", "1 validation error detected").sdk("DynamoDb");
        assert_eq!(
            sdk_invalid.error.as_deref(),
            Some("DynamoDb.DynamoDbException")
        );
        let unreachable = ServiceError::client("no-such-queue: Name or service not known".into())
            .optimized(&SQS_ERRORS);
        assert_eq!(unreachable.error.as_deref(), Some("SQS.SdkClientException"));
        assert_eq!(
            unreachable.cause.as_deref(),
            Some("Unable to execute HTTP request: no-such-queue: Name or service not known")
        );
        assert_eq!(
            error("NotFound", "Topic does not exist")
                .optimized(&SNS_ERRORS)
                .error
                .as_deref(),
            Some("SNS.NotFoundException")
        );
    }
}
