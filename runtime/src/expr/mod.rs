//! The expression layer: what a definition computes from a state's input, the context object
//! and the variables, in both query languages. JSONPath paths, payload templates and intrinsic
//! functions (JSONPath mode), JSONata expressions with `$states` (JSONata mode), the variables
//! `Assign` writes, and the limits both respect. Nothing here knows how states run: the
//! executor (`crate::exec`) calls into this layer, never the other way.

pub mod context;
pub mod fields;
pub mod intrinsics;
pub mod jsonata;
pub mod jsonpath;
pub mod limits;
pub mod scope;
pub mod template;
pub mod variables;
