//! A Distributed Map's ItemReader options: CSV with given headers and another delimiter, and
//! MaxItems, emitted as ReaderConfig and read the same way natively (S3 being a local folder).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;
use stepfn::exec::ExecutionOptions;
use stepfn::{task, workflow, Payload, VirtualClock, Workflow};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Job {
    pub name: String,
}

/// A CSV row: every value is text.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Row {
    pub sku: String,
    pub qty: String,
}

#[task]
async fn quantity(row: Row) -> String {
    format!("{}x{}", row.qty, row.sku)
}

workflow! {
    pub Stock(Job) -> Vec<String> {
        start Rows;
        Rows: map<Row>(
            mode = distributed,
            reader = s3_csv("stock", "rows.psv", headers = ["sku", "qty"], delimiter = pipe, max_items = 2)
        ) -> end {
            start Quantity;
            Quantity: task quantity -> end;
        }
    }
}

fn s3_root() -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!(
        "stepfn-dsl-reader-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(root.join("stock")).unwrap();
    std::fs::write(root.join("stock/rows.psv"), "apple|3\npear|5\nplum|7\n").unwrap();
    root
}

#[test]
fn reader_options_are_emitted() {
    let asl: serde_json::Value = serde_json::from_str(&Stock::asl_json()).unwrap();
    assert_eq!(
        asl["States"]["Rows"]["ItemReader"]["ReaderConfig"],
        json!({
            "InputType": "CSV",
            "CSVHeaderLocation": "GIVEN",
            "CSVHeaders": ["sku", "qty"],
            "CSVDelimiter": "PIPE",
            "MaxItems": 2
        })
    );
    assert!(stepfn::validate(Stock::definition(), &Default::default()).is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_native_run_reads_the_rows_as_configured() {
    let root = s3_root();
    let options = ExecutionOptions::new()
        .with_clock(Arc::new(VirtualClock::starting_at(0)))
        .with_s3_root(&root);
    let out = Stock::run_with(Job { name: "j".into() }, options)
        .await
        .unwrap();
    assert_eq!(out, vec!["3xapple".to_string(), "5xpear".into()]);
    let _ = std::fs::remove_dir_all(root);
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Batch {
    pub name: String,
    pub rows: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload, Default)]
pub struct Meta {
    pub job: String,
}

#[task]
async fn label_batch(batch: stepfn::ItemBatch<String, Meta>) -> String {
    format!("{}:{}", batch.batch_input.job, batch.items.join("+"))
}

workflow! {
    pub Batched(Batch) -> Vec<String> {
        start Chunks;
        Chunks: map<String>(items = .rows, max_items_per_batch = 2, batch_input = Meta { job: .name }) -> end {
            start LabelBatch;
            LabelBatch: task label_batch -> end;
        }
    }
}

#[tokio::test(start_paused = true)]
async fn every_batch_carries_its_batch_input() {
    let asl: serde_json::Value = serde_json::from_str(&Batched::asl_json()).unwrap();
    assert_eq!(
        asl["States"]["Chunks"]["ItemBatcher"],
        json!({"MaxItemsPerBatch": 2, "BatchInput": {"job.$": "$.name"}})
    );
    assert!(stepfn::validate(Batched::definition(), &Default::default()).is_empty());
    let input = Batch {
        name: "nightly".into(),
        rows: vec!["a".into(), "b".into(), "c".into()],
    };
    let options = ExecutionOptions::new().with_clock(Arc::new(VirtualClock::starting_at(0)));
    let out = Batched::run_with(input, options).await.unwrap();
    assert_eq!(out, vec!["nightly:a+b".to_string(), "nightly:c".into()]);
}
