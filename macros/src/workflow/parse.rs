//! Reading a `workflow!` block.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::{braced, bracketed, parenthesized, Attribute, Ident, Lit, LitStr, Path, Token, Type};

use super::ast::*;
use super::context::ContextRef;
use super::intrinsic;
use crate::duration;

mod kw {
    syn::custom_keyword!(start);
    syn::custom_keyword!(task);
    syn::custom_keyword!(pass);
    syn::custom_keyword!(wait);
    syn::custom_keyword!(until);
    syn::custom_keyword!(succeed);
    syn::custom_keyword!(fail);
    syn::custom_keyword!(choice);
    syn::custom_keyword!(when);
    syn::custom_keyword!(parallel);
    syn::custom_keyword!(branch);
    syn::custom_keyword!(map);
    syn::custom_keyword!(retry);
    syn::custom_keyword!(catch);
    syn::custom_keyword!(end);
    syn::custom_keyword!(timeout);
    syn::custom_keyword!(query_language);
    syn::custom_keyword!(assign);
    syn::custom_keyword!(item);
    syn::custom_keyword!(index);
    syn::custom_keyword!(context);
}

impl Parse for Workflow {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let name: Ident = input.parse()?;
        let types;
        parenthesized!(types in input);
        let input_ty: Type = types.parse()?;
        input.parse::<Token![->]>()?;
        let output: Type = input.parse()?;
        let content;
        let brace = braced!(content in input);
        let (mut timeout, mut jsonata) = (None, false);
        loop {
            if content.peek(kw::timeout) {
                content.parse::<kw::timeout>()?;
                content.parse::<Token![=]>()?;
                timeout = Some(duration::seconds(&content.parse()?)?);
                content.parse::<Token![;]>()?;
            } else if content.peek(kw::query_language) {
                content.parse::<kw::query_language>()?;
                content.parse::<Token![=]>()?;
                let language: Ident = content.parse()?;
                jsonata = match language.to_string().as_str() {
                    "jsonata" => true,
                    "jsonpath" => false,
                    _ => {
                        return Err(syn::Error::new_spanned(
                            language,
                            "`query_language` is `jsonpath` or `jsonata`",
                        ))
                    }
                };
                content.parse::<Token![;]>()?;
            } else {
                break;
            }
        }
        let body = parse_body(&content, brace.span.join())?;
        Ok(Workflow {
            attrs,
            vis,
            name,
            input: input_ty,
            output,
            timeout,
            jsonata,
            body,
        })
    }
}

fn parse_body(input: ParseStream, span: Span) -> syn::Result<Body> {
    let mut start = None;
    if input.peek(kw::start) {
        input.parse::<kw::start>()?;
        start = Some(input.parse()?);
        input.parse::<Token![;]>()?;
    }
    let mut states = Vec::new();
    while !input.is_empty() {
        states.push(parse_state(input)?);
    }
    Ok(Body {
        span,
        start,
        states,
    })
}

fn parse_state(input: ParseStream) -> syn::Result<StateDef> {
    let attrs = input.call(Attribute::parse_outer)?;
    let comment = doc_comment(&attrs);
    let name: Ident = input.parse()?;
    input.parse::<Token![:]>()?;
    let kind = parse_kind(input)?;
    let mut assign = Vec::new();
    if input.peek(kw::assign) {
        let keyword: kw::assign = input.parse()?;
        if matches!(kind, Kind::Succeed | Kind::Fail { .. }) {
            return Err(syn::Error::new(
                keyword.span,
                "succeed and fail states cannot assign variables",
            ));
        }
        let args;
        parenthesized!(args in input);
        while !args.is_empty() {
            let variable: Ident = args.parse()?;
            let text = variable.to_string();
            if text == "states" || text.chars().count() > 80 {
                return Err(syn::Error::new_spanned(
                    variable,
                    "a variable name is at most 80 characters and is not `states`",
                ));
            }
            args.parse::<Token![=]>()?;
            assign.push((variable, parse_path(&args)?));
            if !args.is_empty() {
                args.parse::<Token![,]>()?;
            }
        }
    }
    // A state ends with `;`, except one whose last token closes a block (a choice, a parallel,
    // a map), which reads like an item of Rust.
    let ends_with_block = assign.is_empty()
        && matches!(
            kind,
            Kind::Choice { .. } | Kind::Parallel { .. } | Kind::Map { .. }
        );
    if ends_with_block {
        let _ = input.parse::<Option<Token![;]>>()?;
    } else if !input.peek(Token![;]) {
        return Err(input.error(format!(
            "expected `;` to end the state `{name}` before this"
        )));
    } else {
        input.parse::<Token![;]>()?;
    }
    Ok(StateDef {
        name,
        comment,
        kind,
        assign,
    })
}

