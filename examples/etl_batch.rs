//! ETL batch: a Distributed Map reads customer records from a file in S3 (ItemReader), cleans
//! each one in its own child execution, and tolerates a few bad records; a last step counts
//! what loaded.
//!
//! Natively, S3 is the `s3/` folder next to this file (`s3/etl-input/records.json`).
//!
//! `cargo run --example etl_batch` prints the ASL and runs the workflow natively.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use stepfn::exec::ExecutionOptions;
use stepfn::{task, workflow, TaskError};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Job {
    pub run: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Record {
    pub id: u32,
    pub name: String,
    pub email: String,
    pub country: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Clean {
    pub id: u32,
    pub email: String,
    pub domestic: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Loaded {
    pub loaded: usize,
    pub rejected: usize,
}

#[derive(Debug, TaskError)]
pub enum RecordError {
    #[task_error(name = "Record.Invalid")]
    Invalid(String),
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let RecordError::Invalid(why) = self;
        f.write_str(why)
    }
}

#[task]
async fn clean(record: Record) -> Result<Clean, RecordError> {
    if !record.email.contains('@') {
        return Err(RecordError::Invalid(format!(
            "record {} has no valid email",
            record.id
        )));
    }
    Ok(Clean {
        id: record.id,
        email: record.email.to_lowercase(),
        domestic: record.country == "US",
    })
}

/// Failed records come back as their Error Output; the rest as cleaned records.
#[task]
async fn count(results: Value) -> Loaded {
    let items = results.as_array().cloned().unwrap_or_default();
    let rejected = items.iter().filter(|r| r.get("Error").is_some()).count();
    Loaded {
        loaded: items.len() - rejected,
        rejected,
    }
}

workflow! {
    /// Cleans and loads the customer records of one file.
    pub EtlBatch(Job) -> Loaded {
        start CleanRecords;
        CleanRecords: map<Record>(
            mode = distributed,
            reader = s3_json("etl-input", "records.json"),
            max_concurrency = 5,
            tolerated_failure_percentage = 20
        ) -> Count {
            start Clean;
            Clean: task clean -> end;
        }
        Count: task count -> end;
    }
}

fn local_s3() -> ExecutionOptions {
    stepfn_examples::virtual_time().with_s3_root(concat!(env!("CARGO_MANIFEST_DIR"), "/s3"))
}

fn job() -> Job {
    Job {
        run: "2026-11-21".into(),
    }
}

#[tokio::main]
async fn main() {
    stepfn_examples::show_with::<EtlBatch>(job(), local_s3).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use stepfn::Workflow;

    #[tokio::test(start_paused = true)]
    async fn loads_the_good_records_and_tolerates_the_bad_one() {
        let loaded = stepfn_examples::check_with::<EtlBatch>(job(), local_s3)
            .await
            .unwrap();
        assert_eq!(
            loaded,
            Loaded {
                loaded: 9,
                rejected: 1
            }
        );
        let asl: serde_json::Value = serde_json::from_str(&EtlBatch::asl_json()).unwrap();
        let map = &asl["States"]["CleanRecords"];
        assert_eq!(map["ItemReader"]["Parameters"]["Key"], "records.json");
        assert_eq!(map["ToleratedFailurePercentage"], 20.0);
        assert_eq!(
            map["ItemProcessor"]["ProcessorConfig"]["Mode"],
            "DISTRIBUTED"
        );
    }

    #[tokio::test]
    async fn a_bad_record_is_tolerated_and_too_many_are_not() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/s3");
        let run = EtlBatch::test().with_s3_root(root).run(job()).await;
        assert_eq!(
            run.output(),
            Loaded {
                loaded: 9,
                rejected: 1
            }
        );
        // Every record rejected: more than the 20 % tolerated.
        let strict = EtlBatch::test()
            .with_s3_root(root)
            .mock::<clean>(|record| Err(RecordError::Invalid(format!("record {}", record.id))))
            .run(job())
            .await;
        strict.assert_error_name("States.ExceedToleratedFailureThreshold");
    }

    #[test]
    fn deploys_cleanly_by_cfn_lint_and_asl_validator() {
        stepfn_examples::tools::check_deploy::<EtlBatch>("etl_batch");
    }
}
