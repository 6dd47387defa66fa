//! The engine on a virtual clock: a "crash" is the runtime dropped with every execution task
//! in it, and a restart is a new engine on the same database file.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::*;
use crate::clock::{virtual_runtime, VirtualClock};
use crate::store::SqliteStore;
use stepfn_codegen::StateMachine;

const HOUR: i64 = 3_600_000;
const START: i64 = 1_700_000_000_000;

/// A database file of its own for one test.
fn database(test: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "stepfn-durable-{test}-{}-{}.db",
        std::process::id(),
        crate::random::uuid_v4().simple()
    ));
    let _ = std::fs::remove_file(&path);
    path
}

/// Runs `work` on a fresh virtual runtime whose clock reads `start_millis`, then drops the
/// runtime: whatever was still running in it is gone, as after a crash.
fn session<T>(start_millis: i64, work: impl AsyncFnOnce(Arc<dyn Clock>) -> T) -> T {
    let runtime = virtual_runtime().unwrap();
    runtime.block_on(async move {
        let clock: Arc<dyn Clock> = Arc::new(VirtualClock::starting_at(start_millis));
        work(clock).await
    })
}

async fn engine(path: &std::path::Path, clock: Arc<dyn Clock>, tasks: TaskRegistry) -> Engine {
    let store = Arc::new(SqliteStore::open(path).unwrap());
    Engine::open(
        store,
        EngineOptions {
            tasks,
            clock,
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

fn machine(definition: Value) -> StateMachine {
    stepfn_codegen::parse::from_str(&definition.to_string()).unwrap()
}

/// A handler that counts its calls and adds `{field: true}` to its input.
fn counting(
    calls: &Arc<AtomicUsize>,
    field: &'static str,
) -> impl Fn(crate::TaskRequest) -> futures::future::BoxFuture<'static, crate::TaskResult>
       + Send
       + Sync
       + 'static {
    let calls = calls.clone();
    move |request: crate::TaskRequest| {
        calls.fetch_add(1, Ordering::SeqCst);
        let mut input = request.input;
        input[field] = json!(true);
        Box::pin(async move { Ok(input) })
    }
}

fn all_events(engine: &Engine, arn: &str) -> Vec<Value> {
    engine
        .get_execution_history(
            arn,
            &HistoryQuery {
                max_results: 1000,
                ..Default::default()
            },
        )
        .unwrap()
        .items
}

/// Each event's type and state name, in order.
fn shape(events: &[Value]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|e| {
            let details = e
                .as_object()
                .unwrap()
                .iter()
                .find(|(k, _)| k.ends_with("EventDetails"))
                .map(|(_, v)| v["name"].as_str().unwrap_or("").to_string())
                .unwrap_or_default();
            (e["type"].as_str().unwrap().to_string(), details)
        })
        .collect()
}

/// Ids start at 1 and rise (skipping only ids AWS gives to events it does not show).
fn assert_ids_continue(events: &[Value]) {
    let ids: Vec<u64> = events.iter().map(|e| e["id"].as_u64().unwrap()).collect();
    assert_eq!(ids.first(), Some(&1));
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids do not rise: {ids:?}"
    );
}

fn charge_wait_ship() -> StateMachine {
    machine(json!({
        "StartAt": "Charge",
        "States": {
            "Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge", "Next": "Cool off"},
            "Cool off": {"Type": "Wait", "Seconds": 3600, "Next": "Ship"},
            "Ship": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:ship", "End": true}
        }
    }))
}

