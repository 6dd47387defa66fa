//! Function signatures (`<s-nn?:s>`): which arguments a function takes, checked before each call
//! the way the reference implementation checks them (a regular expression over one symbol per
//! argument).

use regex_lite::Regex;

use crate::error::Error;

/// One parameter of a signature.
#[derive(Debug, Clone)]
pub(crate) struct Param {
    pub(crate) regex: String,
    /// For a `-` parameter: the type the context value must have.
    pub(crate) context_regex: Option<Regex>,
    pub(crate) kind: char,
    pub(crate) subtype: Option<String>,
    pub(crate) context: bool,
}

/// A parsed signature.
#[derive(Debug, Clone)]
// Read when arguments are checked, which only evaluation does.
#[cfg_attr(not(feature = "eval"), allow(dead_code))]
pub struct Signature {
    pub(crate) params: Vec<Param>,
    pub(crate) regex: Regex,
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
}

fn bad(text: &str) -> Error {
    Error::new("S0401", format!("Invalid function signature: <{text}>"))
}
