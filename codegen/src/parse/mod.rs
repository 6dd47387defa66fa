//! Reading ASL into the model.
//!
//! Decoding checks everything that concerns one field or one object: required and unsupported
//! fields, types, ranges, mutually exclusive fields, the fields of each query language, path,
//! intrinsic and timestamp syntax. Every problem found is collected with its JSON pointer; a
//! definition with any problem is rejected whole, so nothing accepted is ever dropped. Rules
//! that need the whole machine (transitions, reachability, names) live in [`mod@crate::validate`].

mod fields;
mod json;
mod rules;
mod state;
mod template;

use serde_json::Value;

use crate::{Pointer, Problem, Problems, QueryLanguage, State, StateMachine};

pub use json::load_json;

/// Parses ASL JSON text into a machine.
pub fn from_str(text: &str) -> Result<StateMachine, Problems> {
    let (value, mut problems) = load_json(text).map_err(|p| Problems(vec![p]))?;
    match from_value(&value) {
        Ok(machine) if problems.is_empty() => Ok(machine),
        Ok(_) => Err(Problems(problems)),
        Err(more) => {
            problems.extend(more);
            Err(Problems(problems))
        }
    }
}

/// Decodes an already-loaded JSON value into a machine.
pub fn from_value(value: &Value) -> Result<StateMachine, Problems> {
    let mut decoder = Decoder::default();
    let machine = decoder.machine(value);
    decoder.finish(machine)
}

/// Decodes one state on its own (as the TestState API takes it), in a machine whose query
/// language is `machine_language`.
pub fn state_from_value(value: &Value, machine_language: QueryLanguage) -> Result<State, Problems> {
    let mut decoder = Decoder {
        machine_language,
        ..Default::default()
    };
    let state = decoder.state(value, &Pointer::root());
    decoder.finish(state.unwrap_or(State::Succeed(Default::default())))
}

#[derive(Default)]
pub(crate) struct Decoder {
    problems: Vec<Problem>,
    machine_language: QueryLanguage,
}

impl Decoder {
    pub(crate) fn report(&mut self, pointer: &Pointer, message: impl Into<String>) {
        self.problems.push(Problem::schema(pointer, message));
    }

    fn finish<T>(self, value: T) -> Result<T, Problems> {
        if self.problems.is_empty() {
            Ok(value)
        } else {
            Err(Problems(self.problems))
        }
    }
}
