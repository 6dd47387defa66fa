//! `workflow!`: parse (ast, parse), check the names and graph (check), then generate the
//! workflow type, its definition and the type assertions (expand).

mod ast;
mod check;
mod context;
mod expand;
mod intrinsic;
mod parse;
mod variables;

use proc_macro2::TokenStream;

pub fn expand(input: TokenStream) -> TokenStream {
    let workflow: ast::Workflow = match syn::parse2(input) {
        Ok(w) => w,
        Err(e) => return e.to_compile_error(),
    };
    let mut errors = check::check(&workflow);
    errors.extend(variables::check(&workflow));
    if let Some(first) = errors.into_iter().reduce(|mut a, b| {
        a.combine(b);
        a
    }) {
        // The type and its impl are still declared, so its uses elsewhere do not fail too.
        let ast::Workflow {
            attrs,
            vis,
            name,
            input,
            output,
            ..
        } = &workflow;
        let errors = first.to_compile_error();
        return quote::quote! {
            #(#attrs)*
            #vis struct #name;
            impl ::stepfn::__private::Workflow for #name {
                type Input = #input;
                type Output = #output;
                fn definition() -> &'static ::stepfn::__private::StateMachine {
                    ::core::unreachable!("the workflow failed to compile")
                }
                fn executor() -> &'static ::stepfn::__private::Executor {
                    ::core::unreachable!("the workflow failed to compile")
                }
                fn tasks() -> ::stepfn::__private::TaskRegistry {
                    ::core::unreachable!("the workflow failed to compile")
                }
            }
            #errors
        };
    }
    match expand::expand(&workflow) {
        Ok(tokens) => tokens,
        Err(e) => e.to_compile_error(),
    }
}
