//! `stepfn emit KIND FILE` and `stepfn graph FILE`: what deploys and documents a definition.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use indexmap::IndexMap;
use serde_json::Value;
use stepfn_codegen::emit::deploy::{self, Binding, DeployOptions, LogLevel};
use stepfn_codegen::emit::{graph, iam};
use stepfn_codegen::{emit, MachineType, StateMachine};

/// What `emit` writes.
#[derive(Clone, Copy, ValueEnum)]
pub enum EmitKind {
    /// The definition.
    Asl,
    /// An AWS::StepFunctions::StateMachine template with its execution role.
    Cloudformation,
    /// An AWS::Serverless::StateMachine template.
    Sam,
    /// A CDK construct (TypeScript) loading the ASL file.
    Cdk,
    /// The execution role's policy document.
    Iam,
    /// JSON Schema of a workflow's payloads (Rust workflows only).
    Schema,
    /// The state graph as a Mermaid flowchart.
    Mermaid,
    /// The state graph in Graphviz DOT.
    Dot,
}

/// Output syntax for JSON-shaped artefacts.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Syntax {
    Json,
    Yaml,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Level {
    All,
    Error,
    Fatal,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum MachineKind {
    Standard,
    Express,
}

#[derive(Args)]
pub struct EmitArgs {
    /// What to write.
    #[arg(value_enum)]
    kind: EmitKind,
    /// The definition (JSON or YAML).
    file: PathBuf,
    /// JSON or YAML (asl, cloudformation, sam, iam).
    #[arg(long, value_enum, default_value_t = Syntax::Json)]
    format: Syntax,
    /// One-line JSON.
    #[arg(long)]
    compact: bool,
    /// STANDARD or EXPRESS (the definition is checked against its rules).
    #[arg(long = "type", value_enum, default_value_t = MachineKind::Standard)]
    machine_type: MachineKind,
    /// The state machine's logical ID in the template.
    #[arg(long, default_value = "StateMachine")]
    id: String,
    /// StateMachineName.
    #[arg(long)]
    name: Option<String>,
    /// Log to a log group the template creates, at this level.
    #[arg(long, value_enum)]
    logging: Option<Level>,
    /// Turn on X-Ray tracing.
    #[arg(long)]
    tracing: bool,
    /// Bind a ${PLACEHOLDER} to a template resource: NAME=LogicalId (Ref) or
    /// NAME=LogicalId.Attribute (GetAtt). Unbound placeholders become Parameters.
    #[arg(long = "bind", value_name = "NAME=RESOURCE")]
    bindings: Vec<String>,
    /// For cdk: write NAME.asl.json and NAME.ts into this folder instead of printing.
    #[arg(long)]
    out_dir: Option<PathBuf>,
}

#[derive(Args)]
pub struct GraphArgs {
    /// The definition (JSON or YAML).
    file: PathBuf,
    /// mermaid, dot or svg.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    format: GraphFormat,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
    Svg,
}

/// Exit 2 with the message: bad usage or a definition that cannot be emitted.
fn refuse(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("{message}");
    ExitCode::from(2)
}

fn load(path: &Path) -> Result<StateMachine, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read the file: {e}", path.display()))?;
    let parsed = if crate::source::is_yaml(path) {
        crate::source::yaml_value(&text).and_then(|v| stepfn_codegen::parse::from_value(&v))
    } else {
        stepfn_codegen::parse::load_json(&text)
            .map_err(|p| stepfn_codegen::Problems(vec![p]))
            .and_then(|(v, _)| stepfn_codegen::parse::from_value(&v))
    };
    parsed.map_err(|problems| {
        problems
            .iter()
            .map(|p| format!("{}: {}: {}", path.display(), p.location(), p.message))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn print_value(value: &Value, format: Syntax, compact: bool) -> Result<(), String> {
    match format {
        Syntax::Yaml => {
            let text =
                serde_norway::to_string(value).map_err(|e| format!("cannot write YAML: {e}"))?;
            print!("{text}");
        }
        Syntax::Json if compact => println!("{value}"),
        Syntax::Json => println!(
            "{}",
            serde_json::to_string_pretty(value).map_err(|e| e.to_string())?
        ),
    }
    Ok(())
}

fn options(args: &EmitArgs) -> Result<DeployOptions, String> {
    let mut bindings = IndexMap::new();
    for b in &args.bindings {
        let (name, resource) = b
            .split_once('=')
            .ok_or_else(|| format!("--bind {b}: expected NAME=RESOURCE"))?;
        bindings.insert(name.to_string(), Binding::parse(resource));
    }
    Ok({
        let mut deploy = DeployOptions::new()
            .with_logical_id(args.id.clone())
            .with_machine_type(match args.machine_type {
                MachineKind::Standard => MachineType::Standard,
                MachineKind::Express => MachineType::Express,
            })
            .with_tracing(args.tracing)
            .with_bindings(bindings);
        deploy.name = args.name.clone();
        deploy.logging = args.logging.map(|l| match l {
            Level::All => LogLevel::All,
            Level::Error => LogLevel::Error,
            Level::Fatal => LogLevel::Fatal,
        });
        deploy
    })
}

pub fn emit_command(args: EmitArgs) -> ExitCode {
    let machine = match load(&args.file) {
        Ok(m) => m,
        Err(e) => return refuse(e),
    };
    let options = match options(&args) {
        Ok(o) => o,
        Err(e) => return refuse(e),
    };
    let result: Result<(), String> = (|| {
        match args.kind {
        EmitKind::Asl => {
            let problems = stepfn_codegen::validate(
                &machine,
                &stepfn_codegen::CheckOptions::new().with_machine_type(options.machine_type),
            );
            if !problems.is_empty() {
                return Err(stepfn_codegen::Problems(problems).to_string());
            }
            print_value(&emit::to_value(&machine), args.format, args.compact)
        }
        EmitKind::Cloudformation => {
            let t = deploy::cloudformation(&machine, &options).map_err(|e| e.to_string())?;
            print_value(&t, args.format, args.compact)
        }
        EmitKind::Sam => {
            let t = deploy::sam(&machine, &options).map_err(|e| e.to_string())?;
            print_value(&t, args.format, args.compact)
        }
        EmitKind::Iam => {
            let permissions = iam::permissions(
                &machine,
                &{
                    let mut role = iam::RoleOptions::new()
                        .with_logging(options.logging.is_some())
                        .with_tracing(options.tracing);
                    role.state_machine_name = options.name.clone();
                    role
                },
            )
            .map_err(|e| e.to_string())?;
            print_value(&iam::policy_document(&permissions), args.format, args.compact)
        }
        EmitKind::Cdk => {
            let stem = asl_stem(&args.file);
            let asl_file = format!("{stem}.asl.json");
            let (asl, ts) =
                deploy::cdk(&machine, &options, &asl_file).map_err(|e| e.to_string())?;
            match &args.out_dir {
                Some(dir) => {
                    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
                    std::fs::write(dir.join(&asl_file), asl).map_err(|e| e.to_string())?;
                    let ts_file = dir.join(format!("{stem}.ts"));
                    std::fs::write(&ts_file, ts).map_err(|e| e.to_string())?;
                    println!("{}", dir.join(&asl_file).display());
                    println!("{}", ts_file.display());
                }
                None => print!("{ts}"),
            }
            Ok(())
        }
        EmitKind::Schema => Err(
            "JSON Schema comes from the Rust types of a workflow: call `stepfn::Workflow::schemas()` on a workflow! type; an ASL file has no types".into(),
        ),
        EmitKind::Mermaid => {
            print!("{}", graph::mermaid(&machine));
            Ok(())
        }
        EmitKind::Dot => {
            print!("{}", graph::dot(&machine));
            Ok(())
        }
    }
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => refuse(e),
    }
}

/// `orders.asl.json` -> `orders`.
fn asl_stem(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "state-machine".into());
    for suffix in [
        ".asl.json",
        ".asl.yaml",
        ".asl.yml",
        ".json",
        ".yaml",
        ".yml",
    ] {
        if let Some(stem) = name.strip_suffix(suffix) {
            return stem.to_string();
        }
    }
    name
}

pub fn graph_command(args: GraphArgs) -> ExitCode {
    let machine = match load(&args.file) {
        Ok(m) => m,
        Err(e) => return refuse(e),
    };
    let text = match args.format {
        GraphFormat::Mermaid => graph::mermaid(&machine),
        GraphFormat::Dot => graph::dot(&machine),
        GraphFormat::Svg => graph::svg(&machine),
    };
    print!("{text}");
    ExitCode::SUCCESS
}
