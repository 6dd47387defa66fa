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

impl Expr {
    /// Every `$name` the expression mentions (read, bound or a parameter), without `$` and
    /// `$$`, each once in order of first mention. A host binds only these names, so an
    /// evaluation never converts values it will not read.
    pub fn variable_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        self.walk(&mut |e| {
            let mentioned: Vec<&String> = match e {
                Expr::Variable(v) | Expr::Bind(v, _) | Expr::Focus(_, v) | Expr::Index(_, v) => {
                    vec![v]
                }
                Expr::Lambda { params, .. } => params.iter().collect(),
                _ => Vec::new(),
            };
            for name in mentioned {
                if !name.is_empty() && name != "$" && !names.contains(name) {
                    names.push(name.clone());
                }
            }
        });
        names
    }

    /// Every `$variable.field` step the expression contains, as (variable, field), each once:
    /// what a host needs to check which members of a variable an expression reads.
    pub fn member_reads(&self) -> Vec<(String, String)> {
        let mut reads: Vec<(String, String)> = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Path(left, right) = e {
                if let (Expr::Variable(v), Expr::Name(field)) = (left.as_ref(), right.as_ref()) {
                    let read = (v.clone(), field.clone());
                    if !reads.contains(&read) {
                        reads.push(read);
                    }
                }
            }
        });
        reads
    }

    /// Calls `visit` on this node and every node below it.
    fn walk(&self, visit: &mut impl FnMut(&Expr)) {
        visit(self);
        let children: Vec<&Expr> = match self {
            Expr::Number(_)
            | Expr::String(_)
            | Expr::Bool(_)
            | Expr::Null
            | Expr::Regex { .. }
            | Expr::Name(_)
            | Expr::Variable(_)
            | Expr::Wildcard
            | Expr::Descendant
            | Expr::Parent
            | Expr::Placeholder => Vec::new(),
            Expr::Negate(e)
            | Expr::Filter(e, None)
            | Expr::Bind(_, e)
            | Expr::Focus(e, _)
            | Expr::Index(e, _) => vec![e],
            Expr::Binary(_, a, b) | Expr::Path(a, b) | Expr::Filter(a, Some(b)) => vec![a, b],
            Expr::GroupBy(e, p) => std::iter::once(e.as_ref())
                .chain(p.iter().flat_map(|(k, v)| [k, v]))
                .collect(),
            Expr::Object(p) => p.iter().flat_map(|(k, v)| [k, v]).collect(),
            Expr::Call(f, args) => std::iter::once(f.as_ref()).chain(args).collect(),
            Expr::Array(items) | Expr::Block(items) => items.iter().collect(),
            Expr::Condition(c, a, b) => [Some(c), Some(a), b.as_ref()]
                .into_iter()
                .flatten()
                .map(|e| e.as_ref())
                .collect(),
            Expr::Sort(e, terms) => std::iter::once(e.as_ref())
                .chain(terms.iter().map(|(t, _)| t))
                .collect(),
            Expr::Lambda { body, .. } => vec![body],
            Expr::Transform {
                pattern,
                update,
                delete,
            } => [Some(pattern), Some(update), delete.as_ref()]
                .into_iter()
                .flatten()
                .map(|e| e.as_ref())
                .collect(),
        };
        for child in children {
            child.walk(visit);
        }
    }
}
