//! The type checks generated code leaves for rustc: never-run functions whose bounds say, in
//! the user's terms, why a field does not fit where the workflow puts it.

use serde_json::Value;

use super::super::payload::Lens;
use super::super::task::TaskContext;

pub use super::super::operand::{BooleanOperand, NumberOperand, StringOperand};

/// The path to a field a Choice rule compares with a number.
pub fn number_field<F: NumberOperand>(field: Lens<F>) -> Lens<F> {
    field
}
/// The path to a field a Choice rule compares with a string.
pub fn string_field<F: StringOperand>(field: Lens<F>) -> Lens<F> {
    field
}
/// The path to a field a Choice rule compares with a boolean.
pub fn boolean_field<F: BooleanOperand>(field: Lens<F>) -> Lens<F> {
    field
}

/// What a Map iterates: a sequence of `I`.
#[diagnostic::on_unimplemented(
    message = "Map items must be a sequence of `{I}`, but this is a `{Self}`",
    label = "not a `Vec<{I}>`"
)]
pub trait Items<I> {}
impl<I> Items<I> for Vec<I> {}
impl<I, const N: usize> Items<I> for [I; N] {}
impl<I> Items<I> for Value {}

/// A variable a Map iterates: a sequence of `I`.
pub fn items_value<I, C: Items<I>>(_items: C) {}

/// The path to the sequence a Map iterates, whose elements are `I`.
pub fn items_field<I, C: Items<I>>(items: Lens<C>) -> Lens<C> {
    items
}

/// A Map item's index, for the never-run functions that check templates.
pub fn index_value<T: Index>() -> T {
    unreachable!("only type-checked, never run")
}

/// Whole-number types a Map item's `index` may fill.
#[diagnostic::on_unimplemented(
    message = "`index` (like `context.state.retry_count`) is a whole number, but the field is a `{Self}`",
    label = "not a whole number"
)]
pub trait Index {}
impl Index for u32 {}
impl Index for u64 {}
impl Index for usize {}
impl Index for i32 {}
impl Index for i64 {}

/// A value of type `T`, for the never-run functions that check templates
/// (`context.execution.input` is the workflow's input, `context.map.item.value` the item).
pub fn value_of<T>() -> T {
    unreachable!("only type-checked, never run")
}

/// A text field of the context object (an id, a name, a timestamp, a task token).
pub fn context_text<T: ContextText>() -> T {
    unreachable!("only type-checked, never run")
}

/// A whole-number field of the context object (`state.retry_count`, `map.item.index`).
pub fn context_count<T: Index>() -> T {
    unreachable!("only type-checked, never run")
}

/// Types a text field of the context object may fill.
#[diagnostic::on_unimplemented(
    message = "this context field is text, but the template field is a `{Self}`",
    label = "not a string",
    note = "ids, names, ARNs, timestamps and task tokens are strings: use `String`"
)]
pub trait ContextText {}
impl ContextText for String {}
impl ContextText for Option<String> {}
impl ContextText for Value {}

/// Stands for a field's value in the never-run functions that check templates.
pub fn copy_of<T>(_field: &T) -> T {
    unreachable!("only type-checked, never run")
}

/// A field of exactly the type `T`.
#[diagnostic::on_unimplemented(
    message = "this field is a `{Self}`, but the task takes a `{T}`",
    label = "the task's input is `{T}`",
    note = "`input = .field` hands the field to the task unconverted: the types must be identical"
)]
pub trait Same<T> {}
impl<T> Same<T> for T {}

/// A field that can hold a `T`: a `T` or an `Option<T>`.
#[diagnostic::on_unimplemented(
    message = "this field is a `{Self}`, which cannot hold the result, a `{T}`",
    label = "`result_path` puts a `{T}` here",
    note = "give the field the result's type (or `Option` of it)"
)]
pub trait Holds<T> {}
impl<T> Holds<T> for T {}
impl<T> Holds<T> for Option<T> {}

/// A whole number of seconds.
#[diagnostic::on_unimplemented(
    message = "`wait for` needs a whole number of seconds, but the field is a `{Self}`",
    label = "not a whole number"
)]
pub trait Seconds {}
impl Seconds for u8 {}
impl Seconds for u16 {}
impl Seconds for u32 {}
impl Seconds for u64 {}
impl Seconds for usize {}
impl Seconds for i32 {}
impl Seconds for i64 {}

