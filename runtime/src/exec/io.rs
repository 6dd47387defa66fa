//! The JSONPath input/output pipeline: InputPath -> Parameters -> (work) -> ResultSelector ->
//! ResultPath -> OutputPath.

use serde_json::{Map, Value};
use stepfn_codegen::{Nullable, Path, PathRoot, Template};

use crate::error::{names, StatesError};
use crate::jsonpath;
use crate::query::Scope;

/// Payloads larger than this fail the state with `States.DataLimitExceeded`.
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// `InputPath`: absent means `$`, `null` means `{}`.
pub fn input_path(
    raw: &Value,
    path: Option<&Nullable<Path>>,
    context: &Value,
) -> Result<Value, StatesError> {
    select_io(raw, path, context)
}

/// `OutputPath`: absent means `$`, `null` means `{}`.
pub fn output_path(
    output: Value,
    path: Option<&Nullable<Path>>,
    context: &Value,
) -> Result<Value, StatesError> {
    match path {
        None => Ok(output),
        Some(Nullable::Value(p)) if p.is_identity() => Ok(output),
        _ => select_io(&output, path, context),
    }
}

fn select_io(
    value: &Value,
    path: Option<&Nullable<Path>>,
    context: &Value,
) -> Result<Value, StatesError> {
    match path {
        None => Ok(value.clone()),
        Some(Nullable::Null) => Ok(Value::Object(Map::new())),
        Some(Nullable::Value(p)) => Scope {
            input: value,
            context,
            variables: None,
        }
        .select_io_path(p),
    }
}

/// `Parameters` (or `ItemSelector`): a payload template over `input`, or `input` itself.
pub fn parameters(
    input: Value,
    template: Option<&Template>,
    context: &Value,
) -> Result<Value, StatesError> {
    match template {
        None => Ok(input),
        Some(t) => Scope {
            input: &input,
            context,
            variables: None,
        }
        .evaluate_template(t),
    }
}

/// `ResultSelector`: a payload template over the raw result.
pub fn result_selector(
    result: Value,
    template: Option<&Template>,
    context: &Value,
) -> Result<Value, StatesError> {
    parameters(result, template, context)
}

/// `ResultPath`: where the result goes in the raw input. Absent means `$` (the result replaces
/// the input); `null` discards the result.
pub fn result_path(
    raw: Value,
    result: Value,
    path: Option<&Nullable<Path>>,
) -> Result<Value, StatesError> {
    match path {
        None => Ok(result),
        Some(Nullable::Null) => Ok(raw),
        Some(Nullable::Value(p)) => {
            if p.is_identity() {
                return Ok(result);
            }
            if *p.root() != PathRoot::Input {
                return Err(StatesError::runtime(format!(
                    "ResultPath '{}' must be a path into the state input",
                    p.source()
                )));
            }
            let mut target = raw;
            if jsonpath::put(&mut target, p.segments(), result) {
                Ok(target)
            } else {
                Err(StatesError::new(
                    names::RESULT_PATH_MATCH_FAILURE,
                    format!(
                        "Unable to apply ReferencePath {} to input {}",
                        p.source(),
                        crate::query::compact(&target)
                    ),
                ))
            }
        }
    }
}

/// The 256 KiB payload limit.
pub fn check_size(value: &Value, state: &str) -> Result<(), StatesError> {
    if payload_size(value) > MAX_PAYLOAD_BYTES {
        return Err(StatesError::new(
            names::DATA_LIMIT_EXCEEDED,
            format!(
                "The state/task '{state}' returned a result with a size exceeding the maximum number of bytes service limit."
            ),
        ));
    }
    Ok(())
}

/// The size of `value` as compact JSON, counted without building the text.
pub fn payload_size(value: &Value) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    let _ = serde_json::to_writer(&mut counter, value);
    counter.0
}
