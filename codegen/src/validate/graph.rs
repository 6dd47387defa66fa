//! Transitions, reachability, terminal states and state names.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::model::MAX_STATE_NAME_CHARS as MAX_NAME;
use crate::{Pointer, Problem, ProblemCode, StateMachine, States};

pub(super) fn check(machine: &StateMachine, problems: &mut Vec<Problem>) {
    scope(
        &machine.start_at,
        &machine.states,
        &Pointer::root(),
        problems,
    );
    let mut seen: HashMap<&str, Pointer> = HashMap::new();
    super::walk::each_state(&machine.states, &Pointer::root(), &mut |name, _, ptr| {
        if name.chars().count() > MAX_NAME {
            problems.push(Problem::schema(
                ptr,
                format!("State name '{name}' exceeds the maximum length of {MAX_NAME} characters"),
            ));
        }
        match seen.get(name) {
            Some(first) => problems.push(Problem::schema(
                ptr,
                format!("Duplicate State name: '{name}' is also defined at {first}"),
            )),
            None => {
                seen.insert(name, ptr.clone());
            }
        }
    });
}

fn missing_target(at: Pointer, target: &str) -> Problem {
    Problem {
        code: ProblemCode::MissingTransitionTarget,
        pointer: Some(at),
        message: format!("Missing 'Next' target: {target}"),
    }
}

/// Checks one `States` object and, recursively, the scopes nested in it.
fn scope(start_at: &str, states: &States, at: &Pointer, problems: &mut Vec<Problem>) {
    let states_at = at.key("States");
    if !states.is_empty() && !states.contains_key(start_at) {
        problems.push(missing_target(at.key("StartAt"), start_at));
    }
    for (name, state) in states {
        for (field, target) in state.targets() {
            if !states.contains_key(target) {
                let mut ptr = states_at.key(name);
                for part in field.split('/') {
                    ptr = ptr.key(part);
                }
                problems.push(missing_target(ptr, target));
            }
        }
    }
    if !states.is_empty() {
        if states.values().any(|s| s.is_terminal()) {
            let reachable = reachable(start_at, states);
            for name in states.keys() {
                if !reachable.contains(name.as_str()) {
                    problems.push(Problem {
                        code: ProblemCode::MissingTransitionTarget,
                        pointer: Some(states_at.key(name)),
                        message: format!("State \"{name}\" is not reachable."),
                    });
                }
            }
        } else {
            // AWS gives no location here, and skips the reachability walk for this scope.
            problems.push(Problem {
                code: ProblemCode::MissingEndState,
                pointer: None,
                message: "Workflow has no terminal state".to_string(),
            });
        }
    }
    for (name, state) in states {
        let ptr = states_at.key(name);
        match state {
            crate::State::Parallel(p) => {
                for (i, b) in p.branches.iter().enumerate() {
                    scope(
                        &b.start_at,
                        &b.states,
                        &ptr.key("Branches").index(i),
                        problems,
                    );
                }
            }
            crate::State::Map(m) => {
                let key = if m.uses_iterator_field {
                    "Iterator"
                } else {
                    "ItemProcessor"
                };
                scope(
                    &m.item_processor.start_at,
                    &m.item_processor.states,
                    &ptr.key(key),
                    problems,
                );
            }
            _ => {}
        }
    }
}

fn reachable<'s>(start_at: &'s str, states: &'s States) -> HashSet<&'s str> {
    let mut seen = HashSet::new();
    let mut queue = VecDeque::new();
    if states.contains_key(start_at) {
        seen.insert(start_at);
        queue.push_back(start_at);
    }
    while let Some(name) = queue.pop_front() {
        let Some(state) = states.get(name) else {
            continue;
        };
        for (_, target) in state.targets() {
            if states.contains_key(target) && seen.insert(target) {
                queue.push_back(target);
            }
        }
    }
    seen
}
