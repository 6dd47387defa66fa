//! The rules on names and the graph, checked in the macro with the user's spans: duplicate and
//! over-long names, missing `start`, unknown targets (with a suggestion), unreachable states,
//! states with no way to an end, misplaced `States::ALL`. A check that needs a name that did
//! not resolve is skipped, so one typo gives one error.

use std::collections::{BTreeSet, HashMap};

use syn::Ident;

use super::ast::*;

/// The longest state name AWS accepts, in characters.
const MAX_NAME: usize = 80;

/// The `States.*` error names AWS defines.
const STATES_ERRORS: [&str; 16] = [
    "ALL",
    "Timeout",
    "TaskFailed",
    "HeartbeatTimeout",
    "Permissions",
    "ResultPathMatchFailure",
    "ParameterPathFailure",
    "BranchFailed",
    "NoChoiceMatched",
    "IntrinsicFailure",
    "ExceedToleratedFailureThreshold",
    "ItemReaderFailed",
    "ResultWriterFailed",
    "QueryEvaluationError",
    "DataLimitExceeded",
    "Runtime",
];

pub fn check(workflow: &Workflow) -> Vec<syn::Error> {
    let mut errors = Vec::new();
    let mut all: HashMap<String, &Ident> = HashMap::new();
    let mut scope_of: HashMap<String, usize> = HashMap::new();
    let mut bodies = Vec::new();
    collect(&workflow.body, &mut bodies);
    for (scope, body) in bodies.iter().enumerate() {
        for state in &body.states {
            let name = state.name.to_string();
            if name.chars().count() > MAX_NAME {
                errors.push(syn::Error::new_spanned(
                    &state.name,
                    format!("the state name `{name}` is longer than {MAX_NAME} characters, the most AWS accepts"),
                ));
            }
            match all.get(&name) {
                Some(first) => {
                    let mut e = syn::Error::new_spanned(
                        &state.name,
                        format!("duplicate state `{name}`: state names are unique in the whole state machine, branches and maps included"),
                    );
                    e.combine(syn::Error::new_spanned(
                        first,
                        format!("`{name}` is first defined here"),
                    ));
                    errors.push(e);
                }
                None => {
                    all.insert(name.clone(), &state.name);
                    scope_of.insert(name, scope);
                }
            }
        }
    }
    for (scope, body) in bodies.iter().enumerate() {
        check_body(body, scope, &scope_of, &mut errors);
    }
    errors
}

fn collect<'b>(body: &'b Body, out: &mut Vec<&'b Body>) {
    out.push(body);
    for state in &body.states {
        match &state.kind {
            Kind::Parallel { branches, .. } => branches.iter().for_each(|b| collect(b, out)),
            Kind::Map { body, .. } => collect(body, out),
            _ => {}
        }
    }
}

/// The states `state` may go to, with the token that names each.
pub fn targets(state: &StateDef) -> Vec<&Ident> {
    let mut out = Vec::new();
    let next = match &state.kind {
        Kind::Task { next, .. }
        | Kind::Pass { next, .. }
        | Kind::Wait { next, .. }
        | Kind::Parallel { next, .. }
        | Kind::Map { next, .. } => Some(next),
        _ => None,
    };
    if let Some(Target::State(n)) = next {
        out.push(n);
    }
    if let Kind::Choice { rules, default, .. } = &state.kind {
        out.extend(rules.iter().map(|r| &r.next));
        out.extend(default.iter());
    }
    if let Some(handling) = handling(state) {
        out.extend(handling.catch.iter().map(|c| &c.next));
    }
    out
}

pub fn handling(state: &StateDef) -> Option<&Handling> {
    match &state.kind {
        Kind::Task { handling, .. }
        | Kind::Parallel { handling, .. }
        | Kind::Map { handling, .. } => Some(handling),
        _ => None,
    }
}

/// True when reaching the state can end its body.
pub fn is_terminal(state: &StateDef) -> bool {
    match &state.kind {
        Kind::Succeed | Kind::Fail { .. } => true,
        Kind::Task { next, .. }
        | Kind::Pass { next, .. }
        | Kind::Wait { next, .. }
        | Kind::Parallel { next, .. }
        | Kind::Map { next, .. } => matches!(next, Target::End(_)),
        Kind::Choice { .. } => false,
    }
}

