//! Payload templates, `Assign` and JSONata values, parsed once.

use indexmap::IndexMap;
use serde_json::Value;

use super::fields::Obj;
use super::Decoder;
use crate::{Assign, IntrinsicCall, Path, Pointer, Query, QueryLanguage, Template};

impl Decoder {
    /// The field `name` as a template of the state's query language.
    pub(crate) fn template_field(&mut self, obj: &Obj<'_>, name: &str) -> Option<Template> {
        let v = obj.get(name)?;
        Some(self.template(v, &obj.at(name), obj.lang))
    }

    /// The field `name` as a JSONPath payload template, which must be an object.
    pub(crate) fn payload_template_field(&mut self, obj: &Obj<'_>, name: &str) -> Option<Template> {
        let v = obj.get(name)?;
        let ptr = obj.at(name);
        if obj.lang == QueryLanguage::JsonPath && !v.is_object() {
            self.report(
                &ptr,
                format!("The field '{name}' must be a JSON object (a payload template)"),
            );
            return None;
        }
        Some(self.template(v, &ptr, obj.lang))
    }

    pub(crate) fn template(&mut self, v: &Value, ptr: &Pointer, lang: QueryLanguage) -> Template {
        match lang {
            QueryLanguage::JsonPath => self.jsonpath_template(v, ptr),
            QueryLanguage::Jsonata => self.jsonata_template(v, ptr),
        }
    }

    fn jsonpath_template(&mut self, v: &Value, ptr: &Pointer) -> Template {
        match v {
            Value::Object(map) => {
                let mut out = IndexMap::with_capacity(map.len());
                for (key, value) in map {
                    let at = ptr.key(key);
                    let (name, member) = match key.strip_suffix(".$") {
                        Some(name) => (
                            name,
                            self.query_member(key, value, &at).map(Template::Query),
                        ),
                        None => (key.as_str(), Some(self.jsonpath_template(value, &at))),
                    };
                    if out.contains_key(name) {
                        self.report(&at, format!("The field '{name}' is written twice once the '.$' suffix is removed"));
                        continue;
                    }
                    if let Some(member) = member {
                        out.insert(name.to_string(), member);
                    }
                }
                collapse_object(v, out)
            }
            Value::Array(items) => {
                let out: Vec<Template> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.jsonpath_template(item, &ptr.index(i)))
                    .collect();
                collapse_array(v, out)
            }
            _ => Template::Literal(v.clone()),
        }
    }

    fn jsonata_template(&mut self, v: &Value, ptr: &Pointer) -> Template {
        match v {
            Value::String(_) => match self.jsonata_string(QueryLanguage::Jsonata, v, ptr) {
                Some(Some(j)) => Template::Jsonata(j),
                _ => Template::Literal(v.clone()),
            },
            Value::Object(map) => {
                let out = map
                    .iter()
                    .map(|(k, item)| (k.clone(), self.jsonata_template(item, &ptr.key(k))))
                    .collect();
                collapse_object(v, out)
            }
            Value::Array(items) => {
                let out = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.jsonata_template(item, &ptr.index(i)))
                    .collect();
                collapse_array(v, out)
            }
            _ => Template::Literal(v.clone()),
        }
    }

    /// The value of a `"key.$"` member: a path or an intrinsic call.
    pub(crate) fn query_member(
        &mut self,
        key: &str,
        value: &Value,
        ptr: &Pointer,
    ) -> Option<Query> {
        let detail = match value {
            Value::String(s) => match parse_query(s) {
                Ok(q) => return Some(q),
                Err(detail) => detail,
            },
            other => format!("found {}", kind_of(other)),
        };
        self.report(ptr, format!("The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call ({detail})"));
        None
    }

    /// `Assign`: an object whose keys are variable names.
    pub(crate) fn assign(
        &mut self,
        v: &Value,
        ptr: &Pointer,
        lang: QueryLanguage,
    ) -> Option<Assign> {
        let map = self.object(v, ptr, "Assign")?;
        let mut vars = IndexMap::with_capacity(map.len());
        for (key, value) in map {
            let at = ptr.key(key);
            let (name, template) = match (lang, key.strip_suffix(".$")) {
                (QueryLanguage::JsonPath, Some(name)) => (
                    name,
                    self.query_member(key, value, &at).map(Template::Query),
                ),
                _ => (key.as_str(), Some(self.template(value, &at, lang))),
            };
            if vars.contains_key(name) {
                self.report(&at, format!("The variable '{name}' is assigned twice"));
                continue;
            }
            if let Some(template) = template {
                vars.insert(name.to_string(), template);
            }
        }
        Some(Assign(vars))
    }

    pub(crate) fn assign_field(&mut self, obj: &Obj<'_>) -> Option<Assign> {
        let v = obj.get("Assign")?;
        self.assign(v, &obj.at("Assign"), obj.lang)
    }

    /// `ErrorPath`/`CausePath` of a Fail state: a path or an intrinsic call.
    pub(crate) fn query_field(&mut self, obj: &Obj<'_>, name: &str) -> Option<Query> {
        let v = obj.get(name)?;
        let at = obj.at(name);
        match v {
            Value::String(s) => match parse_query(s) {
                Ok(q) => Some(q),
                Err(detail) => {
                    self.report(&at, format!("The value for the field '{name}' must be a valid reference path or a valid intrinsic function call ({detail})"));
                    None
                }
            },
            _ => {
                self.report(&at, format!("The field '{name}' must be a string"));
                None
            }
        }
    }
}

/// A `"key.$"` value: `$...` is a path, anything else must be an intrinsic call.
pub(crate) fn parse_query(s: &str) -> Result<Query, String> {
    if s.starts_with('$') {
        Path::parse(s)
            .map(Query::Path)
            .map_err(|e| format!("invalid JSONPath '{s}': {e}"))
    } else {
        IntrinsicCall::parse(s)
            .map(Query::Intrinsic)
            .map_err(|e| format!("invalid intrinsic function call '{s}': {e}"))
    }
}

fn collapse_object(original: &Value, members: IndexMap<String, Template>) -> Template {
    if members.values().all(Template::is_literal)
        && members.len() == original.as_object().map_or(0, |m| m.len())
    {
        Template::Literal(original.clone())
    } else {
        Template::Object(members)
    }
}

fn collapse_array(original: &Value, items: Vec<Template>) -> Template {
    if items.iter().all(Template::is_literal) {
        Template::Literal(original.clone())
    } else {
        Template::Array(items)
    }
}

pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
