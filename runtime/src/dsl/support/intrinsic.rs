//! Intrinsic functions in `workflow!` templates: the never-run signatures that make rustc check
//! each call's arguments and give its result a type, and the builder of the call's ASL text.
//!
//! A template field `ids: array_partition(.ids, 10)` is checked as
//! `ids: intrinsic::array_partition(&value.ids, &10)` (so `ids` must be a `Vec<Vec<T>>` when
//! `.ids` is a `Vec<T>`), and emitted as `"ids.$": "States.ArrayPartition($.ids, 10)"`.

use serde_json::Value;
use stepfn_codegen::model::{IntrinsicCall, Query, Template};

/// Whole-number types: what `States.ArrayPartition`'s size, `States.MathAdd`'s operands and
/// the other integer arguments and results may be.
#[diagnostic::on_unimplemented(
    message = "this intrinsic function takes and gives whole numbers, but this is a `{Self}`",
    label = "not a whole number"
)]
pub trait WholeNumber {}
macro_rules! whole_numbers {
    ($($t:ty),*) => { $(impl WholeNumber for $t {})* };
}
whole_numbers!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, Value);

const NEVER: &str = "only type-checked, never run";

/// `States.Format`: the template with each `{}` filled in; the arguments may be anything.
pub fn format(_template: &str) -> String {
    unreachable!("{NEVER}")
}

/// `States.StringToJson`: the JSON a string holds, as whatever type the field has.
pub fn string_to_json<T>(_text: &str) -> T {
    unreachable!("{NEVER}")
}

/// `States.JsonToString`: a value as JSON text.
pub fn json_to_string<T: ?Sized>(_value: &T) -> String {
    unreachable!("{NEVER}")
}

/// `States.Array`: its arguments as an array, of whatever type the field has.
pub fn array<T>() -> T {
    unreachable!("{NEVER}")
}

/// `States.ArrayPartition`: chunks of at most `size` items.
pub fn array_partition<T, N: WholeNumber>(_items: &[T], _size: &N) -> Vec<Vec<T>> {
    unreachable!("{NEVER}")
}

/// `States.ArrayContains`: whether `item` is one of `items` (a `String` item compares with a
/// string literal).
pub fn array_contains<T: PartialEq<U>, U: ?Sized>(_items: &[T], _item: &U) -> bool {
    unreachable!("{NEVER}")
}

/// `States.ArrayRange`: the whole numbers from `first` to `last` by `step`.
pub fn array_range<N: WholeNumber, A: WholeNumber, B: WholeNumber, C: WholeNumber>(
    _first: &A,
    _last: &B,
    _step: &C,
) -> Vec<N> {
    unreachable!("{NEVER}")
}

/// `States.ArrayGetItem`: the item at `index`.
pub fn array_get_item<T, N: WholeNumber>(_items: &[T], _index: &N) -> T {
    unreachable!("{NEVER}")
}

/// `States.ArrayLength`: how many items.
pub fn array_length<T, N: WholeNumber>(_items: &[T]) -> N {
    unreachable!("{NEVER}")
}

/// `States.ArrayUnique`: the items without repeats.
pub fn array_unique<T>(_items: &[T]) -> Vec<T> {
    unreachable!("{NEVER}")
}

/// `States.Base64Encode`.
pub fn base64_encode(_text: &str) -> String {
    unreachable!("{NEVER}")
}

/// `States.Base64Decode`.
pub fn base64_decode(_text: &str) -> String {
    unreachable!("{NEVER}")
}

/// `States.Hash`: the hex digest of `data` with `algorithm` (`"SHA-256"`, `"MD5"`...).
pub fn hash<T: ?Sized>(_data: &T, _algorithm: &str) -> String {
    unreachable!("{NEVER}")
}

/// `States.JsonMerge` (shallow): `right`'s members over `left`'s, as the field's type.
pub fn json_merge<T, A: ?Sized, B: ?Sized>(_left: &A, _right: &B) -> T {
    unreachable!("{NEVER}")
}

/// `States.MathRandom`: a whole number from `start` (inclusive) to `end` (exclusive).
pub fn math_random<N: WholeNumber, A: WholeNumber, B: WholeNumber>(_start: &A, _end: &B) -> N {
    unreachable!("{NEVER}")
}

/// `States.MathAdd`: the sum of two whole numbers, of the first one's type.
pub fn math_add<N: WholeNumber, B: WholeNumber>(_value: &N, _step: &B) -> N {
    unreachable!("{NEVER}")
}

/// `States.StringSplit`: the parts between the delimiter's characters.
pub fn string_split(_text: &str, _delimiters: &str) -> Vec<String> {
    unreachable!("{NEVER}")
}

/// `States.UUID`: a random version 4 UUID.
pub fn uuid() -> String {
    unreachable!("{NEVER}")
}

/// One argument of an intrinsic call, as `workflow!` wrote it.
pub enum IntrinsicPart {
    /// A JSONPath path (`$.a`, `$$.Task.Token`, `$$.Map.Item.Value.a`).
    Path(String),
    /// A literal value.
    Literal(Value),
    /// `States.Format`'s template: its `{}` are placeholders, not text to escape.
    FormatTemplate(String),
    /// A nested call's text.
    Call(String),
}

/// The ASL text of the call `function(parts...)`.
pub fn call_text(function: &str, parts: Vec<IntrinsicPart>) -> String {
    let args: Vec<String> = parts
        .into_iter()
        .map(|part| match part {
            IntrinsicPart::Path(p) | IntrinsicPart::Call(p) => p,
            IntrinsicPart::FormatTemplate(t) => quoted(&t, false),
            IntrinsicPart::Literal(Value::String(s)) => quoted(&s, true),
            IntrinsicPart::Literal(other) => other.to_string(),
        })
        .collect();
    format!("{function}({})", args.join(", "))
}

/// A string argument: `'` and `\` escaped always, `{` and `}` too unless they are a format
/// template's placeholders.
fn quoted(text: &str, escape_braces: bool) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        if matches!(c, '\'' | '\\') || (escape_braces && matches!(c, '{' | '}')) {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// The call as a template member.
pub fn intrinsic_query(text: &str) -> Template {
    match IntrinsicCall::parse(text) {
        Ok(call) => Template::Query(Query::Intrinsic(call)),
        Err(e) => unreachable!("workflow! built an invalid intrinsic call '{text}': {e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn calls_are_written_as_asl_reads_them() {
        let text = call_text(
            "States.Format",
            vec![
                IntrinsicPart::FormatTemplate("Order {} of 'x'".into()),
                IntrinsicPart::Path("$.id".into()),
            ],
        );
        assert_eq!(text, r"States.Format('Order {} of \'x\'', $.id)");
        assert!(IntrinsicCall::parse(&text).is_ok());
        let text = call_text(
            "States.ArrayContains",
            vec![
                IntrinsicPart::Call("States.Array(1, 2)".into()),
                IntrinsicPart::Literal(json!("{a}")),
            ],
        );
        assert_eq!(text, r"States.ArrayContains(States.Array(1, 2), '\{a\}')");
        assert!(IntrinsicCall::parse(&text).is_ok());
    }
}
