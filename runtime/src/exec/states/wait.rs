//! The Wait state: `Seconds`, `SecondsPath`, `Timestamp` and `TimestampPath`.

use std::borrow::Cow;
use std::time::Duration;

use crate::data::Data;
use stepfn_codegen::{parse_rfc3339, MaybeJsonata, Path, Wait};

use crate::error::StatesError;
use crate::exec::io;
use crate::exec::visit::{follow, jsonata_output, Step, Visit};
use crate::expr::fields::Fields;
use crate::expr::jsonata::query_evaluation_error;
use crate::expr::scope::Scope;

/// The longest wait Step Functions schedules (in seconds): about 68 years.
const MAX_WAIT_SECONDS: i64 = i32::MAX as i64;

pub(crate) async fn run<'s>(
    visit: &Visit<'_>,
    s: &'s Wait,
    raw: Data,
) -> Result<Step<'s>, StatesError> {
    let context = visit.context(None);
    // A Wait counts from its entry, which a resumed execution keeps: a wait that ran out
    // while the process was down ends at once.
    let now_millis = visit.entered_millis;
    if let Fields::Jsonata(scope) = visit.fields(&raw, &context) {
        let wait_millis = match (&s.seconds, &s.timestamp) {
            (Some(seconds), _) => i64::try_from(scope.integer(seconds, "Seconds", 0)?)
                .unwrap_or(i64::MAX)
                .saturating_mul(1000),
            (None, Some(timestamp)) => {
                let ts = scope.string(timestamp, "Timestamp")?;
                until(&ts, now_millis).ok_or_else(|| {
                    query_evaluation_error(
                        format!("The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {ts}"),
                        "Timestamp",
                    )
                })?
            }
            (None, None) => 0,
        };
        sleep(visit, wait_millis).await?;
        let output = jsonata_output(visit, s.assign.as_ref(), s.output.as_ref(), raw, &context)?;
        return Ok(follow(&s.transition, output));
    }
    let roots = visit.roots(&context);
    let effective = io::input_path(Cow::Owned(raw), s.input_path.as_ref(), roots)?;
    let scope = roots.scope(&effective);
    let wait_millis: i64 = if let Some(MaybeJsonata::Literal(seconds)) = &s.seconds {
        i64::try_from(*seconds)
            .unwrap_or(i64::MAX)
            .saturating_mul(1000)
    } else if let Some(path) = &s.seconds_path {
        seconds_from_path(path, &scope)?.saturating_mul(1000)
    } else if let Some(MaybeJsonata::Literal(ts)) = &s.timestamp {
        until(ts, now_millis).ok_or_else(|| {
            StatesError::runtime(format!(
                "The Timestamp '{ts}' is not a valid RFC 3339 timestamp"
            ))
        })?
    } else if let Some(path) = &s.timestamp_path {
        let invalid = |shown: String| {
            StatesError::runtime(format!(
                "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {} == {shown}",
                path.source()
            ))
        };
        match scope.select(path) {
            Ok(v) => match v.as_ref() {
                Data::String(ts) => until(ts, now_millis).ok_or_else(|| invalid(ts.to_string()))?,
                other => return Err(invalid(shown(other))),
            },
            Err(_) => return Err(invalid("null".into())),
        }
    } else {
        0
    };
    sleep(visit, wait_millis).await?;
    visit.assign(s.assign.as_ref(), &Fields::Path(scope))?;
    let output = io::output_path(effective.into_owned(), s.output_path.as_ref(), roots)?;
    Ok(follow(&s.transition, output))
}

async fn sleep(visit: &Visit<'_>, wait_millis: i64) -> Result<(), StatesError> {
    if wait_millis / 1000 > MAX_WAIT_SECONDS {
        return Err(StatesError::runtime("Wait state delay is too long."));
    }
    if wait_millis <= 0 {
        return Ok(());
    }
    let shared = visit.shared;
    if let Some(replay) = shared.replay() {
        if replay
            .peek(visit.entered_id, &["WaitStateExited"], Some(visit.name))
            .is_some()
        {
            return Ok(());
        }
    }
    if shared.durable.is_none() {
        shared
            .clock
            .sleep(Duration::from_millis(wait_millis as u64))
            .await;
        return Ok(());
    }
    // The timer must outlive a crash: its start is made durable before the wait.
    shared.commit().await?;
    shared
        .sleep_until(visit.entered_millis.saturating_add(wait_millis))
        .await;
    Ok(())
}

/// Milliseconds from `now_millis` until the timestamp `ts` (0 when it is past).
fn until(ts: &str, now_millis: i64) -> Option<i64> {
    let target = parse_rfc3339(ts)? / 1_000_000;
    Some((target as i64 - now_millis).max(0))
}

fn shown(v: &Data) -> String {
    match v {
        Data::String(s) => s.to_string(),
        other => other.to_string(),
    }
}

fn seconds_from_path(path: &Path, scope: &Scope<'_>) -> Result<i64, StatesError> {
    let value = scope.select(path).map_err(|_| {
        StatesError::runtime(format!(
            "The SecondsPath parameter does not reference an input value: {}",
            path.source()
        ))
    })?;
    let seconds = match value.as_ref() {
        Data::Number(n) => n.as_i64(),
        _ => None,
    }
    .ok_or_else(|| {
        StatesError::runtime(format!(
            "The SecondsPath parameter cannot be parsed as a long value: {} == {}",
            path.source(),
            shown(&value)
        ))
    })?;
    if seconds < 0 {
        return Err(StatesError::runtime(format!(
            "The SecondsPath parameter references a negative value: {} == {seconds}",
            path.source()
        )));
    }
    Ok(seconds)
}
