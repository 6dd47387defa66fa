//! The intrinsic functions (`States.Format`, `States.ArrayPartition`, ...), evaluated from
//! calls parsed once with the definition.

use std::borrow::Cow;

use crate::data::Data;
use base64::Engine;
use stepfn_codegen::{IntrinsicArg, IntrinsicCall, IntrinsicFunction as F};

use crate::error::{names, StatesError};
use crate::expr::jsonpath::values_equal;
use crate::expr::scope::{compact, Scope};

/// Longest string `States.Base64Encode`, `Base64Decode` and `Hash` accept.
const MAX_STRING_ARGUMENT: usize = 10_000;
/// Most elements `States.ArrayRange` may produce.
const MAX_RANGE_ELEMENTS: i64 = 1000;

/// Runs an intrinsic call against `scope`.
pub fn call(call: &IntrinsicCall, scope: &Scope<'_>) -> Result<Data, StatesError> {
    let args = call
        .args
        .iter()
        .map(|arg| argument(arg, call, scope))
        .collect::<Result<Vec<_>, _>>()?;
    let f = call.function;
    let fail = |message: String| {
        StatesError::new(
            names::INTRINSIC_FAILURE,
            format!("Invalid arguments in {}: {message}", f.name()),
        )
    };
    Ok(match f {
        F::Format => format(call, &args).map_err(fail)?,
        F::StringToJson => {
            let text = string(&args[0]).map_err(fail)?;
            if text.trim().is_empty() {
                Data::Null
            } else {
                serde_json::from_str(text)
                    .map_err(|e| fail(format!("'{text}' is not valid JSON: {e}")))?
            }
        }
        F::JsonToString => Data::from(compact(&args[0])),
        F::Array => Data::array(args),
        F::ArrayPartition => {
            let items = array(&args[0]).map_err(fail)?;
            let size = integer(&args[1]).map_err(fail)?;
            if size <= 0 {
                return Err(fail(format!("chunk size must be positive, got {size}")));
            }
            Data::array(
                items
                    .chunks(size as usize)
                    .map(|c| Data::array(c.to_vec()))
                    .collect(),
            )
        }
        F::ArrayContains => {
            let items = array(&args[0]).map_err(fail)?;
            Data::Bool(items.iter().any(|x| values_equal(x, &args[1])))
        }
        F::ArrayRange => {
            let (start, end, step) = (
                integer(&args[0]).map_err(fail)?,
                integer(&args[1]).map_err(fail)?,
                integer(&args[2]).map_err(fail)?,
            );
            if step == 0 {
                return Err(fail("step must not be 0".into()));
            }
            let count = if (step > 0 && start > end) || (step < 0 && start < end) {
                0
            } else {
                (end - start) / step + 1
            };
            if count > MAX_RANGE_ELEMENTS {
                return Err(fail(format!(
                    "the range has {count} elements; at most {MAX_RANGE_ELEMENTS} are allowed"
                )));
            }
            Data::array((0..count).map(|i| Data::from(start + i * step)).collect())
        }
        F::ArrayGetItem => {
            let items = array(&args[0]).map_err(fail)?;
            let index = integer(&args[1]).map_err(fail)?;
            usize::try_from(index)
                .ok()
                .and_then(|i| items.get(i))
                .cloned()
                .ok_or_else(|| fail(format!("index {index} is out of bounds")))?
        }
        F::ArrayLength => Data::from(array(&args[0]).map_err(fail)?.len()),
        F::ArrayUnique => {
            let items = array(&args[0]).map_err(fail)?;
            let mut unique: Vec<Data> = Vec::with_capacity(items.len());
            for item in items {
                if !unique.iter().any(|u| values_equal(u, item)) {
                    unique.push(item.clone());
                }
            }
            Data::array(unique)
        }
        F::Base64Encode => {
            let text = bounded_string(&args[0]).map_err(fail)?;
            Data::from(base64::engine::general_purpose::STANDARD.encode(text))
        }
        F::Base64Decode => {
            let text = bounded_string(&args[0]).map_err(fail)?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|e| fail(format!("'{text}' is not base64: {e}")))?;
            Data::from(String::from_utf8_lossy(&bytes).into_owned())
        }
        F::Hash => {
            let data = match &args[0] {
                Data::String(s) => s.to_string(),
                other => compact(other),
            };
            if data.chars().count() > MAX_STRING_ARGUMENT {
                return Err(fail(format!(
                    "the input is longer than {MAX_STRING_ARGUMENT} characters"
                )));
            }
            let algorithm = string(&args[1]).map_err(fail)?;
            Data::from(hash(&data, algorithm).ok_or_else(|| {
                fail(format!(
                    "'{algorithm}' is not one of MD5, SHA-1, SHA-256, SHA-384, SHA-512"
                ))
            })?)
        }
        F::JsonMerge => {
            let (Data::Object(_), Data::Object(b)) = (&args[0], &args[1]) else {
                return Err(fail("both values to merge must be JSON objects".into()));
            };
            if args[2] != Data::Bool(false) {
                return Err(fail("only a shallow merge (false) is supported".into()));
            }
            // The first object's members are shared, not copied.
            let mut merged = args[0].clone();
            if let Some(members) = merged.object_mut() {
                for (k, v) in b.iter() {
                    members.insert(k.clone(), v.clone());
                }
            }
            merged
        }
        F::MathRandom => {
            let start = integer(&args[0]).map_err(fail)?;
            let end = integer(&args[1]).map_err(fail)?;
            if start > end {
                return Err(fail(format!("start {start} is greater than end {end}")));
            }
            let value = match args.get(2) {
                Some(seed) => {
                    let seed = integer(seed).map_err(fail)?;
                    fastrand::Rng::with_seed(seed as u64).i64(start..=end)
                }
                None => fastrand::i64(start..=end),
            };
            Data::from(value)
        }
        F::MathAdd => {
            let a = integer(&args[0]).map_err(fail)?;
            let b = integer(&args[1]).map_err(fail)?;
            Data::from(
                a.checked_add(b)
                    .ok_or_else(|| fail("the sum overflows".into()))?,
            )
        }
        F::StringSplit => {
            let text = string(&args[0]).map_err(fail)?;
            let delimiters = string(&args[1]).map_err(fail)?;
            Data::array(
                text.split(|c| delimiters.contains(c))
                    .filter(|part| !part.is_empty())
                    .map(|part| Data::from(part.to_string()))
                    .collect(),
            )
        }
        F::Uuid => Data::from(crate::random::uuid_v4().to_string()),
    })
}

