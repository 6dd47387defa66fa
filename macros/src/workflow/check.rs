//! The rules on names and the graph, reported at the user's spans. The macro's own: duplicate
//! names (both places shown), missing `start`, unknown targets (with a suggestion), unknown
//! `States::X` errors (codegen's `STATES_ERRORS`), states with no way to an end. The model's:
//! codegen's validator runs on the workflow's graph for over-long names, unreachable states
//! and misplaced `States::ALL`. A check that needs a name that did not resolve is skipped, so
//! one typo gives one error.

use std::collections::{BTreeSet, HashMap, HashSet};

use stepfn_codegen::model::{
    Branch, Catcher, Choice, ChoiceRule, Comparison, ComparisonOperator, ComparisonValue,
    Condition, Map, MaybeJsonata, Parallel, Pass, Path, ProcessorConfig, ProcessorMode, Retrier,
    State, StateMachine, Task, Transition, Wait, MAX_STATE_NAME_CHARS, STATES_ERRORS,
};
use stepfn_codegen::{CheckOptions, Pointer, ProblemCode};
use syn::Ident;

use super::ast::*;

pub fn check(workflow: &Workflow) -> Vec<syn::Error> {
    let mut errors = Vec::new();
    let mut all: HashMap<String, &Ident> = HashMap::new();
    let mut scope_of: HashMap<String, usize> = HashMap::new();
    let mut bodies = Vec::new();
    collect(&workflow.body, &mut bodies);
    for (scope, body) in bodies.iter().enumerate() {
        for state in &body.states {
            let name = state.name.to_string();
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
    let mut resolved = Vec::new();
    for (scope, body) in bodies.iter().enumerate() {
        resolved.push(check_body(body, scope, &scope_of, &mut errors));
    }
    if !errors.is_empty() {
        // The names resolve first: the validator would restate each of these problems.
        return errors;
    }
    let unreachable = validate(workflow, &mut errors);
    for (body, resolved) in bodies.iter().zip(resolved) {
        if resolved {
            check_ends(body, &unreachable, &mut errors);
        }
    }
    errors
}

/// Where each state and each `States::ALL` of the skeleton sits, for the validator's pointers.
#[derive(Default)]
struct Spans<'w> {
    states: HashMap<Pointer, &'w Ident>,
    /// `.../Retry/i/ErrorEquals` and `.../Catch/i/ErrorEquals`: the `States::ALL` tokens.
    all: HashMap<Pointer, Vec<&'w Ident>>,
}

/// Runs codegen's validator on the graph of the workflow (each state with its transitions
/// and error lists, the rest left out) and reports its problems at the user's tokens: state
/// names too long, states no transition reaches, `States.ALL` out of place. Returns the names
/// of the unreachable states.
fn validate(workflow: &Workflow, errors: &mut Vec<syn::Error>) -> HashSet<String> {
    let mut spans = Spans::default();
    let body = skeleton(&workflow.body, &Pointer::root(), &mut spans);
    let machine = StateMachine {
        start_at: body.start_at,
        states: body.states,
        ..Default::default()
    };
    let mut unreachable = HashSet::new();
    for problem in stepfn_codegen::validate(&machine, &CheckOptions::default()) {
        let Some(pointer) = &problem.pointer else {
            // "no terminal state": `check_ends` says which states cannot end, and where.
            continue;
        };
        if let Some(state) = spans.states.get(pointer) {
            let name = state.to_string();
            let message = if problem.code == ProblemCode::MissingTransitionTarget {
                unreachable.insert(name.clone());
                format!("state `{name}` is unreachable: no transition leads to it from `start`")
            } else if name.chars().count() > MAX_STATE_NAME_CHARS {
                format!("the state name `{name}` is longer than {MAX_STATE_NAME_CHARS} characters, the most AWS accepts")
            } else {
                format!("state `{name}`: {}", problem.message)
            };
            errors.push(syn::Error::new_spanned(state, message));
        } else if let Some(all) = spans.all.get(pointer) {
            for ident in all {
                errors.push(syn::Error::new_spanned(
                    ident,
                    "`States::ALL` must be alone in its list and in the last retry or catch (it matches every error)",
                ));
            }
        } else {
            errors.push(syn::Error::new_spanned(
                &workflow.name,
                format!("{}: {}", problem.location(), problem.message),
            ));
        }
    }
    unreachable
}

/// The graph of `body` as the model: what the validator reads to check names, reachability
/// and error lists.
fn skeleton<'w>(body: &'w Body, at: &Pointer, spans: &mut Spans<'w>) -> Branch {
    let mut branch = Branch::new(
        body.start
            .as_ref()
            .map(Ident::to_string)
            .unwrap_or_default(),
    );
    let states_at = at.key("States");
    for state in &body.states {
        let name = state.name.to_string();
        let ptr = states_at.key(&name);
        spans.states.insert(ptr.clone(), &state.name);
        let transition = |next: &Target| match next {
            Target::State(n) => Transition::Next(n.to_string()),
            Target::End(_) => Transition::End,
        };
        let (retry, catch) = match handling(state) {
            Some(h) => handlers(h, &ptr, spans),
            None => (None, None),
        };
        let model = match &state.kind {
            Kind::Task { next, .. } => State::Task(Task {
                resource: format!("${{{name}Arn}}").into(),
                retry,
                catch,
                transition: transition(next),
                ..Default::default()
            }),
            Kind::Pass { next, .. } => State::Pass(Pass {
                transition: transition(next),
                ..Default::default()
            }),
            Kind::Wait { next, .. } => State::Wait(Wait {
                seconds: Some(MaybeJsonata::Literal(1)),
                transition: transition(next),
                ..Default::default()
            }),
            Kind::Succeed => State::Succeed(Default::default()),
            Kind::Fail { .. } => State::Fail(Default::default()),
            Kind::Choice { rules, default, .. } => State::Choice(Choice {
                choices: rules
                    .iter()
                    .map(|r| ChoiceRule {
                        comment: None,
                        condition: Condition::Compare(Comparison {
                            variable: Path::parse("$").expect("`$` is a path"),
                            operator: ComparisonOperator::IsPresent,
                            value: ComparisonValue::Bool(true),
                        }),
                        next: r.next.to_string(),
                        assign: None,
                        output: None,
                    })
                    .collect(),
                default: default.as_ref().map(Ident::to_string),
                ..Default::default()
            }),
            Kind::Parallel { branches, next, .. } => State::Parallel(Parallel {
                branches: branches
                    .iter()
                    .enumerate()
                    .map(|(i, b)| skeleton(b, &ptr.key("Branches").index(i), spans))
                    .collect(),
                retry,
                catch,
                transition: transition(next),
                ..Default::default()
            }),
            Kind::Map { body, next, .. } => State::Map(Map {
                item_processor: skeleton(body, &ptr.key("ItemProcessor"), spans),
                processor_config: Some(ProcessorConfig {
                    mode: Some(ProcessorMode::Inline),
                    execution_type: None,
                }),
                retry,
                catch,
                transition: transition(next),
                ..Default::default()
            }),
        };
        branch.states.insert(name, model);
    }
    branch
}

