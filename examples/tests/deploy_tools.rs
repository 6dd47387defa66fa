//! What stepfn emits, checked by the tools people deploy with: cfn-lint and asl-validator on
//! the examples' ASL files and on a sample of the definitions AWS ran
//! (`../shared/conformance/executions`, every fifth), and a CDK app that loads an emitted ASL
//! file with `DefinitionBody.fromFile` and synthesises.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use stepfn::emit::deploy::{self, DeployOptions};
use stepfn_examples::tools::{scratch, write_artefacts, Tools};

fn shared() -> PathBuf {
    let root = std::env::var_os("STEPFN_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    assert!(
        root.join("conformance").exists(),
        "the conformance corpus is missing at {}",
        root.display()
    );
    root.join("conformance")
}

/// Definitions where a tool disagrees with AWS (AWS ran them), with the reason.
fn tool_gaps() -> HashMap<String, String> {
    include_str!("deploy-tool-gaps.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (file, why) = l.split_once(" # ").unwrap_or((l, ""));
            (file.trim().to_string(), why.trim().to_string())
        })
        .collect()
}

fn load(path: &Path) -> stepfn::StateMachine {
    let text = std::fs::read_to_string(path).unwrap();
    stepfn::check(&text, &Default::default()).unwrap_or_else(|p| panic!("{}: {p}", path.display()))
}

#[test]
fn the_example_definitions_pass_cfn_lint_and_asl_validator() {
    let tools = Tools::find();
    let dir = scratch("asl-examples");
    let mut definitions = Vec::new();
    let mut templates = Vec::new();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(examples).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".asl.json") else {
            continue;
        };
        let (asl, t) = write_artefacts(&load(&entry.path()), &dir, stem).unwrap();
        definitions.push(asl);
        templates.extend(t);
    }
    assert_eq!(definitions.len(), 6, "the six example definitions");
    tools.asl_validator(&definitions).unwrap();
    tools.cfn_lint(&templates).unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_sample_of_what_aws_ran_passes_cfn_lint_and_asl_validator() {
    let tools = Tools::find();
    let root = shared().join("executions");
    let index: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(root.join("INDEX.json")).unwrap()).unwrap();
    let gaps = tool_gaps();
    let dir = scratch("asl-sample");
    let (mut definitions, mut templates) = (Vec::new(), Vec::new());
    let mut refused = Vec::new();
    let mut sampled = 0;
    for entry in index.iter().step_by(5) {
        let file = entry["file"].as_str().unwrap();
        if gaps.contains_key(file) {
            continue;
        }
        let case: Value =
            serde_json::from_str(&std::fs::read_to_string(root.join(file)).unwrap()).unwrap();
        let machine = match stepfn::check_value(&case["definition"], &Default::default()) {
            Ok(m) => m,
            Err(p) => panic!("{file}: {p}"),
        };
        sampled += 1;
        let stem = file.trim_end_matches(".json").replace('/', "__");
        match write_artefacts(&machine, &dir, &stem) {
            Ok((asl, t)) => {
                definitions.push(asl);
                // One template per definition keeps the run short; the variants are linted
                // on the examples.
                templates.push(t[0].clone());
            }
            Err(e) => refused.push(format!("{file}: {e}")),
        }
    }
    assert!(sampled > 200, "sampled {sampled}");
    assert!(refused.is_empty(), "refused:\n{}", refused.join("\n"));
    tools.asl_validator(&definitions).unwrap();
    tools.cfn_lint(&templates).unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_cdk_app_loads_the_emitted_asl_file_and_synthesises() {
    let tools = Tools::find();
    let dir = scratch("cdk");
    let machine = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("ecommerce.asl.json"));
    let options = DeployOptions {
        logical_id: "ECommerce".into(),
        tracing: true,
        ..Default::default()
    };
    let (asl, ts) = deploy::cdk(&machine, &options, "ecommerce.asl.json").unwrap();
    std::fs::write(dir.join("ecommerce.asl.json"), asl).unwrap();
    std::fs::write(dir.join("ecommerce.ts"), ts).unwrap();
    let app = r#"import * as cdk from 'aws-cdk-lib';
import { ECommerce } from './ecommerce';

const app = new cdk.App({ outdir: process.env.CDK_OUT });
const stack = new cdk.Stack(app, 'Checkout');
new ECommerce(stack, 'Machine', {
  validatePaymentFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:validate',
  updateInventoryFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:inventory',
  customerTopicArn: 'arn:aws:sns:eu-west-1:123456789012:customers',
  shipFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:ship',
  refundFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:refund',
});
app.synth();
"#;
    let template = tools.cdk_synth(&dir, app, "Checkout").unwrap();
    let resources = template["Resources"].as_object().unwrap();
    let machine = resources
        .values()
        .find(|r| r["Type"] == "AWS::StepFunctions::StateMachine")
        .expect("a state machine");
    assert!(
        machine["Properties"]["DefinitionS3Location"].is_object(),
        "fromFile publishes the ASL as an asset: {machine}"
    );
    assert_eq!(
        machine["Properties"]["DefinitionSubstitutions"]["ShipFunctionArn"],
        "arn:aws:lambda:eu-west-1:123456789012:function:ship"
    );
    let policy = resources
        .values()
        .find(|r| r["Type"] == "AWS::IAM::Policy")
        .expect("the derived permissions");
    let text = policy.to_string();
    assert!(
        text.contains("lambda:InvokeFunction") && text.contains("sns:Publish"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
