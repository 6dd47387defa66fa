//! AWS's own Python clients against the server: boto3 (the flow in `clients/boto3_flow.py`)
//! and the AWS CLI. `scripts/install-api-clients` puts them in `.tools/clients`; without
//! them these tests fail, saying so.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{start, ROLE};
use serde_json::{json, Value};
use stepfn_server::ServerOptions;

fn clients_dir() -> PathBuf {
    let tools = std::env::var_os("STEPFN_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools"));
    let clients = tools.join("clients");
    assert!(
        clients.join("boto3").is_dir() && clients.join("bin/aws").is_file(),
        "boto3 and the AWS CLI are not installed in {}: run scripts/install-api-clients",
        clients.display()
    );
    clients
}

/// A Python command with the clients importable and dummy credentials only.
fn python(clients: &Path) -> Command {
    let mut command = Command::new("python3");
    command
        .env("PYTHONPATH", clients)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL");
    command
}

fn mocks() -> stepfn::tasks::MockConfig {
    stepfn::tasks::MockConfig::from_value(&json!({
        "StateMachines": {"Billing": {"TestCases": {"Paid": {"Charge": "Charged"}}}},
        "MockedResponses": {"Charged": {"0": {"Return": {"charged": 42}}}}
    }))
    .unwrap()
}

