//! Standard executions killed with SIGKILL at random points, many times, and restarted on the
//! same database: every one completes with the same result and the same history as a run that
//! was never interrupted, no task handler that had completed runs again, and no history event
//! is lost or repeated.
//!
//! The test runs itself as the child process: with `STEPFN_CRASH_CHILD` set, the test
//! function is the engine process (real clock, multi-threaded runtime) instead of the parent.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use stepfn::durable::{Engine, EngineOptions};
use stepfn::store::{HistoryQuery, RunStatus, SqliteStore, Store};
use stepfn::{StatesError, TaskRegistry, TaskRequest, TaskResult};

const CHILD_ENV: &str = "STEPFN_CRASH_CHILD";
const LOG_ENV: &str = "STEPFN_CRASH_LOG";
const TEST_NAME: &str = "executions_survive_sigkill_at_random_points";
const EXECUTIONS: usize = 6;
const SEED: u64 = 0x005E_ED0F_C4A5;
/// At most this many kills; then the child is left to finish.
const KILLS: usize = 25;
/// A handler completion not yet committed when the process was killed may run again: the
/// commit follows the completion within milliseconds, so a re-run is only accepted when a kill
/// came this soon after the completion it repeats.
const COMMIT_WINDOW_MILLIS: i64 = 250;

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn definition() -> stepfn::StateMachine {
    let lambda = |name: &str| format!("arn:aws:lambda:us-east-1:123456789012:function:{name}");
    stepfn::parse::from_str(
        &json!({
            "StartAt": "Prepare",
            "States": {
                "Prepare": {"Type": "Task", "Resource": lambda("prepare"), "Next": "Pause"},
                "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Fan out"},
                "Fan out": {
                    "Type": "Map",
                    "ItemsPath": "$.items",
                    "MaxConcurrency": 2,
                    "ItemSelector": {"id.$": "$.id", "n.$": "$$.Map.Item.Value"},
                    "ItemProcessor": {"StartAt": "Work", "States": {
                        "Work": {"Type": "Task", "Resource": lambda("work"), "End": true}}},
                    "ResultPath": "$.worked",
                    "Next": "Rest"
                },
                "Rest": {"Type": "Wait", "Seconds": 2, "Next": "Flaky"},
                "Flaky": {
                    "Type": "Task",
                    "Resource": lambda("flaky"),
                    "Retry": [{"ErrorEquals": ["Flaky.Again"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 1.0}],
                    "ResultPath": "$.flaky",
                    "Next": "Approve"
                },
                "Approve": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"QueueUrl": "approvals", "MessageBody": {"token.$": "$$.Task.Token"}},
                    "ResultPath": "$.approval",
                    "End": true
                }
            }
        })
        .to_string(),
    )
    .unwrap()
}

/// Appends `done KEY MILLIS` to the handler log once a handler finished its work.
fn log_done(log: &Path, key: &str) {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    // One write per line: concurrent handlers append whole lines (O_APPEND).
    let line = format!("done\t{key}\t{}\n", now_millis());
    file.write_all(line.as_bytes()).unwrap();
    file.sync_data().unwrap();
}

fn handler(
    log: Arc<PathBuf>,
    work: fn(&TaskRequest) -> TaskResult,
) -> impl Fn(TaskRequest) -> futures::future::BoxFuture<'static, TaskResult> + Send + Sync {
    move |request: TaskRequest| {
        let log = log.clone();
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            let key = format!(
                "{}/{}/{}",
                request.state_name.as_str(),
                request.retry_count,
                request.input
            );
            let result = work(&request);
            log_done(&log, &key);
            result
        })
    }
}

