//! Human approval: a task that sends the draft to an editor with a task token and pauses until
//! the editor approves or rejects it (SendTaskSuccess with the decision).
//!
//! Run natively, the task function stands in for the editor: it receives the token in its
//! `TaskContext` and returns the decision the callback would carry.
//!
//! `cargo run --example human_approval` prints the ASL and runs the workflow natively.

use serde::{Deserialize, Serialize};
use stepfn::{task, workflow, Payload};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
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

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Published {
    pub url: String,
}

/// Waits up to a day for the editor; the heartbeat catches a lost reviewer queue.
#[task(
    resource = "arn:aws:states:::lambda:invoke.waitForTaskToken",
    timeout = "1d",
    heartbeat = "1h"
)]
async fn request_approval(draft: Draft, ctx: &stepfn::TaskContext) -> Decision {
    Decision {
        article_id: draft.article_id,
        approved: ctx.task_token.is_some() && draft.words >= 300,
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
        RequestApproval: task request_approval -> Decide
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

#[tokio::main]
async fn main() {
    stepfn_examples::show::<HumanApproval>(draft(1200)).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use stepfn::Workflow;

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
            "arn:aws:states:::lambda:invoke.waitForTaskToken"
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

    #[test]
    fn deploys_cleanly_by_cfn_lint_and_asl_validator() {
        stepfn_examples::tools::check_deploy::<HumanApproval>("human_approval");
    }
}
