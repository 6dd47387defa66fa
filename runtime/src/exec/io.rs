//! The JSONPath input/output pipeline: InputPath -> Parameters -> (work) -> ResultSelector ->
//! ResultPath -> OutputPath.

use std::borrow::Cow;

use crate::data::Data;
use stepfn_codegen::{Nullable, Path, PathRoot, Template};

use crate::error::{names, StatesError};
use crate::expr::jsonpath;
use crate::expr::limits::{exceeds, MAX_PAYLOAD_BYTES};
use crate::expr::scope::Roots;

/// Whether `ResultPath` keeps the raw input in the output (`null`, or a path below `$`), so
/// the pipeline must not consume the raw input before the result arrives.
pub fn keeps_raw(path: Option<&Nullable<Path>>) -> bool {
    match path {
        None => false,
        Some(Nullable::Null) => true,
        Some(Nullable::Value(p)) => !p.is_identity(),
    }
}

/// The input the pipeline may consume now: a borrow of `raw` when `ResultPath` keeps the raw
/// input for later, else `raw` itself (taken, leaving `null` behind). The borrow ends before
/// `ResultPath` needs `raw` again.
pub fn pipeline_input<'a>(
    raw: &'a mut Cow<'_, Data>,
    result_path: Option<&Nullable<Path>>,
) -> Cow<'a, Data> {
    if keeps_raw(result_path) {
        Cow::Borrowed(&**raw)
    } else {
        std::mem::take(raw)
    }
}

/// `InputPath`: absent means `$`, `null` means `{}`. Borrowed input stays borrowed, so a state
/// whose input passes through whole copies nothing.
pub fn input_path<'v>(
    raw: Cow<'v, Data>,
    path: Option<&Nullable<Path>>,
    roots: Roots<'_>,
) -> Result<Cow<'v, Data>, StatesError> {
    match path {
        None => Ok(raw),
        Some(Nullable::Value(p)) if p.is_identity() => Ok(raw),
        Some(Nullable::Null) => Ok(Cow::Owned(Data::empty_object())),
        // A path into the input may stay a borrow of it; `$$` paths copy what they select.
        Some(Nullable::Value(p)) => match raw {
            Cow::Borrowed(raw) if *p.root() == PathRoot::Input => {
                jsonpath::select(p, raw).map_err(|e| crate::expr::scope::invalid_path(p, &e))
            }
            raw => roots.scope(&raw).select_io_path(p).map(Cow::Owned),
        },
    }
}

/// `OutputPath`: absent means `$`, `null` means `{}`.
pub fn output_path(
    output: Data,
    path: Option<&Nullable<Path>>,
    roots: Roots<'_>,
) -> Result<Data, StatesError> {
    input_path(Cow::Owned(output), path, roots).map(Cow::into_owned)
}

/// `Parameters` (or `ItemSelector`): a payload template over `input`, or `input` itself.
pub fn parameters<'v>(
    input: Cow<'v, Data>,
    template: Option<&Template>,
    roots: Roots<'_>,
) -> Result<Cow<'v, Data>, StatesError> {
    match template {
        None => Ok(input),
        Some(t) => roots.scope(&input).evaluate_template(t).map(Cow::Owned),
    }
}

/// `ResultSelector`: a payload template over the raw result.
pub fn result_selector(
    result: Data,
    template: Option<&Template>,
    roots: Roots<'_>,
) -> Result<Data, StatesError> {
    parameters(Cow::Owned(result), template, roots).map(Cow::into_owned)
}

/// `ResultPath`: where the result goes in the raw input. Absent means `$` (the result replaces
/// the input); `null` discards the result. The raw input is copied only when it is borrowed
/// and the output keeps it.
pub fn result_path(
    raw: Cow<'_, Data>,
    result: Data,
    path: Option<&Nullable<Path>>,
) -> Result<Data, StatesError> {
    match path {
        None => Ok(result),
        Some(Nullable::Null) => Ok(raw.into_owned()),
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
            let mut target = raw.into_owned();
            if jsonpath::put(&mut target, p.segments(), result) {
                Ok(target)
            } else {
                Err(StatesError::new(
                    names::RESULT_PATH_MATCH_FAILURE,
                    format!(
                        "Unable to apply ReferencePath {} to input {}",
                        p.source(),
                        crate::expr::scope::compact(&target)
                    ),
                ))
            }
        }
    }
}

/// The 256 KiB payload limit.
pub fn check_size(value: &Data, state: &str) -> Result<(), StatesError> {
    if exceeds(value, MAX_PAYLOAD_BYTES) {
        return Err(StatesError::new(
            names::DATA_LIMIT_EXCEEDED,
            format!(
                "The state/task '{state}' returned a result with a size exceeding the maximum number of bytes service limit."
            ),
        ));
    }
    Ok(())
}
