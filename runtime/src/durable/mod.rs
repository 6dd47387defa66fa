//! Durable executions: Standard workflows kept in a [`Store`](crate::store::Store) so they survive a crash.
//!
//! An [`Engine`] runs executions of the state machines registered with it. Each execution
//! commits its history to the store as it goes (many executions share one sync: see
//! [`CommitQueue`](crate::store::CommitQueue)), always before work outside the executor depends on it: a task token
//! handed out, a timer that must outlive the process, a task's result. When the engine is
//! opened again on the same store, every execution still running is resumed by replaying its
//! stored history: no task whose result was recorded runs again, and a Wait that ran out while
//! the process was down ends at once.
//!
//! The engine also answers the Step Functions calls about executions: start (idempotent by
//! name, as AWS), stop, describe, list, history, redrive, and the task-token callbacks.
//!
//! ```
//! # let rt = stepfn::clock::virtual_runtime().unwrap();
//! # rt.block_on(async {
//! use std::sync::Arc;
//! use stepfn::durable::{Engine, EngineOptions};
//! use stepfn::store::SqliteStore;
//!
//! let store = Arc::new(SqliteStore::in_memory().unwrap());
//! let engine = Engine::open(store, EngineOptions::default()).await.unwrap();
//! let machine = stepfn::parse::from_str(r#"{"StartAt": "Nap", "States": {
//!     "Nap": {"Type": "Wait", "Seconds": 3600, "End": true}}}"#).unwrap();
//! let sm = engine.register("Napper", machine);
//! let started = engine.start_execution(&sm, Some("first"), r#"{"n": 1}"#).await.unwrap();
//! let ended = engine.wait(&started.execution_arn).await.unwrap();
//! assert_eq!(ended.status, stepfn::store::RunStatus::Succeeded);
//! assert_eq!(ended.output.as_deref(), Some(r#"{"n":1}"#));
//! # });
//! ```
//!
//! The engine itself is the `durable` feature; how any execution records into a store and
//! replays a stored history (`run`, `replay`) is always compiled, as the executor uses it.

#[cfg(feature = "durable")]
mod engine;
pub(crate) mod replay;
pub(crate) mod run;

#[cfg(feature = "durable")]
pub use engine::*;