type Handlers = (Option<Vec<Retrier>>, Option<Vec<Catcher>>);

/// Retry and Catch with their error names (a variant stands for its own name).
fn handlers<'w>(handling: &'w Handling, at: &Pointer, spans: &mut Spans<'w>) -> Handlers {
    let mut names = |errors: &'w [ErrorRef], list: Pointer| -> Vec<String> {
        let mut all = Vec::new();
        let names = errors
            .iter()
            .map(|e| match e {
                ErrorRef::States(ident) => {
                    if ident == "ALL" {
                        all.push(ident);
                    }
                    format!("States.{ident}")
                }
                ErrorRef::Variant(path) => path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default(),
            })
            .collect();
        spans.all.insert(list, all);
        names
    };
    let retry: Vec<Retrier> = handling
        .retry
        .iter()
        .enumerate()
        .map(|(i, r)| {
            Retrier::new(names(
                &r.errors,
                at.key("Retry").index(i).key("ErrorEquals"),
            ))
        })
        .collect();
    let catch: Vec<Catcher> = handling
        .catch
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Catcher::new(
                names(&c.errors, at.key("Catch").index(i).key("ErrorEquals")),
                c.next.to_string(),
            )
        })
        .collect();
    (
        (!retry.is_empty()).then_some(retry),
        (!catch.is_empty()).then_some(catch),
    )
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
) -> bool {
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
    resolved && body.start.is_some()
}

/// States from which no end can be reached (loops with no way out), unreachable ones aside.
fn check_ends(body: &Body, unreachable: &HashSet<String>, errors: &mut Vec<syn::Error>) {
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
        if !unreachable.contains(&name) && !can_end.contains(&name) {
            errors.push(syn::Error::new_spanned(
                &state.name,
                format!("state `{name}` has no path to an end: every way from it loops forever (add `-> end`, a succeed or a fail state)"),
            ));
        }
    }
}

/// `States::X` names an error AWS defines (where `States::ALL` may stand, the validator says).
fn check_errors(handling: &Handling, errors: &mut Vec<syn::Error>) {
    let lists = handling
        .retry
        .iter()
        .map(|r| &r.errors)
        .chain(handling.catch.iter().map(|c| &c.errors));
    for list in lists {
        for error in list {
            let ErrorRef::States(ident) = error else {
                continue;
            };
            let name = format!("States.{ident}");
            if !STATES_ERRORS.contains(&name.as_str()) {
                let known: Vec<String> = STATES_ERRORS
                    .iter()
                    .map(|e| e.trim_start_matches("States.").to_string())
                    .collect();
                let hint = suggestion(&ident.to_string(), &known)
                    .map(|s| format!("; did you mean `States::{s}`?"))
                    .unwrap_or_default();
                errors.push(syn::Error::new_spanned(
                    ident,
                    format!("`States::{ident}` is not an error AWS defines{hint}"),
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
