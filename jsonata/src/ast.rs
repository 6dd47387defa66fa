/// A JSONata expression as written.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A number literal.
    Number(f64),
    /// A string literal, escapes resolved.
    String(String),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `/pattern/flags`.
    Regex {
        /// The pattern.
        pattern: String,
        /// The flags (`i`, `m`).
        flags: String,
    },
    /// A field name (`a` or `` `a b` ``).
    Name(String),
    /// `$name`; `$` alone is the context value and `$$` the root.
    Variable(String),
    /// `*`.
    Wildcard,
    /// `**`.
    Descendant,
    /// `%`.
    Parent,
    /// `-x`.
    Negate(Box<Expr>),
    /// `a op b`.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `a.b`.
    Path(Box<Expr>, Box<Expr>),
    /// `a[p]`, or `a[]` (keep the result an array) when the predicate is `None`.
    Filter(Box<Expr>, Option<Box<Expr>>),
    /// `a{k: v, ...}`.
    GroupBy(Box<Expr>, Vec<(Expr, Expr)>),
    /// `f(args)`.
    Call(Box<Expr>, Vec<Expr>),
    /// `?` as an argument: partial application.
    Placeholder,
    /// `c ? a : b`.
    Condition(Box<Expr>, Box<Expr>, Option<Box<Expr>>),
    /// `$x := e`.
    Bind(String, Box<Expr>),
    /// `a@$x`.
    Focus(Box<Expr>, String),
    /// `a#$i`.
    Index(Box<Expr>, String),
    /// `a^(<k, >k2)`: terms with `true` for descending.
    Sort(Box<Expr>, Vec<(Expr, bool)>),
    /// `[a, b]`.
    Array(Vec<Expr>),
    /// `{k: v}`.
    Object(Vec<(Expr, Expr)>),
    /// `(a; b)`.
    Block(Vec<Expr>),
    /// `function($a, $b)<sig>{ body }`.
    Lambda {
        /// Parameter names without `$`.
        params: Vec<String>,
        /// The signature as written between `<` and `>`.
        signature: Option<String>,
        /// The body.
        body: Box<Expr>,
    },
    /// `| pattern | update, delete |`.
    Transform {
        /// What to match.
        pattern: Box<Expr>,
        /// The object merged into each match.
        update: Box<Expr>,
        /// The fields removed from each match.
        delete: Option<Box<Expr>>,
    },
}

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Subtract,
    /// `*`
    Multiply,
    /// `/`
    Divide,
    /// `%`
    Modulo,
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `<`
    Less,
    /// `<=`
    LessEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterEqual,
    /// `&`
    Concat,
    /// `and`
    And,
    /// `or`
    Or,
    /// `in`
    In,
    /// `..`
    Range,
    /// `~>`
    Apply,
    /// `?:`
    Elvis,
    /// `??`
    Coalesce,
}
