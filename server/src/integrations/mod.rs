//! Task resources `stepfn serve` runs for real: Lambda functions (through a Lambda-compatible
//! endpoint), `http:invoke`, `states:startExecution` on this same server, and, given an AWS
//! endpoint, DynamoDB, SQS, SNS, EventBridge, the JSON-protocol (and SNS) `aws-sdk`
//! integrations, S3's object actions, and Distributed Map's S3. Anything
//! else must be mocked (`--mock-config`), and says so when it is not.

mod aws;
mod client;
mod http;
mod lambda;
mod nested;
mod s3;

use std::sync::{Arc, OnceLock};

use futures::future::BoxFuture;
use stepfn::durable::WeakEngine;
use stepfn::{StatesError, TaskHandler, TaskRequest, TaskResult};

pub use aws::AwsServices;
use client::Inner;

/// Answers the Task states no mock answers.
#[derive(Clone)]
pub(crate) struct Integrations {
    inner: Arc<Inner>,
}

impl Integrations {
    pub(crate) fn new(lambda_endpoint: Option<String>, aws: Option<AwsServices>) -> Self {
        Integrations {
            inner: Arc::new(Inner {
                lambda_endpoint: lambda_endpoint.map(|e| e.trim_end_matches('/').to_string()),
                client: reqwest::Client::builder()
                    // AWS gives an HTTP Task 60 s.
                    .timeout(std::time::Duration::from_secs(60))
                    .build()
                    .unwrap_or_default(),
                engine: OnceLock::new(),
                aws,
            }),
        }
    }

    /// S3 for Distributed Map's ItemReader and ResultWriter, when the server calls AWS.
    pub(crate) fn objects(&self) -> Option<Arc<dyn stepfn::tasks::ObjectStore>> {
        let aws = self.inner.aws.clone()?;
        Some(s3_objects(self.inner.client.clone(), aws))
    }

    /// Tells the integrations which engine nested executions run on.
    pub(crate) fn attach(&self, engine: WeakEngine) {
        let _ = self.inner.engine.set(engine);
    }

    async fn answer(self, request: TaskRequest) -> TaskResult {
        let resource = request.resource.to_string();
        if resource.starts_with("arn:aws:lambda:") {
            return lambda::invoke_function(&self.inner, &resource, request.input).await;
        }
        let Some(service) = resource.strip_prefix("arn:aws:states:::") else {
            return Err(not_served(&resource));
        };
        let (api, pattern) = match service.split_once('.') {
            Some((api, pattern)) => (api, Some(pattern)),
            None => (service, None),
        };
        match api {
            "lambda:invoke" => lambda::invoke_integration(&self.inner, request.input).await,
            "http:invoke" if pattern.is_none() => http::invoke(&self.inner, request.input).await,
            "states:startExecution" => {
                let engine = self
                    .inner
                    .engine
                    .get()
                    .and_then(WeakEngine::upgrade)
                    .ok_or_else(|| StatesError::runtime("the server is shutting down"))?;
                nested::start(&engine, &request, pattern).await
            }
            _ => match &self.inner.aws {
                // S3 speaks REST and XML: its object actions have their own client.
                Some(aws) if api.starts_with("aws-sdk:s3:") => {
                    let action = &api["aws-sdk:s3:".len()..];
                    s3::sdk(&self.inner.client, aws, action, &request.input)
                        .await
                        .map_err(|e| e.sdk("S3"))
                }
                Some(aws) => match aws::answer(&self.inner.client, aws, api, request.input).await {
                    Some(answer) => answer,
                    None => Err(not_served(&resource)),
                },
                None => Err(not_served(&resource)),
            },
        }
    }
}

/// S3 at `aws`, called with `client`.
pub(crate) fn s3_objects(
    client: reqwest::Client,
    aws: AwsServices,
) -> Arc<dyn stepfn::tasks::ObjectStore> {
    Arc::new(s3::S3Objects::new(client, aws))
}

impl TaskHandler for Integrations {
    fn invoke(&self, request: TaskRequest) -> BoxFuture<'static, TaskResult> {
        Box::pin(self.clone().answer(request))
    }
}

fn not_served(resource: &str) -> StatesError {
    StatesError::runtime(format!(
        "stepfn serve does not call '{resource}': it runs Lambda functions (--lambda-endpoint), \
         http:invoke, states:startExecution and, with --aws-endpoint, DynamoDB, SQS, SNS, \
         EventBridge, S3 object actions and JSON-protocol aws-sdk calls; give this state a mocked response in a \
         MockConfigFile (--mock-config) and start the execution as STATE_MACHINE_ARN#TestCase"
    ))
}
