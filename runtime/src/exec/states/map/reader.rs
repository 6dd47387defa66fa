//! Distributed Map's ItemReader and ResultWriter, over the execution's object store (S3, or
//! a local directory standing in for it).

use serde_json::{json, Value};
use stepfn_codegen::{InputType, ItemReader};

use crate::error::{names, StatesError};
use crate::expr::fields::Fields;
use crate::tasks::ObjectStore;

/// The most items a reader may be limited to.
const MAX_ITEMS_LIMIT: i64 = 100_000_000;

fn reader_failed(cause: impl Into<String>) -> StatesError {
    StatesError::new(names::ITEM_READER_FAILED, cause)
}

/// The execution's object store, or why `s3://bucket/key` cannot be reached.
fn store<'a>(
    objects: Option<&'a dyn ObjectStore>,
    bucket: &str,
    key: &str,
) -> Result<&'a dyn ObjectStore, String> {
    objects.ok_or_else(|| {
        format!(
            "s3://{bucket}/{key} cannot be reached: no S3 is configured (--s3-root DIR, or \
             --aws-endpoint URL for a real S3 API)"
        )
    })
}

/// Reads the items an ItemReader names.
pub(super) async fn read_items(
    reader: &ItemReader,
    fields: &Fields<'_>,
    objects: Option<&dyn ObjectStore>,
) -> Result<Vec<Value>, StatesError> {
    let parameters = match reader.parameters.as_ref().or(reader.arguments.as_ref()) {
        Some(t) => fields.template(t, "ItemReader/Arguments")?,
        None => crate::Data::empty_object(),
    };
    let text_field = |name: &str| {
        parameters
            .get(name)
            .and_then(crate::Data::as_str)
            .unwrap_or("")
    };
    let bucket = text_field("Bucket");
    let config = reader.reader_config.clone().unwrap_or_default();
    let max_items = fields.integer(&config.max_items, &config.max_items_path, "MaxItems", 0)?;
    if max_items.is_some_and(|n| n < 0) {
        return Err(reader_failed("field MaxItems must be positive"));
    }
    let mut items = if reader.resource.ends_with("s3:listObjectsV2") {
        let prefix = text_field("Prefix");
        store(objects, bucket, prefix)
            .map_err(reader_failed)?
            .list_objects(bucket, prefix)
            .await
            .map_err(reader_failed)?
            .into_iter()
            .map(|o| {
                json!({"Key": o.key, "Size": o.size, "ETag": o.etag,
                       "LastModified": o.last_modified, "StorageClass": o.storage_class})
            })
            .collect()
    } else {
        let key = text_field("Key");
        let bytes = store(objects, bucket, key)
            .map_err(reader_failed)?
            .get_object(bucket, key)
            .await
            .map_err(reader_failed)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| reader_failed(format!("s3://{bucket}/{key} is not UTF-8 text")))?;
        match config.input_type {
            Some(InputType::Csv) => read_csv(&text, &config)?,
            Some(InputType::Jsonl) => text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    serde_json::from_str(l)
                        .map_err(|e| reader_failed(format!("invalid JSON line: {e}")))
                })
                .collect::<Result<_, _>>()?,
            Some(InputType::Json) | None => {
                let value: Value = serde_json::from_str(&text)
                    .map_err(|e| reader_failed(format!("invalid JSON: {e}")))?;
                let value = match &config.items_pointer {
                    Some(pointer) => value.pointer(pointer).cloned().ok_or_else(|| {
                        reader_failed(format!("ItemsPointer '{pointer}' selects nothing"))
                    })?,
                    None => value,
                };
                match value {
                    Value::Array(items) => items,
                    _ => return Err(reader_failed("Attempting to map over non-iterable node.")),
                }
            }
            Some(other) => {
                return Err(reader_failed(format!(
                    "InputType {} is not supported by stepfn's ItemReader",
                    other.as_str()
                )))
            }
        }
    };
    // Zero means no limit; AWS reads at most 100,000,000 items whatever the limit says.
    let limit = match max_items {
        Some(n) if n > 0 => n.min(MAX_ITEMS_LIMIT),
        _ => MAX_ITEMS_LIMIT,
    };
    items.truncate(limit as usize);
    Ok(items)
}

