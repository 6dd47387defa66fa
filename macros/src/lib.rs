//! Procedural macros of stepfn. Use them through the `stepfn` crate, which re-exports them.
//!
//! Macros here generate code and nothing else: they never write files, spawn tools or keep
//! state between invocations.

#![warn(missing_docs)]

mod duration;
mod payload;
mod task;
mod task_error;
mod workflow;

use proc_macro::TokenStream;
use quote::quote;
use syn::{parse_macro_input, LitStr};

/// Makes an `async fn` a task that `workflow!` states can run. See `stepfn::dsl`.
///
/// The function stays callable as written. Beside it, a marker type of the same name
/// implements `stepfn::Task`: the input, output and error types, the name, the `Resource`
/// (`resource = "arn:..."`, by default the placeholder `${FunctionNameArn}`), and
/// `timeout = "30s"` / `heartbeat = "10s"`.
///
/// ```
/// use stepfn::{task, Task};
///
/// #[task(resource = "arn:aws:lambda:eu-west-1:123456789012:function:greet", timeout = "10s")]
/// async fn greet(name: String, ctx: &stepfn::TaskContext) -> String {
///     format!("hello {name} from {}", ctx.state_name)
/// }
///
/// assert_eq!(<greet as Task>::RESOURCE, "arn:aws:lambda:eu-west-1:123456789012:function:greet");
/// assert_eq!(<greet as Task>::TIMEOUT_SECONDS, Some(10));
/// ```
#[proc_macro_attribute]
pub fn task(attr: TokenStream, item: TokenStream) -> TokenStream {
    task::expand(attr.into(), item.into()).into()
}

/// Gives each variant of an error enum its ASL error name (`Type.Variant`, or
/// `#[task_error(name = "...")]`), so `retry` and `catch` name variants.
///
/// ```
/// use stepfn::TaskError;
///
/// #[derive(Debug, TaskError)]
/// enum PaymentError {
///     #[task_error(name = "Payment.Declined")]
///     Declined,
///     Throttled { retry_after: u32 },
/// }
/// impl std::fmt::Display for PaymentError {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         write!(f, "{self:?}")
///     }
/// }
///
/// assert_eq!(PaymentError::Declined.error_name(), "Payment.Declined");
/// assert_eq!(PaymentError::name_of("Throttled"), Some("PaymentError.Throttled"));
/// ```
#[proc_macro_derive(TaskError, attributes(task_error))]
pub fn derive_task_error(input: TokenStream) -> TokenStream {
    task_error::expand(input.into()).into()
}

/// Gives `workflow!` the JSON name of each field of a struct, as serde writes it
/// (`rename`, `rename_all`), for the paths it emits (`.order_total` -> `$.orderTotal`).
///
/// ```
/// use stepfn::Payload;
///
/// #[derive(serde::Serialize, Payload)]
/// #[serde(rename_all = "camelCase")]
/// struct Order {
///     order_total: f64,
///     #[serde(rename = "ref")]
///     reference: String,
/// }
///
/// assert_eq!(Order::json_name("order_total"), "orderTotal");
/// assert_eq!(Order::json_name("reference"), "ref");
/// ```
#[proc_macro_derive(Payload, attributes(serde))]
pub fn derive_payload(input: TokenStream) -> TokenStream {
    payload::expand(input.into()).into()
}

/// A workflow: its states, their transitions and the types that flow between them, checked
/// when the crate compiles. See `stepfn::dsl` and the README's "Workflows in Rust".
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use stepfn::{task, workflow, Payload, Workflow};
///
/// #[derive(Serialize, Deserialize, Payload)]
/// struct Ticket { priority: u8, text: String }
///
/// #[task]
/// async fn page_on_call(ticket: Ticket) -> Ticket { ticket }
///
/// workflow! {
///     /// Pages someone for urgent tickets.
///     Triage(Ticket) -> Ticket {
///         start Route;
///         Route: choice {
///             when .priority >= 3 => Page,
///             else => Done,
///         }
///         Page: task page_on_call -> Done;
///         Done: succeed;
///     }
/// }
///
/// let machine = Triage::definition();
/// assert_eq!(machine.start_at, "Route");
/// assert!(Triage::asl_json().contains("NumericGreaterThanEquals"));
/// ```
#[proc_macro]
pub fn workflow(input: TokenStream) -> TokenStream {
    workflow::expand(input.into()).into()
}

/// Embeds an ASL definition file in the program, checked when the program compiles.
///
/// The path is relative to the crate's `Cargo.toml`, like `include_str!`'s is to the source
/// file. Every problem AWS would report becomes a compile error at the path literal; a valid
/// file expands to an expression of type `&'static stepfn::model::StateMachine`, parsed once per
/// process (on first use).
///
/// ```ignore
/// let machine: &stepfn::model::StateMachine = stepfn::include_asl!("workflows/order.asl.json");
/// ```
#[proc_macro]
pub fn include_asl(input: TokenStream) -> TokenStream {
    let literal = parse_macro_input!(input as LitStr);
    let relative = literal.value();
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_string());
    let path = std::path::Path::new(&root).join(&relative);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            return syn::Error::new(
                literal.span(),
                format!("cannot read {}: {e}", path.display()),
            )
            .to_compile_error()
            .into()
        }
    };
    if let Err(problems) = stepfn_codegen::check(&text, &stepfn_codegen::CheckOptions::default()) {
        let mut errors = problems.iter().map(|p| {
            syn::Error::new(
                literal.span(),
                format!("{relative}: {}: {}", p.location(), p.message),
            )
        });
        let mut first = errors
            .next()
            .expect("a failed check reports at least one problem");
        for e in errors {
            first.combine(e);
        }
        return first.to_compile_error().into();
    }
    let absolute = path.display().to_string();
    quote! {{
        static MACHINE: ::std::sync::LazyLock<::stepfn::__private::StateMachine> =
            ::std::sync::LazyLock::new(|| {
                ::stepfn::__private::checked_definition(::core::include_str!(#absolute))
            });
        &*MACHINE
    }}
    .into()
}
