//! Intrinsic function calls (`States.Format(...)` and the rest), parsed into an AST once.

use std::fmt;

use serde_json::Number;

use super::Path;

/// An intrinsic function call such as `States.Format('{} items', $.count)`.
#[derive(Clone, PartialEq)]
pub struct IntrinsicCall {
    source: String,
    /// The function called.
    pub function: IntrinsicFunction,
    /// Its arguments in order.
    pub args: Vec<IntrinsicArg>,
}

/// An argument of an intrinsic call.
#[derive(Clone, Debug, PartialEq)]
pub enum IntrinsicArg {
    /// `'text'`, with escapes resolved. `placeholders` holds the byte offsets in `value` of
    /// each unescaped `{}` (what `States.Format` fills in).
    String {
        /// The text with escapes resolved.
        value: String,
        /// Offsets of unescaped `{}` pairs in `value`.
        placeholders: Vec<usize>,
    },
    /// A number.
    Number(Number),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `$.x`, `$$.x` or `$var`.
    Path(Path),
    /// A nested call.
    Call(IntrinsicCall),
}

macro_rules! intrinsics {
    ($($variant:ident => $name:literal, $min:literal, $max:expr;)*) => {
        /// The intrinsic functions of Step Functions.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum IntrinsicFunction {
            $(#[doc = concat!("`", $name, "`")] $variant,)*
        }

        impl IntrinsicFunction {
            /// Every intrinsic function.
            pub const ALL: &'static [IntrinsicFunction] = &[$(IntrinsicFunction::$variant,)*];

            /// The name as written in ASL.
            pub fn name(self) -> &'static str {
                match self { $(IntrinsicFunction::$variant => $name,)* }
            }

            /// The fewest and most arguments it takes (`None`: no upper bound).
            pub fn arity(self) -> (usize, Option<usize>) {
                match self { $(IntrinsicFunction::$variant => ($min, $max),)* }
            }

            /// The function called `name`, if there is one.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($name => Some(IntrinsicFunction::$variant),)* _ => None }
            }
        }
    };
}

intrinsics! {
    Format => "States.Format", 1, None;
    StringToJson => "States.StringToJson", 1, Some(1);
    JsonToString => "States.JsonToString", 1, Some(1);
    Array => "States.Array", 0, None;
    ArrayPartition => "States.ArrayPartition", 2, Some(2);
    ArrayContains => "States.ArrayContains", 2, Some(2);
    ArrayRange => "States.ArrayRange", 3, Some(3);
    ArrayGetItem => "States.ArrayGetItem", 2, Some(2);
    ArrayLength => "States.ArrayLength", 1, Some(1);
    ArrayUnique => "States.ArrayUnique", 1, Some(1);
    Base64Encode => "States.Base64Encode", 1, Some(1);
    Base64Decode => "States.Base64Decode", 1, Some(1);
    Hash => "States.Hash", 2, Some(2);
    JsonMerge => "States.JsonMerge", 3, Some(3);
    MathRandom => "States.MathRandom", 2, Some(3);
    MathAdd => "States.MathAdd", 2, Some(2);
    StringSplit => "States.StringSplit", 2, Some(2);
    Uuid => "States.UUID", 0, Some(0);
}

/// The kind of literal an argument position accepts (paths and nested calls are checked when
/// the call runs).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Accepts {
    Any,
    String,
    Number,
    Integer,
    Bool,
    /// Only a path or a nested call: no literal is an array or object.
    Computed,
}

impl IntrinsicFunction {
    fn accepts(self, position: usize) -> Accepts {
        use Accepts::*;
        use IntrinsicFunction as F;
        match (self, position) {
            (F::Format, 0) => String,
            (F::ArrayPartition, 0) | (F::ArrayContains, 0) | (F::ArrayGetItem, 0) => Computed,
            (F::ArrayLength | F::ArrayUnique | F::JsonToString, _) => Computed,
            (F::JsonMerge, 0 | 1) => Computed,
            (F::JsonMerge, 2) => Bool,
            (F::ArrayPartition | F::ArrayGetItem, 1) => Integer,
            (F::ArrayRange, _) | (F::MathRandom, _) => Integer,
            (F::MathAdd, _) => Number,
            (F::StringToJson | F::Base64Encode | F::Base64Decode | F::StringSplit, _) => String,
            (F::Hash, 1) => String,
            _ => Any,
        }
    }
}

/// Why a string is not a valid intrinsic call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntrinsicError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the text.
    pub offset: usize,
}

impl fmt::Display for IntrinsicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.offset + 1)
    }
}

