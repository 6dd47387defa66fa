//! stepfn: write, check, run and deploy AWS Step Functions workflows in Rust.
//!
//! This is the crate to depend on. It gives the complete Amazon States Language model and its
//! validator (re-exported from `stepfn-codegen`), [`include_asl!`], which embeds a definition
//! file checked at compile time, and the [`Executor`], which runs a definition with the
//! semantics AWS Step Functions gives it:
//!
//! ```
//! let machine: &stepfn::StateMachine = stepfn::include_asl!("../examples/order-processing.asl.json");
//! assert_eq!(machine.start_at, "ProcessOrder");
//! ```
//!
//! Reading and checking a definition at run time:
//!
//! ```
//! let problems = stepfn::check(r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}"#, &Default::default())
//!     .unwrap_err();
//! assert_eq!(problems.iter().next().unwrap().message, "Missing 'Next' target: B");
//! ```

#![warn(missing_docs)]

pub mod aws;
pub mod clock;
pub mod data;
pub mod dsl;
pub mod durable;
pub mod error;
pub mod exec;
mod expr;
pub mod history;
pub mod model;
pub mod random;
pub mod state_name;
pub mod store;
pub mod tasks;
pub mod test_state;
#[cfg(feature = "testing")]
pub mod testing;

#[cfg(feature = "virtual-clock")]
pub use clock::VirtualClock;
pub use clock::{Clock, SystemClock};
pub use data::Data;
pub use dsl::{
    ErrorOutput, ItemBatch, MapRunOutput, Payload, Task, TaskContext, TaskError, Workflow,
    WorkflowError,
};
pub use error::StatesError;
pub use exec::{
    ExecutionOptions, ExecutionStatus, Executor, Outcome, StopRequest, StopSignal, DEFAULT_ROLE_ARN,
};
pub use expr::context::ContextObject;
pub use history::HistoryEvent;
pub use model::StateMachine;
pub use stepfn_codegen::{
    check, check_value, emit, parse, validate, CheckOptions, MachineType, Pointer, Problem,
    ProblemCode, Problems,
};
pub use stepfn_macros::{include_asl, task, workflow, Payload, TaskError};
pub use tasks::{MockConfig, TaskHandler, TaskRegistry, TaskRequest, TaskResult};
pub use test_state::{test_state, TestStateRequest, TestStateResult, TestStateStatus};

/// The expression layer's internals, for the project's own benchmarks and fuzz targets only
/// (the `internals` feature): no stability promise.
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod internals {
    pub use crate::expr::{
        context, fields, intrinsics, jsonata, jsonpath, limits, scope, variables,
    };
}

/// What generated code calls: every path `#[task]`, `#[derive(TaskError)]`,
/// `#[derive(Payload)]`, `workflow!` and `include_asl!` emit starts here, so the public root
/// can change freely. Not a public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::dsl::support::*;
    pub use crate::dsl::{
        ErrorOutput, ItemBatch, MapRunOutput, Payload, Task, TaskContext, TaskError, Workflow,
    };
    pub use crate::exec::Executor;
    pub use crate::tasks::TaskRegistry;
    pub use serde_json;
    /// The typed model the builders produce.
    pub use stepfn_codegen::model;
    pub use stepfn_codegen::model::StateMachine;

    /// Parses a definition that [`crate::include_asl!`] already checked at compile time.
    pub fn checked_definition(text: &str) -> StateMachine {
        match stepfn_codegen::check(text, &stepfn_codegen::CheckOptions::default()) {
            Ok(machine) => machine,
            Err(problems) => unreachable!(
                "include_asl! accepted a definition that is invalid at run time: {problems}"
            ),
        }
    }
}
