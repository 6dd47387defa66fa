//! The Amazon States Language (ASL) model of stepfn.
//!
//! This crate reads, checks and writes AWS Step Functions definitions without any async runtime
//! or proc-macro machinery, so build scripts, the CLI and the macros can all use it.
//!
//! - [`model`]: typed ASL documents. Paths, intrinsic calls, payload templates and JSONata
//!   strings are parsed once into typed values when a definition is read.
//! - [`parse`]: JSON or already-loaded values into the model, with every structural problem
//!   located by a JSON pointer.
//! - [`mod@validate`]: the rules AWS enforces on a definition (graph, names, scopes, query
//!   languages, resources), worded as AWS words them.
//! - [`emit`]: the model back to ASL JSON, deterministic and in the order written.
//!
//! ```
//! use stepfn_codegen::{check, CheckOptions};
//!
//! let text = r#"{"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "End": true}}}"#;
//! let machine = check(text, &CheckOptions::default()).expect("valid");
//! assert_eq!(machine.start_at, "Hello");
//! ```

#![warn(missing_docs)]

mod setters;

pub mod emit;
pub use stepfn_jsonata as jsonata;
pub mod model;
pub mod parse;
mod pointer;
mod problem;
pub mod similar;
pub mod validate;

pub use model::*;
pub use pointer::Pointer;
pub use problem::{Problem, ProblemCode, Problems};
pub use validate::{check, check_value, validate, CheckOptions, MachineType};