#[cfg(not(feature = "csv"))]
fn read_csv(_: &str, _: &stepfn_codegen::ReaderConfig) -> Result<Vec<Value>, StatesError> {
    Err(reader_failed(
        "reading CSV items needs stepfn's `csv` feature (the command line and the server have it)",
    ))
}

#[cfg(feature = "csv")]
fn read_csv(text: &str, config: &stepfn_codegen::ReaderConfig) -> Result<Vec<Value>, StatesError> {
    use stepfn_codegen::{CsvDelimiter, CsvHeaderLocation};
    let delimiter = match config.csv_delimiter {
        Some(CsvDelimiter::Pipe) => b'|',
        Some(CsvDelimiter::Semicolon) => b';',
        Some(CsvDelimiter::Space) => b' ',
        Some(CsvDelimiter::Tab) => b'\t',
        Some(CsvDelimiter::Comma) | None => b',',
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = reader.records();
    let headers: Vec<String> = match config.csv_header_location {
        Some(CsvHeaderLocation::Given) => config.csv_headers.clone().unwrap_or_default(),
        _ => match rows.next() {
            Some(Ok(r)) => r.iter().map(str::to_string).collect(),
            Some(Err(e)) => return Err(reader_failed(format!("invalid CSV: {e}"))),
            None => Vec::new(),
        },
    };
    for (i, h) in headers.iter().enumerate() {
        if headers[..i].contains(h) {
            return Err(reader_failed("CSV headers cannot contain duplicates."));
        }
    }
    let mut items = Vec::new();
    for row in rows {
        let row = row.map_err(|e| reader_failed(format!("invalid CSV: {e}")))?;
        let mut item = serde_json::Map::new();
        for (i, h) in headers.iter().enumerate() {
            item.insert(h.clone(), row.get(i).unwrap_or("").into());
        }
        items.push(Value::Object(item));
    }
    Ok(items)
}

/// Writes a Map Run's results as ResultWriter says: `manifest.json` and `SUCCEEDED_0.json`
/// (and `FAILED_0.json`) under `Prefix/<run id>/`.
pub(super) async fn write_results(
    objects: Option<&dyn ObjectStore>,
    bucket: &str,
    prefix: &str,
    run_id: &str,
    map_run_arn: &str,
    succeeded: &[Value],
    failed: &[Value],
) -> Result<String, StatesError> {
    let failed_writer = |e: String| StatesError::new(names::RESULT_WRITER_FAILED, e);
    let base = if prefix.is_empty() {
        run_id.to_string()
    } else {
        format!("{}/{run_id}", prefix.trim_end_matches('/'))
    };
    let objects = store(objects, bucket, &base).map_err(failed_writer)?;
    let mut files = Vec::new();
    for (name, results) in [("SUCCEEDED_0.json", succeeded), ("FAILED_0.json", failed)] {
        if results.is_empty() && name.starts_with("FAILED") {
            continue;
        }
        let text = serde_json::to_string(results).unwrap_or_default();
        objects
            .put_object(bucket, &format!("{base}/{name}"), text.clone().into_bytes())
            .await
            .map_err(failed_writer)?;
        files.push(json!({"Key": format!("{base}/{name}"), "Size": text.len()}));
    }
    let manifest = json!({
        "DestinationBucket": bucket,
        "MapRunArn": map_run_arn,
        "ResultFiles": {"SUCCEEDED": files.iter().filter(|f| f["Key"].as_str().is_some_and(|k| k.ends_with("SUCCEEDED_0.json"))).collect::<Vec<_>>(),
                        "FAILED": files.iter().filter(|f| f["Key"].as_str().is_some_and(|k| k.ends_with("FAILED_0.json"))).collect::<Vec<_>>(),
                        "PENDING": []},
    });
    objects
        .put_object(
            bucket,
            &format!("{base}/manifest.json"),
            manifest.to_string().into_bytes(),
        )
        .await
        .map_err(failed_writer)?;
    Ok(format!("{base}/manifest.json"))
}
