//! `stepfn serve` with real services behind its Task states: the callback pattern through a
//! real queue (moto's SQS), with boto3 as the worker in its own process, and Distributed Map
//! reading from and writing to a real bucket (moto's S3).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{start, ROLE};
use serde_json::{json, Value};
use stepfn_server::{AwsServices, ServerOptions};

/// Runs `tests/clients/NAME.py MOTO_URL SERVER_URL ROLE` against a server whose AWS services
/// are a moto server of their own, with only the placeholder credentials.
async fn run_against_moto(name: &str) -> Output {
    let moto = stepfn_testkit::moto::start();
    let server =
        start(ServerOptions::new().with_aws(AwsServices::at(moto.url.clone(), "us-east-1"))).await;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/clients/{name}.py"));
    let (moto_url, server_url) = (moto.url.clone(), server.url());
    let output = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg(script)
            .args([&moto_url, &server_url, ROLE])
            .env("PYTHONPATH", stepfn_testkit::moto::clients_dir())
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    server.stop().await;
    output
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_answers_a_token_it_read_from_a_real_queue() {
    let output = run_against_moto("sqs_worker").await;
    assert!(output.status.success(), "{output:?}");
    let ended: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        ended,
        json!({"status": "SUCCEEDED", "output": {"approved": true, "order": "o-1"}})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_distributed_map_reads_and_writes_a_real_bucket() {
    let output = run_against_moto("s3_map").await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("s3 map: ok"), "{stdout}\n{stderr}");
}
