//! AWS's Rust SDK (aws-sdk-sfn) against the server: the whole life of executions, with
//! dummy credentials and requests signed as for AWS.

mod common;

use aws_sdk_sfn::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_sfn::config::{
    BehaviorVersion, ConfigBag, Credentials, Intercept, Region, RuntimeComponents,
};
use aws_sdk_sfn::error::BoxError;
use aws_sdk_sfn::types::{
    HistoryEventType, InspectionLevel, MockErrorOutput, MockInput, StateMachineType, Tag,
    TestStateConfiguration,
};
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use common::{start, ROLE};
use serde_json::{json, Value};
use stepfn_server::ServerOptions;

/// SDKs send StartSyncExecution to `sync-<host>`; a local endpoint has no such name, so the
/// prefix comes off again before the request leaves.
#[derive(Debug)]
struct NoHostPrefix;

impl Intercept for NoHostPrefix {
    fn name(&self) -> &'static str {
        "NoHostPrefix"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        if let Some(rest) = request.uri().strip_prefix("http://sync-") {
            let uri = format!("http://{rest}");
            request.set_uri(uri)?;
        }
        Ok(())
    }
}

fn client(url: &str) -> aws_sdk_sfn::Client {
    let config = aws_sdk_sfn::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "dummy"))
        .endpoint_url(url)
        .http_client(
            aws_smithy_http_client::Builder::new()
                .tls_provider(Provider::Rustls(CryptoMode::Ring))
                .build_https(),
        )
        .interceptor(NoHostPrefix)
        .build();
    aws_sdk_sfn::Client::from_conf(config)
}