/// The engine process: starts the executions (again: StartExecution is idempotent by name),
/// answers the callbacks, and exits once every execution has ended.
fn child(database: &Path, log: &Path) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let log = Arc::new(log.to_path_buf());
        let tasks = TaskRegistry::new()
            .on_state(
                "Prepare",
                handler(log.clone(), |r| {
                    let mut out = r.input.clone();
                    out["items"] = json!([1, 2, 3, 4, 5]);
                    Ok(out)
                }),
            )
            .on_state(
                "Work",
                handler(log.clone(), |r| {
                    Ok(json!({"doubled": r.input["n"].as_i64().unwrap_or(0) * 2}))
                }),
            )
            .on_state(
                "Flaky",
                handler(log.clone(), |r| {
                    if r.retry_count < 2 {
                        Err(StatesError::new("Flaky.Again", "not yet"))
                    } else {
                        Ok(json!({"attempts": r.retry_count + 1}))
                    }
                }),
            );
        let store = Arc::new(SqliteStore::open(database).unwrap());
        let engine = Engine::open(store, EngineOptions::new().with_tasks(tasks))
            .await
            .unwrap();
        let sm = engine.register("Crashy", definition());
        let mut arns = Vec::new();
        for id in 0..EXECUTIONS {
            let name = format!("run-{id}");
            let input = json!({"id": id}).to_string();
            let arn = match engine.start_execution(&sm, Some(&name), &input).await {
                Ok(started) => started.execution_arn,
                Err(e) if e.code() == "ExecutionAlreadyExists" => {
                    format!("arn:aws:states:us-east-1:123456789012:execution:Crashy:{name}")
                }
                Err(e) => panic!("{e}"),
            };
            arns.push(arn);
        }
        loop {
            for token in engine.waiting_tokens() {
                let _ = engine
                    .send_task_success(&token, r#"{"approved": true}"#)
                    .await;
            }
            let all_ended = arns.iter().all(|arn| {
                engine
                    .describe_execution(arn)
                    .is_ok_and(|r| r.status != RunStatus::Running)
            });
            if all_ended {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
}

fn spawn_child(database: &Path, log: &Path) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads", "1"])
        .env(CHILD_ENV, database)
        .env(LOG_ENV, log)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// How one execution ended: status, output, and its history events as (type, state name),
/// sorted (concurrent Map iterations interleave differently from run to run).
type Ended = (RunStatus, Option<String>, Vec<(String, String)>);

struct Run {
    results: Vec<Ended>,
    /// Every handler completion: key and time.
    completions: Vec<(String, i64)>,
    kills: Vec<i64>,
    restarts: usize,
}

fn run(dir: &Path, kill_seed: Option<u64>) -> Run {
    let database = dir.join("executions.db");
    let log = dir.join("handlers.log");
    let mut rng = kill_seed.map(fastrand::Rng::with_seed);
    let mut kills = Vec::new();
    let mut restarts = 0;
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let mut process = spawn_child(&database, &log);
        let pause = match (&mut rng, kills.len() < KILLS) {
            (Some(rng), true) => Some(Duration::from_millis(rng.u64(80..700))),
            _ => None,
        };
        let started = Instant::now();
        let status = loop {
            if let Some(status) = process.try_wait().unwrap() {
                break Some(status);
            }
            if pause.is_some_and(|p| started.elapsed() >= p) {
                break None;
            }
            assert!(Instant::now() < deadline, "the executions did not finish");
            std::thread::sleep(Duration::from_millis(5));
        };
        match status {
            Some(status) => {
                assert!(status.success(), "the engine process failed: {status}");
                break;
            }
            None => {
                process.kill().unwrap();
                kills.push(now_millis());
                process.wait().unwrap();
                restarts += 1;
            }
        }
    }
    let store = SqliteStore::open(&database).unwrap();
    let results = (0..EXECUTIONS)
        .map(|id| {
            let arn = format!("arn:aws:states:us-east-1:123456789012:execution:Crashy:run-{id}");
            let record = store.execution(&arn).unwrap().unwrap();
            let events = store
                .history(
                    &arn,
                    &HistoryQuery {
                        max_results: 1000,
                        ..Default::default()
                    },
                )
                .unwrap()
                .items;
            let ids: Vec<u64> = events.iter().map(|e| e["id"].as_u64().unwrap()).collect();
            assert_eq!(
                ids,
                (1..=events.len() as u64).collect::<Vec<_>>(),
                "{arn}: event ids run 1, 2, 3... without gaps or repeats"
            );
            let mut shape: Vec<(String, String)> = events.iter().map(event_shape).collect();
            shape.sort();
            (record.status, record.output, shape)
        })
        .collect();
    let completions = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let mut parts = line.split('\t');
            parts.next()?;
            let key = parts.next()?.to_string();
            let millis = parts.next()?.parse().ok()?;
            Some((key, millis))
        })
        .collect();
    Run {
        results,
        completions,
        kills,
        restarts,
    }
}