#[test]
fn an_execution_resumes_after_a_crash_without_running_a_finished_task_again() {
    let path = database("resume");
    let charged = Arc::new(AtomicUsize::new(0));
    let shipped = Arc::new(AtomicUsize::new(0));
    let tasks = TaskRegistry::new()
        .on_state("Charge", counting(&charged, "charged"))
        .on_state("Ship", counting(&shipped, "shipped"));

    let arn = session(START, async |clock| {
        let engine = engine(&path, clock, tasks.clone()).await;
        let sm = engine.register("Orders", charge_wait_ship());
        let started = engine
            .start_execution(&sm, Some("order-1"), r#"{"order": 7}"#)
            .await
            .unwrap();
        // Into the Wait, then the process dies.
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(engine.running(), vec![started.execution_arn.clone()]);
        started.execution_arn
    });
    assert_eq!(charged.load(Ordering::SeqCst), 1);
    assert_eq!(shipped.load(Ordering::SeqCst), 0);

    // Back two hours later: the Wait ran out while the process was down, so it ends at once.
    let (record, events) = session(START + 2 * HOUR, async |clock| {
        let engine = engine(&path, clock.clone(), tasks.clone()).await;
        let resumed_at = clock.now_millis();
        let record = engine.wait(&arn).await.unwrap();
        assert_eq!(
            record.stop_millis,
            Some(resumed_at),
            "the overdue Wait fired at once"
        );
        (record, all_events(&engine, &arn))
    });
    assert_eq!(record.status, RunStatus::Succeeded);
    assert_eq!(
        record.output.as_deref(),
        Some(r#"{"order":7,"charged":true,"shipped":true}"#)
    );
    assert_eq!(charged.load(Ordering::SeqCst), 1, "Charge ran once");
    assert_eq!(shipped.load(Ordering::SeqCst), 1);
    assert_ids_continue(&events);

    // The same history as a run that never stopped.
    let path2 = database("resume-uninterrupted");
    let uninterrupted = session(START, async |clock| {
        let engine = engine(&path2, clock, tasks.clone()).await;
        let sm = engine.register("Orders", charge_wait_ship());
        let started = engine
            .start_execution(&sm, Some("order-1"), r#"{"order": 7}"#)
            .await
            .unwrap();
        engine.wait(&started.execution_arn).await.unwrap();
        all_events(&engine, &started.execution_arn)
    });
    assert_eq!(shape(&events), shape(&uninterrupted));
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&path2);
}

fn approval() -> StateMachine {
    machine(json!({
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                "HeartbeatSeconds": 7200,
                "End": true
            }
        }
    }))
}

