//! The evaluation plan: the syntax tree reshaped as the reference implementation evaluates it.
//! Paths become step lists, predicates attach to the step they filter, `@` and `#` turn a path
//! into a tuple stream, group-by and `^( )` attach to their path.

use std::sync::Arc;

use crate::ast::{BinaryOp, Expr};
use crate::error::Error;

/// One node of the plan, with the annotations the evaluator reads.
#[derive(Debug, Clone)]
pub struct Node {
    /// What the node computes.
    pub kind: Kind,
    /// Filters applied to the node's result (`a[p]` where `a` is not a path step).
    pub predicate: Vec<Node>,
    /// Filters and index bindings applied per step inside a path.
    pub stages: Vec<Stage>,
    /// `a{...}` group-by.
    pub group: Option<Box<Group>>,
    /// `a[]`: keep singleton arrays.
    pub keep_array: bool,
    /// `@$v`: the step binds `$v` instead of moving the context.
    pub focus: Option<String>,
    /// `#$i`: the step binds its position.
    pub index: Option<String>,
    /// The step is part of a tuple stream.
    pub tuple: bool,
    /// An array constructor at the start or end of a path: not flattened.
    pub cons_array: bool,
}

/// A stage of a path step.
#[derive(Debug, Clone)]
pub enum Stage {
    /// `[predicate]`.
    Filter(Node),
    /// `#$name` after a predicate.
    Index(String),
}

/// Key/value pairs of an object constructor or group-by.
#[derive(Debug, Clone)]
pub struct Group {
    /// The pairs.
    pub pairs: Vec<(Node, Node)>,
}

/// A sort term.
#[derive(Debug, Clone)]
pub struct SortTerm {
    /// The key.
    pub expr: Node,
    /// `>`.
    pub descending: bool,
}

/// What a node computes.
#[derive(Debug, Clone)]
pub enum Kind {
    /// A path of steps.
    Path {
        /// The steps.
        steps: Vec<Node>,
        /// Some step had `[]`.
        keep_singleton: bool,
    },
    /// A string literal (a field name when it is a path step).
    String(String),
    /// A number literal.
    Number(f64),
    /// `true`/`false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A regular expression literal.
    Regex(Arc<RegexLiteral>),
    /// A field name.
    Name(String),
    /// `$name`; `""` is `$`, `"$"` is `$$`.
    Variable(String),
    /// `*`.
    Wildcard,
    /// `**`.
    Descendant,
    /// `%`.
    Parent,
    /// `-x`.
    Negate(Box<Node>),
    /// A binary operator.
    Binary(BinaryOp, Box<Node>, Box<Node>),
    /// `[a, b]`: each item and whether it was itself an array constructor.
    Array(Vec<(Node, bool)>),
    /// `{k: v}`.
    Object(Group),
    /// `f(args)`; partial when an argument is `?`.
    Call {
        /// What is called.
        procedure: Box<Node>,
        /// The arguments; `None` is a `?` placeholder.
        arguments: Vec<Option<Node>>,
    },
    /// `c ? a : b`.
    Condition(Box<Node>, Box<Node>, Option<Box<Node>>),
    /// `(a; b)`.
    Block(Vec<Node>),
    /// `$x := e`.
    Bind(String, Box<Node>),
    /// `function($a){...}`.
    Lambda(Arc<LambdaPlan>),
    /// `a ~> f`.
    Apply(Box<Node>, Box<Node>),
    /// `| pattern | update, delete |`.
    Transform(Box<Node>, Box<Node>, Option<Box<Node>>),
    /// `^(...)` as a path step.
    Sort(Vec<SortTerm>),
}

/// A lambda's parameters, signature and body.
#[derive(Debug)]
pub struct LambdaPlan {
    /// Parameter names.
    pub params: Vec<String>,
    /// The parsed signature.
    pub signature: Option<crate::signature::Signature>,
    /// The body.
    pub body: Node,
}

/// A compiled regular expression literal.
#[derive(Debug)]
pub struct RegexLiteral {
    /// The compiled expression.
    pub regex: regex::Regex,
    /// As written.
    pub source: String,
}

impl Node {
    fn new(kind: Kind) -> Node {
        Node {
            kind,
            predicate: Vec::new(),
            stages: Vec::new(),
            group: None,
            keep_array: false,
            focus: None,
            index: None,
            tuple: false,
            cons_array: false,
        }
    }

    fn is_path(&self) -> bool {
        matches!(self.kind, Kind::Path { .. })
    }

    fn into_path(self) -> Node {
        if self.is_path() {
            self
        } else {
            Node::new(Kind::Path {
                steps: vec![self],
                keep_singleton: false,
            })
        }
    }

