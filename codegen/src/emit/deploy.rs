//! Templates that deploy a definition: CloudFormation (`AWS::StepFunctions::StateMachine`), SAM
//! (`AWS::Serverless::StateMachine`) and a CDK construct that loads the ASL file.
//!
//! The definition goes in as the `Definition` object when cfn-lint's schema of ASL takes it,
//! else as a `DefinitionString` (see [`cloudformation`]). Every `${Placeholder}` becomes a
//! `DefinitionSubstitutions` entry, bound to a template Parameter or to a resource the caller
//! names; the execution role's policy is derived from the states ([`super::iam`]).

use indexmap::IndexMap;
use serde_json::{json, Map, Value};

mod cfn_lint;

use super::iam::{self, Permission, RoleOptions};
use super::DeployError;
use crate::{validate, CheckOptions, MachineType, Pointer, StateMachine};

/// `LoggingConfiguration.Level`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogLevel {
    /// Every event.
    All,
    /// Errors.
    Error,
    /// Fatal errors only.
    Fatal,
}

impl LogLevel {
    fn as_str(self) -> &'static str {
        match self {
            LogLevel::All => "ALL",
            LogLevel::Error => "ERROR",
            LogLevel::Fatal => "FATAL",
        }
    }
}

/// What a `${Placeholder}` is bound to in the template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Binding {
    /// `{"Ref": "LogicalId"}`.
    Ref(String),
    /// `{"Fn::GetAtt": ["LogicalId", "Attribute"]}`.
    GetAtt(String, String),
}

impl Binding {
    /// `Logical` is a `Ref`, `Logical.Attribute` a `GetAtt`.
    pub fn parse(text: &str) -> Binding {
        match text.split_once('.') {
            Some((id, attribute)) => Binding::GetAtt(id.into(), attribute.into()),
            None => Binding::Ref(text.into()),
        }
    }

    fn to_value(&self) -> Value {
        match self {
            Binding::Ref(id) => json!({"Ref": id}),
            Binding::GetAtt(id, attribute) => json!({"Fn::GetAtt": [id, attribute]}),
        }
    }
}

/// How to deploy.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DeployOptions {
    /// The state machine's logical ID in the template (the role is `<id>Role`).
    pub logical_id: String,
    /// `StateMachineName`, if fixed.
    pub name: Option<String>,
    /// STANDARD or EXPRESS; the definition is checked against its rules.
    pub machine_type: MachineType,
    /// Logging to a log group the template creates.
    pub logging: Option<LogLevel>,
    /// X-Ray tracing.
    pub tracing: bool,
    /// Placeholders bound to resources instead of template Parameters.
    pub bindings: IndexMap<String, Binding>,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            logical_id: "StateMachine".into(),
            name: None,
            machine_type: MachineType::Standard,
            logging: None,
            tracing: false,
            bindings: IndexMap::new(),
        }
    }
}

impl DeployOptions {
    /// The defaults: logical ID `StateMachine`, Standard, no logging, tracing or bindings.
    pub fn new() -> Self {
        Self::default()
    }

    crate::__setters! {
        into with_logical_id(logical_id: String);
        some with_name(name: String);
        set with_machine_type(machine_type: MachineType);
        some with_logging(logging: LogLevel);
        set with_tracing(tracing: bool);
        set with_bindings(bindings: IndexMap<String, Binding>);
    }
}

/// What every template needs: the definition (checked), its placeholders and the permissions.
struct Prepared {
    definition: Value,
    placeholders: Vec<String>,
    permissions: Vec<Permission>,
}

