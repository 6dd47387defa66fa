//! Retry and Catch: each attempt of a Task, Parallel or Map state, which retrier or catcher
//! handles its error, and how long to back off.

use std::time::Duration;

use stepfn_codegen::{Catcher, JitterStrategy, Retrier};

use crate::data::Data;
use crate::error::StatesError;
use crate::exec::io;
use crate::exec::states::parallel::parallel;
use crate::exec::states::{map, task};
use crate::exec::visit::{error_details, finish, follow, Shared, Step, Visit};
use crate::expr::fields::Fields;
use std::borrow::Cow;
use stepfn_codegen::{State, Transition};

/// The retry counters of one visit of a state: one per retrier, across every error it matched.
pub struct RetryState<'a> {
    retriers: &'a [Retrier],
    attempts: Vec<u64>,
    /// Retries made so far in this visit (`$$.State.RetryCount`).
    pub retry_count: u32,
}

impl<'a> RetryState<'a> {
    /// Fresh counters for `retriers`.
    pub fn new(retriers: Option<&'a [Retrier]>) -> Self {
        let retriers = retriers.unwrap_or_default();
        RetryState {
            retriers,
            attempts: vec![0; retriers.len()],
            retry_count: 0,
        }
    }

    /// How long to wait before retrying after `error`, or `None` when it is not retried: no
    /// retrier matches, or the first one that matches is exhausted (later ones are not asked).
    pub fn next_delay(&mut self, error: &StatesError) -> Option<Duration> {
        let index = self
            .retriers
            .iter()
            .position(|r| r.error_equals.iter().any(|p| error.matches(p)))?;
        let retrier = &self.retriers[index];
        let attempt = self.attempts[index];
        if attempt >= retrier.max_attempts() {
            return None;
        }
        self.attempts[index] += 1;
        self.retry_count += 1;
        Some(delay(retrier, attempt))
    }
}

/// The wait before retry number `attempt + 1` of `retrier`.
pub fn delay(retrier: &Retrier, attempt: u64) -> Duration {
    let base = retrier.interval_seconds() as f64 * retrier.backoff_rate().powi(attempt as i32);
    let capped = match retrier.max_delay_seconds {
        Some(max) => base.min(max as f64),
        None => base,
    };
    let seconds = match retrier.jitter_strategy() {
        JitterStrategy::Full => crate::random::up_to(capped.max(0.0)),
        JitterStrategy::None => capped,
    };
    Duration::from_secs_f64(seconds.clamp(0.0, 1e9))
}

/// The first catcher whose `ErrorEquals` matches `error`.
pub fn find_catcher<'a>(
    catchers: Option<&'a [Catcher]>,
    error: &StatesError,
) -> Option<&'a Catcher> {
    catchers
        .unwrap_or_default()
        .iter()
        .find(|c| c.error_equals.iter().any(|p| error.matches(p)))
}

// Retry and Catch around the work of a Task, Parallel or Map state.

/// Runs a state's work under its `Retry` and `Catch`: the work returns the state's output;
/// an error is retried as the retriers say, then caught, else raised.
pub(crate) async fn handled<'s>(
    visit: &Visit<'_>,
    state: &'s State,
    raw: Data,
    cursor: &mut u64,
) -> Result<Step<'s>, StatesError> {
    let transition = state.transition().unwrap_or(&Transition::End);
    let retriers = state.retry().unwrap_or_default();
    let catchers = state.catch().unwrap_or_default();
    if retriers.is_empty() && catchers.is_empty() {
        // Nothing needs the input after the attempt: the attempt may consume it.
        return match attempt(visit, state, Cow::Owned(raw), 0, cursor).await {
            Ok(output) => Ok(follow(transition, output)),
            Err(error) => {
                let error = visit.locate(error, cursor);
                record_failure(visit, state, &error, cursor);
                Err(error)
            }
        };
    }
    let mut retry = RetryState::new(state.retry());
    loop {
        match attempt(visit, state, Cow::Borrowed(&raw), retry.retry_count, cursor).await {
            Ok(output) => return Ok(follow(transition, output)),
            Err(error) => {
                let error = visit.locate(error, cursor);
                if let Some(delay) = retry.next_delay(&error) {
                    if visit.single_step {
                        return Ok(Step::Retriable(error));
                    }
                    retry_pause(visit.shared, *cursor, delay).await?;
                    continue;
                }
                record_failure(visit, state, &error, cursor);
                return match find_catcher(state.catch(), &error) {
                    Some(catcher) => catch(visit, catcher, raw, &error, retry.retry_count),
                    None => Err(error),
                };
            }
        }
    }
}

