//! The server's request handling, in process: each line of the input is one request,
//! `Operation body` (the operation after `AWSStepFunctions.` in `X-Amz-Target`, or the whole
//! header when it holds a dot; the body is usually a JSON object), `GET path?query` (a web
//! console page) or `FORM path body` (a console action), answered in order by one fresh
//! in-memory server, so that later requests can name what earlier ones created.
#![no_main]

use std::sync::Arc;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use stepfn::clock::VirtualClock;
use stepfn_server::fuzzing::Api;

/// Most requests taken from one input.
const MAX_REQUESTS: usize = 8;
/// How long one request may take (a synchronous execution, say) before it is dropped.
const REQUEST_TIME: Duration = Duration::from_millis(50);

fuzz_target!(|data: &[u8]| {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        // 2026-11-21T18:59:24Z, as the conformance recordings start.
        let clock = Arc::new(VirtualClock::starting_at(1_795_114_764_000));
        let api = Api::open(clock, None).await;
        for line in data.split(|b| *b == b'\n').take(MAX_REQUESTS) {
            let (operation, body) = match line.iter().position(|b| *b == b' ') {
                Some(at) => (&line[..at], &line[at + 1..]),
                None => (line, &[][..]),
            };
            if operation == b"GET" || operation == b"FORM" {
                let page = async {
                    let response = if operation == b"GET" {
                        api.console(body, None).await
                    } else {
                        let (path, form) = match body.iter().position(|b| *b == b' ') {
                            Some(at) => (&body[..at], &body[at + 1..]),
                            None => (body, &[][..]),
                        };
                        api.console(path, Some(form)).await
                    };
                    let _ = axum::body::to_bytes(response.into_body(), usize::MAX).await;
                };
                let _ = tokio::time::timeout(REQUEST_TIME, page).await;
                continue;
            }
            let target = if operation.contains(&b'.') {
                operation.to_vec()
            } else {
                [b"AWSStepFunctions.".as_slice(), operation].concat()
            };
            let answer = async {
                let response = api.request(&target, body).await;
                let _ = axum::body::to_bytes(response.into_body(), usize::MAX).await;
            };
            let _ = tokio::time::timeout(REQUEST_TIME, answer).await;
        }
    });
});
