//! The state graph, for documents: Mermaid, Graphviz DOT, and an SVG laid out here (no
//! external tool). Parallel branches and Map processors are subgraphs next to their state,
//! Choice rules label their edges, Catch edges are dashed.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use crate::{
    ChoiceRule, Comparison, ComparisonValue, Condition, MaybeJsonata, NestedRule, State,
    StateMachine, States, Transition,
};

/// What a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NodeKind {
    Start,
    End,
    Task,
    Choice,
    Parallel,
    Map,
    Wait,
    Pass,
    Succeed,
    Fail,
}

#[derive(Clone, Debug)]
struct Node {
    id: String,
    label: String,
    kind: NodeKind,
    cluster: Option<usize>,
}

#[derive(Clone, Debug)]
struct Cluster {
    label: String,
    parent: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EdgeKind {
    Next,
    Catch,
    /// Into or out of a branch or Map iteration.
    Nested,
}

#[derive(Clone, Debug)]
struct Edge {
    from: usize,
    to: usize,
    label: Option<String>,
    kind: EdgeKind,
}

/// The flattened graph every format draws.
#[derive(Default)]
struct Graph {
    nodes: Vec<Node>,
    clusters: Vec<Cluster>,
    edges: Vec<Edge>,
}

impl Graph {
    fn of(machine: &StateMachine) -> Graph {
        let mut g = Graph::default();
        let start = g.node("n_start", "start", NodeKind::Start, None);
        let end = g.node("n_end", "end", NodeKind::End, None);
        let first = g.scope(&machine.states, None, &machine.start_at, end);
        if let Some(first) = first {
            g.edge(start, first, None, EdgeKind::Next);
        }
        g
    }

    fn node(&mut self, id: &str, label: &str, kind: NodeKind, cluster: Option<usize>) -> usize {
        self.nodes.push(Node {
            id: id.to_string(),
            label: label.to_string(),
            kind,
            cluster,
        });
        self.nodes.len() - 1
    }

    fn edge(&mut self, from: usize, to: usize, label: Option<String>, kind: EdgeKind) {
        self.edges.push(Edge {
            from,
            to,
            label,
            kind,
        });
    }

    /// Adds the states of one scope; terminal states lead to `exit`. Returns the start node.
    fn scope(
        &mut self,
        states: &States,
        cluster: Option<usize>,
        start_at: &str,
        exit: usize,
    ) -> Option<usize> {
        let mut index = HashMap::new();
        for (name, state) in states {
            let kind = match state {
                State::Task(_) => NodeKind::Task,
                State::Choice(_) => NodeKind::Choice,
                State::Parallel(_) => NodeKind::Parallel,
                State::Map(_) => NodeKind::Map,
                State::Wait(_) => NodeKind::Wait,
                State::Pass(_) => NodeKind::Pass,
                State::Succeed(_) => NodeKind::Succeed,
                State::Fail(_) => NodeKind::Fail,
            };
            let id = format!("s{}", self.nodes.len());
            let n = self.node(&id, name, kind, cluster);
            index.insert(name.as_str(), n);
        }
        for (name, state) in states {
            let from = index[name.as_str()];
            let to = |target: &str| index.get(target).copied();
            if let Some(Transition::Next(next)) = state.transition() {
                if let Some(t) = to(next) {
                    self.edge(from, t, None, EdgeKind::Next);
                }
            }
            if state.is_terminal() {
                self.edge(from, exit, None, EdgeKind::Next);
            }
            if let State::Choice(c) = state {
                for rule in &c.choices {
                    if let Some(t) = to(&rule.next) {
                        self.edge(from, t, Some(rule_label(rule)), EdgeKind::Next);
                    }
                }
                if let Some(t) = c.default.as_deref().and_then(to) {
                    self.edge(from, t, Some("default".into()), EdgeKind::Next);
                }
            }
            for catcher in state.catch().unwrap_or_default() {
                if let Some(t) = to(&catcher.next) {
                    self.edge(
                        from,
                        t,
                        Some(catcher.error_equals.join(", ")),
                        EdgeKind::Catch,
                    );
                }
            }
            let branches = state.nested_branches();
            for (i, branch) in branches.iter().enumerate() {
                let label = match state {
                    State::Map(_) => format!("{name}: each item"),
                    _ => format!("{name}: branch {}", i + 1),
                };
                self.clusters.push(Cluster {
                    label,
                    parent: cluster,
                });
                let inner = self.clusters.len() - 1;
                if let Some(first) = self.scope(&branch.states, Some(inner), &branch.start_at, from)
                {
                    self.edge(from, first, None, EdgeKind::Nested);
                }
            }
        }
        index.get(start_at).copied()
    }

