//! Workflow variables read back (`$total` in a template): which state's `assign` gives each
//! one its type, and whether it is assigned on every path to the state that reads it, with
//! ASL's scopes (a Parallel branch or an Inline Map iteration sees the variables of the states
//! around it; a Distributed Map's iterations see none; what a branch assigns stays there).

use std::collections::{BTreeSet, HashMap};

use syn::Ident;

use super::ast::{
    Body, Call, Condition, Kind, StateDef, StructTemplate, TaskInput, TemplateValue, Workflow,
};
use super::check::{handling, targets};

/// Every read of a variable that is not assigned on every path to it, or not at all.
pub fn check(workflow: &Workflow) -> Vec<syn::Error> {
    let mut assigned_anywhere = BTreeSet::new();
    collect_assigned(&workflow.body, &mut assigned_anywhere);
    let mut errors = Vec::new();
    check_body(
        &workflow.body,
        &BTreeSet::new(),
        &assigned_anywhere,
        &mut errors,
    );
    errors
}

fn collect_assigned(body: &Body, out: &mut BTreeSet<String>) {
    for state in &body.states {
        out.extend(state.assign.iter().map(|(name, _)| name.to_string()));
        for nested in nested_bodies(state) {
            collect_assigned(nested, out);
        }
    }
}

/// The bodies inside a state, and whether they start with no variables (a Distributed Map).
fn nested_bodies(state: &StateDef) -> Vec<&Body> {
    match &state.kind {
        Kind::Parallel { branches, .. } => branches.iter().collect(),
        Kind::Map { body, .. } => vec![body.as_ref()],
        _ => Vec::new(),
    }
}

/// The must-be-assigned analysis of one body entered with `inherited` assigned.
fn check_body(
    body: &Body,
    inherited: &BTreeSet<String>,
    anywhere: &BTreeSet<String>,
    errors: &mut Vec<syn::Error>,
) {
    let Some(start) = &body.start else { return };
    // None: not reached yet (the analysis' "everything"); sets only shrink, so it ends.
    let mut entry: HashMap<String, BTreeSet<String>> = HashMap::new();
    entry.insert(start.to_string(), inherited.clone());
    let mut changed = true;
    while changed {
        changed = false;
        for state in &body.states {
            let Some(on_entry) = entry.get(&state.name.to_string()).cloned() else {
                continue;
            };
            let mut on_exit = on_entry.clone();
            on_exit.extend(state.assign.iter().map(|(name, _)| name.to_string()));
            let caught: Vec<&Ident> = handling(state)
                .map(|h| h.catch.iter().map(|c| &c.next).collect())
                .unwrap_or_default();
            for target in targets(state) {
                // A catcher's transition does not apply the state's own `assign`.
                let normal = !caught.contains(&target) || leads_normally(state, target);
                let flowing = if normal { &on_exit } else { &on_entry };
                let key = target.to_string();
                let merged = match entry.get(&key) {
                    None => flowing.clone(),
                    Some(known) => known.intersection(flowing).cloned().collect(),
                };
                if entry.get(&key) != Some(&merged) {
                    entry.insert(key, merged);
                    changed = true;
                }
            }
        }
    }
    for state in &body.states {
        let Some(on_entry) = entry.get(&state.name.to_string()) else {
            continue;
        };
        for read in reads(state) {
            let name = read.to_string();
            if on_entry.contains(&name) {
                continue;
            }
            let message = if anywhere.contains(&name) {
                format!(
                    "`${name}` is not assigned on every path to `{}`: assign it in every state \
                     that leads here, or read it only where it is",
                    state.name
                )
            } else {
                match stepfn_codegen::similar::nearest(&name, anywhere.iter().map(String::as_str)) {
                    Some(v) => format!("no state assigns `${name}`; did you mean `${v}`?"),
                    None => {
                        format!("no state assigns `${name}`: set it with `assign({name} = .field)`")
                    }
                }
            };
            errors.push(syn::Error::new(read.span(), message));
        }
        for nested in nested_bodies(state) {
            let distributed = matches!(
                &state.kind,
                Kind::Map {
                    distributed: Some(_),
                    ..
                }
            );
            let inherited = if distributed {
                BTreeSet::new()
            } else {
                on_entry.clone()
            };
            check_body(nested, &inherited, anywhere, errors);
        }
    }
}

/// Whether `target` is also the state's normal next state (a catcher may name it too).
fn leads_normally(state: &StateDef, target: &Ident) -> bool {
    match &state.kind {
        Kind::Task { next, .. } | Kind::Parallel { next, .. } | Kind::Map { next, .. } => {
            matches!(next, super::ast::Target::State(n) if n == target)
        }
        _ => true,
    }
}

/// The variables a state's templates read.
fn reads(state: &StateDef) -> Vec<&Ident> {
    let mut out = Vec::new();
    let templates: Vec<&StructTemplate> = match &state.kind {
        Kind::Task {
            parameters,
            result_selector,
            ..
        } => parameters.iter().chain(result_selector.iter()).collect(),
        Kind::Pass { parameters, .. } => parameters.iter().collect(),
        Kind::Map {
            item_selector,
            batch_input,
            shape,
            ..
        } => item_selector
            .iter()
            .chain(batch_input.iter())
            .chain(shape.result_selector.iter())
            .collect(),
        Kind::Parallel { shape, .. } => shape.result_selector.iter().collect(),
        _ => Vec::new(),
    };
    for t in templates {
        template_reads(t, &mut out);
    }
    if let Kind::Map {
        items_variable: Some((name, _)),
        ..
    } = &state.kind
    {
        out.push(name);
    }
    if let Kind::Task {
        input: Some(TaskInput::Variable(name, _)),
        ..
    } = &state.kind
    {
        out.push(name);
    }
    if let Kind::Choice { rules, .. } = &state.kind {
        for rule in rules {
            condition_reads(&rule.condition, &mut out);
        }
    }
    out
}

fn condition_reads<'a>(condition: &'a Condition, out: &mut Vec<&'a Ident>) {
    match condition {
        Condition::And(a, b) | Condition::Or(a, b) => {
            condition_reads(a, out);
            condition_reads(b, out);
        }
        Condition::Not(a) => condition_reads(a, out),
        Condition::Compare {
            variable: Some(name),
            ..
        } => out.push(name),
        _ => {}
    }
}

fn template_reads<'a>(t: &'a StructTemplate, out: &mut Vec<&'a Ident>) {
    for (_, value) in &t.fields {
        value_reads(value, out);
    }
}

fn value_reads<'a>(value: &'a TemplateValue, out: &mut Vec<&'a Ident>) {
    match value {
        TemplateValue::Variable { name, .. } => out.push(name),
        TemplateValue::Struct(t) => template_reads(t, out),
        TemplateValue::Call(call) => call_reads(call, out),
        TemplateValue::Some(inner, _) => value_reads(inner, out),
        TemplateValue::Array(elements, _) => {
            for e in elements {
                value_reads(e, out);
            }
        }
        _ => {}
    }
}

fn call_reads<'a>(call: &'a Call, out: &mut Vec<&'a Ident>) {
    for arg in &call.args {
        value_reads(arg, out);
    }
}