fn prepare(machine: &StateMachine, options: &DeployOptions) -> Result<Prepared, DeployError> {
    let problems = validate(
        machine,
        &CheckOptions {
            machine_type: options.machine_type,
        },
    );
    if !problems.is_empty() {
        return Err(DeployError::Invalid(crate::Problems(problems)));
    }
    if !valid_logical_id(&options.logical_id) {
        return Err(DeployError::Request(format!(
            "the logical ID '{}' must be letters and digits only",
            options.logical_id
        )));
    }
    let definition = super::to_value(machine);
    let placeholders = placeholders(&definition)?;
    for name in options.bindings.keys() {
        if !placeholders.contains(name) {
            return Err(DeployError::Request(format!(
                "'{name}' is bound but the definition has no ${{{name}}} placeholder (it has: {})",
                if placeholders.is_empty() {
                    "none".to_string()
                } else {
                    placeholders.join(", ")
                }
            )));
        }
    }
    for name in &placeholders {
        if !options.bindings.contains_key(name) && !valid_logical_id(name) {
            return Err(DeployError::Request(format!(
                "the placeholder ${{{name}}} cannot become a template Parameter (letters and digits only): bind it to a resource instead"
            )));
        }
    }
    let permissions = iam::permissions(
        machine,
        &RoleOptions {
            logging: options.logging.is_some(),
            tracing: options.tracing,
            state_machine_name: options.name.clone(),
        },
    )?;
    Ok(Prepared {
        definition,
        placeholders,
        permissions,
    })
}

fn valid_logical_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The `${Name}` placeholders of a definition, in order of first use. A malformed one is an
/// error naming where it is.
pub fn placeholders(definition: &Value) -> Result<Vec<String>, DeployError> {
    let mut found = Vec::new();
    walk_strings(definition, &Pointer::root(), &mut |s, at| {
        let mut rest = s;
        while let Some(start) = rest.find("${") {
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                return Err(DeployError::at(
                    at,
                    format!("'{s}' opens a ${{...}} placeholder it does not close"),
                ));
            };
            let name = &after[..end];
            let ok = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
            if !ok {
                return Err(DeployError::at(
                    at,
                    format!("'${{{name}}}' is not a placeholder name: use letters, digits, '_', '-' or '.', with no spaces"),
                ));
            }
            if !found.iter().any(|f| f == name) {
                found.push(name.to_string());
            }
            rest = &after[end + 1..];
        }
        Ok(())
    })?;
    Ok(found)
}

fn walk_strings(
    value: &Value,
    at: &Pointer,
    visit: &mut dyn FnMut(&str, &Pointer) -> Result<(), DeployError>,
) -> Result<(), DeployError> {
    match value {
        Value::String(s) => visit(s, at),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| walk_strings(v, &at.index(i), visit)),
        Value::Object(members) => members
            .iter()
            .try_for_each(|(k, v)| walk_strings(v, &at.key(k), visit)),
        _ => Ok(()),
    }
}

/// A policy resource as CloudFormation writes it: `Fn::Sub` when it holds placeholders, with
/// the bound ones given their values.
fn cfn_resource(resource: &str, options: &DeployOptions) -> Value {
    if !resource.contains("${") {
        return Value::String(resource.to_string());
    }
    let bound: Map<String, Value> = options
        .bindings
        .iter()
        .filter(|(name, _)| resource.contains(&format!("${{{name}}}")))
        .map(|(name, b)| (name.clone(), b.to_value()))
        .collect();
    if bound.is_empty() {
        json!({"Fn::Sub": resource})
    } else {
        json!({"Fn::Sub": [resource, bound]})
    }
}

fn statements(permissions: &[Permission], options: &DeployOptions) -> Vec<Value> {
    permissions
        .iter()
        .map(|p| {
            let resources: Vec<Value> = p
                .resources
                .iter()
                .map(|r| cfn_resource(r, options))
                .collect();
            json!({
                "Effect": "Allow",
                "Action": p.actions,
                "Resource": resources,
            })
        })
        .collect()
}

fn substitutions(prepared: &Prepared, options: &DeployOptions) -> Map<String, Value> {
    prepared
        .placeholders
        .iter()
        .map(|name| {
            let value = options
                .bindings
                .get(name)
                .map_or_else(|| json!({"Ref": name}), Binding::to_value);
            (name.clone(), value)
        })
        .collect()
}