    /// Edges into the same node from a nested scope's ends are drawn as the nested kind.
    fn is_return(&self, edge: &Edge) -> bool {
        edge.kind == EdgeKind::Next
            && self.nodes[edge.from].cluster.is_some()
            && self.nodes[edge.from].cluster != self.nodes[edge.to].cluster
            && matches!(self.nodes[edge.to].kind, NodeKind::Parallel | NodeKind::Map)
    }
}

fn comparison_label(c: &Comparison) -> String {
    let op = c.operator.name();
    let value = match &c.value {
        ComparisonValue::String(s) => format!("\"{s}\""),
        ComparisonValue::Number(n) => n.to_string(),
        ComparisonValue::Bool(b) => b.to_string(),
        ComparisonValue::Path(p) => p.source().to_string(),
    };
    format!("{} {op} {value}", c.variable.source())
}

fn condition_label(c: &Condition) -> String {
    let nested = |rules: &[NestedRule], join: &str| {
        rules
            .iter()
            .map(|r| condition_label(&r.condition))
            .collect::<Vec<_>>()
            .join(join)
    };
    match c {
        Condition::And(rules) => nested(rules, " and "),
        Condition::Or(rules) => nested(rules, " or "),
        Condition::Not(rule) => format!("not ({})", condition_label(&rule.condition)),
        Condition::Compare(cmp) => comparison_label(cmp),
        Condition::Jsonata(MaybeJsonata::Literal(b)) => b.to_string(),
        Condition::Jsonata(MaybeJsonata::Jsonata(j)) => j.expression().trim().to_string(),
    }
}

fn rule_label(rule: &ChoiceRule) -> String {
    let text = condition_label(&rule.condition);
    if text.chars().count() > 48 {
        format!("{}…", text.chars().take(47).collect::<String>())
    } else {
        text
    }
}

fn escape_mermaid(s: &str) -> String {
    s.replace('"', "#quot;")
}

/// The states and transitions a test run never took, to be marked on the graph.
#[derive(Clone, Debug, Default)]
pub struct Untested {
    /// States never entered.
    pub states: std::collections::BTreeSet<String>,
    /// Transitions (`Next`, Choice rules and defaults, catchers) never taken: `(from, to)`.
    pub edges: std::collections::BTreeSet<(String, String)>,
}

/// The graph as a Mermaid flowchart.
pub fn mermaid(machine: &StateMachine) -> String {
    mermaid_marked(machine, &Untested::default())
}

/// The graph as a Mermaid flowchart with `untested` states and transitions drawn in red,
/// transitions dashed.
pub fn mermaid_untested(machine: &StateMachine, untested: &Untested) -> String {
    mermaid_marked(machine, untested)
}

fn mermaid_marked(machine: &StateMachine, untested: &Untested) -> String {
    let g = Graph::of(machine);
    let mut out = String::from("flowchart TD\n");
    let node_line = |n: &Node| -> String {
        let label = escape_mermaid(&n.label);
        match n.kind {
            NodeKind::Start | NodeKind::End => format!("{}(((\"{label}\")))", n.id),
            NodeKind::Choice => format!("{}{{\"{label}\"}}", n.id),
            NodeKind::Succeed | NodeKind::Fail => format!("{}([\"{label}\"])", n.id),
            NodeKind::Parallel | NodeKind::Map => format!("{}[[\"{label}\"]]", n.id),
            _ => format!("{}[\"{label}\"]", n.id),
        }
    };
    // Clusters nest: write each with its nodes and child clusters.
    fn write_cluster(
        g: &Graph,
        cluster: Option<usize>,
        depth: usize,
        node_line: &dyn Fn(&Node) -> String,
        out: &mut String,
    ) {
        let pad = "    ".repeat(depth);
        for n in g.nodes.iter().filter(|n| n.cluster == cluster) {
            let _ = writeln!(out, "{pad}{}", node_line(n));
        }
        for (i, c) in g.clusters.iter().enumerate() {
            if c.parent == cluster {
                let _ = writeln!(out, "{pad}subgraph c{i}[\"{}\"]", escape_mermaid(&c.label));
                write_cluster(g, Some(i), depth + 1, node_line, out);
                let _ = writeln!(out, "{pad}end");
            }
        }
    }
    write_cluster(&g, None, 1, &node_line, &mut out);
    let named = |n: &Node| !matches!(n.kind, NodeKind::Start | NodeKind::End);
    let mut untested_links = Vec::new();
    for (i, e) in g.edges.iter().enumerate() {
        let (a, b) = (&g.nodes[e.from], &g.nodes[e.to]);
        if e.kind != EdgeKind::Nested
            && named(a)
            && named(b)
            && untested.edges.contains(&(a.label.clone(), b.label.clone()))
        {
            untested_links.push(i.to_string());
        }
    }
    for e in &g.edges {
        let (from, to) = (&g.nodes[e.from].id, &g.nodes[e.to].id);
        let arrow = match e.kind {
            EdgeKind::Catch => "-.->",
            EdgeKind::Nested => "-->",
            EdgeKind::Next if g.is_return(e) => "-.->",
            EdgeKind::Next => "-->",
        };
        match &e.label {
            Some(l) => {
                let _ = writeln!(out, "    {from} {arrow}|\"{}\"| {to}", escape_mermaid(l));
            }
            None => {
                let _ = writeln!(out, "    {from} {arrow} {to}");
            }
        }
    }
    let untested_nodes: Vec<&str> = g
        .nodes
        .iter()
        .filter(|n| named(n) && untested.states.contains(&n.label))
        .map(|n| n.id.as_str())
        .collect();
    if !untested_nodes.is_empty() {
        out.push_str("    classDef untested fill:#fdd,stroke:#c33,stroke-width:2px\n");
        let _ = writeln!(out, "    class {} untested", untested_nodes.join(","));
    }
    if !untested_links.is_empty() {
        let _ = writeln!(
            out,
            "    linkStyle {} stroke:#c33,stroke-width:2px,stroke-dasharray:4",
            untested_links.join(",")
        );
    }
    out
}

fn escape_dot(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The graph in Graphviz DOT.
pub fn dot(machine: &StateMachine) -> String {
    let g = Graph::of(machine);
    let mut out = String::from(
        "digraph StateMachine {\n    rankdir=TB;\n    node [fontname=\"Helvetica\", fontsize=11];\n    edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    fn shape(kind: NodeKind) -> &'static str {
        match kind {
            NodeKind::Start | NodeKind::End => {
                "shape=circle, label=\"\", width=0.25, style=filled, fillcolor=black"
            }
            NodeKind::Choice => "shape=diamond",
            NodeKind::Succeed => "shape=box, style=\"rounded,filled\", fillcolor=\"#d9f2d9\"",
            NodeKind::Fail => "shape=box, style=\"rounded,filled\", fillcolor=\"#f8d7d7\"",
            NodeKind::Parallel | NodeKind::Map => "shape=box, peripheries=2",
            _ => "shape=box, style=rounded",
        }
    }
    fn write_cluster(g: &Graph, cluster: Option<usize>, depth: usize, out: &mut String) {
        let pad = "    ".repeat(depth);
        for n in g.nodes.iter().filter(|n| n.cluster == cluster) {
            let label = match n.kind {
                NodeKind::Start | NodeKind::End => String::new(),
                _ => format!(", label=\"{}\"", escape_dot(&n.label)),
            };
            let _ = writeln!(out, "{pad}{} [{}{label}];", n.id, shape(n.kind));
        }
        for (i, c) in g.clusters.iter().enumerate() {
            if c.parent == cluster {
                let _ = writeln!(
                    out,
                    "{pad}subgraph cluster_{i} {{\n{pad}    label=\"{}\";\n{pad}    style=dashed;",
                    escape_dot(&c.label)
                );
                write_cluster(g, Some(i), depth + 1, out);
                let _ = writeln!(out, "{pad}}}");
            }
        }
    }
    write_cluster(&g, None, 1, &mut out);
    for e in &g.edges {
        let mut attrs = Vec::new();
        if let Some(l) = &e.label {
            attrs.push(format!("label=\"{}\"", escape_dot(l)));
        }
        match e.kind {
            EdgeKind::Catch => attrs.push("style=dashed, color=\"#c0392b\"".into()),
            EdgeKind::Nested => attrs.push("style=dotted".into()),
            EdgeKind::Next if g.is_return(e) => attrs.push("style=dotted".into()),
            EdgeKind::Next => {}
        }
        let attrs = if attrs.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attrs.join(", "))
        };
        let _ = writeln!(
            out,
            "    {} -> {}{attrs};",
            g.nodes[e.from].id, g.nodes[e.to].id
        );
    }
    out.push_str("}\n");
    out
}

