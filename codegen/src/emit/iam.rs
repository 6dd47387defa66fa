//! The execution role's permissions, derived from what the states call: every Task resource
//! (in Parallel branches and Map processors too), Distributed Map's own needs, ItemReader and
//! ResultWriter buckets, and logging and tracing when they are on.
//!
//! Resources name their targets from the definition: a literal ARN, a `${Placeholder}` (kept as
//! written, so CloudFormation's `Fn::Sub` fills it), or `*` when the target is computed at run
//! time (a `.$` path or a JSONata expression).

use serde_json::{json, Map, Value};

use super::DeployError;
use crate::{ItemReader, Pointer, Resource, ResultWriter, State, StateMachine, States, Template};

/// One permission: actions on resources, and the state that needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct Permission {
    /// `lambda:InvokeFunction`...
    pub actions: Vec<String>,
    /// ARNs, `${Placeholder}` ARNs or `*`.
    pub resources: Vec<String>,
    /// Where the need comes from (`/States/Charge`), for review.
    pub needed_by: String,
}

/// What the role must also allow beyond the states' calls.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct RoleOptions {
    /// CloudWatch Logs delivery (LoggingConfiguration).
    pub logging: bool,
    /// X-Ray (TracingConfiguration).
    pub tracing: bool,
    /// The machine's own name, for Distributed Map's StartExecution on itself; `None` uses `*`.
    pub state_machine_name: Option<String>,
}

impl RoleOptions {
    /// Nothing beyond the states' own calls.
    pub fn new() -> Self {
        Self::default()
    }

    crate::__setters! {
        set with_logging(logging: bool);
        set with_tracing(tracing: bool);
        some with_state_machine_name(state_machine_name: String);
    }
}

/// Every permission the definition needs, in state order.
pub fn permissions(
    machine: &StateMachine,
    options: &RoleOptions,
) -> Result<Vec<Permission>, DeployError> {
    let mut out = Vec::new();
    collect(&machine.states, &Pointer::root(), options, &mut out)?;
    if options.logging {
        out.push(Permission {
            actions: [
                "logs:CreateLogDelivery",
                "logs:GetLogDelivery",
                "logs:UpdateLogDelivery",
                "logs:DeleteLogDelivery",
                "logs:ListLogDeliveries",
                "logs:PutResourcePolicy",
                "logs:DescribeResourcePolicies",
                "logs:DescribeLogGroups",
            ]
            .map(String::from)
            .to_vec(),
            resources: vec!["*".into()],
            needed_by: "LoggingConfiguration".into(),
        });
    }
    if options.tracing {
        out.push(Permission {
            actions: [
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "xray:GetSamplingRules",
                "xray:GetSamplingTargets",
            ]
            .map(String::from)
            .to_vec(),
            resources: vec!["*".into()],
            needed_by: "TracingConfiguration".into(),
        });
    }
    Ok(out)
}

