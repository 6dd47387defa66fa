//! Data pipeline: Validate -> Process -> Store -> Notify, the whole execution limited to five
//! minutes.
//!
//! `cargo run --example data_pipeline` prints the ASL and runs the workflow natively.

use serde::{Deserialize, Serialize};
use stepfn::{task, workflow};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Batch {
    pub source: String,
    pub rows: Vec<i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    pub source: String,
    pub count: usize,
    pub total: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Stored {
    pub key: String,
    pub summary: Summary,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Notice {
    pub text: String,
}

/// Rows must be present; negative values are dropped.
#[task(timeout = "60s")]
async fn validate(batch: Batch) -> Batch {
    Batch {
        rows: batch.rows.into_iter().filter(|r| *r >= 0).collect(),
        ..batch
    }
}

#[task]
async fn process(batch: Batch) -> Summary {
    Summary {
        count: batch.rows.len(),
        total: batch.rows.iter().sum(),
        source: batch.source,
    }
}

#[task]
async fn store(summary: Summary) -> Stored {
    Stored {
        key: format!("summaries/{}.json", summary.source),
        summary,
    }
}

#[task]
async fn notify(stored: Stored) -> Notice {
    Notice {
        text: format!(
            "{} rows from {} stored at {}",
            stored.summary.count, stored.summary.source, stored.key
        ),
    }
}

workflow! {
    /// Validates, processes, stores and announces a batch of rows.
    pub DataPipeline(Batch) -> Notice {
        timeout = "5m";
        start Validate;
        Validate: task validate -> Process;
        Process: task process -> Store;
        Store: task store -> Notify;
        Notify: task notify -> end;
    }
}

fn batch() -> Batch {
    Batch {
        source: "sensors".into(),
        rows: vec![3, -1, 4, 1, 5],
    }
}

#[tokio::main]
async fn main() {
    stepfn_examples::show::<DataPipeline>(batch()).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use stepfn::Workflow;

    #[tokio::test(start_paused = true)]
    async fn runs_the_four_steps_within_five_minutes() {
        let notice = stepfn_examples::check::<DataPipeline>(batch())
            .await
            .unwrap();
        assert_eq!(
            notice.text,
            "4 rows from sensors stored at summaries/sensors.json"
        );
        assert_eq!(DataPipeline::definition().timeout_seconds, Some(300));
    }

    #[tokio::test]
    async fn the_store_is_mocked_with_its_types() {
        let run = DataPipeline::test()
            .mock::<store>(|summary| {
                Ok(Stored {
                    key: format!("mocked/{}.json", summary.source),
                    summary,
                })
            })
            .run(batch())
            .await;
        run.assert_states(&["Validate", "Process", "Store", "Notify"]);
        assert_eq!(
            run.output().text,
            "4 rows from sensors stored at mocked/sensors.json"
        );
        let coverage = stepfn::testing::Coverage::of::<DataPipeline>().report();
        coverage.assert_at_least(100.0);
    }

    #[test]
    fn deploys_cleanly_by_cfn_lint_and_asl_validator() {
        stepfn_examples::tools::check_deploy::<DataPipeline>("data_pipeline");
    }
}
