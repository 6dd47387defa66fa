//! stepfn