#[test]
fn a_task_token_stays_valid_across_a_restart_and_is_good_for_one_answer() {
    let path = database("token");
    let (arn, token) = session(START, async |clock| {
        let engine = engine(&path, clock, TaskRegistry::new()).await;
        let sm = engine.register("Approvals", approval());
        let started = engine.start_execution(&sm, None, "{}").await.unwrap();
        tokio::time::sleep(Duration::from_secs(60)).await;
        let tokens = engine.waiting_tokens();
        assert_eq!(tokens.len(), 1);
        (started.execution_arn, tokens[0].clone())
    });
    session(START + HOUR, async |clock| {
        let engine = engine(&path, clock, TaskRegistry::new()).await;
        engine
            .send_task_success(&token, r#"{"approved": true}"#)
            .await
            .unwrap();
        let record = engine.wait(&arn).await.unwrap();
        assert_eq!(record.status, RunStatus::Succeeded);
        assert_eq!(record.output.as_deref(), Some(r#"{"approved":true}"#));
        assert!(matches!(
            engine.send_task_success(&token, "{}").await,
            Err(EngineError::TaskDoesNotExist)
        ));
        assert!(matches!(
            engine.send_task_heartbeat("not a token").await,
            Err(EngineError::InvalidToken(_))
        ));
        assert!(matches!(
            engine.send_task_success(&token, "{not json").await,
            Err(EngineError::InvalidOutput(_))
        ));
        let types: Vec<String> = shape(&all_events(&engine, &arn))
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        assert_eq!(
            types,
            [
                "ExecutionStarted",
                "TaskStateEntered",
                "TaskScheduled",
                "TaskStarted",
                "TaskSubmitted",
                "TaskSucceeded",
                "TaskStateExited",
                "ExecutionSucceeded"
            ]
        );
    });
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_missed_heartbeat_times_the_task_out_and_heartbeats_keep_it_alive() {
    let path = database("heartbeat");
    session(START, async |clock| {
        let engine = engine(&path, clock, TaskRegistry::new()).await;
        let sm = engine.register("Approvals", approval());
        let silent = engine
            .start_execution(&sm, Some("silent"), "{}")
            .await
            .unwrap();
        let record = engine.wait(&silent.execution_arn).await.unwrap();
        assert_eq!(record.status, RunStatus::Failed);
        assert_eq!(record.error.as_deref(), Some("States.Timeout"));

        let alive = engine
            .start_execution(&sm, Some("alive"), "{}")
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(1)).await;
        let token = engine.waiting_tokens().pop().unwrap();
        for _ in 0..5 {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            engine.send_task_heartbeat(&token).await.unwrap();
        }
        engine
            .send_task_failure(&token, Some("Rejected".into()), Some("no".into()))
            .await
            .unwrap();
        let record = engine.wait(&alive.execution_arn).await.unwrap();
        assert_eq!(record.status, RunStatus::Failed);
        assert_eq!(record.error.as_deref(), Some("Rejected"));
    });
    let _ = std::fs::remove_file(&path);
}

#[test]
fn stop_timeout_names_listing_and_history_paging() {
    let path = database("lifecycle");
    session(START, async |clock| {
        let engine = engine(&path, clock, TaskRegistry::new()).await;
        let napper = engine.register(
            "Napper",
            machine(json!({"StartAt": "Nap", "TimeoutSeconds": 7200, "States": {
                "Nap": {"Type": "Wait", "SecondsPath": "$.seconds", "End": true}}})),
        );

        // Names: the same running execution back for the same input; otherwise refused.
        let first = engine
            .start_execution(&napper, Some("a"), r#"{"seconds": 600}"#)
            .await
            .unwrap();
        let again = engine
            .start_execution(&napper, Some("a"), r#"{ "seconds" : 600 }"#)
            .await
            .unwrap();
        assert_eq!(first, again);
        assert!(matches!(
            engine
                .start_execution(&napper, Some("a"), r#"{"seconds": 1}"#)
                .await,
            Err(EngineError::ExecutionAlreadyExists(_))
        ));
        for bad in ["", "has space", "a/b", &"x".repeat(81)] {
            assert!(matches!(
                engine.start_execution(&napper, Some(bad), "{}").await,
                Err(EngineError::InvalidName(_))
            ));
        }
        assert!(matches!(
            engine.start_execution(&napper, None, "{oops").await,
            Err(EngineError::InvalidExecutionInput(_))
        ));
        assert!(matches!(
            engine
                .start_execution(
                    "arn:aws:states:us-east-1:123456789012:stateMachine:Nope",
                    None,
                    "{}"
                )
                .await,
            Err(EngineError::StateMachineDoesNotExist(_))
        ));

        // StopExecution.
        let stopped_at = engine
            .stop_execution(
                &first.execution_arn,
                Some("Halt".into()),
                Some("enough".into()),
            )
            .await
            .unwrap();
        let record = engine.describe_execution(&first.execution_arn).unwrap();
        assert_eq!(record.status, RunStatus::Aborted);
        assert_eq!(
            (record.error.as_deref(), record.cause.as_deref()),
            (Some("Halt"), Some("enough"))
        );
        assert_eq!(record.stop_millis, Some(stopped_at));
        let types: Vec<String> = shape(&all_events(&engine, &first.execution_arn))
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        assert_eq!(
            types,
            [
                "ExecutionStarted",
                "WaitStateEntered",
                "WaitStateAborted",
                "ExecutionAborted"
            ]
        );
        assert!(matches!(
            engine
                .start_execution(&napper, Some("a"), r#"{"seconds": 600}"#)
                .await,
            Err(EngineError::ExecutionAlreadyExists(_))
        ));

        // TimeoutSeconds.
        let late = engine
            .start_execution(&napper, Some("late"), r#"{"seconds": 10000}"#)
            .await
            .unwrap();
        let record = engine.wait(&late.execution_arn).await.unwrap();
        assert_eq!(record.status, RunStatus::TimedOut);
        assert_eq!(record.stop_millis, Some(record.start_millis + 7_200_000));

        // ListExecutions by status, paged.
        for i in 0..5 {
            engine
                .start_execution(&napper, Some(&format!("n{i}")), r#"{"seconds": 1}"#)
                .await
                .unwrap();
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
        let query = |status, token| ExecutionQuery {
            state_machine_arn: Some(napper.clone()),
            status,
            max_results: 2,
            next_token: token,
        };
        let mut names = Vec::new();
        let mut token = None;
        loop {
            let page = engine
                .list_executions(&query(Some(RunStatus::Succeeded), token))
                .unwrap();
            names.extend(page.items.into_iter().map(|r| r.name));
            match page.next_token {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        assert_eq!(names, ["n4", "n3", "n2", "n1", "n0"]);

        // GetExecutionHistory, newest first, in pages.
        let page = engine
            .get_execution_history(
                &late.execution_arn,
                &HistoryQuery {
                    reverse_order: true,
                    max_results: 2,
                    next_token: None,
                },
            )
            .unwrap();
        let ids: Vec<u64> = page
            .items
            .iter()
            .map(|e| e["id"].as_u64().unwrap())
            .collect();
        assert_eq!(ids, [4, 3]);
        assert!(page.next_token.is_some());
        assert!(matches!(
            engine.describe_execution("not-an-arn"),
            Err(EngineError::InvalidArn(_))
        ));
        assert!(matches!(
            engine
                .describe_execution("arn:aws:states:us-east-1:123456789012:execution:Napper:none"),
            Err(EngineError::ExecutionDoesNotExist(_))
        ));
    });
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_redriven_execution_reruns_only_what_failed() {
    let path = database("redrive");
    let charged = Arc::new(AtomicUsize::new(0));
    let failing = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let shipped = Arc::new(AtomicUsize::new(0));
    let ship = {
        let failing = failing.clone();
        let shipped = shipped.clone();
        move |request: crate::TaskRequest| {
            shipped.fetch_add(1, Ordering::SeqCst);
            let fail = failing.load(Ordering::SeqCst);
            Box::pin(async move {
                if fail {
                    Err(StatesError::new("Carrier.Down", "no trucks"))
                } else {
                    Ok(json!({"shipped": request.input}))
                }
            }) as futures::future::BoxFuture<'static, crate::TaskResult>
        }
    };
    let tasks = TaskRegistry::new()
        .on_state("Charge", counting(&charged, "charged"))
        .on_state("Ship", ship);
    session(START, async |clock| {
        let engine = engine(&path, clock, tasks.clone()).await;
        let sm = engine.register("Orders", charge_wait_ship());
        let started = engine.start_execution(&sm, Some("o"), "{}").await.unwrap();
        let arn = started.execution_arn;
        let record = engine.wait(&arn).await.unwrap();
        assert_eq!(record.status, RunStatus::Failed);
        assert_eq!(record.error.as_deref(), Some("Carrier.Down"));
        assert!(matches!(
            engine
                .redrive_execution(
                    &engine
                        .start_execution(&sm, Some("fine"), "{}")
                        .await
                        .unwrap()
                        .execution_arn
                )
                .await,
            Err(EngineError::ExecutionNotRedrivable(_))
        ));

        failing.store(false, Ordering::SeqCst);
        engine.redrive_execution(&arn).await.unwrap();
        let record = engine.wait(&arn).await.unwrap();
        assert_eq!(record.status, RunStatus::Succeeded);
        assert_eq!(record.redrive_count, 1);
        assert_eq!(
            record.output.as_deref(),
            Some(r#"{"shipped":{"charged":true}}"#)
        );
        let events = all_events(&engine, &arn);
        assert_ids_continue(&events);
        let types: Vec<String> = shape(&events).into_iter().map(|(t, _)| t).collect();
        assert!(types.contains(&"ExecutionFailed".to_string()));
        assert!(types.contains(&"ExecutionRedriven".to_string()));
        assert_eq!(types.last().map(String::as_str), Some("ExecutionSucceeded"));
    });
    // Charge succeeded before the failure: the redrive did not run it again (the second
    // execution, still in its Wait when the session ended, ran it once more). Ship ran for
    // the failure and for the redrive.
    assert_eq!(charged.load(Ordering::SeqCst), 2);
    assert_eq!(shipped.load(Ordering::SeqCst), 2);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn activity_tasks_go_to_one_worker_each_and_survive_a_restart() {
    let path = database("activity");
    let definition = || {
        machine(json!({"StartAt": "Review", "States": {
        "Review": {
            "Type": "Task",
            "Resource": "arn:aws:states:us-east-1:123456789012:activity:review",
            "HeartbeatSeconds": 600,
            "End": true
        }}}))
    };
    let (activity, arns, task) = session(START, async |clock| {
        let engine = engine(&path, clock, TaskRegistry::new()).await;
        let activity = engine.create_activity("review").unwrap();
        assert_eq!(engine.create_activity("review").unwrap(), activity);
        assert_eq!(engine.list_activities().unwrap(), vec![activity.clone()]);
        assert_eq!(
            activity.arn,
            "arn:aws:states:us-east-1:123456789012:activity:review"
        );
        let sm = engine.register("Reviews", definition());
        let mut arns = Vec::new();
        for n in 0..2 {
            let input = json!({"doc": n}).to_string();
            arns.push(
                engine
                    .start_execution(&sm, None, &input)
                    .await
                    .unwrap()
                    .execution_arn,
            );
        }
        // Two workers polling at once get one task each; a third waits and gets none.
        let poll = |worker: &'static str| {
            let engine = engine.clone();
            let arn = activity.arn.clone();
            async move {
                engine
                    .get_activity_task(&arn, Some(worker), Duration::from_secs(60))
                    .await
                    .unwrap()
            }
        };
        let (a, b) = tokio::join!(poll("ann"), poll("bob"));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_ne!(a.task_token, b.task_token);
        let mut inputs = [a.input.clone(), b.input.clone()];
        inputs.sort();
        assert_eq!(inputs, [r#"{"doc":0}"#, r#"{"doc":1}"#]);
        assert_eq!(poll("cid").await, None);
        // Ann answers; Bob's process outlives the engine's.
        engine
            .send_task_success(&a.task_token, r#"{"reviewed": "ann"}"#)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(1)).await;
        engine.send_task_heartbeat(&b.task_token).await.unwrap();
        (activity, arns, b)
    });
    session(START + 60_000, async |clock| {
        let engine = engine(&path, clock, TaskRegistry::new()).await;
        assert_eq!(engine.describe_activity(&activity.arn).unwrap(), activity);
        engine
            .send_task_success(&task.task_token, r#"{"reviewed": "bob"}"#)
            .await
            .unwrap();
        let mut outputs = Vec::new();
        for arn in &arns {
            let record = engine.wait(arn).await.unwrap();
            assert_eq!(record.status, RunStatus::Succeeded);
            outputs.push(record.output.unwrap());
            let started: Vec<Value> = all_events(&engine, arn)
                .into_iter()
                .filter(|e| e["type"] == "ActivityStarted")
                .collect();
            assert_eq!(started.len(), 1, "the task was handed out once");
        }
        outputs.sort();
        assert_eq!(outputs, [r#"{"reviewed":"ann"}"#, r#"{"reviewed":"bob"}"#]);
        engine.delete_activity(&activity.arn).unwrap();
        assert!(matches!(
            engine
                .get_activity_task(&activity.arn, None, Duration::from_secs(1))
                .await,
            Err(EngineError::ActivityDoesNotExist(_))
        ));
    });
    let _ = std::fs::remove_file(&path);
}

fn spec(name: &str, definition: Value, machine_type: ExecutionType) -> StateMachineSpec {
    StateMachineSpec {
        name: name.into(),
        definition: definition.to_string(),
        role_arn: "arn:aws:iam::123456789012:role/Runner".into(),
        machine_type,
        configuration: serde_json::Map::new(),
    }
}

fn pass_through() -> Value {
    json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}})
}

#[test]
fn state_machines_are_validated_kept_and_outlive_the_process() {
    let path = database("machines");
    let created = session(START, async |clock| {
        let engine = engine(&path, clock, TaskRegistry::new()).await;
        let bad = json!({"StartAt": "Nowhere", "States": {"P": {"Type": "Pass", "End": true}}});
        let e = engine
            .create_state_machine(spec("Bad", bad, ExecutionType::Standard))
            .unwrap_err();
        assert_eq!(e.code(), "InvalidDefinition");
        assert!(e.to_string().contains("MISSING_TRANSITION_TARGET"), "{e}");
        let info = engine
            .create_state_machine(spec("Good", pass_through(), ExecutionType::Standard))
            .unwrap();
        // The same again is the same machine; another definition under the name is refused.
        assert_eq!(
            engine
                .create_state_machine(spec("Good", pass_through(), ExecutionType::Standard))
                .unwrap(),
            info
        );
        let other = json!({"StartAt": "S", "States": {"S": {"Type": "Succeed"}}});
        assert_eq!(
            engine
                .create_state_machine(spec("Good", other.clone(), ExecutionType::Standard))
                .unwrap_err()
                .code(),
            "StateMachineAlreadyExists"
        );
        let updated = engine
            .update_state_machine(
                &info.arn,
                StateMachineUpdate {
                    definition: Some(other.to_string()),
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(updated.revision_id.is_some());
        engine
            .tag_resource(&info.arn, &[("team".into(), "billing".into())])
            .unwrap();
        updated
    });
    session(START + HOUR, async |clock| {
        let engine = engine(&path, clock, TaskRegistry::new()).await;
        assert_eq!(
            engine.describe_state_machine(&created.arn).unwrap(),
            created
        );
        assert_eq!(
            engine.list_tags(&created.arn).unwrap(),
            vec![("team".to_string(), "billing".to_string())]
        );
        let started = engine
            .start_execution(&created.arn, Some("after"), "{}")
            .await
            .unwrap();
        assert_eq!(
            engine.wait(&started.execution_arn).await.unwrap().status,
            RunStatus::Succeeded
        );
        engine.delete_state_machine(&created.arn).unwrap();
        assert_eq!(
            engine
                .start_execution(&created.arn, None, "{}")
                .await
                .unwrap_err()
                .code(),
            "StateMachineDoesNotExist"
        );
        // Its executions stay.
        assert!(engine.describe_execution(&started.execution_arn).is_ok());
    });
    let _ = std::fs::remove_file(&path);
}

#[test]
fn versions_and_aliases_outlive_the_process_and_executions_keep_their_machine() {
    let path = database("versions");
    let say = |word: &str| json!({"StartAt": "S", "States": {"S": {"Type": "Pass", "Result": word, "End": true}}});
    let (machine, first, alias, started) = session(START, async |clock| {
        let engine = engine(&path, clock, TaskRegistry::new()).await;
        let machine = engine
            .create_state_machine(spec("Versioned", say("one"), ExecutionType::Standard))
            .unwrap();
        let first = engine
            .publish_state_machine_version(&machine.arn, None, Some("first".into()))
            .unwrap();
        engine
            .update_state_machine(
                &machine.arn,
                StateMachineUpdate {
                    definition: Some(say("two").to_string()),
                    ..Default::default()
                },
            )
            .unwrap();
        let alias = engine
            .create_state_machine_alias(
                "stable",
                None,
                vec![VersionWeight {
                    state_machine_version_arn: first.arn.clone(),
                    weight: 100,
                }],
            )
            .unwrap();
        let started = engine
            .start_execution(&alias.arn, Some("through-alias"), "{}")
            .await
            .unwrap();
        engine.wait(&started.execution_arn).await.unwrap();
        (machine, first, alias, started)
    });
    session(START + HOUR, async |clock| {
        let engine = engine(&path, clock, TaskRegistry::new()).await;
        assert_eq!(engine.describe_state_machine(&first.arn).unwrap(), first);
        assert_eq!(
            engine.describe_state_machine_alias(&alias.arn).unwrap(),
            alias
        );
        // The next version is 2: the machine's counter was kept.
        let second = engine
            .publish_state_machine_version(&machine.arn, None, None)
            .unwrap();
        assert_eq!(second.arn, format!("{}:2", machine.arn));
        let source = engine.execution_source(&started.execution_arn).unwrap();
        assert_eq!(source.state_machine.arn, machine.arn);
        assert_eq!(source.state_machine.definition, say("one").to_string());
        assert_eq!(source.qualifiers.version_arn.as_deref(), Some(&*first.arn));
        assert_eq!(source.qualifiers.alias_arn.as_deref(), Some(&*alias.arn));
        let record = engine.describe_execution(&started.execution_arn).unwrap();
        assert_eq!(record.output.as_deref(), Some(r#""one""#));
        assert_eq!(record.state_machine_arn, machine.arn);
        let on_version = engine
            .list_executions(&ExecutionQuery {
                state_machine_arn: Some(first.arn.clone()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(on_version.items.len(), 1);
        let on_second = engine
            .list_executions(&ExecutionQuery {
                state_machine_arn: Some(second.arn.clone()),
                ..Default::default()
            })
            .unwrap();
        assert!(on_second.items.is_empty());
        assert_eq!(
            engine
                .delete_state_machine_version(&first.arn)
                .unwrap_err()
                .code(),
            "ConflictException"
        );
        engine.delete_state_machine(&machine.arn).unwrap();
        assert!(engine.describe_state_machine_alias(&alias.arn).is_err());
        assert!(engine.describe_state_machine(&second.arn).is_err());
    });
    session(START + 2 * HOUR, async |clock| {
        let engine = engine(&path, clock, TaskRegistry::new()).await;
        assert!(engine.list_state_machines().unwrap().is_empty());
        assert!(engine.describe_state_machine_alias(&alias.arn).is_err());
    });
    let _ = std::fs::remove_file(&path);
}

#[test]
fn express_machines_run_in_memory_and_sync_only_for_express() {
    let path = database("express");
    session(START, async |clock| {
        let engine = engine(&path, clock, TaskRegistry::new()).await;
        let express = engine
            .create_state_machine(spec("Quick", pass_through(), ExecutionType::Express))
            .unwrap();
        let done = engine
            .start_sync_execution(&express.arn, Some("one"), r#"{"a": 1}"#)
            .await
            .unwrap();
        assert_eq!(done.status, RunStatus::Succeeded);
        assert_eq!(done.output.as_deref(), Some(r#"{"a":1}"#));
        assert!(done.execution_arn.contains(":express:Quick:one:"));
        let standard = engine
            .create_state_machine(spec("Slow", pass_through(), ExecutionType::Standard))
            .unwrap();
        assert_eq!(
            engine
                .start_sync_execution(&standard.arn, None, "{}")
                .await
                .unwrap_err()
                .code(),
            "StateMachineTypeNotSupported"
        );
    });
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_test_case_runs_with_its_mocks_also_after_a_restart() {
    let path = database("mocks");
    let config = Arc::new(
        crate::tasks::MockConfig::from_value(&json!({
            "StateMachines": {"Billing": {"TestCases": {"Paid": {"Charge": "ChargeOk"}}}},
            "MockedResponses": {"ChargeOk": {"0": {"Return": {"charged": 42}}}}
        }))
        .unwrap(),
    );
    let definition = json!({"StartAt": "Nap", "States": {
        "Nap": {"Type": "Wait", "Seconds": 60, "Next": "Charge"},
        "Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge", "End": true}}});
    let options = |clock| EngineOptions {
        clock,
        mock_config: Some(config.clone()),
        ..Default::default()
    };
    let store = || Arc::new(SqliteStore::open(&path).unwrap());
    let arn = session(START, async |clock| {
        let engine = Engine::open(store(), options(clock)).await.unwrap();
        let info = engine
            .create_state_machine(spec("Billing", definition, ExecutionType::Standard))
            .unwrap();
        let e = engine
            .start_execution(&format!("{}#Unknown", info.arn), None, "{}")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("Unknown"), "{e}");
        engine
            .start_execution(&format!("{}#Paid", info.arn), Some("b1"), "{}")
            .await
            .unwrap()
            .execution_arn
    });
    session(START + HOUR, async |clock| {
        let engine = Engine::open(store(), options(clock)).await.unwrap();
        let ended = engine.wait(&arn).await.unwrap();
        assert_eq!(ended.status, RunStatus::Succeeded, "{ended:?}");
        assert_eq!(ended.output.as_deref(), Some(r#"{"charged":42}"#));
    });
    let _ = std::fs::remove_file(&path);
}

/// A virtual clock that panics the first time it is read at or after `at_millis`: a bug in
/// the executor's own bookkeeping, outside any state's work.
struct PanicOnceAt {
    inner: VirtualClock,
    at_millis: i64,
    fired: std::sync::atomic::AtomicBool,
}

impl Clock for PanicOnceAt {
    fn now_millis(&self) -> i64 {
        let now = self.inner.now_millis();
        if now >= self.at_millis && !self.fired.swap(true, Ordering::SeqCst) {
            panic!("bookkeeping bug");
        }
        now
    }

    fn sleep(&self, duration: Duration) -> futures::future::BoxFuture<'static, ()> {
        self.inner.sleep(duration)
    }
}

#[test]
fn a_run_that_panics_outside_a_state_ends_failed_and_stays_ended_after_a_restart() {
    let path = database("panic");
    let definition = machine(json!({"StartAt": "Pause", "States": {
        "Pause": {"Type": "Wait", "Seconds": 3600, "End": true}}}));
    let arn = session(START, async |_| {
        let clock: Arc<dyn Clock> = Arc::new(PanicOnceAt {
            inner: VirtualClock::starting_at(START),
            at_millis: START + HOUR,
            fired: Default::default(),
        });
        let engine = engine(&path, clock, TaskRegistry::new()).await;
        let sm = engine.register("Sleepy", definition.clone());
        let started = engine.start_execution(&sm, None, "{}").await.unwrap();
        let record = engine.wait(&started.execution_arn).await.unwrap();
        assert_eq!(record.status, RunStatus::Failed);
        assert_eq!(record.error.as_deref(), Some("States.Runtime"));
        assert_eq!(
            record.cause.as_deref(),
            Some("The execution panicked: bookkeeping bug")
        );
        started.execution_arn
    });
    session(START + 2 * HOUR, async |clock| {
        let engine = engine(&path, clock, TaskRegistry::new()).await;
        let record = engine.wait(&arn).await.unwrap();
        assert_eq!(record.status, RunStatus::Failed);
        let history = engine
            .get_execution_history(&arn, &HistoryQuery::default())
            .unwrap()
            .items;
        let last = history.last().unwrap();
        assert_eq!(last["type"], "ExecutionFailed");
        assert_ids_continue(&history);
        assert!(engine.running().is_empty());
    });
}
