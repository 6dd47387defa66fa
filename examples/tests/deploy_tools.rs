//! What stepfn emits, checked by the tools people deploy with: cfn-lint and asl-validator on
//! the examples' ASL files and on a sample of the definitions AWS ran
//! (`../shared/conformance/executions`: every fifth, and for cfn-lint every JSONata definition
//! too), and a CDK app that loads an emitted ASL file with `DefinitionBody.fromFile` and
//! synthesises.

use std::path::{Path, PathBuf};

use serde_json::Value;
use stepfn::emit::deploy::{self, DeployOptions};
use stepfn_examples::tools::{scratch, write_artefacts, Tools};
use stepfn_testkit::SkipList;

fn shared() -> PathBuf {
    stepfn_testkit::conformance()
}

/// Definitions where a tool disagrees with AWS (AWS ran them), with the reason.
fn tool_gaps() -> SkipList {
    SkipList::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/deploy-tool-gaps.txt"))
        .unwrap()
}

/// Whether a definition, or one of its states, sets `"QueryLanguage": "JSONata"`.
fn uses_jsonata(value: &Value) -> bool {
    match value {
        Value::Object(members) => members
            .iter()
            .any(|(k, v)| (k == "QueryLanguage" && v == "JSONata") || uses_jsonata(v)),
        Value::Array(items) => items.iter().any(uses_jsonata),
        _ => false,
    }
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

/// asl-validator runs on every fifth definition; cfn-lint also on every JSONata one, where its
/// schema of ASL is narrowest (JSONata expressions in numeric fields, lists as Output), and on
/// all three templates of a definition that goes in as a `DefinitionString`.
#[test]
fn a_sample_of_what_aws_ran_passes_cfn_lint_and_asl_validator() {
    let tools = Tools::find();
    let root = shared().join("executions");
    let index: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(root.join("INDEX.json")).unwrap()).unwrap();
    let gaps = tool_gaps();
    // The tools run only on what is not listed, so a listed case is stale only once it is gone.
    gaps.assert_not_stale(index.iter().filter_map(|e| e["file"].as_str()), [""; 0]);
    let dir = scratch("asl-sample");
    let (mut definitions, mut templates) = (Vec::new(), Vec::new());
    let mut refused = Vec::new();
    let (mut every_fifth, mut jsonata, mut as_strings) = (0, 0, 0);
    for (i, entry) in index.iter().enumerate() {
        let file = entry["file"].as_str().unwrap();
        if gaps.contains(file) {
            continue;
        }
        let case: Value =
            serde_json::from_str(&std::fs::read_to_string(root.join(file)).unwrap()).unwrap();
        let fifth = i % 5 == 0;
        let is_jsonata = uses_jsonata(&case["definition"]);
        if !fifth && !is_jsonata {
            continue;
        }
        let machine = match stepfn::check_value(&case["definition"], &Default::default()) {
            Ok(m) => m,
            Err(p) => panic!("{file}: {p}"),
        };
        every_fifth += usize::from(fifth);
        jsonata += usize::from(is_jsonata);
        let stem = file.trim_end_matches(".json").replace('/', "__");
        match write_artefacts(&machine, &dir, &stem) {
            Ok((asl, t)) => {
                if fifth {
                    definitions.push(asl);
                }
                let cfn = std::fs::read_to_string(&t[0]).unwrap();
                if cfn.contains("\"DefinitionString\"") {
                    as_strings += 1;
                    templates.extend(t);
                } else {
                    // One template per definition keeps the run short; the variants are
                    // linted on the examples.
                    templates.push(t[0].clone());
                }
            }
            Err(e) => refused.push(format!("{file}: {e}")),
        }
    }
    let counts = format!(
        "{every_fifth} of every fifth, {jsonata} JSONata, {as_strings} as a DefinitionString"
    );
    assert!(every_fifth > 200 && jsonata > 150, "sampled {counts}");
    assert!(
        as_strings >= 10,
        "the string form is exercised on the corpus: {counts}"
    );
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
    let options = DeployOptions::new()
        .with_logical_id("ECommerce")
        .with_tracing(true);
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
