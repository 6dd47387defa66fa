//! Workflow variables read back: `$name` in templates, typed as the field `assign` took it
//! from, in JSONPath and JSONata; reads checked against the paths that reach them.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;
use stepfn::exec::{ExecutionOptions, Executor};
use stepfn::{task, workflow, Payload, VirtualClock, Workflow};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Order {
    pub id: String,
    pub customer: Customer,
    pub skus: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub email_address: String,
    pub tier: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Charged {
    pub amount: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Receipt {
    pub order_id: String,
    pub email: String,
    pub amount: u32,
    pub line: String,
}

#[task]
async fn charge(order: Order) -> Charged {
    Charged {
        amount: 10 * order.skus.len() as u32,
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Line {
    pub sku: String,
    pub order_id: String,
    pub email: String,
}

#[task]
async fn label(line: Line) -> String {
    format!("{}/{}/{}", line.order_id, line.sku, line.email)
}

workflow! {
    pub Checkout(Order) -> Receipt {
        start Remember;
        Remember: pass -> Charge assign(order_id = .id, customer = .customer);
        Charge: task charge -> Bill assign(amount = .amount);
        Bill: pass(parameters = Receipt {
            order_id: $order_id,
            email: $customer.email_address,
            amount: $amount,
            line: format("{} for {}", $order_id, $amount)
        }) -> end;
    }
}

workflow! {
    pub CheckoutJsonata(Order) -> Receipt {
        query_language = jsonata;
        start Remember;
        Remember: pass -> Charge assign(order_id = .id, customer = .customer);
        Charge: task charge -> Bill assign(amount = .amount);
        Bill: pass(parameters = Receipt {
            order_id: $order_id,
            email: $customer.email_address,
            amount: $amount,
            line: format("{} for {}", $order_id, $amount)
        }) -> end;
    }
}

workflow! {
    pub Labels(Order) -> Vec<String> {
        start Remember;
        Remember: pass -> Each assign(order_id = .id, customer = .customer);
        Each: map<String>(
            items = .skus,
            item_selector = Line { sku: item, order_id: $order_id, email: $customer.email_address }
        ) -> end {
            start Label;
            Label: task label -> end;
        }
    }
}

fn order() -> Order {
    Order {
        id: "o-9".into(),
        customer: Customer {
            email_address: "ada@example.com".into(),
            tier: 2,
        },
        skus: vec!["a".into(), "b".into()],
    }
}

fn options() -> ExecutionOptions {
    ExecutionOptions::new().with_clock(Arc::new(VirtualClock::starting_at(0)))
}

#[test]
fn reads_are_emitted_as_variable_paths_in_serde_names() {
    let asl: serde_json::Value = serde_json::from_str(&Checkout::asl_json()).unwrap();
    assert_eq!(
        asl["States"]["Bill"]["Parameters"],
        json!({
            "order_id.$": "$order_id",
            "email.$": "$customer.emailAddress",
            "amount.$": "$amount",
            "line.$": "States.Format('{} for {}', $order_id, $amount)"
        })
    );
    assert!(stepfn::validate(Checkout::definition(), &Default::default()).is_empty());
    assert!(stepfn::validate(CheckoutJsonata::definition(), &Default::default()).is_empty());
    assert!(stepfn::validate(Labels::definition(), &Default::default()).is_empty());
}

#[tokio::test(start_paused = true)]
async fn variables_carry_values_across_states() {
    let expected = Receipt {
        order_id: "o-9".into(),
        email: "ada@example.com".into(),
        amount: 20,
        line: "o-9 for 20".into(),
    };
    assert_eq!(
        Checkout::run_with(order(), options()).await.unwrap(),
        expected
    );
    assert_eq!(
        CheckoutJsonata::run_with(order(), options()).await.unwrap(),
        expected
    );
    let labels = vec![
        "o-9/a/ada@example.com".to_string(),
        "o-9/b/ada@example.com".to_string(),
    ];
    assert_eq!(Labels::run_with(order(), options()).await.unwrap(), labels);
    let emitted = Executor::new(stepfn::check(&Labels::asl_json(), &Default::default()).unwrap())
        .run(
            serde_json::to_value(order()).unwrap(),
            options().with_tasks(Labels::tasks()),
        )
        .await;
    assert_eq!(emitted.output, Some(json!(labels)));
}

workflow! {
    pub Tiered(Order) -> Order {
        start Remember;
        Remember: pass -> Decide assign(tier = .customer.tier, email = .customer.email_address);
        Decide: choice {
            when $tier >= 2 && $email != "blocked@example.com" => Gold,
            else => Plain,
        }
        Gold: succeed;
        Plain: fail(error = "Tier.Plain");
    }
}

workflow! {
    pub TieredJsonata(Order) -> Order {
        query_language = jsonata;
        start Remember;
        Remember: pass -> Decide assign(tier = .customer.tier, email = .customer.email_address);
        Decide: choice {
            when $tier >= 2 && $email != "blocked@example.com" => Gold,
            else => Plain,
        }
        Gold: succeed;
        Plain: fail(error = "Tier.Plain");
    }
}

#[tokio::test(start_paused = true)]
async fn choice_rules_read_variables() {
    let asl: serde_json::Value = serde_json::from_str(&Tiered::asl_json()).unwrap();
    assert_eq!(
        asl["States"]["Decide"]["Choices"][0]["And"][0],
        json!({"Variable": "$tier", "NumericGreaterThanEquals": 2})
    );
    assert!(stepfn::validate(Tiered::definition(), &Default::default()).is_empty());
    assert!(stepfn::validate(TieredJsonata::definition(), &Default::default()).is_empty());
    assert!(Tiered::run_with(order(), options()).await.is_ok());
    assert!(TieredJsonata::run_with(order(), options()).await.is_ok());
    let mut plain = order();
    plain.customer.tier = 1;
    assert!(Tiered::run_with(plain.clone(), options()).await.is_err());
    assert!(TieredJsonata::run_with(plain, options()).await.is_err());
    let mut blocked = order();
    blocked.customer.email_address = "blocked@example.com".into();
    assert!(Tiered::run_with(blocked.clone(), options()).await.is_err());
    assert!(TieredJsonata::run_with(blocked, options()).await.is_err());
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Wrapper {
    pub order: Order,
}

workflow! {
    pub FromVariable(Wrapper) -> Vec<String> {
        start Remember;
        Remember: pass -> Each assign(skus = .order.skus, order_id = .order.id);
        Each: map<String>(
            items = $skus,
            item_selector = Line { sku: item, order_id: $order_id, email: "x@example.com" }
        ) -> end {
            start Label2;
            Label2: task label -> end;
        }
    }
}

workflow! {
    pub FromVariableJsonata(Wrapper) -> Vec<String> {
        query_language = jsonata;
        start Remember;
        Remember: pass -> Each assign(skus = .order.skus, order_id = .order.id);
        Each: map<String>(
            items = $skus,
            item_selector = Line { sku: item, order_id: $order_id, email: "x@example.com" }
        ) -> end {
            start Label2;
            Label2: task label -> end;
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_map_iterates_a_variable() {
    let asl: serde_json::Value = serde_json::from_str(&FromVariable::asl_json()).unwrap();
    assert_eq!(asl["States"]["Each"]["ItemsPath"], json!("$skus"));
    assert!(stepfn::validate(FromVariable::definition(), &Default::default()).is_empty());
    assert!(stepfn::validate(FromVariableJsonata::definition(), &Default::default()).is_empty());
    let expected = vec![
        "o-9/a/x@example.com".to_string(),
        "o-9/b/x@example.com".into(),
    ];
    let input = Wrapper { order: order() };
    assert_eq!(
        FromVariable::run_with(input.clone(), options())
            .await
            .unwrap(),
        expected
    );
    assert_eq!(
        FromVariableJsonata::run_with(input, options())
            .await
            .unwrap(),
        expected
    );
}