fn worker_flow(activity: &str) -> String {
    json!({"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": activity, "HeartbeatSeconds": 60, "Next": "Review"},
        "Review": {"Type": "Task", "Resource": activity, "ResultPath": "$.review",
                   "Catch": [{"ErrorEquals": ["Review.Rejected"], "ResultPath": "$.rejected", "Next": "Done"}], "Next": "Done"},
        "Done": {"Type": "Pass", "End": true}}})
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_sdk_drives_executions_from_create_to_redrive() {
    let db = std::env::temp_dir().join(format!(
        "stepfn-sdk-{}-{}.db",
        std::process::id(),
        stepfn::random::uuid_v4().simple()
    ));
    let mocks = stepfn::tasks::MockConfig::from_value(&json!({
        "StateMachines": {"Billing": {"TestCases": {"Paid": {"Charge": "Charged"}}}},
        "MockedResponses": {"Charged": {"0": {"Return": {"charged": 42}}}}
    }))
    .unwrap();
    let server = start(
        ServerOptions::new()
            .with_database(db.clone())
            .with_mock_config(mocks),
    )
    .await;
    let sfn = client(&server.url());

    let activity = sfn
        .create_activity()
        .name("reviews")
        .send()
        .await
        .unwrap()
        .activity_arn;
    let machine = sfn
        .create_state_machine()
        .name("Review")
        .definition(worker_flow(&activity))
        .role_arn(ROLE)
        .tags(Tag::builder().key("team").value("docs").build())
        .send()
        .await
        .unwrap()
        .state_machine_arn;
    let described = sfn
        .describe_state_machine()
        .state_machine_arn(&machine)
        .send()
        .await
        .unwrap();
    assert_eq!(described.definition, worker_flow(&activity));
    assert_eq!(described.r#type, StateMachineType::Standard);
    let tags = sfn
        .list_tags_for_resource()
        .resource_arn(&machine)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 1);

    // Start; a worker takes the task, beats, and answers; the review is rejected and caught.
    let execution = sfn
        .start_execution()
        .state_machine_arn(&machine)
        .name("first")
        .input(r#"{"doc": 7}"#)
        .send()
        .await
        .unwrap()
        .execution_arn;
    let task = sfn
        .get_activity_task()
        .activity_arn(&activity)
        .worker_name("w1")
        .send()
        .await
        .unwrap();
    assert_eq!(task.input.as_deref(), Some(r#"{"doc":7}"#));
    let token = task.task_token.unwrap();
    sfn.send_task_heartbeat()
        .task_token(&token)
        .send()
        .await
        .unwrap();
    sfn.send_task_success()
        .task_token(&token)
        .output(r#"{"doc": 7, "written": true}"#)
        .send()
        .await
        .unwrap();
    let again = sfn
        .send_task_success()
        .task_token(&token)
        .output("{}")
        .send()
        .await
        .unwrap_err();
    assert!(again.into_service_error().is_task_does_not_exist());
    let review = sfn
        .get_activity_task()
        .activity_arn(&activity)
        .worker_name("w2")
        .send()
        .await
        .unwrap();
    sfn.send_task_failure()
        .task_token(review.task_token.unwrap())
        .error("Review.Rejected")
        .cause("too short")
        .send()
        .await
        .unwrap();
    server.engine.wait(&execution).await.unwrap();
    let done = sfn
        .describe_execution()
        .execution_arn(&execution)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status.as_str(), "SUCCEEDED");
    let output: Value = serde_json::from_str(done.output.as_deref().unwrap()).unwrap();
    assert_eq!(output["written"], true);
    assert_eq!(output["rejected"]["Error"], "Review.Rejected");
    let history = sfn
        .get_execution_history()
        .execution_arn(&execution)
        .send()
        .await
        .unwrap();
    let types: Vec<HistoryEventType> = history.events().iter().map(|e| e.r#type.clone()).collect();
    for wanted in [
        HistoryEventType::ActivityStarted,
        HistoryEventType::ActivitySucceeded,
        HistoryEventType::ActivityFailed,
        HistoryEventType::ExecutionSucceeded,
    ] {
        assert!(types.contains(&wanted), "{wanted:?} in {types:?}");
    }
    let started = history
        .events()
        .iter()
        .find(|e| e.r#type == HistoryEventType::ActivityStarted)
        .unwrap();
    assert_eq!(
        started
            .activity_started_event_details()
            .unwrap()
            .worker_name
            .as_deref(),
        Some("w1")
    );

    // Stop one while it waits for a worker, then redrive it and finish it.
    let second = sfn
        .start_execution()
        .state_machine_arn(&machine)
        .name("second")
        .send()
        .await
        .unwrap()
        .execution_arn;
    sfn.stop_execution()
        .execution_arn(&second)
        .error("Ops.Stop")
        .cause("not now")
        .send()
        .await
        .unwrap();
    let stopped = sfn
        .describe_execution()
        .execution_arn(&second)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (stopped.status.as_str(), stopped.error.as_deref()),
        ("ABORTED", Some("Ops.Stop"))
    );
    sfn.redrive_execution()
        .execution_arn(&second)
        .send()
        .await
        .unwrap();
    for worker in ["w3", "w4"] {
        let task = sfn
            .get_activity_task()
            .activity_arn(&activity)
            .worker_name(worker)
            .send()
            .await
            .unwrap();
        sfn.send_task_success()
            .task_token(task.task_token.unwrap())
            .output("{}")
            .send()
            .await
            .unwrap();
    }
    server.engine.wait(&second).await.unwrap();
    let redriven = sfn
        .describe_execution()
        .execution_arn(&second)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (redriven.status.as_str(), redriven.redrive_count),
        ("SUCCEEDED", Some(1))
    );
    let listed = sfn
        .list_executions()
        .state_machine_arn(&machine)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.executions().len(), 2);

    // A MockConfigFile test case.
    let billing = sfn
        .create_state_machine()
        .name("Billing")
        .definition(json!({"StartAt": "Charge", "States": {"Charge": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge", "End": true}}}).to_string())
        .role_arn(ROLE)
        .send()
        .await
        .unwrap()
        .state_machine_arn;
    let paid = sfn
        .start_execution()
        .state_machine_arn(format!("{billing}#Paid"))
        .send()
        .await
        .unwrap()
        .execution_arn;
    server.engine.wait(&paid).await.unwrap();
    let paid = sfn
        .describe_execution()
        .execution_arn(&paid)
        .send()
        .await
        .unwrap();
    assert_eq!(paid.output.as_deref(), Some(r#"{"charged":42}"#));

    // Express, synchronously.
    let quick = sfn
        .create_state_machine()
        .name("Quick")
        .r#type(StateMachineType::Express)
        .definition(json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": true}, "End": true}}}).to_string())
        .role_arn(ROLE)
        .send()
        .await
        .unwrap()
        .state_machine_arn;
    let sync = sfn
        .start_sync_execution()
        .state_machine_arn(&quick)
        .input("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (sync.status.as_str(), sync.output.as_deref()),
        ("SUCCEEDED", Some(r#"{"ok":true}"#))
    );

    // TestState, validation, errors as the SDK's typed errors.
    let tested = sfn
        .test_state()
        .definition(
            json!({"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "End": true})
                .to_string(),
        )
        .role_arn(ROLE)
        .input(r#"{"n": 1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(tested.output.as_deref(), Some(r#"{"n":2}"#));
    // The late-2025 members: a retry count the state has already made, and DEBUG inspection.
    let retried = sfn
        .test_state()
        .definition(
            json!({"Type": "Task", "QueryLanguage": "JSONata",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "f", "Payload": "{% $states.input.n %}"},
                "Retry": [{"ErrorEquals": ["Boom"], "MaxAttempts": 5, "BackoffRate": 2}],
                "End": true})
            .to_string(),
        )
        .input(r#"{"n": 1}"#)
        .inspection_level(InspectionLevel::Debug)
        .mock(
            MockInput::builder()
                .error_output(MockErrorOutput::builder().error("Boom").cause("no").build())
                .build(),
        )
        .state_configuration(
            TestStateConfiguration::builder()
                .retrier_retry_count(3)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        retried.status.as_ref().map(|s| s.as_str()),
        Some("RETRIABLE")
    );
    let inspection = retried.inspection_data.unwrap();
    assert_eq!(
        inspection.after_arguments.as_deref(),
        Some(r#"{"FunctionName":"f","Payload":1}"#)
    );
    let details = inspection.error_details.unwrap();
    assert_eq!(
        (details.retry_index, details.retry_backoff_interval_seconds),
        (Some(0), Some(8))
    );
    let checked = sfn
        .validate_state_machine_definition()
        .definition(r#"{"StartAt": "X", "States": {}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(checked.result.as_str(), "FAIL");
    let missing = sfn
        .describe_execution()
        .execution_arn("arn:aws:states:us-east-1:123456789012:execution:Review:none")
        .send()
        .await
        .unwrap_err();
    assert!(missing.into_service_error().is_execution_does_not_exist());
    let bad = sfn
        .create_state_machine()
        .name("Bad")
        .definition("{}")
        .role_arn(ROLE)
        .send()
        .await
        .unwrap_err();
    assert!(bad.into_service_error().is_invalid_definition());
    sfn.untag_resource()
        .resource_arn(&machine)
        .tag_keys("team")
        .send()
        .await
        .unwrap();
    sfn.delete_state_machine()
        .state_machine_arn(&billing)
        .send()
        .await
        .unwrap();
    sfn.delete_activity()
        .activity_arn(&activity)
        .send()
        .await
        .unwrap();
    let machines = sfn.list_state_machines().send().await.unwrap();
    assert_eq!(machines.state_machines().len(), 2);
    server.stop().await;
    let _ = std::fs::remove_file(&db);
}

async fn finished(
    sfn: &aws_sdk_sfn::Client,
    execution: &str,
) -> aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput {
    for _ in 0..500 {
        let described = sfn
            .describe_execution()
            .execution_arn(execution)
            .send()
            .await
            .unwrap();
        if described.status != aws_sdk_sfn::types::ExecutionStatus::Running {
            return described;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{execution} is still running");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_sdk_publishes_versions_and_starts_them_through_an_alias() {
    use aws_sdk_sfn::types::RoutingConfigurationListItem;
    let server = start(ServerOptions::default()).await;
    let sfn = client(&server.url());
    let say = |word: &str| {
        json!({"StartAt": "S", "States": {"S": {"Type": "Pass", "Result": word, "End": true}}})
            .to_string()
    };
    let created = sfn
        .create_state_machine()
        .name("Sdk")
        .definition(say("one"))
        .role_arn(ROLE)
        .publish(true)
        .send()
        .await
        .unwrap();
    let machine = created.state_machine_arn;
    let first = created.state_machine_version_arn.unwrap();
    let updated = sfn
        .update_state_machine()
        .state_machine_arn(&machine)
        .definition(say("two"))
        .publish(true)
        .version_description("second")
        .send()
        .await
        .unwrap();
    let second = updated.state_machine_version_arn.unwrap();
    assert_eq!(second, format!("{machine}:2"));
    let route = |version: &str, weight: i32| {
        RoutingConfigurationListItem::builder()
            .state_machine_version_arn(version)
            .weight(weight)
            .build()
            .unwrap()
    };
    let alias = sfn
        .create_state_machine_alias()
        .name("canary")
        .routing_configuration(route(&first, 0))
        .routing_configuration(route(&second, 100))
        .send()
        .await
        .unwrap()
        .state_machine_alias_arn;
    let execution = sfn
        .start_execution()
        .state_machine_arn(&alias)
        .send()
        .await
        .unwrap()
        .execution_arn;
    let done = finished(&sfn, &execution).await;
    assert_eq!(done.output(), Some(r#""two""#));
    assert_eq!(done.state_machine_version_arn(), Some(second.as_str()));
    assert_eq!(done.state_machine_alias_arn(), Some(alias.as_str()));
    let ran = sfn
        .describe_state_machine_for_execution()
        .execution_arn(&execution)
        .send()
        .await
        .unwrap();
    assert_eq!(ran.definition, say("two"));
    assert_eq!(ran.state_machine_arn, machine);
    let version = sfn
        .describe_state_machine()
        .state_machine_arn(&second)
        .send()
        .await
        .unwrap();
    assert_eq!(version.description(), Some("second"));
    let conflict = sfn
        .delete_state_machine_version()
        .state_machine_version_arn(&second)
        .send()
        .await
        .unwrap_err();
    assert!(conflict.into_service_error().is_conflict_exception());
    let aliases = sfn
        .list_state_machine_aliases()
        .state_machine_arn(&machine)
        .send()
        .await
        .unwrap();
    assert_eq!(aliases.state_machine_aliases().len(), 1);
    sfn.delete_state_machine_alias()
        .state_machine_alias_arn(&alias)
        .send()
        .await
        .unwrap();
    sfn.delete_state_machine_version()
        .state_machine_version_arn(&second)
        .send()
        .await
        .unwrap();
    let versions = sfn
        .list_state_machine_versions()
        .state_machine_arn(&machine)
        .send()
        .await
        .unwrap();
    assert_eq!(versions.state_machine_versions().len(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_sdk_lists_describes_and_updates_map_runs() {
    let server = start(ServerOptions::default()).await;
    let sfn = client(&server.url());
    let definition = json!({"StartAt": "Fan", "States": {"Fan": {
        "Type": "Map", "Label": "Fan", "ToleratedFailurePercentage": 50,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Check", "States": {"Check": {"Type": "Choice",
                "Choices": [{"Variable": "$", "NumericGreaterThan": 2, "Next": "Bad"}], "Default": "Good"},
                "Good": {"Type": "Succeed"}, "Bad": {"Type": "Fail", "Error": "Too.Big"}}},
        "End": true}}});
    let machine = sfn
        .create_state_machine()
        .name("SdkFan")
        .definition(definition.to_string())
        .role_arn(ROLE)
        .send()
        .await
        .unwrap()
        .state_machine_arn;
    let execution = sfn
        .start_execution()
        .state_machine_arn(&machine)
        .input("[1, 2, 3, 4]")
        .send()
        .await
        .unwrap()
        .execution_arn;
    let done = finished(&sfn, &execution).await;
    assert_eq!(done.status, aws_sdk_sfn::types::ExecutionStatus::Succeeded);
    let runs = sfn
        .list_map_runs()
        .execution_arn(&execution)
        .send()
        .await
        .unwrap();
    let run = &runs.map_runs()[0];
    assert_eq!(run.state_machine_arn, format!("{machine}/Fan"));
    let described = sfn
        .describe_map_run()
        .map_run_arn(&run.map_run_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.status,
        aws_sdk_sfn::types::MapRunStatus::Succeeded
    );
    let counts = described.execution_counts.unwrap();
    assert_eq!((counts.succeeded, counts.failed, counts.total), (2, 2, 4));
    assert_eq!(described.tolerated_failure_percentage, 50.0);
    let children = sfn
        .list_executions()
        .map_run_arn(&run.map_run_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(children.executions().len(), 4);
    sfn.update_map_run()
        .map_run_arn(&run.map_run_arn)
        .tolerated_failure_count(3)
        .send()
        .await
        .unwrap();
    let unknown = sfn
        .describe_map_run()
        .map_run_arn(format!("{}x", run.map_run_arn))
        .send()
        .await
        .unwrap_err();
    assert!(unknown.into_service_error().is_resource_not_found());
    server.stop().await;
}
