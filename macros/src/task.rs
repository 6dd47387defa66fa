//! `#[task]`: keeps the function as written and generates, beside it, the marker type whose
//! `Task` impl carries the function's types, name, resource and timeouts.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, ItemFn, Lit, PathArguments, ReturnType, Type};

use crate::duration;

mod integration;

/// The attribute's arguments.
#[derive(Default)]
struct Args {
    schema: bool,
    resource: Option<syn::LitStr>,
    /// `function = "..."`: the `FunctionName` of a `lambda:invoke` task.
    function: Option<syn::LitStr>,
    timeout: Option<u64>,
    heartbeat: Option<u64>,
}

fn parse_args(attr: TokenStream) -> syn::Result<Args> {
    let mut args = Args::default();
    let parser = syn::meta::parser(|meta| {
        let lit = || -> syn::Result<Lit> { meta.value()?.parse() };
        if meta.path.is_ident("schema") {
            args.schema = true;
        } else if meta.path.is_ident("resource") {
            match lit()? {
                Lit::Str(s) => args.resource = Some(s),
                other => {
                    return Err(syn::Error::new_spanned(
                        other,
                        "`resource` takes a string: a Lambda ARN, an integration such as \"arn:aws:states:::sqs:sendMessage.waitForTaskToken\", an activity ARN or a \"${Placeholder}\"",
                    ))
                }
            }
        } else if meta.path.is_ident("function") {
            match lit()? {
                Lit::Str(s) => args.function = Some(s),
                other => {
                    return Err(syn::Error::new_spanned(
                        other,
                        "`function` takes a string: the Lambda function's name or ARN, or a \"${Placeholder}\"",
                    ))
                }
            }
        } else if meta.path.is_ident("timeout") {
            args.timeout = Some(duration::seconds(&lit()?)?);
        } else if meta.path.is_ident("heartbeat") {
            args.heartbeat = Some(duration::seconds(&lit()?)?);
        } else {
            return Err(meta.error(
                "unknown #[task] argument: expected `resource`, `function`, `timeout`, `heartbeat` or `schema`",
            ));
        }
        Ok(())
    });
    syn::parse::Parser::parse2(parser, attr)?;
    if let (Some(t), Some(h)) = (args.timeout, args.heartbeat) {
        if h >= t {
            return Err(syn::Error::new(
                proc_macro2::Span::call_site(),
                "`heartbeat` must be shorter than `timeout` (HeartbeatSeconds < TimeoutSeconds)",
            ));
        }
    }
    Ok(args)
}

/// The `Exact` or `Json` tag of a payload type: `Json` for `serde_json::Value` (or `Value`).
pub fn tag(ty: &Type) -> TokenStream {
    let is_value = match ty {
        Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Value"),
        _ => false,
    };
    if is_value {
        quote!(::stepfn::__private::Json)
    } else {
        quote!(::stepfn::__private::Exact)
    }
}

pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let function: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            let error = e.to_compile_error();
            return quote!(#item #error);
        }
    };
    match expand_fn(attr, &function) {
        Ok(tokens) => tokens,
        // The function stays, so its other uses still type-check; only the task is missing.
        Err(e) => {
            let error = e.to_compile_error();
            quote!(#function #error)
        }
    }
}

