//! Task states calling AWS services for real: `stepfn run --aws-endpoint` against moto's
//! server on loopback (`scripts/install-api-clients` installs it in `.tools/clients`; without it
//! this test fails, saying so). DynamoDB, SQS and EventBridge through the optimized
//! integrations and `aws-sdk`, with AWS's error names reaching Catch.

use std::process::{Command, Output};

use stepfn_testkit::moto::{self, Moto};

use serde_json::{json, Value};

fn run(moto: &Moto, definition: &Value, input: &Value) -> Value {
    let dir = std::env::temp_dir().join(format!("stepfn-aws-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{}.asl.json", fastrand_name()));
    std::fs::write(&file, definition.to_string()).unwrap();
    let out: Output = Command::new(env!("CARGO_BIN_EXE_stepfn"))
        .arg("run")
        .arg(&file)
        .args(["--input", &input.to_string(), "--aws-endpoint", &moto.url])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn fastrand_name() -> String {
    format!(
        "{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

/// A Task state making the `orders` table (key `id`) with `aws-sdk`, with `transition` (its
/// `Next`/`End`, and `ResultPath`) merged in.
fn create_orders_table(transition: Value) -> Value {
    let mut state = json!({"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:createTable",
        "Parameters": {"TableName": "orders",
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST"}});
    if let (Some(state), Value::Object(members)) = (state.as_object_mut(), transition) {
        state.extend(members);
    }
    state
}

#[test]
fn dynamodb_updates_and_deletes_and_json_services_answer_without_per_action_code() {
    let moto = moto::start();
    let flow = json!({"StartAt": "Table", "States": {
        "Table": create_orders_table(json!({"ResultPath": null, "Next": "Put"})),
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "orders", "Item": {"id": {"S": "o-9"}, "qty": {"N": "1"}}},
            "ResultPath": null, "Next": "Update"},
        "Update": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem",
            "Parameters": {"TableName": "orders", "Key": {"id": {"S": "o-9"}},
                "UpdateExpression": "SET qty = qty + :n", "ExpressionAttributeValues": {":n": {"N": "2"}},
                "ReturnValues": "ALL_NEW"},
            "ResultSelector": {"qty.$": "$.Attributes.qty.N"}, "ResultPath": "$.updated", "Next": "Delete"},
        "Delete": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:deleteItem",
            "Parameters": {"TableName": "orders", "Key": {"id": {"S": "o-9"}}, "ReturnValues": "ALL_OLD"},
            "ResultSelector": {"id.$": "$.Attributes.id.S"}, "ResultPath": "$.deleted", "Next": "Secret"},
        "Secret": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:secretsmanager:createSecret",
            "Parameters": {"Name": "db-password", "SecretString": "hunter2"},
            "ResultPath": null, "Next": "ReadSecret"},
        "ReadSecret": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
            "Parameters": {"SecretId": "db-password"},
            "ResultSelector": {"value.$": "$.SecretString"}, "ResultPath": "$.secret", "Next": "Parameter"},
        "Parameter": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ssm:putParameter",
            "Parameters": {"Name": "/app/mode", "Value": "fast", "Type": "String"},
            "ResultPath": null, "Next": "ReadParameter"},
        "ReadParameter": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ssm:getParameter",
            "Parameters": {"Name": "/app/mode"},
            "ResultSelector": {"value.$": "$.Parameter.Value"}, "ResultPath": "$.parameter",
            "Next": "NoSecret"},
        "NoSecret": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
            "Parameters": {"SecretId": "nothing"},
            "Catch": [{"ErrorEquals": ["SecretsManager.ResourceNotFoundException"],
                "ResultPath": "$.missing", "Next": "Done"}],
            "End": true},
        "Done": {"Type": "Succeed"}}});
    let outcome = run(&moto, &flow, &json!({}));
    assert_eq!(outcome["status"], "SUCCEEDED", "{outcome}");
    let output = &outcome["output"];
    assert_eq!(output["updated"]["qty"], "3", "{output}");
    assert_eq!(output["deleted"]["id"], "o-9", "{output}");
    assert_eq!(output["secret"]["value"], "hunter2", "{output}");
    assert_eq!(output["parameter"]["value"], "fast", "{output}");
    assert_eq!(
        output["missing"]["Error"], "SecretsManager.ResourceNotFoundException",
        "{output}"
    );
}

