//! A server on a free loopback port, in the test's runtime, and a raw JSON 1.0 caller.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use stepfn_server::{Server, ServerOptions};

pub const ROLE: &str = "arn:aws:iam::123456789012:role/StepFunctionsRole";

pub struct Running {
    pub address: SocketAddr,
    pub engine: stepfn::durable::Engine,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    served: Option<tokio::task::JoinHandle<Result<(), stepfn_server::ServerError>>>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Shuts the server down gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(served) = self.served.take() {
            served.await.unwrap().unwrap();
        }
    }
}

pub async fn start(options: ServerOptions) -> Running {
    let server = Server::bind(
        options
            .with_address("127.0.0.1:0".parse().unwrap())
            .with_activity_poll(Duration::from_secs(2)),
    )
    .await
    .unwrap();
    let address = server.local_addr();
    let engine = server.engine().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));
    Running {
        address,
        engine,
        stop: Some(stop),
        served: Some(served),
    }
}

/// Calls `operation` with `members`; the HTTP status and the answer's JSON.
pub async fn call(
    client: &reqwest::Client,
    server: &Running,
    operation: &str,
    members: &Value,
) -> (u16, Value) {
    let response = client
        .post(server.url())
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", format!("AWSStepFunctions.{operation}"))
        .body(members.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The error name of an error answer (`__type` after the `#`).
pub fn error_code(answer: &Value) -> &str {
    answer["__type"]
        .as_str()
        .and_then(|t| t.rsplit('#').next())
        .unwrap_or("")
}
