//! Reads JSON text into a value while noticing what `serde_json::Value` would hide: keys
//! written twice in one object (the later one silently wins there).

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::{Pointer, Problem, ProblemCode};

/// Parses `text` as one JSON document. Duplicate keys become problems at their pointers; the
/// value keeps the last occurrence, as JSON parsers conventionally do.
pub fn load_json(text: &str) -> Result<(Value, Vec<Problem>), Problem> {
    let duplicates = RefCell::new(Vec::new());
    let mut de = serde_json::Deserializer::from_str(text);
    let value = ValueSeed {
        pointer: Pointer::root(),
        duplicates: &duplicates,
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v));
    match value {
        Ok(v) => {
            let problems = duplicates
                .into_inner()
                .into_iter()
                .map(|p: Pointer| {
                    let key = p
                        .as_str()
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .replace("~1", "/")
                        .replace("~0", "~");
                    Problem::schema(&p, format!("Duplicate field '{key}'"))
                })
                .collect();
            Ok((v, problems))
        }
        // AWS answers an empty definition with a schema error, not a JSON one.
        Err(_) if text.trim().is_empty() => Err(Problem {
            code: ProblemCode::SchemaValidationFailed,
            pointer: None,
            message: "Definition must be a valid JSON object".to_string(),
        }),
        Err(e) => Err(Problem {
            code: ProblemCode::InvalidJsonDescription,
            pointer: None,
            message: format!("Invalid JSON: {e}"),
        }),
    }
}

struct ValueSeed<'a> {
    pointer: Pointer,
    duplicates: &'a RefCell<Vec<Pointer>>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(ValueSeed {
            pointer: self.pointer.index(out.len()),
            duplicates: self.duplicates,
        })? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let pointer = self.pointer.key(&key);
            let v = map.next_value_seed(ValueSeed {
                pointer: pointer.clone(),
                duplicates: self.duplicates,
            })?;
            if out.insert(key, v).is_some() {
                self.duplicates.borrow_mut().push(pointer);
            }
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_duplicate_keys() {
        let (v, problems) =
            load_json(r#"{"a": {"b": 1, "b": 2}, "c": [1, {"d": 0, "d": 0}]}"#).unwrap();
        assert_eq!(v["a"]["b"], 2);
        let at: Vec<_> = problems.iter().map(|p| p.location().to_string()).collect();
        assert_eq!(at, vec!["/a/b", "/c/1/d"]);
    }

    #[test]
    fn malformed_text_is_an_error() {
        for bad in ["", "   ", "not a definition", "{", "{} {}", "[1,]"] {
            let e = load_json(bad).unwrap_err();
            let code = if bad.trim().is_empty() {
                ProblemCode::SchemaValidationFailed
            } else {
                ProblemCode::InvalidJsonDescription
            };
            assert_eq!(e.code, code, "{bad}");
        }
    }
}
