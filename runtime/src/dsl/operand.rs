//! Which Rust types a Choice rule may compare with a literal: numbers with numbers, strings
//! with strings, booleans with booleans, as ASL's `NumericEquals`, `StringEquals` and
//! `BooleanEquals` families do.
//!
//! A type of your own that serialises as a string, a number or a boolean (a newtype around an
//! id, a `#[serde(into = "String")]` type) becomes comparable by implementing the matching
//! trait:
//!
//! ```
//! use serde::{Deserialize, Serialize};
//!
//! /// Serialises as the bare string.
//! #[derive(Clone, Serialize, Deserialize)]
//! #[serde(transparent)]
//! pub struct Sku(String);
//!
//! impl stepfn::dsl::operand::StringOperand for Sku {}
//! ```
//!
//! Then `when .sku == "A-1" => Next` compiles for a field of type `Sku`. An enum is compared
//! with one of its own variants (`when .status == Status::Shipped => Next`) without any of
//! these: the field's type must be the enum (or an `Option` of it).

use serde_json::Value;

/// A field a Choice rule may compare with a number.
#[diagnostic::on_unimplemented(
    message = "a Choice rule compares this field with a number, but the field is a `{Self}`",
    label = "not a number",
    note = "Choice rules compare numbers with numbers, strings with strings and booleans with booleans"
)]
pub trait NumberOperand {}

/// A field a Choice rule may compare with a string.
#[diagnostic::on_unimplemented(
    message = "a Choice rule compares this field with a string, but the field is a `{Self}`",
    label = "not a string",
    note = "Choice rules compare numbers with numbers, strings with strings and booleans with booleans"
)]
pub trait StringOperand {}

/// A field a Choice rule may compare with `true` or `false`.
#[diagnostic::on_unimplemented(
    message = "a Choice rule compares this field with a boolean, but the field is a `{Self}`",
    label = "not a boolean",
    note = "Choice rules compare numbers with numbers, strings with strings and booleans with booleans"
)]
pub trait BooleanOperand {}

macro_rules! numbers {
    ($($t:ty),*) => { $(impl NumberOperand for $t {})* };
}
numbers!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64);
impl StringOperand for String {}
impl StringOperand for &str {}
impl BooleanOperand for bool {}
impl<T: NumberOperand> NumberOperand for Option<T> {}
impl<T: StringOperand> StringOperand for Option<T> {}
impl<T: BooleanOperand> BooleanOperand for Option<T> {}
impl NumberOperand for Value {}
impl StringOperand for Value {}
impl BooleanOperand for Value {}
