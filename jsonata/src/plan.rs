//! The evaluation plan: the syntax tree reshaped as the reference implementation evaluates it.
//! Paths become step lists, predicates attach to the step they filter, `@` and `#` turn a path
//! into a tuple stream, group-by and `^( )` attach to their path.

// Without `eval` a plan is built for its errors only; what the evaluator reads goes unread.
#![cfg_attr(not(feature = "eval"), allow(dead_code))]

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
    /// A `%` in a later step reads this step's context value, which the tuple stream carries
    /// under this label.
    pub ancestor: Option<usize>,
    /// While planning: the `%` slots below this node not yet resolved to a step.
    seeking_parent: Vec<usize>,
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
    /// `%`: the value the tuple stream carries under this label.
    Parent(usize),
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
    /// A tail call packaged by the planner: evaluating the lambda's call is left to the
    /// caller's trampoline, so recursion in tail position does not nest evaluations.
    pub thunk: bool,
}

/// A compiled regular expression literal.
#[derive(Debug)]
pub struct RegexLiteral {
    /// The compiled expression.
    pub regex: regex_lite::Regex,
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
            ancestor: None,
            seeking_parent: Vec::new(),
        }
    }

    /// A node whose operands' unresolved `%`s become its own (operators, calls, constructors,
    /// blocks, conditions, bindings, sort terms); lambdas, transforms, `~>` and function
    /// positions keep theirs, as in the reference implementation.
    fn compound(kind: Kind) -> Node {
        let mut node = Node::new(kind);
        let mut slots = Vec::new();
        {
            let mut gather = |n: &Node| slots.extend(n.seeking());
            match &node.kind {
                Kind::Negate(e) | Kind::Bind(_, e) => gather(e),
                Kind::Binary(_, a, b) => {
                    gather(a);
                    gather(b);
                }
                Kind::Call { arguments, .. } => arguments.iter().flatten().for_each(gather),
                Kind::Condition(c, t, e) => {
                    gather(c);
                    gather(t);
                    if let Some(e) = e {
                        gather(e);
                    }
                }
                Kind::Array(items) => items.iter().for_each(|(i, _)| gather(i)),
                Kind::Object(group) => group.pairs.iter().for_each(|(k, v)| {
                    gather(k);
                    gather(v);
                }),
                Kind::Block(items) => items.iter().for_each(gather),
                Kind::Sort(terms) => terms.iter().for_each(|t| gather(&t.expr)),
                _ => {}
            }
        }
        node.seeking_parent = slots;
        node
    }

    /// The `%` slots this node hands to whatever contains it: its unresolved ones, and its own
    /// when it is a `%`.
    fn seeking(&self) -> Vec<usize> {
        let mut slots = self.seeking_parent.clone();
        if let Kind::Parent(slot) = self.kind {
            slots.push(slot);
        }
        slots
    }

    /// Calls `visit` on each node directly below this one, lambda bodies excepted.
    fn for_each_child(&mut self, visit: &mut impl FnMut(&mut Node)) {
        for p in &mut self.predicate {
            visit(p);
        }
        for stage in &mut self.stages {
            if let Stage::Filter(p) = stage {
                visit(p);
            }
        }
        if let Some(group) = &mut self.group {
            for (k, v) in &mut group.pairs {
                visit(k);
                visit(v);
            }
        }
        match &mut self.kind {
            Kind::Path { steps: items, .. } | Kind::Block(items) => {
                items.iter_mut().for_each(visit)
            }
            Kind::Negate(e) | Kind::Bind(_, e) => visit(e),
            Kind::Binary(_, a, b) | Kind::Apply(a, b) => {
                visit(a);
                visit(b);
            }
            Kind::Array(items) => items.iter_mut().for_each(|(i, _)| visit(i)),
            Kind::Object(group) => group.pairs.iter_mut().for_each(|(k, v)| {
                visit(k);
                visit(v);
            }),
            Kind::Call {
                procedure,
                arguments,
            } => {
                visit(procedure);
                arguments.iter_mut().flatten().for_each(visit);
            }
            Kind::Condition(a, b, c) | Kind::Transform(a, b, c) => {
                visit(a);
                visit(b);
                if let Some(c) = c {
                    visit(c);
                }
            }
            Kind::Sort(terms) => terms.iter_mut().for_each(|t| visit(&mut t.expr)),
            Kind::String(_)
            | Kind::Number(_)
            | Kind::Bool(_)
            | Kind::Null
            | Kind::Regex(_)
            | Kind::Name(_)
            | Kind::Variable(_)
            | Kind::Wildcard
            | Kind::Descendant
            | Kind::Parent(_)
            | Kind::Lambda(_) => {}
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
    let mut planner = Planner { slots: Vec::new() };
    let mut root = planner.plan(expr)?;
    if matches!(root.kind, Kind::Parent(_)) || !root.seeking_parent.is_empty() {
        return Err(parent_not_derivable());
    }
    planner.label(&mut root);
    Ok(root)
}

fn parent_not_derivable() -> Error {
    err(
        "S0217",
        "The object representing the 'parent' cannot be derived from this expression",
    )
}

/// Where one `%` finds its parent: how many steps back it still has to look, and the label
/// its value travels under in the tuple stream. Several `%`s resolving to the same step share
/// one label, because a step records a single ancestor.
struct Slot {
    label: usize,
    level: i64,
}

/// Plans an expression, resolving each `%` to the path step whose context it reads, as
/// jsonata-js's post-parse stage does.
struct Planner {
    slots: Vec<Slot>,
}

impl Planner {
    /// Walks `node` back towards the step `slot` looks for: a name or wildcard step uses up one
    /// level, a `%` adds one, blocks and paths are searched from their last step.
    fn seek_parent(&mut self, node: &mut Node, slot: usize) -> Result<(), Error> {
        match &mut node.kind {
            Kind::Name(_) | Kind::Wildcard => {
                self.slots[slot].level -= 1;
                if self.slots[slot].level == 0 {
                    if let Some(previous) = node.ancestor {
                        self.slots[slot].label = self.slots[previous].label;
                    }
                    node.ancestor = Some(slot);
                    node.tuple = true;
                }
            }
            Kind::Parent(_) => self.slots[slot].level += 1,
            Kind::Block(items) => {
                if let Some(last) = items.last_mut() {
                    node.tuple = true;
                    self.seek_parent(last, slot)?;
                }
            }
            Kind::Path { steps, .. } => {
                node.tuple = true;
                for step in steps.iter_mut().rev() {
                    self.seek_parent(step, slot)?;
                    if self.slots[slot].level <= 0 {
                        break;
                    }
                }
            }
            _ => return Err(parent_not_derivable()),
        }
        Ok(())
    }

    /// Resolves the `%`s of a path's last step against the steps before it; what reaches past
    /// the first step is left for an enclosing path.
    fn resolve_ancestry(&mut self, path: &mut Node) -> Result<(), Error> {
        let Kind::Path { steps, .. } = &mut path.kind else {
            return Ok(());
        };
        let Some(last) = steps.last() else {
            return Ok(());
        };
        for slot in last.seeking() {
            let mut index = steps.len() - 1;
            while self.slots[slot].level > 0 {
                if index == 0 {
                    path.seeking_parent.push(slot);
                    break;
                }
                index -= 1;
                // Consecutive steps binding the focus (`@$x`) stay on one context: the
                // parent is before the first of them.
                while index > 0 && steps[index].focus.is_some() && steps[index - 1].focus.is_some()
                {
                    index -= 1;
                }
                self.seek_parent(&mut steps[index], slot)?;
            }
        }
        Ok(())
    }

    /// Replaces slot numbers with the final labels, which are known only once every `%` the
    /// node can see has been resolved. Lambdas are labelled when they are planned.
    fn label(&self, node: &mut Node) {
        if let Kind::Parent(slot) = &mut node.kind {
            *slot = self.slots[*slot].label;
        }
        if let Some(slot) = &mut node.ancestor {
            *slot = self.slots[*slot].label;
        }
        node.seeking_parent.clear();
        node.for_each_child(&mut |child| self.label(child));
    }

    fn plan(&mut self, expr: &Expr) -> Result<Node, Error> {
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
                self.slots.push(Slot {
                    label: self.slots.len(),
                    level: 1,
                });
                Node::new(Kind::Parent(self.slots.len() - 1))
            }
            Expr::Placeholder => {
                return Err(err(
                    "S0211",
                    "The symbol \"?\" cannot be used as a unary operator",
                ))
            }
            Expr::Negate(e) => {
                let inner = self.plan(e)?;
                match inner.kind {
                    Kind::Number(n) if inner.predicate.is_empty() => Node::new(Kind::Number(-n)),
                    _ => Node::compound(Kind::Negate(Box::new(inner))),
                }
            }
            Expr::Path(lhs, rhs) => {
                let left = self.plan(lhs)?;
                // A `%` first in a path looks beyond it; its own predicates' slots do not.
                let first_parent = match left.kind {
                    Kind::Parent(slot) => Some(slot),
                    _ => None,
                };
                let mut path = left.into_path();
                if let Some(slot) = first_parent {
                    path.seeking_parent = vec![slot];
                }
                let rest = self.plan(rhs)?;
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
                self.resolve_ancestry(&mut path)?;
                path
            }
            Expr::Filter(lhs, None) => {
                let mut node = self.plan(lhs)?;
                node.last_step().keep_array = true;
                if let Kind::Path { keep_singleton, .. } = &mut node.kind {
                    *keep_singleton = true;
                }
                node
            }
            Expr::Filter(lhs, Some(predicate)) => {
                let mut node = self.plan(lhs)?;
                let predicate = self.plan(predicate)?;
                let is_path = node.is_path();
                let step = node.last_step();
                if step.group.is_some() {
                    return Err(err(
                        "S0209",
                        "A predicate cannot follow a grouping expression in a step",
                    ));
                }
                // A `%` in a predicate means the filtered step's parent: one level is the step
                // itself, the rest is left for the enclosing path.
                for &slot in &predicate.seeking_parent {
                    if self.slots[slot].level == 1 {
                        self.seek_parent(step, slot)?;
                    } else {
                        self.slots[slot].level -= 1;
                    }
                }
                step.seeking_parent.extend(predicate.seeking());
                if is_path {
                    step.stages.push(Stage::Filter(predicate));
                } else {
                    step.predicate.push(predicate);
                }
                node
            }
            Expr::GroupBy(lhs, pairs) => {
                let mut node = self.plan(lhs)?;
                if node.group.is_some() {
                    return Err(err(
                        "S0210",
                        "Each step can only have one grouping expression",
                    ));
                }
                node.group = Some(Box::new(self.plan_group(pairs)?));
                node
            }
            Expr::Sort(lhs, terms) => {
                let mut path = self.plan(lhs)?.into_path();
                let terms = terms
                    .iter()
                    .map(|(e, descending)| {
                        Ok(SortTerm {
                            expr: self.plan(e)?,
                            descending: *descending,
                        })
                    })
                    .collect::<Result<Vec<_>, Error>>()?;
                if let Kind::Path { steps, .. } = &mut path.kind {
                    steps.push(Node::compound(Kind::Sort(terms)));
                }
                self.resolve_ancestry(&mut path)?;
                path
            }
            Expr::Focus(lhs, name) => {
                let mut node = self.plan(lhs)?;
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
                let node = self.plan(lhs)?;
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
                let l = self.plan(lhs)?;
                let r = self.plan(rhs)?;
                let keep = l.keep_array || r.keep_array;
                let mut node = Node::new(Kind::Apply(Box::new(l), Box::new(r)));
                node.keep_array = keep;
                node
            }
            Expr::Binary(op, lhs, rhs) => Node::compound(Kind::Binary(
                *op,
                Box::new(self.plan(lhs)?),
                Box::new(self.plan(rhs)?),
            )),
            Expr::Call(procedure, args) => {
                let arguments = args
                    .iter()
                    .map(|a| match a {
                        Expr::Placeholder => Ok(None),
                        other => self.plan(other).map(Some),
                    })
                    .collect::<Result<Vec<_>, Error>>()?;
                Node::compound(Kind::Call {
                    procedure: Box::new(self.plan(procedure)?),
                    arguments,
                })
            }
            Expr::Condition(c, t, e) => Node::compound(Kind::Condition(
                Box::new(self.plan(c)?),
                Box::new(self.plan(t)?),
                match e {
                    Some(e) => Some(Box::new(self.plan(e)?)),
                    None => None,
                },
            )),
            Expr::Bind(name, value) => {
                Node::compound(Kind::Bind(name.clone(), Box::new(self.plan(value)?)))
            }
            Expr::Array(items) => Node::compound(Kind::Array(
                items
                    .iter()
                    .map(|i| Ok((self.plan(i)?, matches!(i, Expr::Array(_)))))
                    .collect::<Result<Vec<_>, Error>>()?,
            )),
            Expr::Object(pairs) => Node::compound(Kind::Object(self.plan_group(pairs)?)),
            Expr::Block(items) => Node::compound(Kind::Block(
                items
                    .iter()
                    .map(|i| self.plan(i))
                    .collect::<Result<_, _>>()?,
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
                // A `%` in a lambda body cannot see past the lambda, so the body's labels are final.
                let mut body = self.plan(body)?;
                self.label(&mut body);
                Node::new(Kind::Lambda(Arc::new(LambdaPlan {
                    params: params.clone(),
                    signature,
                    body: tail_call_optimize(body),
                    thunk: false,
                })))
            }
            Expr::Transform {
                pattern,
                update,
                delete,
            } => Node::new(Kind::Transform(
                Box::new(self.plan(pattern)?),
                Box::new(self.plan(update)?),
                match delete {
                    Some(d) => Some(Box::new(self.plan(d)?)),
                    None => None,
                },
            )),
        })
    }

    fn plan_group(&mut self, pairs: &[(Expr, Expr)]) -> Result<Group, Error> {
        Ok(Group {
            pairs: pairs
                .iter()
                .map(|(k, v)| Ok((self.plan(k)?, self.plan(v)?)))
                .collect::<Result<_, Error>>()?,
        })
    }
}

