//! Paged listings: `maxResults` and `nextToken` as the API reads and writes them.

use serde_json::Value;

use crate::protocol::ApiError;

/// `maxResults` as the API bounds it (0 to 1000; 0 for the default).
pub(super) fn page_size(max_results: Option<i64>) -> Result<usize, ApiError> {
    match max_results {
        None => Ok(0),
        Some(n) if (0..=1000).contains(&n) => Ok(n as usize),
        Some(_) => Err(ApiError::validation(
            "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
        )),
    }
}

/// One page of an in-memory listing: `items` from the position `next_token` names.
pub(super) fn paged<T>(
    items: Vec<T>,
    max_results: Option<i64>,
    next_token: Option<&str>,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let size = match page_size(max_results)? {
        0 => 100,
        n => n,
    };
    let start = match next_token {
        None => 0,
        Some(token) => token
            .strip_prefix('p')
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= items.len())
            .ok_or_else(|| {
                ApiError::service("InvalidToken", format!("Invalid Token: '{token}'"))
            })?,
    };
    let end = (start + size).min(items.len());
    let next = (end < items.len()).then(|| format!("p{end}"));
    Ok((
        items.into_iter().skip(start).take(end - start).collect(),
        next,
    ))
}

/// A listing's answer: `items` under `member`, and `nextToken` when there is more.
pub(super) fn listing(member: &str, items: Vec<Value>, next_token: Option<String>) -> Value {
    let mut out = serde_json::Map::new();
    out.insert(member.into(), Value::Array(items));
    if let Some(next) = next_token {
        out.insert("nextToken".into(), Value::String(next));
    }
    Value::Object(out)
}
