//! The Parallel state: runs every branch on the same input, outputs their outputs in order.

use std::borrow::Cow;

use stepfn_codegen::{Parallel, State};

use crate::data::Data;
use crate::error::StatesError;
use crate::exec::io;
use crate::exec::visit::{finish, Visit};
use crate::expr::variables::VariableScope;
use crate::history::Details;

/// `state` is the Parallel state `s`, for what all three kinds share.
pub(crate) async fn parallel(
    visit: &Visit<'_>,
    state: &State,
    s: &Parallel,
    mut raw: Cow<'_, Data>,
    retry_count: u32,
    cursor: &mut u64,
) -> Result<Data, StatesError> {
    let shared = visit.shared;
    let context = visit.context(Some(retry_count));
    let effective = if visit.is_jsonata() {
        match &s.arguments {
            Some(t) => visit.fields(&raw, &context).template(t, "Arguments")?,
            None => raw.as_ref().clone(),
        }
    } else {
        let roots = visit.roots(&context);
        let input = io::pipeline_input(&mut raw, s.result_path.as_ref());
        let effective = io::input_path(input, s.input_path.as_ref(), roots)?;
        io::parameters(effective, s.parameters.as_ref(), roots)?.into_owned()
    };
    let started = shared.emit(cursor, "ParallelStateStarted", Details::new());
    // Branches share the input: it is copied only where a branch changes it.
    let effective = &effective;
    // Each branch chains its events from ParallelStateStarted; a branch gives back where
    // its chain ended, which is where the Parallel's own events follow on.
    let branches = s.branches.iter().map(|branch| async move {
        let input = effective.clone();
        let mut branch_cursor = started;
        match (visit.shared.run_branch)(
            shared,
            &branch.states,
            &branch.start_at,
            input,
            VariableScope::nested(visit.variables),
            true,
            &mut branch_cursor,
        )
        .await
        {
            Ok(output) => Ok((output, branch_cursor)),
            Err(e) => Err((e, branch_cursor)),
        }
    });
    let ended = match futures::future::try_join_all(branches).await {
        Ok(ended) => ended,
        Err((e, failed_at)) => {
            // ParallelStateFailed follows the failing branch's last event.
            *cursor = failed_at;
            return Err(e);
        }
    };
    // The Parallel goes on from the branch that ended last; AWS numbers a
    // ParallelStateSucceeded there that its histories never show.
    *cursor = ended.iter().map(|(_, at)| *at).max().unwrap_or(started);
    shared.skip_unshown_event();
    let outputs = ended.into_iter().map(|(output, _)| output).collect();
    finish(visit, state, raw, Data::array(outputs), &context)
}