#[test]
fn dynamodb_sqs_and_eventbridge_are_called_and_their_errors_caught() {
    let moto = moto::start();
    // The table and the queue, made by aws-sdk tasks.
    let setup = json!({"StartAt": "Table", "States": {
        "Table": create_orders_table(json!({"ResultPath": null, "Next": "Queue"})),
        "Queue": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:createQueue",
            "Parameters": {"QueueName": "orders"}, "End": true}}});
    let made = run(&moto, &setup, &json!({}));
    assert_eq!(made["status"], "SUCCEEDED", "{made}");
    let queue = made["output"]["QueueUrl"].as_str().unwrap().to_string();
    let flow = json!({"StartAt": "Put", "States": {
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "orders", "Item": {"id": {"S.$": "$.id"}},
                "ConditionExpression": "attribute_not_exists(id)"},
            "ResultPath": null, "Next": "PutAgain"},
        "PutAgain": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {"TableName": "orders", "Item": {"id": {"S.$": "$.id"}},
                "ConditionExpression": "attribute_not_exists(id)"},
            "ResultPath": null, "Next": "Get",
            "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
                "ResultPath": "$.duplicate", "Next": "Get"}]},
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
            "Parameters": {"TableName": "orders", "Key": {"id": {"S.$": "$.id"}}},
            "ResultSelector": {"id.$": "$.Item.id.S"}, "ResultPath": "$.stored", "Next": "Send"},
        "Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": queue, "MessageBody": {"order.$": "$.id"}},
            "ResultPath": "$.sent", "Next": "Receive"},
        "Receive": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:receiveMessage",
            "Parameters": {"QueueUrl": queue},
            "ResultSelector": {"body.$": "$.Messages[0].Body"}, "ResultPath": "$.received",
            "Next": "Announce"},
        "Announce": {"Type": "Task", "Resource": "arn:aws:states:::events:putEvents",
            "Parameters": {"Entries": [{"Source": "shop", "DetailType": "OrderStored",
                "Detail": {"order.$": "$.id"}}]},
            "ResultSelector": {"failed.$": "$.FailedEntryCount"}, "ResultPath": "$.announced",
            "Next": "Missing"},
        "Missing": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
            "Parameters": {"TableName": "nowhere", "Key": {"id": {"S": "x"}}},
            "Catch": [{"ErrorEquals": ["DynamoDb.ResourceNotFoundException"],
                "ResultPath": "$.missing", "Next": "Done"}],
            "End": true},
        "Done": {"Type": "Succeed"}}});
    let outcome = run(&moto, &flow, &json!({"id": "o-1"}));
    assert_eq!(outcome["status"], "SUCCEEDED", "{outcome}");
    let output = &outcome["output"];
    assert_eq!(
        output["duplicate"]["Error"],
        "DynamoDB.ConditionalCheckFailedException"
    );
    assert_eq!(output["stored"]["id"], "o-1");
    assert!(output["sent"]["MessageId"].is_string(), "{output}");
    // The object given as the body was sent as JSON text.
    assert_eq!(output["received"]["body"], "{\"order\":\"o-1\"}");
    assert_eq!(output["announced"]["failed"], 0);
    assert_eq!(
        output["missing"]["Error"],
        "DynamoDb.ResourceNotFoundException"
    );
    // SNS speaks its query protocol: a topic made by aws-sdk, a message published to it, and
    // a topic that does not exist named as Step Functions names the error.
    let sns = json!({"StartAt": "Topic", "States": {
        "Topic": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sns:createTopic",
            "Parameters": {"Name": "orders"}, "ResultPath": "$.topic", "Next": "Publish"},
        "Publish": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn.$": "$.topic.TopicArn", "Message": {"order.$": "$.id"},
                "Subject": "Order stored"},
            "ResultPath": "$.published", "Next": "Nowhere"},
        "Nowhere": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:nowhere", "Message": "x"},
            "Catch": [{"ErrorEquals": ["SNS.NotFoundException"], "ResultPath": "$.missing",
                "Next": "Done"}],
            "End": true},
        "Done": {"Type": "Succeed"}}});
    let published = run(&moto, &sns, &json!({"id": "o-2"}));
    assert_eq!(published["status"], "SUCCEEDED", "{published}");
    let output = &published["output"];
    assert!(
        output["topic"]["TopicArn"]
            .as_str()
            .is_some_and(|t| t.ends_with(":orders")),
        "{output}"
    );
    assert!(output["published"]["MessageId"].is_string(), "{output}");
    assert_eq!(
        output["published"]["SdkHttpMetadata"]["HttpStatusCode"],
        200
    );
    // aws-sdk results are the service's members alone.
    assert!(output["topic"].get("SdkHttpMetadata").is_none(), "{output}");
    assert_eq!(
        output["missing"]["Error"], "SNS.NotFoundException",
        "{output}"
    );
    // One service's own endpoint, without the common one; and a malformed one refused.
    let dir = std::env::temp_dir().join(format!("stepfn-aws-endpoint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let get = dir.join("get.asl.json");
    std::fs::write(
        &get,
        json!({"StartAt": "Get", "States": {"Get": {"Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:getItem",
            "Parameters": {"TableName": "orders", "Key": {"id": {"S": "o-1"}}}, "End": true}}})
        .to_string(),
    )
    .unwrap();
    let endpoint = format!("dynamodb={}", moto.url);
    let own = Command::new(env!("CARGO_BIN_EXE_stepfn"))
        .arg("run")
        .arg(&get)
        .args(["--endpoint", &endpoint])
        .output()
        .unwrap();
    let own: Value = serde_json::from_slice(&own.stdout).unwrap();
    assert_eq!(own["output"]["Item"]["id"]["S"], "o-1", "{own}");
    // An optimized integration's result carries the answer's HTTP metadata, as on AWS.
    let metadata = &own["output"]["SdkHttpMetadata"];
    assert_eq!(metadata["HttpStatusCode"], 200, "{own}");
    assert!(metadata["HttpHeaders"]["Content-Type"].is_string(), "{own}");
    assert!(
        metadata["AllHttpHeaders"]["Content-Type"][0].is_string(),
        "{own}"
    );
    assert!(
        own["output"]["SdkResponseMetadata"]["RequestId"].is_string(),
        "{own}"
    );
    let malformed = Command::new(env!("CARGO_BIN_EXE_stepfn"))
        .arg("run")
        .arg(&get)
        .args(["--endpoint", "dynamodb"])
        .output()
        .unwrap();
    assert_eq!(malformed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&malformed.stderr).contains("SERVICE=URL"));
    let _ = std::fs::remove_dir_all(&dir);
    // A service or an action stepfn does not call says so.
    let s3 = json!({"StartAt": "List", "States": {
        "List": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listBuckets",
            "Parameters": {}, "End": true}}});
    let refused = run(&moto, &s3, &json!({}));
    assert_eq!(refused["error"], "S3.SdkClientException", "{refused}");
    assert!(
        refused["cause"]
            .as_str()
            .unwrap()
            .contains("listObjectsV2, not 'listBuckets'"),
        "{refused}"
    );
    let ec2 = json!({"StartAt": "List", "States": {
        "List": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ec2:describeInstances",
            "Parameters": {}, "End": true}}});
    let refused = run(&moto, &ec2, &json!({}));
    assert_eq!(refused["status"], "FAILED");
    assert!(
        refused["cause"]
            .as_str()
            .unwrap()
            .contains("JSON protocols"),
        "{refused}"
    );
}

