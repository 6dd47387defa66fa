//! Intrinsic functions in templates: typed by rustc, emitted as `States.*` calls in JSONPath
//! and as their JSONata equivalents, giving the same values in both.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;
use stepfn::exec::{ExecutionOptions, Executor};
use stepfn::{workflow, Payload, VirtualClock, Workflow};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Order {
    pub id: String,
    pub attempt: u32,
    pub skus: Vec<String>,
    pub tags: String,
    pub extra: serde_json::Value,
    pub note: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Derived {
    pub title: String,
    pub request_id: String,
    pub batches: Vec<Vec<String>>,
    pub count: u64,
    pub next_attempt: u32,
    pub digest: String,
    pub encoded: String,
    pub decoded: String,
    pub text: String,
    pub parsed: serde_json::Value,
    pub merged: serde_json::Value,
    pub tags: Vec<String>,
    pub has_b: bool,
    pub second: String,
    pub unique: Vec<String>,
    pub range: Vec<i64>,
    pub pair: serde_json::Value,
    pub execution: String,
}

workflow! {
    pub Derive(Order) -> Derived {
        start Shape;
        Shape: pass(parameters = Derived {
            title: format("Order {} (attempt {})", .id, .attempt),
            request_id: uuid(),
            batches: array_partition(.skus, 2),
            count: array_length(.skus),
            next_attempt: math_add(.attempt, 1),
            digest: hash(.id, "SHA-256"),
            encoded: base64_encode(.id),
            decoded: base64_decode(base64_encode(.id)),
            text: json_to_string(.skus),
            parsed: string_to_json(.note),
            merged: json_merge(.extra, string_to_json(.note)),
            tags: string_split(.tags, ","),
            has_b: array_contains(.skus, "b"),
            second: array_get_item(.skus, 1),
            unique: array_unique(.skus),
            range: array_range(1, 7, 2),
            pair: array(.id, 2),
            execution: format("{}", context.execution.name)
        }) -> end;
    }
}

workflow! {
    pub DeriveJsonata(Order) -> Derived {
        query_language = jsonata;
        start Shape;
        Shape: pass(parameters = Derived {
            title: format("Order {} (attempt {})", .id, .attempt),
            request_id: uuid(),
            batches: array_partition(.skus, 2),
            count: array_length(.skus),
            next_attempt: math_add(.attempt, 1),
            digest: hash(.id, "SHA-256"),
            encoded: base64_encode(.id),
            decoded: base64_decode(base64_encode(.id)),
            text: json_to_string(.skus),
            parsed: string_to_json(.note),
            merged: json_merge(.extra, string_to_json(.note)),
            tags: string_split(.tags, ","),
            has_b: array_contains(.skus, "b"),
            second: array_get_item(.skus, 1),
            unique: array_unique(.skus),
            range: array_range(1, 7, 2),
            pair: array(.id, 2),
            execution: format("{}", context.execution.name)
        }) -> end;
    }
}

fn order() -> Order {
    Order {
        id: "o-7".into(),
        attempt: 2,
        skus: vec!["a".into(), "b".into(), "c".into(), "a".into()],
        tags: "red,blue".into(),
        extra: json!({"gift": true, "lang": "en"}),
        note: r#"{"lang": "fr"}"#.into(),
    }
}

fn options() -> ExecutionOptions {
    ExecutionOptions::new().with_clock(Arc::new(VirtualClock::starting_at(0)))
}

#[test]
fn calls_are_emitted_as_states_functions() {
    let asl: serde_json::Value = serde_json::from_str(&Derive::asl_json()).unwrap();
    let p = &asl["States"]["Shape"]["Parameters"];
    assert_eq!(
        p["title.$"],
        "States.Format('Order {} (attempt {})', $.id, $.attempt)"
    );
    assert_eq!(p["request_id.$"], "States.UUID()");
    assert_eq!(p["batches.$"], "States.ArrayPartition($.skus, 2)");
    assert_eq!(p["digest.$"], "States.Hash($.id, 'SHA-256')");
    assert_eq!(
        p["decoded.$"],
        "States.Base64Decode(States.Base64Encode($.id))"
    );
    assert_eq!(
        p["merged.$"],
        "States.JsonMerge($.extra, States.StringToJson($.note), false)"
    );
    assert_eq!(p["execution.$"], "States.Format('{}', $$.Execution.Name)");
    assert!(stepfn::validate(Derive::definition(), &Default::default()).is_empty());
    assert!(stepfn::validate(DeriveJsonata::definition(), &Default::default()).is_empty());
}

fn check(d: &Derived) {
    assert_eq!(d.title, "Order o-7 (attempt 2)");
    assert_eq!(d.request_id.len(), 36);
    assert_eq!(
        d.batches,
        vec![
            vec!["a".to_string(), "b".into()],
            vec!["c".into(), "a".into()]
        ]
    );
    assert_eq!(d.count, 4);
    assert_eq!(d.next_attempt, 3);
    assert_eq!(d.digest.len(), 64);
    assert_eq!(d.encoded, "by03");
    assert_eq!(d.decoded, "o-7");
    assert_eq!(d.text, r#"["a","b","c","a"]"#);
    assert_eq!(d.parsed, json!({"lang": "fr"}));
    assert_eq!(d.merged, json!({"gift": true, "lang": "fr"}));
    assert_eq!(d.tags, vec!["red".to_string(), "blue".into()]);
    assert!(d.has_b);
    assert_eq!(d.second, "b");
    assert_eq!(d.unique, vec!["a".to_string(), "b".into(), "c".into()]);
    assert_eq!(d.range, vec![1, 3, 5, 7]);
    assert_eq!(d.pair, json!(["o-7", 2]));
    assert!(!d.execution.is_empty());
}

#[tokio::test(start_paused = true)]
async fn both_query_languages_compute_the_same_values() {
    let jsonpath = Derive::run_with(order(), options()).await.unwrap();
    check(&jsonpath);
    let jsonata = DeriveJsonata::run_with(order(), options()).await.unwrap();
    check(&jsonata);
    assert_eq!(jsonpath.digest, jsonata.digest);
    let emitted = Executor::new(stepfn::check(&Derive::asl_json(), &Default::default()).unwrap())
        .run(serde_json::to_value(order()).unwrap(), options())
        .await;
    let from_asl: Derived = serde_json::from_value(emitted.output.unwrap()).unwrap();
    check(&from_asl);
}
