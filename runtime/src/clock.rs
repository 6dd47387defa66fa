//! Time, behind a trait: the system clock in production, a virtual clock in tests so that
//! Wait states, timeouts and retry backoff cost nothing.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::future::BoxFuture;

/// Where an execution reads the time and how it waits.
pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since the Unix epoch.
    fn now_millis(&self) -> i64;

    /// Completes once `duration` has passed on this clock.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// The system clock: real time, real waiting.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl SystemClock {
    /// The system clock as an execution option; every call shares one allocation.
    pub fn shared() -> Arc<dyn Clock> {
        static SHARED: std::sync::LazyLock<Arc<dyn Clock>> =
            std::sync::LazyLock::new(|| Arc::new(SystemClock));
        SHARED.clone()
    }
}

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        recent_millis()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

fn system_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64 * 1000 + i64::from(d.subsec_millis()))
        .unwrap_or(0)
}

/// Time-stamp-counter ticks within which a thread's last reading of the system clock is used
/// again: at most 50 µs on any counter of 1 GHz or more.
#[cfg(target_arch = "x86_64")]
const REUSE_TICKS: u64 = 50_000;

/// The system time in milliseconds, read at most ~50 µs ago. An execution records a history
/// event (with its time) for every step, and reading the system clock cost a tenth of a short
/// execution (profiled); the time-stamp counter, a few nanoseconds to read, tells whether this
/// thread's last reading is recent enough to stand. A counter that went backwards (another
/// core) just means a fresh reading.
#[cfg(target_arch = "x86_64")]
fn recent_millis() -> i64 {
    use std::cell::Cell;
    thread_local! {
        static LAST: Cell<(u64, i64)> = const { Cell::new((0, 0)) };
    }
    // SAFETY: every x86_64 processor has RDTSC.
    let ticks = unsafe { std::arch::x86_64::_rdtsc() };
    LAST.with(|last| {
        let (at, millis) = last.get();
        if at != 0 && ticks.wrapping_sub(at) < REUSE_TICKS {
            return millis;
        }
        let millis = system_millis();
        last.set((ticks, millis));
        millis
    })
}

#[cfg(not(target_arch = "x86_64"))]
fn recent_millis() -> i64 {
    system_millis()
}

/// A virtual clock: time starts at a chosen instant and moves only when every task of the
/// runtime is waiting, then jumps straight to the next timer. Needs the `virtual-clock`
/// feature.
///
/// It is built on tokio's paused time, so it needs a current-thread runtime started paused
/// (`#[tokio::test(start_paused = true)]`, or [`virtual_runtime`]). Anything else that waits
/// on the same runtime (a handler awaiting a socket, say) lets time jump too: use it for
/// workflows whose tasks answer from memory, as tests do.
#[cfg(feature = "virtual-clock")]
#[derive(Clone, Debug)]
pub struct VirtualClock {
    start_millis: i64,
    origin: tokio::time::Instant,
}

#[cfg(feature = "virtual-clock")]
impl VirtualClock {
    /// A clock reading `start_millis` now. Call it inside the paused runtime.
    pub fn starting_at(start_millis: i64) -> Self {
        VirtualClock {
            start_millis,
            origin: tokio::time::Instant::now(),
        }
    }

    /// A clock reading the current system time now.
    pub fn starting_now() -> Self {
        VirtualClock::starting_at(SystemClock.now_millis())
    }
}

#[cfg(feature = "virtual-clock")]
impl Clock for VirtualClock {
    fn now_millis(&self) -> i64 {
        self.start_millis + self.origin.elapsed().as_millis() as i64
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A current-thread tokio runtime with paused time, for [`VirtualClock`].
#[cfg(feature = "virtual-clock")]
pub fn virtual_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_time_jumps_when_idle() {
        let rt = virtual_runtime().unwrap();
        rt.block_on(async {
            let clock = VirtualClock::starting_at(1_000);
            let real = std::time::Instant::now();
            clock.sleep(Duration::from_secs(86_400)).await;
            assert_eq!(clock.now_millis(), 1_000 + 86_400_000);
            assert!(real.elapsed() < Duration::from_secs(5));
        });
    }

    #[test]
    fn system_clock_readings_are_recent() {
        let mut previous = SystemClock.now_millis();
        for _ in 0..10_000 {
            let now = SystemClock.now_millis();
            assert!(now >= previous);
            previous = now;
        }
        // A reading is never older than the reuse window (50 µs), well under a millisecond
        // of the system time read just before or after.
        let before = system_millis();
        let ours = SystemClock.now_millis();
        std::thread::sleep(Duration::from_millis(3));
        let later = SystemClock.now_millis();
        assert!(ours >= before - 1);
        assert!(
            later >= ours + 2,
            "a reading 3 ms later moved on: {ours} -> {later}"
        );
    }
}