/// The IAM policy document granting `permissions`, one statement each.
pub fn policy_document(permissions: &[Permission]) -> Value {
    let statements: Vec<Value> = permissions
        .iter()
        .map(|p| {
            json!({
                "Effect": "Allow",
                "Action": if p.actions.len() == 1 { json!(p.actions[0]) } else { json!(p.actions) },
                "Resource": if p.resources.len() == 1 { json!(p.resources[0]) } else { json!(p.resources) },
            })
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn collect(
    states: &States,
    at: &Pointer,
    options: &RoleOptions,
    out: &mut Vec<Permission>,
) -> Result<(), DeployError> {
    for (name, state) in states {
        let ptr = at.key("States").key(name);
        match state {
            State::Task(task) => {
                let template = task.parameters.as_ref().or(task.arguments.as_ref());
                match &task.resource {
                    Resource::Uri(uri) => {
                        if let Some(p) = task_permission(uri, template, &ptr)? {
                            out.push(p);
                        }
                    }
                    Resource::CloudFormation(_) => {
                        return Err(DeployError::at(
                            &ptr.key("Resource"),
                            "the Resource is a CloudFormation expression; write an ARN or a ${Placeholder} so the permissions can be derived",
                        ))
                    }
                }
            }
            State::Parallel(p) => {
                for (i, branch) in p.branches.iter().enumerate() {
                    collect(&branch.states, &ptr.key("Branches").index(i), options, out)?;
                }
            }
            State::Map(m) => {
                if m.mode() == crate::ProcessorMode::Distributed {
                    out.extend(distributed_map(options, &ptr));
                }
                if let Some(reader) = &m.item_reader {
                    out.extend(reader_permission(reader, &ptr));
                }
                if let Some(writer) = &m.result_writer {
                    out.extend(writer_permission(writer, &ptr));
                }
                let key = if m.uses_iterator_field {
                    "Iterator"
                } else {
                    "ItemProcessor"
                };
                collect(&m.item_processor.states, &ptr.key(key), options, out)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// A literal string member of a template, if the template writes it as one.
fn literal_member<'t>(template: Option<&'t Template>, key: &str) -> Option<&'t str> {
    match template? {
        Template::Literal(Value::Object(m)) => m.get(key)?.as_str(),
        Template::Object(members) => members.get(key)?.as_literal()?.as_str(),
        _ => None,
    }
}

fn permission(actions: &[&str], resources: Vec<String>, ptr: &Pointer) -> Option<Permission> {
    Some(Permission {
        actions: actions.iter().map(|a| a.to_string()).collect(),
        resources,
        needed_by: ptr.to_string(),
    })
}

/// The permission a Task resource needs; `None` for activities, which the worker calls for.
fn task_permission(
    uri: &str,
    template: Option<&Template>,
    ptr: &Pointer,
) -> Result<Option<Permission>, DeployError> {
    let target = |key: &str| literal_member(template, key).map(str::to_string);
    // A resource that is only a placeholder is a function filled in at deploy time.
    if uri.starts_with("${") && uri.ends_with('}') {
        return Ok(permission(
            &["lambda:InvokeFunction"],
            vec![uri.to_string(), format!("{uri}:*")],
            ptr,
        ));
    }
    let parts: Vec<&str> = uri.split(':').collect();
    if parts.len() < 6 || parts[0] != "arn" {
        return Err(DeployError::at(
            &ptr.key("Resource"),
            format!("'{uri}' is not an ARN stepfn knows how to grant: write a Lambda function ARN, an arn:aws:states:::service:action integration, an activity ARN or a ${{Placeholder}}"),
        ));
    }
    match (parts[2], parts[5]) {
        ("lambda", "function") => Ok(permission(
            &["lambda:InvokeFunction"],
            vec![uri.to_string(), format!("{uri}:*")],
            ptr,
        )),
        ("states", "activity") => Ok(None),
        ("states", service) => {
            // `sqs:sendMessage.waitForTaskToken`, `aws-sdk:s3:getObject`: the action, without
            // the integration pattern after the dot.
            let action = parts[6..].join(":");
            let action = action.split('.').next().unwrap_or("").to_string();
            integration_permission(service, &action, uri, &target, ptr)
        }
        _ => Err(DeployError::at(
            &ptr.key("Resource"),
            format!("'{uri}' is not a Task resource ARN: expected a Lambda function, an activity or an arn:aws:states:::service:action integration"),
        )),
    }
}

fn integration_permission(
    service: &str,
    action: &str,
    uri: &str,
    target: &dyn Fn(&str) -> Option<String>,
    ptr: &Pointer,
) -> Result<Option<Permission>, DeployError> {
    let any = || vec!["*".to_string()];
    Ok(match (service, action) {
        ("lambda", "invoke") => {
            let resources = match target("FunctionName") {
                Some(f) if f.starts_with("arn:") || f.starts_with("${") => {
                    vec![f.clone(), format!("{f}:*")]
                }
                Some(name) => vec![
                    format!("arn:aws:lambda:*:*:function:{name}"),
                    format!("arn:aws:lambda:*:*:function:{name}:*"),
                ],
                None => any(),
            };
            permission(&["lambda:InvokeFunction"], resources, ptr)
        }
        ("sns", "publish") => permission(
            &["sns:Publish"],
            target("TopicArn").map_or_else(any, |t| vec![t]),
            ptr,
        ),
        ("sqs", "sendMessage") => {
            let resources = target("QueueUrl")
                .and_then(|u| queue_arn(&u))
                .map_or_else(any, |a| vec![a]);
            permission(&["sqs:SendMessage"], resources, ptr)
        }
        ("dynamodb", op @ ("getItem" | "putItem" | "updateItem" | "deleteItem")) => {
            let table = target("TableName").map_or_else(any, |t| {
                if t.starts_with("arn:") {
                    vec![t]
                } else {
                    vec![format!("arn:aws:dynamodb:*:*:table/{t}")]
                }
            });
            permission(&[&format!("dynamodb:{}", pascal(op))], table, ptr)
        }
        ("states", "startExecution") => {
            let machine = target("StateMachineArn");
            let mut p = permission(
                &["states:StartExecution"],
                machine.clone().map_or_else(any, |m| vec![m]),
                ptr,
            )
            .expect("a permission");
            if uri.contains(".sync") {
                let executions = machine
                    .map(|m| vec![format!("{}*", m.replace(":stateMachine:", ":execution:"))])
                    .unwrap_or_else(any);
                p.actions
                    .extend(["states:DescribeExecution", "states:StopExecution"].map(String::from));
                p.resources.extend(executions);
                p.actions.extend(
                    ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
                        .map(String::from),
                );
                p.resources.push(
                    "arn:aws:events:*:*:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"
                        .into(),
                );
            }
            Some(p)
        }
        ("events", "putEvents") => permission(&["events:PutEvents"], any(), ptr),
        ("http", "invoke") => permission(
            &[
                "states:InvokeHTTPEndpoint",
                "events:RetrieveConnectionCredentials",
                "secretsmanager:GetSecretValue",
                "secretsmanager:DescribeSecret",
            ],
            any(),
            ptr,
        ),
        ("aws-sdk", sdk) => {
            let (sdk_service, sdk_action) = sdk.split_once(':').unwrap_or((sdk, ""));
            permission(&[&sdk_iam_action(sdk_service, sdk_action)], any(), ptr)
        }
        (service, action) if !service.is_empty() && !action.is_empty() => {
            permission(&[&format!("{service}:{}", pascal(action))], any(), ptr)
        }
        _ => {
            return Err(DeployError::at(
                &ptr.key("Resource"),
                format!("'{uri}' names no service action"),
            ))
        }
    })
}

/// The IAM action an AWS SDK integration needs. Most are the SDK action with the service's IAM
/// prefix; a few S3 and Step Functions calls are authorised under another name.
fn sdk_iam_action(service: &str, action: &str) -> String {
    let prefix = match service {
        "sfn" => "states",
        "cloudwatchlogs" => "logs",
        other => other,
    };
    let action = pascal(action);
    let action = match (prefix, action.as_str()) {
        ("s3", "ListObjects" | "ListObjectsV2" | "HeadBucket") => "ListBucket".to_string(),
        ("s3", "ListBuckets") => "ListAllMyBuckets".to_string(),
        ("s3", "HeadObject") => "GetObject".to_string(),
        _ => action,
    };
    format!("{prefix}:{action}")
}

/// `https://sqs.eu-west-1.amazonaws.com/123456789012/orders` -> the queue's ARN.
fn queue_arn(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://sqs.")?;
    let (region, path) = rest.split_once(".amazonaws.com/")?;
    let (account, queue) = path.split_once('/')?;
    Some(format!("arn:aws:sqs:{region}:{account}:{queue}"))
}

fn pascal(action: &str) -> String {
    let mut c = action.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Distributed Map starts child executions of the machine itself.
fn distributed_map(options: &RoleOptions, ptr: &Pointer) -> Vec<Permission> {
    let machine = options.state_machine_name.as_ref().map_or_else(
        || "arn:aws:states:*:*:stateMachine:*".to_string(),
        |n| format!("arn:aws:states:*:*:stateMachine:{n}"),
    );
    let executions = options.state_machine_name.as_ref().map_or_else(
        || "arn:aws:states:*:*:execution:*".to_string(),
        |n| format!("arn:aws:states:*:*:execution:{n}/*"),
    );
    let map_runs = options.state_machine_name.as_ref().map_or_else(
        || "arn:aws:states:*:*:mapRun:*".to_string(),
        |n| format!("arn:aws:states:*:*:mapRun:{n}/*"),
    );
    vec![
        Permission {
            actions: vec!["states:StartExecution".into()],
            resources: vec![machine],
            needed_by: ptr.to_string(),
        },
        Permission {
            actions: ["states:DescribeExecution", "states:StopExecution"]
                .map(String::from)
                .to_vec(),
            resources: vec![executions],
            needed_by: ptr.to_string(),
        },
        Permission {
            actions: vec!["states:RedriveExecution".into()],
            resources: vec![map_runs],
            needed_by: ptr.to_string(),
        },
    ]
}

fn bucket_of(template: Option<&Template>) -> Option<String> {
    literal_member(template, "Bucket").map(str::to_string)
}

fn reader_permission(reader: &ItemReader, ptr: &Pointer) -> Option<Permission> {
    let template = reader.parameters.as_ref().or(reader.arguments.as_ref());
    let bucket = bucket_of(template).unwrap_or_else(|| "*".into());
    let (actions, resources): (&[&str], Vec<String>) = if reader.resource.ends_with("listObjectsV2")
    {
        (&["s3:ListBucket"], vec![format!("arn:aws:s3:::{bucket}")])
    } else {
        (&["s3:GetObject"], vec![format!("arn:aws:s3:::{bucket}/*")])
    };
    permission(actions, resources, &ptr.key("ItemReader"))
}

fn writer_permission(writer: &ResultWriter, ptr: &Pointer) -> Option<Permission> {
    writer.resource.as_ref()?;
    let template = writer.parameters.as_ref().or(writer.arguments.as_ref());
    let bucket = bucket_of(template).unwrap_or_else(|| "*".into());
    permission(
        &[
            "s3:PutObject",
            "s3:GetObject",
            "s3:ListMultipartUploadParts",
            "s3:AbortMultipartUpload",
        ],
        vec![format!("arn:aws:s3:::{bucket}/*")],
        &ptr.key("ResultWriter"),
    )
}

/// The statements as a map from the state that needs each, for reviews and tests.
pub fn by_state(permissions: &[Permission]) -> Map<String, Value> {
    permissions
        .iter()
        .map(|p| {
            (
                p.needed_by.clone(),
                json!({"Action": p.actions, "Resource": p.resources}),
            )
        })
        .collect()
}