impl std::error::Error for IntrinsicError {}

/// AWS allows at most this many calls nested in one field.
const MAX_NESTING: usize = 10;

impl IntrinsicCall {
    /// Parses `source` as one intrinsic call, checking names, argument counts and the types of
    /// literal arguments.
    pub fn parse(source: &str) -> Result<IntrinsicCall, IntrinsicError> {
        let mut p = Parser { s: source, pos: 0 };
        let call = p.call(0)?;
        if p.pos != source.len() {
            return Err(p.error("unexpected text after the call"));
        }
        Ok(call)
    }

    /// True when `s` looks like an attempt at an intrinsic call (`States.` followed by a name
    /// and a parenthesis), whether or not it is valid.
    pub fn looks_like_call(s: &str) -> bool {
        s.starts_with("States.") && s.contains('(')
    }

    /// The call as written.
    pub fn source(&self) -> &str {
        &self.source
    }
}

impl fmt::Debug for IntrinsicCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IntrinsicCall({:?})", self.source)
    }
}

impl fmt::Display for IntrinsicCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, message: impl Into<String>) -> IntrinsicError {
        IntrinsicError {
            message: message.into(),
            offset: self.pos,
        }
    }

    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.s.len() - trimmed.len();
    }

    fn call(&mut self, depth: usize) -> Result<IntrinsicCall, IntrinsicError> {
        if depth >= MAX_NESTING {
            return Err(self.error(format!(
                "intrinsic functions may be nested at most {MAX_NESTING} deep"
            )));
        }
        let start = self.pos;
        let name_len = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
            .unwrap_or(self.rest().len());
        let name = &self.rest()[..name_len];
        let function = IntrinsicFunction::from_name(name).ok_or_else(|| {
            if name.is_empty() {
                self.error("expected an intrinsic function such as States.Format")
            } else {
                self.error(format!("'{name}' is not an intrinsic function"))
            }
        })?;
        self.pos += name_len;
        if !self.rest().starts_with('(') {
            return Err(self.error(format!("expected '(' after {name}")));
        }
        self.pos += 1;
        let mut args = Vec::new();
        self.skip_ws();
        if self.rest().starts_with(')') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                let arg_start = self.pos;
                let arg = self.arg(depth)?;
                let accepts = function.accepts(args.len());
                if !literal_fits(&arg, accepts) {
                    return Err(IntrinsicError {
                        message: format!(
                            "argument {} of {} has the wrong type",
                            args.len() + 1,
                            function.name()
                        ),
                        offset: arg_start,
                    });
                }
                args.push(arg);
                self.skip_ws();
                match self.rest().chars().next() {
                    Some(',') => self.pos += 1,
                    Some(')') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.error("expected ',' or ')'")),
                }
            }
        }
        let (min, max) = function.arity();
        if args.len() < min || max.is_some_and(|m| args.len() > m) {
            let expected = match max {
                Some(m) if m == min => format!("{min}"),
                Some(m) => format!("{min} to {m}"),
                None => format!("at least {min}"),
            };
            return Err(IntrinsicError {
                message: format!(
                    "{} takes {expected} argument(s), not {}",
                    function.name(),
                    args.len()
                ),
                offset: start,
            });
        }
        Ok(IntrinsicCall {
            source: self.s[start..self.pos].to_string(),
            function,
            args,
        })
    }

    fn arg(&mut self, depth: usize) -> Result<IntrinsicArg, IntrinsicError> {
        let rest = self.rest();
        if rest.starts_with('\'') {
            return self.string();
        }
        if rest.starts_with("States.") {
            return self.call(depth + 1).map(IntrinsicArg::Call);
        }
        if rest.starts_with('$') {
            let len = path_extent(rest);
            let text = rest[..len].trim_end();
            let path = Path::parse(text).map_err(|e| IntrinsicError {
                message: format!("invalid path '{text}': {}", e.message),
                offset: self.pos + e.offset,
            })?;
            self.pos += len;
            return Ok(IntrinsicArg::Path(path));
        }
        for (word, arg) in [
            ("true", IntrinsicArg::Bool(true)),
            ("false", IntrinsicArg::Bool(false)),
            ("null", IntrinsicArg::Null),
        ] {
            if rest.starts_with(word)
                && !rest[word.len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
            {
                self.pos += word.len();
                return Ok(arg);
            }
        }
        let len = rest
            .find(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c)))
            .unwrap_or(rest.len());
        if len > 0 {
            if let Ok(n) = serde_json::from_str::<Number>(&rest[..len]) {
                self.pos += len;
                return Ok(IntrinsicArg::Number(n));
            }
        }
        Err(self.error("expected a string, number, boolean, null, path or intrinsic call"))
    }

    fn string(&mut self) -> Result<IntrinsicArg, IntrinsicError> {
        self.pos += 1;
        let mut value = String::new();
        let mut placeholders = Vec::new();
        let mut chars = self.rest().char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, e @ ('\'' | '{' | '}' | '\\'))) => value.push(e),
                    Some((j, e)) => {
                        return Err(IntrinsicError {
                            message: format!(
                                "'\\{e}' is not an escape: only \\' \\{{ \\}} and \\\\ are"
                            ),
                            offset: self.pos + j,
                        })
                    }
                    None => {
                        return Err(IntrinsicError {
                            message: "open escape at the end of the string".into(),
                            offset: self.pos + i,
                        })
                    }
                },
                '\'' => {
                    self.pos += i + 1;
                    return Ok(IntrinsicArg::String {
                        value,
                        placeholders,
                    });
                }
                '{' if chars.peek().map(|&(_, n)| n) == Some('}') => {
                    chars.next();
                    placeholders.push(value.len());
                    value.push_str("{}");
                }
                c => value.push(c),
            }
        }
        Err(self.error("unterminated string"))
    }
}

