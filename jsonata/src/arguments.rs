//! Checking a call's arguments against the function's [`Signature`]: which argument fails, the
//! context value standing in for a missing first argument, single values wrapped as arrays.

use regex_lite::Regex;

use crate::error::Error;
use crate::signature::Signature;
use crate::value::Value;

impl Signature {
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