/// One attempt of the work of a Task, Parallel or Map state, giving the state's output.
/// `raw` is borrowed when Retry or Catch still needs the state's input after the attempt.
pub(crate) async fn attempt(
    visit: &Visit<'_>,
    state: &State,
    raw: Cow<'_, Data>,
    retry_count: u32,
    cursor: &mut u64,
) -> Result<Data, StatesError> {
    if let (true, Some(mock), State::Parallel(_) | State::Map(_)) =
        (visit.single_step, &visit.shared.state_mock, state)
    {
        let context = visit.context(Some(retry_count));
        let result = mock.clone()?;
        return finish(visit, state, raw, result, &context);
    }
    match state {
        State::Task(s) => task::run(visit, state, s, raw, retry_count, cursor).await,
        State::Parallel(s) => parallel(visit, state, s, raw, retry_count, cursor).await,
        State::Map(s) => map::run(visit, state, s, raw, retry_count, cursor).await,
        _ => unreachable!("only Task, Parallel and Map states have Retry and Catch"),
    }
}

/// The pause before a retry, after the failure recorded as event `failed`. A durable execution
/// counts it from that event and commits first, so a restart neither loses nor repeats it; a
/// resumed one skips it when the history shows the next attempt began.
pub(crate) async fn retry_pause(
    shared: &Shared,
    failed: u64,
    delay: std::time::Duration,
) -> Result<(), StatesError> {
    if shared.durable.is_none() {
        shared.clock.sleep(delay).await;
        return Ok(());
    }
    if shared.replay().is_some_and(|r| r.has_successor(failed)) {
        return Ok(());
    }
    shared.commit().await?;
    let from = shared
        .event_millis(failed)
        .unwrap_or_else(|| shared.clock.now_millis());
    shared
        .sleep_until(from.saturating_add(delay.as_millis() as i64))
        .await;
    Ok(())
}

/// A Map or Parallel records its failure once no retry follows; a States.Runtime failure ends
/// the execution with no state event.
pub(crate) fn record_failure(
    visit: &Visit<'_>,
    state: &State,
    error: &StatesError,
    cursor: &mut u64,
) {
    if !error.is_catchable() {
        return;
    }
    let event = match state {
        State::Parallel(_) => "ParallelStateFailed",
        State::Map(_) => "MapStateFailed",
        _ => return,
    };
    visit.shared.emit(cursor, event, error_details(error));
}

/// A catcher's `Assign` replaces the state's; its `ResultPath` (JSONPath) or `Output`
/// (JSONata, the Error Output when absent) gives the state's output.
pub(crate) fn catch<'s>(
    visit: &Visit<'_>,
    catcher: &'s Catcher,
    raw: Data,
    error: &StatesError,
    retry_count: u32,
) -> Result<Step<'s>, StatesError> {
    let error_output = error.to_error_output();
    let context = visit.context(Some(retry_count));
    let output = match visit.fields(&raw, &context) {
        Fields::Jsonata(scope) => {
            let fields = Fields::Jsonata(scope.with_error_output(&error_output));
            visit.assign(catcher.assign.as_ref(), &fields)?;
            match &catcher.output {
                Some(template) => fields.template(template, "Output")?,
                None => error_output,
            }
        }
        Fields::Path(_) => {
            visit.assign(
                catcher.assign.as_ref(),
                &visit.fields(&error_output, &context),
            )?;
            io::result_path(Cow::Owned(raw), error_output, catcher.result_path.as_ref())?
        }
    };
    io::check_size(&output, visit.name)?;
    Ok(Step::Caught {
        next: catcher.next.as_str(),
        output,
        error: error.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::names;

    #[test]
    fn exhausted_retrier_stops_retrying_even_if_a_later_one_matches() {
        let mut first = Retrier::new(["A"]);
        first.max_attempts = Some(1);
        let second = Retrier::new([names::ALL]);
        let retriers = [first, second];
        let mut state = RetryState::new(Some(&retriers));
        let a = StatesError::named("A");
        assert_eq!(state.next_delay(&a), Some(Duration::from_secs(1)));
        assert_eq!(state.next_delay(&a), None);
        assert_eq!(state.retry_count, 1);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let mut r = Retrier::new(["A"]);
        r.interval_seconds = Some(2);
        r.max_delay_seconds = Some(5);
        assert_eq!(delay(&r, 0), Duration::from_secs(2));
        assert_eq!(delay(&r, 1), Duration::from_secs(4));
        assert_eq!(delay(&r, 2), Duration::from_secs(5));
    }

    #[test]
    fn runtime_errors_are_never_retried_or_caught() {
        let retriers = [Retrier::new([names::ALL]), Retrier::new([names::RUNTIME])];
        let mut state = RetryState::new(Some(&retriers));
        assert_eq!(state.next_delay(&StatesError::runtime("bad path")), None);
        let catchers = [Catcher::new([names::RUNTIME], "X")];
        assert!(find_catcher(Some(&catchers), &StatesError::runtime("bad")).is_none());
    }
}
