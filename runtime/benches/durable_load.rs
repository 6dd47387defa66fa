//! Load on the durable engine: 10,000 Standard executions at once, half waiting on a timer and
//! half on a task token, in a SQLite database file. Reports the process's resident memory
//! while all of them wait, the time for all to complete once released, and the durable
//! transitions (committed history events) per second.
//!
//! `cargo bench -p stepfn --bench durable_load [-- EXECUTIONS]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use stepfn::durable::{Engine, EngineOptions};
use stepfn::store::{ExecutionQuery, RunStatus, SqliteStore};

fn resident_mib() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / (1024.0 * 1024.0)
}

fn main() {
    // `cargo bench -p stepfn -- NAME` passes NAME to every bench: run only when it names this
    // one (or gives a count).
    let filtered_out = std::env::args().skip(1).any(|a| {
        !a.starts_with("--") && a.parse::<usize>().is_err() && !"durable_load".contains(&*a)
    });
    if filtered_out {
        return;
    }
    let executions: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let dir = std::env::temp_dir().join(format!("stepfn-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let database = dir.join("load.db");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = Arc::new(SqliteStore::open(&database).unwrap());
        let engine = Engine::open(store, EngineOptions::default()).await.unwrap();
        let timer = engine.register(
            "Timer",
            stepfn::parse::from_str(
                &json!({"StartAt": "Prepare", "States": {
                    "Prepare": {"Type": "Pass", "Result": {"ready": true}, "ResultPath": "$.prepared", "Next": "Nap"},
                    "Nap": {"Type": "Wait", "Seconds": 5, "Next": "Done"},
                    "Done": {"Type": "Pass", "End": true}}})
                .to_string(),
            )
            .unwrap(),
        );
        let token = engine.register(
            "Token",
            stepfn::parse::from_str(
                &json!({"StartAt": "Ask", "States": {
                    "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                            "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                            "Next": "Done"},
                    "Done": {"Type": "Pass", "End": true}}})
                .to_string(),
            )
            .unwrap(),
        );
        let before = resident_mib();
        let started = Instant::now();
        let mut arns = Vec::with_capacity(executions);
        let starts = (0..executions).map(|i| {
            let engine = engine.clone();
            let machine = if i % 2 == 0 { timer.clone() } else { token.clone() };
            tokio::spawn(async move {
                engine
                    .start_execution(&machine, Some(&format!("e{i}")), r#"{"n": 1}"#)
                    .await
                    .unwrap()
                    .execution_arn
            })
        });
        for start in starts.collect::<Vec<_>>() {
            arns.push(start.await.unwrap());
        }
        // Every token execution waiting on its token.
        while engine.waiting_tokens().len() < executions / 2 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let start_secs = started.elapsed().as_secs_f64();
        let waiting_mib = resident_mib();
        let released = Instant::now();
        let tokens = engine.waiting_tokens();
        let answers = tokens.into_iter().map(|t| {
            let engine = engine.clone();
            tokio::spawn(async move { engine.send_task_success(&t, r#"{"ok": true}"#).await })
        });
        for answer in answers.collect::<Vec<_>>() {
            answer.await.unwrap().unwrap();
        }
        for arn in &arns {
            engine.wait(arn).await.unwrap();
        }
        let total_secs = started.elapsed().as_secs_f64();
        let release_secs = released.elapsed().as_secs_f64();
        let succeeded = engine
            .list_executions(&ExecutionQuery {
                status: Some(RunStatus::Succeeded),
                max_results: 1000,
                ..Default::default()
            })
            .unwrap();
        assert!(!succeeded.items.is_empty());
        let mut events = 0usize;
        for arn in &arns {
            let record = engine.describe_execution(arn).unwrap();
            assert_eq!(record.status, RunStatus::Succeeded, "{arn}");
            events += engine
                .get_execution_history(
                    arn,
                    &stepfn::store::HistoryQuery {
                        max_results: 1000,
                        ..Default::default()
                    },
                )
                .unwrap()
                .items
                .len();
        }
        println!("durable_load: {executions} Standard executions (half on a 5 s Wait, half on a task token), SQLite file, 2 worker threads");
        println!("  started and all waiting in {start_secs:.2} s; resident memory {waiting_mib:.0} MiB while waiting ({before:.0} MiB before)");
        println!("  released: all succeeded {release_secs:.2} s later; {events} history events committed");
        println!(
            "  durable transitions: {:.0} events/s over the whole run ({:.0} executions/s)",
            events as f64 / total_secs,
            executions as f64 / total_secs
        );
        assert!(waiting_mib < 1024.0, "{waiting_mib} MiB");
    });
    let _ = std::fs::remove_dir_all(&dir);
}