/// The text of `///` comments, joined by newlines.
pub fn doc_comment(attrs: &[Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(s), ..
                }) => Some(s.value().trim().to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn parse_target(input: ParseStream) -> syn::Result<Target> {
    input.parse::<Token![->]>()?;
    if input.peek(kw::end) {
        let end: kw::end = input.parse()?;
        return Ok(Target::End(end.span));
    }
    Ok(Target::State(input.parse()?))
}

fn optional_type(input: ParseStream) -> syn::Result<Option<Type>> {
    if input.peek(Token![<]) {
        input.parse::<Token![<]>()?;
        let ty = input.parse()?;
        input.parse::<Token![>]>()?;
        Ok(Some(ty))
    } else {
        Ok(None)
    }
}

fn parse_kind(input: ParseStream) -> syn::Result<Kind> {
    let look = input.lookahead1();
    if look.peek(kw::task) {
        input.parse::<kw::task>()?;
        let path: Path = input.parse()?;
        let span = path
            .segments
            .last()
            .map_or(Span::call_site(), |s| s.ident.span());
        let task = syn::Type::Paren(syn::TypeParen {
            paren_token: syn::token::Paren(span),
            elem: Box::new(syn::Type::Path(syn::TypePath { qself: None, path })),
        });
        let (mut task_input, mut result_path) = (None, None);
        let (mut parameters, mut result_selector, mut output) = (None, None, None);
        if input.peek(syn::token::Paren) {
            key_values(input, |key, args| {
                match key.to_string().as_str() {
                    "input" => task_input = Some(parse_task_input(args)?),
                    "result_path" => result_path = Some(parse_path(args)?),
                    "parameters" => parameters = Some(parse_template(args)?),
                    "result_selector" => result_selector = Some(parse_template(args)?),
                    "output" => {
                        let path = parse_path(args)?;
                        args.parse::<Token![as]>()?;
                        output = Some((path, args.parse()?));
                    }
                    _ => {
                        return Err(unknown_key(&key, &["input", "parameters", "result_selector", "result_path", "output"], "a task takes `input = .field`, `parameters = Type { .. }`, `result_selector = Type { .. }`, `result_path = .field` and `output = .field as Type`"))
                    }
                }
                Ok(())
            })?;
        }
        if let (Some(_), Some(p)) = (&task_input, &parameters) {
            return Err(syn::Error::new_spanned(
                &p.ty,
                "give a task either `input` or `parameters`: `parameters` can read any path itself",
            ));
        }
        let next = parse_target(input)?;
        let handling = parse_handling(input)?;
        Ok(Kind::Task {
            task,
            input: task_input,
            result_path,
            parameters,
            result_selector,
            output,
            next,
            handling,
        })
    } else if look.peek(kw::pass) {
        input.parse::<kw::pass>()?;
        let ty = optional_type(input)?;
        let (mut result, mut parameters) = (None, None);
        if input.peek(syn::token::Paren) {
            let args;
            parenthesized!(args in input);
            let key: Ident = args.parse()?;
            args.parse::<Token![=]>()?;
            match key.to_string().as_str() {
                "result" => result = Some(args.parse()?),
                "parameters" => parameters = Some(parse_template(&args)?),
                _ => {
                    return Err(unknown_key(
                        &key,
                        &["result", "parameters"],
                        "a pass state takes `result = <value>` or `parameters = Type { .. }`",
                    ))
                }
            }
        }
        let next = parse_target(input)?;
        Ok(Kind::Pass {
            ty,
            result,
            parameters,
            next,
        })
    } else if look.peek(kw::wait) {
        input.parse::<kw::wait>()?;
        let wait = if input.peek(Token![for]) {
            input.parse::<Token![for]>()?;
            WaitFor::SecondsField(parse_path(input)?)
        } else if input.peek(kw::until) && input.peek2(Token![.]) {
            input.parse::<kw::until>()?;
            WaitFor::UntilField(parse_path(input)?)
        } else if input.peek(kw::until) {
            input.parse::<kw::until>()?;
            let ts: LitStr = input.parse()?;
            if stepfn_codegen::parse_rfc3339(&ts.value()).is_none() {
                return Err(syn::Error::new_spanned(
                    &ts,
                    "not an RFC 3339 timestamp such as \"2026-12-01T09:00:00Z\"",
                ));
            }
            WaitFor::Until(ts)
        } else {
            WaitFor::Seconds(duration::seconds(&input.parse()?)?)
        };
        let next = parse_target(input)?;
        Ok(Kind::Wait { wait, next })
    } else if look.peek(kw::succeed) {
        input.parse::<kw::succeed>()?;
        no_transition(input, "succeed")?;
        Ok(Kind::Succeed)
    } else if look.peek(kw::fail) {
        input.parse::<kw::fail>()?;
        let (mut error, mut cause) = (None, None);
        if input.peek(syn::token::Paren) {
            key_values(input, |key, args| {
                let value: LitStr = args.parse()?;
                match key.to_string().as_str() {
                    "error" => error = Some(value),
                    "cause" => cause = Some(value),
                    _ => {
                        return Err(unknown_key(
                            &key,
                            &["error", "cause"],
                            "a fail state takes `error = \"...\"` and `cause = \"...\"`",
                        ))
                    }
                }
                Ok(())
            })?;
        }
        no_transition(input, "fail")?;
        Ok(Kind::Fail { error, cause })
    } else if look.peek(kw::choice) {
        input.parse::<kw::choice>()?;
        let ty = optional_type(input)?;
        let content;
        braced!(content in input);
        let mut rules = Vec::new();
        let mut default = None;
        while !content.is_empty() {
            if content.peek(Token![else]) {
                content.parse::<Token![else]>()?;
                content.parse::<Token![=>]>()?;
                default = Some(content.parse()?);
            } else {
                content.parse::<kw::when>()?;
                let condition = parse_or(&content)?;
                content.parse::<Token![=>]>()?;
                rules.push(Rule {
                    condition,
                    next: content.parse()?,
                });
            }
            if !content.is_empty() {
                content.parse::<Token![,]>()?;
            }
        }
        Ok(Kind::Choice { ty, rules, default })
    } else if look.peek(kw::parallel) {
        input.parse::<kw::parallel>()?;
        let ty = optional_type(input)?;
        let mut shape = Shape::default();
        if input.peek(syn::token::Paren) {
            key_values(input, |key, args| {
                if !shape_key(&key, args, &mut shape)? {
                    return Err(unknown_key(
                        &key,
                        &["result_selector", "result_path", "output"],
                        "a parallel takes `result_selector = Type { .. }`, `result_path = .field` and `output = .field as Type`",
                    ));
                }
                Ok(())
            })?;
        }
        let next = parse_target(input)?;
        let handling = parse_handling(input)?;
        let content;
        braced!(content in input);
        let mut branches = Vec::new();
        while !content.is_empty() {
            content.parse::<kw::branch>()?;
            let branch;
            let brace = braced!(branch in content);
            branches.push(parse_body(&branch, brace.span.join())?);
        }
        Ok(Kind::Parallel {
            ty,
            branches,
            shape: Box::new(shape),
            next,
            handling,
        })
    } else if look.peek(kw::map) {
        let keyword: kw::map = input.parse()?;
        let item = optional_type(input)?.ok_or_else(|| {
            syn::Error::new(
                keyword.span,
                "a map names the type of its items: `map<Item>(items = .field)`",
            )
        })?;
        let (mut items, mut max_concurrency) = (None, None);
        let mut items_variable = None;
        let (mut item_selector, mut batch) = (None, None);
        let mut distributed: Option<Distributed> = None;
        let mut shape = Shape::default();
        let mut batch_input = None;
        if input.peek(syn::token::Paren) {
            key_values(input, |key, args| {
                match key.to_string().as_str() {
                    "items" if args.peek(Token![$]) => items_variable = Some(parse_variable(args)?),
                    "items" => items = Some(parse_path(args)?),
                    "max_concurrency" => {
                        let n: syn::LitInt = args.parse()?;
                        max_concurrency = Some(n.base10_parse()?);
                    }
                    "item_selector" => item_selector = Some(parse_template(args)?),
                    "batch_input" => batch_input = Some(parse_template(args)?),
                    "max_items_per_batch" => {
                        let n: syn::LitInt = args.parse()?;
                        let value: u64 = n.base10_parse()?;
                        if value == 0 {
                            return Err(syn::Error::new_spanned(n, "a batch holds at least one item"));
                        }
                        batch = Some(value);
                    }
                    "mode" => {
                        let mode: Ident = args.parse()?;
                        match mode.to_string().as_str() {
                            "distributed" => {
                                distributed.get_or_insert_with(Distributed::default);
                            }
                            "inline" => {}
                            _ => {
                                return Err(syn::Error::new_spanned(
                                    mode,
                                    "`mode` is `inline` or `distributed`",
                                ))
                            }
                        }
                    }
                    "reader" => {
                        distributed.get_or_insert_with(Distributed::default).reader =
                            Some(parse_reader(args)?);
                    }
                    "tolerated_failure_percentage" => {
                        let lit: Lit = args.parse()?;
                        let pct = match &lit {
                            Lit::Float(f) => f.base10_parse::<f64>()?,
                            Lit::Int(i) => i.base10_parse::<f64>()?,
                            _ => -1.0,
                        };
                        if !(0.0..=100.0).contains(&pct) {
                            return Err(syn::Error::new_spanned(
                                lit,
                                "`tolerated_failure_percentage` is a number from 0 to 100",
                            ));
                        }
                        distributed
                            .get_or_insert_with(Distributed::default)
                            .tolerated_failure_percentage = Some(pct);
                    }
                    "writer" => {
                        let function: Ident = args.parse()?;
                        if function != "s3" {
                            return Err(syn::Error::new_spanned(
                                function,
                                "a writer is `s3(bucket, prefix)`",
                            ));
                        }
                        let location;
                        parenthesized!(location in args);
                        let bucket: LitStr = location.parse()?;
                        location.parse::<Token![,]>()?;
                        let prefix: LitStr = location.parse()?;
                        distributed.get_or_insert_with(Distributed::default).writer =
                            Some((bucket, prefix));
                    }
                    "tolerated_failure_count" => {
                        let n: syn::LitInt = args.parse()?;
                        distributed
                            .get_or_insert_with(Distributed::default)
                            .tolerated_failure_count = Some(n.base10_parse()?);
                    }
                    _ if shape_key(&key, args, &mut shape)? => {}
                    _ => {
                        return Err(unknown_key(&key, &["items", "max_concurrency", "item_selector", "max_items_per_batch", "batch_input", "mode", "reader", "writer", "tolerated_failure_percentage", "tolerated_failure_count", "result_selector", "result_path", "output"], "a map takes `items`, `item_selector`, `max_items_per_batch`, `batch_input`, `max_concurrency`, `mode`, `reader`, `writer`, `tolerated_failure_percentage`, `tolerated_failure_count`, `result_selector`, `result_path` and `output`"))
                    }
                }
                Ok(())
            })?;
        }
        let next = parse_target(input)?;
        let handling = parse_handling(input)?;
        let content;
        let brace = braced!(content in input);
        let body = parse_body(&content, brace.span.join())?;
        if let (true, Some(d)) = (items.is_some() || items_variable.is_some(), &distributed) {
            if d.reader.is_some() {
                return Err(syn::Error::new(
                    keyword.span,
                    "a map reads its items either from `items` or from a `reader`, not both",
                ));
            }
        }
        // Step Functions batches items only in Distributed Maps.
        if batch.is_some() {
            distributed.get_or_insert_with(Distributed::default);
        }
        if let (Some(t), Some(_)) = (&item_selector, batch) {
            return Err(syn::Error::new_spanned(
                &t.ty,
                "a map with batches takes its items as `ItemBatch<Item>`; it has no `item_selector`",
            ));
        }
        if let (Some(t), None) = (&batch_input, batch) {
            return Err(syn::Error::new_spanned(
                &t.ty,
                "`batch_input` goes with `max_items_per_batch`: it is what every batch carries",
            ));
        }
        Ok(Kind::Map {
            batch_input,
            shape: Box::new(shape),
            item,
            items,
            items_variable,
            item_selector,
            batch,
            max_concurrency,
            distributed,
            body: Box::new(body),
            next,
            handling,
        })
    } else {
        Err(look.error())
    }
}

fn parse_handling(input: ParseStream) -> syn::Result<Handling> {
    let mut handling = Handling::default();
    loop {
        if input.peek(kw::retry) {
            input.parse::<kw::retry>()?;
            let errors = parse_errors(input)?;
            let mut retry = Retry {
                errors,
                interval: None,
                max_attempts: None,
                backoff: None,
                max_delay: None,
                jitter_full: false,
            };
            if input.peek(syn::token::Paren) {
                key_values(input, |key, args| {
                    match key.to_string().as_str() {
                        "interval" => retry.interval = Some(duration::seconds(&args.parse()?)?),
                        "max_delay" => retry.max_delay = Some(duration::seconds(&args.parse()?)?),
                        "max_attempts" => {
                            let n: syn::LitInt = args.parse()?;
                            retry.max_attempts = Some(n.base10_parse()?);
                        }
                        "backoff" => {
                            let lit: Lit = args.parse()?;
                            let rate = match &lit {
                                Lit::Float(f) => f.base10_parse::<f64>()?,
                                Lit::Int(i) => i.base10_parse::<f64>()?,
                                _ => f64::NAN,
                            };
                            if rate.is_nan() || rate < 1.0 {
                                return Err(syn::Error::new_spanned(
                                    lit,
                                    "`backoff` (BackoffRate) is a number of at least 1.0",
                                ));
                            }
                            retry.backoff = Some(rate);
                        }
                        "jitter" => {
                            let how: Ident = args.parse()?;
                            retry.jitter_full = match how.to_string().as_str() {
                                "full" => true,
                                "none" => false,
                                _ => {
                                    return Err(syn::Error::new_spanned(
                                        how,
                                        "`jitter` is `full` or `none`",
                                    ))
                                }
                            };
                        }
                        _ => {
                            return Err(unknown_key(&key, &["interval", "max_attempts", "backoff", "max_delay", "jitter"], "a retry takes `interval`, `max_attempts`, `backoff`, `max_delay` and `jitter`"))
                        }
                    }
                    Ok(())
                })?;
            }
            handling.retry.push(retry);
        } else if input.peek(kw::catch) {
            input.parse::<kw::catch>()?;
            let errors = parse_errors(input)?;
            input.parse::<Token![->]>()?;
            let next = input.parse()?;
            let mut result_path = None;
            if input.peek(syn::token::Paren) {
                let args;
                parenthesized!(args in input);
                let key: Ident = args.parse()?;
                if key != "result_path" {
                    return Err(unknown_key(
                        &key,
                        &["result_path"],
                        "a catch takes `(result_path = .field)`",
                    ));
                }
                args.parse::<Token![=]>()?;
                result_path = Some(parse_path(&args)?);
            }
            handling.catch.push(Catch {
                errors,
                next,
                result_path,
            });
        } else {
            return Ok(handling);
        }
    }
}

fn parse_errors(input: ParseStream) -> syn::Result<Vec<ErrorRef>> {
    let content;
    let bracket = bracketed!(content in input);
    let paths = content.parse_terminated(Path::parse, Token![,])?;
    if paths.is_empty() {
        return Err(syn::Error::new(
            bracket.span.join(),
            "name at least one error: a variant of the task's error type or `States::ALL`",
        ));
    }
    Ok(paths
        .into_iter()
        .map(|p| {
            let states = p.segments.len() == 2 && p.segments[0].ident == "States";
            if states {
                ErrorRef::States(p.segments[1].ident.clone())
            } else {
                ErrorRef::Variant(p)
            }
        })
        .collect())
}

/// `(key = value, ...)`: `each` reads the value of each key.
fn key_values(
    input: ParseStream,
    mut each: impl FnMut(Ident, ParseStream) -> syn::Result<()>,
) -> syn::Result<()> {
    let args;
    parenthesized!(args in input);
    while !args.is_empty() {
        let key: Ident = args.parse()?;
        args.parse::<Token![=]>()?;
        each(key, &args)?;
        if !args.is_empty() {
            args.parse::<Token![,]>()?;
        }
    }
    Ok(())
}

fn parse_template(input: ParseStream) -> syn::Result<StructTemplate> {
    let ty: Path = input.parse()?;
    let content;
    braced!(content in input);
    let mut fields = Vec::new();
    let mut rest = false;
    while !content.is_empty() {
        if content.peek(Token![..]) {
            // `..` leaves the members not written out of the JSON (optional members).
            let dots = content.parse::<Token![..]>()?;
            if !content.is_empty() {
                return Err(syn::Error::new(
                    dots.spans[0],
                    "`..` comes last in a template and stands alone: the members not written are left out",
                ));
            }
            rest = true;
            break;
        }
        let field: Ident = content.parse()?;
        content.parse::<Token![:]>()?;
        let value = parse_template_value(&content)?;
        fields.push((field, value));
        if !content.is_empty() {
            content.parse::<Token![,]>()?;
        }
    }
    Ok(StructTemplate { ty, fields, rest })
}

/// One value in a template (a field's, or an intrinsic function's argument).
fn parse_template_value(content: ParseStream) -> syn::Result<TemplateValue> {
    Ok(if content.peek(Token![.]) {
        TemplateValue::Path(parse_path(content)?)
    } else if content.peek(kw::item) {
        content.parse::<kw::item>()?;
        TemplateValue::Item(if content.peek(Token![.]) {
            parse_path(content)?
        } else {
            FieldPath { fields: Vec::new() }
        })
    } else if content.peek(kw::index) {
        TemplateValue::Index(content.parse()?)
    } else if content.peek(Token![$]) {
        let (name, path) = parse_variable(content)?;
        TemplateValue::Variable { name, path }
    } else if content.peek(kw::context) {
        let keyword: kw::context = content.parse()?;
        let path = parse_path(content).map_err(|_| {
            syn::Error::new(
                keyword.span,
                "name a field of the context object, such as `context.execution.id` or `context.task.token`",
            )
        })?;
        let reference = ContextRef {
            span: path.fields.last().map_or(keyword.span, Ident::span),
            segments: path.fields,
        };
        TemplateValue::Context(reference.resolve()?, reference.span)
    } else if content.peek(Ident)
        && content.peek2(syn::token::Paren)
        && content.fork().parse::<Ident>()? == "Some"
    {
        let some: Ident = content.parse()?;
        let inner;
        parenthesized!(inner in content);
        let value = parse_template_value(&inner)?;
        if !inner.is_empty() {
            return Err(inner.error("`Some(..)` holds one value"));
        }
        TemplateValue::Some(Box::new(value), some.span())
    } else if content.peek(Ident) && content.peek2(syn::token::Paren) {
        let name: Ident = content.parse()?;
        let function = intrinsic::resolve(&name)?;
        let args;
        let paren = parenthesized!(args in content);
        let mut values = Vec::new();
        while !args.is_empty() {
            values.push(parse_template_value(&args)?);
            if !args.is_empty() {
                args.parse::<Token![,]>()?;
            }
        }
        let call = Call {
            function,
            name,
            args: values,
            span: paren.span.join(),
        };
        check_call_arguments(&call)?;
        TemplateValue::Call(Box::new(call))
    } else if content.peek(syn::token::Bracket) {
        let elements;
        let bracket = bracketed!(elements in content);
        let mut values = Vec::new();
        while !elements.is_empty() {
            values.push(parse_template_value(&elements)?);
            if !elements.is_empty() {
                elements.parse::<Token![,]>()?;
            }
        }
        TemplateValue::Array(values, bracket.span.join())
    } else if content.peek(Ident) && starts_struct(content) {
        TemplateValue::Struct(Box::new(parse_template(content)?))
    } else {
        TemplateValue::Literal(content.parse()?)
    })
}

/// A task's `input`: `.a.b`, `$name.a` or `context.execution.input.a`.
fn parse_task_input(input: ParseStream) -> syn::Result<TaskInput> {
    if input.peek(Token![$]) {
        let (name, path) = parse_variable(input)?;
        return Ok(TaskInput::Variable(name, path));
    }
    if input.peek(kw::context) {
        let (path, _) = parse_execution_input(input, "a task's `input` reads the execution's input from the context, `context.execution.input.field`; other context fields reach a task through `parameters`")?;
        return Ok(TaskInput::ExecutionInput(path));
    }
    Ok(TaskInput::Field(parse_path(input)?))
}

/// `context.execution.input.a.b`: the path into the execution's input, and where `context` is;
/// another context field is an error worded by `message`.
fn parse_execution_input(input: ParseStream, message: &str) -> syn::Result<(FieldPath, Span)> {
    let keyword: kw::context = input.parse()?;
    let mut path = parse_path(input)?;
    let reads_input =
        path.fields.len() >= 2 && path.fields[0] == "execution" && path.fields[1] == "input";
    if !reads_input {
        return Err(syn::Error::new(keyword.span, message));
    }
    path.fields.drain(..2);
    Ok((path, keyword.span))
}

/// `$name` or `$name.a.b`: a workflow variable and the path into it (empty for the whole value).
fn parse_variable(input: ParseStream) -> syn::Result<(Ident, FieldPath)> {
    input.parse::<Token![$]>()?;
    let name: Ident = input.parse()?;
    let path = if input.peek(Token![.]) {
        parse_path(input)?
    } else {
        FieldPath { fields: Vec::new() }
    };
    Ok((name, path))
}

fn parse_path(input: ParseStream) -> syn::Result<FieldPath> {
    let mut fields = Vec::new();
    // `.` alone is the whole value.
    if input.peek(Token![.]) && !input.peek2(Ident) {
        input.parse::<Token![.]>()?;
        return Ok(FieldPath { fields });
    }
    while input.peek(Token![.]) {
        input.parse::<Token![.]>()?;
        fields.push(input.call(syn::ext::IdentExt::parse_any)?);
    }
    if fields.is_empty() {
        return Err(input.error("expected a field path such as `.order.total`"));
    }
    Ok(FieldPath { fields })
}

fn parse_or(input: ParseStream) -> syn::Result<Condition> {
    let mut left = parse_and(input)?;
    while input.peek(Token![||]) {
        input.parse::<Token![||]>()?;
        left = Condition::Or(Box::new(left), Box::new(parse_and(input)?));
    }
    Ok(left)
}

fn parse_and(input: ParseStream) -> syn::Result<Condition> {
    let mut left = parse_unary(input)?;
    while input.peek(Token![&&]) {
        input.parse::<Token![&&]>()?;
        left = Condition::And(Box::new(left), Box::new(parse_unary(input)?));
    }
    Ok(left)
}

fn parse_unary(input: ParseStream) -> syn::Result<Condition> {
    if input.peek(Token![!]) {
        input.parse::<Token![!]>()?;
        return Ok(Condition::Not(Box::new(parse_unary(input)?)));
    }
    if input.peek(syn::token::Paren) {
        let inner;
        parenthesized!(inner in input);
        return parse_or(&inner);
    }
    if input.peek(Ident) && !input.peek(kw::context) {
        let function: Ident = input.parse()?;
        const TESTS: [&str; 7] = [
            "is_present",
            "is_null",
            "is_numeric",
            "is_string",
            "is_boolean",
            "is_timestamp",
            "matches",
        ];
        if !TESTS.contains(&function.to_string().as_str()) {
            return Err(syn::Error::new_spanned(
                &function,
                match nearest(&function.to_string(), &TESTS) {
                    Some(name) => format!(
                        "unknown Choice test `{function}`: did you mean `{name}`? (expected one of {})",
                        TESTS.join(", ")
                    ),
                    None => format!(
                        "unknown Choice test `{function}`: expected one of {}",
                        TESTS.join(", ")
                    ),
                },
            ));
        }
        let args;
        parenthesized!(args in input);
        let path = parse_path(&args)?;
        let pattern = if function == "matches" {
            args.parse::<Token![,]>()?;
            Some(args.parse::<LitStr>()?)
        } else {
            None
        };
        return Ok(Condition::Test {
            function,
            path,
            pattern,
        });
    }
    let mut execution_input = None;
    let (variable, path) = if input.peek(Token![$]) {
        let (name, path) = parse_variable(input)?;
        (Some(name), path)
    } else if input.peek(kw::context) {
        let (path, span) = parse_execution_input(input, "a Choice rule reads the context's execution input, `context.execution.input.field`; compare other context fields by passing them through a template")?;
        execution_input = Some(span);
        (None, path)
    } else {
        (None, parse_path(input)?)
    };
    let op = if input.peek(Token![==]) {
        input.parse::<Token![==]>()?;
        CompareOp::Eq
    } else if input.peek(Token![!=]) {
        input.parse::<Token![!=]>()?;
        CompareOp::Ne
    } else if input.peek(Token![<=]) {
        input.parse::<Token![<=]>()?;
        CompareOp::Le
    } else if input.peek(Token![>=]) {
        input.parse::<Token![>=]>()?;
        CompareOp::Ge
    } else if input.peek(Token![<]) {
        input.parse::<Token![<]>()?;
        CompareOp::Lt
    } else if input.peek(Token![>]) {
        input.parse::<Token![>]>()?;
        CompareOp::Gt
    } else {
        return Err(input.error("expected a comparison: ==, !=, <, <=, > or >="));
    };
    if !input.peek(syn::Lit) {
        if let Some(span) = execution_input {
            return Err(syn::Error::new(
                span,
                "a Choice rule compares the execution input's field with a literal (a string, a number, a boolean)",
            ));
        }
        if let Some(name) = &variable {
            return Err(syn::Error::new_spanned(
                name,
                "a Choice rule compares a variable with a literal (a string, a number, a boolean)",
            ));
        }
        let variant: Path = input.parse().map_err(|_| {
            input.error("a Choice rule compares with a literal (a string, a number, a boolean) or an enum variant such as `Status::Shipped`")
        })?;
        if !matches!(op, CompareOp::Eq | CompareOp::Ne) {
            return Err(syn::Error::new_spanned(
                variant,
                "an enum variant is compared with `==` or `!=` only",
            ));
        }
        return Ok(Condition::Variant {
            path,
            negate: op == CompareOp::Ne,
            variant,
        });
    }
    let value: Lit = input.parse()?;
    match &value {
        Lit::Str(_) | Lit::Int(_) | Lit::Float(_) => {}
        Lit::Bool(_) if matches!(op, CompareOp::Eq | CompareOp::Ne) => {}
        other => {
            return Err(syn::Error::new_spanned(
                other,
                "a Choice rule compares with a string, number or (with == and !=) boolean literal",
            ))
        }
    }
    Ok(Condition::Compare {
        variable,
        execution_input,
        path,
        op,
        value,
    })
}

/// An option key that is not one of `valid`: `what` lists them, and the nearest is suggested.
fn unknown_key(key: &Ident, valid: &[&str], what: &str) -> syn::Error {
    let written = key.to_string();
    let message = match nearest(&written, valid) {
        Some(name) => format!("unknown option `{written}`: did you mean `{name}`? ({what})"),
        None => format!("unknown option `{written}`: {what}"),
    };
    syn::Error::new(key.span(), message)
}

/// The entry of `valid` closest to `written`, when one is close enough to be a misspelling.
fn nearest<'a>(written: &str, valid: &[&'a str]) -> Option<&'a str> {
    stepfn_codegen::similar::nearest(written, valid.iter().copied())
}