fn check_body(
    body: &Body,
    scope: usize,
    scope_of: &HashMap<String, usize>,
    errors: &mut Vec<syn::Error>,
) {
    let names: Vec<String> = body.states.iter().map(|s| s.name.to_string()).collect();
    let mut resolved = true;
    let mut resolve = |target: &Ident, what: &str, errors: &mut Vec<syn::Error>| {
        let name = target.to_string();
        if names.contains(&name) {
            return;
        }
        resolved = false;
        let message = if scope_of.get(&name).is_some_and(|s| *s != scope) {
            format!("{what} `{name}` is a state of another branch or map: a transition stays inside its own Parallel branch or Map")
        } else {
            match suggestion(&name, &names) {
                Some(close) => format!(
                    "{what} `{name}` is not a state of this workflow; did you mean `{close}`?"
                ),
                None => format!("{what} `{name}` is not a state of this workflow"),
            }
        };
        errors.push(syn::Error::new_spanned(target, message));
    };
    match &body.start {
        None => errors.push(syn::Error::new(
            body.span,
            "missing `start`: begin with `start StateName;` (StartAt)",
        )),
        Some(start) => resolve(start, "start state", errors),
    }
    for state in &body.states {
        for target in targets(state) {
            resolve(target, "Next target", errors);
        }
        if let Some(h) = handling(state) {
            check_errors(h, errors);
        }
    }
    if !resolved || body.start.is_none() {
        return;
    }
    let index: HashMap<String, &StateDef> = body
        .states
        .iter()
        .map(|s| (s.name.to_string(), s))
        .collect();
    let mut reachable = BTreeSet::new();
    let mut todo = vec![body.start.as_ref().expect("checked above").to_string()];
    while let Some(name) = todo.pop() {
        if reachable.insert(name.clone()) {
            todo.extend(targets(index[&name]).into_iter().map(Ident::to_string));
        }
    }
    for state in &body.states {
        if !reachable.contains(&state.name.to_string()) {
            errors.push(syn::Error::new_spanned(
                &state.name,
                format!(
                    "state `{}` is unreachable: no transition leads to it from `start`",
                    state.name
                ),
            ));
        }
    }
    // States from which some end can be reached, grown backwards from the terminal states.
    let mut can_end: BTreeSet<String> = body
        .states
        .iter()
        .filter(|s| is_terminal(s))
        .map(|s| s.name.to_string())
        .collect();
    loop {
        let before = can_end.len();
        for state in &body.states {
            if targets(state)
                .iter()
                .any(|t| can_end.contains(&t.to_string()))
            {
                can_end.insert(state.name.to_string());
            }
        }
        if can_end.len() == before {
            break;
        }
    }
    for state in &body.states {
        let name = state.name.to_string();
        if reachable.contains(&name) && !can_end.contains(&name) {
            errors.push(syn::Error::new_spanned(
                &state.name,
                format!("state `{name}` has no path to an end: every way from it loops forever (add `-> end`, a succeed or a fail state)"),
            ));
        }
    }
}

/// `States::ALL` stands alone, in the last retrier or catcher; `States::X` names a real error.
fn check_errors(handling: &Handling, errors: &mut Vec<syn::Error>) {
    let lists: Vec<(&Vec<ErrorRef>, bool)> = handling
        .retry
        .iter()
        .enumerate()
        .map(|(i, r)| (&r.errors, i + 1 == handling.retry.len()))
        .chain(
            handling
                .catch
                .iter()
                .enumerate()
                .map(|(i, c)| (&c.errors, i + 1 == handling.catch.len())),
        )
        .collect();
    for (list, last) in lists {
        for error in list {
            let ErrorRef::States(ident) = error else {
                continue;
            };
            let name = ident.to_string();
            if !STATES_ERRORS.contains(&name.as_str()) {
                let hint = suggestion(&name, &STATES_ERRORS.map(String::from))
                    .map(|s| format!("; did you mean `States::{s}`?"))
                    .unwrap_or_default();
                errors.push(syn::Error::new_spanned(
                    ident,
                    format!("`States::{name}` is not an error AWS defines{hint}"),
                ));
            } else if name == "ALL" && (list.len() > 1 || !last) {
                errors.push(syn::Error::new_spanned(
                    ident,
                    "`States::ALL` must be alone in its list and in the last retry or catch (it matches every error)",
                ));
            }
        }
    }
}

/// The closest of `names` to `name`, if one is close enough to be a likely typo.
fn suggestion(name: &str, names: &[String]) -> Option<String> {
    names
        .iter()
        .map(|n| {
            (
                stepfn_codegen::similar::jaro_winkler(&name.to_lowercase(), &n.to_lowercase()),
                n,
            )
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n.clone())
}
