//! Typed ASL documents.
//!
//! Every field of every state type in both query languages has a typed home here. Optional
//! fields are `Option`s that stay `None` when the document left them out, so that writing a
//! definition back gives the document that was read; accessors such as
//! [`Retrier::max_attempts`] apply AWS's defaults.
//!
//! Building a machine in code is plain struct construction, with `Default` for the rest:
//!
//! ```
//! use stepfn_codegen::*;
//!
//! let mut machine = StateMachine::new("Hello");
//! machine.states.insert("Hello".into(), State::Pass(Pass { transition: Transition::End, ..Default::default() }));
//! assert!(stepfn_codegen::validate(&machine, &CheckOptions::default()).is_empty());
//! ```

mod choice;
mod handling;
mod intrinsic;
mod jsonata;
mod machine;
mod map;
mod path;
mod state;
mod template;
mod timestamp;

pub use choice::{
    Choice, ChoiceRule, Comparison, ComparisonOperator, ComparisonValue, Condition, NestedRule,
    OperandKind,
};
pub use handling::{Catcher, JitterStrategy, Retrier, STATES_ALL, STATES_ERRORS};
pub use intrinsic::{IntrinsicArg, IntrinsicCall, IntrinsicError, IntrinsicFunction};
pub use jsonata::{Jsonata, MaybeJsonata};
pub use machine::{Branch, QueryLanguage, StateMachine, States, Transition, MAX_STATE_NAME_CHARS};
pub use map::{
    CsvDelimiter, CsvHeaderLocation, ExecutionType, InputType, ItemBatcher, ItemReader,
    ManifestType, Map, ProcessorConfig, ProcessorMode, ReaderConfig, ReaderTransformation,
    ResultWriter, WriterConfig, WriterOutputType, WriterTransformation,
};
pub use path::{
    FilterExpr, FilterOp, FilterOperand, Path, PathError, PathRoot, Segment, Selector, SliceBounds,
};
pub use state::{Fail, Parallel, Pass, Resource, State, StateType, Succeed, Task, Wait};
pub use template::{Assign, Nullable, Query, Template};
pub use timestamp::{format_rfc3339_millis, is_rfc3339_timestamp, parse_rfc3339};
