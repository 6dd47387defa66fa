//! JSONata syntax: a lexer and Pratt parser producing a syntax tree, so every `{% %}`
//! expression in a definition is checked and parsed once, when the definition is read.
//!
//! Error codes follow the JSONata reference implementation (`S0201`, `S0202`, ...).

mod ast;
mod lexer;
mod parser;

pub use ast::{BinaryOp, Expr};
pub use parser::{parse, SyntaxError};
