//! Writing the model out: back to ASL, and to what deploys and documents it.
//!
//! - [`to_value`] / [`to_string_pretty`]: ASL JSON, deterministic: states and template keys in
//!   the order they were written, each state's fields in one canonical order (`Type` first, the
//!   transition last), which is what `stepfn fmt` writes. Parsing the output gives the same
//!   model again.
//! - [`deploy`]: CloudFormation, SAM and CDK, with the execution role [`iam`] derives.
//! - [`graph`]: the state graph as Mermaid, DOT or SVG.

mod asl;
pub mod deploy;
pub mod graph;
pub mod iam;

pub use asl::{state_to_value, to_string_pretty, to_value};

use crate::{Pointer, Problems};

/// Why a deploy artefact could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// The definition does not validate.
    #[error("the definition is not valid:\n{0}")]
    Invalid(Problems),
    /// Something in the definition cannot be deployed as asked, at a place in it.
    #[error("{pointer}: {message}")]
    At {
        /// Where.
        pointer: Pointer,
        /// What.
        message: String,
    },
    /// The request itself is wrong (a binding for no placeholder...).
    #[error("{0}")]
    Request(String),
}

impl DeployError {
    pub(crate) fn at(pointer: &Pointer, message: impl Into<String>) -> Self {
        DeployError::At {
            pointer: pointer.clone(),
            message: message.into(),
        }
    }
}
