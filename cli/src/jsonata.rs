//! `stepfn jsonata EXPR [--input FILE] [--bindings JSON]`: evaluate one expression, as an
//! aid for writing the `{% %}` expressions of a definition.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use stepfn_codegen::jsonata::{Bindings, Expression, Limits};

/// Arguments of `stepfn jsonata`.
#[derive(Args)]
pub struct JsonataArgs {
    /// The expression (without `{% %}`).
    expression: String,
    /// A JSON file to evaluate against (none: the input is undefined).
    #[arg(long)]
    input: Option<PathBuf>,
    /// Variables as a JSON object: `{"states": {"input": {...}}}` binds `$states`.
    #[arg(long)]
    bindings: Option<String>,
}

/// Prints the result as JSON (nothing when undefined); exit 1 with `CODE: message` when the
/// expression fails, 2 for bad usage.
pub fn run(args: JsonataArgs) -> ExitCode {
    let usage = |message: String| {
        eprintln!("stepfn jsonata: {message}");
        ExitCode::from(2)
    };
    let input = match &args.input {
        None => None,
        Some(path) => {
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => return usage(format!("{}: {e}", path.display())),
            };
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(v) => Some(v),
                Err(e) => return usage(format!("{}: not JSON: {e}", path.display())),
            }
        }
    };
    let bindings: Bindings = match &args.bindings {
        None => Bindings::new(),
        Some(text) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(o)) => o.into_iter().collect(),
            Ok(_) => return usage("--bindings must be a JSON object".into()),
            Err(e) => return usage(format!("--bindings: not JSON: {e}")),
        },
    };
    let result = Expression::parse(&args.expression)
        .and_then(|e| e.evaluate_with(input.as_ref(), &bindings, Limits::default()));
    match result {
        Ok(Some(value)) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Ok(None) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {}", e.code, e.message);
            ExitCode::from(1)
        }
    }
}
