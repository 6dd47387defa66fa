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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packing: Option<Packing>,
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
        packing: None,
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

/// What `result_selector` builds from a Map's or a Parallel's result.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Packing {
    pub boxes: u32,
    pub sizes: Vec<u32>,
    pub order_id: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Checked {
    pub results: (bool, u32),
    pub state: String,
}

workflow! {
    pub CheckSummary(Order) -> Checked {
        start Check;
        Check: parallel(result_selector = Checked { results: ., state: context.state.name }) -> end {
            branch {
                start Stock;
                Stock: task in_stock -> end;
            }
            branch {
                start Count;
                Count: task count -> end;
            }
        }
    }
}

workflow! {
    pub PackSummary(Order) -> Order {
        start Remember;
        Remember: pass -> Pack assign(order_id = .id);
        Pack: map<String>(
            items = .skus,
            result_selector = Packing { boxes: array_length(.), sizes: ., order_id: $order_id },
            result_path = .packing
        ) -> end {
            start PackOne;
            PackOne: task pack -> end;
        }
    }
}

workflow! {
    pub PackSummaryJsonata(Order) -> Order {
        query_language = jsonata;
        start Remember;
        Remember: pass -> Pack assign(order_id = .id);
        Pack: map<String>(
            items = .skus,
            result_selector = Packing { boxes: array_length(.), sizes: ., order_id: $order_id },
            result_path = .packing
        ) -> end {
            start PackOne;
            PackOne: task pack -> end;
        }
    }
}

#[tokio::test(start_paused = true)]
async fn result_selector_builds_from_a_map_or_parallel_result() {
    let asl: serde_json::Value = serde_json::from_str(&PackSummary::asl_json()).unwrap();
    assert_eq!(
        asl["States"]["Pack"]["ResultSelector"],
        json!({"boxes.$": "States.ArrayLength($)", "sizes.$": "$", "order_id.$": "$order_id"})
    );
    let parallel: serde_json::Value = serde_json::from_str(&CheckSummary::asl_json()).unwrap();
    assert_eq!(
        parallel["States"]["Check"]["ResultSelector"],
        json!({"results.$": "$", "state.$": "$$.State.Name"})
    );
    let expected = Packing {
        boxes: 2,
        sizes: vec![2, 3],
        order_id: "o-1".into(),
    };
    for packed in [
        PackSummary::run_with(order(), options()).await.unwrap(),
        PackSummaryJsonata::run_with(order(), options())
            .await
            .unwrap(),
    ] {
        assert_eq!(packed.packing, Some(expected.clone()));
        assert_eq!(packed.skus, order().skus);
    }
    let emitted =
        Executor::new(stepfn::check(&PackSummaryJsonata::asl_json(), &Default::default()).unwrap())
            .run(
                serde_json::to_value(order()).unwrap(),
                options().with_tasks(PackSummary::tasks()),
            )
            .await;
    let emitted: Order = serde_json::from_value(emitted.output.unwrap()).unwrap();
    assert_eq!(emitted.packing, Some(expected));
    assert_eq!(
        CheckSummary::run_with(order(), options()).await.unwrap(),
        Checked {
            results: (true, 2),
            state: "Check".into()
        }
    );
}
