//! JSONPath as Step Functions reads it (the Jayway dialect), parsed into an AST once.

use std::fmt;

use serde_json::Value;

/// A parsed JSONPath: `$...` into the input, `$$...` into the context object, or `$name...`
/// into a workflow variable.
#[derive(Clone, PartialEq)]
pub struct Path {
    source: String,
    root: PathRoot,
    segments: Vec<Segment>,
}

/// What a path starts from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathRoot {
    /// `$`: the input the field applies to.
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a workflow variable.
    Variable(String),
}

/// One step of a path.
#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    /// `.name` or `[...]`: select among the children.
    Child(Selector),
    /// `..name` or `..[...]`: select among all descendants.
    Descendant(Selector),
    /// `.length()` and the other Jayway functions applied to what was selected so far.
    Function(String),
}

/// What a segment selects.
#[derive(Clone, Debug, PartialEq)]
pub enum Selector {
    /// `.name` or `['name']`.
    Name(String),
    /// `.*` or `[*]`.
    Wildcard,
    /// `[3]` or `[-1]`.
    Index(i64),
    /// `[start:end:step]`.
    Slice(SliceBounds),
    /// `['a','b']`.
    Names(Vec<String>),
    /// `[0,2]`.
    Indexes(Vec<i64>),
    /// `[?(...)]`.
    Filter(Box<FilterExpr>),
    /// `[(@.length-1)]`: a Jayway script expression computing an index, kept as written.
    Script(String),
}

/// The bounds of a slice; missing bounds are `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SliceBounds {
    /// First index (inclusive).
    pub start: Option<i64>,
    /// Last index (exclusive).
    pub end: Option<i64>,
    /// Step.
    pub step: Option<i64>,
}

/// A filter predicate, `[?(@.price < 10 && @.tags)]`.
#[derive(Clone, Debug, PartialEq)]
pub enum FilterExpr {
    /// `a || b`.
    Or(Box<FilterExpr>, Box<FilterExpr>),
    /// `a && b`.
    And(Box<FilterExpr>, Box<FilterExpr>),
    /// `!a`.
    Not(Box<FilterExpr>),
    /// `left op right`.
    Compare {
        /// The operator.
        op: FilterOp,
        /// Left operand.
        left: FilterOperand,
        /// Right operand.
        right: FilterOperand,
    },
    /// An operand alone: true when it selects something.
    Exists(FilterOperand),
}

/// An operand of a filter comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum FilterOperand {
    /// `@...`: relative to the element being filtered.
    Current(Vec<Segment>),
    /// `$...`: relative to the document root.
    Root(Vec<Segment>),
    /// A number, string, boolean, null or array literal.
    Literal(Value),
    /// `/pattern/flags`.
    Regex {
        /// The pattern between the slashes.
        pattern: String,
        /// The flags after the closing slash.
        flags: String,
    },
}

/// A filter comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `=~`
    Matches,
    /// `in`
    In,
    /// `nin`
    Nin,
    /// `subsetof`
    SubsetOf,
    /// `anyof`
    AnyOf,
    /// `noneof`
    NoneOf,
    /// `size`
    Size,
    /// `empty`
    Empty,
    /// `contains`
    Contains,
}

/// Why a string is not a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the path text.
    pub offset: usize,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.offset + 1)
    }
}

impl std::error::Error for PathError {}

const FUNCTIONS: &[&str] = &[
    "length", "size", "min", "max", "avg", "stddev", "sum", "keys", "first", "last",
];

impl Path {
    /// Parses `source` as a path.
    pub fn parse(source: &str) -> Result<Path, PathError> {
        let mut p = Parser {
            s: source,
            pos: 0,
            in_filter: false,
        };
        let root = p.root()?;
        let segments = p.segments()?;
        if p.pos < source.len() {
            return Err(p.error(format!("unexpected '{}'", p.peek_char().unwrap_or(' '))));
        }
        Ok(Path {
            source: source.to_string(),
            root,
            segments,
        })
    }

