//! S3 for Distributed Map: the ItemReader's GetObject and ListObjectsV2 and the ResultWriter's
//! PutObject, called at the AWS endpoint the server is given (path-style URLs, as local
//! emulators serve them), signed with SigV4.

use futures::future::BoxFuture;
use stepfn::tasks::{ObjectStore, ObjectSummary};

use super::aws::{send_signed, Answer, AwsServices, ServiceError};

/// S3 at an AWS endpoint.
pub(crate) struct S3Objects {
    client: reqwest::Client,
    aws: AwsServices,
}

impl S3Objects {
    pub(crate) fn new(client: reqwest::Client, aws: AwsServices) -> Self {
        S3Objects { client, aws }
    }

    /// `s3://bucket/key` as a path-style URL, the key's segments percent-encoded.
    fn url(&self, bucket: &str, key: &str) -> String {
        let key: Vec<String> = key.split('/').map(encode_segment).collect();
        format!(
            "{}{}/{}",
            self.aws.url("s3"),
            encode_segment(bucket),
            key.join("/")
        )
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

/// A call that did not reach S3, explained.
fn cause(e: &ServiceError) -> String {
    format!("Unable to execute HTTP request: {}", e.message())
}

/// S3's XML error, as the cause AWS gives: its message, then the call's details.
fn error_cause(answer: &Answer) -> String {
    let text = String::from_utf8_lossy(&answer.body);
    let document = roxmltree::Document::parse(&text).ok();
    let field = |name: &str| {
        document
            .as_ref()
            .and_then(|d| d.descendants().find(|n| n.has_tag_name(name)))
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_string()
    };
    let code = field("Code");
    let message = match field("Message") {
        m if m.is_empty() => answer.status.canonical_reason().unwrap_or("").to_string(),
        m => m,
    };
    format!(
        "{message} (Service: S3, Status Code: {}, Error Code: {code}, Request ID: {})",
        answer.status.as_u16(),
        answer.request_id
    )
}

/// A path segment percent-encoded as S3 reads it (RFC 3986's unreserved characters kept).
fn encode_segment(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
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
                    encode_segment(prefix)
                );
                if let Some(token) = &token {
                    url.push_str(&format!("&continuation-token={}", encode_segment(token)));
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
