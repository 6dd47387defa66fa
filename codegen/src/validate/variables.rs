//! Variable scopes: a Parallel branch or Map iteration may read the variables of the scopes
//! around it but may not assign them.

use std::collections::HashSet;

use crate::{Assign, Pointer, Problem, State, States};

pub(super) fn check(machine: &crate::StateMachine, problems: &mut Vec<Problem>) {
    super::walk::each_state(&machine.states, &Pointer::root(), &mut |_, state, ptr| {
        for (assign, at) in state_assigns(state, ptr, true) {
            for name in assign.names() {
                if let Some(why) = name_problem(name) {
                    problems.push(Problem::schema(&at.key(name), why));
                }
            }
        }
    });
    scope(&machine.states, &Pointer::root(), &HashSet::new(), problems);
}

/// The `Assign`s written directly in one scope that bind its own variables. A Parallel or
/// Map catcher's `Assign` is left out: AWS accepts it naming a variable its branches assign.
fn assigns<'s>(states: &'s States, at: &Pointer) -> Vec<(&'s Assign, Pointer)> {
    states
        .iter()
        .flat_map(|(name, state)| state_assigns(state, &at.key("States").key(name), false))
        .collect()
}

/// Longest variable name AWS accepts, in characters.
const MAX_VARIABLE_NAME: usize = 80;

fn name_problem(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let identifier = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_');
    if !identifier {
        Some(format!("The variable name '{name}' is invalid: a name starts with a letter or '_' and holds only letters, digits and '_'"))
    } else if name.chars().count() > MAX_VARIABLE_NAME {
        Some(format!("The variable name '{name}' exceeds the maximum length of {MAX_VARIABLE_NAME} characters"))
    } else if name == "states" {
        Some("The variable name 'states' is reserved".to_string())
    } else {
        None
    }
}

/// The `Assign`s of one state with their pointers, its catchers' when `with_catchers`.
fn state_assigns<'s>(
    state: &'s State,
    ptr: &Pointer,
    with_catchers: bool,
) -> Vec<(&'s Assign, Pointer)> {
    let mut out = Vec::new();
    if let Some(a) = state.assign() {
        out.push((a, ptr.key("Assign")));
    }
    if let State::Choice(c) = state {
        for (i, rule) in c.choices.iter().enumerate() {
            if let Some(a) = &rule.assign {
                out.push((a, ptr.key("Choices").index(i).key("Assign")));
            }
        }
    }
    let catchers = if with_catchers {
        state.catch().unwrap_or_default()
    } else {
        &[]
    };
    for (i, catcher) in catchers.iter().enumerate() {
        if let Some(a) = &catcher.assign {
            out.push((a, ptr.key("Catch").index(i).key("Assign")));
        }
    }
    out
}

fn scope(states: &States, at: &Pointer, outer: &HashSet<String>, problems: &mut Vec<Problem>) {
    let mut visible = outer.clone();
    for (assign, ptr) in assigns(states, at) {
        for name in assign.names() {
            if outer.contains(name) {
                problems.push(Problem::schema(
                    &ptr.key(name),
                    format!("Cannot assign variable '{name}': it belongs to an outer scope, which a Parallel branch or Map iteration may read but not write"),
                ));
            }
            visible.insert(name.to_string());
        }
    }
    for (name, state) in states {
        let ptr = at.key("States").key(name);
        match state {
            State::Parallel(p) => {
                for (i, b) in p.branches.iter().enumerate() {
                    scope(&b.states, &ptr.key("Branches").index(i), &visible, problems);
                }
            }
            State::Map(m) => {
                let key = if m.uses_iterator_field {
                    "Iterator"
                } else {
                    "ItemProcessor"
                };
                scope(&m.item_processor.states, &ptr.key(key), &visible, problems);
            }
            _ => {}
        }
    }
}