fn argument(
    arg: &IntrinsicArg,
    call: &IntrinsicCall,
    scope: &Scope<'_>,
) -> Result<Data, StatesError> {
    Ok(match arg {
        IntrinsicArg::String { value, .. } => Data::from(value.clone()),
        IntrinsicArg::Number(n) => Data::Number(n.clone()),
        IntrinsicArg::Bool(b) => Data::Bool(*b),
        IntrinsicArg::Null => Data::Null,
        IntrinsicArg::Path(path) => scope.select(path).map(Cow::into_owned).map_err(|_| {
            StatesError::runtime(format!(
                "The JSONPath '{}' specified for the field '{}' could not be found in the input '{}'",
                path.source(),
                call.source(),
                compact(scope.input)
            ))
        })?,
        IntrinsicArg::Call(inner) => self::call(inner, scope)?,
    })
}

fn format(call: &IntrinsicCall, args: &[Data]) -> Result<Data, String> {
    // A literal format string had its placeholders found when it was parsed; one read
    // through a path (`States.Format($.template, ...)`) is scanned now.
    let scanned: Vec<usize>;
    let (value, placeholders) = match (call.args.first(), args.first()) {
        (
            Some(IntrinsicArg::String {
                value,
                placeholders,
            }),
            _,
        ) => (value.as_str(), placeholders),
        (_, Some(Data::String(s))) => {
            scanned = s.match_indices("{}").map(|(i, _)| i).collect();
            (&**s, &scanned)
        }
        _ => return Err("the first argument must be a string".into()),
    };
    let values = &args[1..];
    if values.len() != placeholders.len() {
        return Err(format!(
            "the format string has {} placeholders but {} values were given",
            placeholders.len(),
            values.len()
        ));
    }
    let mut out = String::with_capacity(value.len());
    let mut last = 0;
    for (offset, v) in placeholders.iter().zip(values) {
        out.push_str(&value[last..*offset]);
        render(v, &mut out);
        last = offset + 2;
    }
    out.push_str(&value[last..]);
    Ok(Data::from(out))
}

