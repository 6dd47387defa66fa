//! `stepfn bench DIR WORKLOAD [--reps N]`: one workload of a bench directory
//! (`W.asl.json`, `W.input.json`, `meta.json`), run as the peer driver runs it: Task states named
//! `Work` answered by a handler returning `{...input, "done": true}`, the output checked, full
//! history recorded, the real clock, one thread. Prints one JSON line.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use serde_json::{json, Value};
use stepfn::exec::{ExecutionOptions, ExecutionStatus, Executor};
use stepfn::tasks::{DataTaskResult, TaskRegistry, TaskRequest};
use stepfn::Data;

#[derive(Args)]
pub struct BenchArgs {
    /// The bench directory.
    dir: PathBuf,
    /// The workload (file stem).
    workload: String,
    /// Executions, one after the other (default: the peer driver's).
    #[arg(long)]
    reps: Option<u64>,
}

fn default_reps(workload: &str) -> u64 {
    match workload {
        "pass_chain" => 100,
        "parallel_nested" => 50,
        "many_executions" => 10_000,
        "payload" => 20,
        _ => 1,
    }
}

/// The same checks the peer driver makes on an output.
fn check(workload: &str, output: &Data, input: &Data, meta: &Value) -> Result<(), String> {
    let ok = match workload {
        "pass_chain" => {
            output["last"]["step"].as_u64()
                == meta["pass_chain"]["transitions_per_execution"]
                    .as_u64()
                    .map(|n| n - 1)
        }
        "choice_loop" => output["i"] == input["n"],
        "intrinsics" => {
            output["i"] == input["n"] && output["msg"].is_string() && output["parts"].is_array()
        }
        "map_fanout" => {
            output.as_array().map(Vec::len) == input["items"].as_array().map(Vec::len)
                && output[5].as_i64() == Some(5)
        }
        "parallel_nested" => {
            output.as_array().map(Vec::len) == Some(10)
                && output[9].as_array().map(Vec::len) == input["items"].as_array().map(Vec::len)
                && output[9][3]["branch"].as_i64() == Some(9)
        }
        "many_executions" => output["band"] == "low" && output["done"].as_bool() == Some(true),
        "payload" => {
            output["acc"].as_object().map(|o| o.len() as u64)
                == meta["payload"]["transitions_per_execution"].as_u64()
        }
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("bad {workload} output: {output}"))
    }
}

/// Peak resident memory of this process, from /proc (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some((kib / 1024.0 * 10.0).round() / 10.0)
}

/// `{...input, "done": true}`: the input's members are shared, not copied (as JavaScript's
/// spread copies references).
fn work_handler(request: TaskRequest<Data>) -> std::future::Ready<DataTaskResult> {
    let mut output = request.input;
    if let Some(members) = output.object_mut() {
        members.insert("done".into(), Data::Bool(true));
    }
    std::future::ready(Ok(output))
}

pub fn bench(args: BenchArgs) -> ExitCode {
    match run(args) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: BenchArgs) -> Result<Value, String> {
    let read = |name: String| -> Result<String, String> {
        std::fs::read_to_string(args.dir.join(&name))
            .map_err(|e| format!("{}: {e}", args.dir.join(&name).display()))
    };
    let meta: Value =
        serde_json::from_str(&read("meta.json".into())?).map_err(|e| e.to_string())?;
    let text = read(format!("{}.asl.json", args.workload))?;
    // Parsed once, shared by every execution (as a server keeps a request's input): each
    // execution's copy costs nothing until a state changes it.
    let input: Data = serde_json::from_str(&read(format!("{}.input.json", args.workload))?)
        .map_err(|e| e.to_string())?;
    let reps = args.reps.unwrap_or_else(|| default_reps(&args.workload));
    let per_execution = meta[&args.workload]["transitions_per_execution"]
        .as_u64()
        .ok_or_else(|| format!("meta.json has no {}", args.workload))?;
    let compile_start = Instant::now();
    let machine = stepfn::check(&text, &Default::default()).map_err(|p| p.to_string())?;
    let executor = Executor::new(machine);
    let compile_s = compile_start.elapsed().as_secs_f64();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(|e| e.to_string())?;
    let tasks = TaskRegistry::new().on_state_data("Work", work_handler);
    let start = Instant::now();
    runtime.block_on(async {
        for r in 0..reps {
            let execution_input = if args.workload == "many_executions" {
                // {"id": r, "v": r % 50}, made as the peer's driver makes it: one object.
                let mut members = stepfn::data::Object::with_capacity(2);
                members.insert("id".into(), r.into());
                members.insert("v".into(), (r % 50).into());
                Data::object(members)
            } else {
                input.clone()
            };
            let outcome = executor
                .run_data(
                    execution_input,
                    ExecutionOptions::new()
                        .with_tasks(tasks.clone())
                        .with_record_history(true),
                )
                .await;
            if outcome.status != ExecutionStatus::Succeeded {
                return Err(format!(
                    "{} ended {:?}: {:?} {:?}",
                    args.workload, outcome.status, outcome.error, outcome.cause
                ));
            }
            if r == 0 || r == reps - 1 {
                check(
                    &args.workload,
                    outcome.output.as_ref().unwrap_or(&Data::Null),
                    &input,
                    &meta,
                )?;
            }
        }
        Ok(())
    })?;
    let exec_s = start.elapsed().as_secs_f64();
    let transitions = per_execution * reps;
    Ok(json!({
        "engine": "stepfn",
        "workload": args.workload,
        "reps": reps,
        "transitions": transitions,
        "compile_s": (compile_s * 10_000.0).round() / 10_000.0,
        "exec_s": (exec_s * 10_000.0).round() / 10_000.0,
        "transitions_per_s": (transitions as f64 / exec_s).round(),
        "peak_rss_mib": peak_rss_mib(),
    }))
}
