//! `stepfn`: check, format and run AWS Step Functions definitions from the command line.

mod aws_args;
mod bench;
mod coverage;
mod deploy;
mod jsonata;
mod run;
mod serve;
mod source;
mod test;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

// Executions allocate many small JSON values; mimalloc serves them several times faster than
// the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use serde_json::Value;
use source::{file_problem, is_yaml, read, yaml_value};
use stepfn_codegen::{check, check_value, emit, parse, CheckOptions, MachineType, Problems};

#[derive(Parser)]
#[command(
    name = "stepfn",
    version,
    about = "Write, check, run and deploy AWS Step Functions workflows"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check ASL definitions (JSON or YAML) against the rules AWS enforces.
    Validate {
        /// Definition files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// How to print problems.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Check the rules of this kind of state machine.
        #[arg(long = "type", value_enum, default_value_t = Kind::Standard)]
        kind: Kind,
    },
    /// Rewrite definitions in canonical form: fields in ASL order, two-space indent.
    Fmt {
        /// Definition files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Change nothing; exit 1 when a file is not in canonical form.
        #[arg(long)]
        check: bool,
    },
    /// Run a definition locally and print {"status", "output", "error", "cause"}.
    ///
    /// Exits 0 when the execution ran, whatever its status; 1 when it could never end (every
    /// branch waiting on a task token or an activity that nothing answers, with no timer left
    /// to wake it: it is stopped, and the waiting states and tokens are named); 2 for bad
    /// usage or an invalid definition.
    Run(run::RunArgs),
    /// Evaluate a JSONata expression and print its result as JSON.
    ///
    /// Prints nothing when the result is undefined; exits 1 with the error code and message
    /// when evaluation fails.
    Jsonata(jsonata::JsonataArgs),
    /// Write what deploys or documents a definition: asl, cloudformation, sam, cdk, iam,
    /// mermaid, dot. Exits 2 when the definition cannot be emitted, saying where.
    Emit(deploy::EmitArgs),
    /// Print the state graph: mermaid, dot, or svg (laid out here, no tools needed).
    Graph(deploy::GraphArgs),
    /// Run a benchmark workload (W.asl.json, W.input.json, meta.json) and print one JSON line
    /// with transitions per second and peak memory.
    Bench(bench::BenchArgs),
    /// Serve the AWS Step Functions API on localhost (127.0.0.1:8083), for the AWS CLI and
    /// SDKs. Stops on SIGTERM or Ctrl-C; Standard executions kept with --db resume on the next
    /// start.
    Serve(serve::ServeArgs),
    /// Report the workflow coverage test runs recorded (`STEPFN_COVERAGE_DIR=DIR cargo
    /// test`): states, transitions, retriers and catchers exercised, per workflow. Exits 1
    /// below `--min`, 2 when nothing was recorded.
    Coverage(coverage::CoverageArgs),
    /// Run the test cases of ASL definitions (`*.test.json`: definition, input, mocks,
    /// expected status, output, error and path) on a virtual clock, then report each
    /// definition's coverage. Exits 1 when a case fails or coverage is below `--min`.
    Test(test::TestArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    Standard,
    Express,
}

/// mimalloc's `mi_option_purge_delay` (the same place in the option enum of its v2 and v3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Profiled: a third of the time of repeated executions went to the kernel zeroing pages.
    // mimalloc handed freed memory back to the OS after 10 ms, so an execution following
    // another faulted it all in again; memory unused for a second is still given back. (Its
    // arenas are built without transparent huge pages, the `no_thp` feature: touching one byte
    // of a huge page commits and zeroes 2 MiB.)
    // SAFETY: sets a plain integer option before any thread but this one exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 1000) };
    let cli = Cli::parse();
    let ok = match cli.command {
        Command::Run(args) => return run::run(args),
        Command::Jsonata(args) => return jsonata::run(args),
        Command::Emit(args) => return deploy::emit_command(args),
        Command::Graph(args) => return deploy::graph_command(args),
        Command::Bench(args) => return bench::bench(args),
        Command::Serve(args) => return serve::serve(args),
        Command::Coverage(args) => return coverage::run(args),
        Command::Test(args) => return test::run(args),
        Command::Validate {
            files,
            format,
            kind,
        } => validate(&files, format, kind),
        Command::Fmt { files, check } => fmt(&files, check),
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn check_file(path: &Path, options: &CheckOptions) -> Result<(), Problems> {
    let text = read(path)?;
    if is_yaml(path) {
        check_value(&yaml_value(&text)?, options).map(drop)
    } else {
        check(&text, options).map(drop)
    }
}

fn validate(files: &[PathBuf], format: Format, kind: Kind) -> bool {
    let options = CheckOptions::new().with_machine_type(if matches!(kind, Kind::Express) {
        MachineType::Express
    } else {
        MachineType::Standard
    });
    let mut all_ok = true;
    let mut report = Vec::new();
    for file in files {
        if let Err(problems) = check_file(file, &options) {
            all_ok = false;
            for p in problems {
                match format {
                    Format::Text => println!("{}: {}: {}", file.display(), p.location(), p.message),
                    Format::Json => report.push(serde_json::json!({
                        "file": file.display().to_string(),
                        "path": p.location(),
                        "code": p.code.as_str(),
                        "message": p.message,
                    })),
                }
            }
        }
    }
    if matches!(format, Format::Json) {
        println!("{}", Value::Array(report));
    }
    all_ok
}

fn formatted(path: &Path, text: &str) -> Result<String, Problems> {
    let value = if is_yaml(path) {
        yaml_value(text)?
    } else {
        parse::load_json(text).map_err(|p| Problems(vec![p]))?.0
    };
    let machine = parse::from_value(&value)?;
    if is_yaml(path) {
        serde_norway::to_string(&emit::to_value(&machine))
            .map_err(|e| file_problem(format!("cannot write YAML: {e}")))
    } else {
        Ok(emit::to_string_pretty(&machine))
    }
}

fn fmt(files: &[PathBuf], check_only: bool) -> bool {
    let mut all_ok = true;
    for file in files {
        let result = read(file).and_then(|text| formatted(file, &text).map(|out| (text, out)));
        match result {
            Err(problems) => {
                all_ok = false;
                for p in problems {
                    eprintln!("{}: {}: {}", file.display(), p.location(), p.message);
                }
            }
            Ok((text, out)) if text != out => {
                if check_only {
                    all_ok = false;
                    println!(
                        "{}: not in canonical form (run `stepfn fmt {}`)",
                        file.display(),
                        file.display()
                    );
                } else if let Err(e) = std::fs::write(file, out) {
                    all_ok = false;
                    eprintln!("{}: cannot write the file: {e}", file.display());
                }
            }
            Ok(_) => {}
        }
    }
    all_ok
}
