//! Workflow variables (`Assign`): one scope per `States` object, nested scopes reading the
//! ones around them, and the size limits AWS puts on what is stored.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::data::Data;

use crate::error::{names, StatesError};
use crate::expr::limits::{exceeds, payload_size};

/// Largest value one variable may hold, and largest total of the values one `Assign` writes.
pub const MAX_ASSIGN_BYTES: usize = 256 * 1024;
/// Largest total of the values an execution's variables hold at once.
pub const MAX_EXECUTION_VARIABLE_BYTES: usize = 10 * 1024 * 1024;

/// The variables of one scope: the machine's top level, a Parallel branch or a Map iteration.
///
/// A nested scope reads the scopes around it (they cannot change while it runs: the state that
/// opened it is still running) and writes only its own variables; the validator rejects an
/// inner `Assign` naming a variable of an outer scope.
#[derive(Debug, Default)]
pub struct VariableScope<'a> {
    outer: Option<&'a VariableScope<'a>>,
    own: HashMap<String, Data>,
}

impl<'a> VariableScope<'a> {
    /// A scope with no variables around it: the machine's top level, or a Distributed Map
    /// child execution (which cannot see its parent's variables).
    pub fn root() -> Self {
        VariableScope::default()
    }

    /// A root scope holding `variables`, as TestState receives them.
    pub fn with_values(variables: impl IntoIterator<Item = (String, Data)>) -> Self {
        VariableScope {
            outer: None,
            own: variables.into_iter().collect(),
        }
    }

    /// A scope for a Parallel branch or Map iteration inside `outer`.
    pub fn nested(outer: &'a VariableScope<'a>) -> Self {
        VariableScope {
            outer: Some(outer),
            own: HashMap::new(),
        }
    }

    /// The value of `name` here or in a scope around this one.
    pub fn get(&self, name: &str) -> Option<&Data> {
        self.own
            .get(name)
            .or_else(|| self.outer.and_then(|o| o.get(name)))
    }

    /// Stores what one `Assign` computed. The sizes were checked when it was computed.
    pub(crate) fn commit(&mut self, assigned: Assigned, budget: &VariableBudget) {
        for (name, value, size) in assigned.values {
            let previous = self.own.insert(name, value).map_or(0, |v| payload_size(&v));
            budget.replace(previous, size);
        }
    }

    /// Gives back the budget this scope's own variables took, when the scope ends.
    pub(crate) fn release(&self, budget: &VariableBudget) {
        let held: usize = self.own.values().map(payload_size).sum();
        budget.replace(held, 0);
    }
}

/// The values one `Assign` computed, checked against the limits, waiting to be stored when the
/// state ends (so every expression of the state saw the values as of its entry).
#[derive(Debug, Default)]
pub struct Assigned {
    values: Vec<(String, Data, usize)>,
}

impl Assigned {
    /// Checks `values` (in the order written) against the per-variable, per-Assign and
    /// per-execution limits. `scope` gives the values they replace.
    pub(crate) fn check(
        values: Vec<(String, Data)>,
        scope: Option<&VariableScope<'_>>,
        budget: &VariableBudget,
    ) -> Result<Assigned, StatesError> {
        let mut total = 0usize;
        let mut checked = Vec::with_capacity(values.len());
        let mut replaced = 0usize;
        for (name, value) in values {
            if exceeds(&value, MAX_ASSIGN_BYTES) {
                return Err(limit_error(format!(
                    "The value assigned to the variable '{name}' exceeds the maximum size of {MAX_ASSIGN_BYTES} bytes"
                )));
            }
            let size = payload_size(&value);
            total += size;
            if total > MAX_ASSIGN_BYTES {
                return Err(limit_error(format!(
                    "The values of one Assign exceed the maximum combined size of {MAX_ASSIGN_BYTES} bytes"
                )));
            }
            replaced += scope.and_then(|s| s.own.get(&name)).map_or(0, payload_size);
            checked.push((name, value, size));
        }
        if budget.held().saturating_sub(replaced) + total > MAX_EXECUTION_VARIABLE_BYTES {
            return Err(limit_error(format!(
                "The variables of this execution would exceed the maximum total size of {MAX_EXECUTION_VARIABLE_BYTES} bytes"
            )));
        }
        Ok(Assigned { values: checked })
    }

    /// The names and values, in the order written.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Data)> {
        self.values.iter().map(|(n, v, _)| (n.as_str(), v))
    }
}

fn limit_error(cause: String) -> StatesError {
    let mut e = StatesError::new(names::DATA_LIMIT_EXCEEDED, cause);
    e.unlocated = true;
    e
}

/// How many bytes the variables of one execution hold, over all its scopes.
#[derive(Debug, Default)]
pub struct VariableBudget {
    held: AtomicUsize,
}

impl VariableBudget {
    fn held(&self) -> usize {
        self.held.load(Ordering::Relaxed)
    }

    fn replace(&self, released: usize, taken: usize) {
        let _ = self
            .held
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |h| {
                Some(h.saturating_sub(released) + taken)
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::data::data;

    #[test]
    fn nested_scopes_read_outward_and_release_their_own() {
        let budget = VariableBudget::default();
        let mut outer = VariableScope::root();
        let a = Assigned::check(vec![("x".into(), data!(1))], Some(&outer), &budget).unwrap();
        outer.commit(a, &budget);
        let mut inner = VariableScope::nested(&outer);
        let b = Assigned::check(vec![("y".into(), data!("ab"))], Some(&inner), &budget).unwrap();
        inner.commit(b, &budget);
        assert_eq!(inner.get("x"), Some(&data!(1)));
        assert_eq!(inner.get("y"), Some(&data!("ab")));
        assert_eq!(budget.held(), 5);
        inner.release(&budget);
        assert_eq!(budget.held(), 1);
        assert_eq!(outer.get("y"), None);
    }

    #[test]
    fn limits_per_variable_per_assign_and_per_execution() {
        let budget = VariableBudget::default();
        let big = data!("x".repeat(MAX_ASSIGN_BYTES));
        let e = Assigned::check(vec![("a".into(), big)], None, &budget).unwrap_err();
        assert_eq!(e.name(), names::DATA_LIMIT_EXCEEDED);
        let half = data!("x".repeat(MAX_ASSIGN_BYTES / 2));
        let e = Assigned::check(
            vec![("a".into(), half.clone()), ("b".into(), half.clone())],
            None,
            &budget,
        )
        .unwrap_err();
        assert!(e.cause.unwrap().contains("one Assign"));
        budget.replace(0, MAX_EXECUTION_VARIABLE_BYTES - 10);
        let e =
            Assigned::check(vec![("a".into(), data!("0123456789"))], None, &budget).unwrap_err();
        assert!(e.cause.unwrap().contains("execution"));
    }
}
