//! Service integrations as typed tasks: `lambda:invoke` (payload in, `Payload` out), DynamoDB,
//! SNS, SQS, EventBridge, a child workflow through `states:startExecution.sync:2`, HTTP and a
//! generic `aws-sdk` call. Each emits the request AWS reads, the IAM its role needs and AWS's
//! error names; run natively, the task functions answer in the services' place, and the
//! emitted ASL (JSONPath and JSONata) runs the same way.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use stepfn::aws::dynamodb::{PutItem, WriteItemOutput, N, S};
use stepfn::aws::eventbridge::{Entry, PutEvents, PutEventsOutput};
use stepfn::aws::http::{Authentication, Invoke, Response};
use stepfn::aws::lambda::Invoked;
use stepfn::aws::sns::{Publish, PublishOutput};
use stepfn::aws::step_functions::{ChildExecution, ChildFailed, StartExecution};
use stepfn::aws::{DynamoDb, Http, Lambda};
use stepfn::exec::{ExecutionOptions, ExecutionStatus, Executor};
use stepfn::{task, workflow, Payload, TaskError, VirtualClock, Workflow};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Order {
    pub order_id: String,
    pub amount: f64,
    pub card: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    pub order_id: String,
    pub charged: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved: Option<WriteItemOutput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced: Option<PublishOutput>,
}

#[derive(Debug, TaskError)]
pub enum PaymentError {
    #[task_error(name = "Payment.Declined")]
    Declined,
}

impl std::fmt::Display for PaymentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the card was declined")
    }
}

/// The Lambda function's handler: its input is the request's `Payload`, its output the
/// response's.
#[task(
    resource = "arn:aws:states:::lambda:invoke",
    function = "arn:aws:lambda:us-east-1:123456789012:function:charge"
)]
async fn charge(order: Order) -> Result<Receipt, PaymentError> {
    if order.card == "declined" {
        return Err(PaymentError::Declined);
    }
    Ok(Receipt {
        order_id: order.order_id,
        charged: order.amount,
        saved: None,
        announced: None,
    })
}

/// The `orders` table's row, as DynamoDB writes it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct OrderRow {
    pub order_id: S,
    pub total: N,
}

/// Stands in for the table: an order recorded twice fails the condition.
static TABLE: Mutex<Option<HashSet<String>>> = Mutex::new(None);

