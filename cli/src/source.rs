//! Reading a definition file: JSON or YAML by its extension, and problems that concern the file
//! itself rather than a place in it.

use std::path::Path;

use serde_json::Value;
use stepfn_codegen::{Problem, Problems};

/// Whether `path` names a YAML file (by its extension); anything else is read as JSON.
pub(crate) fn is_yaml(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yaml" || e == "yml")
}

/// A problem that concerns the file itself rather than a place in it.
pub(crate) fn file_problem(message: String) -> Problems {
    Problems(vec![Problem {
        code: stepfn_codegen::ProblemCode::InvalidJsonDescription,
        pointer: None,
        message,
    }])
}

/// The file's text, or a problem naming why it cannot be read.
pub(crate) fn read(path: &Path) -> Result<String, Problems> {
    std::fs::read_to_string(path).map_err(|e| file_problem(format!("cannot read the file: {e}")))
}

/// A YAML document as JSON, or a problem naming what is wrong with it.
pub(crate) fn yaml_value(text: &str) -> Result<Value, Problems> {
    serde_norway::from_str::<Value>(text).map_err(|e| file_problem(format!("Invalid YAML: {e}")))
}