fn parameters(prepared: &Prepared, options: &DeployOptions) -> Map<String, Value> {
    prepared
        .placeholders
        .iter()
        .filter(|name| !options.bindings.contains_key(*name))
        .map(|name| {
            (
                name.clone(),
                json!({"Type": "String", "Description": format!("The value of the placeholder {name} in the definition")}),
            )
        })
        .collect()
}

/// The log group, logging and tracing properties `options` asks for, under the property names
/// of the resource type (CloudFormation and SAM name them differently).
fn logging_and_tracing(
    options: &DeployOptions,
    id: &str,
    (logging_key, tracing_key): (&str, &str),
    properties: &mut Map<String, Value>,
    resources: &mut Map<String, Value>,
) {
    if let Some(level) = options.logging {
        let log_group = format!("{id}Logs");
        properties.insert(
            logging_key.into(),
            json!({
                "Level": level.as_str(),
                "IncludeExecutionData": true,
                "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": [log_group, "Arn"]}}}]
            }),
        );
        resources.insert(
            log_group,
            json!({"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}}),
        );
    }
    if options.tracing {
        properties.insert(tracing_key.into(), json!({"Enabled": true}));
    }
}

fn machine_type(options: &DeployOptions) -> &'static str {
    match options.machine_type {
        MachineType::Standard => "STANDARD",
        MachineType::Express => "EXPRESS",
    }
}

/// The property that carries the definition of an `AWS::StepFunctions::StateMachine`, and its
/// value.
///
/// cfn-lint (rule E3601) checks a `Definition` object against its own schema of ASL, which is
/// narrower than AWS in a few places ([`cfn_lint`]: a JSONata expression in `TimeoutSeconds` or
/// `ToleratedFailurePercentage`, `Parameters` on a Parallel state, a Resource in another
/// partition...). A definition that reaches one of them goes in as a `DefinitionString` built
/// with `Fn::Join` from the lines of its pretty-printed JSON: cfn-lint does not look inside an
/// intrinsic function, CloudFormation joins it back into the same text, and
/// `DefinitionSubstitutions` apply to it as to `Definition`, so AWS deploys the same machine.
/// A plain string would not do (cfn-lint parses it and applies the same schema), nor would
/// `Fn::Sub` (it would resolve the `${...}` placeholders itself, reading `${A.B}` as an
/// attribute). Every other definition stays a `Definition` object, which reads better and which
/// cfn-lint keeps checking when someone edits the template by hand.
///
/// The third part, for a string, says why in a sentence the template carries as the resource's
/// `Metadata`, since a reader cannot tell from the definition.
fn definition_property(definition: &Value) -> (&'static str, Value, Option<String>) {
    let Some((at, reason)) = cfn_lint::gap(definition) else {
        return ("Definition", definition.clone(), None);
    };
    let text = serde_json::to_string_pretty(definition).unwrap_or_default();
    let lines: Vec<Value> = text.lines().map(Value::from).collect();
    let why = format!(
        "{at}: {reason}. AWS accepts it, so the definition is a DefinitionString, which cfn-lint does not check."
    );
    (
        "DefinitionString",
        json!({"Fn::Join": ["\n", lines]}),
        Some(why),
    )
}

