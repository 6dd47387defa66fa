//! What every request handler shares: the engine, and how long and until when they may wait.

use std::time::Duration;

use stepfn::durable::Engine;

/// What every request handler shares.
pub(crate) struct Shared {
    pub(crate) engine: Engine,
    pub(crate) activity_poll: Duration,
    /// Resolves when shutdown begins: long polls end then, instead of holding it up.
    pub(crate) shutting_down: tokio::sync::watch::Receiver<bool>,
}
