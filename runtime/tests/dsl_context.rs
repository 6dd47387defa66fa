//! `context.*` in templates: the context object's fields reach a task as typed values, emitted
//! as `$$` paths in JSONPath and `$states.context` in JSONata, with the values AWS gives them in
//! a native run and in a run of the emitted ASL.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;
use stepfn::aws::sqs::SendMessage;
use stepfn::exec::{ExecutionOptions, Executor};
use stepfn::{task, workflow, Payload, VirtualClock, Workflow};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Order {
    pub id: String,
    pub lines: Vec<String>,
}

/// What the callback task is handed: the order, who it runs for, and the token to answer with.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalRequest {
    pub order_id: String,
    pub execution_id: String,
    pub execution_name: String,
    pub machine_name: String,
    pub started: String,
    pub state: String,
    pub entered: String,
    pub retries: u32,
    pub order: Order,
    pub token: String,
    /// Whether the token in the payload is the one the task was given.
    #[serde(default)]
    pub token_matches: bool,
}

/// A Lambda function handed the request, which answers through the token later.
#[task(
    resource = "arn:aws:states:::lambda:invoke.waitForTaskToken",
    function = "approvals"
)]
async fn request_approval(request: ApprovalRequest, ctx: &stepfn::TaskContext) -> ApprovalRequest {
    ApprovalRequest {
        token_matches: ctx.task_token.as_deref() == Some(request.token.as_str()),
        ..request
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Pick {
    pub line: String,
    pub position: u64,
    pub state: String,
}

#[task]
async fn pick(p: Pick) -> Pick {
    p
}

workflow! {
    pub Approve(Order) -> ApprovalRequest {
        start Ask;
        Ask: task request_approval(
            parameters = ApprovalRequest {
                order_id: .id,
                execution_id: context.execution.id,
                execution_name: context.execution.name,
                machine_name: context.state_machine.name,
                started: context.execution.start_time,
                state: context.state.name,
                entered: context.state.entered_time,
                retries: context.state.retry_count,
                order: context.execution.input,
                token: context.task.token,
                token_matches: false
            }
        ) -> end;
    }
}

workflow! {
    pub ApproveJsonata(Order) -> ApprovalRequest {
        query_language = jsonata;
        start Ask;
        Ask: task request_approval(
            parameters = ApprovalRequest {
                order_id: .id,
                execution_id: context.execution.id,
                execution_name: context.execution.name,
                machine_name: context.state_machine.name,
                started: context.execution.start_time,
                state: context.state.name,
                entered: context.state.entered_time,
                retries: context.state.retry_count,
                order: context.execution.input,
                token: context.task.token,
                token_matches: false
            }
        ) -> end;
    }
}

workflow! {
    pub Picking(Order) -> Vec<Pick> {
        start Lines;
        Lines: map<String>(
            items = .lines,
            item_selector = Pick {
                line: context.map.item.value,
                position: context.map.item.index,
                state: context.state.name
            }
        ) -> end {
            start PickOne;
            PickOne: task pick -> end;
        }
    }
}

fn order() -> Order {
    Order {
        id: "o-7".into(),
        lines: vec!["apple".into(), "pear".into()],
    }
}

fn options() -> ExecutionOptions {
    ExecutionOptions::new().with_clock(Arc::new(VirtualClock::starting_at(1_767_225_600_000)))
}

#[test]
fn context_fields_are_emitted_as_context_paths() {
    let asl: serde_json::Value = serde_json::from_str(&Approve::asl_json()).unwrap();
    assert_eq!(
        asl["States"]["Ask"]["Parameters"]["FunctionName"],
        "approvals"
    );
    assert_eq!(
        asl["States"]["Ask"]["Parameters"]["Payload"],
        json!({
            "orderId.$": "$.id",
            "executionId.$": "$$.Execution.Id",
            "executionName.$": "$$.Execution.Name",
            "machineName.$": "$$.StateMachine.Name",
            "started.$": "$$.Execution.StartTime",
            "state.$": "$$.State.Name",
            "entered.$": "$$.State.EnteredTime",
            "retries.$": "$$.State.RetryCount",
            "order.$": "$$.Execution.Input",
            "token.$": "$$.Task.Token",
            "tokenMatches": false
        })
    );
    let jsonata: serde_json::Value = serde_json::from_str(&ApproveJsonata::asl_json()).unwrap();
    let arguments = jsonata["States"]["Ask"]["Arguments"].to_string();
    for field in [
        "$states.context.Execution.Id",
        "$states.context.Task.Token",
        "$states.context.Execution.Input",
        "$states.context.State.RetryCount",
    ] {
        assert!(arguments.contains(field), "{field} in {arguments}");
    }
    assert!(stepfn::validate(Approve::definition(), &Default::default()).is_empty());
    assert!(stepfn::validate(ApproveJsonata::definition(), &Default::default()).is_empty());
    let map: serde_json::Value = serde_json::from_str(&Picking::asl_json()).unwrap();
    assert_eq!(
        map["States"]["Lines"]["ItemSelector"],
        json!({
            "line.$": "$$.Map.Item.Value",
            "position.$": "$$.Map.Item.Index",
            "state.$": "$$.State.Name"
        })
    );
}

fn check_request(request: &ApprovalRequest) {
    assert_eq!(request.order_id, "o-7");
    assert_eq!(request.order, order());
    assert_eq!(request.state, "Ask");
    assert_eq!(request.retries, 0);
    assert_eq!(request.started, "2026-01-01T00:00:00.000Z");
    assert_eq!(request.entered, "2026-01-01T00:00:00.000Z");
    assert!(
        request
            .execution_id
            .ends_with(&format!(":{}", request.execution_name)),
        "{request:?}"
    );
    assert!(
        request
            .execution_id
            .contains(&format!(":{}:", request.machine_name)),
        "{request:?}"
    );
    assert!(!request.token.is_empty());
    assert!(
        request.token_matches,
        "the payload carries the task's own token"
    );
}

#[tokio::test(start_paused = true)]
async fn a_native_run_gives_the_context_values_aws_gives() {
    check_request(&Approve::run_with(order(), options()).await.unwrap());
    check_request(&ApproveJsonata::run_with(order(), options()).await.unwrap());
    let picks = Picking::run_with(order(), options()).await.unwrap();
    assert_eq!(
        picks,
        vec![
            Pick {
                line: "apple".into(),
                position: 0,
                state: "Lines".into()
            },
            Pick {
                line: "pear".into(),
                position: 1,
                state: "Lines".into()
            },
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn the_emitted_asl_runs_like_the_native_workflow() {
    let machine = stepfn::check(&Approve::asl_json(), &Default::default()).unwrap();
    let outcome = Executor::new(machine)
        .run(
            serde_json::to_value(order()).unwrap(),
            options().with_tasks(Approve::tasks()),
        )
        .await;
    let output: ApprovalRequest = serde_json::from_value(outcome.output.unwrap()).unwrap();
    check_request(&output);
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct ReviewBody {
    pub order: Order,
    pub task_token: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Review {
    pub order_id: String,
    pub token_seen: bool,
}

#[task(resource = "arn:aws:states:::sqs:sendMessage.waitForTaskToken")]
async fn send_for_review(message: SendMessage<ReviewBody>, ctx: &stepfn::TaskContext) -> Review {
    Review {
        order_id: message.message_body.order.id,
        token_seen: ctx.task_token.as_deref() == Some(message.message_body.task_token.as_str()),
    }
}

workflow! {
    pub ReviewByQueue(Order) -> Review {
        start Send;
        Send: task send_for_review(
            parameters = SendMessage {
                queue_url: "https://sqs.us-east-1.amazonaws.com/123456789012/reviews",
                message_body: ReviewBody { order: ., task_token: context.task.token },
                ..
            }
        ) -> end;
    }
}

workflow! {
    pub ReviewByQueueJsonata(Order) -> Review {
        query_language = jsonata;
        start Send;
        Send: task send_for_review(
            parameters = SendMessage {
                queue_url: "https://sqs.us-east-1.amazonaws.com/123456789012/reviews",
                message_body: ReviewBody { order: ., task_token: context.task.token },
                ..
            }
        ) -> end;
    }
}

#[tokio::test(start_paused = true)]
async fn a_nested_template_carries_the_token_in_the_message_body() {
    let asl: serde_json::Value = serde_json::from_str(&ReviewByQueue::asl_json()).unwrap();
    assert_eq!(
        asl["States"]["Send"]["Parameters"],
        json!({
            "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/reviews",
            "MessageBody": {"order.$": "$", "task_token.$": "$$.Task.Token"}
        })
    );
    let jsonata: serde_json::Value =
        serde_json::from_str(&ReviewByQueueJsonata::asl_json()).unwrap();
    let arguments = jsonata["States"]["Send"]["Arguments"].to_string();
    assert!(
        arguments.contains("MessageBody") && arguments.contains("$states.context.Task.Token"),
        "{arguments}"
    );
    assert!(stepfn::validate(ReviewByQueue::definition(), &Default::default()).is_empty());
    assert!(stepfn::validate(ReviewByQueueJsonata::definition(), &Default::default()).is_empty());
    let expected = Review {
        order_id: "o-7".into(),
        token_seen: true,
    };
    assert_eq!(
        ReviewByQueue::run_with(order(), options()).await.unwrap(),
        expected
    );
    assert_eq!(
        ReviewByQueueJsonata::run_with(order(), options())
            .await
            .unwrap(),
        expected
    );
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Payload)]
pub struct Count {
    pub lines: usize,
}

#[task]
async fn count_lines(order: Order) -> Count {
    Count {
        lines: order.lines.len(),
    }
}

workflow! {
    /// Branches on the execution's input after a task replaced the state's data.
    pub Route(Order) -> Count {
        start Counting;
        Counting: task count_lines -> Decide;
        Decide: choice {
            when context.execution.input.id == "o-7" && .lines > 1 => Priority,
            else => Normal,
        }
        Priority: pass -> end;
        Normal: fail(error = "Route.Normal", cause = "not the priority order");
    }
}

workflow! {
    pub RouteJsonata(Order) -> Count {
        query_language = jsonata;
        start Counting;
        Counting: task count_lines -> Decide;
        Decide: choice {
            when context.execution.input.id == "o-7" && .lines > 1 => Priority,
            else => Normal,
        }
        Priority: pass -> end;
        Normal: fail(error = "Route.Normal", cause = "not the priority order");
    }
}

#[tokio::test(start_paused = true)]
async fn a_choice_reads_the_execution_input() {
    let asl: serde_json::Value = serde_json::from_str(&Route::asl_json()).unwrap();
    assert_eq!(
        asl["States"]["Decide"]["Choices"][0]["And"][0],
        json!({"Variable": "$$.Execution.Input.id", "StringEquals": "o-7"})
    );
    let jsonata: serde_json::Value = serde_json::from_str(&RouteJsonata::asl_json()).unwrap();
    let condition = jsonata["States"]["Decide"]["Choices"][0]["Condition"].to_string();
    assert!(
        condition.contains("$states.context.Execution.Input.id"),
        "{condition}"
    );
    for run in [
        Route::run_with(order(), options()).await,
        RouteJsonata::run_with(order(), options()).await,
    ] {
        assert_eq!(run.unwrap(), Count { lines: 2 });
    }
    let other = Order {
        id: "o-8".into(),
        ..order()
    };
    assert!(Route::run_with(other.clone(), options()).await.is_err());
    let emitted =
        Executor::new(stepfn::check(&RouteJsonata::asl_json(), &Default::default()).unwrap())
            .run(
                serde_json::to_value(other).unwrap(),
                options().with_tasks(Route::tasks()),
            )
            .await;
    assert_eq!(emitted.error.as_deref(), Some("Route.Normal"));
}

workflow! {
    /// A task reads the execution's input, then a variable, whatever the state's data is.
    pub Recount(Order) -> Count {
        start Remember;
        Remember: pass -> First assign(order = .);
        First: task count_lines -> Again;
        Again: task count_lines(input = context.execution.input) -> Third;
        Third: task count_lines(input = $order) -> end;
    }
}

workflow! {
    pub RecountJsonata(Order) -> Count {
        query_language = jsonata;
        start Remember;
        Remember: pass -> First assign(order = .);
        First: task count_lines -> Again;
        Again: task count_lines(input = context.execution.input) -> Third;
        Third: task count_lines(input = $order) -> end;
    }
}

#[tokio::test(start_paused = true)]
async fn a_task_takes_the_execution_input_or_a_variable() {
    let asl: serde_json::Value = serde_json::from_str(&Recount::asl_json()).unwrap();
    assert_eq!(asl["States"]["Again"]["InputPath"], "$$.Execution.Input");
    assert_eq!(asl["States"]["Third"]["InputPath"], "$order");
    assert!(stepfn::validate(Recount::definition(), &Default::default()).is_empty());
    assert!(stepfn::validate(RecountJsonata::definition(), &Default::default()).is_empty());
    for run in [
        Recount::run_with(order(), options()).await,
        RecountJsonata::run_with(order(), options()).await,
    ] {
        assert_eq!(run.unwrap(), Count { lines: 2 });
    }
    let emitted =
        Executor::new(stepfn::check(&RecountJsonata::asl_json(), &Default::default()).unwrap())
            .run(
                serde_json::to_value(order()).unwrap(),
                options().with_tasks(Recount::tasks()),
            )
            .await;
    assert_eq!(emitted.output, Some(json!({"lines": 2})));
}
