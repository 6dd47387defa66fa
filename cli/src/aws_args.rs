//! `--aws-endpoint URL` and `--endpoint SERVICE=URL`: where the AWS services Task states call
//! are, for `stepfn run` and `stepfn serve`.

use clap::Args;
use stepfn_server::AwsServices;

/// Where the AWS services are.
#[derive(Args, Clone, Default)]
pub struct AwsArgs {
    /// Call DynamoDB, SQS, SNS, EventBridge, S3 (Distributed Map's ItemReader and
    /// ResultWriter, its object actions) and the JSON-protocol `aws-sdk` integrations at this
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

/// The region AWS calls are signed for, as the AWS SDKs find it: `AWS_REGION`,
/// `AWS_DEFAULT_REGION`, then the `region` of the `AWS_PROFILE` (or default) profile in the
/// shared config file (`AWS_CONFIG_FILE`, or `~/.aws/config`); else `us-east-1`.
pub fn default_region() -> String {
    let from_env = ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|r| !r.is_empty()));
    if let Some(region) = from_env {
        return region;
    }
    let path = match std::env::var_os("AWS_CONFIG_FILE") {
        Some(path) => Some(std::path::PathBuf::from(path)),
        None => std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".aws/config")),
    };
    let profile = std::env::var("AWS_PROFILE").unwrap_or_else(|_| "default".to_string());
    path.and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|text| profile_region(&text, &profile))
        .unwrap_or_else(|| stepfn::tasks::DEFAULT_REGION.to_string())
}

/// The `region` of `profile` in a shared config file's `text` (`[default]`, `[profile NAME]`).
fn profile_region(text: &str, profile: &str) -> Option<String> {
    let mut in_profile = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let section = section.trim();
            let name = section.strip_prefix("profile ").map_or(section, str::trim);
            in_profile = name == profile;
            continue;
        }
        if in_profile {
            if let Some((key, value)) = line.split_once('=') {
                if key.trim() == "region" {
                    return Some(value.trim().to_string());
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::profile_region;

    #[test]
    fn a_profile_s_region_is_read_from_the_config_file() {
        let config = "[default]\nregion = eu-west-1\n\n[profile dev]\n# local\nregion=ap-south-1\noutput = json\n";
        assert_eq!(
            profile_region(config, "default").as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(profile_region(config, "dev").as_deref(), Some("ap-south-1"));
        assert_eq!(profile_region(config, "prod"), None);
    }
}