/// A succeed or fail state ends its branch: `-> next` after one is a mistake worth naming.
fn no_transition(input: ParseStream, kind: &str) -> syn::Result<()> {
    if input.peek(Token![->]) {
        let arrow: Token![->] = input.parse()?;
        return Err(syn::Error::new_spanned(
            arrow,
            format!("a {kind} state ends its branch, so it has no `-> next`: remove `-> ...`"),
        ));
    }
    Ok(())
}

/// Whether a struct template (`Type { .. }` or `path::Type { .. }`) comes next.
fn starts_struct(input: ParseStream) -> bool {
    let fork = input.fork();
    fork.parse::<Path>().is_ok() && fork.peek(syn::token::Brace)
}

/// Checks the number of arguments, and `format`'s template, at the call.
fn check_call_arguments(call: &Call) -> syn::Result<()> {
    let (min, max) = call.function.arity;
    let n = call.args.len();
    if n < min || max.is_some_and(|max| n > max) {
        let expected = match max {
            Some(max) if max == min => format!("{min}"),
            Some(max) => format!("{min} to {max}"),
            None => format!("at least {min}"),
        };
        return Err(syn::Error::new(
            call.span,
            format!(
                "`{}` takes {expected} argument{}, not {n}",
                call.function.dsl,
                if expected == "1" { "" } else { "s" }
            ),
        ));
    }
    if call.function.dsl == "format" {
        let template = match call.args.first() {
            Some(TemplateValue::Literal(syn::Lit::Str(s))) => s.value(),
            _ => {
                return Err(syn::Error::new(
                    call.span,
                    "`format` takes a string literal first: its template, with `{}` where each further argument goes",
                ))
            }
        };
        let placeholders = template.matches("{}").count();
        if placeholders != n - 1 {
            return Err(syn::Error::new(
                call.span,
                format!(
                    "the template has {placeholders} `{{}}` but `format` is given {} argument{} to fill them",
                    n - 1,
                    if n - 1 == 1 { "" } else { "s" }
                ),
            ));
        }
    }
    Ok(())
}

