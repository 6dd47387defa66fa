//! The web console in a real browser: headless Chromium (Debian's `chromium` and
//! `chromium-driver`), driven through Selenium by `clients/console_browser.py`.
//! `scripts/install-browser` installs them (scripts/test runs it); without them this test
//! fails, saying so. `STEPFN_CONSOLE_SCREENSHOTS=DIR` keeps the pages' screenshots
//! (`scripts/console-screenshots` regenerates docs/console/ with it).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::start;
use serde_json::json;
use stepfn_server::ServerOptions;

fn tools() -> PathBuf {
    std::env::var_os("STEPFN_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_works_in_a_real_browser() {
    let tools = tools();
    for needed in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
        assert!(
            Path::new(needed).exists(),
            "{needed} is missing: run scripts/install-browser"
        );
    }
    assert!(
        tools.join("browser/selenium").is_dir() && tools.join("clients/boto3").is_dir(),
        "Selenium or boto3 is missing from {}: run scripts/install-browser and scripts/install-api-clients",
        tools.display()
    );
    let mocks = stepfn::tasks::MockConfig::from_value(&json!({
        "StateMachines": {"Orders": {"TestCases": {
            "Paid": {"Charge": "Charged"},
            "Declined": {"Charge": "Refused"}}}},
        "MockedResponses": {
            "Charged": {"0": {"Return": {"Payload": {"charged": 42}}}},
            "Refused": {"0": {"Throw": {"Error": "Card.Declined", "Cause": "<em>no</em>"}}}}
    }))
    .unwrap();
    let server = start(ServerOptions::new().with_mock_config(mocks)).await;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/console_browser.py");
    let url = server.url();
    let screenshots = std::env::var_os("STEPFN_CONSOLE_SCREENSHOTS");
    let python_path = std::env::join_paths([tools.join("clients"), tools.join("browser")]).unwrap();
    let output = tokio::task::spawn_blocking(move || {
        let mut command = Command::new("python3");
        command
            .arg(script)
            .arg(url)
            .env("PYTHONPATH", python_path)
            .env("SE_OFFLINE", "true")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL");
        if let Some(dir) = screenshots {
            command.arg(dir);
        }
        command.output().unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("console: ok"), "{stdout}\n{stderr}");
    server.stop().await;
}

/// Without a browser: actions from another origin are refused, pages of what does not exist
/// are 404s, and the API's POSTs are not the console's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_actions_refuse_other_origins_and_unknown_pages_are_not_found() {
    let server = start(ServerOptions::default()).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let definition =
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}});
    let (_, created) = common::call(
        &http,
        &server,
        "CreateStateMachine",
        &json!({"name": "Waits", "definition": definition.to_string(), "roleArn": common::ROLE}),
    )
    .await;
    let machine = created["stateMachineArn"].as_str().unwrap().to_string();
    let (_, started) = common::call(
        &http,
        &server,
        "StartExecution",
        &json!({"stateMachineArn": machine, "name": "long"}),
    )
    .await;
    let execution = started["executionArn"].as_str().unwrap().to_string();
    let stop_url = format!(
        "{}/executions/{}/stop",
        server.url(),
        execution.replace(':', "%3A")
    );
    let forged = http
        .post(&stop_url)
        .header("origin", "http://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 403);
    let cross_site = http
        .post(&stop_url)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status().as_u16(), 403);
    let status = async || {
        let (_, described) = common::call(
            &http,
            &server,
            "DescribeExecution",
            &json!({"executionArn": execution}),
        )
        .await;
        described["status"].clone()
    };
    assert_eq!(status().await, "RUNNING", "a refused stop stopped nothing");
    let own = http
        .post(&stop_url)
        .header("origin", server.url())
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(own.status().as_u16(), 303);
    assert_eq!(status().await, "ABORTED");
    for path in [
        "/state-machines/Nothing",
        "/executions/arn%3Aaws%3Astates%3Aus-east-1%3A123456789012%3Aexecution%3AWaits%3Anone",
        "/elsewhere",
    ] {
        let page = http
            .get(format!("{}{path}", server.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status().as_u16(), 404, "{path}");
        let text = page.text().await.unwrap().to_lowercase();
        assert!(text.contains("does not exist"), "{path}: {text}");
    }
    let machine_page = http
        .get(format!("{}/state-machines/Waits", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(machine_page.status().as_u16(), 200);
    let text = machine_page.text().await.unwrap();
    assert!(text.contains("data-execution=\"long\""), "{text}");
    server.stop().await;
}