#[task(resource = "arn:aws:states:::dynamodb:putItem")]
async fn save_order(put: PutItem<OrderRow>) -> Result<WriteItemOutput, DynamoDb> {
    assert_eq!(put.table_name, "orders");
    assert_eq!(
        put.condition_expression.as_deref(),
        Some("attribute_not_exists(order_id)")
    );
    let mut table = TABLE.lock().unwrap();
    if !table
        .get_or_insert_with(HashSet::new)
        .insert(put.item.order_id.s.clone())
    {
        return Err(DynamoDb::ConditionalCheckFailedException);
    }
    Ok(WriteItemOutput::default())
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Notice {
    pub order_id: String,
    pub total: String,
}

#[task(resource = "arn:aws:states:::sns:publish")]
async fn announce(publish: Publish<Notice>) -> PublishOutput {
    assert_eq!(
        publish.topic_arn.as_deref(),
        Some("arn:aws:sns:us-east-1:123456789012:orders")
    );
    PublishOutput::new(format!("msg-{}", publish.message.order_id))
}

workflow! {
    /// Charges an order through Lambda, records it in DynamoDB, announces it on SNS.
    pub Checkout(Order) -> Receipt {
        start Charge;
        Charge: task charge -> Save
            retry [Lambda::ServiceException, Lambda::TooManyRequestsException] (interval = "2s", max_attempts = 6, backoff = 2.0)
            catch [PaymentError::Declined] -> Declined;
        Save: task save_order(
            parameters = PutItem {
                table_name: "orders",
                item: OrderRow { order_id: S { s: .order_id }, total: N { n: json_to_string(.charged) } },
                condition_expression: Some("attribute_not_exists(order_id)"),
                ..
            },
            result_path = .saved
        ) -> Announce
            catch [DynamoDb::ConditionalCheckFailedException] -> Duplicate;
        Announce: task announce(
            parameters = Publish {
                message: Notice { order_id: .order_id, total: json_to_string(.charged) },
                topic_arn: Some("arn:aws:sns:us-east-1:123456789012:orders"),
                ..
            },
            result_path = .announced
        ) -> end;
        Declined: fail(error = "Checkout.Declined", cause = "the card was declined");
        Duplicate: fail(error = "Checkout.Duplicate", cause = "the order was already recorded");
    }
}

workflow! {
    pub CheckoutJsonata(Order) -> Receipt {
        query_language = jsonata;
        start Charge;
        Charge: task charge -> Save
            retry [Lambda::ServiceException, Lambda::TooManyRequestsException] (interval = "2s", max_attempts = 6, backoff = 2.0)
            catch [PaymentError::Declined] -> Declined;
        Save: task save_order(
            parameters = PutItem {
                table_name: "orders",
                item: OrderRow { order_id: S { s: .order_id }, total: N { n: json_to_string(.charged) } },
                condition_expression: Some("attribute_not_exists(order_id)"),
                ..
            },
            result_path = .saved
        ) -> Announce
            catch [DynamoDb::ConditionalCheckFailedException] -> Duplicate;
        Announce: task announce(
            parameters = Publish {
                message: Notice { order_id: .order_id, total: json_to_string(.charged) },
                topic_arn: Some("arn:aws:sns:us-east-1:123456789012:orders"),
                ..
            },
            result_path = .announced
        ) -> end;
        Declined: fail(error = "Checkout.Declined", cause = "the card was declined");
        Duplicate: fail(error = "Checkout.Duplicate", cause = "the order was already recorded");
    }
}

/// The invocation's response kept whole: the state shapes it, so `Payload` is not selected.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Charged {
    pub id: String,
    pub status: u16,
}

workflow! {
    pub ChargeStatus(Order) -> Charged {
        start Charge;
        Charge: task charge(result_selector = Charged { id: .payload.order_id, status: .status_code }) -> end;
    }
}

fn order(id: &str, card: &str) -> Order {
    Order {
        order_id: id.into(),
        amount: 12.5,
        card: card.into(),
    }
}

fn options() -> ExecutionOptions {
    ExecutionOptions::new().with_clock(Arc::new(VirtualClock::starting_at(1_767_225_600_000)))
}

fn asl<W: Workflow>() -> Value {
    serde_json::from_str(&W::asl_json()).unwrap()
}

#[test]
fn lambda_invoke_sends_function_name_and_payload_and_passes_on_the_payload() {
    let charge = &asl::<Checkout>()["States"]["Charge"];
    assert_eq!(charge["Resource"], "arn:aws:states:::lambda:invoke");
    assert_eq!(
        charge["Parameters"],
        json!({"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:charge", "Payload.$": "$"})
    );
    assert_eq!(charge["OutputPath"], "$.Payload");
    assert_eq!(
        charge["Retry"][0]["ErrorEquals"],
        json!(["Lambda.ServiceException", "Lambda.TooManyRequestsException"])
    );
    assert_eq!(
        charge["Catch"][0]["ErrorEquals"],
        json!(["Payment.Declined"])
    );
    let jsonata = &asl::<CheckoutJsonata>()["States"]["Charge"];
    assert_eq!(jsonata["Output"], "{% ($states.result).Payload %}");
    assert!(jsonata["Arguments"]["FunctionName"]
        .as_str()
        .is_some_and(|f| f.ends_with(":function:charge")));
    // A state that shapes the response reads it whole.
    let status = &asl::<ChargeStatus>()["States"]["Charge"];
    assert_eq!(
        status["ResultSelector"],
        json!({"id.$": "$.Payload.orderId", "status.$": "$.StatusCode"})
    );
    assert!(status.get("OutputPath").is_none());
}