/// Wraps the calls a lambda body ends with (directly, in a condition's branches or a block's
/// last expression) in thunks, as the reference implementation does, so that a function
/// calling itself or another in tail position runs in constant depth.
fn tail_call_optimize(mut node: Node) -> Node {
    let plain = node.predicate.is_empty()
        && node.stages.is_empty()
        && node.group.is_none()
        && !node.keep_array;
    match &mut node.kind {
        Kind::Call { arguments, .. } if plain && arguments.iter().all(Option::is_some) => {
            Node::new(Kind::Lambda(Arc::new(LambdaPlan {
                params: Vec::new(),
                signature: None,
                body: node,
                thunk: true,
            })))
        }
        Kind::Condition(_, then, otherwise) => {
            let taken = std::mem::replace(then.as_mut(), Node::new(Kind::Null));
            **then = tail_call_optimize(taken);
            if let Some(otherwise) = otherwise {
                let taken = std::mem::replace(otherwise.as_mut(), Node::new(Kind::Null));
                **otherwise = tail_call_optimize(taken);
            }
            node
        }
        Kind::Block(items) => {
            if let Some(last) = items.pop() {
                items.push(tail_call_optimize(last));
            }
            node
        }
        _ => node,
    }
}

/// JSONata regular expressions are JavaScript's; `regex_lite` accepts the common subset once
/// `\\s` is given its JavaScript meaning (see [`javascript_whitespace`]).
fn compile_regex(pattern: &str, flags: &str) -> Result<RegexLiteral, Error> {
    let mut prefix = String::new();
    if flags.contains('i') {
        prefix.push_str("(?i)");
    }
    if flags.contains('m') {
        prefix.push_str("(?m)");
    }
    let translated = javascript_whitespace(pattern);
    let regex = regex_lite::Regex::new(&format!("{prefix}{translated}"))
        .map_err(|e| err("S0302", format!("Invalid regular expression: {e}")))?;
    Ok(RegexLiteral {
        regex,
        source: pattern.to_string(),
    })
}