/// An `AWS::StepFunctions::StateMachine` template, its execution role and (with logging) its
/// log group. The definition is a `Definition` object, or a `DefinitionString` when cfn-lint's
/// schema would reject what AWS accepts (see `definition_property`).
pub fn cloudformation(
    machine: &StateMachine,
    options: &DeployOptions,
) -> Result<Value, DeployError> {
    let prepared = prepare(machine, options)?;
    let id = &options.logical_id;
    let role_id = format!("{id}Role");
    let mut role = json!({
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": "states.amazonaws.com"},
                    "Action": "sts:AssumeRole"
                }]
            }
        }
    });
    let statements = statements(&prepared.permissions, options);
    if !statements.is_empty() {
        role["Properties"]["Policies"] = json!([{
            "PolicyName": format!("{id}Policy"),
            "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}
        }]);
    }
    let mut properties = Map::new();
    properties.insert("StateMachineType".into(), machine_type(options).into());
    if let Some(name) = &options.name {
        properties.insert("StateMachineName".into(), name.clone().into());
    }
    properties.insert("RoleArn".into(), json!({"Fn::GetAtt": [role_id, "Arn"]}));
    let (key, definition, why) = definition_property(&prepared.definition);
    properties.insert(key.into(), definition);
    let substitutions = substitutions(&prepared, options);
    if !substitutions.is_empty() {
        properties.insert(
            "DefinitionSubstitutions".into(),
            Value::Object(substitutions),
        );
    }
    let mut resources = Map::new();
    logging_and_tracing(
        options,
        id,
        ("LoggingConfiguration", "TracingConfiguration"),
        &mut properties,
        &mut resources,
    );
    resources.insert(role_id, role);
    let mut machine_resource =
        json!({"Type": "AWS::StepFunctions::StateMachine", "Properties": properties});
    if let Some(why) = why {
        machine_resource["Metadata"] = json!({"stepfn": {"DefinitionString": why}});
    }
    resources.insert(id.clone(), machine_resource);
    let mut template = Map::new();
    template.insert("AWSTemplateFormatVersion".into(), "2010-09-09".into());
    if let Some(comment) = &machine.comment {
        template.insert("Description".into(), comment.clone().into());
    }
    let parameters = parameters(&prepared, options);
    if !parameters.is_empty() {
        template.insert("Parameters".into(), Value::Object(parameters));
    }
    template.insert("Resources".into(), Value::Object(resources));
    template.insert(
        "Outputs".into(),
        json!({"StateMachineArn": {"Value": {"Ref": id}}}),
    );
    Ok(Value::Object(template))
}

/// The same as an `AWS::Serverless::StateMachine`, its policy inline.
///
/// The definition is always the `Definition` object: SAM has no `DefinitionString` (only
/// `DefinitionUri`, a file to upload), and cfn-lint checks a serverless state machine against
/// SAM's own schema, where `Definition` is any object, so none of the gaps that make
/// [`cloudformation`] write a string reach it.
pub fn sam(machine: &StateMachine, options: &DeployOptions) -> Result<Value, DeployError> {
    let prepared = prepare(machine, options)?;
    let id = &options.logical_id;
    let mut properties = Map::new();
    properties.insert("Type".into(), machine_type(options).into());
    if let Some(name) = &options.name {
        properties.insert("Name".into(), name.clone().into());
    }
    properties.insert("Definition".into(), prepared.definition.clone());
    let substitutions = substitutions(&prepared, options);
    if !substitutions.is_empty() {
        properties.insert(
            "DefinitionSubstitutions".into(),
            Value::Object(substitutions),
        );
    }
    let statements = statements(&prepared.permissions, options);
    if !statements.is_empty() {
        properties.insert(
            "Policies".into(),
            json!([{"Version": "2012-10-17", "Statement": statements}]),
        );
    }
    let mut resources = Map::new();
    logging_and_tracing(
        options,
        id,
        ("Logging", "Tracing"),
        &mut properties,
        &mut resources,
    );
    resources.insert(
        id.clone(),
        json!({"Type": "AWS::Serverless::StateMachine", "Properties": properties}),
    );
    let mut template = Map::new();
    template.insert("AWSTemplateFormatVersion".into(), "2010-09-09".into());
    template.insert("Transform".into(), "AWS::Serverless-2016-10-31".into());
    if let Some(comment) = &machine.comment {
        template.insert("Description".into(), comment.clone().into());
    }
    let parameters = parameters(&prepared, options);
    if !parameters.is_empty() {
        template.insert("Parameters".into(), Value::Object(parameters));
    }
    template.insert("Resources".into(), Value::Object(resources));
    template.insert(
        "Outputs".into(),
        json!({"StateMachineArn": {"Value": {"Ref": id}}}),
    );
    Ok(Value::Object(template))
}

