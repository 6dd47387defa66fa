//! The server over raw HTTP: AWS's error shapes for bad input, concurrency, the validator
//! cases recorded against AWS, and the task resources it runs for real.

mod common;

use std::collections::HashSet;
use std::path::Path;

use axum::http::HeaderMap;
use common::{call, error_code, start, ROLE};
use serde_json::{json, Value};
use stepfn_server::ServerOptions;

fn temp_db(test: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "stepfn-server-{test}-{}-{}.db",
        std::process::id(),
        stepfn::random::uuid_v4().simple()
    ))
}

async fn create(
    client: &reqwest::Client,
    server: &common::Running,
    name: &str,
    definition: Value,
) -> String {
    let (status, answer) = call(
        client,
        server,
        "CreateStateMachine",
        &json!({"name": name, "definition": definition.to_string(), "roleArn": ROLE}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    answer["stateMachineArn"].as_str().unwrap().to_string()
}

async fn run_to_end(
    client: &reqwest::Client,
    server: &common::Running,
    machine: &str,
    input: Value,
) -> Value {
    let (status, started) = call(
        client,
        server,
        "StartExecution",
        &json!({"stateMachineArn": machine, "input": input.to_string()}),
    )
    .await;
    assert_eq!(status, 200, "{started}");
    let arn = started["executionArn"].as_str().unwrap().to_string();
    server.engine.wait(&arn).await.unwrap();
    call(
        client,
        server,
        "DescribeExecution",
        &json!({"executionArn": arn}),
    )
    .await
    .1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_aws_error_shapes_and_the_server_goes_on() {
    let server = start(ServerOptions::new().with_max_body_bytes(4096)).await;
    let client = reqwest::Client::new();
    let raw = |target: Option<&str>, body: String| {
        let mut request = client
            .post(server.url())
            .header("content-type", "application/x-amz-json-1.0")
            .body(body);
        if let Some(t) = target {
            request = request.header("x-amz-target", t);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
            (status, body)
        }
    };
    let cases = [
        (Some("AWSStepFunctions.ListStateMachines"), "{not json".to_string(), 400, "SerializationException"),
        (Some("AWSStepFunctions.DoSomething"), "{}".to_string(), 400, "UnknownOperationException"),
        (Some("Other.ListStateMachines"), "{}".to_string(), 400, "UnknownOperationException"),
        (None, "{}".to_string(), 400, "MissingAuthenticationTokenException"),
        (Some("AWSStepFunctions.DescribeExecution"), r#"{"executionArn": "not-an-arn"}"#.to_string(), 400, "InvalidArn"),
        (Some("AWSStepFunctions.StartExecution"), "{}".to_string(), 400, "ValidationException"),
        (Some("AWSStepFunctions.StartExecution"), format!(r#"{{"stateMachineArn": "{}"}}"#, "x".repeat(5000)), 413, "RequestEntityTooLargeException"),
        (Some("AWSStepFunctions.DescribeStateMachine"), r#"{"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:None"}"#.to_string(), 400, "StateMachineDoesNotExist"),
        (Some("AWSStepFunctions.SendTaskSuccess"), r#"{"taskToken": "bogus", "output": "{}"}"#.to_string(), 400, "InvalidToken"),
        (Some("AWSStepFunctions.CreateStateMachine"), json!({"name": "Bad", "roleArn": ROLE, "definition": "{\"StartAt\": \"X\", \"States\": {}}"}).to_string(), 400, "InvalidDefinition"),
    ];
    for (target, body, status, code) in cases {
        let (got, answer) = raw(target, body).await;
        assert_eq!(
            (got, error_code(&answer)),
            (status, code),
            "{target:?}: {answer}"
        );
        assert!(
            answer["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{answer}"
        );
    }
    // GET is the web console's; other methods than POST are not the API's.
    let get = client.get(server.url()).send().await.unwrap();
    assert_eq!(get.status().as_u16(), 200);
    assert!(get.text().await.unwrap().contains("State machines"));
    let put = client.put(server.url()).send().await.unwrap();
    assert_eq!(put.status().as_u16(), 404);
    // Still serving.
    let (status, _) = call(&client, &server, "ListStateMachines", &json!({})).await;
    assert_eq!(status, 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_definition_over_a_mebibyte_is_refused_as_aws_refuses_it() {
    let server = start(ServerOptions::new().with_max_body_bytes(4 * 1024 * 1024)).await;
    let client = reqwest::Client::new();
    // Valid but for its size: a Pass state whose Result is one long string.
    let definition = |chars: usize| {
        let shell =
            json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "", "End": true}}})
                .to_string();
        let padding = "x".repeat(chars - shell.len());
        shell.replace(r#""Result":"""#, &format!(r#""Result":"{padding}""#))
    };
    for operation in ["CreateStateMachine", "ValidateStateMachineDefinition"] {
        let request =
            |definition: String| json!({"name": "Big", "roleArn": ROLE, "definition": definition});
        let (status, answer) =
            call(&client, &server, operation, &request(definition(1_048_577))).await;
        assert_eq!(
            (status, error_code(&answer)),
            (400, "ValidationException"),
            "{answer}"
        );
        assert_eq!(
            answer["message"],
            "1 validation error detected: Value at 'definition' failed to satisfy constraint: Member must have length less than or equal to 1048576"
        );
        let (status, answer) =
            call(&client, &server, operation, &request(definition(1_048_576))).await;
        assert_eq!(status, 200, "{operation}: {answer}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_starts_lose_no_execution() {
    let db = temp_db("load");
    let server = start(ServerOptions::new().with_database(db.clone())).await;
    let client = reqwest::Client::new();
    let machine = create(
        &client,
        &server,
        "Load",
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}),
    )
    .await;
    let starts = (0..1000).map(|i| {
        let client = client.clone();
        let url = server.url();
        let machine = machine.clone();
        tokio::spawn(async move {
            let response = client
                .post(url)
                .header("content-type", "application/x-amz-json-1.0")
                .header("x-amz-target", "AWSStepFunctions.StartExecution")
                .body(json!({"stateMachineArn": machine, "name": format!("run-{i}"), "input": format!("{{\"i\": {i}}}")}).to_string())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 200);
            let answer: Value = response.json().await.unwrap();
            answer["executionArn"].as_str().unwrap().to_string()
        })
    });
    let arns: HashSet<String> = futures::future::join_all(starts)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(arns.len(), 1000);
    for arn in &arns {
        server.engine.wait(arn).await.unwrap();
    }
    let (_, listed) = call(
        &client,
        &server,
        "ListExecutions",
        &json!({"stateMachineArn": machine, "maxResults": 1000, "statusFilter": "SUCCEEDED"}),
    )
    .await;
    let listed: HashSet<String> = listed["executions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["executionArn"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, arns);
    server.stop().await;
    let _ = std::fs::remove_file(&db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_answers_as_aws_recorded() {
    let root = stepfn_testkit::conformance().join("validator");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("manifest.json")).unwrap())
            .unwrap();
    let server = start(ServerOptions::default()).await;
    let client = reqwest::Client::new();
    let mut checked = 0;
    let mut differences = Vec::new();
    let (mut seen, mut matching) = (Vec::new(), Vec::new());
    for (file, case) in manifest.as_object().unwrap() {
        let expect = &case["expect"];
        if expect["api"] != "ValidateStateMachineDefinition" {
            continue;
        }
        let definition = std::fs::read_to_string(root.join(file)).unwrap();
        let (status, answer) = call(
            &client,
            &server,
            "ValidateStateMachineDefinition",
            &json!({"definition": definition, "type": expect["type"]}),
        )
        .await;
        assert_eq!(status, 200, "{file}: {answer}");
        checked += 1;
        seen.push(file.clone());
        let codes = |v: &Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|d| d["code"].as_str().unwrap_or("").to_string())
                .collect()
        };
        if answer["result"] != expect["result"]
            || codes(&answer["diagnostics"]) != codes(&expect["diagnostics"])
        {
            differences.push((file.clone(), format!("{file}: AWS {expect} ours {answer}")));
        } else {
            matching.push(file.clone());
        }
    }
    assert_eq!(checked, 12);
    let skipped = stepfn_testkit::SkipList::load(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/validate-skips.txt"),
    )
    .unwrap();
    let unexpected: Vec<&String> = differences
        .iter()
        .filter(|(file, _)| !skipped.contains(file))
        .map(|(_, d)| d)
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    skipped.assert_not_stale(&seen, &matching);
    server.stop().await;
}

/// A Lambda Invoke API and an HTTP API on loopback, as the integrations' far ends.
async fn far_end() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    use axum::routing::{get, post};
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = received.clone();
    let app = axum::Router::new()
        .route(
            "/2015-03-31/functions/{name}/invocations",
            post(move |axum::extract::Path(name): axum::extract::Path<String>, body: String| {
                let seen = seen.clone();
                async move {
                    let payload: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                    seen.lock().unwrap().push(payload.clone());
                    let mut headers = HeaderMap::new();
                    if name == "broken" {
                        headers.insert("x-amz-function-error", "Unhandled".parse().unwrap());
                        return (headers, json!({"errorType": "ValueError", "errorMessage": "no"}).to_string());
                    }
                    (headers, json!({"function": name, "got": payload}).to_string())
                }
            }),
        )
        .route(
            "/items",
            get(|axum::extract::RawQuery(q): axum::extract::RawQuery, headers: HeaderMap| async move {
                axum::Json(json!({"query": q, "team": headers.get("x-team").map(|v| v.to_str().unwrap().to_string())}))
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lambda_http_and_nested_executions_run_for_real() {
    let (far, received) = far_end().await;
    let server = start(ServerOptions::new().with_lambda_endpoint(far.clone())).await;
    let client = reqwest::Client::new();

    let by_arn = create(&client, &server, "ByArn", json!({"StartAt": "F", "States": {"F": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:greet", "End": true}}})).await;
    let done = run_to_end(&client, &server, &by_arn, json!({"who": "ada"})).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_eq!(
        serde_json::from_str::<Value>(done["output"].as_str().unwrap()).unwrap(),
        json!({"function": "greet", "got": {"who": "ada"}})
    );

    let raising = create(&client, &server, "Raising", json!({"StartAt": "F", "States": {"F": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "broken", "Payload.$": "$"}, "End": true}}})).await;
    let done = run_to_end(&client, &server, &raising, json!({})).await;
    assert_eq!(
        (done["status"].as_str(), done["error"].as_str()),
        (Some("FAILED"), Some("ValueError")),
        "{done}"
    );

    let integration = create(&client, &server, "Integration", json!({"StartAt": "F", "States": {"F": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:greet", "Payload": {"n": 1}}, "OutputPath": "$.Payload", "End": true}}})).await;
    let done = run_to_end(&client, &server, &integration, json!({})).await;
    assert_eq!(
        serde_json::from_str::<Value>(done["output"].as_str().unwrap()).unwrap(),
        json!({"function": "greet", "got": {"n": 1}})
    );

    let http = create(&client, &server, "Http", json!({"StartAt": "Get", "States": {
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke", "Parameters": {
            "ApiEndpoint": format!("{far}/items"), "Method": "GET", "QueryParameters": {"x": "1"},
            "Headers": {"x-team": "blue"}, "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/c/1"}},
            "ResultSelector": {"body.$": "$.ResponseBody", "status.$": "$.StatusCode"}, "Next": "Missing"},
        "Missing": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke", "Parameters": {
            "ApiEndpoint": format!("{far}/missing"), "Method": "GET", "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/c/1"}},
            "Catch": [{"ErrorEquals": ["States.Http.StatusCode.404"], "ResultPath": "$.missing", "Next": "Done"}], "ResultPath": null, "Next": "Done"},
        "Done": {"Type": "Pass", "End": true}}})).await;
    let done = run_to_end(&client, &server, &http, json!({})).await;
    let output: Value = serde_json::from_str(done["output"].as_str().unwrap()).unwrap();
    assert_eq!(
        output["body"],
        json!({"query": "x=1", "team": "blue"}),
        "{done}"
    );
    assert_eq!(output["status"], "200");
    assert_eq!(output["missing"]["Error"], "States.Http.StatusCode.404");

    let child = create(&client, &server, "Child", json!({"StartAt": "Double", "States": {"Double": {"Type": "Pass", "Parameters": {"twice.$": "States.MathAdd($.n, $.n)"}, "End": true}}})).await;
    let failing = create(&client, &server, "FailingChild", json!({"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "Child.Failed", "Cause": "because"}}})).await;
    let parent = create(&client, &server, "Parent", json!({"StartAt": "Sync2", "States": {
        "Sync2": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2", "Parameters": {"StateMachineArn": child, "Input": {"n": 21}}, "ResultSelector": {"out.$": "$.Output", "status.$": "$.Status"}, "ResultPath": "$.sync2", "Next": "Sync"},
        "Sync": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync", "Parameters": {"StateMachineArn": child, "Input": {"n": 1}}, "ResultSelector": {"out.$": "$.Output"}, "ResultPath": "$.sync", "Next": "Fire"},
        "Fire": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution", "Parameters": {"StateMachineArn": child, "Name": "fired", "Input": {"n": 2}}, "ResultSelector": {"arn.$": "$.ExecutionArn"}, "ResultPath": "$.fire", "Next": "Failing"},
        "Failing": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync", "Parameters": {"StateMachineArn": failing}, "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.failed", "Next": "End"}], "Next": "End"},
        "End": {"Type": "Pass", "End": true}}})).await;
    let done = run_to_end(&client, &server, &parent, json!({})).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    let output: Value = serde_json::from_str(done["output"].as_str().unwrap()).unwrap();
    assert_eq!(
        output["sync2"],
        json!({"out": {"twice": 42}, "status": "SUCCEEDED"})
    );
    assert_eq!(output["sync"], json!({"out": "{\"twice\":2}"}));
    assert!(output["fire"]["arn"]
        .as_str()
        .unwrap()
        .ends_with(":execution:Child:fired"));
    let cause: Value = serde_json::from_str(output["failed"]["Cause"].as_str().unwrap()).unwrap();
    assert_eq!(
        (cause["Status"].as_str(), cause["Error"].as_str()),
        (Some("FAILED"), Some("Child.Failed"))
    );

    // A callback task sends its token out through the Lambda endpoint, then waits for it.
    let callback = create(&client, &server, "Callback", json!({"StartAt": "Ask", "States": {"Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "Parameters": {"FunctionName": "ask", "Payload": {"token.$": "$$.Task.Token"}}, "End": true}}})).await;
    let (_, started) = call(
        &client,
        &server,
        "StartExecution",
        &json!({"stateMachineArn": callback}),
    )
    .await;
    let token = loop {
        let token = received
            .lock()
            .unwrap()
            .iter()
            .find_map(|p| p["token"].as_str().map(str::to_string));
        if let Some(token) = token {
            break token;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    };
    let (status, answer) = call(
        &client,
        &server,
        "SendTaskSuccess",
        &json!({"taskToken": token, "output": "{\"approved\": true}"}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let ended = server
        .engine
        .wait(started["executionArn"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(ended.output.as_deref(), Some(r#"{"approved":true}"#));

    // Without a mock, a service the server cannot call fails saying what to do.
    let sqs = create(&client, &server, "Sqs", json!({"StartAt": "Send", "States": {"Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Parameters": {"QueueUrl": "q", "MessageBody": "m"}, "End": true}}})).await;
    let done = run_to_end(&client, &server, &sqs, json!({})).await;
    assert!(
        done["cause"].as_str().unwrap().contains("--mock-config"),
        "{done}"
    );
    server.stop().await;
}
