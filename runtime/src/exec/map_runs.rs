//! Distributed Map runs as the Step Functions API shows them while and after they run:
//! DescribeMapRun's counts, ListMapRuns, and UpdateMapRun's new concurrency and failure
//! tolerance, which the running Map takes up for the child executions it has not started.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;

/// Where a Map Run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapRunStatus {
    /// Its child executions are running.
    Running,
    /// Every child ended, within the failure tolerance, and the results are written.
    Succeeded,
    /// Too many children failed, or its items or results could not be read or written.
    Failed,
    /// Its parent execution stopped.
    Aborted,
}

impl MapRunStatus {
    /// The API's name: `RUNNING`, `SUCCEEDED`, `FAILED`, `ABORTED`.
    pub fn as_str(self) -> &'static str {
        match self {
            MapRunStatus::Running => "RUNNING",
            MapRunStatus::Succeeded => "SUCCEEDED",
            MapRunStatus::Failed => "FAILED",
            MapRunStatus::Aborted => "ABORTED",
        }
    }
}

/// How many items (or child executions) are in each stage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MapRunCounts {
    /// Not started yet.
    pub pending: u64,
    /// Running.
    pub running: u64,
    /// Ended successfully.
    pub succeeded: u64,
    /// Ended with an error.
    pub failed: u64,
    /// Ended by a timeout.
    pub timed_out: u64,
    /// Stopped with their parent.
    pub aborted: u64,
    /// All of them.
    pub total: u64,
    /// Written to the ResultWriter's bucket.
    pub results_written: u64,
}

/// A Map Run, as DescribeMapRun tells of it.
#[derive(Clone, Debug, PartialEq)]
pub struct MapRunInfo {
    /// `arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:ID`.
    pub map_run_arn: String,
    /// The execution whose Map state started it.
    pub execution_arn: String,
    /// The ARN its child executions run under: `...:stateMachine:MACHINE/LABEL`.
    pub state_machine_arn: String,
    /// Where it is.
    pub status: MapRunStatus,
    /// When it started, in milliseconds since the Unix epoch.
    pub start_millis: i64,
    /// When it ended.
    pub stop_millis: Option<i64>,
    /// How many child executions run at once (0: as many as allowed).
    pub max_concurrency: u64,
    /// The share of failed items it tolerates, 0 to 100.
    pub tolerated_failure_percentage: f64,
    /// The number of failed items it tolerates.
    pub tolerated_failure_count: u64,
    /// Its items by stage.
    pub item_counts: MapRunCounts,
    /// Its child executions by stage.
    pub execution_counts: MapRunCounts,
}

/// A child execution of a Map Run, as ListExecutions tells of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapRunChild {
    /// `arn:aws:states:REGION:ACCOUNT:execution:MACHINE/LABEL:NAME`.
    pub execution_arn: String,
    /// Its name: the run's id and the item's index.
    pub name: String,
    /// `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT` or `ABORTED`.
    pub status: &'static str,
    /// When it started, in milliseconds since the Unix epoch.
    pub start_millis: i64,
    /// When it ended.
    pub stop_millis: Option<i64>,
}

/// The Map Runs of every execution that shares this table (an engine's, or one run's).
/// Cheap to clone: clones share the table.
#[derive(Clone, Default)]
pub struct MapRuns {
    runs: Arc<Mutex<HashMap<String, Arc<MapRunEntry>>>>,
}

/// What UpdateMapRun changes; `None` leaves a setting as it is.
#[derive(Clone, Copy, Debug, Default)]
pub struct MapRunUpdate {
    /// How many child executions run at once (0: as many as allowed).
    pub max_concurrency: Option<u64>,
    /// The share of failed items tolerated, 0 to 100.
    pub tolerated_failure_percentage: Option<f64>,
    /// The number of failed items tolerated.
    pub tolerated_failure_count: Option<u64>,
}

pub(crate) struct MapRunEntry {
    info: Mutex<MapRunInfo>,
    /// The child executions started so far, by item index.
    children: Mutex<Vec<Option<MapRunChild>>>,
    /// The tolerance as the Map gave it: a count or a percentage left unset is no limit of
    /// its own, unlike the 0 the API shows for it.
    tolerance: Mutex<Tolerance>,
    /// Woken when a child ends or the concurrency changes: children waiting to start look
    /// again.
    changed: Notify,
    /// The most child executions the engine runs at once in one Map Run.
    cap: u64,
}

