//! S3: Distributed Map's ItemReader (GetObject, ListObjectsV2) and ResultWriter (PutObject),
//! and the `aws-sdk:s3:*` object actions Task states call, at the AWS endpoint the server is
//! given (path-style URLs, as local emulators serve them), signed with SigV4.

use futures::future::BoxFuture;
use serde_json::{json, Map, Value};
use stepfn::tasks::{ObjectStore, ObjectSummary};

use super::aws::{send_signed, Answer, AwsServices, ServiceError};
use crate::percent::encode;

/// S3 at an AWS endpoint.
pub(crate) struct S3Objects {
    client: reqwest::Client,
    aws: AwsServices,
}

impl S3Objects {
    pub(crate) fn new(client: reqwest::Client, aws: AwsServices) -> Self {
        S3Objects { client, aws }
    }

    fn url(&self, bucket: &str, key: &str) -> String {
        object_url(&self.aws, bucket, key)
    }

    async fn send(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Vec<u8>,
    ) -> Result<Answer, String> {
        let answer = send_signed(&self.client, &self.aws, "s3", method, url, Vec::new(), body)
            .await
            .map_err(|e| cause(&e))?;
        if answer.status.is_success() {
            Ok(answer)
        } else {
            Err(error_cause(&answer))
        }
    }
}

/// `s3://bucket/key` at `aws` as a path-style URL, the key's segments percent-encoded.
fn object_url(aws: &AwsServices, bucket: &str, key: &str) -> String {
    let key: Vec<String> = key.split('/').map(encode).collect();
    format!("{}{}/{}", aws.url("s3"), encode(bucket), key.join("/"))
}

/// A call that did not reach S3, explained.
fn cause(e: &ServiceError) -> String {
    format!("Unable to execute HTTP request: {}", e.message())
}

/// The `Code` and `Message` of S3's XML error, when its body has them.
fn xml_error(answer: &Answer) -> (Option<String>, Option<String>) {
    let text = String::from_utf8_lossy(&answer.body);
    let document = roxmltree::Document::parse(&text).ok();
    let field = |name: &str| {
        document
            .as_ref()
            .and_then(|d| d.descendants().find(|n| n.has_tag_name(name)))
            .and_then(|n| n.text())
            .map(str::to_string)
    };
    (field("Code"), field("Message"))
}

/// S3's XML error, as the cause AWS gives: its message, then the call's details.
fn error_cause(answer: &Answer) -> String {
    let (code, message) = xml_error(answer);
    let code = code.unwrap_or_default();
    let message = match message.unwrap_or_default() {
        m if m.is_empty() => answer.status.canonical_reason().unwrap_or("").to_string(),
        m => m,
    };
    format!(
        "{message} (Service: S3, Status Code: {}, Error Code: {code}, Request ID: {})",
        answer.status.as_u16(),
        answer.request_id
    )
}

/// One page of a ListObjectsV2 answer: its objects and the token of the next page.
fn listed_page(text: &str) -> Result<(Vec<ObjectSummary>, Option<String>), String> {
    let document = roxmltree::Document::parse(text)
        .map_err(|e| format!("S3's listing cannot be read: {e}"))?;
    let child = |node: roxmltree::Node<'_, '_>, name: &str| {
        node.children()
            .find(|n| n.has_tag_name(name))
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_string()
    };
    let root = document.root_element();
    let objects = root
        .children()
        .filter(|n| n.has_tag_name("Contents"))
        .map(|n| ObjectSummary {
            key: child(n, "Key"),
            size: child(n, "Size").parse().unwrap_or(0),
            etag: child(n, "ETag"),
            last_modified: child(n, "LastModified"),
            storage_class: match child(n, "StorageClass") {
                c if c.is_empty() => "STANDARD".to_string(),
                c => c,
            },
        })
        .collect();
    let truncated = child(root, "IsTruncated") == "true";
    let next = Some(child(root, "NextContinuationToken")).filter(|t| truncated && !t.is_empty());
    Ok((objects, next))
}

impl ObjectStore for S3Objects {
    fn get_object<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Vec<u8>, String>> {
        Box::pin(async move {
            let url = self.url(bucket, key);
            Ok(self
                .send(reqwest::Method::GET, &url, Vec::new())
                .await?
                .body)
        })
    }