fn expand_fn(attr: TokenStream, function: &ItemFn) -> syn::Result<TokenStream> {
    let args = parse_args(attr)?;
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            sig.fn_token,
            "a #[task] must be an `async fn`",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        return Err(syn::Error::new_spanned(
            &sig.generics,
            "a #[task] cannot be generic: its input and output types are what the workflow checks",
        ));
    }
    let mut inputs = sig.inputs.iter();
    let input_ty = match inputs.next() {
        Some(FnArg::Typed(arg)) => (*arg.ty).clone(),
        Some(FnArg::Receiver(r)) => {
            return Err(syn::Error::new_spanned(
                r,
                "a #[task] is a free function, not a method",
            ))
        }
        None => {
            return Err(syn::Error::new_spanned(
                &sig.inputs,
                "a #[task] takes its input payload: `async fn name(input: Input) -> Result<Output, Error>`",
            )
            .with_span(sig.ident.span()))
        }
    };
    // A reference is taken for the context; which type it refers to is rustc's to check, with
    // the error at that type (see `context_check` below).
    let mut context_type = None;
    let takes_context = match inputs.next() {
        None => false,
        Some(FnArg::Typed(arg)) if matches!(*arg.ty, Type::Reference(_)) => {
            if let Type::Reference(reference) = &*arg.ty {
                context_type = Some(reference.elem.clone());
            }
            true
        }
        Some(other) => {
            return Err(syn::Error::new_spanned(
                other,
                "the second argument of a #[task] is `&stepfn::TaskContext`",
            ))
        }
    };
    if let Some(extra) = inputs.next() {
        return Err(syn::Error::new_spanned(
            extra,
            "a #[task] takes at most two arguments: its input and `&stepfn::TaskContext`",
        ));
    }
    let (output_ty, error_ty, fallible) = match &sig.output {
        ReturnType::Default => (syn::parse_quote!(()), None, false),
        ReturnType::Type(_, ty) => match result_parts(ty) {
            Some((ok, err)) => (ok, Some(err), true),
            None => ((**ty).clone(), None, false),
        },
    };
    let name = &sig.ident;
    let vis = &function.vis;
    let name_text = name.to_string();
    let resource = args
        .resource
        .as_ref()
        .map_or_else(|| integration::placeholder(&name_text), syn::LitStr::value);
    let integration = match &args.resource {
        Some(lit) => integration::of(lit)?,
        None => integration::Integration::Plain,
    };
    let task_call = integration.call(args.function.as_ref(), &name_text)?;
    let result_ty = integration.result_type(&output_ty);
    let integration_checks = integration.checks(&input_ty, &output_ty);
    let service_errors = integration.service_errors(name, error_ty.as_ref());
    let option = |v: Option<u64>| match v {
        Some(n) => quote!(::core::option::Option::Some(#n)),
        None => quote!(::core::option::Option::None),
    };
    let (timeout, heartbeat) = (option(args.timeout), option(args.heartbeat));
    let error_ty = error_ty
        .map(|e| quote!(#e))
        .unwrap_or_else(|| quote!(::stepfn::__private::Never));
    let (input_tag, output_tag) = (tag(&input_ty), tag(&output_ty));
    let context = format_ident!("__stepfn_context", span = proc_macro2::Span::mixed_site());
    let input = format_ident!("__stepfn_input", span = proc_macro2::Span::mixed_site());
    let call = if takes_context {
        // The context goes through a trait bound at the argument's type, so a wrong type is
        // one error worded for the user, at that type.
        let argument = match &context_type {
            Some(referred) => quote_spanned! {referred.span()=>
                ::stepfn::__private::task_context_argument::<#referred>(&#context)
            },
            None => quote!(&#context),
        };
        quote!(#name(#input, #argument).await)
    } else {
        quote!({ let _ = &#context; #name(#input).await })
    };
    let call = if fallible {
        call
    } else {
        quote!(::core::result::Result::Ok(#call))
    };
    let schemas = if args.schema {
        quote! {
            fn schemas() -> ::core::option::Option<(::stepfn::__private::serde_json::Value, ::stepfn::__private::serde_json::Value)> {
                ::core::option::Option::Some((
                    ::stepfn::__private::schema_of::<#input_ty>(),
                    ::stepfn::__private::schema_of::<#output_ty>(),
                ))
            }
        }
    } else {
        TokenStream::new()
    };
    let marker_doc = format!("The task `{name_text}` as a type, for `workflow!`.");
    let span = name.span();
    let marker = quote_spanned! {span=>
        #[doc = #marker_doc]
        #[allow(non_camel_case_types)]
        #vis struct #name {}
    };
    Ok(quote! {
        #function
        #marker
        #[automatically_derived]
        impl ::stepfn::__private::Task for #name {
            type Input = #input_ty;
            type Output = #output_ty;
            type Result = #result_ty;
            type Error = #error_ty;
            type InputTag = #input_tag;
            type OutputTag = #output_tag;
            const NAME: &'static str = #name_text;
            const RESOURCE: &'static str = #resource;
            const TIMEOUT_SECONDS: ::core::option::Option<u64> = #timeout;
            const HEARTBEAT_SECONDS: ::core::option::Option<u64> = #heartbeat;
            const CALL: ::stepfn::__private::TaskCall = #task_call;
            #schemas
            fn call(
                #input: Self::Input,
                #context: ::stepfn::__private::TaskContext,
            ) -> ::stepfn::__private::BoxFuture<'static, ::core::result::Result<Self::Output, Self::Error>> {
                ::stepfn::__private::boxed(async move { #call })
            }
        }
        #[automatically_derived]
        impl ::stepfn::__private::FailsWith<#error_ty> for #name {}
        #service_errors
        #integration_checks
    })
}

/// `(T, E)` of a return type written `Result<T, E>`.
fn result_parts(ty: &Type) -> Option<(Type, Type)> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|a| match a {
        GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    });
    Some((types.next()?, types.next()?))
}

trait WithSpan {
    fn with_span(self, span: proc_macro2::Span) -> Self;
}

impl WithSpan for syn::Error {
    fn with_span(self, span: proc_macro2::Span) -> Self {
        syn::Error::new(span, self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_pascal_case_arns() {
        assert_eq!(
            integration::placeholder("validate_order"),
            "${ValidateOrderArn}"
        );
        assert_eq!(integration::placeholder("charge"), "${ChargeArn}");
    }

    #[test]
    fn signatures_are_checked() {
        let bad = |src: &str| {
            let f: ItemFn = syn::parse_str(src).unwrap();
            expand_fn(TokenStream::new(), &f).unwrap_err().to_string()
        };
        assert!(bad("fn f(x: u8) -> u8 { x }").contains("async fn"));
        assert!(bad("async fn f<T>(x: T) -> T { x }").contains("generic"));
        assert!(bad("async fn f() -> u8 { 1 }").contains("takes its input"));
        assert!(bad("async fn f(a: u8, b: u8, c: u8) -> u8 { a }").contains("TaskContext"));
        let ok: ItemFn = syn::parse_str("async fn f(x: u8) -> Result<u8, E> { Ok(x) }").unwrap();
        assert!(expand_fn(TokenStream::new(), &ok).is_ok());
    }
}
