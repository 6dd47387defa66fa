//! Where a Distributed Map's ItemReader reads its items and its ResultWriter writes its
//! results: S3, or something standing in for it. [`DirectoryObjects`] serves a local directory
//! (`s3://bucket/key` is `ROOT/bucket/key`); `stepfn serve` and `stepfn run` given an AWS
//! endpoint call the S3 API itself.

use std::path::{Path, PathBuf};

use futures::future::BoxFuture;

/// One object of a listing, as ListObjectsV2 tells of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectSummary {
    /// The object's key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its entity tag, quotes included (`"9b2cf535f27731c974343645a3985328"`).
    pub etag: String,
    /// When it was last written (RFC 3339), or empty when unknown.
    pub last_modified: String,
    /// `STANDARD`, `GLACIER`...
    pub storage_class: String,
}

/// An object store S3's way: buckets of objects named by keys. A failed call gives the cause
/// a state fails with (`States.ItemReaderFailed`, `States.ResultWriterFailed`).
pub trait ObjectStore: Send + Sync {
    /// The bytes of `s3://bucket/key`.
    fn get_object<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Vec<u8>, String>>;

    /// The objects of `bucket` whose keys start with `prefix`, in key order.
    fn list_objects<'a>(
        &'a self,
        bucket: &'a str,
        prefix: &'a str,
    ) -> BoxFuture<'a, Result<Vec<ObjectSummary>, String>>;

    /// Writes `body` as `s3://bucket/key`.
    fn put_object<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        body: Vec<u8>,
    ) -> BoxFuture<'a, Result<(), String>>;
}

/// A local directory as S3: `s3://bucket/key` is `ROOT/bucket/key`.
#[derive(Clone, Debug)]
pub struct DirectoryObjects {
    root: PathBuf,
}

impl DirectoryObjects {
    /// Objects under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DirectoryObjects { root: root.into() }
    }

    /// The file of `s3://bucket/key`, refusing locations that would leave the root.
    fn path(&self, bucket: &str, key: &str) -> Result<PathBuf, String> {
        if bucket.is_empty()
            || bucket.contains(['/', '\\'])
            || bucket == ".."
            || key.split('/').any(|p| p == "..")
        {
            return Err(format!("invalid S3 location s3://{bucket}/{key}"));
        }
        Ok(self.root.join(bucket).join(key))
    }
}

impl ObjectStore for DirectoryObjects {
    fn get_object<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Vec<u8>, String>> {
        Box::pin(async move {
            let path = self.path(bucket, key)?;
            std::fs::read(&path).map_err(|e| format!("s3://{bucket}/{key} cannot be read: {e}"))
        })
    }

    fn list_objects<'a>(
        &'a self,
        bucket: &'a str,
        prefix: &'a str,
    ) -> BoxFuture<'a, Result<Vec<ObjectSummary>, String>> {
        Box::pin(async move {
            let dir = self.path(bucket, "")?;
            let mut files = Vec::new();
            collect_files(&dir, &dir, &mut files)
                .map_err(|e| format!("s3://{bucket} cannot be listed: {e}"))?;
            files.sort();
            Ok(files
                .into_iter()
                .filter(|(key, _)| key.starts_with(prefix))
                .map(|(key, size)| ObjectSummary {
                    key,
                    size,
                    etag: "\"\"".into(),
                    last_modified: String::new(),
                    storage_class: "STANDARD".into(),
                })
                .collect())
        })
    }

    fn put_object<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        body: Vec<u8>,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let path = self.path(bucket, key)?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            }
            std::fs::write(&path, body).map_err(|e| format!("s3://{bucket}/{key}: {e}"))
        })
    }
}

fn collect_files(base: &Path, dir: &Path, out: &mut Vec<(String, u64)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if path.is_dir() {
            collect_files(base, &path, out)?;
        } else {
            let key = path
                .strip_prefix(base)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((key, entry.metadata()?.len()));
        }
    }
    Ok(())
}