    fn list_objects<'a>(
        &'a self,
        bucket: &'a str,
        prefix: &'a str,
    ) -> BoxFuture<'a, Result<Vec<ObjectSummary>, String>> {
        Box::pin(async move {
            let mut objects = Vec::new();
            let mut token: Option<String> = None;
            loop {
                let mut url = format!(
                    "{}?list-type=2&prefix={}",
                    self.url(bucket, "").trim_end_matches('/'),
                    encode(prefix)
                );
                if let Some(token) = &token {
                    url.push_str(&format!("&continuation-token={}", encode(token)));
                }
                let answer = self.send(reqwest::Method::GET, &url, Vec::new()).await?;
                let (page, next) = listed_page(&String::from_utf8_lossy(&answer.body))?;
                objects.extend(page);
                match next {
                    Some(next) => token = Some(next),
                    None => return Ok(objects),
                }
            }
        })
    }

    fn put_object<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        body: Vec<u8>,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let url = self.url(bucket, key);
            self.send(reqwest::Method::PUT, &url, body).await?;
            Ok(())
        })
    }
}

/// S3's XML error as a service error (HEAD answers carry no body: the status names it).
fn service_error(answer: &Answer) -> ServiceError {
    let (code, message) = xml_error(answer);
    let code = code.unwrap_or_else(|| match answer.status.as_u16() {
        404 => "NoSuchKey".to_string(),
        403 => "AccessDenied".to_string(),
        n => format!("Http{n}"),
    });
    ServiceError {
        code,
        message: message.unwrap_or_default(),
        status: answer.status.as_u16(),
        request_id: answer.request_id.clone(),
    }
}

/// A text member of the task's parameters, or a client error naming it.
fn text<'a>(parameters: &'a Value, name: &str) -> Result<&'a str, ServiceError> {
    parameters[name].as_str().ok_or_else(|| {
        ServiceError::client(format!(
            "The field '{name}' is required and must be a string"
        ))
    })
}

/// The members S3 answers in headers, as the SDK reads them into its result.
fn header_members(answer: &Answer) -> Map<String, Value> {
    let mut out = Map::new();
    let mut metadata = Map::new();
    for (name, value) in &answer.headers {
        let lower = name.to_ascii_lowercase();
        let member = match lower.as_str() {
            "content-length" => {
                out.insert(
                    "ContentLength".into(),
                    json!(value.parse::<u64>().unwrap_or(0)),
                );
                continue;
            }
            "content-type" => "ContentType",
            "etag" => "ETag",
            "last-modified" => "LastModified",
            "accept-ranges" => "AcceptRanges",
            "x-amz-version-id" => "VersionId",
            "x-amz-server-side-encryption" => "ServerSideEncryption",
            other => {
                if let Some(key) = other.strip_prefix("x-amz-meta-") {
                    metadata.insert(key.to_string(), json!(value));
                }
                continue;
            }
        };
        out.insert(member.into(), json!(value));
    }
    out.insert("Metadata".into(), Value::Object(metadata));
    out
}

