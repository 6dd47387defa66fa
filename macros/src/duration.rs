//! Durations written in the DSL: `"30s"`, `"5m"`, `"2h"`, `"1d"`, or a whole number of
//! seconds, checked when the macro expands.

use syn::{Lit, LitStr};

/// Seconds in `lit`, or an error at the literal saying what a duration looks like.
pub fn seconds(lit: &Lit) -> syn::Result<u64> {
    match lit {
        Lit::Int(i) if i.suffix().is_empty() => i.base10_parse(),
        Lit::Str(s) => parse(s),
        other => Err(syn::Error::new_spanned(
            other,
            "expected a duration such as \"30s\", \"5m\", \"2h\" or a number of seconds",
        )),
    }
}

fn parse(s: &LitStr) -> syn::Result<u64> {
    let text = s.value();
    let bad = || {
        syn::Error::new(
            s.span(),
            format!("invalid duration \"{text}\": write a whole number followed by s, m, h or d, such as \"30s\" or \"5m\""),
        )
    };
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().map_err(|_| bad())?;
    let factor = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    n.checked_mul(factor).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_errors() {
        let lit = |s: &str| -> Lit { syn::parse_str(s).unwrap() };
        assert_eq!(seconds(&lit("\"30s\"")).unwrap(), 30);
        assert_eq!(seconds(&lit("\"5m\"")).unwrap(), 300);
        assert_eq!(seconds(&lit("\"2h\"")).unwrap(), 7200);
        assert_eq!(seconds(&lit("12")).unwrap(), 12);
        assert!(seconds(&lit("\"5 minutes\"")).is_err());
        assert!(seconds(&lit("\"m\"")).is_err());
    }
}
