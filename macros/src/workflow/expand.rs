//! The code `workflow!` generates: the workflow type, its `Workflow` impl building the typed
//! model once per process through `__private`'s builders (at run time, so serde names and task
//! resources resolve through the `Payload` and `Task` impls), and a `const` block of never-run
//! type assertions placed at the user's tokens. Generated code names only
//! `::stepfn::__private::...`.

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{Ident, Lit};

use super::ast::Call;
use super::ast::*;
use super::check::{is_terminal, targets};
use super::context::ContextKind;
use crate::task::tag;

pub fn expand(workflow: &Workflow) -> syn::Result<TokenStream> {
    let mut cx = Cx::default();
    let input = &workflow.input;
    let output = &workflow.output;
    // Before the states: templates read it (`context.execution.input`).
    cx.workflow_input = quote!(#input);
    cx.collect_variables(&workflow.body);
    let body = cx.body_model(&workflow.body);
    let (types, _) = cx.body_types(
        &workflow.body,
        (quote!(#input), tag(input)),
        Some((quote!(#output), tag(output))),
    )?;
    let Workflow {
        attrs,
        vis,
        name,
        timeout,
        jsonata,
        ..
    } = workflow;
    let comment = option_str(super::parse::doc_comment(attrs).as_deref());
    let timeout = match timeout {
        Some(t) => quote!(::core::option::Option::Some(#t)),
        None => quote!(::core::option::Option::None),
    };
    let registrations = &cx.registrations;
    let schema_entries = &cx.schema_entries;
    let task_states = &cx.task_states;
    let checks = &cx.checks;
    let markers = &cx.markers;
    Ok(quote! {
        #(#attrs)*
        #vis struct #name;

        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code, clippy::all)]
        const _: () = {
            #(#markers)*
            #types
            #(#checks)*

            #[automatically_derived]
            impl ::stepfn::__private::Workflow for #name {
                type Input = #input;
                type Output = #output;

                fn definition() -> &'static ::stepfn::__private::StateMachine {
                    static DEFINITION: ::std::sync::LazyLock<::stepfn::__private::StateMachine> =
                        ::std::sync::LazyLock::new(|| {
                            ::stepfn::__private::machine(#body, #comment, #timeout, #jsonata)
                        });
                    &DEFINITION
                }

                fn executor() -> &'static ::stepfn::__private::Executor {
                    static EXECUTOR: ::std::sync::LazyLock<::stepfn::__private::Executor> =
                        ::std::sync::LazyLock::new(|| {
                            ::stepfn::__private::Executor::new(<#name as ::stepfn::__private::Workflow>::definition().clone())
                        });
                    &EXECUTOR
                }

                fn tasks() -> ::stepfn::__private::TaskRegistry {
                    let registry = ::stepfn::__private::TaskRegistry::new();
                    #(#registrations)*
                    registry
                }

                fn task_states() -> ::std::vec::Vec<(&'static str, ::core::any::TypeId)> {
                    ::std::vec![#(#task_states),*]
                }

                fn task_schemas() -> ::std::vec::Vec<(&'static str, ::stepfn::__private::serde_json::Value, ::stepfn::__private::serde_json::Value)> {
                    let mut schemas = ::std::vec::Vec::new();
                    #(#schema_entries)*
                    schemas
                }
            }
        };
    })
}

fn option_str(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    }
}

fn next_of(target: &Target) -> TokenStream {
    match target {
        Target::State(n) => {
            let n = n.to_string();
            quote!(::core::option::Option::Some(#n))
        }
        Target::End(_) => quote!(::core::option::Option::None),
    }
}

fn marker(name: &Ident) -> Ident {
    format_ident!("__stepfn_state_{}", name)
}

/// A read of `$name.path`: its JSONPath (`$name.a`, the fields in serde's names) and the
/// value of its type for the check. Unassigned variables were reported by the checks.
fn variable_parts(
    variables: &Variables,
    name: &Ident,
    path: &FieldPath,
) -> (TokenStream, TokenStream) {
    let span = path.fields.last().map_or(name.span(), Ident::span);
    let Some((root, assigned)) = variables.get(&name.to_string()).and_then(|v| v.first()) else {
        return (
            quote!(::std::string::String::new()),
            quote_spanned!(span=> ::stepfn::__private::value_of()),
        );
    };
    let mut full = assigned.clone();
    full.fields.extend(path.fields.iter().cloned());
    let base_lens = lens_from(root.clone(), assigned);
    let full_lens = lens_from(root.clone(), &full);
    let text = name.to_string();
    let json = quote!(::stepfn::__private::variable_path(#text, &#full_lens.json_path(), &#base_lens.json_path()));
    let value = typed_value(root, &full, span);
    (json, value)
}

/// `output = .x as T` (OutputPath) read from a value of type `before_output` (the state's value
/// after ResultPath): the part passed on must be a `T`.
fn output_path(before_output: TokenStream, output: Option<&(FieldPath, syn::Type)>) -> TokenStream {
    match output {
        Some((path, ty)) => {
            let lens = checked_lens_from(
                before_output,
                path,
                quote!(::stepfn::__private::output_field::<#ty, _>),
            );
            quote!(::core::option::Option::Some(&#lens.json_path()))
        }
        None => quote!(::core::option::Option::None),
    }
}

/// A value of the type of the field `path` of a `root`, for the never-run checks, placed at
/// `span`.
fn typed_value(root: &TokenStream, path: &FieldPath, span: Span) -> TokenStream {
    let mut access = quote!(::stepfn::__private::value_of::<#root>());
    for f in &path.fields {
        access = quote!(#access.#f);
    }
    respan(quote!(::stepfn::__private::copy_of(&#access)), span)
}

/// The marker holding a Parallel's or Map's result type before `result_path` and `output`.
fn raw_marker(name: &Ident) -> Ident {
    format_ident!("__stepfn_raw_{}", name)
}

#[derive(Default)]
struct Cx {
    registrations: Vec<TokenStream>,
    /// `(state name, TypeId of its task)` for every Task state.
    task_states: Vec<TokenStream>,
    schema_entries: Vec<TokenStream>,
    checks: Vec<TokenStream>,
    markers: Vec<TokenStream>,
    check_count: usize,
    /// The workflow's input type, the type of `context.execution.input`.
    workflow_input: TokenStream,
    /// Each variable's assignments: the type its `assign` path starts from and the path. The
    /// first gives the variable its type; the others must agree.
    variables: Variables,
}

/// Each variable's assignments: the type its `assign` path starts from, and the path.
type Variables = HashMap<String, Vec<(TokenStream, FieldPath)>>;

/// How a state's input type is found.
#[derive(Clone)]
enum InputSource {
    /// Written or fixed: the tokens of the type and its tag.
    Given(TokenStream, TokenStream),
    /// The output of another state.
    From(Ident),
    /// A catcher's Error Output.
    Error,
    /// A catcher with `result_path`: the input of the state it caught for.
    InputOf(Ident),
}

impl Cx {
    fn body_model(&mut self, body: &Body) -> TokenStream {
        let start = body
            .start
            .as_ref()
            .map(Ident::to_string)
            .unwrap_or_default();
        let states: Vec<TokenStream> = body
            .states
            .iter()
            .map(|s| {
                let name = s.name.to_string();
                let model = self.state_model(s);
                quote!((#name, #model))
            })
            .collect();
        quote!(::stepfn::__private::states(#start, ::std::vec![#(#states),*]))
    }

    fn state_model(&mut self, state: &StateDef) -> TokenStream {
        let model = self.state_kind_model(state);
        if state.assign.is_empty() {
            return model;
        }
        let root = assign_root(state);
        let values: Vec<TokenStream> = state
            .assign
            .iter()
            .map(|(variable, path)| {
                let name = variable.to_string();
                let lens = lens_from(root.clone(), path);
                quote!((#name, #lens.json_path()))
            })
            .collect();
        quote!(::stepfn::__private::with_assign(#model, ::std::vec![#(#values),*]))
    }

    fn state_kind_model(&mut self, state: &StateDef) -> TokenStream {
        let comment = option_str(state.comment.as_deref());
        let name = state.name.to_string();
        match &state.kind {
            Kind::Task {
                task,
                input,
                result_path,
                parameters,
                result_selector,
                output,
                next,
                handling,
            } => {
                self.registrations.push(quote! {
                    let registry = ::stepfn::__private::register::<#task>(registry, #name);
                });
                self.task_states
                    .push(quote!((#name, ::core::any::TypeId::of::<#task>())));
                self.schema_entries.push(quote! {
                    if let ::core::option::Option::Some((input, output)) = <#task as ::stepfn::__private::Task>::schemas() {
                        schemas.push((#name, input, output));
                    }
                });
                let (retry, catch) =
                    self.handling_model(&state.name, handling, Some(&quote!(#task)));
                let next = next_of(next);
                let m = marker(&state.name);
                let state_input = quote!(<#m as ::stepfn::__private::StateTypes>::In);
                // What the state's result is before shaping: the function's output, or the
                // response carrying it (`lambda:invoke`).
                let task_output = quote!(<#task as ::stepfn::__private::Task>::Result);
                // The task takes exactly the selected part; the result fits where it goes.
                let same = quote!(::stepfn::__private::same_field::<<#task as ::stepfn::__private::Task>::Input, _>);
                let input = match input {
                    None => quote!(::core::option::Option::None),
                    Some(TaskInput::Field(path)) => optional_path(&state.name, Some(path), same),
                    Some(TaskInput::ExecutionInput(path)) => {
                        let lens = checked_lens_from(self.workflow_input.clone(), path, same);
                        quote!(::core::option::Option::Some(&::stepfn::__private::execution_input_path(&#lens.json_path())))
                    }
                    Some(TaskInput::Variable(name, path)) => {
                        // The variable's field, checked by a closure that is never called.
                        let (json, typed) = variable_parts(&self.variables, name, path);
                        let span = path.fields.last().map_or(name.span(), Ident::span);
                        let check = respan(
                            quote!(::stepfn::__private::same_value::<<#task as ::stepfn::__private::Task>::Input, _>(#typed)),
                            span,
                        );
                        quote!({
                            let _ = || #check;
                            ::core::option::Option::Some(&#json)
                        })
                    }
                };
                let result_ty = match result_selector {
                    Some(t) => {
                        let ty = &t.ty;
                        quote!(#ty)
                    }
                    None => task_output.clone(),
                };
                let has_result_path = result_path.is_some();
                let result_path = optional_path(
                    &state.name,
                    result_path.as_ref(),
                    quote!(::stepfn::__private::holds_field::<#result_ty, _>),
                );
                let parameters = self.template(
                    parameters.as_ref(),
                    &state_input,
                    None,
                    quote!(<#task as ::stepfn::__private::Task>::Input),
                );
                let result_selector = self.template(
                    result_selector.as_ref(),
                    &task_output,
                    None,
                    result_ty.clone(),
                );
                // OutputPath reads the value after ResultPath: the input with the result in it,
                // or the result.
                let before_output = if has_result_path {
                    state_input.clone()
                } else {
                    result_ty
                };
                let output = output_path(before_output, output.as_ref());
                quote!(::stepfn::__private::task_state::<#task>(#comment, #input, #parameters, #result_selector, #result_path, #output, #next, #retry, #catch))
            }
            Kind::Pass {
                parameters: Some(t),
                next,
                ..
            } => {
                let m = marker(&state.name);
                let ty = &t.ty;
                let parameters = self.template(
                    Some(t),
                    &quote!(<#m as ::stepfn::__private::StateTypes>::In),
                    None,
                    quote!(#ty),
                );
                let next = next_of(next);
                quote!(::stepfn::__private::pass_parameters(#comment, #parameters, #next))
            }
            Kind::Pass { result, next, .. } => {
                let result = match result {
                    Some(r) => quote!(::core::option::Option::Some(::stepfn::__private::json(#r))),
                    None => quote!(::core::option::Option::None),
                };
                let next = next_of(next);
                quote!(::stepfn::__private::pass_state(#comment, #result, #next))
            }
            Kind::Wait { wait, next } => {
                let (seconds, ts) = match wait {
                    WaitFor::Seconds(n) => (
                        quote!(::core::option::Option::Some(#n)),
                        quote!(::core::option::Option::None),
                    ),
                    WaitFor::Until(t) => (
                        quote!(::core::option::Option::None),
                        quote!(::core::option::Option::Some(#t)),
                    ),
                    WaitFor::SecondsField(_) | WaitFor::UntilField(_) => (
                        quote!(::core::option::Option::None),
                        quote!(::core::option::Option::None),
                    ),
                };
                let seconds_path = match wait {
                    WaitFor::SecondsField(p) => optional_path(
                        &state.name,
                        Some(p),
                        quote!(::stepfn::__private::seconds_field),
                    ),
                    _ => quote!(::core::option::Option::None),
                };
                let timestamp_path = match wait {
                    WaitFor::UntilField(p) => optional_path(
                        &state.name,
                        Some(p),
                        quote!(::stepfn::__private::string_field),
                    ),
                    _ => quote!(::core::option::Option::None),
                };
                let next = next_of(next);
                quote!(::stepfn::__private::wait_state(#comment, #seconds, #ts, #seconds_path, #timestamp_path, #next))
            }
            Kind::Succeed => quote!(::stepfn::__private::succeed_state(#comment)),
            Kind::Fail { error, cause } => {
                let error = option_str(error.as_ref().map(|e| e.value()).as_deref());
                let cause = option_str(cause.as_ref().map(|c| c.value()).as_deref());
                quote!(::stepfn::__private::fail_state(#comment, #error, #cause))
            }
            Kind::Choice { rules, default, .. } => {
                let rules: Vec<TokenStream> = rules
                    .iter()
                    .map(|r| {
                        let condition = condition_model(
                            &state.name,
                            &r.condition,
                            &self.variables,
                            &self.workflow_input,
                        );
                        let next = r.next.to_string();
                        quote!((#condition, #next))
                    })
                    .collect();
                let default = option_str(default.as_ref().map(Ident::to_string).as_deref());
                quote!(::stepfn::__private::choice_state(#comment, ::std::vec![#(#rules),*], #default))
            }
            Kind::Parallel {
                branches,
                next,
                handling,
                shape,
                ..
            } => {
                let branches: Vec<TokenStream> =
                    branches.iter().map(|b| self.body_model(b)).collect();
                let (retry, catch) = self.handling_model(&state.name, handling, None);
                let next = next_of(next);
                let model = quote!(::stepfn::__private::parallel_state(#comment, ::std::vec![#(#branches),*], #next, #retry, #catch));
                self.shape_model(state, shape, model)
            }
            Kind::Map {
                item,
                items,
                items_variable,
                max_concurrency,
                distributed,
                item_selector,
                batch,
                body,
                next,
                handling,
                shape,
                batch_input,
            } => {
                let processor = self.body_model(body);
                let m = marker(&state.name);
                let item_ty = quote!(#item);
                let selector = match item_selector {
                    Some(t) => {
                        let ty = &t.ty;
                        self.template(
                            Some(t),
                            &quote!(<#m as ::stepfn::__private::StateTypes>::In),
                            Some(&item_ty),
                            quote!(#ty),
                        )
                    }
                    None => quote!(::core::option::Option::None),
                };
                let batch = match batch {
                    Some(n) => quote!(::core::option::Option::Some(#n)),
                    None => quote!(::core::option::Option::None),
                };
                let distributed = match distributed {
                    None => quote!(::core::option::Option::None),
                    Some(d) => {
                        let reader = match &d.reader {
                            Some(r) => {
                                let (input_type, bucket, key) = (r.input_type, &r.bucket, &r.key);
                                let headers = match &r.csv_headers {
                                    Some(h) => {
                                        quote!(::core::option::Option::Some(::std::vec![#(#h),*]))
                                    }
                                    None => quote!(::core::option::Option::None),
                                };
                                let delimiter = option_str(r.csv_delimiter);
                                let max_items = match r.max_items {
                                    Some(n) => quote!(::core::option::Option::Some(#n)),
                                    None => quote!(::core::option::Option::None),
                                };
                                quote!(::core::option::Option::Some(::stepfn::__private::Reader {
                                    input_type: #input_type,
                                    bucket: #bucket,
                                    key: #key,
                                    csv_headers: #headers,
                                    csv_delimiter: #delimiter,
                                    max_items: #max_items,
                                }))
                            }
                            None => quote!(::core::option::Option::None),
                        };
                        let pct = match d.tolerated_failure_percentage {
                            Some(p) => quote!(::core::option::Option::Some(#p)),
                            None => quote!(::core::option::Option::None),
                        };
                        let count = match d.tolerated_failure_count {
                            Some(c) => quote!(::core::option::Option::Some(#c)),
                            None => quote!(::core::option::Option::None),
                        };
                        let writer = match &d.writer {
                            Some((bucket, prefix)) => {
                                quote!(::core::option::Option::Some((#bucket, #prefix)))
                            }
                            None => quote!(::core::option::Option::None),
                        };
                        quote!(::core::option::Option::Some(::stepfn::__private::Distributed { reader: #reader, writer: #writer, tolerated_failure_percentage: #pct, tolerated_failure_count: #count }))
                    }
                };
                let items = match (items, items_variable) {
                    (_, Some((name, path))) => {
                        // Checked by a closure that is never called: a sequence of items.
                        let (json, typed) = variable_parts(&self.variables, name, path);
                        let span = path.fields.last().map_or(name.span(), Ident::span);
                        let check = respan(
                            quote!(::stepfn::__private::items_value::<#item, _>(#typed)),
                            span,
                        );
                        quote!(::core::option::Option::Some(&{
                            let _ = || #check;
                            #json
                        }))
                    }
                    (Some(path), None) => {
                        let lens = checked_lens(
                            &state.name,
                            path,
                            quote!(::stepfn::__private::items_field::<#item, _>),
                        );
                        quote!(::core::option::Option::Some(&#lens.json_path()))
                    }
                    (None, None) => quote!(::core::option::Option::None),
                };
                let max = match max_concurrency {
                    Some(n) => quote!(::core::option::Option::Some(#n)),
                    None => quote!(::core::option::Option::None),
                };
                let (retry, catch) = self.handling_model(&state.name, handling, None);
                let next = next_of(next);
                let batch_input = match batch_input {
                    Some(t) => {
                        let ty = &t.ty;
                        self.template(
                            Some(t),
                            &quote!(<#m as ::stepfn::__private::StateTypes>::In),
                            None,
                            quote!(#ty),
                        )
                    }
                    None => quote!(::core::option::Option::None),
                };
                let model = quote!(::stepfn::__private::with_batch_input(::stepfn::__private::map_state(#comment, #items, #max, #distributed, #selector, #batch, #processor, #next, #retry, #catch), #batch_input));
                self.shape_model(state, shape, model)
            }
        }
    }

    /// `Retry` and `Catch` as the model builds them; `task` is the Task state's task, whose error
    /// type every variant named must belong to.
    fn handling_model(
        &mut self,
        state: &Ident,
        handling: &Handling,
        task: Option<&TokenStream>,
    ) -> (TokenStream, TokenStream) {
        let retry: Vec<TokenStream> = handling
            .retry
            .iter()
            .map(|r| {
                let errors = self.error_names(&r.errors, task);
                let opt = |v: Option<u64>| match v {
                    Some(n) => quote!(::core::option::Option::Some(#n)),
                    None => quote!(::core::option::Option::None),
                };
                let (interval, attempts, delay) =
                    (opt(r.interval), opt(r.max_attempts), opt(r.max_delay));
                let backoff = match r.backoff {
                    Some(b) => quote!(::core::option::Option::Some(#b)),
                    None => quote!(::core::option::Option::None),
                };
                let jitter = r.jitter_full;
                quote!(::stepfn::__private::retrier(#errors, #interval, #attempts, #backoff, #delay, #jitter))
            })
            .collect();
        let catch: Vec<TokenStream> = handling
            .catch
            .iter()
            .map(|c| {
                let errors = self.error_names(&c.errors, task);
                let next = c.next.to_string();
                let result_path = optional_path(
                    state,
                    c.result_path.as_ref(),
                    quote!(::stepfn::__private::holds_field::<::stepfn::__private::ErrorOutput, _>),
                );
                quote!(::stepfn::__private::catcher(#errors, #next, #result_path))
            })
            .collect();
        (
            quote!(::std::vec![#(#retry),*]),
            quote!(::std::vec![#(#catch),*]),
        )
    }

    /// The `ErrorEquals` names; for a Task state (`task`), each enum variant is checked to be one
    /// of the errors the task's function returns.
    fn error_names(&mut self, errors: &[ErrorRef], task: Option<&TokenStream>) -> TokenStream {
        let names: Vec<TokenStream> = errors
            .iter()
            .map(|e| match e {
                ErrorRef::States(ident) => {
                    let name = format!("States.{ident}");
                    quote!(::std::string::String::from(#name))
                }
                ErrorRef::Variant(path) => {
                    let mut enum_path = path.clone();
                    let variant = enum_path
                        .segments
                        .pop()
                        .map(|p| p.into_value().ident.to_string())
                        .unwrap_or_default();
                    // `pop` leaves a trailing `::`; rebuild the segments without it.
                    let segments: Vec<_> = enum_path.segments.iter().cloned().collect();
                    enum_path.segments = segments.into_iter().collect();
                    if let Some(task) = task {
                        // The enum must be the task's error type (a trait bound, so that a task
                        // that cannot fail is reported as such) and the variant one of its own.
                        let check = self.next_check_name();
                        let span = path
                            .segments
                            .last()
                            .map_or(Span::call_site(), |s| s.ident.span());
                        let enum_span = path.segments.first().map_or(span, |s| s.ident.span());
                        // rustc reports an unmet bound at the type argument, so the task's
                        // tokens take the error's span: the message lands on the named enum.
                        let task_here = respan(task.clone(), enum_span);
                        let fails_with = quote_spanned! {enum_span=>
                            ::stepfn::__private::fails_with::<#task_here, #enum_path>()
                        };
                        self.checks.push(quote_spanned! {span=>
                            fn #check(error: &#enum_path) -> bool {
                                #fails_with;
                                ::core::matches!(error, #path { .. })
                            }
                        });
                    }
                    quote!(::stepfn::__private::error_name::<#enum_path>(#variant))
                }
            })
            .collect();
        quote!(::std::vec![#(#names),*])
    }

    /// A struct template as JSON (`Some(..)`, or `None` when absent), and the never-run
    /// function that makes rustc build the same struct from a `source` into a `target`.
    fn template(
        &mut self,
        template: Option<&StructTemplate>,
        source: &TokenStream,
        item: Option<&TokenStream>,
        target: TokenStream,
    ) -> TokenStream {
        let Some(t) = template else {
            return quote!(::core::option::Option::None);
        };
        let (model, literal) = self.template_parts(t, source, item);
        let check = self.next_check_name();
        let item_param = item.map(|i| quote!(, item: &#i));
        self.checks.push(quote! {
            fn #check(value: &#source #item_param) -> #target {
                #literal
            }
        });
        quote!(::core::option::Option::Some(#model))
    }

    /// A struct template's model (a `Template`) and the struct literal the never-run check
    /// builds from `value` (and `item`); nested struct templates recurse.
    fn template_parts(
        &mut self,
        t: &StructTemplate,
        source: &TokenStream,
        item: Option<&TokenStream>,
    ) -> (TokenStream, TokenStream) {
        let ty = &t.ty;
        let mut json_fields = Vec::new();
        let mut literal_fields = Vec::new();
        for (field, value) in &t.fields {
            let name = field.to_string();
            let json_name = quote!(<#ty as ::stepfn::__private::Payload>::json_name(#name));
            let (json, literal) = self.value_parts(value, field.span(), source, item);
            json_fields.push(quote!((#json_name, #json)));
            literal_fields.push(quote!(#field: #literal));
        }
        (
            quote!(::stepfn::__private::template(
                ::std::vec![#(#json_fields),*]
            )),
            if t.rest {
                quote!(#ty { #(#literal_fields,)* ..::stepfn::__private::value_of() })
            } else {
                quote!(#ty { #(#literal_fields),* })
            },
        )
    }

    /// One value of a template: its `TemplateField` and the expression the never-run check
    /// puts in its place (`span` is the member's, for errors about the value as a whole).
    fn value_parts(
        &mut self,
        value: &TemplateValue,
        span: Span,
        source: &TokenStream,
        item: Option<&TokenStream>,
    ) -> (TokenStream, TokenStream) {
        let json: TokenStream;
        let literal: TokenStream;
        match value {
            TemplateValue::Path(path) => {
                let lens = lens_from(source.clone(), path);
                json = quote!(::stepfn::__private::TemplateField::Path(#lens.json_path()));
                let access = value_access(path);
                let span = path.fields.last().map_or(span, Ident::span);
                let copy = respan(quote!(::stepfn::__private::copy_of(&#access)), span);
                literal = quote!(#copy);
            }
            TemplateValue::Item(path) => {
                let item_ty = item.cloned().unwrap_or_else(|| quote!(()));
                let lens = lens_from(item_ty, path);
                json = quote!(::stepfn::__private::TemplateField::Path(::stepfn::__private::map_item_path(&#lens.json_path())));
                let mut access = quote_spanned!(span=> item);
                for f in &path.fields {
                    access = quote_spanned!(f.span()=> #access.#f);
                }
                let span = path.fields.last().map_or(span, Ident::span);
                let copy = respan(quote!(::stepfn::__private::copy_of(&#access)), span);
                literal = quote!(#copy);
            }
            TemplateValue::Index(index) => {
                json = quote!(::stepfn::__private::TemplateField::Path(
                    ::std::string::String::from("$$.Map.Item.Index")
                ));
                let value = respan(quote!(::stepfn::__private::index_value()), index.span());
                literal = quote!(#value);
            }
            TemplateValue::Context(context, span) => {
                let asl = context.asl;
                json = quote!(::stepfn::__private::TemplateField::Path(::std::string::String::from(#asl)));
                let value = match context.kind {
                    ContextKind::Text => quote!(::stepfn::__private::context_text()),
                    ContextKind::Count => quote!(::stepfn::__private::context_count()),
                    ContextKind::ExecutionInput => {
                        let input = &self.workflow_input;
                        quote!(::stepfn::__private::value_of::<#input>())
                    }
                    ContextKind::ItemValue => match item {
                        Some(item) => quote!(::stepfn::__private::value_of::<#item>()),
                        None => quote!(::stepfn::__private::value_of::<()>()),
                    },
                };
                if context.asl.starts_with("$$.Map.") && item.is_none() {
                    let message = format!(
                        "`context.{}` is only known inside a Map's `item_selector`",
                        context.dsl
                    );
                    self.checks
                        .push(quote_spanned!(*span=> ::core::compile_error!(#message);));
                }
                let value = respan(value, *span);
                literal = quote!(#value);
            }
            TemplateValue::Variable { name, path } => {
                let (path_text, value) = variable_parts(&self.variables, name, path);
                json = quote!(::stepfn::__private::TemplateField::Path(#path_text));
                literal = quote!(#value);
            }
            TemplateValue::Call(call) => {
                let (text, check) = self.call_parts(call, source, item, false);
                json = quote!(::stepfn::__private::TemplateField::Intrinsic(#text));
                literal = quote!(#check);
            }
            TemplateValue::Struct(nested) => {
                let (model, nested_literal) = self.template_parts(nested, source, item);
                json = quote!(::stepfn::__private::TemplateField::Nested(#model));
                literal = nested_literal;
            }
            TemplateValue::Some(inner, span) => {
                // An optional member given a value: the JSON is the value's.
                let (inner_json, inner_literal) = self.value_parts(inner, *span, source, item);
                json = inner_json;
                literal = respan(quote!(::core::option::Option::Some(#inner_literal)), *span);
            }
            TemplateValue::Array(elements, span) => {
                // JSONPath evaluates `.$` members of objects inside an array, never an element
                // itself.
                let computed = elements.iter().any(|e| {
                    !matches!(
                        e,
                        TemplateValue::Literal(_)
                            | TemplateValue::Struct(_)
                            | TemplateValue::Array(..)
                    )
                });
                if computed {
                    let _ = self.misplaced(
                        *span,
                        "an array in a template holds literals and structs: a path, variable, context field or call cannot be an element (build the array with `array(.a, .b)`, or wrap each element in a struct)",
                    );
                }
                let (jsons, literals): (Vec<_>, Vec<_>) = elements
                    .iter()
                    .map(|e| self.value_parts(e, *span, source, item))
                    .unzip();
                json = quote!(::stepfn::__private::TemplateField::Array(
                    ::std::vec![#(#jsons),*]
                ));
                literal = respan(quote!(::std::vec![#(#literals),*]), *span);
            }
            TemplateValue::Literal(lit) => {
                json = quote!(::stepfn::__private::TemplateField::Literal(::stepfn::__private::json(#lit)));
                let value = match lit {
                    Lit::Str(_) => quote!(::core::convert::Into::into(#lit)),
                    _ => quote!(#lit),
                };
                literal = quote!(#value);
            }
        }
        (json, literal)
    }

    /// Where every variable is assigned, and the checks that its assignments agree on a type.
    fn collect_variables(&mut self, body: &Body) {
        for state in &body.states {
            let root = assign_root(state);
            for (name, path) in &state.assign {
                let entry = self.variables.entry(name.to_string()).or_default();
                if let Some((first_root, first_path)) = entry.first() {
                    // Two assignments of one variable give it one type.
                    let first = typed_value(first_root, first_path, name.span());
                    let span = path.fields.last().map_or(name.span(), Ident::span);
                    let this = typed_value(&root, path, span);
                    let check = format_ident!("__stepfn_variable_{}_{}", name, entry.len());
                    self.checks.push(quote_spanned! {span=>
                        fn #check() {
                            let _ = [#first, #this];
                        }
                    });
                }
                entry.push((root.clone(), path.clone()));
            }
            match &state.kind {
                Kind::Parallel { branches, .. } => {
                    for b in branches {
                        self.collect_variables(b);
                    }
                }
                Kind::Map { body, .. } => self.collect_variables(body),
                _ => {}
            }
        }
    }

    /// An intrinsic call's ASL text (built when the definition is) and the expression the
    /// never-run check computes it with, whose type is the call's result.
    fn call_parts(
        &mut self,
        call: &Call,
        source: &TokenStream,
        item: Option<&TokenStream>,
        nested: bool,
    ) -> (TokenStream, TokenStream) {
        let asl = call.function.asl;
        let mut parts = Vec::new();
        let mut checks = Vec::new();
        for (position, arg) in call.args.iter().enumerate() {
            if position == 0 && call.function.dsl == "format" {
                // The template: checked a string literal when parsed.
                if let TemplateValue::Literal(lit) = arg {
                    parts.push(quote!(::stepfn::__private::intrinsic::IntrinsicPart::FormatTemplate(::std::string::String::from(#lit))));
                    checks.push(quote!(#lit));
                }
                continue;
            }
            let (part, check) = self.argument_parts(arg, source, item);
            parts.push(part);
            checks.push(check);
        }
        if call.function.dsl == "json_merge" {
            parts.push(quote!(
                ::stepfn::__private::intrinsic::IntrinsicPart::Literal(
                    ::stepfn::__private::serde_json::Value::Bool(false)
                )
            ));
        }
        let text =
            quote!(::stepfn::__private::intrinsic::call_text(#asl, ::std::vec![#(#parts),*]));
        let name = Ident::new(call.function.dsl, call.name.span());
        // Inside another call nothing else fixes what these give: JSON, as the state sees it.
        let json = quote!(::stepfn::__private::serde_json::Value);
        let function = match (nested, call.function.dsl) {
            (true, "string_to_json" | "array") => quote!(#name::<#json>),
            (true, "json_merge") => quote!(#name::<#json, _, _>),
            _ => quote!(#name),
        };
        let check = match call.function.dsl {
            // Any number of arguments of any type: each is evaluated, the result typed.
            "format" => {
                let (template, rest) = checks
                    .split_first()
                    .map_or((quote!(""), &[][..]), |(t, r)| (t.clone(), r));
                quote!({ let _ = (#(#rest,)*); ::stepfn::__private::intrinsic::#function(#template) })
            }
            "array" => {
                quote!({ let _ = (#(#checks,)*); ::stepfn::__private::intrinsic::#function() })
            }
            _ => quote!(::stepfn::__private::intrinsic::#function(#(#checks),*)),
        };
        (text, check)
    }

    /// One argument of an intrinsic call: its part of the call's text, and a reference to a
    /// value of its type for the check.
    fn argument_parts(
        &mut self,
        arg: &TemplateValue,
        source: &TokenStream,
        item: Option<&TokenStream>,
    ) -> (TokenStream, TokenStream) {
        let part = |kind: TokenStream| quote!(::stepfn::__private::intrinsic::IntrinsicPart::#kind);
        match arg {
            TemplateValue::Path(path) => {
                let lens = lens_from(source.clone(), path);
                let access = value_access(path);
                let span = path.fields.last().map_or(Span::call_site(), Ident::span);
                (
                    part(quote!(Path(#lens.json_path()))),
                    respan(quote!(&#access), span),
                )
            }
            TemplateValue::Literal(lit) => (
                part(quote!(Literal(::stepfn::__private::json(#lit)))),
                quote_spanned!(lit.span()=> &#lit),
            ),
            TemplateValue::Item(path) => {
                let Some(item_ty) = item else {
                    return self.misplaced(
                        path.fields.first().map_or(Span::call_site(), Ident::span),
                        "`item` is only known inside a Map's `item_selector`",
                    );
                };
                let lens = lens_from(item_ty.clone(), path);
                let mut access = quote!(item);
                for f in &path.fields {
                    access = quote_spanned!(f.span()=> #access.#f);
                }
                let span = path.fields.last().map_or(Span::call_site(), Ident::span);
                (
                    part(quote!(Path(::stepfn::__private::map_item_path(&#lens.json_path())))),
                    respan(quote!(&#access), span),
                )
            }
            TemplateValue::Index(index) => {
                if item.is_none() {
                    return self.misplaced(
                        index.span(),
                        "`index` is only known inside a Map's `item_selector`",
                    );
                }
                (
                    part(quote!(Path(::std::string::String::from(
                        "$$.Map.Item.Index"
                    )))),
                    quote!(&::stepfn::__private::value_of::<u64>()),
                )
            }
            TemplateValue::Context(context, span) => {
                let asl = context.asl;
                let ty = match context.kind {
                    ContextKind::Text => quote!(::std::string::String),
                    ContextKind::Count => quote!(u64),
                    ContextKind::ExecutionInput => self.workflow_input.clone(),
                    ContextKind::ItemValue => match item {
                        Some(item) => item.clone(),
                        None => return self.misplaced(
                            *span,
                            "`context.map.item.value` is only known inside a Map's `item_selector`",
                        ),
                    },
                };
                let check = respan(quote!(&::stepfn::__private::value_of::<#ty>()), *span);
                (part(quote!(Path(::std::string::String::from(#asl)))), check)
            }
            TemplateValue::Variable { name, path } => {
                let (json, value) = variable_parts(&self.variables, name, path);
                (part(quote!(Path(#json))), quote!(&#value))
            }
            TemplateValue::Call(call) => {
                let (text, check) = self.call_parts(call, source, item, true);
                (part(quote!(Call(#text))), quote!(&#check))
            }
            TemplateValue::Struct(nested) => {
                let span = nested
                    .ty
                    .segments
                    .first()
                    .map_or(Span::call_site(), |s| s.ident.span());
                self.misplaced(span, "an intrinsic function takes paths, literals, the context or other calls, not a struct")
            }
            TemplateValue::Some(_, span) => self.misplaced(
                *span,
                "`Some(..)` fills an optional member of a template; an intrinsic function takes the value itself",
            ),
            TemplateValue::Array(_, span) => self.misplaced(
                *span,
                "an intrinsic function takes paths, literals, the context or other calls; build an array with `array(..)`",
            ),
        }
    }

    /// A value used where it cannot be: the error, and placeholders that keep the rest of the
    /// expansion well-formed.
    fn misplaced(&mut self, span: Span, message: &str) -> (TokenStream, TokenStream) {
        self.checks
            .push(quote_spanned!(span=> ::core::compile_error!(#message);));
        (
            quote!(::stepfn::__private::intrinsic::IntrinsicPart::Literal(
                ::stepfn::__private::serde_json::Value::Null
            )),
            quote!(&()),
        )
    }

    fn next_check_name(&mut self) -> Ident {
        self.check_count += 1;
        format_ident!("__stepfn_check_{}", self.check_count)
    }

    /// The marker types and flow assertions of one body. `input` is what enters its start
    /// state; `output` what its end states must give (`None`: the first end state's output).
    /// Returns the impls and the body's output type, for the Parallel or Map around it.
    fn body_types(
        &mut self,
        body: &Body,
        input: (TokenStream, TokenStream),
        output: Option<(TokenStream, TokenStream)>,
    ) -> syn::Result<(TokenStream, (TokenStream, TokenStream))> {
        let value = (
            quote!(::stepfn::__private::serde_json::Value),
            quote!(::stepfn::__private::Json),
        );
        let Some(start) = &body.start else {
            return Ok((TokenStream::new(), value));
        };
        // Where each state's input comes from, in declaration order.
        let mut incoming: HashMap<String, Vec<InputSource>> = HashMap::new();
        incoming
            .entry(start.to_string())
            .or_default()
            .push(InputSource::Given(input.0.clone(), input.1.clone()));
        for state in &body.states {
            for target in targets(state) {
                let source = if normal_target(state, target) {
                    InputSource::From(state.name.clone())
                } else if catch_keeps_input(state, target) {
                    InputSource::InputOf(state.name.clone())
                } else {
                    InputSource::Error
                };
                incoming.entry(target.to_string()).or_default().push(source);
            }
        }
        let by_name: HashMap<String, &StateDef> = body
            .states
            .iter()
            .map(|s| (s.name.to_string(), s))
            .collect();
        let mut impls = TokenStream::new();
        for state in &body.states {
            let m = marker(&state.name);
            self.markers.push(quote!(struct #m;));
            let (in_ty, in_tag) = input_of(state, &incoming, &by_name, &mut Vec::new())?;
            let (out_ty, out_tag) = self.output_of(state, &in_ty, &in_tag, &mut impls)?;
            impls.extend(quote! {
                impl ::stepfn::__private::StateTypes for #m {
                    type In = #in_ty;
                    type Out = #out_ty;
                    type InTag = #in_tag;
                    type OutTag = #out_tag;
                }
            });
        }
        // The body's input flows into its start state.
        let start_marker = marker(start);
        let (in_ty, in_tag) = input;
        self.checks.push(quote_spanned! {start.span()=>
            const _: () = ::stepfn::__private::assert_flows::<#in_ty, <#start_marker as ::stepfn::__private::StateTypes>::In, (#in_tag, <#start_marker as ::stepfn::__private::StateTypes>::InTag)>();
        });
        // Every transition carries the right type.
        for state in &body.states {
            let from = marker(&state.name);
            for target in targets(state) {
                if !by_name.contains_key(&target.to_string()) {
                    continue;
                }
                let to = marker(target);
                let (out_ty, out_tag) = if normal_target(state, target) {
                    (
                        quote!(<#from as ::stepfn::__private::StateTypes>::Out),
                        quote!(<#from as ::stepfn::__private::StateTypes>::OutTag),
                    )
                } else if catch_keeps_input(state, target) {
                    (
                        quote!(<#from as ::stepfn::__private::StateTypes>::In),
                        quote!(<#from as ::stepfn::__private::StateTypes>::InTag),
                    )
                } else {
                    (
                        quote!(::stepfn::__private::ErrorOutput),
                        quote!(::stepfn::__private::Exact),
                    )
                };
                self.checks.push(quote_spanned! {target.span()=>
                    const _: () = ::stepfn::__private::assert_flows::<#out_ty, <#to as ::stepfn::__private::StateTypes>::In, (#out_tag, <#to as ::stepfn::__private::StateTypes>::InTag)>();
                });
            }
        }
        // End states give the body's output.
        let ends: Vec<&StateDef> = body
            .states
            .iter()
            .filter(|s| is_terminal(s) && !matches!(s.kind, Kind::Fail { .. }))
            .collect();
        let (result_ty, result_tag) = match (output, ends.first()) {
            (Some(o), _) => o,
            (None, Some(first)) => {
                let m = marker(&first.name);
                (
                    quote!(<#m as ::stepfn::__private::StateTypes>::Out),
                    quote!(<#m as ::stepfn::__private::StateTypes>::OutTag),
                )
            }
            (None, None) => value,
        };
        for end in &ends {
            let m = marker(&end.name);
            let span = match &end.kind {
                Kind::Task {
                    next: Target::End(s),
                    ..
                }
                | Kind::Pass {
                    next: Target::End(s),
                    ..
                }
                | Kind::Wait {
                    next: Target::End(s),
                    ..
                }
                | Kind::Parallel {
                    next: Target::End(s),
                    ..
                }
                | Kind::Map {
                    next: Target::End(s),
                    ..
                } => *s,
                _ => end.name.span(),
            };
            self.checks.push(quote_spanned! {span=>
                const _: () = ::stepfn::__private::assert_flows::<<#m as ::stepfn::__private::StateTypes>::Out, #result_ty, (<#m as ::stepfn::__private::StateTypes>::OutTag, #result_tag)>();
            });
        }
        Ok((impls, (result_ty, result_tag)))
    }

    /// A Parallel's or Map's output type once its result (`raw`) went through `result_path`
    /// and `output`; the raw type is kept, for the checks of those paths, in a marker of its
    /// own.
    fn shaped_output(
        &mut self,
        state: &StateDef,
        shape: &Shape,
        raw: (TokenStream, TokenStream),
        in_ty: &TokenStream,
        in_tag: &TokenStream,
        impls: &mut TokenStream,
    ) -> (TokenStream, TokenStream) {
        let raw_marker = raw_marker(&state.name);
        let raw_ty = &raw.0;
        self.markers.push(quote!(struct #raw_marker;));
        impls.extend(quote! {
            impl ::stepfn::__private::RawResult for #raw_marker {
                type Raw = #raw_ty;
            }
        });
        match (&shape.output, &shape.result_path, &shape.result_selector) {
            (Some((_, ty)), _, _) => (quote!(#ty), tag(ty)),
            (None, Some(_), _) => (in_ty.clone(), in_tag.clone()),
            (None, None, Some(selector)) => {
                let ty = &selector.ty;
                let as_type: syn::Type = syn::parse_quote!(#ty);
                (quote!(#ty), tag(&as_type))
            }
            (None, None, None) => raw,
        }
    }

    /// `model` with the `ResultPath` and `OutputPath` of `shape`, each checked against the
    /// types it moves (the raw result must fit where it goes; the output part is the type
    /// written).
    fn shape_model(&mut self, state: &StateDef, shape: &Shape, model: TokenStream) -> TokenStream {
        if shape.result_path.is_none() && shape.output.is_none() && shape.result_selector.is_none()
        {
            return model;
        }
        let raw_marker = raw_marker(&state.name);
        let raw = quote!(<#raw_marker as ::stepfn::__private::RawResult>::Raw);
        let m = marker(&state.name);
        let state_input = quote!(<#m as ::stepfn::__private::StateTypes>::In);
        // What ResultSelector makes of the raw result is what ResultPath places.
        let selected = match &shape.result_selector {
            Some(selector) => {
                let ty = &selector.ty;
                quote!(#ty)
            }
            None => raw.clone(),
        };
        let result_selector =
            self.template(shape.result_selector.as_ref(), &raw, None, selected.clone());
        let result_path = optional_path(
            &state.name,
            shape.result_path.as_ref(),
            quote!(::stepfn::__private::holds_field::<#selected, _>),
        );
        let before_output = if shape.result_path.is_some() {
            state_input
        } else {
            selected
        };
        let output = output_path(before_output, shape.output.as_ref());
        quote!(::stepfn::__private::shaped(#model, #result_selector, #result_path, #output))
    }

    /// A state's output type; nested bodies add their impls to `impls`.
    fn output_of(
        &mut self,
        state: &StateDef,
        in_ty: &TokenStream,
        in_tag: &TokenStream,
        impls: &mut TokenStream,
    ) -> syn::Result<(TokenStream, TokenStream)> {
        Ok(match &state.kind {
            // OutputPath names the part passed on, with its type.
            Kind::Task {
                output: Some((_, ty)),
                ..
            } => (quote!(#ty), tag(ty)),
            // The result goes into the input: the output is the input.
            Kind::Task {
                result_path: Some(_),
                ..
            } => (in_ty.clone(), in_tag.clone()),
            Kind::Task {
                result_selector: Some(t),
                ..
            }
            | Kind::Pass {
                parameters: Some(t),
                ..
            } => {
                let ty = &t.ty;
                let as_type: syn::Type = syn::parse_quote!(#ty);
                (quote!(#ty), tag(&as_type))
            }
            Kind::Task { task, .. } => (
                quote!(<#task as ::stepfn::__private::Task>::Output),
                quote!(<#task as ::stepfn::__private::Task>::OutputTag),
            ),
            Kind::Pass {
                ty: Some(ty),
                result: Some(_),
                ..
            } => (quote!(#ty), tag(ty)),
            Kind::Pass {
                result: Some(_), ..
            }
            | Kind::Fail { .. } => (
                quote!(::stepfn::__private::serde_json::Value),
                quote!(::stepfn::__private::Json),
            ),
            Kind::Pass { .. } | Kind::Wait { .. } | Kind::Succeed | Kind::Choice { .. } => {
                (in_ty.clone(), in_tag.clone())
            }
            Kind::Parallel {
                branches, shape, ..
            } => {
                let mut outputs = Vec::new();
                for branch in branches {
                    let (tokens, (out, _)) =
                        self.body_types(branch, (in_ty.clone(), in_tag.clone()), None)?;
                    impls.extend(tokens);
                    outputs.push(out);
                }
                let raw = (quote!((#(#outputs,)*)), quote!(::stepfn::__private::Exact));
                self.shaped_output(state, shape, raw, in_ty, in_tag, impls)
            }
            Kind::Map {
                item,
                item_selector,
                batch,
                batch_input,
                body,
                shape,
                ..
            } => {
                // What each iteration takes: the selected struct, a batch, or the item.
                let iteration = match (item_selector, batch) {
                    (Some(t), _) => {
                        let ty = &t.ty;
                        let as_type: syn::Type = syn::parse_quote!(#ty);
                        (quote!(#ty), tag(&as_type))
                    }
                    (None, Some(_)) => match batch_input {
                        Some(t) => {
                            let ty = &t.ty;
                            (
                                quote!(::stepfn::__private::ItemBatch<#item, #ty>),
                                quote!(::stepfn::__private::Exact),
                            )
                        }
                        None => (
                            quote!(::stepfn::__private::ItemBatch<#item>),
                            quote!(::stepfn::__private::Exact),
                        ),
                    },
                    (None, None) => (quote!(#item), tag(item)),
                };
                let (tokens, (out, _)) = self.body_types(body, iteration, None)?;
                impls.extend(tokens);
                let writes = matches!(
                    state.kind,
                    Kind::Map {
                        distributed: Some(Distributed {
                            writer: Some(_),
                            ..
                        }),
                        ..
                    }
                );
                let raw = if writes {
                    // The results go to S3; the state gives where.
                    (
                        quote!(::stepfn::__private::MapRunOutput),
                        quote!(::stepfn::__private::Exact),
                    )
                } else {
                    (
                        quote!(::std::vec::Vec<#out>),
                        quote!(::stepfn::__private::Exact),
                    )
                };
                self.shaped_output(state, shape, raw, in_ty, in_tag, impls)
            }
        })
    }
}

/// A `Lens` from the input of `state` along `path`: each field read by a closure spanned at
/// the user's field token (so a typo is reported there), named by serde through `Payload`.
fn lens(state: &Ident, path: &FieldPath) -> TokenStream {
    let m = marker(state);
    lens_from(quote!(<#m as ::stepfn::__private::StateTypes>::In), path)
}

/// `value.a.b`, each field at its user token.
fn value_access(path: &FieldPath) -> TokenStream {
    let first = path.fields.first().map_or(Span::call_site(), Ident::span);
    let mut access = quote_spanned!(first=> value);
    for field in &path.fields {
        access = quote_spanned!(field.span()=> #access.#field);
    }
    access
}

/// A `Lens` from a value of type `root` along `path`.
fn lens_from(root: TokenStream, path: &FieldPath) -> TokenStream {
    let mut lens = quote!(::stepfn::__private::Lens::<#root>::root());
    for field in &path.fields {
        let name = field.to_string();
        let span = field.span();
        let get = quote_spanned!(span=> |value| &value.#field);
        let method = Ident::new("field", span);
        lens = quote!(#lens.#method(#name, #get));
    }
    lens
}

/// `check(lens)`, written so that a failed bound is reported at the path's last field.
fn checked_lens(state: &Ident, path: &FieldPath, check: TokenStream) -> TokenStream {
    let m = marker(state);
    checked_lens_from(
        quote!(<#m as ::stepfn::__private::StateTypes>::In),
        path,
        check,
    )
}

/// [`checked_lens`] from a value of type `root`.
fn checked_lens_from(root: TokenStream, path: &FieldPath, check: TokenStream) -> TokenStream {
    let span = path.fields.last().map_or(Span::call_site(), Ident::span);
    let lens = lens_from(root, path);
    let at = Ident::new("__stepfn_field", span);
    let check = respan(check, span);
    quote!({
        let #at = #lens;
        #check(#at)
    })
}

/// The type `assign` paths start from: the raw result of Task, Parallel, Map and Pass with a
/// result, the input of the others.
fn assign_root(state: &StateDef) -> TokenStream {
    let m = marker(&state.name);
    match &state.kind {
        Kind::Task { task, .. } => quote!(<#task as ::stepfn::__private::Task>::Result),
        Kind::Parallel { .. }
        | Kind::Map { .. }
        | Kind::Pass {
            result: Some(_), ..
        } => {
            quote!(<#m as ::stepfn::__private::StateTypes>::Out)
        }
        _ => quote!(<#m as ::stepfn::__private::StateTypes>::In),
    }
}

/// `Some(path)` through `check`, or `None`.
fn optional_path(state: &Ident, path: Option<&FieldPath>, check: TokenStream) -> TokenStream {
    match path {
        Some(path) => {
            let lens = checked_lens(state, path, check);
            quote!(::core::option::Option::Some(&#lens.json_path()))
        }
        None => quote!(::core::option::Option::None),
    }
}

/// `tokens` with every token placed at `span`, so rustc reports there.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(g) = &tree {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tree = proc_macro2::TokenTree::Group(group);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}

/// The ASL of a Choice condition; the operator follows the literal's type.
fn condition_model(
    state: &Ident,
    condition: &Condition,
    variables: &Variables,
    workflow_input: &TokenStream,
) -> TokenStream {
    match condition {
        Condition::And(a, b) => {
            let (a, b) = (
                condition_model(state, a, variables, workflow_input),
                condition_model(state, b, variables, workflow_input),
            );
            quote!(::stepfn::__private::combine("And", ::std::vec![#a, #b]))
        }
        Condition::Or(a, b) => {
            let (a, b) = (
                condition_model(state, a, variables, workflow_input),
                condition_model(state, b, variables, workflow_input),
            );
            quote!(::stepfn::__private::combine("Or", ::std::vec![#a, #b]))
        }
        Condition::Not(a) => {
            let a = condition_model(state, a, variables, workflow_input);
            quote!(::stepfn::__private::not(#a))
        }
        Condition::Compare {
            variable,
            execution_input,
            path,
            op,
            value,
        } => {
            let family = match value {
                Lit::Str(_) => "String",
                Lit::Bool(_) => "Boolean",
                _ => "Numeric",
            };
            let name = match op {
                CompareOp::Eq | CompareOp::Ne => "Equals",
                CompareOp::Lt => "LessThan",
                CompareOp::Le => "LessThanEquals",
                CompareOp::Gt => "GreaterThan",
                CompareOp::Ge => "GreaterThanEquals",
            };
            let operator = format!("{family}{name}");
            let check = match value {
                Lit::Str(_) => quote!(::stepfn::__private::string_field),
                Lit::Bool(_) => quote!(::stepfn::__private::boolean_field),
                _ => quote!(::stepfn::__private::number_field),
            };
            let operand = Ident::new(
                match value {
                    Lit::Str(_) => "string_operand",
                    Lit::Bool(_) => "boolean_operand",
                    _ => "number_operand",
                },
                Span::call_site(),
            );
            let compare = match (variable, execution_input) {
                (None, Some(context)) => {
                    // The execution input's field, typed as the workflow's input.
                    let lens = lens_from(workflow_input.clone(), path);
                    let span = path.fields.last().map_or(*context, Ident::span);
                    let typed = typed_value(workflow_input, path, span);
                    let check = respan(quote!(::stepfn::__private::#operand(#typed)), span);
                    quote!({
                        let _ = || #check;
                        ::stepfn::__private::compare(&::stepfn::__private::execution_input_path(&#lens.json_path()), #operator, ::stepfn::__private::json(#value))
                    })
                }
                (Some(name), _) => {
                    // The variable's field, checked by a closure that is never called.
                    let (json, typed) = variable_parts(variables, name, path);
                    let span = path.fields.last().map_or(name.span(), Ident::span);
                    let check = respan(quote!(::stepfn::__private::#operand(#typed)), span);
                    quote!({
                        let _ = || #check;
                        ::stepfn::__private::compare(&#json, #operator, ::stepfn::__private::json(#value))
                    })
                }
                (None, None) => {
                    let lens = checked_lens(state, path, check);
                    let json_path = quote!(&#lens.json_path());
                    quote!(::stepfn::__private::compare(#json_path, #operator, ::stepfn::__private::json(#value)))
                }
            };
            if *op == CompareOp::Ne {
                quote!(::stepfn::__private::not(#compare))
            } else {
                compare
            }
        }
        Condition::Variant {
            path,
            negate,
            variant,
        } => {
            // The field's type must be the variant's enum (or an `Option` of it); the value is
            // what serde writes for the variant, compared as a string.
            let m = marker(state);
            let span = path.fields.last().map_or(Span::call_site(), Ident::span);
            let lens = lens_from(quote!(<#m as ::stepfn::__private::StateTypes>::In), path);
            let at = Ident::new("__stepfn_field", span);
            // The enum named explicitly (the variant's path without its last segment), so that a
            // field of another type is an unmet bound worded for the user, not a type mismatch.
            let mut enum_path = variant.clone();
            let checked = if enum_path.segments.len() > 1 {
                enum_path.segments.pop();
                let segments: Vec<_> = enum_path.segments.iter().cloned().collect();
                enum_path.segments = segments.into_iter().collect();
                quote!(::stepfn::__private::variant_field::<_, #enum_path>(#at))
            } else {
                quote!(::stepfn::__private::variant_field_of(#at, &#variant))
            };
            let checked = respan(checked, span);
            let compare = quote!({
                let #at = #lens;
                ::stepfn::__private::variant_equals(&#checked.json_path(), &#variant)
            });
            if *negate {
                quote!(::stepfn::__private::not(#compare))
            } else {
                compare
            }
        }
        Condition::Test {
            function,
            path,
            pattern,
        } => {
            let lens = lens(state, path);
            let json_path = quote!(&#lens.json_path());
            let (operator, value) = match function.to_string().as_str() {
                "is_present" => ("IsPresent", quote!(true)),
                "is_null" => ("IsNull", quote!(true)),
                "is_numeric" => ("IsNumeric", quote!(true)),
                "is_string" => ("IsString", quote!(true)),
                "is_boolean" => ("IsBoolean", quote!(true)),
                "is_timestamp" => ("IsTimestamp", quote!(true)),
                _ => ("StringMatches", quote!(#pattern)),
            };
            quote!(::stepfn::__private::compare(#json_path, #operator, ::stepfn::__private::json(#value)))
        }
    }
}

/// True when `target` is reached from `state` other than only through its catchers.
fn normal_target(state: &StateDef, target: &Ident) -> bool {
    let name = target.to_string();
    let next_is = |next: &Target| matches!(next, Target::State(n) if *n == name);
    match &state.kind {
        Kind::Task { next, .. }
        | Kind::Pass { next, .. }
        | Kind::Wait { next, .. }
        | Kind::Parallel { next, .. }
        | Kind::Map { next, .. } => next_is(next),
        Kind::Choice { rules, default, .. } => {
            rules.iter().any(|r| r.next == name) || default.as_ref().is_some_and(|d| *d == name)
        }
        Kind::Succeed | Kind::Fail { .. } => false,
    }
}

/// A state's input type: what its kind fixes, else what is written, else the output of the
/// first state that leads to it.
fn input_of(
    state: &StateDef,
    incoming: &HashMap<String, Vec<InputSource>>,
    by_name: &HashMap<String, &StateDef>,
    visiting: &mut Vec<String>,
) -> syn::Result<(TokenStream, TokenStream)> {
    let value = || {
        (
            quote!(::stepfn::__private::serde_json::Value),
            quote!(::stepfn::__private::Json),
        )
    };
    match &state.kind {
        Kind::Task {
            task,
            input: None,
            parameters: None,
            ..
        } => {
            return Ok((
                quote!(<#task as ::stepfn::__private::Task>::Input),
                quote!(<#task as ::stepfn::__private::Task>::InputTag),
            ))
        }
        Kind::Fail { .. }
        | Kind::Pass {
            result: Some(_), ..
        } => return Ok(value()),
        // A Map that reads its items takes any input.
        Kind::Map {
            distributed: Some(Distributed {
                reader: Some(_), ..
            }),
            ..
        } => return Ok(value()),
        Kind::Map {
            item,
            items: None,
            items_variable: None,
            ..
        } => {
            return Ok((
                quote!(::std::vec::Vec<#item>),
                quote!(::stepfn::__private::Exact),
            ))
        }
        Kind::Choice { ty: Some(ty), .. }
        | Kind::Parallel { ty: Some(ty), .. }
        | Kind::Pass { ty: Some(ty), .. } => return Ok((quote!(#ty), tag(ty))),
        _ => {}
    }
    let name = state.name.to_string();
    if visiting.contains(&name) {
        return Err(syn::Error::new_spanned(
            &state.name,
            format!("cannot tell what type flows into `{name}`: the states that lead to it only pass their input on; write it, e.g. `pass<Order>` or `choice<Order>`"),
        ));
    }
    visiting.push(name.clone());
    let found = match incoming.get(&name).and_then(|sources| sources.first()) {
        Some(InputSource::Given(ty, tag)) => Ok((ty.clone(), tag.clone())),
        Some(InputSource::Error) => Ok((
            quote!(::stepfn::__private::ErrorOutput),
            quote!(::stepfn::__private::Exact),
        )),
        Some(InputSource::InputOf(pred)) => {
            let m = marker(pred);
            Ok((
                quote!(<#m as ::stepfn::__private::StateTypes>::In),
                quote!(<#m as ::stepfn::__private::StateTypes>::InTag),
            ))
        }
        Some(InputSource::From(pred)) => {
            let m = marker(pred);
            // A predecessor that passes its input on must itself have a known input.
            if let Some(p) = by_name.get(&pred.to_string()) {
                if passes_input_on(p) {
                    input_of(p, incoming, by_name, visiting)?;
                }
            }
            Ok((
                quote!(<#m as ::stepfn::__private::StateTypes>::Out),
                quote!(<#m as ::stepfn::__private::StateTypes>::OutTag),
            ))
        }
        None => Ok(value()),
    };
    visiting.pop();
    found
}

/// True for states whose input type is that of the state before them.
fn passes_input_on(state: &StateDef) -> bool {
    matches!(
        state.kind,
        Kind::Pass {
            result: None,
            ty: None,
            ..
        } | Kind::Wait { .. }
            | Kind::Succeed
            | Kind::Choice { ty: None, .. }
            | Kind::Task { input: Some(_), .. }
            | Kind::Task {
                parameters: Some(_),
                ..
            }
    )
}

/// True when `target` is reached from `state` only through catchers that keep the input
/// (`result_path`).
fn catch_keeps_input(state: &StateDef, target: &Ident) -> bool {
    super::check::handling(state).is_some_and(|h| {
        h.catch
            .iter()
            .any(|c| c.next == *target && c.result_path.is_some())
    })
}