    fn last_step(&mut self) -> &mut Node {
        if !self.is_path() {
            return self;
        }
        match &mut self.kind {
            Kind::Path { steps, .. } => steps.last_mut().expect("paths have steps"),
            _ => unreachable!("checked above"),
        }
    }
}

fn err(code: &'static str, message: impl Into<String>) -> Error {
    Error::new(code, message)
}

/// Builds the plan of a parsed expression.
pub fn plan(expr: &Expr) -> Result<Node, Error> {
    Ok(match expr {
        Expr::Number(n) => Node::new(Kind::Number(*n)),
        Expr::String(s) => Node::new(Kind::String(s.clone())),
        Expr::Bool(b) => Node::new(Kind::Bool(*b)),
        Expr::Null => Node::new(Kind::Null),
        Expr::Regex { pattern, flags } => {
            Node::new(Kind::Regex(Arc::new(compile_regex(pattern, flags)?)))
        }
        Expr::Name(n) => Node::new(Kind::Path {
            steps: vec![Node::new(Kind::Name(n.clone()))],
            keep_singleton: false,
        }),
        Expr::Variable(v) => Node::new(Kind::Variable(v.clone())),
        Expr::Wildcard => Node::new(Kind::Wildcard),
        Expr::Descendant => Node::new(Kind::Descendant),
        Expr::Parent => {
            return Err(err(
                "S0217",
                "The parent operator '%' is not supported by this engine",
            ))
        }
        Expr::Placeholder => {
            return Err(err(
                "S0211",
                "The symbol \"?\" cannot be used as a unary operator",
            ))
        }
        Expr::Negate(e) => {
            let inner = plan(e)?;
            match inner.kind {
                Kind::Number(n) if inner.predicate.is_empty() => Node::new(Kind::Number(-n)),
                _ => Node::new(Kind::Negate(Box::new(inner))),
            }
        }
        Expr::Path(lhs, rhs) => {
            let left = plan(lhs)?;
            let mut path = left.into_path();
            let rest = plan(rhs)?;
            let Kind::Path {
                steps,
                keep_singleton,
            } = &mut path.kind
            else {
                unreachable!("into_path")
            };
            match rest.kind {
                Kind::Path { steps: more, .. } => steps.extend(more),
                _ => {
                    let mut rest = rest;
                    if !rest.predicate.is_empty() {
                        rest.stages = std::mem::take(&mut rest.predicate)
                            .into_iter()
                            .map(Stage::Filter)
                            .collect();
                    }
                    steps.push(rest);
                }
            }
            for step in steps.iter_mut() {
                match &step.kind {
                    Kind::Number(n) => {
                        return Err(err(
                            "S0213",
                            format!("The literal value {n} cannot be used as a step within a path expression"),
                        ))
                    }
                    Kind::Bool(b) => {
                        return Err(err(
                            "S0213",
                            format!("The literal value {b} cannot be used as a step within a path expression"),
                        ))
                    }
                    Kind::Null => {
                        return Err(err(
                            "S0213",
                            "The literal value null cannot be used as a step within a path expression",
                        ))
                    }
                    Kind::String(s) => step.kind = Kind::Name(s.clone()),
                    _ => {}
                }
            }
            if steps.iter().any(|s| s.keep_array) {
                *keep_singleton = true;
            }
            if let Some(first) = steps.first_mut() {
                if matches!(first.kind, Kind::Array(_)) {
                    first.cons_array = true;
                }
            }
            if let Some(last) = steps.last_mut() {
                if matches!(last.kind, Kind::Array(_)) {
                    last.cons_array = true;
                }
            }
            path
        }
        Expr::Filter(lhs, None) => {
            let mut node = plan(lhs)?;
            node.last_step().keep_array = true;
            if let Kind::Path { keep_singleton, .. } = &mut node.kind {
                *keep_singleton = true;
            }
            node
        }
        Expr::Filter(lhs, Some(predicate)) => {
            let mut node = plan(lhs)?;
            let predicate = plan(predicate)?;
            let is_path = node.is_path();
            let step = node.last_step();
            if step.group.is_some() {
                return Err(err(
                    "S0209",
                    "A predicate cannot follow a grouping expression in a step",
                ));
            }
            if is_path {
                step.stages.push(Stage::Filter(predicate));
            } else {
                step.predicate.push(predicate);
            }
            node
        }
        Expr::GroupBy(lhs, pairs) => {
            let mut node = plan(lhs)?;
            if node.group.is_some() {
                return Err(err(
                    "S0210",
                    "Each step can only have one grouping expression",
                ));
            }
            node.group = Some(Box::new(plan_group(pairs)?));
            node
        }
        Expr::Sort(lhs, terms) => {
            let mut path = plan(lhs)?.into_path();
            let terms = terms
                .iter()
                .map(|(e, descending)| {
                    Ok(SortTerm {
                        expr: plan(e)?,
                        descending: *descending,
                    })
                })
                .collect::<Result<Vec<_>, Error>>()?;
            if let Kind::Path { steps, .. } = &mut path.kind {
                steps.push(Node::new(Kind::Sort(terms)));
            }
            path
        }
        Expr::Focus(lhs, name) => {
            let mut node = plan(lhs)?;
            let step = node.last_step();
            if !step.stages.is_empty() || !step.predicate.is_empty() {
                return Err(err(
                    "S0215",
                    "A context variable binding must precede any predicates on a step",
                ));
            }
            if matches!(step.kind, Kind::Sort(_)) {
                return Err(err(
                    "S0216",
                    "A context variable binding must precede the 'order-by' clause on a step",
                ));
            }
            step.focus = Some(name.clone());
            step.tuple = true;
            node
        }
        Expr::Index(lhs, name) => {
            let node = plan(lhs)?;
            let mut path = if node.is_path() {
                node
            } else {
                let mut step = node;
                if !step.predicate.is_empty() {
                    step.stages = std::mem::take(&mut step.predicate)
                        .into_iter()
                        .map(Stage::Filter)
                        .collect();
                }
                step.into_path()
            };
            let step = path.last_step();
            if step.stages.is_empty() {
                step.index = Some(name.clone());
            } else {
                step.stages.push(Stage::Index(name.clone()));
            }
            step.tuple = true;
            path
        }
        Expr::Binary(BinaryOp::Apply, lhs, rhs) => {
            let l = plan(lhs)?;
            let r = plan(rhs)?;
            let keep = l.keep_array || r.keep_array;
            let mut node = Node::new(Kind::Apply(Box::new(l), Box::new(r)));
            node.keep_array = keep;
            node
        }
        Expr::Binary(op, lhs, rhs) => Node::new(Kind::Binary(
            *op,
            Box::new(plan(lhs)?),
            Box::new(plan(rhs)?),
        )),
        Expr::Call(procedure, args) => {
            let arguments = args
                .iter()
                .map(|a| match a {
                    Expr::Placeholder => Ok(None),
                    other => plan(other).map(Some),
                })
                .collect::<Result<Vec<_>, Error>>()?;
            Node::new(Kind::Call {
                procedure: Box::new(plan(procedure)?),
                arguments,
            })
        }
        Expr::Condition(c, t, e) => Node::new(Kind::Condition(
            Box::new(plan(c)?),
            Box::new(plan(t)?),
            match e {
                Some(e) => Some(Box::new(plan(e)?)),
                None => None,
            },
        )),
        Expr::Bind(name, value) => Node::new(Kind::Bind(name.clone(), Box::new(plan(value)?))),
        Expr::Array(items) => Node::new(Kind::Array(
            items
                .iter()
                .map(|i| Ok((plan(i)?, matches!(i, Expr::Array(_)))))
                .collect::<Result<Vec<_>, Error>>()?,
        )),
        Expr::Object(pairs) => Node::new(Kind::Object(plan_group(pairs)?)),
        Expr::Block(items) => Node::new(Kind::Block(
            items.iter().map(plan).collect::<Result<_, _>>()?,
        )),
        Expr::Lambda {
            params,
            signature,
            body,
        } => {
            let signature = match signature {
                Some(s) => Some(crate::signature::Signature::parse(s)?),
                None => None,
            };
            Node::new(Kind::Lambda(Arc::new(LambdaPlan {
                params: params.clone(),
                signature,
                body: plan(body)?,
            })))
        }
        Expr::Transform {
            pattern,
            update,
            delete,
        } => Node::new(Kind::Transform(
            Box::new(plan(pattern)?),
            Box::new(plan(update)?),
            match delete {
                Some(d) => Some(Box::new(plan(d)?)),
                None => None,
            },
        )),
    })
}

fn plan_group(pairs: &[(Expr, Expr)]) -> Result<Group, Error> {
    Ok(Group {
        pairs: pairs
            .iter()
            .map(|(k, v)| Ok((plan(k)?, plan(v)?)))
            .collect::<Result<_, Error>>()?,
    })
}

/// JSONata regular expressions are JavaScript's; the `regex` crate accepts the common subset.
fn compile_regex(pattern: &str, flags: &str) -> Result<RegexLiteral, Error> {
    let mut prefix = String::new();
    if flags.contains('i') {
        prefix.push_str("(?i)");
    }
    if flags.contains('m') {
        prefix.push_str("(?m)");
    }
    let regex = regex::Regex::new(&format!("{prefix}{pattern}"))
        .map_err(|e| err("S0302", format!("Invalid regular expression: {e}")))?;
    Ok(RegexLiteral {
        regex,
        source: pattern.to_string(),
    })
}
