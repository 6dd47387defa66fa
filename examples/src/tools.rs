//! The deploy tools others trust, run on what stepfn emits: cfn-lint on templates,
//! asl-validator on definitions, aws-cdk-lib to synthesise a CDK app. `scripts/install-deploy-tools`
//! installs them into `.tools/` (or `$STEPFN_TOOLS`); a missing tool fails the test that needs
//! it, never skips it.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use stepfn::emit::deploy::{self, DeployOptions, LogLevel};
use stepfn::{StateMachine, Workflow};

/// Where the tools are.
pub struct Tools {
    root: PathBuf,
}

impl Tools {
    /// The installed tools; panics, saying how to install them, when they are missing.
    pub fn find() -> Tools {
        let root = std::env::var_os("STEPFN_TOOLS")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools"));
        let tools = Tools { root };
        for tool in [
            tools.cfn_lint_path(),
            tools.bin("asl-validator"),
            tools.bin("tsc"),
        ] {
            assert!(
                tool.exists(),
                "{} is missing: run ./scripts/install-deploy-tools (./scripts/test does)",
                tool.display()
            );
        }
        tools
    }

    fn cfn_lint_path(&self) -> PathBuf {
        self.root.join("py/bin/cfn-lint")
    }

    fn bin(&self, name: &str) -> PathBuf {
        self.root.join("node/node_modules/.bin").join(name)
    }

    /// cfn-lint on `templates`: Ok when it reports nothing at all.
    pub fn cfn_lint(&self, templates: &[PathBuf]) -> Result<(), String> {
        let out = Command::new("python3")
            .arg(self.cfn_lint_path())
            .args(templates)
            .env("PYTHONPATH", self.root.join("py"))
            .output()
            .map_err(|e| format!("cannot run cfn-lint: {e}"))?;
        if out.status.success() && out.stdout.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "cfn-lint ({}):\n{}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// asl-validator on each definition: the files it rejects, with its messages.
    pub fn asl_validator(&self, definitions: &[PathBuf]) -> Result<(), String> {
        let mut command = Command::new(self.bin("asl-validator"));
        for d in definitions {
            command.arg("--json-path").arg(d);
        }
        let out = command
            .output()
            .map_err(|e| format!("cannot run asl-validator: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let lines: Vec<&str> = text.lines().collect();
            let mut report = Vec::new();
            for (i, line) in lines.iter().enumerate() {
                if line.contains('✕') {
                    report.push(line.to_string());
                    report.extend(
                        lines[i + 1..]
                            .iter()
                            .take_while(|l| {
                                l.contains("SCHEMA_VALIDATION_FAILED") || l.trim().is_empty()
                            })
                            .map(|l| l.to_string()),
                    );
                }
            }
            Err(format!(
                "asl-validator ({}):\n{}",
                out.status,
                report.join("\n")
            ))
        }
    }

    /// Compiles `app_ts` (TypeScript) with the files in `dir` and runs it with aws-cdk-lib; the
    /// synthesised template of `stack`.
    pub fn cdk_synth(&self, dir: &Path, app_ts: &str, stack: &str) -> Result<Value, String> {
        let node_modules = self.root.join("node/node_modules");
        let link = dir.join("node_modules");
        if !link.exists() {
            std::os::unix::fs::symlink(&node_modules, &link).map_err(|e| e.to_string())?;
        }
        std::fs::write(dir.join("app.ts"), app_ts).map_err(|e| e.to_string())?;
        let sources: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "ts"))
            .collect();
        let out = Command::new(self.bin("tsc"))
            .current_dir(dir)
            .args([
                "--module",
                "commonjs",
                "--target",
                "es2020",
                "--esModuleInterop",
                "--skipLibCheck",
                "--strict",
                "--types",
                "node",
                "--outDir",
                "out",
            ])
            .args(&sources)
            .output()
            .map_err(|e| format!("cannot run tsc: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "tsc ({}):\n{}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())?.flatten() {
            let path = entry.path();
            if path.to_string_lossy().ends_with(".asl.json") {
                std::fs::copy(&path, dir.join("out").join(entry.file_name()))
                    .map_err(|e| e.to_string())?;
            }
        }
        let cdk_out = dir.join("cdk.out");
        let out = Command::new("node")
            .current_dir(dir.join("out"))
            .arg("app.js")
            .env("CDK_OUT", &cdk_out)
            .output()
            .map_err(|e| format!("cannot run node: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "the CDK app failed ({}):\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let template = std::fs::read_to_string(cdk_out.join(format!("{stack}.template.json")))
            .map_err(|e| format!("no synthesised template: {e}"))?;
        serde_json::from_str(&template).map_err(|e| e.to_string())
    }
}

/// A fresh scratch folder for one check.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stepfn-deploy-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// Writes the ASL, CloudFormation (JSON; YAML with logging and tracing) and SAM of `machine`
/// into `dir`; the definition and template paths.
pub fn write_artefacts(
    machine: &StateMachine,
    dir: &Path,
    name: &str,
) -> Result<(PathBuf, Vec<PathBuf>), String> {
    let asl = dir.join(format!("{name}.asl.json"));
    std::fs::write(&asl, stepfn::emit::to_string_pretty(machine)).map_err(|e| e.to_string())?;
    let plain = DeployOptions::default();
    let observed = DeployOptions::new()
        .with_logging(LogLevel::All)
        .with_tracing(true);
    let mut templates = Vec::new();
    let cfn = deploy::cloudformation(machine, &plain).map_err(|e| e.to_string())?;
    let path = dir.join(format!("{name}.cfn.json"));
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&cfn).unwrap_or_default(),
    )
    .map_err(|e| e.to_string())?;
    templates.push(path);
    let cfn = deploy::cloudformation(machine, &observed).map_err(|e| e.to_string())?;
    let path = dir.join(format!("{name}.cfn.yaml"));
    std::fs::write(
        &path,
        serde_norway::to_string(&cfn).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    templates.push(path);
    let sam = deploy::sam(machine, &observed).map_err(|e| e.to_string())?;
    let path = dir.join(format!("{name}.sam.yaml"));
    std::fs::write(
        &path,
        serde_norway::to_string(&sam).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    templates.push(path);
    Ok((asl, templates))
}

/// What each example's test checks about deploying it: its ASL passes asl-validator, its
/// CloudFormation and SAM templates pass cfn-lint with nothing to report.
pub fn check_deploy<W: Workflow>(name: &str) {
    let tools = Tools::find();
    let dir = scratch(name);
    let (asl, templates) = write_artefacts(W::definition(), &dir, name).unwrap();
    tools.asl_validator(&[asl]).unwrap();
    tools.cfn_lint(&templates).unwrap();
    let _ = std::fs::remove_dir_all(dir);
}
