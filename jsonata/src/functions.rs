//! The built-in function library, with each function's signature, plus the functions Step
//! Functions adds (`$partition`, `$range`, `$hash`, `$random(seed)`, `$uuid`, `$parse`).

use std::rc::Rc;

use crate::error::Error;
use crate::value::{
    append, deep_clone, deep_equal, js_number, stringify, truthy, utf16_cmp, Builtin, Env,
    Function, Interpreter, Object, Value,
};

macro_rules! builtins {
    ($($name:literal, $sig:literal => $f:expr;)*) => {
        static BUILTINS: [Builtin; [$($name),*].len()] = [
            $(Builtin::new($name, $sig, $f),)*
        ];
    };
}

builtins! {
    "sum", "a<n>:n" => sum;
    "count", "a:n" => count;
    "max", "a<n>:n" => max;
    "min", "a<n>:n" => min;
    "average", "a<n>:n" => average;
    "string", "x-b?:s" => string;
    "substring", "s-nn?:s" => substring;
    "substringBefore", "s-s:s" => substring_before;
    "substringAfter", "s-s:s" => substring_after;
    "lowercase", "s-:s" => lowercase;
    "uppercase", "s-:s" => uppercase;
    "length", "s-:n" => length;
    "trim", "s-:s" => trim;
    "pad", "s-ns?:s" => pad;
    "match", "s-f<s:o>n?:a<o>" => match_fn;
    "contains", "s-(sf):b" => contains;
    "replace", "s-(sf)(sf)n?:s" => replace;
    "split", "s-(sf)n?:a<s>" => split;
    "join", "a<s>s?:s" => join;
    "formatNumber", "n-so?:s" => format_number;
    "formatBase", "n-n?:s" => format_base;
    "formatInteger", "n-s:s" => format_integer;
    "parseInteger", "s-s:n" => parse_integer;
    "number", "(nsb)-:n" => number;
    "floor", "n-:n" => floor;
    "ceil", "n-:n" => ceil;
    "round", "n-n?:n" => round;
    "abs", "n-:n" => abs;
    "sqrt", "n-:n" => sqrt;
    "power", "n-n:n" => power;
    "random", "n?:n" => random;
    "boolean", "x-:b" => boolean;
    "not", "x-:b" => not;
    "map", "af" => map;
    "zip", "a+" => zip;
    "filter", "af" => filter;
    "single", "af?" => single;
    "reduce", "afj?:j" => reduce;
    "sift", "o-f?:o" => sift;
    "keys", "x-:a<s>" => keys;
    "lookup", "x-s:x" => lookup;
    "append", "xx:a" => append_fn;
    "exists", "x:b" => exists;
    "spread", "x-:a<o>" => spread;
    "merge", "a<o>:o" => merge;
    "reverse", "a:a" => reverse;
    "each", "o-f:a" => each;
    "error", "s?:x" => error;
    "assert", "bs?:x" => assert;
    "type", "x:s" => type_of;
    "sort", "af?:a" => sort;
    "shuffle", "a:a" => shuffle;
    "distinct", "x:x" => distinct;
    "base64encode", "s-:s" => base64encode;
    "base64decode", "s-:s" => base64decode;
    "encodeUrlComponent", "s-:s" => encode_url_component;
    "encodeUrl", "s-:s" => encode_url;
    "decodeUrlComponent", "s-:s" => decode_url_component;
    "decodeUrl", "s-:s" => decode_url;
    "eval", "sx?:x" => eval;
    "toMillis", "s-s?:n" => to_millis;
    "fromMillis", "n-s?s?:s" => from_millis;
    "now", "s?s?:s" => now;
    "millis", ":n" => millis;
    "clone", "(oa)-:o" => clone;
    "partition", "an:a" => partition;
    "range", "nnn?:a" => range;
    "hash", "ss?:s" => hash;
    "uuid", ":s" => uuid;
    "parse", "s-:x" => parse;
}

/// The built-in named `name`.
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

type R = Result<Value, Error>;

fn err(code: &'static str, message: impl Into<String>) -> Error {
    Error::new(code, message)
}

fn arg(args: &[Value], i: usize) -> &Value {
    args.get(i).unwrap_or(&Value::Undefined)
}

fn numbers(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(items, _) => items.iter().filter_map(Value::as_f64).collect(),
        Value::Number(n) => vec![*n],
        _ => Vec::new(),
    }
}

fn sum(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    if arg(a, 0).is_undefined() {
        return Ok(Value::Undefined);
    }
    Ok(Value::Number(numbers(arg(a, 0)).iter().sum()))
}

fn count(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    Ok(Value::Number(match arg(a, 0) {
        Value::Undefined => 0.0,
        Value::Array(items, _) => items.len() as f64,
        _ => 1.0,
    }))
}

fn max(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let ns = numbers(arg(a, 0));
    Ok(ns
        .into_iter()
        .reduce(f64::max)
        .map(Value::Number)
        .unwrap_or_default())
}

fn min(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let ns = numbers(arg(a, 0));
    Ok(ns
        .into_iter()
        .reduce(f64::min)
        .map(Value::Number)
        .unwrap_or_default())
}

fn average(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let ns = numbers(arg(a, 0));
    if ns.is_empty() {
        return Ok(Value::Undefined);
    }
    Ok(Value::Number(ns.iter().sum::<f64>() / ns.len() as f64))
}

fn string(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let v = arg(a, 0);
    if v.is_undefined() {
        return Ok(Value::Undefined);
    }
    let pretty = truthy(arg(a, 1)).unwrap_or(false);
    Ok(Value::string(stringify(v, pretty)?))
}

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

