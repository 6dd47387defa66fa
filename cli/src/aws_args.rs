//! `--aws-endpoint URL` and `--endpoint SERVICE=URL`: where the AWS services Task states call
//! are, for `stepfn run` and `stepfn serve`.

use clap::Args;
use stepfn_server::AwsServices;

/// Where the AWS services are.
#[derive(Args, Clone, Default)]
pub struct AwsArgs {
    /// Call DynamoDB, SQS, EventBridge and the JSON-protocol `aws-sdk` integrations at this
    /// endpoint (moto's or LocalStack's http://127.0.0.1:PORT, or an AWS endpoint), signed
    /// with the credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN,
    /// else the AWS_PROFILE (or default) profile's in ~/.aws/credentials (else the placeholder
    /// key `test`, which local emulators accept). Without it or --endpoint, such states must
    /// be mocked.
    #[arg(long)]
    aws_endpoint: Option<String>,
    /// One service's endpoint, by its signing name: `dynamodb=http://127.0.0.1:8000`
    /// (repeatable; a service not named uses --aws-endpoint, or AWS's own).
    #[arg(long = "endpoint", value_name = "SERVICE=URL")]
    endpoints: Vec<String>,
}

impl AwsArgs {
    /// The services, when an endpoint was given; the region signed for is `region`.
    pub fn services(&self, region: &str) -> Result<Option<AwsServices>, String> {
        if self.aws_endpoint.is_none() && self.endpoints.is_empty() {
            return Ok(None);
        }
        let mut services = AwsServices {
            endpoint: self.aws_endpoint.clone(),
            region: region.to_string(),
            ..Default::default()
        };
        for pair in &self.endpoints {
            let Some((service, url)) = pair.split_once('=') else {
                return Err(format!(
                    "--endpoint takes SERVICE=URL, such as dynamodb=http://127.0.0.1:8000, not '{pair}'"
                ));
            };
            services
                .endpoints
                .insert(service.to_string(), url.to_string());
        }
        Ok(Some(services))
    }
}