fn event_shape(event: &Value) -> (String, String) {
    let name = event
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.ends_with("EventDetails"))
        .and_then(|(_, d)| d["name"].as_str())
        .unwrap_or("")
        .to_string();
    (event["type"].as_str().unwrap().to_string(), name)
}

fn scratch_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "stepfn-crash-{label}-{}-{}",
        std::process::id(),
        now_millis()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn executions_survive_sigkill_at_random_points() {
    if let (Ok(database), Ok(log)) = (std::env::var(CHILD_ENV), std::env::var(LOG_ENV)) {
        child(Path::new(&database), Path::new(&log));
        return;
    }
    let calm_dir = scratch_dir("calm");
    let calm = run(&calm_dir, None);
    assert_eq!(calm.restarts, 0);
    let crash_dir = scratch_dir("killed");
    let killed = run(&crash_dir, Some(SEED));
    assert!(
        killed.restarts >= 10,
        "the engine was killed {} times",
        killed.restarts
    );

    for (id, (calm, killed)) in calm.results.iter().zip(&killed.results).enumerate() {
        assert_eq!(calm.0, RunStatus::Succeeded, "run-{id}, uninterrupted");
        assert_eq!(killed.0, RunStatus::Succeeded, "run-{id}, killed");
        assert_eq!(killed.1, calm.1, "run-{id}: the same output");
        assert_eq!(killed.2, calm.2, "run-{id}: the same history events");
    }

    // Every handler ran to completion once per attempt, as in the calm run; a completion
    // repeated is allowed only where the process was killed before it could be committed.
    let count = |completions: &[(String, i64)]| {
        let mut by_key: HashMap<String, Vec<i64>> = HashMap::new();
        for (key, millis) in completions {
            by_key.entry(key.clone()).or_default().push(*millis);
        }
        by_key
    };
    let calm_counts = count(&calm.completions);
    let killed_counts = count(&killed.completions);
    assert!(calm_counts.values().all(|times| times.len() == 1));
    let mut repeated = 0;
    for (key, times) in &killed_counts {
        assert!(
            calm_counts.contains_key(key),
            "{key} ran only when killed; the calm run ran {:?}",
            calm_counts
                .keys()
                .filter(|k| k.starts_with(key.split('/').next().unwrap_or("")))
                .collect::<Vec<_>>()
        );
        for pair in times.windows(2) {
            let first = pair[0];
            let explained = killed
                .kills
                .iter()
                .any(|kill| *kill >= first && *kill - first <= COMMIT_WINDOW_MILLIS);
            assert!(
                explained,
                "{key} completed at {first} and ran again though no kill came before its commit"
            );
            repeated += 1;
        }
    }
    assert_eq!(killed_counts.len(), calm_counts.len());
    eprintln!(
        "crash test: {} kills, {} handler completions, {} repeated (killed before commit)",
        killed.restarts,
        killed.completions.len(),
        repeated
    );
    let _ = std::fs::remove_dir_all(&calm_dir);
    let _ = std::fs::remove_dir_all(&crash_dir);
}