/// JavaScript's `\\s`: ASCII whitespace plus the Unicode space separators, the line and
/// paragraph separators and the byte-order mark.
const JS_WHITESPACE: &str = "\\t\\n\\x0B\\x0C\\r \u{a0}\u{1680}\u{2000}-\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}\u{feff}";

/// Rewrites `\\s` and `\\S` to JavaScript's whitespace set: `regex_lite` knows only ASCII
/// whitespace, and a JSONata pattern written for JavaScript must match a no-break space.
/// (`\\d` and `\\w` are ASCII in both already.) Inside a class `[...]`, `\\s` adds the set's
/// members; `\\S` there keeps the ASCII meaning, having no class form to splice in.
fn javascript_whitespace(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('s') if in_class => out.push_str(JS_WHITESPACE),
                Some('s') => {
                    out.push('[');
                    out.push_str(JS_WHITESPACE);
                    out.push(']');
                }
                Some('S') if !in_class => {
                    out.push_str("[^");
                    out.push_str(JS_WHITESPACE);
                    out.push(']');
                }
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            },
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // A `]` right after `[` or `[^` is a member, not the end of the class.
                let rest = chars.as_str();
                let skip = if rest.starts_with("^]") {
                    2
                } else if rest.starts_with(']') {
                    1
                } else {
                    0
                };
                out.push_str(&rest[..skip]);
                for _ in 0..skip {
                    chars.next();
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(all(test, feature = "eval"))]
mod tests {
    use serde_json::json;

