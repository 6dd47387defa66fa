//! Human approval: the draft goes to an editors' SQS queue with a task token in the message
//! body (`sqs:sendMessage.waitForTaskToken`), and the workflow pauses until an editor answers
//! with SendTaskSuccess carrying the decision.
//!
//! Run natively, the task function stands in for the queue and the editor: it receives the
//! message the state sends (with the token) and returns the decision the callback would carry.
//!
//! `cargo run --example human_approval` prints the ASL and runs the workflow natively (`-- --asl`:
//! the ASL only).
//!
//! On the durable store, with a real editor answering through the library API:
//!
//! ```text
//! cargo run --example human_approval -- start approvals.db     # prints the task token, then dies
//! cargo run --example human_approval -- approve approvals.db TOKEN
//! ```
//!
//! `start` begins the execution and the process ends abruptly while the task waits, as a crash
//! would end it; `approve` opens the same database (which resumes the execution), sends the
//! editor's decision with SendTaskSuccess, typed as the task's output, and prints how the
//! execution ended.

use serde::{Deserialize, Serialize};
use stepfn::aws::sqs::SendMessage;
use stepfn::dsl::{send_task_output, DurableWorkflow};
use stepfn::{task, workflow, Payload, Workflow};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Draft {
    pub article_id: String,
    pub title: String,
    pub words: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Decision {
    pub article_id: String,
    pub approved: bool,
    pub editor: String,
}

/// What an editor's tool reads from the queue: the draft, and the token to answer with.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct ReviewRequest {
    pub draft: Draft,
    pub task_token: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Published {
    pub url: String,
}

/// Waits up to a day for the editor; the heartbeat catches a lost reviewer queue.
#[task(
    resource = "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    timeout = "1d",
    heartbeat = "1h"
)]
async fn request_approval(
    message: SendMessage<ReviewRequest>,
    ctx: &stepfn::TaskContext,
) -> Decision {
    let request = message.message_body;
    Decision {
        approved: ctx.task_token.as_deref() == Some(request.task_token.as_str())
            && request.draft.words >= 300,
        article_id: request.draft.article_id,
        editor: "grace".into(),
    }
}

#[task]
async fn publish(decision: Decision) -> Published {
    Published {
        url: format!("https://example.com/articles/{}", decision.article_id),
    }
}

workflow! {
    /// Publishes an article once an editor approves it.
    pub HumanApproval(Draft) -> Published {
        start RequestApproval;
        RequestApproval: task request_approval(
            parameters = SendMessage {
                queue_url: "https://sqs.us-east-1.amazonaws.com/123456789012/editorial-reviews",
                message_body: ReviewRequest { draft: ., task_token: context.task.token },
                ..
            }
        ) -> Decide
            catch [States::Timeout, States::HeartbeatTimeout] -> NoAnswer;
        Decide: choice {
            when .approved == true => Publish,
            else => Rejected,
        }
        Publish: task publish -> end;
        Rejected: fail(error = "Editorial.Rejected", cause = "the editor rejected the draft");
        NoAnswer: fail(error = "Editorial.NoAnswer", cause = "no editor answered in time");
    }
}

fn draft(words: u32) -> Draft {
    Draft {
        article_id: "a-17".into(),
        title: "Step Functions in Rust".into(),
        words,
    }
}

const EXECUTION: &str = "article-a-17";

/// The durable engine on `database`, running the workflow's task functions but the approval,
/// which waits for an editor's SendTaskSuccess.
async fn engine(database: &std::path::Path) -> stepfn::durable::Engine {
    let store = std::sync::Arc::new(stepfn::store::SqliteStore::open(database).expect("database"));
    let tasks = HumanApproval::tasks().without_state("RequestApproval");
    stepfn::durable::Engine::open(
        store,
        stepfn::durable::EngineOptions::new().with_tasks(tasks),
    )
    .await
    .expect("the engine opens")
}