/// The graph as a standalone SVG: layered top to bottom by the longest path from the start,
/// nested scopes boxed, Catch edges dashed red. Each state is a `<g data-state="NAME">`.
pub fn svg(machine: &StateMachine) -> String {
    svg_annotated(machine, &SvgAnnotations::default())
}

/// What an execution adds to the drawing of its state machine: each state's status (a
/// `data-status` attribute, which a style sheet colours) and a note under its name (a Map's
/// iteration counts).
#[derive(Clone, Debug, Default)]
pub struct SvgAnnotations {
    /// `SUCCEEDED`, `FAILED`, `CAUGHT`, `RUNNING`, `NOT_RUN`... by state name.
    pub status: HashMap<String, String>,
    /// A short line drawn under the state's name, by state name.
    pub note: HashMap<String, String>,
    /// The status of a state `status` does not name (`NOT_RUN`), when set.
    pub default_status: Option<String>,
}

/// [`svg`], with each state's status and note from `annotations`.
pub fn svg_annotated(machine: &StateMachine, annotations: &SvgAnnotations) -> String {
    let g = Graph::of(machine);
    let n = g.nodes.len();
    // Layers: longest path from the start over forward edges (back edges of a DFS are loops).
    let mut adjacency: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in &g.edges {
        adjacency[e.from].push(e.to);
    }
    let mut state = vec![0u8; n];
    let mut back = std::collections::HashSet::new();
    fn dfs(
        v: usize,
        adjacency: &[Vec<usize>],
        state: &mut [u8],
        back: &mut std::collections::HashSet<(usize, usize)>,
    ) {
        state[v] = 1;
        for &w in &adjacency[v] {
            if state[w] == 1 {
                back.insert((v, w));
            } else if state[w] == 0 {
                dfs(w, adjacency, state, back);
            }
        }
        state[v] = 2;
    }
    for v in 0..n {
        if state[v] == 0 {
            dfs(v, &adjacency, &mut state, &mut back);
        }
    }
    let mut layer = vec![0usize; n];
    for _ in 0..n {
        let mut changed = false;
        for e in &g.edges {
            if back.contains(&(e.from, e.to)) {
                continue;
            }
            if layer[e.to] < layer[e.from] + 1 {
                layer[e.to] = layer[e.from] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // The end node goes last.
    let deepest = layer.iter().copied().max().unwrap_or(0);
    if let Some(end) = g.nodes.iter().position(|n| n.kind == NodeKind::End) {
        layer[end] = deepest.max(1);
    }
    let mut rows: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (v, l) in layer.iter().enumerate() {
        rows.entry(*l).or_default().push(v);
    }
    let width_of = |v: usize| -> f64 {
        match g.nodes[v].kind {
            NodeKind::Start | NodeKind::End => 18.0,
            _ => (g.nodes[v].label.chars().count() as f64 * 7.2 + 28.0).max(90.0),
        }
    };
    const ROW: f64 = 90.0;
    const GAP: f64 = 36.0;
    const HEIGHT: f64 = 34.0;
    let row_widths: BTreeMap<usize, f64> = rows
        .iter()
        .map(|(l, vs)| {
            (
                *l,
                vs.iter().map(|v| width_of(*v)).sum::<f64>() + GAP * (vs.len() as f64 - 1.0),
            )
        })
        .collect();
    let canvas_width = row_widths.values().copied().fold(200.0, f64::max) + 120.0;
    let mut centre = vec![(0.0f64, 0.0f64); n];
    for (l, vs) in &rows {
        let mut x = (canvas_width - row_widths[l]) / 2.0;
        for v in vs {
            let w = width_of(*v);
            centre[*v] = (x + w / 2.0, 50.0 + *l as f64 * ROW);
            x += w + GAP;
        }
    }
    let canvas_height = 50.0 + (rows.len().max(1)) as f64 * ROW + 20.0;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{canvas_width:.0}\" height=\"{canvas_height:.0}\" viewBox=\"0 0 {canvas_width:.0} {canvas_height:.0}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
    );
    out.push_str("  <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555\"/></marker></defs>\n");
    out.push_str("  <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    // Clusters: boxes around their nodes, innermost last so they draw on top.
    let mut cluster_order: Vec<usize> = (0..g.clusters.len()).collect();
    let depth = |mut c: usize| {
        let mut d = 0;
        while let Some(p) = g.clusters[c].parent {
            d += 1;
            c = p;
        }
        d
    };
    cluster_order.sort_by_key(|c| depth(*c));
    for c in cluster_order {
        let members: Vec<usize> = (0..n)
            .filter(|v| {
                let mut k = g.nodes[*v].cluster;
                while let Some(x) = k {
                    if x == c {
                        return true;
                    }
                    k = g.clusters[x].parent;
                }
                false
            })
            .collect();
        if members.is_empty() {
            continue;
        }
        let pad = 14.0;
        let x0 = members
            .iter()
            .map(|v| centre[*v].0 - width_of(*v) / 2.0)
            .fold(f64::MAX, f64::min)
            - pad;
        let x1 = members
            .iter()
            .map(|v| centre[*v].0 + width_of(*v) / 2.0)
            .fold(f64::MIN, f64::max)
            + pad;
        let y0 = members
            .iter()
            .map(|v| centre[*v].1 - HEIGHT / 2.0)
            .fold(f64::MAX, f64::min)
            - pad
            - 12.0;
        let y1 = members
            .iter()
            .map(|v| centre[*v].1 + HEIGHT / 2.0)
            .fold(f64::MIN, f64::max)
            + pad;
        let _ = writeln!(
            out,
            "  <rect x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"8\" fill=\"#f4f6fb\" stroke=\"#9aa5c4\" stroke-dasharray=\"4 3\"/>\n  <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#5a6482\" font-size=\"10\">{}</text>",
            x1 - x0,
            y1 - y0,
            x0 + 6.0,
            y0 + 12.0,
            xml(&g.clusters[c].label)
        );
    }
    for e in &g.edges {
        let (a, b) = (centre[e.from], centre[e.to]);
        let (colour, dash) = match e.kind {
            EdgeKind::Catch => ("#c0392b", " stroke-dasharray=\"6 4\""),
            EdgeKind::Nested => ("#7f8c8d", " stroke-dasharray=\"2 3\""),
            EdgeKind::Next if g.is_return(e) => ("#7f8c8d", " stroke-dasharray=\"2 3\""),
            EdgeKind::Next => ("#555", ""),
        };
        let start = (a.0, a.1 + HEIGHT / 2.0);
        let end = (b.0, b.1 - HEIGHT / 2.0);
        let path = if back.contains(&(e.from, e.to)) || end.1 <= start.1 {
            // A loop goes round the side.
            let side = a.0.max(b.0) + width_of(e.from).max(width_of(e.to)) / 2.0 + 30.0;
            format!(
                "M {:.1} {:.1} C {side:.1} {:.1}, {side:.1} {:.1}, {:.1} {:.1}",
                a.0 + width_of(e.from) / 2.0,
                a.1,
                a.1,
                b.1,
                b.0 + width_of(e.to) / 2.0,
                b.1
            )
        } else {
            format!(
                "M {:.1} {:.1} L {:.1} {:.1}",
                start.0, start.1, end.0, end.1
            )
        };
        let _ = writeln!(
            out,
            "  <path d=\"{path}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.3\"{dash} marker-end=\"url(#arrow)\"/>"
        );
        if let Some(label) = &e.label {
            let (mx, my) = ((start.0 + end.0) / 2.0, (start.1 + end.1) / 2.0);
            let _ = writeln!(
                out,
                "  <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{colour}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
                mx + 4.0,
                my,
                xml(label)
            );
        }
    }
    for (v, node) in g.nodes.iter().enumerate() {
        let (x, y) = centre[v];
        let w = width_of(v);
        match node.kind {
            NodeKind::Start => {
                let _ = writeln!(
                    out,
                    "  <circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"9\" fill=\"#222\"/>"
                );
            }
            NodeKind::End => {
                let _ = writeln!(out, "  <circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"9\" fill=\"white\" stroke=\"#222\" stroke-width=\"2\"/>\n  <circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"#222\"/>");
            }
            kind => {
                let (fill, stroke) = match kind {
                    NodeKind::Succeed => ("#d9f2d9", "#3c8d3c"),
                    NodeKind::Fail => ("#f8d7d7", "#b03a2e"),
                    NodeKind::Choice => ("#fff4d6", "#b7950b"),
                    NodeKind::Parallel | NodeKind::Map => ("#e3ecfa", "#2e5cb8"),
                    _ => ("#ffffff", "#34495e"),
                };
                let status = annotations
                    .status
                    .get(&node.label)
                    .or(annotations.default_status.as_ref())
                    .map(|s| format!(" data-status=\"{}\"", xml(s)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  <g class=\"state\" data-state=\"{}\"{status}>\n  <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{HEIGHT}\" rx=\"{}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.4\"/>\n  <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                    xml(&node.label),
                    x - w / 2.0,
                    y - HEIGHT / 2.0,
                    if kind == NodeKind::Choice { 16 } else { 6 },
                    y + 4.0,
                    xml(&node.label)
                );
                if let Some(note) = annotations.note.get(&node.label) {
                    let _ = writeln!(
                        out,
                        "  <text class=\"note\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\" fill=\"#34495e\">{}</text>",
                        y + HEIGHT / 2.0 + 12.0,
                        xml(note)
                    );
                }
                out.push_str("  </g>\n");
            }
        }
    }
    out.push_str("</svg>\n");
    out
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine() -> StateMachine {
        crate::check(
            r#"{"StartAt": "Route", "States": {
                "Route": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 5, "Next": "Both"}], "Default": "Done"},
                "Both": {"Type": "Parallel", "Next": "Done", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Oops"}],
                         "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}]},
                "Oops": {"Type": "Fail"},
                "Done": {"Type": "Succeed"}}}"#,
            &Default::default(),
        )
        .unwrap()
    }

    #[test]
    fn every_format_shows_rules_catches_and_branches() {
        let m = mermaid(&machine());
        assert!(m.starts_with("flowchart TD"));
        assert!(m.contains("|\"$.n NumericGreaterThan 5\"|"), "{m}");
        assert!(m.contains("-.->|\"States.ALL\"|"), "{m}");
        assert!(m.contains("subgraph c0[\"Both: branch 1\"]"), "{m}");
        let d = dot(&machine());
        assert!(d.contains("subgraph cluster_0"), "{d}");
        assert!(d.contains("style=dashed, color=\"#c0392b\""), "{d}");
        let s = svg(&machine());
        assert!(s.starts_with("<svg") && s.trim_end().ends_with("</svg>"));
        assert!(s.contains(">Route</text>") && s.contains("Both: branch 1"));
    }
}