/// How `States.Format` renders a value: strings bare, containers in Java's `toString` style
/// (`{a=1, b=[1, 2]}`), which is what Step Functions produces.
fn render(value: &Data, out: &mut String) {
    match value {
        Data::String(s) => out.push_str(s),
        Data::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(item, out);
            }
            out.push(']');
        }
        Data::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push('=');
                render(v, out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn string(v: &Data) -> Result<&str, String> {
    v.as_str()
        .ok_or_else(|| format!("expected a string, got {}", compact(v)))
}

fn bounded_string(v: &Data) -> Result<&str, String> {
    let s = string(v)?;
    if s.chars().count() > MAX_STRING_ARGUMENT {
        return Err(format!(
            "the input is longer than {MAX_STRING_ARGUMENT} characters"
        ));
    }
    Ok(s)
}

fn array(v: &Data) -> Result<&Vec<Data>, String> {
    v.as_array()
        .ok_or_else(|| format!("expected an array, got {}", compact(v)))
}

/// An integer argument. Step Functions rounds numbers with a fraction half up, as Java's
/// `Math.round` does (`1.5 -> 2`, `-1.5 -> -1`).
fn integer(v: &Data) -> Result<i64, String> {
    match v {
        Data::Number(n) => match n.as_i64() {
            Some(i) => Ok(i),
            None => n
                .as_f64()
                .map(|f| (f + 0.5).floor() as i64)
                .ok_or_else(|| format!("{n} is not an integer")),
        },
        other => Err(format!("expected a number, got {}", compact(other))),
    }
}

fn hash(data: &str, algorithm: &str) -> Option<String> {
    let bytes = data.as_bytes();
    let digest: Vec<u8> = match algorithm {
        "MD5" => md5::compute(bytes).0.to_vec(),
        "SHA-1" => sha1_smol::Sha1::from(bytes).digest().bytes().to_vec(),
        "SHA-256" => hmac_sha256::Hash::hash(bytes).to_vec(),
        "SHA-384" => hmac_sha512::sha384::Hash::hash(bytes).to_vec(),
        "SHA-512" => hmac_sha512::Hash::hash(bytes).to_vec(),
        _ => return None,
    };
    Some(digest.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::data::data;

    fn run(source: &str, input: Data) -> Result<Data, StatesError> {
        let c = IntrinsicCall::parse(source).unwrap();
        let context = crate::expr::context::ContextObject::default();
        call(
            &c,
            &Scope {
                input: &input,
                context: &context,
                variables: None,
            },
        )
    }

    #[test]
    fn functions_compute_what_aws_computes() {
        assert_eq!(
            run(
                "States.Format('a={} b={}', $.a, $.b)",
                data!({"a": {"x": [1, 2]}, "b": null})
            ),
            Ok(data!("a={x=[1, 2]} b=null"))
        );
        assert_eq!(
            run("States.MathAdd($.a, 1.5)", data!({"a": -1.5})),
            Ok(data!(1))
        );
        assert_eq!(
            run("States.ArrayRange(1, 9, 3)", data!({})),
            Ok(data!([1, 4, 7]))
        );
        assert_eq!(
            run("States.ArrayPartition($.a, 2)", data!({"a": [1, 2, 3]})),
            Ok(data!([[1, 2], [3]]))
        );
        assert_eq!(
            run("States.Hash('x', 'SHA-1')", data!({})),
            Ok(data!("11f6ad8ec52a2984abaafd7c3b516503785c2072"))
        );
        assert_eq!(
            run("States.StringSplit('a,b,,c', ',')", data!({})),
            Ok(data!(["a", "b", "c"]))
        );
        assert!(run("States.ArrayGetItem($.a, 5)", data!({"a": [1]})).is_err());
    }
}