/// Starts the approval and gives its task token once the task waits for it.
async fn start(engine: &stepfn::durable::Engine) -> String {
    let workflow = DurableWorkflow::<HumanApproval>::register(engine, "HumanApproval");
    workflow
        .start(Some(EXECUTION), &draft(1200))
        .await
        .expect("the execution starts");
    loop {
        if let Some(token) = engine.waiting_tokens().pop() {
            return token;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// The editor approves: SendTaskSuccess with the decision, then the execution's typed output.
async fn approve(engine: &stepfn::durable::Engine, token: &str) -> Result<Published, String> {
    let workflow = DurableWorkflow::<HumanApproval>::register(engine, "HumanApproval");
    let arn = format!("arn:aws:states:us-east-1:123456789012:execution:HumanApproval:{EXECUTION}");
    let execution = workflow.execution(&arn);
    let decision = Decision {
        article_id: "a-17".into(),
        approved: true,
        editor: "grace".into(),
    };
    send_task_output::<request_approval>(engine, token, &decision)
        .await
        .map_err(|e| e.to_string())?;
    execution.output().await.map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["start", database] => {
            let token = start(&engine(database.as_ref()).await).await;
            println!("{token}");
            // Ends without shutting anything down, as a crash would.
            std::process::exit(0);
        }
        ["approve", database, token] => {
            match approve(&engine(database.as_ref()).await, token).await {
                Ok(published) => println!("SUCCEEDED {}", published.url),
                Err(e) => println!("{e}"),
            }
        }
        [] | ["--asl"] => stepfn_examples::show::<HumanApproval>(draft(1200)).await,
        _ => {
            eprintln!("usage: human_approval [--asl | start DATABASE | approve DATABASE TOKEN]");
            std::process::exit(2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn an_approved_draft_is_published() {
        let published = stepfn_examples::check::<HumanApproval>(draft(1200))
            .await
            .unwrap();
        assert_eq!(published.url, "https://example.com/articles/a-17");
        let asl: serde_json::Value = serde_json::from_str(&HumanApproval::asl_json()).unwrap();
        let task = &asl["States"]["RequestApproval"];
        assert_eq!(
            task["Resource"],
            "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
        );
        assert_eq!(
            task["Parameters"]["MessageBody"]["task_token.$"],
            "$$.Task.Token"
        );
        assert_eq!(task["TimeoutSeconds"], 86_400);
        assert_eq!(task["HeartbeatSeconds"], 3600);
    }

    #[tokio::test(start_paused = true)]
    async fn a_short_draft_is_rejected() {
        let e = stepfn_examples::check::<HumanApproval>(draft(120))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("Editorial.Rejected"), "{e}");
    }

    #[tokio::test]
    async fn the_editor_answers_hours_later_or_never() {
        // The editor's tool sends a heartbeat every half hour while the draft is read.
        let answered = HumanApproval::test()
            .heartbeat_every::<request_approval>(std::time::Duration::from_secs(1_800))
            .callback::<request_approval>(std::time::Duration::from_secs(5 * 3_600), |message| {
                Ok(Decision {
                    article_id: message.message_body.draft.article_id,
                    approved: true,
                    editor: "grace".into(),
                })
            })
            .run(draft(1200))
            .await;
        answered.assert_states(&["RequestApproval", "Decide", "Publish"]);
        assert_eq!(
            answered.virtual_time(),
            std::time::Duration::from_secs(5 * 3_600)
        );
        // No editor within the heartbeat: the catcher ends it.
        let silent = HumanApproval::test()
            .callback::<request_approval>(std::time::Duration::from_secs(3 * 86_400), |_| {
                Ok(Decision {
                    article_id: "a-17".into(),
                    approved: true,
                    editor: "late".into(),
                })
            })
            .run(draft(1200))
            .await;
        silent.assert_error_name("Editorial.NoAnswer");
        // AWS records a missed heartbeat of a callback as `States.Timeout`.
        assert_eq!(silent.catches()[0].error.as_deref(), Some("States.Timeout"));
        assert_eq!(silent.virtual_time(), std::time::Duration::from_secs(3_600));
    }

    #[test]
    fn an_approval_survives_the_process_and_finishes_on_the_durable_store() {
        let database = std::env::temp_dir().join(format!(
            "stepfn-approval-{}-{}.db",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        // The first process: starts the execution, hands the token out, and is gone (its
        // runtime dropped with the execution waiting in it).
        let token = tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async { start(&engine(&database).await).await });
        // The second: resumes from the database and takes the editor's answer.
        let published = tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async { approve(&engine(&database).await, &token).await });
        assert_eq!(
            published,
            Ok(Published {
                url: "https://example.com/articles/a-17".into()
            })
        );
        let _ = std::fs::remove_file(&database);
    }

    #[test]
    fn deploys_cleanly_by_cfn_lint_and_asl_validator() {
        stepfn_examples::tools::check_deploy::<HumanApproval>("human_approval");
    }
}
