//! Rules on single fields that are representable in the model but not valid ASL.

use serde_json::Value;

use crate::{Pointer, Problem, QueryLanguage, Resource, State, StateMachine, Template};

pub(super) fn check(machine: &StateMachine, problems: &mut Vec<Problem>) {
    let machine_language = machine.default_query_language();
    super::walk::each_state(&machine.states, &Pointer::root(), &mut |_, state, ptr| {
        if machine_language == QueryLanguage::Jsonata
            && state.query_language() == Some(QueryLanguage::JsonPath)
        {
            problems.push(Problem::schema(
                ptr,
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
            ));
        }
        let State::Task(task) = state else {
            return;
        };
        if let Resource::CloudFormation(_) = task.resource {
            problems.push(Problem::schema(
                &ptr.key("Resource"),
                "The field 'Resource' must be a string: a CloudFormation intrinsic such as Fn::GetAtt is resolved when the template deploys and is not ASL",
            ));
        }
        if let Some(credentials) = &task.credentials {
            credentials_problems(credentials, &ptr.key("Credentials"), problems);
        }
    });
}

/// `Credentials` holds `RoleArn` (or `RoleArn.$`) and nothing else.
fn credentials_problems(credentials: &Template, at: &Pointer, problems: &mut Vec<Problem>) {
    let keys: Vec<String> = match credentials {
        Template::Object(members) => members
            .iter()
            .map(|(k, t)| {
                if matches!(t, Template::Query(_)) {
                    format!("{k}.$")
                } else {
                    k.clone()
                }
            })
            .collect(),
        Template::Literal(Value::Object(map)) => map.keys().cloned().collect(),
        _ => {
            problems.push(Problem::schema(
                at,
                "The field 'Credentials' must be a JSON object with a 'RoleArn'",
            ));
            return;
        }
    };
    for key in &keys {
        if key != "RoleArn" && key != "RoleArn.$" {
            let hint =
                if key.eq_ignore_ascii_case("rolearn") || key.eq_ignore_ascii_case("rolearn.$") {
                    " (did you mean 'RoleArn'?)"
                } else {
                    ""
                };
            problems.push(Problem::schema(
                at,
                format!("Field '{key}' is not supported{hint}"),
            ));
        }
    }
    if !keys.iter().any(|k| k == "RoleArn" || k == "RoleArn.$") {
        problems.push(Problem::schema(
            at,
            "The field 'RoleArn' is required but was missing",
        ));
    }
}