/// The path to a field of exactly the type `T`.
pub fn same_field<T, F: Same<T>>(field: Lens<F>) -> Lens<F> {
    field
}

/// Checks, never run, that a value read for a task's input (a variable's field) is the task's
/// input type.
pub fn same_value<T, F: Same<T>>(_value: F) {}

/// A field of exactly the type `output = .field as T` names.
#[diagnostic::on_unimplemented(
    message = "this field is a `{Self}`, but `output` says `{T}`",
    label = "`output` passes this field on as a `{T}`"
)]
pub trait OutputIs<T> {}
impl<T> OutputIs<T> for T {}

/// The path to the field `output` passes on, of exactly the type `T`.
pub fn output_field<T, F: OutputIs<T>>(field: Lens<F>) -> Lens<F> {
    field
}

/// The path to a field that can hold a `T`.
pub fn holds_field<T, F: Holds<T>>(field: Lens<F>) -> Lens<F> {
    field
}

/// The path to a number of seconds.
pub fn seconds_field<F: Seconds>(field: Lens<F>) -> Lens<F> {
    field
}

/// A task whose function fails with `E`: `retry`/`catch` may name `E`'s variants.
#[diagnostic::on_unimplemented(
    message = "`retry`/`catch` names an error of type `{E}`, but the task `{Self}` does not fail with it",
    label = "not an error this task returns",
    note = "a task's errors are the error type of its function's `Result`, and for a service integration its service's errors (`stepfn::aws::Lambda`, `Sqs`, `DynamoDb`...); `States` errors such as `States::Timeout` or `States::ALL` apply to every task"
)]
///
/// `#[task]` implements it for its error type and its service's (a blanket impl over `Task::Error` would
/// make rustc report a projection mismatch instead of this message).
pub trait FailsWith<E> {}

/// Checks, never run, that the task `T` fails with errors of type `E`.
pub fn fails_with<T: FailsWith<E>, E>() {}

/// The type a task's second argument refers to: only `TaskContext`.
#[diagnostic::on_unimplemented(
    message = "the second argument of a #[task] is `&stepfn::TaskContext`, not `&{Self}`",
    label = "not `stepfn::TaskContext`",
    note = "a task takes its input first and, optionally, `ctx: &stepfn::TaskContext` second"
)]
pub trait TaskContextArgument {
    /// The context as the argument's type.
    fn from_context(context: &TaskContext) -> &Self;
}
impl TaskContextArgument for TaskContext {
    fn from_context(context: &TaskContext) -> &Self {
        context
    }
}

/// Hands a task function its context, as the type its second argument names.
pub fn task_context_argument<T: ?Sized + TaskContextArgument>(context: &TaskContext) -> &T {
    T::from_context(context)
}

/// A field a Choice rule may compare with a variant of the enum `E`: `E` itself or an
/// `Option<E>`.
#[diagnostic::on_unimplemented(
    message = "a Choice rule compares this field with a variant of `{E}`, but the field is a `{Self}`",
    label = "not a `{E}`",
    note = "an enum variant is compared with a field of that enum's type (or an `Option` of it)"
)]
pub trait VariantOperand<E> {}
impl<E> VariantOperand<E> for E {}
impl<E> VariantOperand<E> for Option<E> {}

/// The path to a field a Choice rule compares with a variant of `E`.
pub fn variant_field<F: VariantOperand<E>, E>(field: Lens<F>) -> Lens<F> {
    field
}

/// [`variant_field`] for a variant named without its enum (brought in by `use`).
pub fn variant_field_of<F: VariantOperand<E>, E>(field: Lens<F>, _variant: &E) -> Lens<F> {
    field
}

/// A variable a Choice rule compares with a number.
pub fn number_operand<F: NumberOperand>(_value: F) {}
/// A variable a Choice rule compares with a string.
pub fn string_operand<F: StringOperand>(_value: F) {}
/// A variable a Choice rule compares with a boolean.
pub fn boolean_operand<F: BooleanOperand>(_value: F) {}

/// Checks, never run, that a task calling an integration takes the action's request.
pub fn request_of<T: crate::aws::RequestOf<A>, A>() {}

/// Checks, never run, that a task calling an integration returns the action's response.
pub fn response_of<T: crate::aws::ResponseOf<A>, A>() {}
