//! The rules AWS enforces on a definition as a whole.
//!
//! [`crate::parse`] has already checked each field on its own; these rules need the whole
//! machine: transitions and their scopes, reachability, terminal states, unique names,
//! `States.ALL` placement, variable scopes, where `$states` members may be read, and what
//! Express machines may not use.
//!
//! [`check`] runs both: text in, a [`StateMachine`] or every problem out.

mod fields;
mod graph;
mod handlers;
mod resources;
mod states_variable;
mod variables;
mod walk;

use serde_json::Value;

use crate::{parse, Problem, Problems, StateMachine};

pub use resources::{integration_patterns, is_known_integration, optimized_actions};

/// The kind of state machine a definition is checked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MachineType {
    /// Standard workflows (the default).
    #[default]
    Standard,
    /// Express workflows: no `.sync`, `.waitForTaskToken` or activities.
    Express,
}

impl From<crate::ExecutionType> for MachineType {
    fn from(t: crate::ExecutionType) -> Self {
        match t {
            crate::ExecutionType::Standard => MachineType::Standard,
            crate::ExecutionType::Express => MachineType::Express,
        }
    }
}

/// How to check a definition.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct CheckOptions {
    /// Check the rules of this kind of machine.
    pub machine_type: MachineType,
}

impl CheckOptions {
    /// The rules of a Standard machine.
    pub fn new() -> Self {
        Self::default()
    }

    crate::__setters! {
        set with_machine_type(machine_type: MachineType);
    }
}

/// Parses and validates ASL JSON text: the machine, or every problem with where it is.
pub fn check(text: &str, options: &CheckOptions) -> Result<StateMachine, Problems> {
    let (value, mut problems) = parse::load_json(text).map_err(|p| Problems(vec![p]))?;
    match check_value(&value, options) {
        Ok(machine) if problems.is_empty() => Ok(machine),
        Ok(_) => Err(Problems(problems)),
        Err(more) => {
            problems.extend(more);
            Err(Problems(problems))
        }
    }
}

/// Parses and validates an already-loaded definition.
pub fn check_value(value: &Value, options: &CheckOptions) -> Result<StateMachine, Problems> {
    let machine = parse::from_value(value)?;
    let problems = validate(&machine, options);
    if problems.is_empty() {
        Ok(machine)
    } else {
        Err(Problems(problems))
    }
}

/// The problems of a machine built in code or already parsed; empty when it is valid.
pub fn validate(machine: &StateMachine, options: &CheckOptions) -> Vec<Problem> {
    let mut problems = Vec::new();
    fields::check(machine, &mut problems);
    graph::check(machine, &mut problems);
    handlers::check(machine, &mut problems);
    variables::check(machine, &mut problems);
    states_variable::check(machine, &mut problems);
    resources::check(machine, options.machine_type, &mut problems);
    problems
}