/// `aws-sdk:s3:ACTION` for the object actions: GetObject (its body as text, as Step Functions
/// gives it), PutObject, DeleteObject, HeadObject and ListObjectsV2.
pub(super) async fn sdk(
    client: &reqwest::Client,
    aws: &AwsServices,
    action: &str,
    parameters: &Value,
) -> Result<Value, ServiceError> {
    const ACTIONS: [&str; 5] = [
        "getObject",
        "putObject",
        "deleteObject",
        "headObject",
        "listObjectsV2",
    ];
    if !ACTIONS.contains(&action) {
        return Err(ServiceError::client(format!(
            "stepfn calls S3's {}, not '{action}'; mock this state (--mock-config)",
            ACTIONS.join(", ")
        )));
    }
    let bucket = text(parameters, "Bucket")?;
    let (method, url, body) = match action {
        "getObject" | "headObject" | "deleteObject" | "putObject" => {
            let url = object_url(aws, bucket, text(parameters, "Key")?);
            match action {
                "getObject" => (reqwest::Method::GET, url, Vec::new()),
                "headObject" => (reqwest::Method::HEAD, url, Vec::new()),
                "deleteObject" => (reqwest::Method::DELETE, url, Vec::new()),
                _ => {
                    let body = match &parameters["Body"] {
                        Value::Null => Vec::new(),
                        Value::String(text) => text.clone().into_bytes(),
                        // An object given as the body is written as JSON text.
                        other => other.to_string().into_bytes(),
                    };
                    (reqwest::Method::PUT, url, body)
                }
            }
        }
        "listObjectsV2" => {
            let mut url = format!(
                "{}?list-type=2",
                object_url(aws, bucket, "").trim_end_matches('/')
            );
            for (member, query) in [
                ("Prefix", "prefix"),
                ("Delimiter", "delimiter"),
                ("ContinuationToken", "continuation-token"),
                ("StartAfter", "start-after"),
            ] {
                if let Some(value) = parameters[member].as_str() {
                    url.push_str(&format!("&{query}={}", encode(value)));
                }
            }
            if let Some(n) = parameters["MaxKeys"].as_u64() {
                url.push_str(&format!("&max-keys={n}"));
            }
            (reqwest::Method::GET, url, Vec::new())
        }
        other => {
            return Err(ServiceError::client(format!(
                "S3's '{other}' is not called"
            )))
        }
    };
    let answer = send_signed(client, aws, "s3", method, &url, Vec::new(), body).await?;
    if !answer.status.is_success() {
        return Err(service_error(&answer));
    }
    let mut out = match action {
        "listObjectsV2" => {
            let text = String::from_utf8_lossy(&answer.body);
            let (objects, next) = listed_page(&text).map_err(ServiceError::client)?;
            let contents: Vec<Value> = objects
                .into_iter()
                .map(|o| {
                    json!({"Key": o.key, "Size": o.size, "ETag": o.etag,
                           "LastModified": o.last_modified, "StorageClass": o.storage_class})
                })
                .collect();
            let mut out = Map::new();
            out.insert("KeyCount".into(), json!(contents.len()));
            out.insert("Contents".into(), Value::Array(contents));
            out.insert("IsTruncated".into(), json!(next.is_some()));
            out.insert("Name".into(), json!(bucket));
            if let Some(next) = next {
                out.insert("NextContinuationToken".into(), json!(next));
            }
            return Ok(Value::Object(out));
        }
        "deleteObject" => Map::new(),
        "putObject" => {
            let headers = header_members(&answer);
            let mut out = Map::new();
            if let Some(etag) = headers.get("ETag") {
                out.insert("ETag".into(), etag.clone());
            }
            out
        }
        _ => header_members(&answer),
    };
    if action == "getObject" {
        out.insert(
            "Body".into(),
            json!(String::from_utf8_lossy(&answer.body).into_owned()),
        );
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_are_read_page_by_page() {
        let page = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>items</Name><Prefix>in/</Prefix><KeyCount>2</KeyCount><IsTruncated>true</IsTruncated>
  <Contents><Key>in/a.json</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified>
    <ETag>"abc"</ETag><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>in/b c.json</Key><Size>7</Size><ETag>"def"</ETag></Contents>
  <NextContinuationToken>next-1</NextContinuationToken>
</ListBucketResult>"#;
        let (objects, next) = listed_page(page).unwrap();
        assert_eq!(next.as_deref(), Some("next-1"));
        assert_eq!(objects.len(), 2);
        assert_eq!(objects[0].key, "in/a.json");
        assert_eq!(objects[0].etag, "\"abc\"");
        assert_eq!(objects[0].size, 12);
        assert_eq!(objects[1].storage_class, "STANDARD");
        let last = page.replace("<IsTruncated>true", "<IsTruncated>false");
        assert_eq!(listed_page(&last).unwrap().1, None);
    }

    #[test]
    fn keys_are_encoded_segment_by_segment() {
        let s3 = S3Objects::new(
            reqwest::Client::new(),
            AwsServices::at("http://127.0.0.1:5000", "us-east-1"),
        );
        assert_eq!(
            s3.url("items", "in/b c+d.json"),
            "http://127.0.0.1:5000/items/in/b%20c%2Bd.json"
        );
    }
}
