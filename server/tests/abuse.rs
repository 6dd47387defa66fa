//! stepfn serve against clients that misbehave: connections that stall mid-request, a
//! thousand connections open at once, and a shutdown while stalled clients hang on. The server
//! must go on answering everyone else, and stop when told to.

mod common;

use std::time::{Duration, Instant};

use common::{call, start};
use serde_json::json;
use stepfn_server::ServerOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A JSON 1.0 request for `ListStateMachines`, whole, as bytes on the wire.
fn list_request() -> Vec<u8> {
    let body = "{}";
    format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n\
         X-Amz-Target: AWSStepFunctions.ListStateMachines\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Reads a whole `Connection: close` response and gives its status code.
async fn status_of(stream: &mut TcpStream) -> u16 {
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_clients_do_not_stop_others_being_answered_nor_the_shutdown() {
    let server = start(ServerOptions::new().with_shutdown_grace(Duration::from_secs(1))).await;
    let address = server.address;
    // Clients that stop in the middle of their headers, and clients that announce a body
    // they never finish sending.
    let mut stalled = Vec::new();
    for i in 0..300 {
        let mut stream = TcpStream::connect(address).await.unwrap();
        let part: &[u8] = if i % 2 == 0 {
            b"POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Tar"
        } else {
            b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n\
              X-Amz-Target: AWSStepFunctions.ListStateMachines\r\nContent-Length: 1000\r\n\r\n{\"ma"
        };
        stream.write_all(part).await.unwrap();
        stalled.push(stream);
    }
    let client = reqwest::Client::new();
    let began = Instant::now();
    for _ in 0..50 {
        let (status, _) = call(&client, &server, "ListStateMachines", &json!({})).await;
        assert_eq!(status, 200);
    }
    assert!(
        began.elapsed() < Duration::from_secs(10),
        "50 requests beside 300 stalled clients took {:?}",
        began.elapsed()
    );
    // The stalled clients are still connected when the server is told to stop: it must stop
    // anyway, once its grace period is over.
    tokio::time::timeout(Duration::from_secs(20), server.stop())
        .await
        .expect("the server stops while stalled clients hang on");
    drop(stalled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_connections_open_at_once_are_all_answered() {
    let server = start(ServerOptions::default()).await;
    let address = server.address;
    // Every connection is open before any request is sent.
    let mut streams = Vec::with_capacity(1000);
    for _ in 0..1000 {
        streams.push(TcpStream::connect(address).await.unwrap());
    }
    let request = list_request();
    let answered = streams.into_iter().map(|mut stream| {
        let request = request.clone();
        tokio::spawn(async move {
            stream.write_all(&request).await.unwrap();
            status_of(&mut stream).await
        })
    });
    let statuses = futures::future::join_all(answered).await;
    let ok = statuses
        .into_iter()
        .filter(|s| matches!(s, Ok(200)))
        .count();
    assert_eq!(ok, 1000);
    // And it still answers afterwards.
    let (status, _) = call(
        &reqwest::Client::new(),
        &server,
        "ListStateMachines",
        &json!({}),
    )
    .await;
    assert_eq!(status, 200);
    server.stop().await;
}
