//! `stepfn run`: one execution of a definition, with mocks, a virtual clock and local S3.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use futures::FutureExt;
use serde_json::Value;
use stepfn::exec::{ExecutionOptions, Executor, StuckWatch};
use stepfn::history;
use stepfn::tasks::{MockConfig, TaskRegistry};
use stepfn::{CheckOptions, Clock, SystemClock, VirtualClock};

/// Arguments of `stepfn run`.
#[derive(Args)]
pub struct RunArgs {
    /// The definition (JSON or YAML).
    file: PathBuf,
    /// The execution input: JSON text, or @FILE to read it from a file.
    #[arg(long, default_value = "{}")]
    input: String,
    /// A MockConfigFile (AWS Step Functions Local's format) answering Task states.
    #[arg(long, requires = "test_case")]
    mock_config: Option<PathBuf>,
    /// The test case of the mock config to use.
    #[arg(long, requires = "mock_config")]
    test_case: Option<String>,
    /// The state machine of the mock config the test case belongs to (needed only when
    /// several have a test case of that name). Also the state machine's name in ARNs.
    #[arg(long)]
    state_machine: Option<String>,
    /// The execution's name, as `$$.Execution.Name` and in its ARN (a UUID when not given).
    /// AWS's rules apply: 1 to 80 characters, no whitespace, brackets, wildcards, control
    /// characters or any of " # % \ ^ | ~ ` $ & , ; : /.
    #[arg(long)]
    name: Option<String>,
    /// Real time, or a virtual clock on which Wait states, timeouts and retry backoff take no
    /// time.
    #[arg(long, value_enum, default_value_t = ClockKind::Real)]
    clock: ClockKind,
    /// The directory S3 is served from: s3://bucket/key is DIR/bucket/key.
    #[arg(long)]
    s3_root: Option<PathBuf>,
    /// Add the execution history (in GetExecutionHistory's shape) to the output.
    #[arg(long)]
    history: bool,
    #[command(flatten)]
    aws: crate::aws_args::AwsArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum ClockKind {
    Real,
    Virtual,
}

fn usage_error(message: String) -> ExitCode {
    eprintln!("stepfn run: {message}");
    ExitCode::from(2)
}

fn read_input(input: &str) -> Result<Value, String> {
    let text = match input.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the input file {path}: {e}"))?,
        None => input.to_string(),
    };
    serde_json::from_str(&text).map_err(|e| format!("the input is not JSON: {e}"))
}

/// Runs `stepfn run`.
pub fn run(args: RunArgs) -> ExitCode {
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => return usage_error(format!("cannot read {}: {e}", args.file.display())),
    };
    let checked = if crate::source::is_yaml(&args.file) {
        crate::source::yaml_value(&text)
            .and_then(|v| stepfn::check_value(&v, &CheckOptions::default()))
    } else {
        stepfn::check(&text, &CheckOptions::default())
    };
    let machine = match checked {
        Ok(m) => m,
        Err(problems) => {
            for p in problems {
                eprintln!("{}: {}: {}", args.file.display(), p.location(), p.message);
            }
            return ExitCode::from(2);
        }
    };
    if let Some(name) = &args.name {
        if let Err(e) = stepfn::exec::check_name(name) {
            return usage_error(format!("invalid --name '{name}': {e}"));
        }
    }
    let input = match read_input(&args.input) {
        Ok(v) => v,
        Err(e) => return usage_error(e),
    };
    let mut tasks = TaskRegistry::new();
    if let (Some(path), Some(case)) = (&args.mock_config, &args.test_case) {
        let config = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))
            .and_then(|t| MockConfig::from_json(&t).map_err(|e| e.to_string()))
            .and_then(|c| {
                c.test_case(args.state_machine.as_deref(), case)
                    .map_err(|e| e.to_string())
            });
        match config {
            Ok(test_case) => tasks = tasks.with_mocks(test_case),
            Err(e) => return usage_error(e),
        }
    }
    let region = crate::aws_args::default_region();
    let mut objects = None;
    match args.aws.services(&region) {
        Ok(Some(aws)) => {
            // --s3-root, when given too, keeps Distributed Map's S3 on the local directory.
            if args.s3_root.is_none() {
                objects = Some(stepfn_server::service_objects(aws.clone()));
            }
            tasks = tasks.services(stepfn_server::service_tasks(None, aws));
        }
        Ok(None) => {}
        Err(e) => return usage_error(e),
    }
    let state_machine_name = args.state_machine.clone().unwrap_or_else(|| {
        args.file
            .file_stem()
            .and_then(|s| s.to_str())
            .map(|s| s.trim_end_matches(".asl").to_string())
            .unwrap_or_else(|| "StateMachine".into())
    });
    let executor = Executor::new(machine);
    // Nothing outside this process can answer a task token or take an activity task: the
    // watch stops an execution left waiting only on those, which would otherwise never end.
    let watch = StuckWatch::new();
    let virtual_time = matches!(args.clock, ClockKind::Virtual);
    // I/O for the Lambda functions and AWS services tasks call.
    let mut builder = tokio::runtime::Builder::new_current_thread();
    builder.enable_io();
    let runtime = match watch.runtime_from(builder, virtual_time) {
        Ok(rt) => rt,
        Err(e) => return usage_error(format!("cannot start the runtime: {e}")),
    };
    let run = runtime.block_on(async {
        // Made inside the runtime: a virtual clock starts at the paused runtime's instant.
        let clock: Arc<dyn Clock> = if virtual_time {
            Arc::new(VirtualClock::starting_now())
        } else {
            SystemClock::shared()
        };
        let options = {
            let mut execution = ExecutionOptions::new()
                .with_state_machine_name(state_machine_name)
                .with_clock(clock)
                .with_tasks(tasks)
                .with_record_history(args.history);
            execution.name = args.name.clone();
            execution.s3_root = args.s3_root.clone();
            execution.objects = objects;
            execution
        };
        // The executor fails a state whose own work panics; a panic anywhere else in the run
        // must still end with a FAILED execution on stdout, not a dead process.
        std::panic::AssertUnwindSafe(watch.run(&executor, input, options))
            .catch_unwind()
            .await
    });
    let (outcome, stuck) = match run {
        Ok(ended) => ended,
        Err(payload) => {
            let message = stepfn::exec::panic_message(payload.as_ref());
            let failed = serde_json::json!({
                "status": "FAILED",
                "error": "States.Runtime",
                "cause": format!("The execution panicked: {message}"),
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&failed).unwrap_or_default()
            );
            return ExitCode::FAILURE;
        }
    };
    let mut printed = outcome.to_json();
    if args.history {
        printed["history"] = history::to_api_response(&outcome.history)["events"].clone();
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&printed).unwrap_or_default()
    );
    let Some(stuck) = stuck else {
        return ExitCode::SUCCESS;
    };
    eprintln!(
        "stepfn run: the execution can never end, so it was stopped: every branch waits on a \
         task nothing here can answer, and no timer will wake it"
    );
    for task in stuck.waiting {
        eprintln!("  {task}");
    }
    eprintln!(
        "A TimeoutSeconds or HeartbeatSeconds on the state ends the wait, and --mock-config \
         can answer it."
    );
    ExitCode::FAILURE
}
