//! Visiting every state of a machine, nested branches included, with its JSON pointer: how each
//! rule that concerns single states finds them.

use crate::Pointer;

/// Calls `visit` on every state of the machine, nested ones included, with its pointer.
pub(crate) fn each_state<'m>(
    states: &'m crate::States,
    at: &Pointer,
    visit: &mut dyn FnMut(&'m str, &'m crate::State, &Pointer),
) {
    let states_at = at.key("States");
    for (name, state) in states {
        let ptr = states_at.key(name);
        visit(name, state, &ptr);
        for (i, branch) in state.nested_branches().into_iter().enumerate() {
            let branch_at = match state {
                crate::State::Parallel(_) => ptr.key("Branches").index(i),
                crate::State::Map(m) if m.uses_iterator_field => ptr.key("Iterator"),
                _ => ptr.key("ItemProcessor"),
            };
            each_state(&branch.states, &branch_at, visit);
        }
    }
}
