//! Choice rules over enums, `Option` fields and user types: `.status == Status::Shipped`
//! compares with what serde writes for the variant, in JSONPath and JSONata alike.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;
use stepfn::exec::{ExecutionOptions, Executor};
use stepfn::{workflow, Payload, VirtualClock, Workflow};

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Pending,
    Shipped,
    Lost,
}

/// A user type that serialises as a bare string and opts in as a string operand.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(transparent)]
pub struct Carrier(String);

impl stepfn::dsl::operand::StringOperand for Carrier {}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Parcel {
    pub status: Status,
    pub previous: Option<Status>,
    pub carrier: Carrier,
}

workflow! {
    pub Route(Parcel) -> Parcel {
        start Decide;
        Decide: choice {
            when .status == Status::Shipped && .previous != Status::Lost => Delivered,
            when .status == Status::Lost || .carrier == "pigeon" => Missing,
            else => Waiting,
        }
        Delivered: succeed;
        Waiting: succeed;
        Missing: fail(error = "Parcel.Missing");
    }
}

workflow! {
    pub RouteJsonata(Parcel) -> Parcel {
        query_language = jsonata;
        start Decide;
        Decide: choice {
            when .status == Status::Shipped && .previous != Status::Lost => Delivered,
            when .status == Status::Lost || .carrier == "pigeon" => Missing,
            else => Waiting,
        }
        Delivered: succeed;
        Waiting: succeed;
        Missing: fail(error = "Parcel.Missing");
    }
}

fn parcel(status: Status, previous: Option<Status>, carrier: &str) -> Parcel {
    Parcel {
        status,
        previous,
        carrier: Carrier(carrier.into()),
    }
}

fn options() -> ExecutionOptions {
    ExecutionOptions::new().with_clock(Arc::new(VirtualClock::starting_at(0)))
}

#[test]
fn a_variant_is_compared_as_the_string_serde_writes() {
    let asl: serde_json::Value = serde_json::from_str(&Route::asl_json()).unwrap();
    let first = &asl["States"]["Decide"]["Choices"][0];
    assert_eq!(
        first["And"][0],
        json!({"Variable": "$.status", "StringEquals": "SHIPPED"})
    );
    assert_eq!(
        first["And"][1],
        json!({"Not": {"Variable": "$.previous", "StringEquals": "LOST"}})
    );
    assert!(stepfn::validate(Route::definition(), &Default::default()).is_empty());
    assert!(stepfn::validate(RouteJsonata::definition(), &Default::default()).is_empty());
    let jsonata = RouteJsonata::asl_json();
    assert!(
        jsonata.contains("SHIPPED") && jsonata.contains("LOST"),
        "{jsonata}"
    );
}

/// Which state each parcel ends in, natively, in JSONata and from the emitted ASL.
#[tokio::test(start_paused = true)]
async fn rules_route_by_variant_option_and_user_type() {
    let cases = [
        (parcel(Status::Shipped, None, "post"), "Delivered"),
        (
            parcel(Status::Shipped, Some(Status::Pending), "post"),
            "Delivered",
        ),
        (
            parcel(Status::Shipped, Some(Status::Lost), "post"),
            "Waiting",
        ),
        (parcel(Status::Lost, None, "post"), "Missing"),
        (parcel(Status::Pending, None, "pigeon"), "Missing"),
        (parcel(Status::Pending, None, "post"), "Waiting"),
    ];
    let emitted = Executor::new(stepfn::check(&Route::asl_json(), &Default::default()).unwrap());
    for (input, expected) in cases {
        let native = Route::run_with(input.clone(), options()).await;
        let jsonata = RouteJsonata::run_with(input.clone(), options()).await;
        let from_asl = emitted
            .run(serde_json::to_value(&input).unwrap(), options())
            .await;
        if expected == "Missing" {
            assert!(native.is_err(), "{input:?}");
            assert!(jsonata.is_err(), "{input:?}");
            assert_eq!(
                from_asl.error.as_deref(),
                Some("Parcel.Missing"),
                "{input:?}"
            );
        } else {
            assert_eq!(native.unwrap(), input);
            assert_eq!(jsonata.unwrap(), input);
            let last_state = from_asl
                .history
                .iter()
                .filter(|e| e.event_type.ends_with("StateEntered"))
                .filter_map(|e| e.state_name())
                .next_back()
                .map(str::to_string);
            assert_eq!(last_state.as_deref(), Some(expected), "{input:?}");
        }
    }
}
