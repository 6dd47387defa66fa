use crate::error::SyntaxError;

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Token {
    Op(&'static str),
    Number(f64),
    String(String),
    Name(String),
    Variable(String),
    Regex { pattern: String, flags: String },
    End,
}

const OPERATORS: &[&str] = &[
    "**", "..", ":=", "!=", "<=", ">=", "~>", "?:", "??", ".", "[", "]", "{", "}", "(", ")", ",",
    "@", "#", ";", ":", "?", "+", "-", "*", "/", "%", "|", "=", "<", ">", "^", "&", "!", "~",
];

pub(super) struct Lexer<'a> {
    src: &'a str,
    pub pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str) -> Self {
        Lexer { src, pos: 0 }
    }

    fn error(&self, code: &'static str, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            code,
            message: message.into(),
            position: self.pos,
        }
    }

    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn skip_space_and_comments(&mut self) -> Result<(), SyntaxError> {
        loop {
            let trimmed = self.rest().trim_start();
            self.pos = self.src.len() - trimmed.len();
            if self.rest().starts_with("/*") {
                match self.rest()[2..].find("*/") {
                    Some(end) => self.pos += end + 4,
                    None => return Err(self.error("S0106", "Comment has no closing tag")),
                }
            } else {
                return Ok(());
            }
        }
    }

    /// The next token; `prefix` says a `/` here starts a regular expression.
    pub fn next(&mut self, prefix: bool) -> Result<Token, SyntaxError> {
        self.skip_space_and_comments()?;
        let rest = self.rest();
        let Some(c) = rest.chars().next() else {
            return Ok(Token::End);
        };
        if prefix && c == '/' {
            return self.regex();
        }
        if let Some(op) = OPERATORS.iter().find(|op| rest.starts_with(**op)) {
            // `?` followed by `:`/`?` forms the two-character operators; `..` before a digit is
            // still a range operator, as in `[1..3]`.
            self.pos += op.len();
            return Ok(Token::Op(op));
        }
        if c == '"' || c == '\'' {
            return self.string(c);
        }
        if c.is_ascii_digit() {
            return self.number();
        }
        if c == '`' {
            return match rest[1..].find('`') {
                Some(end) => {
                    self.pos += end + 2;
                    Ok(Token::Name(rest[1..end + 1].to_string()))
                }
                None => Err(self.error(
                    "S0105",
                    "Quoted property name must be terminated with a backquote (`)",
                )),
            };
        }
        let end = rest
            .find(|ch: char| {
                ch.is_whitespace()
                    || OPERATORS.iter().any(|op| op.starts_with(ch))
                    || ch == '"'
                    || ch == '\''
                    || ch == '`'
            })
            .unwrap_or(rest.len());
        let word = &rest[..end];
        self.pos += end;
        if let Some(name) = word.strip_prefix('$') {
            return Ok(Token::Variable(name.to_string()));
        }
        Ok(Token::Name(word.to_string()))
    }

    fn number(&mut self) -> Result<Token, SyntaxError> {
        let b = self.rest().as_bytes();
        let mut i = 0;
        let digits = |i: &mut usize| {
            let s = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i > s
        };
        if b[0] == b'0' {
            i = 1;
        } else {
            digits(&mut i);
        }
        if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
            digits(&mut i);
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            let mut j = i + 1;
            if matches!(b.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            if digits(&mut j) {
                i = j;
            }
        }
        let text = &self.rest()[..i];
        let n: f64 = text
            .parse()
            .map_err(|_| self.error("S0102", format!("Number out of range: {text}")))?;
        if !n.is_finite() {
            return Err(self.error("S0102", format!("Number out of range: {text}")));
        }
        self.pos += i;
        Ok(Token::Number(n))
    }

    fn string(&mut self, quote: char) -> Result<Token, SyntaxError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    let Some((_, e)) = chars.next() else { break };
                    match e {
                        '"' | '\\' | '/' | '\'' => out.push(e),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'u' => {
                            let hex: String = chars.by_ref().take(4).map(|(_, h)| h).collect();
                            let code = (hex.len() == 4)
                                .then(|| u32::from_str_radix(&hex, 16).ok())
                                .flatten();
                            // A high surrogate followed by `\uDC00`..`\uDFFF` is one character.
                            let code = match code {
                                Some(high @ 0xD800..=0xDBFF)
                                    if chars.as_str().starts_with("\\u") =>
                                {
                                    let low = chars
                                        .as_str()
                                        .get(2..6)
                                        .and_then(|h| u32::from_str_radix(h, 16).ok());
                                    match low {
                                        Some(low @ 0xDC00..=0xDFFF) => {
                                            for _ in 0..6 {
                                                chars.next();
                                            }
                                            Some(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                                        }
                                        _ => Some(high),
                                    }
                                }
                                other => other,
                            };
                            match code {
                                Some(code) => out.push(char::from_u32(code).unwrap_or('\u{FFFD}')),
                                None => return Err(SyntaxError {
                                    code: "S0104",
                                    message:
                                        "The escape sequence \\u must be followed by 4 hex digits"
                                            .into(),
                                    position: self.pos + i,
                                }),
                            }
                        }
                        other => {
                            return Err(SyntaxError {
                                code: "S0103",
                                message: format!("Unsupported escape sequence: \\{other}"),
                                position: self.pos + i,
                            })
                        }
                    }
                }
                c if c == quote => {
                    self.pos += i + 1;
                    return Ok(Token::String(out));
                }
                c => out.push(c),
            }
        }
        self.pos = start;
        Err(self.error(
            "S0101",
            "String literal must be terminated by a matching quote",
        ))
    }

    fn regex(&mut self) -> Result<Token, SyntaxError> {
        let start = self.pos + 1;
        let bytes = self.src.as_bytes();
        let mut i = start;
        let mut depth = 0i32;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 1,
                b'[' => depth += 1,
                b']' => depth -= 1,
                b'/' if depth <= 0 => break,
                _ => {}
            }
            i += 1;
        }
        if i >= bytes.len() {
            return Err(self.error("S0302", "No terminating / in regular expression"));
        }
        let pattern = self.src[start..i].to_string();
        if pattern.is_empty() {
            return Err(self.error("S0301", "Empty regular expressions are not allowed"));
        }
        i += 1;
        let fstart = i;
        while i < bytes.len() && (bytes[i] == b'i' || bytes[i] == b'm') {
            i += 1;
        }
        let flags = self.src[fstart..i].to_string();
        self.pos = i;
        Ok(Token::Regex { pattern, flags })
    }
}

impl<'a> Lexer<'a> {
    pub fn source(&self) -> &'a str {
        self.src
    }
}