    /// Parses `source` as a reference path: one that designates a single node, with only
    /// names and indexes (no wildcards, filters, slices, unions or functions).
    pub fn parse_reference(source: &str) -> Result<Path, PathError> {
        let path = Path::parse(source)?;
        if let Some(offset) = path.first_non_reference_segment() {
            return Err(PathError {
                message: "a reference path may only use names and indexes".into(),
                offset,
            });
        }
        Ok(path)
    }

    fn first_non_reference_segment(&self) -> Option<usize> {
        let ok = |s: &Segment| matches!(s, Segment::Child(Selector::Name(_) | Selector::Index(_)));
        if self.segments.iter().all(ok) {
            None
        } else {
            Some(0)
        }
    }

    /// The path as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// What the path starts from.
    pub fn root(&self) -> &PathRoot {
        &self.root
    }

    /// The steps after the root.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// True when the path designates at most one node (a reference path).
    pub fn is_reference(&self) -> bool {
        self.first_non_reference_segment().is_none()
    }

    /// True for `$` alone.
    pub fn is_identity(&self) -> bool {
        self.root == PathRoot::Input && self.segments.is_empty()
    }
}

impl fmt::Debug for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Path({:?})", self.source)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
    in_filter: bool,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl<'a> Parser<'a> {
    fn error(&self, message: impl Into<String>) -> PathError {
        PathError {
            message: message.into(),
            offset: self.pos,
        }
    }

    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    fn peek_char(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek_char() {
            if !c.is_whitespace() {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    fn expect(&mut self, token: &str) -> Result<(), PathError> {
        self.skip_ws();
        if self.eat(token) {
            Ok(())
        } else {
            Err(self.error(format!("expected '{token}'")))
        }
    }

    fn root(&mut self) -> Result<PathRoot, PathError> {
        if self.eat("$$") {
            return Ok(PathRoot::Context);
        }
        if !self.eat("$") {
            return Err(self.error("a path must start with '$'"));
        }
        match self.peek_char() {
            Some(c) if is_ident_start(c) => {
                let start = self.pos;
                while self.peek_char().is_some_and(is_ident_continue) {
                    self.pos += self.peek_char().map_or(1, char::len_utf8);
                }
                Ok(PathRoot::Variable(self.s[start..self.pos].to_string()))
            }
            _ => Ok(PathRoot::Input),
        }
    }

    fn at_segment_start(&self) -> bool {
        matches!(self.peek_char(), Some('.' | '['))
    }

    fn segments(&mut self) -> Result<Vec<Segment>, PathError> {
        let mut segments = Vec::new();
        while self.at_segment_start() {
            if self.eat("..") {
                if self.rest().starts_with('[') {
                    segments.push(Segment::Descendant(self.bracket()?));
                } else {
                    segments.push(Segment::Descendant(self.dot_member()?));
                }
            } else if self.eat(".") {
                let member = self.dot_member()?;
                if let Selector::Name(name) = &member {
                    if FUNCTIONS.contains(&name.as_str()) && self.eat("()") {
                        segments.push(Segment::Function(name.clone()));
                        continue;
                    }
                }
                segments.push(Segment::Child(member));
            } else {
                segments.push(Segment::Child(self.bracket()?));
            }
        }
        Ok(segments)
    }

    fn ends_name(&self, c: char) -> bool {
        match c {
            '.' | '[' => true,
            '(' => true,
            c if self.in_filter => c.is_whitespace() || "<>=!&|),]".contains(c),
            _ => false,
        }
    }

    fn dot_member(&mut self) -> Result<Selector, PathError> {
        if self.eat("*") {
            return Ok(Selector::Wildcard);
        }
        let mut name = String::new();
        while let Some(c) = self.peek_char() {
            if c == '\\' {
                self.pos += 1;
                match self.peek_char() {
                    Some(e) => {
                        name.push(e);
                        self.pos += e.len_utf8();
                    }
                    None => return Err(self.error("the path ends inside an escape")),
                }
                continue;
            }
            if self.ends_name(c) {
                break;
            }
            name.push(c);
            self.pos += c.len_utf8();
        }
        if name.is_empty() {
            return Err(self.error("expected a field name"));
        }
        Ok(Selector::Name(name))
    }

    fn quoted(&mut self) -> Result<String, PathError> {
        let quote = self
            .peek_char()
            .ok_or_else(|| self.error("expected a quoted name"))?;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let c = self
                .peek_char()
                .ok_or_else(|| self.error("unterminated string"))?;
            self.pos += c.len_utf8();
            match c {
                '\\' => {
                    let e = self
                        .peek_char()
                        .ok_or_else(|| self.error("unterminated string"))?;
                    self.pos += e.len_utf8();
                    // Jayway resolves only escaped quotes and backslashes; any other
                    // backslash is part of the name.
                    if e != quote && e != '\\' {
                        out.push('\\');
                    }
                    out.push(e);
                }
                c if c == quote => return Ok(out),
                c => out.push(c),
            }
        }
    }

    fn integer(&mut self) -> Result<i64, PathError> {
        self.skip_ws();
        let start = self.pos;
        self.eat("-");
        while self.peek_char().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        self.s[start..self.pos].parse().map_err(|_| PathError {
            message: "expected an integer".into(),
            offset: start,
        })
    }

    fn optional_integer(&mut self) -> Result<Option<i64>, PathError> {
        self.skip_ws();
        match self.peek_char() {
            Some(c) if c == '-' || c.is_ascii_digit() => self.integer().map(Some),
            _ => Ok(None),
        }
    }

    fn bracket(&mut self) -> Result<Selector, PathError> {
        self.expect("[")?;
        self.skip_ws();
        let selector = match self.peek_char() {
            Some('*') => {
                self.pos += 1;
                Selector::Wildcard
            }
            Some('\'' | '"') => {
                let mut names = vec![self.quoted()?];
                self.skip_ws();
                while self.eat(",") {
                    self.skip_ws();
                    names.push(self.quoted()?);
                    self.skip_ws();
                }
                if names.len() == 1 {
                    Selector::Name(names.pop().unwrap_or_default())
                } else {
                    Selector::Names(names)
                }
            }
            Some('?') => {
                self.pos += 1;
                self.expect("(")?;
                let was = std::mem::replace(&mut self.in_filter, true);
                let expr = self.filter_or()?;
                self.in_filter = was;
                self.expect(")")?;
                Selector::Filter(Box::new(expr))
            }
            Some('(') => {
                let start = self.pos;
                let mut depth = 0usize;
                while let Some(c) = self.peek_char() {
                    self.pos += c.len_utf8();
                    match c {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                if depth != 0 {
                    return Err(self.error("unterminated script expression"));
                }
                Selector::Script(self.s[start..self.pos].to_string())
            }
            Some(c) if c == '-' || c == ':' || c.is_ascii_digit() => {
                let first = self.optional_integer()?;
                self.skip_ws();
                if self.eat(":") {
                    let end = self.optional_integer()?;
                    self.skip_ws();
                    let step = if self.eat(":") {
                        self.optional_integer()?
                    } else {
                        None
                    };
                    if step == Some(0) {
                        return Err(self.error("a slice step cannot be 0"));
                    }
                    Selector::Slice(SliceBounds {
                        start: first,
                        end,
                        step,
                    })
                } else {
                    let first = first.ok_or_else(|| self.error("expected an index"))?;
                    let mut indexes = vec![first];
                    while self.eat(",") {
                        indexes.push(self.integer()?);
                        self.skip_ws();
                    }
                    if indexes.len() == 1 {
                        Selector::Index(first)
                    } else {
                        Selector::Indexes(indexes)
                    }
                }
            }
            _ => {
                return Err(self.error("expected a name, index, slice, '*' or filter inside '[ ]'"))
            }
        };
        self.expect("]")?;
        Ok(selector)
    }

    fn filter_or(&mut self) -> Result<FilterExpr, PathError> {
        let mut left = self.filter_and()?;
        loop {
            self.skip_ws();
            if !self.eat("||") {
                return Ok(left);
            }
            let right = self.filter_and()?;
            left = FilterExpr::Or(Box::new(left), Box::new(right));
        }
    }

    fn filter_and(&mut self) -> Result<FilterExpr, PathError> {
        let mut left = self.filter_unary()?;
        loop {
            self.skip_ws();
            if !self.eat("&&") {
                return Ok(left);
            }
            let right = self.filter_unary()?;
            left = FilterExpr::And(Box::new(left), Box::new(right));
        }
    }

    fn filter_unary(&mut self) -> Result<FilterExpr, PathError> {
        self.skip_ws();
        if self.rest().starts_with('!') && !self.rest().starts_with("!=") {
            self.pos += 1;
            return Ok(FilterExpr::Not(Box::new(self.filter_unary()?)));
        }
        if self.eat("(") {
            let inner = self.filter_or()?;
            self.expect(")")?;
            return Ok(inner);
        }
        let left = self.filter_operand()?;
        self.skip_ws();
        let Some(op) = self.filter_op() else {
            return Ok(FilterExpr::Exists(left));
        };
        let right = self.filter_operand()?;
        Ok(FilterExpr::Compare { op, left, right })
    }

    fn filter_op(&mut self) -> Option<FilterOp> {
        const SYMBOLS: &[(&str, FilterOp)] = &[
            ("==", FilterOp::Eq),
            ("!=", FilterOp::Ne),
            ("<=", FilterOp::Le),
            (">=", FilterOp::Ge),
            ("=~", FilterOp::Matches),
            ("<", FilterOp::Lt),
            (">", FilterOp::Gt),
        ];
        const WORDS: &[(&str, FilterOp)] = &[
            ("subsetof", FilterOp::SubsetOf),
            ("anyof", FilterOp::AnyOf),
            ("noneof", FilterOp::NoneOf),
            ("contains", FilterOp::Contains),
            ("empty", FilterOp::Empty),
            ("size", FilterOp::Size),
            ("nin", FilterOp::Nin),
            ("in", FilterOp::In),
        ];
        for (sym, op) in SYMBOLS {
            if self.eat(sym) {
                return Some(*op);
            }
        }
        for (word, op) in WORDS {
            let rest = self.rest();
            if rest.starts_with(word) && rest[word.len()..].starts_with(|c: char| c.is_whitespace())
            {
                self.pos += word.len();
                return Some(*op);
            }
        }
        None
    }

    fn filter_operand(&mut self) -> Result<FilterOperand, PathError> {
        self.skip_ws();
        match self.peek_char() {
            Some('@') => {
                self.pos += 1;
                Ok(FilterOperand::Current(self.segments()?))
            }
            Some('$') => {
                self.pos += 1;
                Ok(FilterOperand::Root(self.segments()?))
            }
            Some('\'' | '"') => Ok(FilterOperand::Literal(Value::String(self.quoted()?))),
            Some('/') => {
                self.pos += 1;
                let start = self.pos;
                loop {
                    match self.peek_char() {
                        None => return Err(self.error("unterminated regular expression")),
                        Some('\\') => {
                            self.pos +=
                                1 + self.rest()[1..].chars().next().map_or(0, char::len_utf8)
                        }
                        Some('/') => break,
                        Some(c) => self.pos += c.len_utf8(),
                    }
                }
                let pattern = self.s[start..self.pos].to_string();
                self.pos += 1;
                let fstart = self.pos;
                while self.peek_char().is_some_and(|c| c.is_ascii_alphabetic()) {
                    self.pos += 1;
                }
                Ok(FilterOperand::Regex {
                    pattern,
                    flags: self.s[fstart..self.pos].to_string(),
                })
            }
            Some('[') => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if !self.eat("]") {
                    loop {
                        match self.filter_operand()? {
                            FilterOperand::Literal(v) => items.push(v),
                            _ => return Err(self.error("array literals may only hold literals")),
                        }
                        self.skip_ws();
                        if self.eat("]") {
                            break;
                        }
                        self.expect(",")?;
                    }
                }
                Ok(FilterOperand::Literal(Value::Array(items)))
            }
            _ => {
                for (word, value) in [
                    ("true", Value::Bool(true)),
                    ("false", Value::Bool(false)),
                    ("null", Value::Null),
                ] {
                    if self.eat(word) {
                        return Ok(FilterOperand::Literal(value));
                    }
                }
                let start = self.pos;
                if self
                    .peek_char()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
                {
                    // Jayway reads an unquoted word as a string.
                    while self
                        .peek_char()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                    {
                        self.pos += self.peek_char().map_or(1, char::len_utf8);
                    }
                    return Ok(FilterOperand::Literal(Value::String(
                        self.s[start..self.pos].to_string(),
                    )));
                }
                while self
                    .peek_char()
                    .is_some_and(|c| c.is_ascii_digit() || "+-.eE".contains(c))
                {
                    self.pos += 1;
                }
                let text = &self.s[start..self.pos];
                serde_json::from_str::<serde_json::Number>(text)
                    .map(|n| FilterOperand::Literal(Value::Number(n)))
                    .map_err(|_| PathError {
                        message: "expected an operand".into(),
                        offset: start,
                    })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(s: &str) -> Vec<Segment> {
        Path::parse(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .segments
    }

    #[test]
    fn roots() {
        assert_eq!(Path::parse("$").unwrap().root, PathRoot::Input);
        assert_eq!(
            Path::parse("$$.Execution.Id").unwrap().root,
            PathRoot::Context
        );
        assert_eq!(Path::parse("$$").unwrap().root, PathRoot::Context);
        assert_eq!(
            Path::parse("$myVar.x").unwrap().root,
            PathRoot::Variable("myVar".into())
        );
        assert!(Path::parse("$.x").unwrap().is_reference());
    }

    #[test]
    fn selectors() {
        use Segment::*;
        use Selector::*;
        assert_eq!(
            segs("$.a.b"),
            vec![Child(Name("a".into())), Child(Name("b".into()))]
        );
        assert_eq!(
            segs("$['a b'][0]"),
            vec![Child(Name("a b".into())), Child(Index(0))]
        );
        assert_eq!(
            segs("$.a[*]"),
            vec![Child(Name("a".into())), Child(Wildcard)]
        );
        assert_eq!(segs("$..b"), vec![Descendant(Name("b".into()))]);
        assert_eq!(
            segs("$.a[1:3]"),
            vec![
                Child(Name("a".into())),
                Child(Slice(SliceBounds {
                    start: Some(1),
                    end: Some(3),
                    step: None
                }))
            ]
        );
        assert_eq!(
            segs("$.a[-1:]")[1],
            Child(Slice(SliceBounds {
                start: Some(-1),
                end: None,
                step: None
            }))
        );
        assert_eq!(segs("$.a[0,2]")[1], Child(Indexes(vec![0, 2])));
        assert_eq!(segs("$.a.length()")[1], Function("length".into()));
        assert_eq!(
            segs("$.store\\.book"),
            vec![Child(Name("store.book".into()))]
        );
        assert!(
            matches!(&segs("$.a[?(@.price < 10 && @.x)]")[1], Child(Filter(f)) if matches!(**f, FilterExpr::And(..)))
        );
        assert!(matches!(
            &segs("$[?(@.name =~ /a.*/i)]")[0],
            Child(Filter(_))
        ));
        assert!(matches!(
            &segs("$[?(@.size in ['S', 'M'])]")[0],
            Child(Filter(_))
        ));
        assert_eq!(
            segs("$[(@.length-1)].bar")[0],
            Child(Script("(@.length-1)".into()))
        );
    }

    #[test]
    fn rejects_malformed_paths() {
        for bad in [
            ".guid",
            "..guid",
            "()",
            "$...",
            "bug$.x",
            "$$23",
            "23",
            "$.a[",
            "$.a[?(@.x <)]",
            "$.",
            "$[1:2:0]",
        ] {
            assert!(Path::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reference_paths() {
        assert!(Path::parse_reference("$.a[0].b").is_ok());
        for bad in [
            "$.a[*]",
            "$..a",
            "$.a[0,1]",
            "$.a[?(@.x)]",
            "$.a.length()",
            "$.a[1:]",
        ] {
            assert!(Path::parse_reference(bad).is_err(), "{bad}");
        }
    }
}
