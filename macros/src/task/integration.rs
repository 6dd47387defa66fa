//! What a `#[task]`'s `resource` names, when it is a service integration: how the state calls
//! the function, the result it gives, the request and response types the function must have,
//! and the service errors `retry`/`catch` may name.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, LitStr, Type};

use stepfn_codegen::similar::nearest;
use stepfn_codegen::validate::{integration_patterns, optimized_actions};

/// A task's resource, as far as the function's shape depends on it.
pub enum Integration {
    /// A Lambda function ARN or placeholder, an activity, or an integration whose request and
    /// response stepfn does not type (`aws-sdk:*`, Batch, ECS...): any function.
    Plain,
    /// `lambda:invoke`, and whether it waits for a task token.
    Lambda { callback: bool, at: Span },
    /// A typed integration: its action type in `stepfn::aws::action`, whether the response is
    /// checked (not for `.waitForTaskToken`, whose result is what the callback sends), and the
    /// error enum of its service.
    Typed {
        action: &'static str,
        response: bool,
        errors: &'static str,
    },
}

/// `validate_order` -> `${ValidateOrderArn}`.
pub fn placeholder(name: &str) -> String {
    let pascal: String = name
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        })
        .collect::<Vec<String>>()
        .concat();
    format!("${{{pascal}Arn}}")
}

/// The service error enum (in `stepfn::aws`) of each service stepfn types.
fn service_errors(service: &str) -> Option<&'static str> {
    Some(match service {
        "lambda" => "Lambda",
        "sqs" => "Sqs",
        "sns" => "Sns",
        "dynamodb" => "DynamoDb",
        "events" => "EventBridge",
        "states" => "StepFunctions",
        "http" => "Http",
        _ => return None,
    })
}

/// The action type of a typed `service:action` with the pattern `pattern` ("" for
/// request-response).
fn action_type(service: &str, action: &str, pattern: &str) -> Option<&'static str> {
    Some(match (service, action, pattern) {
        ("sqs", "sendMessage", _) => "SqsSendMessage",
        ("sns", "publish", _) => "SnsPublish",
        ("dynamodb", "getItem", _) => "DynamoDbGetItem",
        ("dynamodb", "putItem", _) => "DynamoDbPutItem",
        ("dynamodb", "updateItem", _) => "DynamoDbUpdateItem",
        ("dynamodb", "deleteItem", _) => "DynamoDbDeleteItem",
        ("events", "putEvents", _) => "EventBridgePutEvents",
        ("states", "startExecution", "sync") => "StartExecutionSync",
        ("states", "startExecution", "sync:2") => "StartExecutionSync2",
        ("states", "startExecution", _) => "StartExecution",
        ("http", "invoke", _) => "HttpInvoke",
        _ => return None,
    })
}

