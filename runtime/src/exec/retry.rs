//! Retry and Catch: which retrier or catcher handles an error, and how long to back off.

use std::time::Duration;

use stepfn_codegen::{Catcher, JitterStrategy, Retrier};

use crate::error::StatesError;

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