/// For CDK: the ASL file's text and a TypeScript construct that loads it with
/// `DefinitionBody.fromFile`, passes each placeholder as a prop and grants the derived
/// permissions. `asl_file` is the file name the construct reads, next to it.
pub fn cdk(
    machine: &StateMachine,
    options: &DeployOptions,
    asl_file: &str,
) -> Result<(String, String), DeployError> {
    let prepared = prepare(machine, options)?;
    let class = &options.logical_id;
    let prop = |name: &str| {
        let mut chars = name.chars().filter(|c| c.is_ascii_alphanumeric());
        chars
            .next()
            .map(|f| f.to_ascii_lowercase().to_string() + &chars.collect::<String>())
            .unwrap_or_else(|| "value".into())
    };
    let mut ts = String::new();
    ts.push_str("// Generated by stepfn: a construct that deploys the state machine in ");
    ts.push_str(asl_file);
    ts.push_str(".\nimport * as path from 'path';\nimport { Construct } from 'constructs';\nimport * as iam from 'aws-cdk-lib/aws-iam';\nimport * as sfn from 'aws-cdk-lib/aws-stepfunctions';\n\n");
    ts.push_str(&format!("export interface {class}Props {{\n"));
    for name in &prepared.placeholders {
        ts.push_str(&format!(
            "  /** The value of ${{{name}}} in the definition. */\n  readonly {}: string;\n",
            prop(name)
        ));
    }
    ts.push_str("}\n\n");
    ts.push_str(&format!("export class {class} extends Construct {{\n  readonly stateMachine: sfn.StateMachine;\n\n  constructor(scope: Construct, id: string, props: {class}Props) {{\n    super(scope, id);\n"));
    ts.push_str("    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {\n");
    ts.push_str(&format!(
        "      definitionBody: sfn.DefinitionBody.fromFile(path.join(__dirname, {})),\n",
        Value::String(asl_file.to_string())
    ));
    if !prepared.placeholders.is_empty() {
        ts.push_str("      definitionSubstitutions: {\n");
        for name in &prepared.placeholders {
            ts.push_str(&format!(
                "        {}: props.{},\n",
                Value::String(name.clone()),
                prop(name)
            ));
        }
        ts.push_str("      },\n");
    }
    ts.push_str(&format!(
        "      stateMachineType: sfn.StateMachineType.{},\n",
        machine_type(options)
    ));
    if options.tracing {
        ts.push_str("      tracingEnabled: true,\n");
    }
    ts.push_str("    });\n");
    for p in &prepared.permissions {
        let resources: Vec<String> = p
            .resources
            .iter()
            .map(|r| ts_resource(r, &prepared.placeholders, &prop))
            .collect();
        ts.push_str(&format!(
            "    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({{ actions: {}, resources: [{}] }}));\n",
            Value::from(p.actions.clone()),
            resources.join(", ")
        ));
    }
    ts.push_str("  }\n}\n");
    Ok((super::to_string_pretty(machine), ts))
}

