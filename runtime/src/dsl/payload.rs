//! The JSON names of a payload's fields, for the paths `workflow!` emits.

use std::marker::PhantomData;

/// A struct whose fields `workflow!` paths may name. `#[derive(Payload)]` implements it from
/// the serde attributes, so `.order_total` becomes `$.orderTotal` under
/// `#[serde(rename_all = "camelCase")]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no JSON field names for workflow! paths",
    label = "this path reads a field of `{Self}`",
    note = "add `#[derive(stepfn::Payload)]` to `{Self}`, next to its serde derives"
)]
pub trait Payload {
    /// The JSON key serde writes for the Rust field `field`.
    fn json_name(field: &str) -> &str;
}

/// A path being built through the fields of `S`, with the JSON names serde gives them.
pub struct Lens<S> {
    segments: Vec<String>,
    at: PhantomData<fn(&S)>,
}

impl<S> Lens<S> {
    /// The path `$` into a value of type `S`.
    pub fn root() -> Self {
        Lens {
            segments: Vec::new(),
            at: PhantomData,
        }
    }

    /// The path one field further: `get` names the field for the compiler, `field` for serde.
    pub fn field<F>(mut self, field: &str, _get: fn(&S) -> &F) -> Lens<F>
    where
        S: Payload,
    {
        self.segments.push(S::json_name(field).to_string());
        Lens {
            segments: self.segments,
            at: PhantomData,
        }
    }

    /// The JSONPath: `$.a.b`, with bracket notation for names that need it.
    pub fn json_path(&self) -> String {
        let mut path = String::from("$");
        for s in &self.segments {
            let plain = s
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if plain {
                path.push('.');
                path.push_str(s);
            } else {
                path.push_str(&format!("['{}']", s.replace('\'', "\\\\'")));
            }
        }
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Outer;
    struct Inner;
    impl Payload for Outer {
        fn json_name(field: &str) -> &str {
            match field {
                "inner_value" => "innerValue",
                other => other,
            }
        }
    }
    impl Payload for Inner {
        fn json_name(field: &str) -> &str {
            match field {
                "total" => "grand total",
                other => other,
            }
        }
    }

    #[test]
    fn paths_use_the_serde_names() {
        let path = Lens::<Outer>::root()
            .field("inner_value", |_| &Inner)
            .field("total", |_| &0.0);
        assert_eq!(path.json_path(), "$.innerValue['grand total']");
    }
}