#[test]
fn dynamodb_and_sns_requests_are_written_as_the_services_read_them() {
    let states = &asl::<Checkout>()["States"];
    assert_eq!(
        states["Save"]["Resource"],
        "arn:aws:states:::dynamodb:putItem"
    );
    assert_eq!(
        states["Save"]["Parameters"],
        json!({
            "TableName": "orders",
            "Item": {
                "order_id": {"S.$": "$.orderId"},
                "total": {"N.$": "States.JsonToString($.charged)"}
            },
            "ConditionExpression": "attribute_not_exists(order_id)"
        })
    );
    assert_eq!(
        states["Save"]["Catch"][0]["ErrorEquals"],
        json!(["DynamoDB.ConditionalCheckFailedException"])
    );
    assert_eq!(
        states["Announce"]["Parameters"],
        json!({
            "Message": {"order_id.$": "$.orderId", "total.$": "States.JsonToString($.charged)"},
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:orders"
        })
    );
    for machine in [Checkout::definition(), CheckoutJsonata::definition()] {
        let problems = stepfn::validate(machine, &Default::default());
        assert!(problems.is_empty(), "{problems:?}");
    }
}

#[test]
fn the_role_may_call_each_service_on_its_resource() {
    let policy = Checkout::iam_policy(&Default::default()).unwrap();
    let statements = policy["Statement"].as_array().unwrap();
    let grant = |action: &str| {
        statements
            .iter()
            .find(|s| {
                s["Action"] == action
                    || s["Action"]
                        .as_array()
                        .is_some_and(|a| a.contains(&json!(action)))
            })
            .unwrap_or_else(|| panic!("no {action} in {policy}"))["Resource"]
            .clone()
    };
    let lambda = grant("lambda:InvokeFunction").to_string();
    assert!(
        lambda.contains("arn:aws:lambda:us-east-1:123456789012:function:charge"),
        "{lambda}"
    );
    assert!(grant("dynamodb:PutItem")
        .to_string()
        .contains("table/orders"));
    assert!(grant("sns:Publish")
        .to_string()
        .contains("arn:aws:sns:us-east-1:123456789012:orders"));
    // The JSONata twin's `Arguments` grant the same.
    let jsonata = CheckoutJsonata::iam_policy(&Default::default()).unwrap();
    assert_eq!(jsonata["Statement"], policy["Statement"]);
}

/// Runs the emitted ASL (`jsonata`: of the JSONata twin) with the workflow's task functions.
async fn run_emitted(input: &Order, jsonata: bool) -> stepfn::Outcome {
    let text = if jsonata {
        CheckoutJsonata::asl_json()
    } else {
        Checkout::asl_json()
    };
    let machine = stepfn::check(&text, &Default::default()).unwrap();
    Executor::new(machine)
        .run(
            serde_json::to_value(input).unwrap(),
            options().with_tasks(Checkout::tasks()),
        )
        .await
}

#[tokio::test(start_paused = true)]
async fn the_functions_answer_for_the_services_natively_and_in_the_emitted_asl() {
    let receipt = Checkout::run_with(order("o-1", "visa"), options())
        .await
        .unwrap();
    let expected = |id: &str| Receipt {
        order_id: id.into(),
        charged: 12.5,
        saved: Some(WriteItemOutput::default()),
        announced: Some(PublishOutput::new(format!("msg-{id}"))),
    };
    assert_eq!(receipt, expected("o-1"));
    let jsonata = CheckoutJsonata::run_with(order("o-2", "visa"), options())
        .await
        .unwrap();
    assert_eq!(jsonata, expected("o-2"));
    for (id, jsonata) in [("o-3", false), ("o-4", true)] {
        let outcome = run_emitted(&order(id, "visa"), jsonata).await;
        assert_eq!(outcome.status, ExecutionStatus::Succeeded, "{outcome:?}");
        let output: Receipt = serde_json::from_value(outcome.output.unwrap()).unwrap();
        assert_eq!(output, expected(id));
        // The same order again: the condition fails, and the catcher routes it.
        let again = run_emitted(&order(id, "visa"), jsonata).await;
        assert_eq!(again.error.as_deref(), Some("Checkout.Duplicate"));
    }
}

