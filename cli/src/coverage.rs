//! `stepfn coverage DIR [--min P] [--mermaid DIR]`: the workflow coverage that test runs
//! recorded in `DIR` (with `STEPFN_COVERAGE_DIR=DIR cargo test`), per workflow.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use stepfn::testing::Coverage;

/// Arguments of `stepfn coverage`.
#[derive(Args)]
pub struct CoverageArgs {
    /// The directory the test runs recorded into (`STEPFN_COVERAGE_DIR`).
    dir: PathBuf,
    /// Exit 1 when a workflow's coverage is below this percentage.
    #[arg(long)]
    min: Option<f64>,
    /// Also write each workflow's graph, untested states and transitions in red, as
    /// `NAME.coverage.mmd` in this directory.
    #[arg(long)]
    mermaid: Option<PathBuf>,
}

/// Prints each workflow's table; exit 1 below `--min`, 2 when nothing can be read.
pub fn run(args: CoverageArgs) -> ExitCode {
    let all = match Coverage::load_all(&args.dir) {
        Ok(all) if !all.is_empty() => all,
        Ok(_) => {
            eprintln!(
                "stepfn coverage: no workflow recorded in {} (run the tests with STEPFN_COVERAGE_DIR={})",
                args.dir.display(),
                args.dir.display()
            );
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("stepfn coverage: {e}");
            return ExitCode::from(2);
        }
    };
    let below = match print_reports(&all, args.min, args.mermaid.as_deref(), "stepfn coverage") {
        Ok(below) => below,
        Err(code) => return code,
    };
    if below.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "stepfn coverage: below {}%: {}",
            args.min.unwrap_or_default(),
            below.join(", ")
        );
        ExitCode::FAILURE
    }
}

/// Prints each coverage's table and writes its graph into `mermaid` when given; the
/// workflows below `min`, as `NAME (P%)`, or exit 2 when a graph cannot be written.
pub fn print_reports(
    all: &[Coverage],
    min: Option<f64>,
    mermaid: Option<&std::path::Path>,
    command: &str,
) -> Result<Vec<String>, ExitCode> {
    let mut below = Vec::new();
    for coverage in all {
        let report = coverage.report();
        println!("{}", report.table());
        if let Some(dir) = mermaid {
            let path = dir.join(format!("{}.coverage.mmd", coverage.name()));
            let written =
                std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, report.mermaid()));
            if let Err(e) = written {
                eprintln!("{command}: cannot write {}: {e}", path.display());
                return Err(ExitCode::from(2));
            }
        }
        if min.is_some_and(|min| report.percent() + 1e-9 < min) {
            below.push(format!("{} ({:.1}%)", coverage.name(), report.percent()));
        }
    }
    Ok(below)
}
