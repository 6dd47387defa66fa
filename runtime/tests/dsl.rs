//! The Rust DSL end to end: a workflow using every state kind emits ASL the validator accepts,
//! runs natively with its task functions, and gives the same result as its emitted ASL run by
//! the executor with the same handlers.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;
use stepfn::exec::{ExecutionOptions, Executor};
use stepfn::{task, workflow, Payload, TaskError, VirtualClock, Workflow};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub id: String,
    #[serde(rename = "grandTotal")]
    pub total: f64,
    pub express_delivery: bool,
    pub lines: Vec<Line>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Line {
    pub sku: String,
    pub qty: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Batch {
    pub lines: Vec<Line>,
}

fn line(sku: &str, qty: u32) -> Line {
    Line {
        sku: sku.into(),
        qty,
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Packed {
    pub sku: String,
    pub boxes: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Reserved {
    pub order: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Notified {
    pub sent: bool,
}

#[derive(Debug, TaskError)]
pub enum ShopError {
    #[task_error(name = "Shop.OutOfStock")]
    OutOfStock,
    Busy,
}

impl std::fmt::Display for ShopError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShopError::OutOfStock => f.write_str("nothing left"),
            ShopError::Busy => f.write_str("try again"),
        }
    }
}

static BUSY_ONCE: AtomicU32 = AtomicU32::new(0);

#[task]
async fn validate(order: Order) -> Result<Order, ShopError> {
    if order.lines.iter().any(|l| l.sku == "gone") {
        return Err(ShopError::OutOfStock);
    }
    Ok(order)
}

#[task(timeout = "30s")]
async fn reserve(order: Order) -> Result<Reserved, ShopError> {
    // Fails once per process with a retriable error, to exercise Retry.
    if BUSY_ONCE.fetch_add(1, Ordering::SeqCst) == 0 {
        return Err(ShopError::Busy);
    }
    Ok(Reserved { order: order.id })
}

#[task]
async fn notify(order: Order, ctx: &stepfn::TaskContext) -> Notified {
    Notified {
        sent: !order.id.is_empty() && ctx.state_name == "Notify",
    }
}

#[task]
async fn pack(line: Line) -> Packed {
    Packed {
        sku: line.sku,
        boxes: line.qty.div_ceil(2),
    }
}

workflow! {
    /// Takes an order from validation to packing.
    pub Shop(Order) -> Vec<Packed> {
        timeout = "1h";
        start Validate;
        /// Checks the order.
        Validate: task validate -> Route
            catch [ShopError::OutOfStock] -> Rejected;
        Route: choice {
            when .total > 100.0 && !(.express_delivery == false) => Priority,
            when is_present(.id) && .id != "" => Fulfil,
            else => Rejected,
        }
        Priority: wait "2m" -> Fulfil;
        Fulfil: parallel<Order> -> Packing
            retry [ShopError::Busy] (interval = "1s", max_attempts = 2, backoff = 2.0)
        {
            branch {
                start Reserve;
                Reserve: task reserve -> end
                    retry [ShopError::Busy] (interval = "1s", max_attempts = 3);
            }
            branch {
                start Notify;
                Notify: task notify -> end;
            }
        }
        Packing: pass<Batch>(result = Batch { lines: vec![line("a", 3), line("b", 1)] }) -> Pack;
        Pack: map<Line>(items = .lines, max_concurrency = 2) -> end {
            start PackLine;
            PackLine: task pack -> end;
        }
        Rejected: fail(error = "Shop.Rejected", cause = "the order cannot be taken");
    }
}

fn order(sku: &str, total: f64) -> Order {
    Order {
        id: "o-1".into(),
        total,
        express_delivery: true,
        lines: vec![Line {
            sku: sku.into(),
            qty: 3,
        }],
    }
}

fn options() -> ExecutionOptions {
    ExecutionOptions::new().with_clock(Arc::new(VirtualClock::starting_at(0)))
}

#[test]
fn the_definition_is_valid_asl_with_the_written_fields() {
    let machine = Shop::definition();
    assert!(
        stepfn::validate(machine, &Default::default()).is_empty(),
        "{:?}",
        stepfn::validate(machine, &Default::default())
    );
    let asl: serde_json::Value = serde_json::from_str(&Shop::asl_json()).unwrap();
    assert_eq!(asl["Comment"], "Takes an order from validation to packing.");
    assert_eq!(asl["TimeoutSeconds"], 3600);
    assert_eq!(asl["States"]["Validate"]["Resource"], "${ValidateArn}");
    assert_eq!(asl["States"]["Validate"]["Comment"], "Checks the order.");
    assert_eq!(
        asl["States"]["Validate"]["Catch"][0]["ErrorEquals"],
        json!(["Shop.OutOfStock"])
    );
    let reserve = &asl["States"]["Fulfil"]["Branches"][0]["States"]["Reserve"];
    assert_eq!(reserve["TimeoutSeconds"], 30);
    assert_eq!(
        reserve["Retry"][0]["ErrorEquals"],
        json!(["ShopError.Busy"])
    );
    assert_eq!(
        asl["States"]["Route"]["Choices"][0],
        json!({"And": [
            {"Variable": "$.grandTotal", "NumericGreaterThan": 100.0},
            {"Not": {"Variable": "$.expressDelivery", "BooleanEquals": false}}
        ], "Next": "Priority"})
    );
    assert_eq!(asl["States"]["Priority"]["Seconds"], 120);
    assert_eq!(asl["States"]["Pack"]["ItemsPath"], "$.lines");
    assert_eq!(asl["States"]["Pack"]["MaxConcurrency"], 2);
}

#[tokio::test(start_paused = true)]
async fn native_run_and_emitted_asl_agree() {
    let native = Shop::run_with(order("a", 250.0), options()).await.unwrap();
    assert_eq!(
        native,
        vec![
            Packed {
                sku: "a".into(),
                boxes: 2
            },
            Packed {
                sku: "b".into(),
                boxes: 1
            }
        ]
    );
    let text = Shop::asl_json();
    let machine = stepfn::check(&text, &Default::default()).expect("the emitted ASL is valid");
    let outcome = Executor::new(machine)
        .run(
            serde_json::to_value(order("a", 250.0)).unwrap(),
            options().with_tasks(Shop::tasks()),
        )
        .await;
    assert_eq!(outcome.output, Some(serde_json::to_value(&native).unwrap()));
}

#[tokio::test(start_paused = true)]
async fn a_task_error_variant_is_caught_by_its_asl_name() {
    let e = Shop::run_with(order("gone", 10.0), options())
        .await
        .unwrap_err();
    match e {
        stepfn::WorkflowError::Failed { error, cause, .. } => {
            assert_eq!(error.as_deref(), Some("Shop.Rejected"));
            assert_eq!(cause.as_deref(), Some("the order cannot be taken"));
        }
        other => panic!("unexpected {other}"),
    }
}

/// A shipment record filled in as it goes: results land in its optional fields.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
#[serde(rename_all = "camelCase")]
pub struct Shipment {
    pub order: Order,
    pub delay_seconds: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Label>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<stepfn::ErrorOutput>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Label {
    pub code: String,
}

#[task]
async fn print_label(order: Order) -> Result<Label, ShopError> {
    if order.lines.is_empty() {
        return Err(ShopError::OutOfStock);
    }
    Ok(Label {
        code: format!("L-{}", order.id),
    })
}

workflow! {
    pub Dispatch(Shipment) -> Shipment {
        start Hold;
        Hold: wait for .delay_seconds -> Print;
        Print: task print_label(input = .order, result_path = .label) -> end
            catch [ShopError::OutOfStock] -> Failed (result_path = .failure);
        Failed: pass -> end;
    }
}

#[test]
fn input_and_result_paths_use_serde_names() {
    let asl: serde_json::Value = serde_json::from_str(&Dispatch::asl_json()).unwrap();
    assert_eq!(asl["States"]["Hold"]["SecondsPath"], "$.delaySeconds");
    assert_eq!(asl["States"]["Print"]["InputPath"], "$.order");
    assert_eq!(asl["States"]["Print"]["ResultPath"], "$.label");
    assert_eq!(
        asl["States"]["Print"]["Catch"][0]["ResultPath"],
        "$.failure"
    );
    assert!(stepfn::validate(Dispatch::definition(), &Default::default()).is_empty());
}

#[tokio::test(start_paused = true)]
async fn results_and_errors_land_in_the_input() {
    let shipment = |lines: Vec<Line>| Shipment {
        order: Order {
            lines,
            ..order("a", 5.0)
        },
        delay_seconds: 60,
        label: None,
        failure: None,
    };
    let done = Dispatch::run_with(shipment(vec![line("a", 1)]), options())
        .await
        .unwrap();
    assert_eq!(
        done.label,
        Some(Label {
            code: "L-o-1".into()
        })
    );
    let failed = Dispatch::run_with(shipment(vec![]), options())
        .await
        .unwrap();
    assert_eq!(
        failed.failure.and_then(|f| f.error).as_deref(),
        Some("Shop.OutOfStock")
    );
}

workflow! {
    /// The same workflows, emitted as JSONata states.
    pub ShopJsonata(Order) -> Vec<Packed> {
        query_language = jsonata;
        start Validate2;
        Validate2: task validate -> Route2
            catch [ShopError::OutOfStock] -> Rejected2;
        Route2: choice {
            when .total > 100.0 && !(.express_delivery == false) => Priority2,
            when is_present(.id) && .id != "" => Packing2,
            else => Rejected2,
        }
        Priority2: wait "2m" -> Packing2;
        Packing2: pass<Batch>(result = Batch { lines: vec![line("a", 3), line("b", 1)] }) -> Pack2;
        Pack2: map<Line>(items = .lines, max_concurrency = 2) -> end {
            start PackLine2;
            PackLine2: task pack -> end;
        }
        Rejected2: fail(error = "Shop.Rejected", cause = "the order cannot be taken");
    }
}

workflow! {
    pub DispatchJsonata(Shipment) -> Shipment {
        query_language = jsonata;
        start Hold3;
        Hold3: wait for .delay_seconds -> Print3;
        Print3: task print_label(input = .order, result_path = .label) -> end
            catch [ShopError::OutOfStock] -> Failed3 (result_path = .failure);
        Failed3: pass -> end;
    }
}

#[tokio::test(start_paused = true)]
async fn jsonata_emission_runs_like_jsonpath() {
    let asl: serde_json::Value = serde_json::from_str(&ShopJsonata::asl_json()).unwrap();
    assert_eq!(asl["QueryLanguage"], "JSONata");
    assert_eq!(
        asl["States"]["Route2"]["Choices"][0]["Condition"],
        "{% ($states.input.grandTotal > 100.0) and ($not($states.input.expressDelivery = false)) %}"
    );
    assert!(stepfn::validate(ShopJsonata::definition(), &Default::default()).is_empty());
    let packed = ShopJsonata::run_with(order("a", 250.0), options())
        .await
        .unwrap();
    assert_eq!(packed.len(), 2);
    let rejected = ShopJsonata::run_with(order("gone", 5.0), options())
        .await
        .unwrap_err();
    assert!(rejected.to_string().contains("Shop.Rejected"));

    let asl: serde_json::Value = serde_json::from_str(&DispatchJsonata::asl_json()).unwrap();
    assert_eq!(
        asl["States"]["Print3"]["Arguments"],
        "{% $states.input.order %}"
    );
    assert!(stepfn::validate(DispatchJsonata::definition(), &Default::default()).is_empty());
    let shipment = |lines: Vec<Line>| Shipment {
        order: Order {
            lines,
            ..order("a", 5.0)
        },
        delay_seconds: 60,
        label: None,
        failure: None,
    };
    for lines in [vec![line("a", 1)], vec![]] {
        let jsonata = DispatchJsonata::run_with(shipment(lines.clone()), options())
            .await
            .unwrap();
        let jsonpath = Dispatch::run_with(shipment(lines), options())
            .await
            .unwrap();
        assert_eq!(jsonata, jsonpath);
    }
}

workflow! {
    pub Remember(Order) -> Order {
        start Check;
        Check: task validate -> end assign(order_id = .id, everything = .);
    }
}

workflow! {
    pub RememberJsonata(Order) -> Order {
        query_language = jsonata;
        start Check2;
        Check2: task validate -> end assign(order_id = .id);
    }
}

#[tokio::test(start_paused = true)]
async fn assign_sets_variables_from_the_result() {
    let asl: serde_json::Value = serde_json::from_str(&Remember::asl_json()).unwrap();
    assert_eq!(
        asl["States"]["Check"]["Assign"],
        json!({"order_id.$": "$.id", "everything.$": "$"})
    );
    let asl: serde_json::Value = serde_json::from_str(&RememberJsonata::asl_json()).unwrap();
    assert_eq!(
        asl["States"]["Check2"]["Assign"],
        json!({"order_id": "{% $states.result.id %}"})
    );
    for machine in [Remember::definition(), RememberJsonata::definition()] {
        assert!(stepfn::validate(machine, &Default::default()).is_empty());
        let outcome = Executor::new(machine.clone())
            .run(
                serde_json::to_value(order("a", 1.0)).unwrap(),
                options()
                    .with_tasks(Remember::tasks().merged_over(RememberJsonata::tasks()))
                    .with_record_history(true),
            )
            .await;
        let exited = outcome
            .history
            .iter()
            .find(|e| e.event_type == "TaskStateExited")
            .expect("the task exited");
        assert_eq!(
            exited.detail("assignedVariables").unwrap()["order_id"],
            "\"o-1\""
        );
    }
}

/// What the charge service takes, built from the order by a template.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
#[serde(rename_all = "camelCase")]
pub struct ChargeRequest {
    pub order_ref: String,
    pub amount: f64,
    pub currency: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct ChargeResult {
    pub charge_id: String,
    pub amount: f64,
    pub provider: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Receipt {
    pub id: String,
    pub source: String,
}

#[task]
async fn charge_card(request: ChargeRequest) -> ChargeResult {
    ChargeResult {
        charge_id: format!("ch-{}-{}", request.order_ref, request.currency),
        amount: request.amount,
        provider: "acme".into(),
    }
}

workflow! {
    pub Checkout(Order) -> Receipt {
        start Charge;
        Charge: task charge_card(
            parameters = ChargeRequest { order_ref: .id, amount: .total, currency: "EUR" },
            result_selector = Receipt { id: .charge_id, source: "card" }
        ) -> end;
    }
}

workflow! {
    pub CheckoutJsonata(Order) -> Receipt {
        query_language = jsonata;
        start Charge4;
        Charge4: task charge_card(
            parameters = ChargeRequest { order_ref: .id, amount: .total, currency: "EUR" },
            result_selector = Receipt { id: .charge_id, source: "card" }
        ) -> end;
    }
}

#[tokio::test(start_paused = true)]
async fn templates_build_the_task_input_and_reshape_the_result() {
    let asl: serde_json::Value = serde_json::from_str(&Checkout::asl_json()).unwrap();
    assert_eq!(
        asl["States"]["Charge"]["Parameters"],
        json!({"orderRef.$": "$.id", "amount.$": "$.grandTotal", "currency": "EUR"})
    );
    assert_eq!(
        asl["States"]["Charge"]["ResultSelector"],
        json!({"id.$": "$.charge_id", "source": "card"})
    );
    let expected = Receipt {
        id: "ch-o-1-EUR".into(),
        source: "card".into(),
    };
    assert_eq!(
        Checkout::run_with(order("a", 3.0), options())
            .await
            .unwrap(),
        expected
    );
    assert!(stepfn::validate(CheckoutJsonata::definition(), &Default::default()).is_empty());
    assert_eq!(
        CheckoutJsonata::run_with(order("a", 3.0), options())
            .await
            .unwrap(),
        expected
    );
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Job {
    pub sku: String,
    pub position: u64,
    pub order_id: String,
}

#[task]
async fn take_job(job: Job) -> String {
    format!("{}#{}@{}", job.sku, job.position, job.order_id)
}

#[task]
async fn pack_batch(batch: stepfn::ItemBatch<Line>) -> usize {
    batch.items.len()
}

workflow! {
    pub Jobs(Order) -> Vec<String> {
        start Each;
        Each: map<Line>(
            items = .lines,
            item_selector = Job { sku: item.sku, position: index, order_id: .id }
        ) -> end {
            start Take;
            Take: task take_job -> end;
        }
    }
}

workflow! {
    pub JobsJsonata(Order) -> Vec<String> {
        query_language = jsonata;
        start Each5;
        Each5: map<Line>(
            items = .lines,
            item_selector = Job { sku: item.sku, position: index, order_id: .id }
        ) -> end {
            start Take5;
            Take5: task take_job -> end;
        }
    }
}

workflow! {
    pub Batches(Order) -> Vec<usize> {
        start Chunks;
        Chunks: map<Line>(items = .lines, max_items_per_batch = 2) -> end {
            start PackBatch;
            PackBatch: task pack_batch -> end;
        }
    }
}

workflow! {
    pub LabelOnly(Shipment) -> Option<Label> {
        start Print6;
        Print6: task print_label(input = .order, result_path = .label, output = .label as Option<Label>) -> end;
    }
}

#[tokio::test(start_paused = true)]
async fn item_selector_batches_and_output_path() {
    let lines = vec![line("a", 1), line("b", 2), line("c", 3)];
    let input = Order {
        lines: lines.clone(),
        ..order("a", 1.0)
    };
    let asl: serde_json::Value = serde_json::from_str(&Jobs::asl_json()).unwrap();
    assert_eq!(
        asl["States"]["Each"]["ItemSelector"],
        json!({"sku.$": "$$.Map.Item.Value.sku", "position.$": "$$.Map.Item.Index", "order_id.$": "$.id"})
    );
    let expected = vec!["a#0@o-1", "b#1@o-1", "c#2@o-1"];
    assert_eq!(
        Jobs::run_with(input.clone(), options()).await.unwrap(),
        expected
    );
    assert!(stepfn::validate(JobsJsonata::definition(), &Default::default()).is_empty());
    assert_eq!(
        JobsJsonata::run_with(input.clone(), options())
            .await
            .unwrap(),
        expected
    );
    assert!(stepfn::validate(Batches::definition(), &Default::default()).is_empty());
    assert_eq!(
        Batches::run_with(input.clone(), options()).await.unwrap(),
        vec![2, 1]
    );
    let shipment = Shipment {
        order: input,
        delay_seconds: 0,
        label: None,
        failure: None,
    };
    let asl: serde_json::Value = serde_json::from_str(&LabelOnly::asl_json()).unwrap();
    assert_eq!(asl["States"]["Print6"]["OutputPath"], "$.label");
    assert_eq!(
        LabelOnly::run_with(shipment, options()).await.unwrap(),
        Some(Label {
            code: "L-o-1".into()
        })
    );
}

workflow! {
    pub Export(Order) -> stepfn::MapRunOutput {
        start Write;
        Write: map<Line>(
            reader = s3_json("in", "lines.json"),
            writer = s3("out", "results"),
            tolerated_failure_count = 0
        ) -> end {
            start PackW;
            PackW: task pack -> end;
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_distributed_map_reads_and_writes_s3() {
    let root = std::env::temp_dir().join(format!("stepfn-dsl-export-{}", std::process::id()));
    std::fs::create_dir_all(root.join("in")).unwrap();
    std::fs::create_dir_all(root.join("out")).unwrap();
    std::fs::write(
        root.join("in/lines.json"),
        serde_json::to_string(&vec![line("a", 4), line("b", 1)]).unwrap(),
    )
    .unwrap();
    assert!(stepfn::validate(Export::definition(), &Default::default()).is_empty());
    let written = Export::run_with(order("a", 1.0), options().with_s3_root(root.clone()))
        .await
        .unwrap();
    assert_eq!(written.result_writer_details.bucket, "out");
    assert!(written.result_writer_details.key.starts_with("results/"));
    assert!(root
        .join("out")
        .join(&written.result_writer_details.key)
        .exists());
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn every_workflow_here_emits_valid_asl() {
    let machines = [
        ("Shop", Shop::definition()),
        ("ShopJsonata", ShopJsonata::definition()),
        ("Dispatch", Dispatch::definition()),
        ("DispatchJsonata", DispatchJsonata::definition()),
        ("Remember", Remember::definition()),
        ("RememberJsonata", RememberJsonata::definition()),
        ("Checkout", Checkout::definition()),
        ("CheckoutJsonata", CheckoutJsonata::definition()),
        ("Jobs", Jobs::definition()),
        ("JobsJsonata", JobsJsonata::definition()),
        ("Batches", Batches::definition()),
        ("LabelOnly", LabelOnly::definition()),
        ("Export", Export::definition()),
    ];
    for (name, machine) in machines {
        let problems = stepfn::validate(machine, &Default::default());
        assert!(problems.is_empty(), "{name}: {problems:?}");
        // The text round-trips through the parser too.
        let text = stepfn::emit::to_string_pretty(machine);
        // The model workflow! builds is the one the parser reads from the text emit writes.
        let reread = stepfn::check(&text, &Default::default()).expect(name);
        assert_eq!(&reread, machine, "{name}");
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload, schemars::JsonSchema)]
pub struct Greeting {
    pub name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Reply {
    pub text: String,
}

#[task(schema)]
async fn greet(greeting: Greeting) -> Reply {
    Reply {
        text: format!("hello {}", greeting.name),
    }
}

workflow! {
    pub Hello(Greeting) -> Reply {
        start Greet;
        Greet: task greet -> end;
    }
}

#[test]
fn one_definition_gives_every_deploy_artefact() {
    let schemas = Hello::schemas();
    assert_eq!(schemas["input"]["properties"]["name"]["type"], "string");
    assert_eq!(schemas["output"]["title"], "Reply");
    assert_eq!(schemas["tasks"]["Greet"]["input"]["title"], "Greeting");
    let template = Hello::cloudformation(&Default::default()).unwrap();
    assert_eq!(
        template["Resources"]["StateMachine"]["Properties"]["Definition"]["States"]["Greet"]
            ["Resource"],
        "${GreetArn}"
    );
    assert_eq!(template["Parameters"]["GreetArn"]["Type"], "String");
    let sam = Hello::sam(&Default::default()).unwrap();
    assert_eq!(sam["Transform"], "AWS::Serverless-2016-10-31");
    let policy = Hello::iam_policy(&Default::default()).unwrap();
    assert_eq!(policy["Statement"][0]["Action"], "lambda:InvokeFunction");
    let (asl, ts) = Hello::cdk(&Default::default(), "hello.asl.json").unwrap();
    assert!(asl.contains("${GreetArn}") && ts.contains("greetArn"));
    assert!(Hello::mermaid().contains("Greet"));
    assert!(Hello::dot().contains("Greet"));
    assert!(Hello::svg().contains(">Greet</text>"));
}