fn pattern_list(patterns: &[&str]) -> String {
    let names: Vec<String> = patterns
        .iter()
        .map(|p| match *p {
            "" => "request-response".to_string(),
            other => format!("`.{other}`"),
        })
        .collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Reads `resource`; an integration AWS does not offer, or a pattern it does not offer for
/// that action, is an error at the string.
pub fn of(resource: &LitStr) -> syn::Result<Integration> {
    let text = resource.value();
    let Some(rest) = text.strip_prefix("arn:aws:states:::") else {
        return Ok(Integration::Plain);
    };
    let error = |message: String| Err(syn::Error::new(resource.span(), message));
    let Some((service, call)) = rest.split_once(':') else {
        return error(format!(
            "`{text}` names no action: write arn:aws:states:::SERVICE:ACTION, such as arn:aws:states:::sqs:sendMessage"
        ));
    };
    if service == "aws-sdk" {
        let Some((_, sdk_call)) = call.split_once(':') else {
            return error(format!(
                "`{text}` names no action: write arn:aws:states:::aws-sdk:SERVICE:ACTION, such as arn:aws:states:::aws-sdk:s3:getObject"
            ));
        };
        let pattern = sdk_call.split_once('.').map_or("", |(_, p)| p);
        return check_pattern(resource, "aws-sdk", "", pattern).map(|()| Integration::Plain);
    }
    let (action, pattern) = call.split_once('.').unwrap_or((call, ""));
    if let Some(actions) = optimized_actions(service) {
        if !actions.contains(&action) {
            let suggestion = nearest(action, actions.iter().copied())
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            return error(format!(
                "`{service}` has no optimized integration `{action}`{suggestion} (its actions: {}; any other API action is arn:aws:states:::aws-sdk:{service}:ACTION)",
                actions.join(", ")
            ));
        }
    }
    check_pattern(resource, service, action, pattern)?;
    if service == "lambda" && action == "invoke" {
        return Ok(Integration::Lambda {
            callback: pattern == "waitForTaskToken",
            at: resource.span(),
        });
    }
    Ok(
        match (
            action_type(service, action, pattern),
            service_errors(service),
        ) {
            (Some(action), Some(errors)) => Integration::Typed {
                action,
                response: pattern != "waitForTaskToken",
                errors,
            },
            _ => Integration::Plain,
        },
    )
}

fn check_pattern(resource: &LitStr, service: &str, action: &str, pattern: &str) -> syn::Result<()> {
    let Some(patterns) = integration_patterns(service, action) else {
        return Ok(());
    };
    if patterns.contains(&pattern) {
        return Ok(());
    }
    let name = if action.is_empty() {
        service.to_string()
    } else {
        format!("{service}:{action}")
    };
    let known = ["sync", "sync:2", "waitForTaskToken"];
    let message = if known.contains(&pattern) {
        format!(
            "`{name}` offers {}, not `.{pattern}`",
            pattern_list(patterns)
        )
    } else {
        let suggestion = nearest(pattern, known)
            .map(|n| format!("; did you mean `.{n}`?"))
            .unwrap_or_default();
        format!(
            "`.{pattern}` is not an integration pattern{suggestion} (`{name}` offers {})",
            pattern_list(patterns)
        )
    };
    Err(syn::Error::new(resource.span(), message))
}

impl Integration {
    /// The `TaskCall` the task's impl declares.
    pub fn call(&self, function: Option<&LitStr>, task: &str) -> syn::Result<TokenStream> {
        let Integration::Lambda { callback, .. } = self else {
            if let Some(function) = function {
                return Err(syn::Error::new(
                    function.span(),
                    "`function` names the Lambda function of a `resource = \"arn:aws:states:::lambda:invoke\"` task",
                ));
            }
            return Ok(quote!(::stepfn::__private::TaskCall::Direct));
        };
        let name = function
            .map(LitStr::value)
            .unwrap_or_else(|| placeholder(task));
        Ok(if *callback {
            quote!(::stepfn::__private::TaskCall::LambdaCallback { function_name: #name })
        } else {
            quote!(::stepfn::__private::TaskCall::LambdaInvoke { function_name: #name })
        })
    }

    /// The state's result type: the invocation's response for `lambda:invoke`, else the
    /// function's output.
    pub fn result_type(&self, output: &Type) -> TokenStream {
        match self {
            Integration::Lambda {
                callback: false,
                at,
            } => quote_spanned!(*at=> ::stepfn::aws::lambda::Invoked<#output>),
            _ => quote!(#output),
        }
    }

    /// The never-run checks that the function takes the action's request and returns its
    /// response, each reported at the function's type.
    pub fn checks(&self, input: &Type, output: &Type) -> TokenStream {
        let Integration::Typed {
            action, response, ..
        } = self
        else {
            return TokenStream::new();
        };
        let action = Ident::new(action, Span::call_site());
        let request = quote_spanned! {input.span()=>
            ::stepfn::__private::request_of::<#input, ::stepfn::aws::action::#action>();
        };
        let response = if *response {
            quote_spanned! {output.span()=>
                ::stepfn::__private::response_of::<#output, ::stepfn::aws::action::#action>();
            }
        } else {
            TokenStream::new()
        };
        quote! {
            const _: () = {
                #[allow(dead_code)]
                fn __stepfn_integration_types() {
                    #request
                    #response
                }
            };
        }
    }

    /// `FailsWith` the service's error enum, so `retry`/`catch` may name its errors; not when
    /// the function's own error type is that enum (it already fails with it).
    pub fn service_errors(&self, task: &Ident, error: Option<&Type>) -> TokenStream {
        let errors = match self {
            Integration::Lambda { .. } => "Lambda",
            Integration::Typed { errors, .. } => errors,
            Integration::Plain => return TokenStream::new(),
        };
        let own = match error {
            Some(Type::Path(p)) => p.path.segments.last().is_some_and(|s| s.ident == errors),
            _ => false,
        };
        if own {
            return TokenStream::new();
        }
        let errors = Ident::new(errors, Span::call_site());
        quote! {
            #[automatically_derived]
            impl ::stepfn::__private::FailsWith<::stepfn::aws::#errors> for #task {}
        }
    }
}
