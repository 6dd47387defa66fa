//! A `workflow!` on the durable engine, typed: started with its input type, its callback task
//! answered with the task's output type after the engine was closed and reopened on the same
//! SQLite file, and its output read back as the workflow's output type.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use stepfn::dsl::{send_task_output, DurableError, DurableWorkflow};
use stepfn::durable::{Engine, EngineOptions};
use stepfn::store::{RunStatus, SqliteStore};
use stepfn::{task, workflow, Payload, Workflow, WorkflowError};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Draft {
    pub id: String,
    pub words: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Review {
    pub draft: Draft,
    pub token: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Decision {
    pub id: String,
    pub approved: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Published {
    pub url: String,
}

/// Answered by an editor from outside, through the token it is handed.
#[task(resource = "arn:aws:states:::lambda:invoke.waitForTaskToken")]
async fn ask_editor(review: Review) -> Decision {
    Decision {
        id: review.draft.id,
        approved: true,
    }
}

#[task]
async fn publish(decision: Decision) -> Published {
    Published {
        url: format!("https://example.com/{}", decision.id),
    }
}

workflow! {
    pub Editorial(Draft) -> Published {
        start Ask;
        Ask: task ask_editor(parameters = Review { draft: ., token: context.task.token }) -> Decide;
        Decide: choice {
            when .approved == true => Publish,
            else => Rejected,
        }
        Publish: task publish -> end;
        Rejected: fail(error = "Editorial.Rejected", cause = "the editor said no");
    }
}

fn database() -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "stepfn-dsl-durable-{}-{}.db",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ))
}

/// The engine on `file`, running every task function but the editor's.
async fn engine(file: &std::path::Path) -> Engine {
    let store = Arc::new(SqliteStore::open(file).unwrap());
    let tasks = Editorial::tasks().without_state("Ask");
    Engine::open(store, EngineOptions::new().with_tasks(tasks))
        .await
        .unwrap()
}

async fn token_of(engine: &Engine) -> String {
    loop {
        if let Some(token) = engine.waiting_tokens().pop() {
            return token;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[test]
fn a_callback_answered_after_a_restart_gives_the_typed_output() {
    let file = database();
    let draft = Draft {
        id: "d-1".into(),
        words: 900,
    };
    // The first process starts the execution and is gone while the task waits.
    let (execution_arn, token) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let engine = engine(&file).await;
        let workflow = DurableWorkflow::<Editorial>::register(&engine, "Editorial");
        let execution = workflow.start(Some("d-1"), &draft).await.unwrap();
        assert_eq!(execution.status().unwrap(), RunStatus::Running);
        (execution.arn().to_string(), token_of(&engine).await)
    });
    // The second reopens the file (resuming the execution) and takes the editor's answer.
    let published = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let engine = engine(&file).await;
        let workflow = DurableWorkflow::<Editorial>::register(&engine, "Editorial");
        let execution = workflow.execution(&execution_arn);
        send_task_output::<ask_editor>(
            &engine,
            &token,
            &Decision {
                id: "d-1".into(),
                approved: true,
            },
        )
        .await
        .unwrap();
        execution.output().await.unwrap()
    });
    assert_eq!(
        published,
        Published {
            url: "https://example.com/d-1".into()
        }
    );
    let _ = std::fs::remove_file(&file);
}

#[tokio::test]
async fn a_rejection_is_the_workflow_error_aws_would_give() {
    let file = database();
    let engine = engine(&file).await;
    let workflow = DurableWorkflow::<Editorial>::register(&engine, "Editorial");
    let draft = Draft {
        id: "d-2".into(),
        words: 10,
    };
    let execution = workflow.start(None, &draft).await.unwrap();
    let token = token_of(&engine).await;
    let decision = Decision {
        id: "d-2".into(),
        approved: false,
    };
    send_task_output::<ask_editor>(&engine, &token, &decision)
        .await
        .unwrap();
    match execution.output().await {
        Err(DurableError::Workflow(WorkflowError::Failed { error, cause, .. })) => {
            assert_eq!(error.as_deref(), Some("Editorial.Rejected"));
            assert_eq!(cause.as_deref(), Some("the editor said no"));
        }
        other => panic!("expected the rejection, got {:?}", other.map(|p| p.url)),
    }
    // A second start with the same name and another input is refused by the engine.
    let again = workflow.start(Some("d-3"), &draft).await.unwrap();
    let refused = workflow
        .start(
            Some("d-3"),
            &Draft {
                id: "other".into(),
                words: 1,
            },
        )
        .await;
    assert!(
        matches!(refused, Err(DurableError::Engine(_))),
        "{:?}",
        refused.err()
    );
    let _ = again;
    let _ = std::fs::remove_file(&file);
}
