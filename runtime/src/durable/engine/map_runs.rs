//! DescribeMapRun, ListMapRuns and UpdateMapRun over the Distributed Map runs of the
//! executions this engine runs (kept while the process lives).

use super::{check_arn, Engine, EngineError};
use crate::exec::{MapRunChild, MapRunInfo, MapRunUpdate};

impl Engine {
    /// DescribeMapRun.
    pub fn describe_map_run(&self, map_run_arn: &str) -> Result<MapRunInfo, EngineError> {
        check_arn(map_run_arn, "mapRun")?;
        self.inner.map_runs.describe(map_run_arn).ok_or_else(|| {
            EngineError::ResourceNotFound(format!("Resource not found: '{map_run_arn}'"))
        })
    }

    /// ListMapRuns: the runs the execution's Distributed Map states started, oldest first.
    pub fn list_map_runs(&self, execution_arn: &str) -> Result<Vec<MapRunInfo>, EngineError> {
        self.describe_execution(execution_arn)?;
        Ok(self.inner.map_runs.of_execution(execution_arn))
    }

    /// ListExecutions of a Map Run: its child executions that started, newest first.
    pub fn list_map_run_executions(
        &self,
        map_run_arn: &str,
    ) -> Result<Vec<MapRunChild>, EngineError> {
        check_arn(map_run_arn, "mapRun")?;
        self.inner.map_runs.children(map_run_arn).ok_or_else(|| {
            EngineError::ResourceNotFound(format!("Resource not found: '{map_run_arn}'"))
        })
    }

    /// UpdateMapRun: a new concurrency or failure tolerance for the children the run has not
    /// started; an ended run is left as it is.
    pub fn update_map_run(
        &self,
        map_run_arn: &str,
        update: MapRunUpdate,
    ) -> Result<MapRunInfo, EngineError> {
        check_arn(map_run_arn, "mapRun")?;
        if update.max_concurrency.is_none()
            && update.tolerated_failure_percentage.is_none()
            && update.tolerated_failure_count.is_none()
        {
            return Err(EngineError::Validation(
                "At least one of maxConcurrency, toleratedFailurePercentage or toleratedFailureCount must be specified".into(),
            ));
        }
        if update
            .tolerated_failure_percentage
            .is_some_and(|p| !(0.0..=100.0).contains(&p))
        {
            return Err(EngineError::Validation(
                "1 validation error detected: Value at 'toleratedFailurePercentage' failed to satisfy constraint: Member must have value between 0 and 100".into(),
            ));
        }
        self.inner
            .map_runs
            .update(map_run_arn, update)
            .ok_or_else(|| {
                EngineError::ResourceNotFound(format!("Resource not found: '{map_run_arn}'"))
            })
    }
}
