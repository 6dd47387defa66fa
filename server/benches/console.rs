//! What the web console costs: the API's round trip (a POST the console's routing must pass
//! on untouched, measured before and after the console with the same bench), and the pages of
//! an execution with a 10,000-item Map (40,000 events).
//!
//! `cargo bench -p stepfn-server --bench console`

use std::net::SocketAddr;
use std::sync::OnceLock;

use serde_json::{json, Value};
use stepfn_server::{Server, ServerOptions};

/// A server on a free port, in a runtime of its own, for the whole run.
struct Fixture {
    address: SocketAddr,
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    machine_arn: String,
    big_execution: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (address, machine_arn, big_execution) = runtime.block_on(async {
            let server =
                Server::bind(ServerOptions::new().with_address("127.0.0.1:0".parse().unwrap()))
                    .await
                    .unwrap();
            let address = server.local_addr();
            tokio::spawn(server.run_until(std::future::pending()));
            let client = reqwest::Client::new();
            let definition = json!({"StartAt": "Each", "States": {"Each": {"Type": "Map",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
                "End": true}}});
            let created = call(
                &client,
                address,
                "CreateStateMachine",
                &json!({
                "name": "Big", "definition": definition.to_string(),
                "roleArn": "arn:aws:iam::123456789012:role/R"}),
            )
            .await;
            let machine = created["stateMachineArn"].as_str().unwrap().to_string();
            let items: Vec<u32> = (0..10_000).collect();
            let started = call(
                &client,
                address,
                "StartExecution",
                &json!({
                "stateMachineArn": machine, "name": "big", "input": json!(items).to_string()}),
            )
            .await;
            let execution = started["executionArn"].as_str().unwrap().to_string();
            loop {
                let described = call(
                    &client,
                    address,
                    "DescribeExecution",
                    &json!({"executionArn": execution}),
                )
                .await;
                if described["status"] != "RUNNING" {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            (address, machine, execution)
        });
        Fixture {
            address,
            runtime,
            client: reqwest::Client::new(),
            machine_arn,
            big_execution,
        }
    })
}

async fn call(
    client: &reqwest::Client,
    address: SocketAddr,
    operation: &str,
    body: &Value,
) -> Value {
    client
        .post(format!("http://{address}/"))
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", format!("AWSStepFunctions.{operation}"))
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn main() {
    divan::main();
}

/// One DescribeStateMachine through HTTP: the API's path through the server's routing.
#[divan::bench(sample_count = 200, sample_size = 20)]
fn api_describe_state_machine() {
    let f = fixture();
    let body = json!({"stateMachineArn": f.machine_arn});
    f.runtime
        .block_on(call(&f.client, f.address, "DescribeStateMachine", &body));
}

/// The execution page of a 10,000-item Map: its graph's statuses from 40,000 events, and
/// one page of its history.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn console_page_of_a_10000_item_map() {
    let f = fixture();
    let url = format!(
        "http://{}/executions/{}",
        f.address,
        f.big_execution.replace(':', "%3A")
    );
    let page = f.runtime.block_on(async {
        f.client
            .get(url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    assert!(
        page.contains("10000 ok"),
        "the Map's counts are on the page"
    );
}