/// A policy resource in TypeScript: placeholders become the props' values.
fn ts_resource(resource: &str, placeholders: &[String], prop: &dyn Fn(&str) -> String) -> String {
    if !resource.contains("${") {
        return Value::String(resource.to_string()).to_string();
    }
    let mut out = String::from("`");
    let mut rest = resource;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start].replace('`', "\\`"));
        let after = &rest[start + 2..];
        let end = after.find('}').unwrap_or(after.len());
        let name = &after[..end];
        if placeholders.iter().any(|p| p == name) {
            out.push_str(&format!("${{props.{}}}", prop(name)));
        } else {
            out.push_str(&format!("\\${{{name}}}"));
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(&rest.replace('`', "\\`"));
    out.push('`');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine(states: &str) -> StateMachine {
        crate::check(
            &format!(r#"{{"Comment": "Orders", "StartAt": "Charge", "States": {states}}}"#),
            &Default::default(),
        )
        .unwrap()
    }

    const STATES: &str = r#"{
        "Charge": {"Type": "Task", "Resource": "${ChargeArn}", "Next": "Notify"},
        "Notify": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                   "Parameters": {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/orders", "MessageBody.$": "$"},
                   "Next": "Save"},
        "Save": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                 "Parameters": {"TableName": "${OrdersTable}", "Item": {}}, "End": true}}"#;

    #[test]
    fn placeholders_become_parameters_and_the_role_follows_the_tasks() {
        let t = cloudformation(&machine(STATES), &DeployOptions::default()).unwrap();
        assert_eq!(t["Description"], "Orders");
        assert_eq!(t["Parameters"]["ChargeArn"]["Type"], "String");
        let props = &t["Resources"]["StateMachine"]["Properties"];
        assert_eq!(
            props["Definition"]["States"]["Charge"]["Resource"],
            "${ChargeArn}"
        );
        assert_eq!(
            props["DefinitionSubstitutions"]["OrdersTable"],
            json!({"Ref": "OrdersTable"})
        );
        let statements = &t["Resources"]["StateMachineRole"]["Properties"]["Policies"][0]
            ["PolicyDocument"]["Statement"];
        assert_eq!(statements[0]["Action"], json!(["lambda:InvokeFunction"]));
        assert_eq!(
            statements[0]["Resource"],
            json!([{"Fn::Sub": "${ChargeArn}"}, {"Fn::Sub": "${ChargeArn}:*"}])
        );
        assert_eq!(
            statements[1]["Resource"],
            json!(["arn:aws:sqs:eu-west-1:123456789012:orders"])
        );
        assert_eq!(statements[2]["Action"], json!(["dynamodb:PutItem"]));
    }

    #[test]
    fn bound_placeholders_use_the_named_resource() {
        let mut options = DeployOptions::default();
        options
            .bindings
            .insert("ChargeArn".into(), Binding::parse("ChargeFunction.Arn"));
        let t = cloudformation(&machine(STATES), &options).unwrap();
        assert!(t["Parameters"].get("ChargeArn").is_none());
        let props = &t["Resources"]["StateMachine"]["Properties"];
        assert_eq!(
            props["DefinitionSubstitutions"]["ChargeArn"],
            json!({"Fn::GetAtt": ["ChargeFunction", "Arn"]})
        );
        options
            .bindings
            .insert("Nope".into(), Binding::Ref("X".into()));
        let e = cloudformation(&machine(STATES), &options).unwrap_err();
        assert!(e.to_string().contains("no ${Nope} placeholder"), "{e}");
    }

    #[test]
    fn bad_requests_name_the_state_and_field() {
        let e = cloudformation(
            &machine(r#"{"Charge": {"Type": "Task", "Resource": "charge-function", "End": true}}"#),
            &DeployOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("/States/Charge/Resource:"), "{e}");
        let e = cloudformation(
            &machine(r#"{"Charge": {"Type": "Task", "Resource": "${Charge Arn}", "End": true}}"#),
            &DeployOptions::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("/States/Charge/Resource"), "{e}");
        let express = DeployOptions {
            machine_type: MachineType::Express,
            ..Default::default()
        };
        let e = cloudformation(
            &machine(r#"{"Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "Parameters": {"FunctionName": "f"}, "End": true}}"#),
            &express,
        )
        .unwrap_err();
        assert!(matches!(e, DeployError::Invalid(_)), "{e}");
    }

    /// The text CloudFormation makes of a `DefinitionString` built with `Fn::Join`.
    fn joined(value: &Value) -> String {
        let join = value["Fn::Join"].as_array().expect("Fn::Join");
        let separator = join[0].as_str().unwrap();
        let parts: Vec<&str> = join[1]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        parts.join(separator)
    }

    #[test]
    fn a_definition_cfn_lint_can_check_goes_in_as_the_definition_object() {
        let m = machine(STATES);
        let t = cloudformation(&m, &DeployOptions::default()).unwrap();
        let props = &t["Resources"]["StateMachine"]["Properties"];
        assert_eq!(props["Definition"], crate::emit::to_value(&m));
        assert!(props.get("DefinitionString").is_none(), "{props}");
        assert!(t["Resources"]["StateMachine"].get("Metadata").is_none());
    }

    #[test]
    fn a_definition_past_cfn_lints_schema_goes_in_as_a_joined_definition_string() {
        let m = crate::check(
            r#"{"QueryLanguage": "JSONata", "StartAt": "Charge", "States": {
                "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                           "Arguments": {"FunctionName": "${ChargeArn}", "Payload": "{% $states.input %}"},
                           "TimeoutSeconds": "{% $states.input.timeout %}", "End": true}}}"#,
            &Default::default(),
        )
        .unwrap();
        let t = cloudformation(&m, &DeployOptions::default()).unwrap();
        let props = &t["Resources"]["StateMachine"]["Properties"];
        assert!(props.get("Definition").is_none(), "{props}");
        let why = t["Resources"]["StateMachine"]["Metadata"]["stepfn"]["DefinitionString"]
            .as_str()
            .unwrap();
        assert!(why.starts_with("/States/Charge/TimeoutSeconds: "), "{why}");
        let text = joined(&props["DefinitionString"]);
        assert_eq!(
            text,
            serde_json::to_string_pretty(&crate::emit::to_value(&m)).unwrap()
        );
        assert!(
            props["DefinitionString"]["Fn::Join"][1]
                .as_array()
                .unwrap()
                .len()
                > 5,
            "one element per line"
        );
        assert_eq!(
            props["DefinitionSubstitutions"]["ChargeArn"],
            json!({"Ref": "ChargeArn"})
        );
        assert_eq!(t["Parameters"]["ChargeArn"]["Type"], "String");
        let s = sam(&m, &DeployOptions::default()).unwrap();
        assert_eq!(
            s["Resources"]["StateMachine"]["Properties"]["Definition"],
            crate::emit::to_value(&m),
            "SAM has no DefinitionString and cfn-lint does not apply the ASL schema to it"
        );
    }

    #[test]
    fn parameters_on_a_parallel_state_also_take_the_string() {
        let m = machine(
            r#"{"Charge": {"Type": "Parallel", "Parameters": {"order.$": "$.order"}, "End": true,
                "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}]}}"#,
        );
        let t = cloudformation(&m, &DeployOptions::default()).unwrap();
        let props = &t["Resources"]["StateMachine"]["Properties"];
        let text = joined(&props["DefinitionString"]);
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap(),
            crate::emit::to_value(&m)
        );
    }

    #[test]
    fn sam_and_cdk_carry_the_same_parts() {
        let options = DeployOptions {
            logical_id: "Orders".into(),
            tracing: true,
            logging: Some(LogLevel::Error),
            ..Default::default()
        };
        let t = sam(&machine(STATES), &options).unwrap();
        assert_eq!(t["Transform"], "AWS::Serverless-2016-10-31");
        let props = &t["Resources"]["Orders"]["Properties"];
        assert_eq!(props["Type"], "STANDARD");
        assert_eq!(props["Tracing"], json!({"Enabled": true}));
        assert!(props["Policies"][0]["Statement"].as_array().unwrap().len() >= 4);
        let (asl, ts) = cdk(&machine(STATES), &options, "orders.asl.json").unwrap();
        assert!(asl.contains("\"StartAt\": \"Charge\""));
        assert!(
            ts.contains("sfn.DefinitionBody.fromFile(path.join(__dirname, \"orders.asl.json\"))")
        );
        assert!(ts.contains("\"ChargeArn\": props.chargeArn"));
        assert!(
            ts.contains("resources: [`${props.chargeArn}`, `${props.chargeArn}:*`]"),
            "{ts}"
        );
    }
}
