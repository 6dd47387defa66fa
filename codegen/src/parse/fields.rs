//! Reading the fields of one JSON object, reporting missing, misplaced and mistyped ones.

use serde_json::{Map, Number, Value};

use super::Decoder;
use crate::{Jsonata, MaybeJsonata, Nullable, Path, Pointer, QueryLanguage};

/// Which query language a field belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Both,
    JsonPath,
    Jsonata,
}

pub(crate) use Lang::{Both as B, JsonPath as P, Jsonata as A};

/// One JSON object being decoded, with the fields its kind allows.
pub(crate) struct Obj<'v> {
    pub map: &'v Map<String, Value>,
    pub ptr: Pointer,
    pub lang: QueryLanguage,
}

impl<'v> Obj<'v> {
    pub fn get(&self, name: &str) -> Option<&'v Value> {
        self.map.get(name)
    }

    pub fn at(&self, name: &str) -> Pointer {
        self.ptr.key(name)
    }
}

impl Decoder {
    /// `value` as an object, or a problem.
    pub(crate) fn object<'v>(
        &mut self,
        value: &'v Value,
        ptr: &Pointer,
        what: &str,
    ) -> Option<&'v Map<String, Value>> {
        match value {
            Value::Object(m) => Some(m),
            _ => {
                self.report(ptr, format!("{what} must be a JSON object"));
                None
            }
        }
    }

    /// Reports every field of `obj` not in `allowed`, and every field of the other query
    /// language, in the words AWS uses; then reports the required fields that are missing.
    pub(crate) fn check_fields(
        &mut self,
        obj: &Obj<'_>,
        allowed: &[(&str, Lang)],
        required: &[&str],
    ) {
        for key in obj.map.keys() {
            match allowed.iter().find(|(name, _)| name == key) {
                Some((_, lang)) => {
                    let wrong = match (lang, obj.lang) {
                        (Lang::JsonPath, QueryLanguage::Jsonata) => Some(("JSONata", "JSONPath")),
                        (Lang::Jsonata, QueryLanguage::JsonPath) => Some(("JSONPath", "JSONata")),
                        _ => None,
                    };
                    if let Some((is, needs)) = wrong {
                        self.report(&obj.ptr, format!("The QueryLanguage is set to '{is}', but field '{key}' is only supported for the '{needs}' QueryLanguage"));
                    }
                }
                None => {
                    let suggestion = allowed
                        .iter()
                        .map(|(name, _)| *name)
                        .filter(|name| !obj.map.contains_key(*name))
                        .map(|name| {
                            (
                                crate::similar::jaro_winkler(
                                    &key.to_lowercase(),
                                    &name.to_lowercase(),
                                ),
                                name,
                            )
                        })
                        .filter(|(score, _)| *score > 0.85)
                        .max_by(|a, b| a.0.total_cmp(&b.0));
                    match suggestion {
                        Some((_, name)) => self.report(
                            &obj.ptr,
                            format!("Field '{key}' is not supported (did you mean '{name}'?)"),
                        ),
                        None => self.report(&obj.ptr, format!("Field '{key}' is not supported")),
                    }
                }
            }
        }
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|r| !obj.map.contains_key(*r))
            .collect();
        if !missing.is_empty() {
            self.report(
                &obj.ptr,
                format!("These fields are required: [{}]", missing.join(", ")),
            );
        }
    }

    /// Reports when more than one of `names` is present.
    pub(crate) fn at_most_one(&mut self, obj: &Obj<'_>, names: &[&str]) {
        if names.iter().filter(|n| obj.map.contains_key(**n)).count() > 1 {
            let list: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
            self.report(
                &obj.ptr,
                format!("The object may have only one of [{}]", list.join(", ")),
            );
        }
    }

    pub(crate) fn string(&mut self, obj: &Obj<'_>, name: &str) -> Option<String> {
        match obj.get(name)? {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.report(
                    &obj.at(name),
                    format!("The field '{name}' must be a string"),
                );
                None
            }
        }
    }

    pub(crate) fn bool_field(&mut self, obj: &Obj<'_>, name: &str) -> Option<bool> {
        match obj.get(name)? {
            Value::Bool(b) => Some(*b),
            _ => {
                self.report(
                    &obj.at(name),
                    format!("The field '{name}' must be a boolean"),
                );
                None
            }
        }
    }

    /// An integer field within `min..=max`.
    pub(crate) fn uint(&mut self, obj: &Obj<'_>, name: &str, min: u64, max: u64) -> Option<u64> {
        let v = obj.get(name)?;
        self.uint_value(v, &obj.at(name), name, min, max)
    }

    pub(crate) fn uint_value(
        &mut self,
        v: &Value,
        ptr: &Pointer,
        name: &str,
        min: u64,
        max: u64,
    ) -> Option<u64> {
        match v.as_u64() {
            Some(n) if (min..=max).contains(&n) => Some(n),
            Some(n) => {
                self.report(
                    ptr,
                    format!("The value of '{name}' is {n} but must be between {min} and {max}"),
                );
                None
            }
            None if v.as_i64().is_some() => {
                self.report(
                    ptr,
                    format!("The value of '{name}' is {v} but allowed floor is {min}"),
                );
                None
            }
            None => {
                self.report(ptr, format!("The field '{name}' must be an integer"));
                None
            }
        }
    }

    /// A number field within `min..=max`, kept as written.
    pub(crate) fn number(
        &mut self,
        obj: &Obj<'_>,
        name: &str,
        min: f64,
        max: f64,
    ) -> Option<Number> {
        let v = obj.get(name)?;
        self.number_value(v, &obj.at(name), name, min, max)
    }

    pub(crate) fn number_value(
        &mut self,
        v: &Value,
        ptr: &Pointer,
        name: &str,
        min: f64,
        max: f64,
    ) -> Option<Number> {
        match v {
            Value::Number(n) => {
                let f = n.as_f64().unwrap_or(f64::NAN);
                if f >= min && f <= max {
                    Some(n.clone())
                } else if f < min {
                    self.report(
                        ptr,
                        format!("The value of '{name}' is {n} but allowed minimum is {min}"),
                    );
                    None
                } else {
                    self.report(
                        ptr,
                        format!("The value of '{name}' is {n} but allowed maximum is {max}"),
                    );
                    None
                }
            }
            _ => {
                self.report(ptr, format!("The field '{name}' must be a number"));
                None
            }
        }
    }

    /// A field that JSONata states may write as a `{% %}` expression; otherwise `literal`
    /// reads it.
    fn or_jsonata<T>(
        &mut self,
        obj: &Obj<'_>,
        name: &str,
        literal: impl FnOnce(&mut Self, &Value) -> Option<T>,
    ) -> Option<MaybeJsonata<T>> {
        let v = obj.get(name)?;
        if let Some(j) = self.jsonata_string(obj.lang, v, &obj.at(name)) {
            return j.map(MaybeJsonata::Jsonata);
        }
        literal(self, v).map(MaybeJsonata::Literal)
    }

    /// An integer within `min..=max`, or an expression in JSONata states.
    pub(crate) fn uint_or_jsonata(
        &mut self,
        obj: &Obj<'_>,
        name: &str,
        min: u64,
        max: u64,
    ) -> Option<MaybeJsonata<u64>> {
        self.or_jsonata(obj, name, |d, v| {
            d.uint_value(v, &obj.at(name), name, min, max)
        })
    }

    /// A number within `min..=max`, or an expression in JSONata states.
    pub(crate) fn number_or_jsonata(
        &mut self,
        obj: &Obj<'_>,
        name: &str,
        min: f64,
        max: f64,
    ) -> Option<MaybeJsonata<Number>> {
        self.or_jsonata(obj, name, |d, v| {
            d.number_value(v, &obj.at(name), name, min, max)
        })
    }

    /// A string, or an expression in JSONata states.
    pub(crate) fn string_or_jsonata(
        &mut self,
        obj: &Obj<'_>,
        name: &str,
    ) -> Option<MaybeJsonata<String>> {
        self.or_jsonata(obj, name, |d, _| d.string(obj, name))
    }

    /// `v` as a JSONata expression, when the state is a JSONata state and `v` is `{% ... %}`:
    /// `Some(None)` when it is one but does not parse (the problem is reported).
    pub(crate) fn jsonata_string(
        &mut self,
        lang: QueryLanguage,
        v: &Value,
        ptr: &Pointer,
    ) -> Option<Option<Jsonata>> {
        let (QueryLanguage::Jsonata, Value::String(s)) = (lang, v) else {
            return None;
        };
        match Jsonata::from_delimited(s)? {
            Ok(j) => Some(Some(j)),
            Err(e) => {
                self.report(
                    ptr,
                    format!(
                        "The JSONata expression '{}' is invalid: {e}",
                        &s[2..s.len() - 2]
                    ),
                );
                Some(None)
            }
        }
    }

    /// A path field such as `InputPath`, which may be `null`.
    pub(crate) fn nullable_path(
        &mut self,
        obj: &Obj<'_>,
        name: &str,
        reference: bool,
    ) -> Option<Nullable<Path>> {
        match obj.get(name)? {
            Value::Null => Some(Nullable::Null),
            _ => self.path(obj, name, reference).map(Nullable::Value),
        }
    }

    /// A path field; `reference` demands a reference path (names and indexes only).
    pub(crate) fn path(&mut self, obj: &Obj<'_>, name: &str, reference: bool) -> Option<Path> {
        let v = obj.get(name)?;
        let ptr = obj.at(name);
        let Value::String(s) = v else {
            self.report(
                &ptr,
                format!("The field '{name}' must be a JSONPath string"),
            );
            return None;
        };
        let parsed = if reference {
            Path::parse_reference(s)
        } else {
            Path::parse(s)
        };
        match parsed {
            Ok(p) => Some(p),
            Err(e) => {
                let kind = if reference {
                    "a valid reference path"
                } else {
                    "a valid JSONPath"
                };
                self.report(
                    &ptr,
                    format!("The value for the field '{name}' must be {kind}: '{s}' ({e})"),
                );
                None
            }
        }
    }

    /// One of the enumerated string values of `E`.
    pub(crate) fn enum_field<E: Copy>(
        &mut self,
        obj: &Obj<'_>,
        name: &str,
        all: &[E],
        text: fn(E) -> &'static str,
    ) -> Option<E> {
        let s = self.string(obj, name)?;
        match all.iter().copied().find(|e| text(*e) == s) {
            Some(e) => Some(e),
            None => {
                let names: Vec<&str> = all.iter().map(|e| text(*e)).collect();
                self.report(
                    &obj.at(name),
                    format!(
                        "The field '{name}' should have one of these values: [{}]",
                        names.join(", ")
                    ),
                );
                None
            }
        }
    }

    /// A non-empty array of strings (`ErrorEquals`, `CSVHeaders`).
    pub(crate) fn string_list(
        &mut self,
        obj: &Obj<'_>,
        name: &str,
        non_empty: bool,
    ) -> Option<Vec<String>> {
        let v = obj.get(name)?;
        let ptr = obj.at(name);
        let Value::Array(items) = v else {
            self.report(
                &ptr,
                format!("The field '{name}' must be an array of strings"),
            );
            return None;
        };
        if non_empty && items.is_empty() {
            self.report(
                &ptr,
                format!("The field '{name}' must be non-empty: non-empty required"),
            );
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(s) => out.push(s.clone()),
                _ => self.report(
                    &ptr.index(i),
                    format!("The elements of '{name}' must be strings"),
                ),
            }
        }
        (out.len() == items.len()).then_some(out)
    }
}