impl MapRuns {
    fn runs(&self) -> MutexGuard<'_, HashMap<String, Arc<MapRunEntry>>> {
        self.runs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps `info` (a run starting) and gives the handle its Map state drives it through.
    pub(crate) fn start(
        &self,
        info: MapRunInfo,
        cap: u64,
        tolerance: Tolerance,
    ) -> Arc<MapRunEntry> {
        let entry = MapRunEntry::detached(info, cap, tolerance);
        let arn = entry.info().map_run_arn.clone();
        self.runs().insert(arn, entry.clone());
        entry
    }

    /// DescribeMapRun.
    pub fn describe(&self, map_run_arn: &str) -> Option<MapRunInfo> {
        self.runs().get(map_run_arn).map(|e| e.info().clone())
    }

    /// ListMapRuns: the runs the execution started, oldest first.
    pub fn of_execution(&self, execution_arn: &str) -> Vec<MapRunInfo> {
        let mut runs: Vec<MapRunInfo> = self
            .runs()
            .values()
            .map(|e| e.info().clone())
            .filter(|info| info.execution_arn == execution_arn)
            .collect();
        runs.sort_by(|a, b| {
            (a.start_millis, &a.map_run_arn).cmp(&(b.start_millis, &b.map_run_arn))
        });
        runs
    }

    /// UpdateMapRun: a running Map Run takes the new settings up for the children it has
    /// not started yet; `None` when no run has this ARN.
    pub fn update(&self, map_run_arn: &str, update: MapRunUpdate) -> Option<MapRunInfo> {
        let entry = self.runs().get(map_run_arn).cloned()?;
        let updated = {
            let mut info = entry.info();
            if let Some(n) = update.max_concurrency {
                info.max_concurrency = n;
            }
            let mut tolerance = entry.tolerance.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(p) = update.tolerated_failure_percentage {
                info.tolerated_failure_percentage = p;
                tolerance.percentage = Some(p);
            }
            if let Some(n) = update.tolerated_failure_count {
                info.tolerated_failure_count = n;
                tolerance.count = Some(n);
            }
            info.clone()
        };
        entry.changed.notify_waiters();
        Some(updated)
    }

    /// ListExecutions of a Map Run: its child executions that started, newest first; `None`
    /// when no run has this ARN.
    pub fn children(&self, map_run_arn: &str) -> Option<Vec<MapRunChild>> {
        let entry = self.runs().get(map_run_arn).cloned()?;
        let children = entry.children.lock().unwrap_or_else(|e| e.into_inner());
        let mut started: Vec<MapRunChild> = children.iter().flatten().cloned().collect();
        started.sort_by(|a, b| (b.start_millis, &b.name).cmp(&(a.start_millis, &a.name)));
        Some(started)
    }

    /// Forgets the runs of `execution_arn` (its records are gone).
    pub fn forget_execution(&self, execution_arn: &str) {
        self.runs()
            .retain(|_, e| e.info().execution_arn != execution_arn);
    }
}

/// How many failed items a Distributed Map tolerates: by count, by percentage, or (neither
/// given) none.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Tolerance {
    pub count: Option<u64>,
    pub percentage: Option<f64>,
}

impl Tolerance {
    /// Whether `failed` of `total` items is more than it tolerates.
    pub fn exceeded(self, failed: usize, total: usize) -> bool {
        if failed == 0 {
            return false;
        }
        let by_count = self.count.map(|c| failed as u64 > c);
        let by_percentage = self
            .percentage
            .map(|p| failed as f64 * 100.0 / total.max(1) as f64 > p);
        match (by_count, by_percentage) {
            (None, None) => true,
            (a, b) => a.unwrap_or(false) || b.unwrap_or(false),
        }
    }
}