/// `result_selector = T { .. }`, `result_path = .a` or `output = .b as T` of a Parallel or Map;
/// false for another key.
fn shape_key(key: &Ident, args: ParseStream, shape: &mut Shape) -> syn::Result<bool> {
    match key.to_string().as_str() {
        "result_selector" => shape.result_selector = Some(parse_template(args)?),
        "result_path" => shape.result_path = Some(parse_path(args)?),
        "output" => {
            let path = parse_path(args)?;
            args.parse::<Token![as]>()?;
            shape.output = Some((path, args.parse()?));
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// `s3_json("bucket", "key")`, `s3_jsonl(..)`, `s3_csv("bucket", "key", headers = ["a"],
/// delimiter = pipe, max_items = 100)` or `s3_manifest(..)`.
fn parse_reader(args: ParseStream) -> syn::Result<Reader> {
    let function: Ident = args.parse()?;
    let input_type = match function.to_string().as_str() {
        "s3_json" => "JSON",
        "s3_jsonl" => "JSONL",
        "s3_csv" => "CSV",
        "s3_manifest" => "MANIFEST",
        _ => {
            return Err(syn::Error::new_spanned(
                function,
                "a reader is `s3_json(bucket, key)`, `s3_jsonl(bucket, key)`, `s3_csv(bucket, key)` or `s3_manifest(bucket, key)`",
            ))
        }
    };
    let location;
    parenthesized!(location in args);
    let bucket: LitStr = location.parse()?;
    location.parse::<Token![,]>()?;
    let key: LitStr = location.parse()?;
    let mut reader = Reader {
        input_type,
        bucket,
        key,
        csv_headers: None,
        csv_delimiter: None,
        max_items: None,
    };
    while location.peek(Token![,]) {
        location.parse::<Token![,]>()?;
        if location.is_empty() {
            break;
        }
        let option: Ident = location.parse()?;
        location.parse::<Token![=]>()?;
        let csv_only = |what: &str| {
            syn::Error::new_spanned(&option, format!("`{what}` is an option of `s3_csv` only"))
        };
        match option.to_string().as_str() {
            "headers" => {
                if input_type != "CSV" {
                    return Err(csv_only("headers"));
                }
                let list;
                bracketed!(list in location);
                let names = list.parse_terminated(|p| p.parse::<LitStr>(), Token![,])?;
                reader.csv_headers = Some(names.into_iter().collect());
            }
            "delimiter" => {
                if input_type != "CSV" {
                    return Err(csv_only("delimiter"));
                }
                let name: Ident = location.parse()?;
                reader.csv_delimiter = Some(match name.to_string().as_str() {
                    "comma" => "COMMA",
                    "pipe" => "PIPE",
                    "semicolon" => "SEMICOLON",
                    "space" => "SPACE",
                    "tab" => "TAB",
                    _ => {
                        return Err(syn::Error::new_spanned(
                            name,
                            "a delimiter is `comma`, `pipe`, `semicolon`, `space` or `tab`",
                        ))
                    }
                });
            }
            "max_items" => {
                let n: syn::LitInt = location.parse()?;
                reader.max_items = Some(n.base10_parse()?);
            }
            _ => return Err(unknown_key(
                &option,
                &["headers", "delimiter", "max_items"],
                "a reader takes `headers = [..]` and `delimiter = ..` (CSV) and `max_items = N`",
            )),
        }
    }
    Ok(reader)
}
