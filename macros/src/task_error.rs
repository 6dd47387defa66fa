//! `#[derive(TaskError)]`: each variant of an error enum gets an ASL error name, so `retry` and
//! `catch` in `workflow!` name Rust variants and the executor raises the matching names.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, LitStr};

pub fn expand(input: TokenStream) -> TokenStream {
    match derive(input) {
        Ok(tokens) => tokens,
        Err(e) => e.to_compile_error(),
    }
}

fn derive(input: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(input)?;
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[derive(TaskError)] is for enums: each variant is one ASL error name",
        ));
    };
    let ty = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let mut arms = Vec::new();
    let mut by_name = Vec::new();
    let mut seen: Vec<(String, proc_macro2::Span)> = Vec::new();
    for variant in &data.variants {
        let mut name = format!("{ty}.{}", variant.ident);
        for attr in &variant.attrs {
            if !attr.path().is_ident("task_error") {
                continue;
            }
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("name") {
                    let lit: LitStr = meta.value()?.parse()?;
                    let value = lit.value();
                    if value.is_empty() || value.starts_with("States.") {
                        return Err(syn::Error::new_spanned(
                            &lit,
                            "an error name must be non-empty and must not start with \"States.\", which AWS reserves",
                        ));
                    }
                    name = value;
                    Ok(())
                } else {
                    Err(meta.error("unknown task_error argument: expected `name = \"...\"`"))
                }
            })?;
        }
        if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
            let mut e = syn::Error::new_spanned(
                &variant.ident,
                format!("two variants have the error name \"{name}\""),
            );
            e.combine(syn::Error::new(*first, "the other one"));
            return Err(e);
        }
        seen.push((name.clone(), variant.ident.span()));
        let v = &variant.ident;
        let pattern = match &variant.fields {
            Fields::Unit => quote!(Self::#v),
            Fields::Unnamed(_) => quote!(Self::#v(..)),
            Fields::Named(_) => quote!(Self::#v { .. }),
        };
        arms.push(quote!(#pattern => #name));
        let variant_text = v.to_string();
        by_name.push(quote!(#variant_text => ::core::option::Option::Some(#name)));
    }
    let error_name_body = if arms.is_empty() {
        quote!(match *self {})
    } else {
        quote!(match self { #(#arms,)* })
    };
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics ::stepfn::__private::TaskError for #ty #ty_generics #where_clause {
            fn error_name(&self) -> &'static str {
                #error_name_body
            }
            fn name_of(variant: &str) -> ::core::option::Option<&'static str> {
                match variant {
                    #(#by_name,)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    })
}