impl MapRunEntry {
    /// A run no table keeps (an execution given no [`MapRuns`]): it still gates its
    /// children and counts them.
    pub(crate) fn detached(mut info: MapRunInfo, cap: u64, tolerance: Tolerance) -> Arc<Self> {
        info.tolerated_failure_count = tolerance.count.unwrap_or(0);
        info.tolerated_failure_percentage = tolerance.percentage.unwrap_or(0.0);
        Arc::new(MapRunEntry {
            info: Mutex::new(info),
            children: Mutex::new(Vec::new()),
            tolerance: Mutex::new(tolerance),
            changed: Notify::new(),
            cap,
        })
    }

    pub(crate) fn info(&self) -> MutexGuard<'_, MapRunInfo> {
        self.info.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn limit(&self, info: &MapRunInfo) -> u64 {
        match info.max_concurrency {
            0 => self.cap,
            n => n.min(self.cap),
        }
    }

    /// Waits until fewer children run than the run's concurrency allows (as it is now: an
    /// update lets more start, or holds back the next ones), then counts one more running.
    pub(crate) async fn enter(&self, items: u64) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            {
                let mut info = self.info();
                if info.execution_counts.running < self.limit(&info) {
                    let counts = &mut info.execution_counts;
                    counts.pending = counts.pending.saturating_sub(1);
                    counts.running += 1;
                    let items_now = &mut info.item_counts;
                    items_now.pending = items_now.pending.saturating_sub(items);
                    items_now.running += items;
                    return;
                }
            }
            changed.await;
        }
    }

    /// A child of `items` items ended: succeeded, or failed with `error`.
    pub(crate) fn leave(&self, items: u64, error: Option<&str>) {
        {
            let mut guard = self.info();
            let info = &mut *guard;
            for (counts, n) in [
                (&mut info.execution_counts, 1),
                (&mut info.item_counts, items),
            ] {
                counts.running = counts.running.saturating_sub(n);
                match error {
                    None => counts.succeeded += n,
                    Some(crate::error::names::TIMEOUT) => counts.timed_out += n,
                    Some(_) => counts.failed += n,
                }
            }
        }
        self.changed.notify_waiters();
    }

    /// The tolerance as it is now (UpdateMapRun may have changed it).
    pub(crate) fn tolerance(&self) -> Tolerance {
        *self.tolerance.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The child execution of item `index` started.
    pub(crate) fn child_started(&self, index: usize, arn: &str, name: &str, now: i64) {
        let mut children = self.children.lock().unwrap_or_else(|e| e.into_inner());
        if children.len() <= index {
            children.resize(index + 1, None);
        }
        children[index] = Some(MapRunChild {
            execution_arn: arn.to_string(),
            name: name.to_string(),
            status: "RUNNING",
            start_millis: now,
            stop_millis: None,
        });
    }

    /// The child execution of item `index` ended: succeeded, or failed with `error`.
    pub(crate) fn child_ended(&self, index: usize, error: Option<&str>, now: i64) {
        let mut children = self.children.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(Some(child)) = children.get_mut(index) {
            child.status = match error {
                None => "SUCCEEDED",
                Some(crate::error::names::TIMEOUT) => "TIMED_OUT",
                Some(_) => "FAILED",
            };
            child.stop_millis = Some(now);
        }
    }

    /// The run has `children` child executions holding `items` items, none started.
    pub(crate) fn plan(&self, children: u64, items: u64) {
        let mut info = self.info();
        info.execution_counts.pending = children;
        info.execution_counts.total = children;
        info.item_counts.pending = items;
        info.item_counts.total = items;
    }

    /// The run ended with `status` at `now`; `written` results went to the ResultWriter.
    /// A run already ended stays as it ended.
    pub(crate) fn end(&self, status: MapRunStatus, now: i64, written: u64) {
        let mut info = self.info();
        if info.status != MapRunStatus::Running {
            return;
        }
        info.status = status;
        info.stop_millis = Some(now);
        info.item_counts.results_written = written;
        info.execution_counts.results_written = written;
        if status == MapRunStatus::Aborted {
            let mut children = self.children.lock().unwrap_or_else(|e| e.into_inner());
            for child in children.iter_mut().flatten() {
                if child.status == "RUNNING" {
                    child.status = "ABORTED";
                    child.stop_millis = Some(now);
                }
            }
            let info = &mut *info;
            for counts in [&mut info.execution_counts, &mut info.item_counts] {
                counts.aborted += counts.running + counts.pending;
                counts.running = 0;
                counts.pending = 0;
            }
        }
    }
}
