//! The `stepfn` binary as a user runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn stepfn(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stepfn"))
        .args(args)
        .output()
        .expect("stepfn runs")
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stepfn-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn shipped_examples_are_valid_and_formatted() {
    let mut files: Vec<String> = std::fs::read_dir(examples())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".asl.json"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    assert!(files.len() >= 6, "examples missing: {files:?}");
    let args: Vec<&str> = std::iter::once("validate")
        .chain(files.iter().map(String::as_str))
        .collect();
    let out = stepfn(&args);
    assert!(out.status.success(), "{}", stdout(&out));
    let args: Vec<&str> = ["fmt", "--check"]
        .into_iter()
        .chain(files.iter().map(String::as_str))
        .collect();
    assert!(stepfn(&args).status.success());
}

#[test]
fn problems_are_printed_with_file_and_pointer() {
    let bad = temp_file(
        "bad.asl.json",
        r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Missing"}, "B": {"Type": "Task", "Resource": "x", "Retry": [{"ErrorEquals": ["States.ALL", "E"]}], "End": true}}}"#,
    );
    let out = stepfn(&["validate", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let file = bad.display().to_string();
    assert!(
        text.contains(&format!(
            "{file}: /States/A/Next: Missing 'Next' target: Missing"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("{file}: /States/B: State \"B\" is not reachable.")),
        "{text}"
    );
    assert!(text.contains(&format!("{file}: /States/B/Retry/0/ErrorEquals: States.ALL can only appear in the last element, and by itself.")), "{text}");

    let out = stepfn(&["validate", "--format", "json", bad.to_str().unwrap()]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let first = &report[0];
    assert_eq!(first["file"], file);
    assert_eq!(first["path"], "/States/A/Next");
    assert_eq!(first["message"], "Missing 'Next' target: Missing");
}

#[test]
fn unknown_fields_get_a_suggestion() {
    let bad = temp_file(
        "typo.asl.json",
        r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "InputPth": "$.x", "End": true}}}"#,
    );
    let text = stdout(&stepfn(&["validate", bad.to_str().unwrap()]));
    assert!(
        text.contains("/States/A: Field 'InputPth' is not supported (did you mean 'InputPath'?)"),
        "{text}"
    );
}

#[test]
fn express_rules_apply_with_type_express() {
    let def = temp_file(
        "express.asl.json",
        r#"{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "End": true}}}"#,
    );
    assert!(stepfn(&["validate", def.to_str().unwrap()])
        .status
        .success());
    let out = stepfn(&["validate", "--type", "express", def.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains(
        "/States/A/Resource: Express state machine does not support '.waitForTaskToken'"
    ));
}

#[test]
fn yaml_is_read_and_formatted_as_yaml() {
    let yaml = temp_file(
        "machine.asl.yaml",
        "StartAt: Hello\nStates:\n  Hello:\n    End: true\n    Type: Pass\n",
    );
    assert!(stepfn(&["validate", yaml.to_str().unwrap()])
        .status
        .success());
    assert_eq!(
        stepfn(&["fmt", "--check", yaml.to_str().unwrap()])
            .status
            .code(),
        Some(1)
    );
    assert!(stepfn(&["fmt", yaml.to_str().unwrap()]).status.success());
    let written = std::fs::read_to_string(&yaml).unwrap();
    assert!(
        written.find("Type: Pass").unwrap() < written.find("End: true").unwrap(),
        "{written}"
    );
    assert!(stepfn(&["fmt", "--check", yaml.to_str().unwrap()])
        .status
        .success());
}

#[test]
fn broken_input_gets_a_clear_error_and_no_panic() {
    for (name, contents, expected) in [
        ("empty.json", "", "Definition must be a valid JSON object"),
        ("garbage.json", "not a definition", "Invalid JSON"),
        (
            "array.json",
            "[1, 2]",
            "Definition must be a valid JSON object",
        ),
        (
            "types.json",
            r#"{"StartAt": 5, "States": {"A": {"Type": "Wait", "Seconds": -1, "End": "yes"}}}"#,
            "The field 'StartAt' must be a string",
        ),
        (
            "dupes.json",
            r#"{"StartAt": "A", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}"#,
            "/StartAt: Duplicate field 'StartAt'",
        ),
    ] {
        let f = temp_file(name, contents);
        let out = stepfn(&["validate", f.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(stdout(&out).contains(expected), "{name}: {}", stdout(&out));
        assert!(
            out.stderr.is_empty(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = stepfn(&["validate", "/nonexistent/stepfn.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("cannot read the file"));
}

#[test]
fn a_large_definition_is_handled() {
    let mut states = serde_json::Map::new();
    for i in 0..5000 {
        let next = if i + 1 < 5000 {
            serde_json::json!({"Type": "Pass", "Next": format!("S{}", i + 1)})
        } else {
            serde_json::json!({"Type": "Pass", "End": true})
        };
        states.insert(format!("S{i}"), next);
    }
    let machine = serde_json::json!({"StartAt": "S0", "States": states});
    let f = temp_file("large.json", &machine.to_string());
    assert!(stepfn(&["validate", f.to_str().unwrap()]).status.success());
    let deep = "[".repeat(100_000);
    let f = temp_file("deep.json", &deep);
    let out = stepfn(&["validate", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("recursion limit"), "{}", stdout(&out));
}

fn run_example(test_case: &str, extra: &[&str]) -> (Output, serde_json::Value) {
    let ex = examples();
    let definition = ex.join("ecommerce.asl.json").display().to_string();
    let input = format!("@{}", ex.join("ecommerce.input.json").display());
    let mocks = ex.join("ecommerce.mocks.json").display().to_string();
    let mut args = vec![
        "run",
        definition.as_str(),
        "--input",
        input.as_str(),
        "--mock-config",
        mocks.as_str(),
        "--test-case",
        test_case,
        "--clock",
        "virtual",
    ];
    args.extend_from_slice(extra);
    let out = stepfn(&args);
    let printed = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out, printed)
}

#[test]
fn run_follows_the_mocked_test_case() {
    let (out, printed) = run_example("HappyPath", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(printed["status"], "SUCCEEDED");
    assert_eq!(printed["output"]["trackingNumber"], "1Z999AA10123456784");

    // A failing branch is caught by the Parallel and compensated; the run still exits 0.
    let (out, printed) = run_example("InventoryDown", &[]);
    assert!(out.status.success());
    assert_eq!(printed["status"], "FAILED");
    assert_eq!(printed["error"], "OrderFailed");
}

#[test]
fn run_prints_the_history_in_the_api_shape() {
    let (_, printed) = run_example("HappyPath", &["--history"]);
    let events = printed["history"].as_array().expect("history printed");
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types.first(), Some(&"ExecutionStarted"));
    assert_eq!(types.last(), Some(&"ExecutionSucceeded"));
    assert!(types.contains(&"WaitStateExited"));
    assert!(types.contains(&"ParallelStateExited"));
    let entered = &events[1]["stateEnteredEventDetails"];
    assert_eq!(entered["name"], "ValidatePayment");
    assert!(
        entered["input"].is_string(),
        "payloads are JSON text, as in the API"
    );
}

#[test]
fn run_rejects_bad_definitions_and_input_with_exit_2() {
    let bad = temp_file(
        "bad.asl.json",
        r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}"#,
    );
    let out = stepfn(&["run", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Missing 'Next' target: B"));

    let good = examples().join("ecommerce.asl.json").display().to_string();
    let out = stepfn(&["run", good.as_str(), "--input", "{not json"]);
    assert_eq!(out.status.code(), Some(2));
    let out = stepfn(&[
        "run",
        good.as_str(),
        "--mock-config",
        "x.json",
        "--test-case",
        "Nope",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn run_without_handlers_reports_the_unanswered_task() {
    let good = examples().join("ecommerce.asl.json").display().to_string();
    let out = stepfn(&["run", good.as_str(), "--clock", "virtual"]);
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["status"], "FAILED");
    assert!(printed["cause"]
        .as_str()
        .unwrap()
        .contains("No handler answers the resource"));
}

#[test]
fn jsonata_evaluates_against_a_file_with_bindings() {
    let input = temp_file(
        "jsonata-input.json",
        r#"{"items": [{"price": 2, "qty": 3}, {"price": 5, "qty": 1}]}"#,
    );
    let out = stepfn(&[
        "jsonata",
        "$sum(items.(price * qty)) * $rate",
        "--input",
        input.to_str().unwrap(),
        "--bindings",
        r#"{"rate": 10}"#,
    ]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out).trim(), "110");
}

#[test]
fn jsonata_prints_nothing_for_undefined_and_codes_for_errors() {
    let out = stepfn(&["jsonata", "nothing.here"]);
    assert!(out.status.success());
    assert_eq!(stdout(&out), "");

    let out = stepfn(&["jsonata", "1 + 'a'"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("T2002: "));

    let out = stepfn(&["jsonata", "(1 + "]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("S0207: "));

    let out = stepfn(&["jsonata", "1", "--bindings", "[1]"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn emit_writes_every_artefact_kind() {
    let file = examples().join("ecommerce.asl.json");
    let file = file.to_str().unwrap();
    let out = stepfn(&[
        "emit",
        "cloudformation",
        file,
        "--bind",
        "ShipFunctionArn=ShipFunction.Arn",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let template: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let props = &template["Resources"]["StateMachine"]["Properties"];
    assert_eq!(props["Definition"]["StartAt"], "ValidatePayment");
    assert_eq!(
        props["DefinitionSubstitutions"]["ShipFunctionArn"],
        serde_json::json!({"Fn::GetAtt": ["ShipFunction", "Arn"]})
    );
    assert!(template["Parameters"].get("ShipFunctionArn").is_none());
    let yaml = stepfn(&["emit", "sam", file, "--format", "yaml", "--tracing"]);
    assert!(stdout(&yaml).contains("Type: AWS::Serverless::StateMachine"));
    let iam = stepfn(&["emit", "iam", file]);
    assert!(stdout(&iam).contains("\"sns:Publish\""));
    let asl = stepfn(&["emit", "asl", file, "--compact"]);
    assert_eq!(stdout(&asl).lines().count(), 1);
    let cdk = stepfn(&["emit", "cdk", file]);
    assert!(stdout(&cdk)
        .contains("sfn.DefinitionBody.fromFile(path.join(__dirname, \"ecommerce.asl.json\"))"));
    let mermaid = stepfn(&["emit", "mermaid", file]);
    assert!(stdout(&mermaid).starts_with("flowchart TD"));
    let dot = stepfn(&["graph", file, "--format", "dot"]);
    assert!(stdout(&dot).starts_with("digraph"));
    let svg = stepfn(&["graph", file, "--format", "svg"]);
    assert!(stdout(&svg).starts_with("<svg") && stdout(&svg).contains(">ValidatePayment</text>"));
}

#[test]
fn emit_refuses_what_cannot_deploy_saying_where() {
    let bad_arn = temp_file(
        "bad-arn.asl.json",
        r#"{"StartAt": "Charge", "States": {"Charge": {"Type": "Task", "Resource": "charge", "End": true}}}"#,
    );
    let out = stepfn(&["emit", "cloudformation", bad_arn.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/States/Charge/Resource"));
    let file = examples().join("ecommerce.asl.json");
    let out = stepfn(&[
        "emit",
        "cloudformation",
        file.to_str().unwrap(),
        "--bind",
        "Missing=X",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no ${Missing} placeholder"));
    let invalid = temp_file(
        "invalid.asl.json",
        r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}"#,
    );
    let out = stepfn(&["emit", "sam", invalid.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Missing 'Next' target: B"));
    let out = stepfn(&["emit", "schema", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_readme_graph_is_what_stepfn_graph_draws() {
    let file = examples().join("ecommerce.asl.json");
    let out = stepfn(&["graph", file.to_str().unwrap(), "--format", "svg"]);
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/ecommerce.svg"),
    )
    .unwrap();
    assert_eq!(
        stdout(&out),
        committed,
        "docs/ecommerce.svg is stale: stepfn graph examples/ecommerce.asl.json --format svg > docs/ecommerce.svg"
    );
}

/// `../shared/bench` (or `$STEPFN_SHARED/bench`): the peer's workloads.
fn bench_dir() -> PathBuf {
    stepfn_testkit::bench()
}

#[test]
fn bench_prints_the_peers_fields_for_a_checked_workload() {
    let dir = bench_dir();
    let out = stepfn(&[
        "bench",
        &dir.display().to_string(),
        "payload",
        "--reps",
        "2",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(line["workload"], "payload");
    assert_eq!(line["reps"], 2);
    // meta.json: 100 transitions per execution.
    assert_eq!(line["transitions"], 200);
    assert!(line["exec_s"].as_f64().unwrap() > 0.0);
    assert!(line["transitions_per_s"].as_f64().unwrap() > 0.0);
    assert!(line["peak_rss_mib"].as_f64().unwrap() > 0.0);

    let out = stepfn(&[
        "bench",
        &dir.display().to_string(),
        "many_executions",
        "--reps",
        "20",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = stepfn(&["bench", &dir.display().to_string(), "no_such_workload"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no_such_workload.asl.json"));
}

/// Runs the definition `definition` (JSON text) with `extra` arguments, giving the output, the
/// printed JSON and stderr.
fn run_definition(
    file: &str,
    definition: &str,
    extra: &[&str],
) -> (Output, serde_json::Value, String) {
    let path = temp_file(file, definition);
    let mut args = vec!["run", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = stepfn(&args);
    let printed = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, printed, stderr)
}

/// The events of `printed`'s history of type `event_type`.
fn events<'a>(printed: &'a serde_json::Value, event_type: &str) -> Vec<&'a serde_json::Value> {
    printed["history"]
        .as_array()
        .expect("history printed")
        .iter()
        .filter(|e| e["type"] == event_type)
        .collect()
}

/// The task token the first `scheduled` event's task was given: its parameters or input hold
/// it as `token` (at the top, or in an SQS `MessageBody` or a Lambda `Payload`).
fn scheduled_token(printed: &serde_json::Value, scheduled: &str, details: &str) -> String {
    let event = events(printed, scheduled)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no {scheduled} in {printed}"));
    let payload = event[details]
        .get("parameters")
        .or_else(|| event[details].get("input"))
        .and_then(|p| p.as_str())
        .unwrap();
    let payload: serde_json::Value = serde_json::from_str(payload).unwrap();
    let token = payload["token"]
        .as_str()
        .or_else(|| payload["MessageBody"]["token"].as_str())
        .or_else(|| payload["Payload"]["token"].as_str())
        .unwrap_or_else(|| panic!("no token in {payload}"));
    token.to_string()
}

#[test]
fn run_names_the_execution() {
    let definition = r#"{"StartAt": "Who", "States": {"Who": {"Type": "Pass", "End": true,
        "Parameters": {"name.$": "$$.Execution.Name", "id.$": "$$.Execution.Id"}}}}"#;
    let (out, printed, stderr) = run_definition(
        "named.asl.json",
        definition,
        &["--name", "order-42.retry_1", "--state-machine", "Orders"],
    );
    assert!(out.status.success(), "{stderr}");
    assert_eq!(printed["output"]["name"], "order-42.retry_1");
    assert_eq!(
        printed["output"]["id"],
        "arn:aws:states:us-east-1:123456789012:execution:Orders:order-42.retry_1"
    );

    // Without --name, a fresh name per run, in the ARN too; the machine is named after the file.
    let (_, first, _) = run_definition("named.asl.json", definition, &[]);
    let (_, second, _) = run_definition("named.asl.json", definition, &[]);
    let name = first["output"]["name"].as_str().unwrap();
    assert!(!name.is_empty());
    assert_ne!(first["output"]["name"], second["output"]["name"]);
    assert_eq!(
        first["output"]["id"],
        format!("arn:aws:states:us-east-1:123456789012:execution:named:{name}").as_str()
    );
}

#[test]
fn run_rejects_a_name_aws_would_refuse_saying_why() {
    let definition = r#"{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}"#;
    let long = "n".repeat(81);
    for (name, rule) in [
        ("", "1 to 80 characters, and this one is empty"),
        (long.as_str(), "1 to 80 characters, and this one has 81"),
        ("order 42", "cannot contain whitespace"),
        (
            "run[1]",
            "cannot contain brackets (< > { } [ ]), and this one has '['",
        ),
        (
            "run*",
            "cannot contain wildcards (? *), and this one has '*'",
        ),
        ("a:b", "and this one has ':'"),
        ("a\u{7}b", "control characters, and this one has U+0007"),
    ] {
        let (out, printed, stderr) =
            run_definition("names.asl.json", definition, &["--name", name]);
        assert_eq!(out.status.code(), Some(2), "{name:?}: {stderr}");
        assert_eq!(printed, serde_json::Value::Null, "nothing ran for {name:?}");
        assert!(
            stderr.starts_with(&format!("stepfn run: invalid --name '{name}': a name "))
                && stderr.contains(rule),
            "{name:?}: {stderr}"
        );
    }
    let (out, printed, _) =
        run_definition("names.asl.json", definition, &["--name", &"n".repeat(80)]);
    assert!(out.status.success());
    assert_eq!(printed["status"], "SUCCEEDED");
}

const WAIT_FOR_TOKEN: &str = r#"{"StartAt": "Approve", "States": {"Approve": {"Type": "Task",
    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
    "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                   "MessageBody": {"token.$": "$$.Task.Token"}},
    "End": true}}}"#;

#[test]
fn run_stops_a_task_token_nothing_answers_naming_state_and_token() {
    for clock in ["virtual", "real"] {
        let (out, printed, stderr) = run_definition(
            "token.asl.json",
            WAIT_FOR_TOKEN,
            &["--clock", clock, "--history"],
        );
        assert_eq!(out.status.code(), Some(1), "{clock}: {stderr}");
        let token = scheduled_token(&printed, "TaskScheduled", "taskScheduledEventDetails");
        assert!(
            stderr.contains(&format!(
                "state 'Approve' waits for SendTaskSuccess or SendTaskFailure on the task token {token}"
            )),
            "{clock}: {stderr}"
        );
        assert!(stderr.contains("can never end"), "{stderr}");
        // The execution is stopped as StopExecution would: its history ends there.
        assert_eq!(printed["status"], "ABORTED");
        assert_eq!(printed["error"], "stepfn.Stuck");
        assert!(printed["cause"].as_str().unwrap().contains(&token));
        let types: Vec<&str> = printed["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            &types[types.len() - 2..],
            ["TaskStateAborted", "ExecutionAborted"],
            "{types:?}"
        );
    }
}

#[test]
fn run_lets_a_task_timeout_fire_on_the_virtual_clock() {
    // The shipped human approval waits a week for its token: on the virtual clock the week
    // passes at once and the task times out, as on AWS.
    let definition = examples().join("human-approval.asl.json");
    let out = stepfn(&[
        "run",
        definition.to_str().unwrap(),
        "--input",
        r#"{"articleId": "a-1"}"#,
        "--clock",
        "virtual",
        "--history",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("never end"), "{stderr}");
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["status"], "FAILED");
    assert_eq!(printed["error"], "States.Timeout");
    let started = events(&printed, "TaskStarted")[0]["timestamp"]
        .as_f64()
        .unwrap();
    let timed_out = events(&printed, "TaskTimedOut")[0]["timestamp"]
        .as_f64()
        .unwrap();
    assert_eq!(timed_out - started, 604_800.0);

    // The execution's own TimeoutSeconds ends a wait nothing answers, as TIMED_OUT.
    let timed = WAIT_FOR_TOKEN.replacen(r#"{"StartAt""#, r#"{"TimeoutSeconds": 60, "StartAt""#, 1);
    let (out, printed, stderr) = run_definition(
        "execution-timeout.asl.json",
        &timed,
        &["--clock", "virtual", "--history"],
    );
    assert!(out.status.success(), "{stderr}");
    assert_eq!(printed["status"], "TIMED_OUT");
    assert_eq!(events(&printed, "ExecutionTimedOut").len(), 1);

    // A heartbeat nobody sends times the task out too, and a catcher takes it on.
    let heartbeat = r#"{"StartAt": "Approve", "States": {"Approve": {"Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "f", "Payload": {"token.$": "$$.Task.Token"}},
        "HeartbeatSeconds": 60,
        "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", "Next": "Escalate"}],
        "End": true},
        "Escalate": {"Type": "Pass", "Result": "escalated", "ResultPath": "$.then", "End": true}}}"#;
    let (out, printed, stderr) =
        run_definition("heartbeat.asl.json", heartbeat, &["--clock", "virtual"]);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(printed["status"], "SUCCEEDED");
    assert_eq!(printed["output"]["error"]["Error"], "States.Timeout");
    assert_eq!(printed["output"]["then"], "escalated");
}

#[test]
fn run_answers_a_task_token_from_the_mock_config() {
    let mocks = temp_file(
        "token.mocks.json",
        r#"{"StateMachines": {"token": {"TestCases": {"Approved": {"Approve": "Yes"}}}},
            "MockedResponses": {"Yes": {"0": {"Return": {"decision": "approve"}}}}}"#,
    );
    let (out, printed, stderr) = run_definition(
        "token.asl.json",
        WAIT_FOR_TOKEN,
        &[
            "--clock",
            "virtual",
            "--mock-config",
            mocks.to_str().unwrap(),
            "--test-case",
            "Approved",
        ],
    );
    assert!(out.status.success(), "{stderr}");
    assert_eq!(printed["status"], "SUCCEEDED");
    assert_eq!(printed["output"]["decision"], "approve");
}

const REVIEW_ACTIVITY: &str = "arn:aws:states:us-east-1:123456789012:activity:review";

#[test]
fn run_stops_an_activity_without_a_worker_unless_it_times_out() {
    let definition = format!(
        r#"{{"StartAt": "Review", "States": {{"Review": {{"Type": "Task",
            "Resource": "{REVIEW_ACTIVITY}", "Parameters": {{"token.$": "$$.Task.Token"}},
            "End": true}}}}}}"#
    );
    let (out, printed, stderr) = run_definition(
        "activity.asl.json",
        &definition,
        &["--clock", "virtual", "--history"],
    );
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let token = scheduled_token(
        &printed,
        "ActivityScheduled",
        "activityScheduledEventDetails",
    );
    assert!(
        stderr.contains(&format!(
            "state 'Review' waits for a worker of the activity {REVIEW_ACTIVITY} (task token {token})"
        )),
        "{stderr}"
    );
    assert_eq!(printed["status"], "ABORTED");
    assert!(events(&printed, "ActivityStarted").is_empty());

    // With a TimeoutSeconds, the task times out waiting for a worker, as on AWS.
    let timed = definition.replace(r#""End": true"#, r#""TimeoutSeconds": 300, "End": true"#);
    let (out, printed, stderr) = run_definition(
        "activity-timeout.asl.json",
        &timed,
        &["--clock", "virtual", "--history"],
    );
    assert!(out.status.success(), "{stderr}");
    assert_eq!(printed["status"], "FAILED");
    assert_eq!(printed["error"], "States.Timeout");
    assert_eq!(events(&printed, "ActivityTimedOut").len(), 1);
}

#[test]
fn run_of_a_parallel_with_a_branch_waiting_forever_ends_as_aws_would() {
    let parallel = |other: &str| {
        format!(
            r#"{{"StartAt": "Both", "States": {{"Both": {{"Type": "Parallel", "End": true, "Branches": [
                {{"StartAt": "Approve", "States": {{"Approve": {{"Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": {{"FunctionName": "f", "Payload": {{"token.$": "$$.Task.Token"}}}},
                    "End": true}}}}}},
                {{"StartAt": "Other", "States": {{"Other": {other}}}}}]}}}}}}"#
        )
    };
    // A failing branch fails the Parallel: the waiting one is aborted and the execution fails.
    let fails = parallel(r#"{"Type": "Fail", "Error": "Broken", "Cause": "no stock"}"#);
    let (out, printed, stderr) = run_definition(
        "parallel-fails.asl.json",
        &fails,
        &["--clock", "virtual", "--history"],
    );
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(printed["status"], "FAILED");
    assert_eq!(printed["error"], "Broken");
    assert_eq!(events(&printed, "TaskStateAborted").len(), 1);

    // A branch that finishes (after a day's Wait, on the virtual clock) leaves the Parallel
    // waiting on the other: that one is named, and only it.
    let finishes = parallel(r#"{"Type": "Wait", "Seconds": 86400, "End": true}"#);
    let (out, printed, stderr) = run_definition(
        "parallel-waits.asl.json",
        &finishes,
        &["--clock", "virtual", "--history"],
    );
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let token = scheduled_token(&printed, "TaskScheduled", "taskScheduledEventDetails");
    assert!(
        stderr.contains(&format!("state 'Approve' waits for SendTaskSuccess or SendTaskFailure on the task token {token}")),
        "{stderr}"
    );
    assert!(!stderr.contains("'Other'"), "{stderr}");
    assert_eq!(events(&printed, "WaitStateExited").len(), 1);

    // Two branches waiting: both are named.
    let both = parallel(&format!(
        r#"{{"Type": "Task", "Resource": "{REVIEW_ACTIVITY}", "End": true}}"#
    ));
    let (out, _, stderr) = run_definition("parallel-both.asl.json", &both, &["--clock", "virtual"]);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("state 'Approve' waits for SendTaskSuccess"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "state 'Other' waits for a worker of the activity {REVIEW_ACTIVITY}"
        )),
        "{stderr}"
    );
}

#[test]
fn coverage_reports_each_recorded_workflow_and_fails_below_the_minimum() {
    let dir = std::env::temp_dir().join(format!("stepfn-cli-coverage-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("Routing.asl.json"),
        r#"{"StartAt": "Check", "States": {
            "Check": {"Type": "Choice",
                "Choices": [{"Variable": "$.total", "NumericGreaterThan": 100, "Next": "Large"}],
                "Default": "Small"},
            "Large": {"Type": "Pass", "End": true},
            "Small": {"Type": "Pass", "End": true}}}"#,
    )
    .unwrap();
    // Two runs, as the harness records them: the small path twice.
    let run = r#"{"states":["Check","Small"],"transitions":[["Check","Small"]],"retries":[],"catches":[]}"#;
    std::fs::write(dir.join("Routing.runs.jsonl"), format!("{run}\n{run}\n")).unwrap();
    let d = dir.to_str().unwrap();
    let out = stepfn(&["coverage", d]);
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    assert!(text.contains("coverage of Routing: 3/5 (60.0%)"), "{text}");
    assert!(text.contains("choice   Large"), "{text}");
    let mermaid_dir = dir.join("graphs");
    let below = stepfn(&[
        "coverage",
        d,
        "--min",
        "80",
        "--mermaid",
        mermaid_dir.to_str().unwrap(),
    ]);
    assert_eq!(below.status.code(), Some(1), "{below:?}");
    assert!(String::from_utf8_lossy(&below.stderr).contains("below 80%: Routing (60.0%)"));
    let graph = std::fs::read_to_string(mermaid_dir.join("Routing.coverage.mmd")).unwrap();
    assert!(
        graph.contains("classDef untested") && graph.contains("linkStyle"),
        "{graph}"
    );
    assert_eq!(
        stepfn(&["coverage", d, "--min", "60"]).status.code(),
        Some(0)
    );
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let none = stepfn(&["coverage", empty.to_str().unwrap()]);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("STEPFN_COVERAGE_DIR"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn test_runs_asl_test_cases_and_reports_coverage() {
    let cases = examples().join("asl-tests");
    let out = stepfn(&["test", cases.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    assert!(text.contains("PASS"), "{text}");
    assert!(text.contains("2 passed, 0 failed"), "{text}");
    assert!(text.contains("coverage of ecommerce: 15/18"), "{text}");
    let below = stepfn(&["test", cases.to_str().unwrap(), "--min", "90"]);
    assert_eq!(below.status.code(), Some(1));
    // A case that expects another path fails, saying both.
    let dir = std::env::temp_dir().join(format!("stepfn-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let definition = examples().join("ecommerce.asl.json");
    let mocks = examples().join("ecommerce.mocks.json");
    let input = std::fs::read_to_string(examples().join("ecommerce.input.json")).unwrap();
    std::fs::write(
        dir.join("wrong.test.json"),
        format!(
            r#"{{"definition": {:?}, "input": {input}, "mockConfig": {:?}, "testCase": "HappyPath",
                "expect": {{"status": "SUCCEEDED", "path": ["ValidatePayment", "Ship"]}}}}"#,
            definition.to_str().unwrap(),
            mocks.to_str().unwrap()
        ),
    )
    .unwrap();
    let failed = stepfn(&["test", dir.to_str().unwrap()]);
    assert_eq!(failed.status.code(), Some(1), "{failed:?}");
    let text = stdout(&failed);
    assert!(text.contains("FAIL"), "{text}");
    assert!(
        text.contains("path: expected ValidatePayment → Ship, got ValidatePayment → CheckAmount"),
        "{text}"
    );
    std::fs::write(
        dir.join("wrong.test.json"),
        r#"{"definition": "x.json", "bogus": 1}"#,
    )
    .unwrap();
    let unreadable = stepfn(&["test", dir.to_str().unwrap()]);
    assert_eq!(unreadable.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unreadable.stderr).contains("not a test case"));
    let _ = std::fs::remove_dir_all(&dir);
}