    use crate::{Bindings, Expression, Limits};

    fn eval(source: &str, input: serde_json::Value) -> Option<serde_json::Value> {
        Expression::parse(source).unwrap().evaluate(&input).unwrap()
    }

    #[test]
    fn the_parent_operator_reads_the_step_each_percent_counts_back_to() {
        let input =
            json!({"a": {"id": 1, "b": [{"id": 2, "c": {"v": "x"}}, {"id": 3, "c": {"v": "y"}}]}});
        assert_eq!(
            eval("a.b.c.{'v': v, 'b': %.id, 'a': %.%.id}", input.clone()),
            Some(json!([{"v": "x", "b": 2, "a": 1}, {"v": "y", "b": 3, "a": 1}]))
        );
        assert_eq!(eval("a.b.c[%.id = 3].v", input.clone()), Some(json!("y")));
        assert_eq!(eval("a.b.(c).%.id", input), Some(json!([2, 3])));
        for source in ["%", "$.%", "(%)", "a.%.%", "{'k': 1}.%"] {
            let e = Expression::parse(source).unwrap_err();
            assert_eq!(e.code, "S0217", "{source}");
        }
    }

    #[test]
    fn tail_calls_run_in_constant_depth() {
        let e = Expression::parse(
            "($down := function($n) { $n = 0 ? 'done' : $down($n - 1) }; $down(10000))",
        )
        .unwrap();
        let limits = Limits {
            max_depth: 200,
            ..Limits::default()
        };
        assert_eq!(
            e.evaluate_with(None, &Bindings::new(), limits).unwrap(),
            Some(json!("done"))
        );
    }
}