fn substring(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let Some(s) = arg(a, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let cs = chars(s);
    let len = cs.len() as f64;
    let mut start = arg(a, 1).as_f64().unwrap_or(0.0);
    if start < 0.0 {
        start = (len + start).max(0.0);
    }
    let start = start.min(len) as usize;
    let end = match arg(a, 2) {
        Value::Number(l) => {
            if *l <= 0.0 {
                return Ok(Value::string(""));
            }
            ((start as f64) + l).min(len) as usize
        }
        _ => cs.len(),
    };
    Ok(Value::string(
        cs[start..end.max(start)].iter().collect::<String>(),
    ))
}

fn substring_before(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let (Some(s), Some(c)) = (arg(a, 0).as_str(), arg(a, 1).as_str()) else {
        return Ok(arg(a, 0).clone());
    };
    Ok(Value::string(match s.find(c) {
        Some(i) => &s[..i],
        None => s,
    }))
}

fn substring_after(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let (Some(s), Some(c)) = (arg(a, 0).as_str(), arg(a, 1).as_str()) else {
        return Ok(arg(a, 0).clone());
    };
    Ok(Value::string(match s.find(c) {
        Some(i) => &s[i + c.len()..],
        None => s,
    }))
}

fn lowercase(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    Ok(arg(a, 0)
        .as_str()
        .map(|s| Value::string(s.to_lowercase()))
        .unwrap_or_default())
}

fn uppercase(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    Ok(arg(a, 0)
        .as_str()
        .map(|s| Value::string(s.to_uppercase()))
        .unwrap_or_default())
}

fn length(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    Ok(arg(a, 0)
        .as_str()
        .map(|s| Value::Number(s.chars().count() as f64))
        .unwrap_or_default())
}

fn trim(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    Ok(arg(a, 0)
        .as_str()
        .map(|s| Value::string(s.split_whitespace().collect::<Vec<_>>().join(" ")))
        .unwrap_or_default())
}

fn pad(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let Some(s) = arg(a, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let width = arg(a, 1).as_f64().unwrap_or(0.0);
    let with = arg(a, 2).as_str().unwrap_or(" ");
    let with = if with.is_empty() { " " } else { with };
    let len = s.chars().count();
    let target = width.abs() as usize;
    if target <= len {
        return Ok(Value::string(s));
    }
    let padding: String = with.chars().cycle().take(target - len).collect();
    Ok(Value::string(if width > 0.0 {
        format!("{s}{padding}")
    } else {
        format!("{padding}{s}")
    }))
}

fn utf16_index(s: &str, byte: usize) -> usize {
    s[..byte].encode_utf16().count()
}

/// The `{match, index, groups}` object of the first match at or after `from` (bytes), or
/// undefined.
pub fn regex_match_object(regex: &regex_lite::Regex, s: &str, from: usize) -> Value {
    match regex.captures_at(s, from) {
        Some(c) => match_object(s, &c),
        None => Value::Undefined,
    }
}

fn match_object(s: &str, c: &regex_lite::Captures<'_>) -> Value {
    let m = c.get(0).expect("group 0");
    let mut o = Object::new();
    o.insert("match".into(), Value::string(m.as_str()));
    o.insert(
        "index".into(),
        Value::Number(utf16_index(s, m.start()) as f64),
    );
    let groups = (1..c.len())
        .map(|i| Value::string(c.get(i).map(|g| g.as_str()).unwrap_or("")))
        .collect();
    o.insert("groups".into(), Value::array(groups));
    Value::object(o)
}

/// An optional count limit: absent means no limit, a negative one is the error `code`.
fn limit_arg(a: &[Value], index: usize, code: &'static str, message: &str) -> Result<usize, Error> {
    match arg(a, index) {
        Value::Number(n) if *n < 0.0 => Err(err(code, message)),
        Value::Number(n) => Ok(*n as usize),
        _ => Ok(usize::MAX),
    }
}

fn regex_of(v: &Value) -> Option<&regex_lite::Regex> {
    match v {
        Value::Function(f) => match &**f {
            Function::Regex(r) => Some(&r.regex),
            _ => None,
        },
        _ => None,
    }
}

/// A match a custom matcher returned: `{match, start, end, groups, next}`.
struct CustomMatch(Rc<Object>);

impl CustomMatch {
    fn get(&self, key: &str) -> Value {
        self.0.get(key).cloned().unwrap_or_default()
    }

    /// `start` or `end`, a UTF-16 index into the string.
    fn index(&self, key: &str) -> usize {
        self.get(key).as_f64().map_or(0, |n| n.max(0.0) as usize)
    }
}

/// A function in place of a regular expression: the reference implementation calls it with
/// the string, and each match's `next` function for the one after. What it returns must look
/// like a match (T1010); undefined is no (further) match.
fn custom_matches(
    ev: &mut dyn Interpreter,
    function: &str,
    matcher: &Value,
    s: &str,
    limit: usize,
    input: &Value,
    env: &Env,
) -> Result<Vec<CustomMatch>, Error> {
    let mut matches = Vec::new();
    let mut call = (matcher.clone(), vec![Value::string(s)]);
    while matches.len() < limit {
        let result = ev.apply(&call.0, call.1, input, env)?;
        if result.is_undefined() {
            break;
        }
        let found = match result {
            Value::Object(o)
                if matches!(o.get("start"), Some(Value::Number(_)))
                    || matches!(o.get("groups"), Some(Value::Array(..)))
                    || o.get("next").is_some_and(Value::is_function) =>
            {
                CustomMatch(o)
            }
            _ => {
                return Err(err(
                    "T1010",
                    format!("The matcher function argument passed to function {function} does not return the correct object structure"),
                ))
            }
        };
        call = (found.get("next"), Vec::new());
        matches.push(found);
    }
    Ok(matches)
}

/// The part of `s` between two UTF-16 indices, as JavaScript's `substring` takes it.
fn utf16_substring(s: &str, from: usize, to: Option<usize>) -> String {
    let units: Vec<u16> = s.encode_utf16().collect();
    let to = to.unwrap_or(units.len()).min(units.len());
    let from = from.min(to);
    String::from_utf16_lossy(&units[from..to])
}

fn match_fn(ev: &mut dyn Interpreter, a: &[Value], input: &Value, env: &Env) -> R {
    let Some(s) = arg(a, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let limit = limit_arg(
        a,
        2,
        "D3040",
        "Third argument of match function must evaluate to a positive number",
    )?;
    let Some(regex) = regex_of(arg(a, 1)) else {
        if arg(a, 1).is_function() {
            let items = custom_matches(ev, "match", arg(a, 1), s, limit, input, env)?
                .into_iter()
                .map(|m| {
                    let mut o = Object::new();
                    for (to, from) in [("match", "match"), ("index", "start"), ("groups", "groups")]
                    {
                        let v = m.get(from);
                        if !v.is_undefined() {
                            o.insert(to.into(), v);
                        }
                    }
                    Value::object(o)
                })
                .collect();
            return Ok(Value::sequence(items));
        }
        return Err(err(
            "T0410",
            "Argument 2 of function match does not match function signature",
        ));
    };
    let items: Vec<Value> = regex
        .captures_iter(s)
        .filter(|c| !c.get(0).is_some_and(|m| m.as_str().is_empty()))
        .take(limit)
        .map(|c| match_object(s, &c))
        .collect();
    Ok(Value::sequence(items))
}

fn contains(ev: &mut dyn Interpreter, a: &[Value], input: &Value, env: &Env) -> R {
    let Some(s) = arg(a, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    if arg(a, 1).is_undefined() {
        return Ok(Value::Undefined);
    }
    Ok(Value::Bool(match arg(a, 1) {
        Value::String(p) => s.contains(&**p),
        other => match regex_of(other) {
            Some(r) => r.is_match(s),
            None if other.is_function() => {
                !custom_matches(ev, "contains", other, s, 1, input, env)?.is_empty()
            }
            None => false,
        },
    }))
}

fn replace(ev: &mut dyn Interpreter, a: &[Value], input: &Value, env: &Env) -> R {
    let Some(s) = arg(a, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let limit = limit_arg(
        a,
        3,
        "D3011",
        "Fourth argument of replace function must evaluate to a positive number",
    )?;
    match arg(a, 1) {
        Value::String(p) => {
            if p.is_empty() {
                return Err(err(
                    "D3010",
                    "Second argument of replace function cannot be an empty string",
                ));
            }
            let Some(r) = arg(a, 2).as_str() else {
                return Err(err(
                    "T0410",
                    "Argument 3 of function replace does not match function signature",
                ));
            };
            Ok(Value::string(s.replacen(&**p, r, limit)))
        }
        pattern => {
            let Some(regex) = regex_of(pattern) else {
                return Err(err(
                    "T0410",
                    "Argument 2 of function replace does not match function signature",
                ));
            };
            let mut out = String::new();
            let mut last = 0;
            for (n, c) in regex.captures_iter(s).enumerate() {
                if n >= limit {
                    break;
                }
                let m = c.get(0).expect("group 0");
                if m.as_str().is_empty() {
                    return Err(err(
                        "D1004",
                        "Regular expression matches zero length string",
                    ));
                }
                out.push_str(&s[last..m.start()]);
                match arg(a, 2) {
                    Value::String(r) => out.push_str(&expand_replacement(r, &c)),
                    f @ Value::Function(_) => {
                        let obj = match_object(s, &c);
                        let v = ev.apply(f, vec![obj], input, env)?;
                        match v {
                            Value::String(t) => out.push_str(&t),
                            _ => {
                                return Err(err(
                                    "D3012",
                                    "Attempted to replace a matched string with a non-string value",
                                ))
                            }
                        }
                    }
                    _ => {
                        return Err(err(
                            "T0410",
                            "Argument 3 of function replace does not match function signature",
                        ))
                    }
                }
                last = m.end();
            }
            out.push_str(&s[last..]);
            Ok(Value::string(out))
        }
    }
}

/// `$0`, `$1`... in a replacement string; `$$` is a dollar sign.
fn expand_replacement(r: &str, c: &regex_lite::Captures<'_>) -> String {
    let bytes: Vec<char> = r.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == '$' && i + 1 < bytes.len() {
            if bytes[i + 1] == '$' {
                out.push('$');
                i += 2;
                continue;
            }
            if bytes[i + 1].is_ascii_digit() {
                // The longest group number that exists; a single digit otherwise.
                let mut j = i + 1;
                let mut group: Option<(usize, usize)> = None;
                let mut n = 0usize;
                while j < bytes.len() && bytes[j].is_ascii_digit() {
                    n = n * 10 + bytes[j].to_digit(10).unwrap_or(0) as usize;
                    if n < c.len() {
                        group = Some((n, j + 1));
                    } else {
                        break;
                    }
                    j += 1;
                }
                match group {
                    Some((g, end)) => {
                        out.push_str(c.get(g).map(|m| m.as_str()).unwrap_or(""));
                        i = end;
                    }
                    None => {
                        i += 2;
                    }
                }
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

fn split(ev: &mut dyn Interpreter, a: &[Value], input: &Value, env: &Env) -> R {
    let Some(s) = arg(a, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let limit = limit_arg(
        a,
        2,
        "D3020",
        "Third argument of split function must evaluate to a positive number",
    )?;
    let parts: Vec<String> = match arg(a, 1) {
        Value::String(sep) => {
            if sep.is_empty() {
                s.chars().map(|c| c.to_string()).collect()
            } else {
                s.split(&**sep).map(str::to_string).collect()
            }
        }
        other => match regex_of(other) {
            Some(r) => r.split(s).map(str::to_string).collect(),
            None if other.is_function() => {
                let matches = custom_matches(ev, "split", other, s, limit, input, env)?;
                let mut parts = Vec::new();
                let mut start = 0;
                for m in &matches {
                    parts.push(utf16_substring(s, start, Some(m.index("start"))));
                    start = m.index("end");
                }
                parts.push(utf16_substring(s, start, None));
                parts
            }
            None => {
                return Err(err(
                    "T0410",
                    "Argument 2 of function split does not match function signature",
                ))
            }
        },
    };
    Ok(Value::array(
        parts.into_iter().take(limit).map(Value::string).collect(),
    ))
}

fn join(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let v = arg(a, 0);
    if v.is_undefined() {
        return Ok(Value::Undefined);
    }
    let sep = arg(a, 1).as_str().unwrap_or("");
    let parts: Vec<&str> = v
        .as_array_slice()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    Ok(Value::string(parts.join(sep)))
}

fn number(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    Ok(match arg(a, 0) {
        Value::Undefined => Value::Undefined,
        Value::Number(n) => Value::Number(*n),
        Value::Bool(b) => Value::Number(if *b { 1.0 } else { 0.0 }),
        Value::String(s) => {
            let t = s.as_ref();
            let parsed = if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                i64::from_str_radix(hex, 16).ok().map(|n| n as f64)
            } else if let Some(oct) = t.strip_prefix("0o").or_else(|| t.strip_prefix("0O")) {
                i64::from_str_radix(oct, 8).ok().map(|n| n as f64)
            } else if let Some(bin) = t.strip_prefix("0b").or_else(|| t.strip_prefix("0B")) {
                i64::from_str_radix(bin, 2).ok().map(|n| n as f64)
            } else if is_json_number(t) {
                t.parse::<f64>().ok().filter(|n| n.is_finite())
            } else {
                None
            };
            match parsed {
                Some(n) => Value::Number(n),
                None => return Err(err("D3030", "Unable to cast value to a number")),
            }
        }
        _ => return Err(err("D3030", "Unable to cast value to a number")),
    })
}

fn is_json_number(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |x: &str| !x.is_empty() && x.chars().all(|c| c.is_ascii_digit());
    digits(int)
        && frac.is_none_or(digits)
        && exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)))
}

fn num_fn(a: &[Value], f: impl Fn(f64) -> f64) -> R {
    Ok(arg(a, 0)
        .as_f64()
        .map(|n| Value::Number(f(n)))
        .unwrap_or_default())
}

fn floor(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    num_fn(a, f64::floor)
}

fn ceil(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    num_fn(a, f64::ceil)
}

fn abs(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    num_fn(a, f64::abs)
}

fn sqrt(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    match arg(a, 0).as_f64() {
        Some(n) if n < 0.0 => Err(err(
            "D3060",
            "The sqrt function cannot be applied to a negative number",
        )),
        _ => num_fn(a, f64::sqrt),
    }
}

fn power(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let (Some(b), Some(e)) = (arg(a, 0).as_f64(), arg(a, 1).as_f64()) else {
        return Ok(Value::Undefined);
    };
    let r = b.powf(e);
    if !r.is_finite() {
        return Err(err("D3061", "The power function has resulted in a value that cannot be represented as a JSON number"));
    }
    Ok(Value::Number(r))
}

/// Shifts the decimal point of `n` by `places` through its decimal text, as the reference
/// implementation does to round without binary drift.
fn shift(n: f64, places: i32) -> f64 {
    let text = js_number(n);
    let (m, e) = match text.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    format!("{m}e{}", e.saturating_add(places))
        .parse()
        .unwrap_or(n)
}

fn round(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let Some(n) = arg(a, 0).as_f64() else {
        return Ok(Value::Undefined);
    };
    // Past ±1,000 places every finite number shifts to zero or infinity, as at ±1,000; the
    // bound keeps the negation and the exponent sums below from overflowing.
    let precision = arg(a, 1).as_f64().unwrap_or(0.0).clamp(-1000.0, 1000.0) as i32;
    let x = if precision != 0 {
        shift(n, precision)
    } else {
        n
    };
    let mut r = (x + 0.5).floor();
    if (r - x).abs() == 0.5 && (r % 2.0).abs() == 1.0 {
        r -= 1.0;
    }
    if precision != 0 {
        r = shift(r, -precision);
    }
    if r == 0.0 {
        r = 0.0;
    }
    Ok(Value::Number(r))
}

fn random(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    Ok(Value::Number(match arg(a, 0).as_f64() {
        // A seed gives the same number every time, as the seeded form promises.
        Some(seed) => fastrand::Rng::with_seed(seed.to_bits()).f64(),
        None => fastrand::f64(),
    }))
}

fn boolean(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    Ok(truthy(arg(a, 0)).map(Value::Bool).unwrap_or_default())
}

fn not(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    Ok(truthy(arg(a, 0))
        .map(|b| Value::Bool(!b))
        .unwrap_or_default())
}

/// How many parameters a function takes, to pass `(value, index, array)` as far as wanted.
fn arity(f: &Value) -> usize {
    match f {
        Value::Function(func) => match &**func {
            Function::Lambda { plan, .. } => plan.params.len(),
            Function::Builtin(b) => match b.name {
                "string" | "boolean" | "not" | "number" | "uppercase" | "lowercase" | "length"
                | "trim" | "abs" | "floor" | "ceil" | "sqrt" | "keys" | "exists" | "type"
                | "count" | "sum" => 1,
                _ => 2,
            },
            Function::Partial { args, .. } => args.iter().filter(|a| a.is_none()).count(),
            _ => 1,
        },
        _ => 0,
    }
}

fn hof_args(f: &Value, item: &Value, index: usize, array: &Value) -> Vec<Value> {
    let mut args = vec![item.clone()];
    let n = arity(f);
    if n >= 2 {
        args.push(Value::Number(index as f64));
    }
    if n >= 3 {
        args.push(array.clone());
    }
    args
}

fn map(ev: &mut dyn Interpreter, a: &[Value], input: &Value, env: &Env) -> R {
    let arr = arg(a, 0);
    if arr.is_undefined() {
        return Ok(Value::Undefined);
    }
    let f = arg(a, 1);
    let mut out = Vec::new();
    for (i, item) in arr.as_array_slice().iter().enumerate() {
        let v = ev.apply(f, hof_args(f, item, i, arr), input, env)?;
        if !v.is_undefined() {
            out.push(v);
        }
    }
    Ok(Value::sequence(out))
}

fn filter(ev: &mut dyn Interpreter, a: &[Value], input: &Value, env: &Env) -> R {
    let arr = arg(a, 0);
    if arr.is_undefined() {
        return Ok(Value::Undefined);
    }
    let f = arg(a, 1);
    let mut out = Vec::new();
    for (i, item) in arr.as_array_slice().iter().enumerate() {
        let v = ev.apply(f, hof_args(f, item, i, arr), input, env)?;
        if truthy(&v).unwrap_or(false) {
            out.push(item.clone());
        }
    }
    Ok(Value::sequence(out))
}

fn single(ev: &mut dyn Interpreter, a: &[Value], input: &Value, env: &Env) -> R {
    let arr = arg(a, 0);
    if arr.is_undefined() {
        return Ok(Value::Undefined);
    }
    let f = arg(a, 1);
    let mut found: Option<Value> = None;
    for (i, item) in arr.as_array_slice().iter().enumerate() {
        let pass = if f.is_undefined() {
            true
        } else {
            let v = ev.apply(f, hof_args(f, item, i, arr), input, env)?;
            truthy(&v).unwrap_or(false)
        };
        if pass {
            if found.is_some() {
                return Err(err("D3138", "The $single() function expected exactly 1 matching result.  Instead it matched more."));
            }
            found = Some(item.clone());
        }
    }
    found.ok_or_else(|| {
        err(
            "D3139",
            "The $single() function expected exactly 1 matching result.  Instead it matched 0.",
        )
    })
}

fn reduce(ev: &mut dyn Interpreter, a: &[Value], input: &Value, env: &Env) -> R {
    let arr = arg(a, 0);
    if arr.is_undefined() {
        return Ok(Value::Undefined);
    }
    let f = arg(a, 1);
    if arity(f) < 2 {
        return Err(err(
            "D3050",
            "The second argument of reduce function must be a function with at least two arguments",
        ));
    }
    let items = arr.as_array_slice();
    let (mut acc, start) = match arg(a, 2) {
        Value::Undefined => match items.first() {
            Some(first) => (first.clone(), 1),
            None => return Ok(Value::Undefined),
        },
        init => (init.clone(), 0),
    };
    for (i, item) in items.iter().enumerate().skip(start) {
        let mut args = vec![acc, item.clone()];
        let n = arity(f);
        if n >= 3 {
            args.push(Value::Number(i as f64));
        }
        if n >= 4 {
            args.push(arr.clone());
        }
        acc = ev.apply(f, args, input, env)?;
    }
    Ok(acc)
}

fn sift(ev: &mut dyn Interpreter, a: &[Value], input: &Value, env: &Env) -> R {
    let Value::Object(o) = arg(a, 0) else {
        return Ok(Value::Undefined);
    };
    let f = arg(a, 1);
    let mut out = Object::new();
    for (k, v) in o.iter() {
        let mut args = vec![v.clone()];
        if arity(f) >= 2 {
            args.push(Value::string(k.as_str()));
        }
        if arity(f) >= 3 {
            args.push(arg(a, 0).clone());
        }
        if truthy(&ev.apply(f, args, input, env)?).unwrap_or(false) {
            out.insert(k.clone(), v.clone());
        }
    }
    if out.is_empty() {
        return Ok(Value::Undefined);
    }
    Ok(Value::object(out))
}

fn each(ev: &mut dyn Interpreter, a: &[Value], input: &Value, env: &Env) -> R {
    let Value::Object(o) = arg(a, 0) else {
        return Ok(Value::Undefined);
    };
    let f = arg(a, 1);
    let mut out = Vec::new();
    for (k, v) in o.iter() {
        let mut args = vec![v.clone()];
        if arity(f) >= 2 {
            args.push(Value::string(k.as_str()));
        }
        if arity(f) >= 3 {
            args.push(arg(a, 0).clone());
        }
        let r = ev.apply(f, args, input, env)?;
        if !r.is_undefined() {
            out.push(r);
        }
    }
    Ok(Value::sequence(out))
}

fn zip(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let arrays: Vec<&[Value]> = a.iter().map(Value::as_array_slice).collect();
    let len = arrays.iter().map(|x| x.len()).min().unwrap_or(0);
    Ok(Value::array(
        (0..len)
            .map(|i| Value::array(arrays.iter().map(|x| x[i].clone()).collect()))
            .collect(),
    ))
}

fn keys(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let mut out: Vec<String> = Vec::new();
    let mut add = |o: &Object| {
        for k in o.keys() {
            if !out.contains(k) {
                out.push(k.clone());
            }
        }
    };
    match arg(a, 0) {
        Value::Object(o) => add(o),
        Value::Array(items, _) => items.iter().for_each(|i| {
            if let Value::Object(o) = i {
                add(o)
            }
        }),
        _ => return Ok(Value::Undefined),
    }
    Ok(Value::sequence(
        out.into_iter().map(Value::string).collect(),
    ))
}

fn lookup(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    Ok(crate::value::lookup(
        arg(a, 0),
        arg(a, 1).as_str().unwrap_or(""),
    ))
}

fn append_fn(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    Ok(append(arg(a, 0).clone(), arg(a, 1).clone()))
}

fn exists(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    Ok(Value::Bool(!arg(a, 0).is_undefined()))
}

fn spread(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let mut out = Vec::new();
    fn go(v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Array(items, _) => items.iter().for_each(|i| go(i, out)),
            Value::Object(o) => {
                for (k, v) in o.iter() {
                    let mut one = Object::new();
                    one.insert(k.clone(), v.clone());
                    out.push(Value::object(one));
                }
            }
            other => out.push(other.clone()),
        }
    }
    match arg(a, 0) {
        Value::Undefined => return Ok(Value::Undefined),
        v => go(v, &mut out),
    }
    Ok(Value::sequence(out))
}

fn merge(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let v = arg(a, 0);
    if v.is_undefined() {
        return Ok(Value::Undefined);
    }
    let mut out = Object::new();
    for item in v.as_array_slice() {
        if let Value::Object(o) = item {
            for (k, v) in o.iter() {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(Value::object(out))
}

fn reverse(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let v = arg(a, 0);
    if v.is_undefined() {
        return Ok(Value::Undefined);
    }
    let mut items = v.as_array_slice().to_vec();
    items.reverse();
    Ok(Value::array(items))
}

fn error(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    Err(err(
        "D3137",
        arg(a, 0)
            .as_str()
            .unwrap_or("$error() function evaluated")
            .to_string(),
    ))
}

fn assert(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    if let Value::Bool(false) = arg(a, 0) {
        return Err(err(
            "D3141",
            arg(a, 1)
                .as_str()
                .unwrap_or("$assert() statement failed")
                .to_string(),
        ));
    }
    Ok(Value::Undefined)
}

fn type_of(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    Ok(match arg(a, 0) {
        Value::Undefined => Value::Undefined,
        Value::Null => Value::string("null"),
        Value::Bool(_) => Value::string("boolean"),
        Value::Number(_) => Value::string("number"),
        Value::String(_) => Value::string("string"),
        Value::Array(..) => Value::string("array"),
        Value::Object(_) => Value::string("object"),
        Value::Function(_) => Value::string("function"),
    })
}

fn sort(ev: &mut dyn Interpreter, a: &[Value], input: &Value, env: &Env) -> R {
    let v = arg(a, 0);
    if v.is_undefined() {
        return Ok(Value::Undefined);
    }
    let mut items = v.as_array_slice().to_vec();
    if items.len() <= 1 {
        return Ok(Value::array(items));
    }
    match arg(a, 1) {
        Value::Undefined => {
            if items.iter().all(|i| matches!(i, Value::Number(_))) {
                items.sort_by(|x, y| {
                    x.as_f64()
                        .partial_cmp(&y.as_f64())
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
            } else if items.iter().all(|i| matches!(i, Value::String(_))) {
                items.sort_by(|x, y| utf16_cmp(x.as_str().unwrap_or(""), y.as_str().unwrap_or("")));
            } else {
                return Err(err("D3070", "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function"));
            }
            Ok(Value::array(items))
        }
        f => {
            // Merge sort with "swap when f(a, b) is true", as the reference implementation does.
            let sorted = merge_sort(ev, items, f, input, env)?;
            Ok(Value::array(sorted))
        }
    }
}

fn merge_sort(
    ev: &mut dyn Interpreter,
    items: Vec<Value>,
    f: &Value,
    input: &Value,
    env: &Env,
) -> Result<Vec<Value>, Error> {
    if items.len() <= 1 {
        return Ok(items);
    }
    let mid = items.len() / 2;
    let mut left = items;
    let right = left.split_off(mid);
    let left = merge_sort(ev, left, f, input, env)?;
    let right = merge_sort(ev, right, f, input, env)?;
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        let swap = ev.apply(f, vec![left[i].clone(), right[j].clone()], input, env)?;
        if truthy(&swap).unwrap_or(false) {
            out.push(right[j].clone());
            j += 1;
        } else {
            out.push(left[i].clone());
            i += 1;
        }
    }
    out.extend_from_slice(&left[i..]);
    out.extend_from_slice(&right[j..]);
    Ok(out)
}

fn shuffle(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let v = arg(a, 0);
    if v.is_undefined() {
        return Ok(Value::Undefined);
    }
    let mut items = v.as_array_slice().to_vec();
    fastrand::shuffle(&mut items);
    Ok(Value::array(items))
}

fn distinct(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let v = arg(a, 0);
    match v {
        Value::Array(items, _) => {
            let mut out: Vec<Value> = Vec::new();
            for i in items.iter() {
                if !out.iter().any(|o| deep_equal(o, i)) {
                    out.push(i.clone());
                }
            }
            Ok(Value::array(out))
        }
        other => Ok(other.clone()),
    }
}

fn base64encode(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    use base64::Engine;
    Ok(arg(a, 0)
        .as_str()
        .map(|s| Value::string(base64::engine::general_purpose::STANDARD.encode(s.as_bytes())))
        .unwrap_or_default())
}

fn base64decode(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    use base64::Engine;
    let Some(s) = arg(a, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.as_bytes())
        .map_err(|_| err("D3137", "Invalid base64 text"))?;
    Ok(Value::string(String::from_utf8_lossy(&bytes).into_owned()))
}

fn percent_encode(s: &str, keep: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || keep.contains(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

fn check_surrogates(s: &str) -> Result<(), Error> {
    // Rust strings cannot hold lone surrogates, so every string is encodable.
    let _ = s;
    Ok(())
}

fn encode_url_component(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let Some(s) = arg(a, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    check_surrogates(s)?;
    Ok(Value::string(percent_encode(s, "-_.!~*'()")))
}

fn encode_url(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let Some(s) = arg(a, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    check_surrogates(s)?;
    Ok(Value::string(percent_encode(s, "-_.!~*'();/?:@&=+$,#")))
}

fn percent_decode(s: &str, reserved: &str) -> Result<String, Error> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3).ok_or_else(|| {
                err(
                    "D3140",
                    "Malformed URL passed to $decodeUrl(): URI malformed",
                )
            })?;
            let b = u8::from_str_radix(hex, 16)
                .map_err(|_| err("D3140", "Malformed URL: URI malformed"))?;
            if b < 0x80 && reserved.contains(b as char) {
                out.extend_from_slice(&bytes[i..i + 3]);
            } else {
                out.push(b);
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| err("D3140", "Malformed URL: URI malformed"))
}

fn decode_url_component(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let Some(s) = arg(a, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    Ok(Value::string(percent_decode(s, "")?))
}

fn decode_url(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let Some(s) = arg(a, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    Ok(Value::string(percent_decode(s, ";/?:@&=+$,#")?))
}

fn eval(ev: &mut dyn Interpreter, a: &[Value], input: &Value, env: &Env) -> R {
    let Some(text) = arg(a, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let expr = crate::parser::parse(text).map_err(|e| {
        err(
            "D3120",
            format!(
                "Syntax error in expression passed to function eval: {}",
                e.message
            ),
        )
    })?;
    let plan = crate::plan::plan(&expr).map_err(|e| err("D3120", e.message))?;
    let context = match arg(a, 1) {
        Value::Undefined => input.clone(),
        other => other.clone(),
    };
    // Whatever goes wrong while the evaluated text runs is reported as $eval's failure.
    ev.evaluate(&plan, &context, env)
        .map_err(|e| err("D3121", format!("{}: {}", e.code, e.message)))
}

fn clone(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    Ok(deep_clone(arg(a, 0)))
}

fn partition(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let items = arg(a, 0).as_array_slice();
    let size = arg(a, 1).as_f64().unwrap_or(0.0);
    if size < 1.0 || size.fract() != 0.0 {
        return Err(err(
            "States.QueryEvaluationError",
            "The partition size must be a positive integer",
        ));
    }
    Ok(Value::array(
        items
            .chunks(size as usize)
            .map(|c| Value::array(c.to_vec()))
            .collect(),
    ))
}

fn range(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let (Some(start), Some(end)) = (arg(a, 0).as_f64(), arg(a, 1).as_f64()) else {
        return Ok(Value::Undefined);
    };
    let step = arg(a, 2).as_f64().unwrap_or(1.0);
    if step == 0.0 {
        return Err(err(
            "States.QueryEvaluationError",
            "The step of $range must not be 0",
        ));
    }
    let mut out = Vec::new();
    let mut x = start;
    while (step > 0.0 && x <= end) || (step < 0.0 && x >= end) {
        out.push(Value::Number(x));
        x += step;
        if out.len() > 1000 {
            return Err(err(
                "States.QueryEvaluationError",
                "$range produces at most 1000 items",
            ));
        }
    }
    // A sequence, so that a range of one number is that number, as on AWS.
    Ok(Value::sequence(out))
}

fn hash(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let Some(data) = arg(a, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let algorithm = arg(a, 1).as_str().unwrap_or("SHA-256");
    let bytes = data.as_bytes();
    let digest: Vec<u8> = match algorithm {
        "MD5" => md5::compute(bytes).0.to_vec(),
        "SHA-1" => sha1_smol::Sha1::from(bytes).digest().bytes().to_vec(),
        "SHA-256" => hmac_sha256::Hash::hash(bytes).to_vec(),
        "SHA-384" => hmac_sha512::sha384::Hash::hash(bytes).to_vec(),
        "SHA-512" => hmac_sha512::Hash::hash(bytes).to_vec(),
        other => {
            return Err(err(
                "States.QueryEvaluationError",
                format!("Unsupported hash algorithm: {other}"),
            ))
        }
    };
    Ok(Value::string(
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
    ))
}

fn uuid(_: &mut dyn Interpreter, _: &[Value], _: &Value, _: &Env) -> R {
    // Version 4 from fastrand's bytes: the ids name nothing secret.
    let bytes = fastrand::u128(..).to_le_bytes();
    let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
    Ok(Value::string(id.to_string()))
}

fn parse(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let Some(s) = arg(a, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let json: serde_json::Value = serde_json::from_str(s).map_err(|e| {
        err(
            "States.QueryEvaluationError",
            format!("$parse: invalid JSON: {e}"),
        )
    })?;
    Ok(Value::from_json(&json))
}

fn format_base(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let Some(n) = arg(a, 0).as_f64() else {
        return Ok(Value::Undefined);
    };
    let radix = arg(a, 1).as_f64().unwrap_or(10.0);
    if !(2.0..=36.0).contains(&radix) {
        return Err(err(
            "D3100",
            "The radix of the formatBase function must be between 2 and 36",
        ));
    }
    let radix = radix as u32;
    let mut v = {
        let mut r = (n + 0.5).floor();
        if (r - n).abs() == 0.5 && (r % 2.0).abs() == 1.0 {
            r -= 1.0;
        }
        r
    };
    let negative = v < 0.0;
    v = v.abs();
    let mut digits = Vec::new();
    let mut x = v as u128;
    if x == 0 {
        digits.push('0');
    }
    while x > 0 {
        digits.push(std::char::from_digit((x % radix as u128) as u32, radix).unwrap_or('0'));
        x /= radix as u128;
    }
    digits.reverse();
    let s: String = digits.into_iter().collect();
    Ok(Value::string(if negative { format!("-{s}") } else { s }))
}

fn format_integer(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let Some(n) = arg(a, 0).as_f64() else {
        return Ok(Value::Undefined);
    };
    let picture = arg(a, 1).as_str().unwrap_or("0");
    crate::datetime::format_integer(n, picture).map(Value::string)
}

fn parse_integer(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let Some(s) = arg(a, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let picture = arg(a, 1).as_str().unwrap_or("0");
    crate::datetime::parse_integer(s, picture).map(|n| n.map(Value::Number).unwrap_or_default())
}

fn format_number(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let Some(n) = arg(a, 0).as_f64() else {
        return Ok(Value::Undefined);
    };
    let picture = arg(a, 1).as_str().unwrap_or("");
    let options = match arg(a, 2) {
        Value::Object(o) => Some(o.clone()),
        _ => None,
    };
    crate::format::format_number(n, picture, options.as_deref()).map(Value::string)
}

fn to_millis(ev: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let Some(s) = arg(a, 0).as_str() else {
        return Ok(Value::Undefined);
    };
    let result = match arg(a, 1).as_str() {
        Some(picture) => {
            let now = ev.now_millis();
            crate::datetime::parse_date_time(s, picture, now)?
        }
        None => crate::format::iso_to_millis(s)?,
    };
    Ok(result.map(Value::Number).unwrap_or_default())
}

fn from_millis(_: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let Some(n) = arg(a, 0).as_f64() else {
        return Ok(Value::Undefined);
    };
    crate::datetime::format_date_time(n as i64, arg(a, 1).as_str(), arg(a, 2).as_str())
        .map(Value::string)
}

fn now(ev: &mut dyn Interpreter, a: &[Value], _: &Value, _: &Env) -> R {
    let now = ev.now_millis();
    crate::datetime::format_date_time(now, arg(a, 0).as_str(), arg(a, 1).as_str())
        .map(Value::string)
}

fn millis(ev: &mut dyn Interpreter, _: &[Value], _: &Value, _: &Env) -> R {
    Ok(Value::Number(ev.now_millis() as f64))
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_to_any_precision_without_overflow() {
        let round = |source: &str| {
            crate::Expression::parse(source)
                .unwrap()
                .evaluate(&serde_json::Value::Null)
                .unwrap()
        };
        // Found by the jsonata fuzz target: the precision saturated to i32::MIN and its
        // negation overflowed.
        assert_eq!(
            round("$round(12345, -555555555555555555555555555555555555555555555555555)"),
            Some(serde_json::json!(0))
        );
        assert_eq!(round("$round(12345, -2)"), Some(serde_json::json!(12300)));
        assert_eq!(round("$round(1.2345, 2)"), Some(serde_json::json!(1.23)));
        assert!(round("$round(12345, 5555555555555555555555)").is_some());
    }

    #[test]
    fn custom_matchers_split_and_contain_as_the_reference_does() {
        let source = r#"(
    $gen := function($ch) {
      $m := function($str, $offset) {(
        $before := $substringBefore($str, $ch);
        $start := $length($before) + ($exists($offset) ? $offset : 0);
        $end := $start + $length($ch);
        $before != $str and $length($ch) > 0 ? {
          'match': $ch, 'start': $start, 'end': $end, 'groups': [],
          'next': function() {$m($substringAfter($str, $ch), $end)}
        }
      )}
    };
    [$split("abracadabra", $gen('a')), $split("abracadabra", $gen('a'), 2), $contains("xyz", $gen('y')), $contains("xyz", $gen('q'))]
)"#;
        let e = crate::Expression::parse(source).unwrap();
        assert_eq!(
            e.evaluate(&serde_json::Value::Null).unwrap(),
            Some(serde_json::json!([
                "", "br", "c", "d", "br", "", "", "br", true, false
            ]))
        );
        let bad = crate::Expression::parse("$contains('some text', $uppercase)").unwrap();
        assert_eq!(
            bad.evaluate(&serde_json::Value::Null).unwrap_err().code,
            "T1010"
        );
    }
}
