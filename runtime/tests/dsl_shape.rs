//! Map and Parallel shape their data as Task does: `result_path` keeps the state's input with
//! the result in it, `output` passes a part on with its type; JSONPath and JSONata alike.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;
use stepfn::exec::{ExecutionOptions, Executor};
use stepfn::{task, workflow, Payload, VirtualClock, Workflow};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Order {
    pub id: String,
    pub skus: Vec<String>,
    #[serde(default)]
    pub packed: Vec<u32>,
    #[serde(default)]
    pub checks: Option<(bool, u32)>,
}

#[task]
async fn pack(sku: String) -> u32 {
    sku.len() as u32
}

#[task]
async fn in_stock(order: Order) -> bool {
    !order.skus.is_empty()
}

#[task]
async fn count(order: Order) -> u32 {
    order.skus.len() as u32
}

workflow! {
    pub Fulfil(Order) -> Vec<u32> {
        start Check;
        Check: parallel(result_path = .checks) -> Pack {
            branch {
                start Stock;
                Stock: task in_stock -> end;
            }
            branch {
                start Count;
                Count: task count -> end;
            }
        }
        Pack: map<String>(items = .skus, result_path = .packed, output = .packed as Vec<u32>) -> end {
            start PackOne;
            PackOne: task pack -> end;
        }
    }
}

workflow! {
    pub FulfilJsonata(Order) -> Vec<u32> {
        query_language = jsonata;
        start Check;
        Check: parallel(result_path = .checks) -> Pack {
            branch {
                start Stock;
                Stock: task in_stock -> end;
            }
            branch {
                start Count;
                Count: task count -> end;
            }
        }
        Pack: map<String>(items = .skus, result_path = .packed, output = .packed as Vec<u32>) -> end {
            start PackOne;
            PackOne: task pack -> end;
        }
    }
}

workflow! {
    pub KeepAll(Order) -> Order {
        start Pack;
        Pack: map<String>(items = .skus, result_path = .packed) -> end {
            start PackOne;
            PackOne: task pack -> end;
        }
    }
}

fn order() -> Order {
    Order {
        id: "o-1".into(),
        skus: vec!["ab".into(), "cde".into()],
        packed: Vec::new(),
        checks: None,
    }
}

fn options() -> ExecutionOptions {
    ExecutionOptions::new().with_clock(Arc::new(VirtualClock::starting_at(0)))
}

#[test]
fn result_path_and_output_are_emitted() {
    let asl: serde_json::Value = serde_json::from_str(&Fulfil::asl_json()).unwrap();
    assert_eq!(asl["States"]["Check"]["ResultPath"], json!("$.checks"));
    assert_eq!(asl["States"]["Pack"]["ResultPath"], json!("$.packed"));
    assert_eq!(asl["States"]["Pack"]["OutputPath"], json!("$.packed"));
    assert!(stepfn::validate(Fulfil::definition(), &Default::default()).is_empty());
    assert!(stepfn::validate(FulfilJsonata::definition(), &Default::default()).is_empty());
    let jsonata: serde_json::Value = serde_json::from_str(&FulfilJsonata::asl_json()).unwrap();
    assert!(jsonata["States"]["Pack"]["Output"].is_string());
}

#[tokio::test(start_paused = true)]
async fn the_input_is_kept_and_the_part_passed_on() {
    assert_eq!(
        Fulfil::run_with(order(), options()).await.unwrap(),
        vec![2, 3]
    );
    assert_eq!(
        FulfilJsonata::run_with(order(), options()).await.unwrap(),
        vec![2, 3]
    );
    let kept = KeepAll::run_with(order(), options()).await.unwrap();
    assert_eq!(kept.packed, vec![2, 3]);
    assert_eq!(kept.skus, order().skus);
    let emitted = Executor::new(stepfn::check(&Fulfil::asl_json(), &Default::default()).unwrap())
        .run(
            serde_json::to_value(order()).unwrap(),
            options().with_tasks(Fulfil::tasks()),
        )
        .await;
    assert_eq!(emitted.output, Some(json!([2, 3])));
}
