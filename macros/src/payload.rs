//! `#[derive(Payload)]`: the JSON name of each field of a struct, as serde writes it
//! (`#[serde(rename = "...")]`, `#[serde(rename_all = "...")]`), so the paths `workflow!`
//! emits name the keys the tasks really read and write.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, LitStr};

pub fn expand(input: TokenStream) -> TokenStream {
    match derive(input) {
        Ok(tokens) => tokens,
        Err(e) => e.to_compile_error(),
    }
}

/// serde's `rename_all` conventions.
fn convert(rule: &str, field: &str) -> Option<String> {
    let words: Vec<String> = field
        .split('_')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let capitalised = |w: &String| {
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect::<String>())
            .unwrap_or_default()
    };
    Some(match rule {
        "lowercase" => field.to_lowercase(),
        "UPPERCASE" => field.to_uppercase(),
        "PascalCase" => words.iter().map(capitalised).collect(),
        "camelCase" => words
            .iter()
            .enumerate()
            .map(|(i, w)| if i == 0 { w.clone() } else { capitalised(w) })
            .collect(),
        "snake_case" => field.to_string(),
        "SCREAMING_SNAKE_CASE" => field.to_uppercase(),
        "kebab-case" => field.replace('_', "-"),
        "SCREAMING-KEBAB-CASE" => field.replace('_', "-").to_uppercase(),
        _ => return None,
    })
}

/// The serialised name `#[serde(...)]` attributes give, if any: `rename = "x"` or
/// `rename(serialize = "x")`, and `rename_all` the same way.
fn serde_name(attrs: &[syn::Attribute], key: &str) -> syn::Result<Option<LitStr>> {
    let mut found = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident(key) {
                if meta.input.peek(syn::Token![=]) {
                    found = Some(meta.value()?.parse::<LitStr>()?);
                } else {
                    meta.parse_nested_meta(|inner| {
                        if inner.path.is_ident("serialize") {
                            found = Some(inner.value()?.parse::<LitStr>()?);
                        } else {
                            let _ = inner.value()?.parse::<LitStr>()?;
                        }
                        Ok(())
                    })?;
                }
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            } else if meta.input.peek(syn::token::Paren) {
                meta.parse_nested_meta(|inner| {
                    if inner.input.peek(syn::Token![=]) {
                        let _: syn::Expr = inner.value()?.parse()?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    }
    Ok(found)
}

fn derive(input: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(input)?;
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[derive(Payload)] is for structs with named fields: their fields are what workflow! paths name",
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[derive(Payload)] needs named fields",
        ));
    };
    let rename_all = serde_name(&input.attrs, "rename_all")?;
    let mut arms = Vec::new();
    for field in &fields.named {
        let Some(ident) = &field.ident else { continue };
        let rust = ident.to_string();
        let rust = rust.strip_prefix("r#").unwrap_or(&rust).to_string();
        let json = match serde_name(&field.attrs, "rename")? {
            Some(name) => name.value(),
            None => match &rename_all {
                Some(rule) => convert(&rule.value(), &rust)
                    .ok_or_else(|| syn::Error::new_spanned(rule, "unknown rename_all rule"))?,
                None => rust.clone(),
            },
        };
        arms.push(quote!(#rust => #json));
    }
    let ty = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics ::stepfn::__private::Payload for #ty #ty_generics #where_clause {
            fn json_name(field: &str) -> &str {
                match field {
                    #(#arms,)*
                    other => other,
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::convert;

    #[test]
    fn serde_conventions() {
        assert_eq!(convert("camelCase", "order_total").unwrap(), "orderTotal");
        assert_eq!(convert("PascalCase", "order_total").unwrap(), "OrderTotal");
        assert_eq!(convert("kebab-case", "order_total").unwrap(), "order-total");
        assert_eq!(
            convert("SCREAMING_SNAKE_CASE", "order_total").unwrap(),
            "ORDER_TOTAL"
        );
        assert!(convert("Train-Case", "x").is_none());
    }
}
