//! Task resources: which service integrations exist, and what Express machines may not use.

use crate::{MachineType, Pointer, Problem, State, StateMachine};

/// The optimized integrations (`arn:aws:states:::SERVICE:ACTION`) AWS offers, by service.
/// Services missing from this list are not judged; `aws-sdk:*` covers every SDK call.
const OPTIMIZED: &[(&str, &[&str])] = &[
    ("lambda", &["invoke"]),
    (
        "dynamodb",
        &["getItem", "putItem", "updateItem", "deleteItem"],
    ),
    ("sns", &["publish"]),
    ("sqs", &["sendMessage"]),
    ("states", &["startExecution"]),
    ("events", &["putEvents"]),
    ("batch", &["submitJob"]),
    ("ecs", &["runTask"]),
    ("glue", &["startJobRun"]),
    ("http", &["invoke"]),
    ("apigateway", &["invoke"]),
    ("s3", &["getObject", "putObject", "listObjectsV2"]),
    (
        "athena",
        &[
            "startQueryExecution",
            "stopQueryExecution",
            "getQueryExecution",
            "getQueryResults",
        ],
    ),
    (
        "codebuild",
        &[
            "startBuild",
            "stopBuild",
            "batchDeleteBuilds",
            "batchGetReports",
            "startBuildBatch",
            "stopBuildBatch",
            "retryBuildBatch",
            "deleteBuildBatch",
        ],
    ),
    (
        "eks",
        &[
            "createCluster",
            "deleteCluster",
            "createFargateProfile",
            "deleteFargateProfile",
            "createNodegroup",
            "deleteNodegroup",
            "runJob",
            "call",
        ],
    ),
    ("bedrock", &["invokeModel", "createModelCustomizationJob"]),
    (
        "sagemaker",
        &[
            "createEndpoint",
            "createEndpointConfig",
            "createHyperParameterTuningJob",
            "createLabelingJob",
            "createModel",
            "createProcessingJob",
            "createTrainingJob",
            "createTransformJob",
            "updateEndpoint",
        ],
    ),
    (
        "elasticmapreduce",
        &[
            "createCluster",
            "terminateCluster",
            "addStep",
            "cancelStep",
            "setClusterTerminationProtection",
            "modifyInstanceFleetByName",
            "modifyInstanceGroupByName",
        ],
    ),
    (
        "emr-containers",
        &[
            "createVirtualCluster",
            "deleteVirtualCluster",
            "startJobRun",
        ],
    ),
    (
        "emr-serverless",
        &[
            "createApplication",
            "startApplication",
            "stopApplication",
            "deleteApplication",
            "startJobRun",
            "cancelJobRun",
        ],
    ),
    ("mediaconvert", &["createJob"]),
    ("databrew", &["startJobRun"]),
];

const PATTERNS: &[&str] = &["sync", "sync:2", "waitForTaskToken"];

/// True unless `service_action` (the part after `arn:aws:states:::`, such as
/// `dynamodb:query` or `lambda:invoke.waitForTaskToken`) names an integration AWS does not offer.
pub fn is_known_integration(service_action: &str) -> bool {
    let Some((service, rest)) = service_action.split_once(':') else {
        return false;
    };
    if service == "aws-sdk" {
        return rest.contains(':');
    }
    let (action, pattern) = match rest.split_once('.') {
        Some((a, p)) => (a, Some(p)),
        None => (rest, None),
    };
    if pattern.is_some_and(|p| !PATTERNS.contains(&p)) {
        return false;
    }
    match OPTIMIZED.iter().find(|(s, _)| *s == service) {
        Some((_, actions)) => actions.contains(&action),
        None => true,
    }
}

/// The integration patterns AWS offers for `service:action`, as the suffixes after the dot
/// (`""` for request-response), for the integrations whose patterns stepfn knows; `None` for
/// the others, which are not judged.
pub fn integration_patterns(service: &str, action: &str) -> Option<&'static [&'static str]> {
    const REQUEST_CALLBACK: &[&str] = &["", "waitForTaskToken"];
    const ALL: &[&str] = &["", "sync", "sync:2", "waitForTaskToken"];
    const JOBS: &[&str] = &["", "sync", "waitForTaskToken"];
    Some(match (service, action) {
        ("lambda", "invoke")
        | ("sqs", "sendMessage")
        | ("sns", "publish")
        | ("events", "putEvents") => REQUEST_CALLBACK,
        ("dynamodb", _) | ("http", "invoke") => &[""],
        ("states", "startExecution") => ALL,
        ("batch", "submitJob") | ("ecs", "runTask") | ("glue", "startJobRun") => JOBS,
        ("aws-sdk", _) => REQUEST_CALLBACK,
        _ => return None,
    })
}

/// The optimized actions of `service`, when stepfn knows the service.
pub fn optimized_actions(service: &str) -> Option<&'static [&'static str]> {
    OPTIMIZED
        .iter()
        .find(|(s, _)| *s == service)
        .map(|(_, actions)| *actions)
}

pub(super) fn check(
    machine: &StateMachine,
    machine_type: MachineType,
    problems: &mut Vec<Problem>,
) {
    if machine_type != MachineType::Express {
        return;
    }
    super::walk::each_state(&machine.states, &Pointer::root(), &mut |_, state, ptr| {
        let State::Task(task) = state else {
            return;
        };
        let Some(r) = task.resource.as_str() else {
            return;
        };
        let at = ptr.key("Resource");
        if is_activity(r) {
            problems.push(Problem::schema(
                &at,
                "Express state machine does not support Activity ARN",
            ));
        } else if r.ends_with(".sync") || r.ends_with(".sync:2") {
            problems.push(Problem::schema(
                &at,
                "Express state machine does not support '.sync' service integration",
            ));
        } else if r.ends_with(".waitForTaskToken") {
            // AWS's message ends in a space; it is kept so messages compare equal.
            problems.push(Problem::schema(
                &at,
                "Express state machine does not support '.waitForTaskToken' service integration ",
            ));
        }
    });
}

fn is_activity(resource: &str) -> bool {
    let parts: Vec<&str> = resource.splitn(7, ':').collect();
    parts.len() >= 7 && parts[0] == "arn" && parts[2] == "states" && parts[5] == "activity"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrations() {
        assert!(is_known_integration("lambda:invoke"));
        assert!(is_known_integration("lambda:invoke.waitForTaskToken"));
        assert!(is_known_integration("states:startExecution.sync:2"));
        assert!(is_known_integration("aws-sdk:dynamodb:query"));
        assert!(!is_known_integration("dynamodb:query"));
        assert!(!is_known_integration("lambda:invoke.later"));
        assert!(is_known_integration("somenewservice:doThing"));
        assert_eq!(
            integration_patterns("sns", "publish"),
            Some(&["", "waitForTaskToken"][..])
        );
        assert!(
            integration_patterns("states", "startExecution").is_some_and(|p| p.contains(&"sync:2"))
        );
        assert_eq!(integration_patterns("dynamodb", "putItem"), Some(&[""][..]));
        assert_eq!(integration_patterns("mediaconvert", "createJob"), None);
        assert!(optimized_actions("dynamodb").is_some_and(|a| a.contains(&"updateItem")));
    }
}
