//! The Rust DSL: tasks written as async functions (`#[task]`), workflows written as a
//! `workflow!` block whose graph and data types the compiler checks.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use stepfn::{task, workflow, TaskError, Workflow};
//!
//! #[derive(Debug, Serialize, Deserialize, PartialEq)]
//! pub struct Order { pub id: String, pub total: f64 }
//! #[derive(Debug, Serialize, Deserialize, PartialEq)]
//! pub struct Receipt { pub order_id: String, pub charged: f64 }
//!
//! #[derive(Debug, TaskError)]
//! pub enum PaymentError { Declined, Throttled }
//! impl std::fmt::Display for PaymentError {
//!     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "{self:?}") }
//! }
//!
//! #[task]
//! async fn charge(order: Order) -> Result<Receipt, PaymentError> {
//!     Ok(Receipt { order_id: order.id, charged: order.total })
//! }
//!
//! workflow! {
//!     /// Charges an order.
//!     pub Checkout(Order) -> Receipt {
//!         start Charge;
//!         Charge: task charge -> end
//!             retry [PaymentError::Throttled] (interval = "1s", max_attempts = 3);
//!     }
//! }
//!
//! let asl = Checkout::asl_json();
//! assert!(asl.contains("\"Resource\": \"${ChargeArn}\""));
//! # let rt = stepfn::clock::virtual_runtime().unwrap();
//! let receipt = rt.block_on(Checkout::run(Order { id: "o-1".into(), total: 9.5 })).unwrap();
//! assert_eq!(receipt, Receipt { order_id: "o-1".into(), charged: 9.5 });
//! ```

#[cfg(feature = "durable")]
mod durable;
mod flow;
pub mod operand;
mod payload;
mod schema;
mod task;
mod workflow;

#[cfg(feature = "durable")]
pub use durable::{send_task_output, DurableError, DurableExecution, DurableWorkflow};
pub use flow::{Exact, Flows, Json};
pub use payload::{Lens, Payload};
pub use task::{
    ErrorOutput, ItemBatch, MapRunOutput, ResultWriterDetails, Task, TaskCall, TaskContext,
    TaskError,
};
pub use workflow::{Workflow, WorkflowError};

/// What generated code calls, reached only through `crate::__private`.
pub(crate) mod support;
