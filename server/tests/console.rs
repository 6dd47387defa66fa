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
