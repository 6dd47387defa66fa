//! The executor: runs a [`StateMachine`](crate::StateMachine) with the semantics AWS Step Functions gives it.
//!
//! ```
//! # let rt = stepfn::clock::virtual_runtime().unwrap();
//! # rt.block_on(async {
//! use serde_json::json;
//! let machine = stepfn::parse::from_str(r#"{"StartAt": "Hello", "States": {
//!     "Hello": {"Type": "Pass", "Result": "world", "ResultPath": "$.hello", "End": true}}}"#).unwrap();
//! let outcome = stepfn::Executor::new(machine).run(json!({"n": 1}), stepfn::ExecutionOptions::default()).await;
//! assert_eq!(outcome.output, Some(json!({"n": 1, "hello": "world"})));
//! # });
//! ```

mod branch;
mod executor;
pub(crate) mod io;
mod map_runs;
mod name;
mod options;
mod recorder;
mod retry;
mod states;
mod stop;
mod stuck;
mod visit;

pub(crate) use crate::expr::fields::Fields;
pub use crate::expr::limits::{
    payload_size, ExpressionLimits, EXPRESSION_LIMITS, MAX_PAYLOAD_BYTES,
};
pub(crate) use branch::{run_branch, run_state};
pub use executor::{ExecutionStatus, Executor, Outcome};
pub use map_runs::{MapRunChild, MapRunCounts, MapRunInfo, MapRunStatus, MapRunUpdate, MapRuns};
pub(crate) use map_runs::{MapRunEntry, Tolerance};
pub use name::{check_name, InvalidName, MAX_NAME_CHARS};
pub use options::{ExecutionOptions, DEFAULT_ROLE_ARN};
pub(crate) use retry::catch;
pub(crate) use retry::delay as retry_delay;
pub use states::task::panic_message;
pub use stop::{StopRequest, StopSignal};
pub use stuck::{Stuck, StuckWatch, STUCK_ERROR};
pub(crate) use visit::{Shared, StateFacts, Step, Visit};