// --- A workflow written in Rust, its DynamoDB tasks answered by the real service. ---

use serde::{Deserialize, Serialize};
use stepfn::aws::dynamodb::{GetItem, GetItemOutput, PutItem, WriteItemOutput, S};
use stepfn::aws::DynamoDb;
use stepfn::{task, workflow, Payload, Workflow};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Row {
    pub id: S,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Saved {
    pub id: String,
    pub saved: Option<WriteItemOutput>,
    pub duplicate: Option<stepfn::ErrorOutput>,
}

/// Stands in for the table in native runs; the test answers it with the real table.
#[task(resource = "arn:aws:states:::dynamodb:putItem")]
async fn save(_put: PutItem<Row>) -> Result<WriteItemOutput, DynamoDb> {
    Ok(WriteItemOutput::default())
}

#[task(resource = "arn:aws:states:::dynamodb:getItem")]
async fn load(_get: GetItem<Row>) -> GetItemOutput<Row> {
    GetItemOutput::default()
}

workflow! {
    pub SaveTwice(Saved) -> GetItemOutput<Row> {
        start Save;
        Save: task save(
            parameters = PutItem {
                table_name: "orders",
                item: Row { id: S { s: .id } },
                condition_expression: Some("attribute_not_exists(id)"),
                ..
            },
            result_path = .saved
        ) -> Again;
        Again: task save(
            parameters = PutItem {
                table_name: "orders",
                item: Row { id: S { s: .id } },
                condition_expression: Some("attribute_not_exists(id)"),
                ..
            },
            result_path = .saved
        ) -> Load
            catch [DynamoDb::ConditionalCheckFailedException] -> Load (result_path = .duplicate);
        Load: task load(parameters = GetItem { key: Row { id: S { s: .id } }, table_name: "orders", .. }) -> end;
    }
}

#[test]
fn a_rust_workflow_s_integration_tasks_reach_the_real_service() {
    let moto = moto::start();
    let setup = json!({"StartAt": "Table", "States": {
        "Table": create_orders_table(json!({"End": true}))}});
    assert_eq!(run(&moto, &setup, &json!({}))["status"], "SUCCEEDED");
    let services = stepfn_server::service_tasks(
        None,
        stepfn_server::AwsServices::at(moto.url.clone(), "us-east-1"),
    );
    let run = SaveTwice::test()
        .with_services(services)
        .run_blocking(Saved {
            id: "o-7".into(),
            saved: None,
            duplicate: None,
        });
    assert_eq!(
        run.status(),
        stepfn::ExecutionStatus::Succeeded,
        "{:?}: {:?}",
        run.error(),
        run.cause()
    );
    run.assert_states(&["Save", "Again", "Load"]);
    assert_eq!(
        run.catches()[0].error.as_deref(),
        Some("DynamoDB.ConditionalCheckFailedException"),
        "the second put met the real table's condition"
    );
    assert_eq!(run.output().item, Some(Row { id: S::new("o-7") }));
}

/// A MockConfigFile test case and real services in one execution: the mocked state answers
/// from the mock (no call is made), the other calls the service.
#[test]
fn a_mocked_state_wins_over_the_real_call_beside_one_that_calls_it() {
    let moto = moto::start();
    let dir = std::env::temp_dir().join(format!("stepfn-aws-mixed-{}", fastrand_name()));
    std::fs::create_dir_all(&dir).unwrap();
    let definition = dir.join("mixed.asl.json");
    std::fs::write(
        &definition,
        json!({"StartAt": "Queue", "States": {
            "Queue": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:createQueue",
                "Parameters": {"QueueName": "mixed"}, "ResultPath": "$.queue", "Next": "Lookup"},
            // Mocked: the table does not exist, so a real call would fail.
            "Lookup": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                "Parameters": {"TableName": "absent", "Key": {"id": {"S": "x"}}},
                "ResultSelector": {"name.$": "$.Item.name.S"}, "ResultPath": "$.found", "End": true}}})
        .to_string(),
    )
    .unwrap();
    let mocks = dir.join("mocks.json");
    std::fs::write(
        &mocks,
        json!({"StateMachines": {"mixed": {"TestCases": {"Found": {"Lookup": "Item"}}}},
               "MockedResponses": {"Item": {"0": {"Return": {"Item": {"name": {"S": "mocked"}}}}}}})
        .to_string(),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_stepfn"))
        .arg("run")
        .arg(&definition)
        .args(["--aws-endpoint", &moto.url, "--state-machine", "mixed"])
        .arg("--mock-config")
        .arg(&mocks)
        .args(["--test-case", "Found"])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let outcome: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(outcome["status"], "SUCCEEDED", "{outcome}");
    assert!(
        outcome["output"]["queue"]["QueueUrl"]
            .as_str()
            .is_some_and(|u| u.ends_with("/mixed")),
        "{outcome}"
    );
    assert_eq!(outcome["output"]["found"]["name"], "mocked", "{outcome}");
    let _ = std::fs::remove_dir_all(&dir);
}