/// How far a path argument extends: to the first `,` or `)` outside brackets and quotes.
fn path_extent(s: &str) -> usize {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        if let Some(q) = quote {
            match c {
                '\\' => escaped = true,
                c if c == q => quote = None,
                _ => {}
            }
            continue;
        }
        match c {
            '\\' => escaped = true,
            '\'' | '"' => quote = Some(c),
            '[' | '(' => depth += 1,
            ']' if depth > 0 => depth -= 1,
            ')' if depth > 0 => depth -= 1,
            ',' | ')' if depth == 0 => return i,
            _ => {}
        }
    }
    s.len()
}

fn literal_fits(arg: &IntrinsicArg, accepts: Accepts) -> bool {
    match arg {
        IntrinsicArg::Path(_) | IntrinsicArg::Call(_) => true,
        IntrinsicArg::String { .. } => matches!(accepts, Accepts::Any | Accepts::String),
        IntrinsicArg::Number(n) => match accepts {
            Accepts::Any | Accepts::Number => true,
            Accepts::Integer => n.is_i64() || n.is_u64(),
            _ => false,
        },
        IntrinsicArg::Bool(_) => matches!(accepts, Accepts::Any | Accepts::Bool),
        IntrinsicArg::Null => matches!(accepts, Accepts::Any),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_calls() {
        let c = IntrinsicCall::parse(
            "States.Format('Hello {}, \\'{}\\' \\{\\}', $.name, States.UUID())",
        )
        .unwrap();
        assert_eq!(c.function, IntrinsicFunction::Format);
        assert_eq!(c.args.len(), 3);
        match &c.args[0] {
            IntrinsicArg::String {
                value,
                placeholders,
            } => {
                assert_eq!(value, "Hello {}, '{}' {}");
                assert_eq!(placeholders, &vec![6, 11]);
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(&c.args[2], IntrinsicArg::Call(inner) if inner.source() == "States.UUID()")
        );
        let c = IntrinsicCall::parse("States.ArrayGetItem($.a[0,1], 1)").unwrap();
        assert!(matches!(&c.args[0], IntrinsicArg::Path(p) if p.source() == "$.a[0,1]"));
        assert!(IntrinsicCall::parse("States.MathRandom($.start, 10, 3)").is_ok());
        assert!(IntrinsicCall::parse("States.Array('Foo', $.xyz, 'Bar', 2.3)").is_ok());
        assert!(IntrinsicCall::parse("States.StringToJson('{\"a\": 1}')").is_ok());
    }

    #[test]
    fn rejects_bad_calls() {
        for bad in [
            " States.Array('Foo')",
            "States.Xyz($.result)",
            "States.MathAdd(1,'-1')",
            "States.UUID(1)",
            "States.ArrayLength()",
            "States.Format('a \\\"b\\\"')",
            "States.Format('open",
            "States.Format('x') extra",
            "States.JsonMerge($.a, $.b, 'yes')",
            "States.ArrayRange(1, 2.5, 1)",
        ] {
            assert!(IntrinsicCall::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn limits_nesting() {
        let mut s = "States.UUID()".to_string();
        for _ in 0..9 {
            s = format!("States.Array({s})");
        }
        assert!(IntrinsicCall::parse(&s).is_ok());
        assert!(IntrinsicCall::parse(&format!("States.Array({s})")).is_err());
    }
}
