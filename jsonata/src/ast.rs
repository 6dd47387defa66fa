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
        let mut names = Vec::new();
        self.collect_variables(&mut names);
        names
    }

    fn collect_variables(&self, names: &mut Vec<String>) {
        fn add(names: &mut Vec<String>, name: &str) {
            if !name.is_empty() && name != "$" && !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
        match self {
            Expr::Variable(v) => add(names, v),
            Expr::Bind(v, e) | Expr::Focus(e, v) | Expr::Index(e, v) => {
                add(names, v);
                e.collect_variables(names);
            }
            Expr::Number(_)
            | Expr::String(_)
            | Expr::Bool(_)
            | Expr::Null
            | Expr::Regex { .. }
            | Expr::Name(_)
            | Expr::Wildcard
            | Expr::Descendant
            | Expr::Parent
            | Expr::Placeholder => {}
            Expr::Negate(e) | Expr::Filter(e, None) => e.collect_variables(names),
            Expr::Binary(_, a, b) | Expr::Path(a, b) | Expr::Filter(a, Some(b)) => {
                a.collect_variables(names);
                b.collect_variables(names);
            }
            Expr::GroupBy(e, pairs) => {
                e.collect_variables(names);
                for (k, v) in pairs {
                    k.collect_variables(names);
                    v.collect_variables(names);
                }
            }
            Expr::Object(pairs) => {
                for (k, v) in pairs {
                    k.collect_variables(names);
                    v.collect_variables(names);
                }
            }
            Expr::Call(f, args) => {
                f.collect_variables(names);
                args.iter().for_each(|a| a.collect_variables(names));
            }
            Expr::Array(items) | Expr::Block(items) => {
                items.iter().for_each(|a| a.collect_variables(names))
            }
            Expr::Condition(c, a, b) => {
                c.collect_variables(names);
                a.collect_variables(names);
                if let Some(b) = b {
                    b.collect_variables(names);
                }
            }
            Expr::Sort(e, terms) => {
                e.collect_variables(names);
                terms.iter().for_each(|(t, _)| t.collect_variables(names));
            }
            Expr::Lambda { params, body, .. } => {
                params.iter().for_each(|p| add(names, p));
                body.collect_variables(names);
            }
            Expr::Transform {
                pattern,
                update,
                delete,
            } => {
                pattern.collect_variables(names);
                update.collect_variables(names);
                if let Some(d) = delete {
                    d.collect_variables(names);
                }
            }
        }
    }
}