/// Runs the script `tests/clients/NAME.py` against a server started with `options`; the
/// script prints `MARKER: ok` when every check held.
async fn run_script(options: ServerOptions, name: &str, marker: &str) {
    let clients = clients_dir();
    let server = start(options).await;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/clients/{name}.py"));
    let url = server.url();
    let output = tokio::task::spawn_blocking(move || {
        python(&clients).arg(script).arg(url).output().unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("{marker}: ok")),
        "{stdout}\n{stderr}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boto3_drives_the_whole_flow() {
    run_script(
        ServerOptions::new().with_mock_config(mocks()),
        "boto3_flow",
        "boto3 flow",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boto3_drives_versions_and_aliases() {
    run_script(ServerOptions::default(), "boto3_versions", "boto3 versions").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boto3_watches_and_steers_a_map_run() {
    run_script(ServerOptions::default(), "boto3_map_runs", "boto3 map runs").await;
}

/// Every operation in botocore's model of the Step Functions API (AWS's own description of
/// it) is one the server answers: with a result, or with that operation's own refusal of an
/// empty request, never as an unknown operation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_of_the_api_is_answered() {
    let clients = clients_dir();
    let listed = python(&clients)
        .args([
            "-c",
            "import botocore.session\n\
             model = botocore.session.get_session().get_service_model('stepfunctions')\n\
             print('\\n'.join(model.operation_names))",
        ])
        .output()
        .unwrap();
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let operations: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert!(operations.len() >= 37, "botocore lists {operations:?}");
    let server = start(ServerOptions::default()).await;
    let http = reqwest::Client::new();
    let mut unknown = Vec::new();
    for operation in &operations {
        let (_, answer) = common::call(&http, &server, operation, &json!({})).await;
        if common::error_code(&answer) == "UnknownOperationException" {
            unknown.push(operation.clone());
        }
    }
    assert!(unknown.is_empty(), "not answered: {unknown:?}");
    server.stop().await;
}

/// `aws stepfunctions ARGS --endpoint-url URL --output json`, parsed.
fn aws(clients: &Path, url: &str, args: &[&str]) -> Value {
    let output = python(clients)
        .arg(clients.join("bin/aws"))
        .arg("stepfunctions")
        .args(args)
        .args(["--endpoint-url", url, "--output", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "aws stepfunctions {args:?}: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    if stdout.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&stdout).unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_aws_cli_runs_the_readme_commands_and_more() {
    let clients = clients_dir();
    let server = start(ServerOptions::default()).await;
    let url = server.url();
    tokio::task::spawn_blocking(move || {
        // The three commands of docs/serve.md.
        let definition = r#"{"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Result": "world", "ResultPath": "$.hello", "End": true}}}"#;
        let created = aws(&clients, &url, &["create-state-machine", "--name", "Hello", "--role-arn", ROLE, "--definition", definition]);
        let machine = created["stateMachineArn"].as_str().unwrap().to_string();
        let started = aws(&clients, &url, &["start-execution", "--state-machine-arn", &machine, "--input", r#"{"from": "cli"}"#]);
        let execution = started["executionArn"].as_str().unwrap().to_string();
        let mut described = Value::Null;
        for _ in 0..100 {
            described = aws(&clients, &url, &["describe-execution", "--execution-arn", &execution]);
            if described["status"] != "RUNNING" {
                break;
            }
        }
        assert_eq!(described["status"], "SUCCEEDED", "{described}");
        let output: Value = serde_json::from_str(described["output"].as_str().unwrap()).unwrap();
        assert_eq!(output, json!({"from": "cli", "hello": "world"}));

        // History, listing, an activity answered from the command line, stop.
        let history = aws(&clients, &url, &["get-execution-history", "--execution-arn", &execution]);
        let types: Vec<&str> = history["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]);
        let listed = aws(&clients, &url, &["list-executions", "--state-machine-arn", &machine]);
        assert_eq!(listed["executions"].as_array().unwrap().len(), 1);
        let activity = aws(&clients, &url, &["create-activity", "--name", "cli-work"])["activityArn"].as_str().unwrap().to_string();
        let waiting = format!(r#"{{"StartAt": "W", "States": {{"W": {{"Type": "Task", "Resource": "{activity}", "End": true}}}}}}"#);
        let worker = aws(&clients, &url, &["create-state-machine", "--name", "Worker", "--role-arn", ROLE, "--definition", &waiting])["stateMachineArn"].as_str().unwrap().to_string();
        let run = aws(&clients, &url, &["start-execution", "--state-machine-arn", &worker])["executionArn"].as_str().unwrap().to_string();
        let task = aws(&clients, &url, &["get-activity-task", "--activity-arn", &activity, "--worker-name", "cli"]);
        aws(&clients, &url, &["send-task-success", "--task-token", task["taskToken"].as_str().unwrap(), "--task-output", r#"{"done": true}"#]);
        let second = aws(&clients, &url, &["start-execution", "--state-machine-arn", &worker])["executionArn"].as_str().unwrap().to_string();
        aws(&clients, &url, &["stop-execution", "--execution-arn", &second, "--error", "Ops.Stop"]);
        let stopped = aws(&clients, &url, &["describe-execution", "--execution-arn", &second]);
        assert_eq!(stopped["status"], "ABORTED");
        let mut first = Value::Null;
        for _ in 0..100 {
            first = aws(&clients, &url, &["describe-execution", "--execution-arn", &run]);
            if first["status"] != "RUNNING" {
                break;
            }
        }
        assert_eq!(first["output"], r#"{"done":true}"#, "{first}");
    })
    .await
    .unwrap();
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_aws_cli_publishes_versions_and_routes_an_alias() {
    let clients = clients_dir();
    let server = start(ServerOptions::default()).await;
    let url = server.url();
    tokio::task::spawn_blocking(move || {
        let say = |word: &str| format!(r#"{{"StartAt": "S", "States": {{"S": {{"Type": "Pass", "Result": "{word}", "End": true}}}}}}"#);
        let created = aws(&clients, &url, &["create-state-machine", "--name", "Cli", "--role-arn", ROLE, "--definition", &say("one"), "--publish", "--version-description", "first"]);
        let machine = created["stateMachineArn"].as_str().unwrap().to_string();
        let first = created["stateMachineVersionArn"].as_str().unwrap().to_string();
        aws(&clients, &url, &["update-state-machine", "--state-machine-arn", &machine, "--definition", &say("two")]);
        let second = aws(&clients, &url, &["publish-state-machine-version", "--state-machine-arn", &machine, "--description", "second"])["stateMachineVersionArn"].as_str().unwrap().to_string();
        assert_eq!(second, format!("{machine}:2"));
        let versions = aws(&clients, &url, &["list-state-machine-versions", "--state-machine-arn", &machine]);
        let listed: Vec<&str> = versions["stateMachineVersions"].as_array().unwrap().iter().map(|v| v["stateMachineVersionArn"].as_str().unwrap()).collect();
        assert_eq!(listed, [second.as_str(), first.as_str()]);
        let routing = format!("stateMachineVersionArn={first},weight=100");
        let alias = aws(&clients, &url, &["create-state-machine-alias", "--name", "live", "--routing-configuration", &routing])["stateMachineAliasArn"].as_str().unwrap().to_string();
        let execution = aws(&clients, &url, &["start-execution", "--state-machine-arn", &alias])["executionArn"].as_str().unwrap().to_string();
        let mut described = Value::Null;
        for _ in 0..100 {
            described = aws(&clients, &url, &["describe-execution", "--execution-arn", &execution]);
            if described["status"] != "RUNNING" {
                break;
            }
        }
        assert_eq!(described["output"], r#""one""#, "{described}");
        assert_eq!(described["stateMachineAliasArn"], json!(alias));
        assert_eq!(described["stateMachineVersionArn"], json!(first));
        let ran = aws(&clients, &url, &["describe-state-machine-for-execution", "--execution-arn", &execution]);
        assert_eq!(ran["definition"], json!(say("one")));
        let moved = format!("[{{\"stateMachineVersionArn\": \"{first}\", \"weight\": 50}}, {{\"stateMachineVersionArn\": \"{second}\", \"weight\": 50}}]");
        aws(&clients, &url, &["update-state-machine-alias", "--state-machine-alias-arn", &alias, "--routing-configuration", &moved]);
        let now = aws(&clients, &url, &["describe-state-machine-alias", "--state-machine-alias-arn", &alias]);
        assert_eq!(now["routingConfiguration"][1], json!({"stateMachineVersionArn": second, "weight": 50}));
        let aliases = aws(&clients, &url, &["list-state-machine-aliases", "--state-machine-arn", &machine]);
        assert_eq!(aliases["stateMachineAliases"][0]["stateMachineAliasArn"], json!(alias));
        aws(&clients, &url, &["delete-state-machine-alias", "--state-machine-alias-arn", &alias]);
        aws(&clients, &url, &["delete-state-machine-version", "--state-machine-version-arn", &first]);
        let left = aws(&clients, &url, &["list-state-machine-versions", "--state-machine-arn", &machine]);
        assert_eq!(left["stateMachineVersions"].as_array().unwrap().len(), 1);

        // A Distributed Map run: found from its execution, described, updated.
        let fan = r#"{"StartAt": "Fan", "States": {"Fan": {"Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}}"#;
        let fanout = aws(&clients, &url, &["create-state-machine", "--name", "CliFan", "--role-arn", ROLE, "--definition", fan])["stateMachineArn"].as_str().unwrap().to_string();
        let run = aws(&clients, &url, &["start-execution", "--state-machine-arn", &fanout, "--input", "[1, 2, 3]"])["executionArn"].as_str().unwrap().to_string();
        let mut ended = Value::Null;
        for _ in 0..100 {
            ended = aws(&clients, &url, &["describe-execution", "--execution-arn", &run]);
            if ended["status"] != "RUNNING" {
                break;
            }
        }
        assert_eq!(ended["status"], "SUCCEEDED", "{ended}");
        let runs = aws(&clients, &url, &["list-map-runs", "--execution-arn", &run]);
        let map_run = runs["mapRuns"][0]["mapRunArn"].as_str().unwrap().to_string();
        let described = aws(&clients, &url, &["describe-map-run", "--map-run-arn", &map_run]);
        assert_eq!(described["status"], "SUCCEEDED");
        assert_eq!(described["executionCounts"]["succeeded"], 3);
        assert_eq!(described["itemCounts"]["total"], 3);
        aws(&clients, &url, &["update-map-run", "--map-run-arn", &map_run, "--max-concurrency", "2"]);
        let updated = aws(&clients, &url, &["describe-map-run", "--map-run-arn", &map_run]);
        assert_eq!(updated["maxConcurrency"], 2);
    })
    .await
    .unwrap();
    server.stop().await;
}
