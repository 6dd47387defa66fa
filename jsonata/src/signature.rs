//! Function signatures (`<s-nn?:s>`): which arguments a function takes, checked before each call
//! the way the reference implementation checks them (a regular expression over one symbol per
//! argument).

use regex_lite::Regex;

use crate::error::Error;
use crate::value::Value;

/// One parameter of a signature.
#[derive(Debug, Clone)]
struct Param {
    regex: String,
    /// For a `-` parameter: the type the context value must have.
    context_regex: Option<Regex>,
    kind: char,
    subtype: Option<String>,
    context: bool,
}

/// A parsed signature.
#[derive(Debug, Clone)]
pub struct Signature {
    params: Vec<Param>,
    regex: Regex,
}

fn find_closing(s: &[char], start: usize, open: char, close: char) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in s.iter().enumerate().skip(start) {
        if *c == open {
            depth += 1;
        } else if *c == close {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

impl Signature {
    /// Parses the text between `<` and `>`.
    pub fn parse(text: &str) -> Result<Signature, Error> {
        let chars: Vec<char> = text.chars().collect();
        let mut params: Vec<Param> = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == ':' {
                break;
            }
            let simple = |regex: &str, kind: char| Param {
                regex: regex.to_string(),
                context_regex: None,
                kind,
                subtype: None,
                context: false,
            };
            match c {
                's' | 'n' | 'b' | 'l' | 'o' => params.push(simple(&format!("[{c}m]"), c)),
                'a' => params.push(simple("[asnblfom]", 'a')),
                'f' => params.push(simple("f", 'f')),
                'j' => params.push(simple("[asnblom]", 'j')),
                'x' => params.push(simple("[asnblfom]", 'x')),
                '-' => {
                    let p = params.last_mut().ok_or_else(|| bad(text))?;
                    p.context = true;
                    p.context_regex = Regex::new(&format!("^{}$", p.regex)).ok();
                    p.regex.push('?');
                }
                '?' | '+' => {
                    let p = params.last_mut().ok_or_else(|| bad(text))?;
                    p.regex.push(c);
                }
                '(' => {
                    let end = find_closing(&chars, i, '(', ')').ok_or_else(|| bad(text))?;
                    let choice: String = chars[i + 1..end].iter().collect();
                    if choice.contains('<') {
                        return Err(Error::new(
                            "S0402",
                            "Choice groups containing parameterized types are not supported",
                        ));
                    }
                    params.push(Param {
                        regex: format!("[{choice}m]"),
                        context_regex: None,
                        kind: '(',
                        subtype: None,
                        context: false,
                    });
                    i = end;
                }
                '<' => {
                    let p = params.last_mut().ok_or_else(|| bad(text))?;
                    if p.kind != 'a' && p.kind != 'f' {
                        return Err(Error::new(
                            "S0401",
                            "Type parameters can only be applied to functions and arrays",
                        ));
                    }
                    let end = find_closing(&chars, i, '<', '>').ok_or_else(|| bad(text))?;
                    p.subtype = Some(chars[i + 1..end].iter().collect());
                    i = end;
                }
                _ => return Err(bad(text)),
            }
            i += 1;
        }
        let pattern = format!(
            "^{}$",
            params
                .iter()
                .map(|p| format!("({})", p.regex))
                .collect::<String>()
        );
        let regex = Regex::new(&pattern).map_err(|_| bad(text))?;
        Ok(Signature { params, regex })
    }

    /// Checks `args` (with `context` standing in for a missing `-` argument) and returns the
    /// arguments the function receives.
    pub fn validate(
        &self,
        name: &str,
        args: &[Value],
        context: &Value,
    ) -> Result<Vec<Value>, Error> {
        let supplied: String = args.iter().map(Value::symbol).collect();
        let Some(captures) = self.regex.captures(&supplied) else {
            return Err(self.validation_error(name, args, &supplied));
        };
        let mut out = Vec::with_capacity(self.params.len());
        let mut index = 0;
        for (i, param) in self.params.iter().enumerate() {
            let matched = captures.get(i + 1).map(|m| m.as_str()).unwrap_or("");
            if matched.is_empty() {
                if param.context {
                    let symbol = context.symbol();
                    let mut buf = [0u8; 4];
                    let ok = param
                        .context_regex
                        .as_ref()
                        .is_some_and(|r| r.is_match(symbol.encode_utf8(&mut buf)));
                    if ok {
                        out.push(context.clone());
                    } else {
                        return Err(Error::new(
                            "T0411",
                            format!(
                                "Context value is not a compatible type with argument {} of function {name}",
                                index + 1
                            ),
                        ));
                    }
                } else {
                    out.push(args.get(index).cloned().unwrap_or(Value::Undefined));
                    index += 1;
                }
                continue;
            }
            for single in matched.chars() {
                let arg = args.get(index).cloned().unwrap_or(Value::Undefined);
                if param.kind == 'a' {
                    if single == 'm' {
                        out.push(Value::Undefined);
                    } else {
                        if let Some(sub) = &param.subtype {
                            let ok = if single != 'a' {
                                matched == sub.as_str() || single.to_string() == *sub
                            } else {
                                let items = arg.as_array_slice();
                                match items.first() {
                                    None => true,
                                    Some(first) => {
                                        let t = first.symbol();
                                        sub.starts_with(t) && items.iter().all(|v| v.symbol() == t)
                                    }
                                }
                            };
                            if !ok {
                                let kind = match sub.as_str() {
                                    "a" => "arrays",
                                    "b" => "booleans",
                                    "f" => "functions",
                                    "n" => "numbers",
                                    "o" => "objects",
                                    "s" => "strings",
                                    _ => "values",
                                };
                                return Err(Error::new(
                                    "T0412",
                                    format!(
                                        "Argument {} of function {name} must be an array of {kind}",
                                        index + 1
                                    ),
                                ));
                            }
                        }
                        out.push(if single == 'a' {
                            arg
                        } else {
                            Value::array(vec![arg])
                        });
                    }
                } else {
                    out.push(arg);
                }
                index += 1;
            }
        }
        Ok(out)
    }

    fn validation_error(&self, name: &str, args: &[Value], supplied: &str) -> Error {
        let mut partial = String::from("^");
        let mut good_to = 0;
        for p in &self.params {
            partial.push_str(&p.regex);
            match Regex::new(&partial).ok().and_then(|r| r.find(supplied)) {
                Some(m) => good_to = m.end(),
                None => break,
            }
        }
        let _ = args;
        Error::new(
            "T0410",
            format!(
                "Argument {} of function {name} does not match function signature",
                good_to + 1
            ),
        )
    }
}

fn bad(text: &str) -> Error {
    Error::new("S0401", format!("Invalid function signature: <{text}>"))
}