#[tokio::test(start_paused = true)]
async fn service_errors_reach_retry_and_catch_by_their_aws_names() {
    let declined = Checkout::run_with(order("o-40", "declined"), options()).await;
    match declined {
        Err(stepfn::WorkflowError::Failed { error, .. }) => {
            assert_eq!(error.as_deref(), Some("Checkout.Declined"))
        }
        other => panic!("{other:?}"),
    }
    Checkout::run_with(order("o-5", "visa"), options())
        .await
        .unwrap();
    let again = Checkout::run_with(order("o-5", "visa"), options()).await;
    match again {
        Err(stepfn::WorkflowError::Failed { error, .. }) => {
            assert_eq!(error.as_deref(), Some("Checkout.Duplicate"))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_shaped_lambda_result_is_the_whole_invocation_response() {
    let charged = ChargeStatus::run_with(order("o-6", "visa"), options())
        .await
        .unwrap();
    assert_eq!(
        charged,
        Charged {
            id: "o-6".into(),
            status: 200
        }
    );
    let response = serde_json::to_value(Invoked::new(json!({"a": 1}))).unwrap();
    assert_eq!(response["ExecutedVersion"], "$LATEST");
    assert_eq!(response["Payload"], json!({"a": 1}));
}

// --- A child workflow, an event, an HTTP call and a generic SDK call. ---

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Parcel {
    pub order_id: String,
    pub weight: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Label {
    pub order_id: String,
    pub carrier: String,
}

#[task]
async fn print_label(parcel: Parcel) -> Label {
    Label {
        order_id: parcel.order_id,
        carrier: if parcel.weight > 20.0 {
            "freight"
        } else {
            "post"
        }
        .into(),
    }
}

workflow! {
    /// The child: prints a parcel's label.
    pub Labelling(Parcel) -> Label {
        start Print;
        Print: task print_label -> end;
    }
}

/// Runs the child natively, as `.sync:2` waits for it on AWS.
#[task(resource = "arn:aws:states:::states:startExecution.sync:2")]
async fn run_labelling(
    request: StartExecution<Parcel>,
) -> Result<ChildExecution<Label>, ChildFailed> {
    request.run::<Labelling>().await
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Shipped {
    pub order_id: String,
    pub weight: f64,
}

#[task(resource = "arn:aws:states:::events:putEvents")]
async fn tell_everyone(events: PutEvents<Shipped>) -> PutEventsOutput {
    PutEventsOutput::accepted(
        events
            .entries
            .iter()
            .map(|e| format!("ev-{}", e.detail.order_id)),
    )
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Tracking {
    pub order_id: String,
    pub carrier: String,
    pub events: Option<PutEventsOutput>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Booking {
    pub reference: String,
}

#[task(resource = "arn:aws:states:::http:invoke")]
async fn book_pickup(call: Invoke<Label>) -> Result<Response<Booking>, Http> {
    let Some(label) = call.request_body else {
        return Err(Http::StatusCode400);
    };
    if label.carrier == "freight" {
        return Err(Http::StatusCode429);
    }
    Ok(Response::ok(Booking {
        reference: format!("{}-{}", label.carrier, label.order_id),
    }))
}

/// A generic SDK call: any request and response the user types.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
#[serde(rename_all = "PascalCase")]
pub struct GetParameter {
    pub name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
#[serde(rename_all = "PascalCase")]
pub struct ParameterValue {
    pub value: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
#[serde(rename_all = "PascalCase")]
pub struct GetParameterOutput {
    pub parameter: ParameterValue,
}

#[task(resource = "arn:aws:states:::aws-sdk:ssm:getParameter")]
async fn read_carrier_key(request: GetParameter) -> GetParameterOutput {
    GetParameterOutput {
        parameter: ParameterValue {
            value: format!("key-for-{}", request.name),
        },
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Shipment {
    pub parcel: Parcel,
    pub label: Option<Label>,
    pub events: Option<PutEventsOutput>,
    pub key: Option<GetParameterOutput>,
}

workflow! {
    /// Labels a parcel in a child workflow, announces it, books the pickup.
    pub Ship(Shipment) -> Shipment {
        start Label;
        Label: task run_labelling(
            parameters = StartExecution {
                state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:Labelling",
                input: .parcel,
                ..
            },
            result_selector = Label { order_id: .output.order_id, carrier: .output.carrier },
            result_path = .label
        ) -> Announce;
        Announce: task tell_everyone(
            parameters = PutEvents {
                entries: [Entry {
                    detail: Shipped { order_id: .parcel.order_id, weight: .parcel.weight },
                    detail_type: "ParcelLabelled",
                    source: "shop.shipping",
                    ..
                }]
            },
            result_path = .events
        ) -> Key;
        Key: task read_carrier_key(
            parameters = GetParameter { name: "/carriers/key" },
            result_path = .key
        ) -> end;
    }
}

workflow! {
    pub Pickup(Label) -> Response<Booking> {
        start Book;
        Book: task book_pickup(
            parameters = Invoke {
                api_endpoint: "https://carriers.example.com/pickups",
                method: "POST",
                authentication: Authentication {
                    connection_arn: "arn:aws:events:us-east-1:123456789012:connection/carriers/1"
                },
                request_body: Some(.),
                ..
            }
        ) -> end
            retry [Http::StatusCode429] (interval = "1s", max_attempts = 2);
    }
}

#[test]
fn child_workflows_events_http_and_sdk_calls_are_typed_requests() {
    let states = &asl::<Ship>()["States"];
    assert_eq!(
        states["Label"]["Resource"],
        "arn:aws:states:::states:startExecution.sync:2"
    );
    assert_eq!(
        states["Label"]["Parameters"],
        json!({
            "StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Labelling",
            "Input.$": "$.parcel"
        })
    );
    assert_eq!(
        states["Label"]["ResultSelector"],
        json!({"order_id.$": "$.Output.order_id", "carrier.$": "$.Output.carrier"})
    );
    assert_eq!(
        states["Announce"]["Parameters"],
        json!({"Entries": [{
            "Detail": {"order_id.$": "$.parcel.order_id", "weight.$": "$.parcel.weight"},
            "DetailType": "ParcelLabelled",
            "Source": "shop.shipping"
        }]})
    );
    assert_eq!(
        states["Key"]["Resource"],
        "arn:aws:states:::aws-sdk:ssm:getParameter"
    );
    let pickup = &asl::<Pickup>()["States"]["Book"];
    assert_eq!(pickup["Parameters"]["RequestBody.$"], "$");
    assert_eq!(
        pickup["Retry"][0]["ErrorEquals"],
        json!(["States.Http.StatusCode.429"])
    );
    assert!(stepfn::validate(Ship::definition(), &Default::default()).is_empty());
    let policy = Ship::iam_policy(&Default::default()).unwrap().to_string();
    for action in [
        "states:StartExecution",
        "states:DescribeExecution",
        "events:PutEvents",
        "ssm:GetParameter",
    ] {
        assert!(policy.contains(action), "{action} in {policy}");
    }
    let http = Pickup::iam_policy(&Default::default()).unwrap().to_string();
    assert!(http.contains("states:InvokeHTTPEndpoint"), "{http}");
}

#[tokio::test(start_paused = true)]
async fn the_child_runs_natively_and_its_typed_output_flows_on() {
    let shipment = |weight: f64| Shipment {
        parcel: Parcel {
            order_id: "o-9".into(),
            weight,
        },
        label: None,
        events: None,
        key: None,
    };
    let shipped = Ship::run_with(shipment(3.0), options()).await.unwrap();
    assert_eq!(
        shipped.label,
        Some(Label {
            order_id: "o-9".into(),
            carrier: "post".into()
        })
    );
    assert_eq!(
        shipped.events,
        Some(PutEventsOutput::accepted(["ev-o-9".to_string()]))
    );
    assert_eq!(
        shipped.key.map(|k| k.parameter.value),
        Some("key-for-/carriers/key".to_string())
    );
    // The emitted ASL runs the same way.
    let machine = stepfn::check(&Ship::asl_json(), &Default::default()).unwrap();
    let outcome = Executor::new(machine)
        .run(
            serde_json::to_value(shipment(30.0)).unwrap(),
            options().with_tasks(Ship::tasks()),
        )
        .await;
    let emitted: Shipment = serde_json::from_value(outcome.output.unwrap()).unwrap();
    assert_eq!(
        emitted.label.map(|l| l.carrier),
        Some("freight".to_string())
    );
}

#[tokio::test(start_paused = true)]
async fn an_http_status_is_an_error_retry_names() {
    let booked = Pickup::run_with(
        Label {
            order_id: "o-10".into(),
            carrier: "post".into(),
        },
        options(),
    )
    .await
    .unwrap();
    assert_eq!(booked.status_code, "200");
    assert_eq!(booked.response_body.reference, "post-o-10");
    let throttled = Pickup::run_with(
        Label {
            order_id: "o-11".into(),
            carrier: "freight".into(),
        },
        options(),
    )
    .await;
    match throttled {
        Err(stepfn::WorkflowError::Failed { error, .. }) => {
            assert_eq!(error.as_deref(), Some("States.Http.StatusCode.429"))
        }
        other => panic!("{other:?}"),
    }
}

/// An AWS MockConfigFile answering in the services' place: the Lambda mock returns the whole
/// invocation response, as AWS's mocks do, and the state passes on its `Payload`.
const MOCKS: &str = r#"{
  "StateMachines": {
    "Checkout": {
      "TestCases": {
        "Throttled": {"Charge": "ChargedAfterThrottling", "Save": "Saved", "Announce": "Announced"},
        "Duplicate": {"Charge": "Charged", "Save": "AlreadyThere"}
      }
    }
  },
  "MockedResponses": {
    "ChargedAfterThrottling": {
      "0": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "Rate exceeded"}},
      "1": {"Return": {"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": {"orderId": "o-m", "charged": 99.0}}}
    },
    "Charged": {"0": {"Return": {"StatusCode": 200, "ExecutedVersion": "$LATEST", "Payload": {"orderId": "o-m", "charged": 99.0}}}},
    "Saved": {"0": {"Return": {}}},
    "AlreadyThere": {"0": {"Throw": {"Error": "DynamoDB.ConditionalCheckFailedException", "Cause": "The conditional request failed"}}},
    "Announced": {"0": {"Return": {"MessageId": "mock-1"}}}
  }
}"#;

fn mocked(test_case: &str) -> ExecutionOptions {
    let config = stepfn::MockConfig::from_json(MOCKS).unwrap();
    let case = config.test_case(Some("Checkout"), test_case).unwrap();
    options().with_tasks(stepfn::TaskRegistry::new().with_mocks(case))
}

#[tokio::test(start_paused = true)]
async fn mocks_answer_for_the_services_in_a_native_run() {
    let receipt = Checkout::run_with(order("o-m", "visa"), mocked("Throttled"))
        .await
        .unwrap();
    assert_eq!(receipt.charged, 99.0, "the retried charge's Payload");
    assert_eq!(receipt.announced, Some(PublishOutput::new("mock-1")));
    match Checkout::run_with(order("o-m", "visa"), mocked("Duplicate")).await {
        Err(stepfn::WorkflowError::Failed { error, .. }) => {
            assert_eq!(error.as_deref(), Some("Checkout.Duplicate"))
        }
        other => panic!("{other:?}"),
    }
}
