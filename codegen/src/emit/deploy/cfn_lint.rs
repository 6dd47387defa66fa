//! Where cfn-lint's schema of ASL is narrower than what AWS accepts.
//!
//! cfn-lint's rule E3601 checks an `AWS::StepFunctions::StateMachine`'s `Definition` (and a
//! `DefinitionString` that is a plain string) against its own JSON Schema of ASL
//! (`cfnlint/data/schemas/other/step_functions/statemachine.json`, cfn-lint 1.x). In the places
//! below that schema rejects definitions AWS validates and runs; [`gap`] finds the first one, so
//! that the emitter can put such a definition where cfn-lint does not look. Each rule mirrors
//! one spot of the schema and says which; a place it misses shows up as a cfn-lint finding in
//! `examples/tests/deploy_tools.rs`, which lints what stepfn emits for the definitions AWS ran.

use serde_json::{Map, Value};

use crate::Pointer;

/// Where the schema would reject `definition` (the emitted ASL) and why; `None` when it fits.
pub(super) fn gap(definition: &Value) -> Option<(Pointer, &'static str)> {
    // cfn-lint picks its JSONata variant of the schema (expressions allowed in Wait's Seconds
    // and as Arguments) from the machine's QueryLanguage only, not from a state's.
    let jsonata_machine =
        definition.get("QueryLanguage").and_then(Value::as_str) == Some("JSONata");
    scope_gap(definition, &Pointer::root(), jsonata_machine)
}

/// The gaps of a scope (the machine, a Parallel branch, a Map's processor) and of its nested
/// scopes.
fn scope_gap(
    scope: &Value,
    at: &Pointer,
    jsonata_machine: bool,
) -> Option<(Pointer, &'static str)> {
    let states = scope.get("States")?.as_object()?;
    let at = at.key("States");
    states.iter().find_map(|(name, state)| {
        let at = at.key(name);
        let state = state.as_object()?;
        state_gap(state, &at, jsonata_machine).or_else(|| {
            let branches = state.get("Branches").and_then(Value::as_array);
            let in_branches = branches
                .into_iter()
                .flatten()
                .enumerate()
                .find_map(|(i, b)| scope_gap(b, &at.key("Branches").index(i), jsonata_machine));
            in_branches.or_else(|| {
                ["ItemProcessor", "Iterator"]
                    .into_iter()
                    .find_map(|key| scope_gap(state.get(key)?, &at.key(key), jsonata_machine))
            })
        })
    })
}

/// Fields the schema types as a number or an integer, where ASL also takes a JSONata
/// expression. cfn-lint coerces scalars the way CloudFormation does (a fraction passes as an
/// integer, a numeric string as a number), so only an expression trips it.
const NUMBERS: [&str; 5] = [
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "MaxConcurrency",
    "ToleratedFailureCount",
    "ToleratedFailurePercentage",
];

const OUTPUT: &str =
    "cfn-lint's schema types Output as a string or an object, where JSONata takes any JSON value";

fn state_gap(
    state: &Map<String, Value>,
    at: &Pointer,
    jsonata_machine: bool,
) -> Option<(Pointer, &'static str)> {
    let kind = state
        .get("Type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if kind == "Succeed" {
        // Its schema has no InputPath, OutputPath or QueryLanguage, which ASL allows.
        return state
            .keys()
            .find(|k| !matches!(k.as_str(), "Type" | "Comment" | "Output"))
            .map(|k| {
                (
                    at.key(k),
                    "cfn-lint's schema allows only Type, Comment and Output on a Succeed state",
                )
            });
    }
    for field in NUMBERS {
        if state.get(field).is_some_and(Value::is_string) {
            return Some((
                at.key(field),
                "cfn-lint's schema types this field as a number, not a JSONata expression",
            ));
        }
    }
    if !jsonata_machine {
        if kind == "Wait" && state.get("Seconds").is_some_and(Value::is_string) {
            return Some((at.key("Seconds"), "cfn-lint's schema takes a JSONata expression as Seconds only when the whole machine is JSONata"));
        }
        if state.get("Arguments").is_some_and(Value::is_string) {
            return Some((at.key("Arguments"), "cfn-lint's schema takes a JSONata expression as Arguments only when the whole machine is JSONata"));
        }
    }
    if kind == "Parallel" && state.contains_key("Parameters") {
        return Some((
            at.key("Parameters"),
            "cfn-lint's schema has no Parameters on a Parallel state, which ASL allows",
        ));
    }
    // A scalar passes as a string (the coercion again); a list does not.
    if state.get("Output").is_some_and(Value::is_array) {
        return Some((at.key("Output"), OUTPUT));
    }
    if kind == "Choice" {
        let rules = state.get("Choices").and_then(Value::as_array);
        for (i, rule) in rules.into_iter().flatten().enumerate() {
            if rule.get("Output").is_some_and(Value::is_array) {
                return Some((at.key("Choices").index(i).key("Output"), OUTPUT));
            }
        }
    }
    if kind == "Task" {
        if let Some(resource) = state.get("Resource").and_then(Value::as_str) {
            if !fits_resource_pattern(resource) && !is_placeholder(resource) {
                return Some((at.key("Resource"), "cfn-lint's schema wants a Resource of the form arn:aws:service:region:account:type:name[:qualifier], without another partition or a placeholder inside"));
            }
        }
    }
    None
}

/// cfn-lint passes over a string that is exactly one `${Name}` of `DefinitionSubstitutions`
/// (which the emitter always writes for each placeholder), and nothing else with one inside.
fn is_placeholder(s: &str) -> bool {
    s.strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
        .is_some_and(|name| !name.is_empty() && !name.contains(['{', '}', '$']))
}

/// The schema's pattern for a Task's Resource,
/// `^arn:aws:([a-z]|-)+:([a-z]|[0-9]|-)*:[0-9]*:([a-z]|-)+:[a-zA-Z0-9-_.]+(:(\$LATEST|[a-zA-Z0-9-_\.]+))?$`;
/// no class in it takes a ':', so it matches field by field.
fn fits_resource_pattern(resource: &str) -> bool {
    let fields: Vec<&str> = resource.split(':').collect();
    if !(7..=8).contains(&fields.len()) || fields[0] != "arn" || fields[1] != "aws" {
        return false;
    }
    let all = |s: &str, ok: fn(char) -> bool| s.chars().all(ok);
    let lower_dash = |c: char| c.is_ascii_lowercase() || c == '-';
    let name = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    !fields[2].is_empty()
        && all(fields[2], lower_dash)
        && all(fields[3], |c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
        })
        && all(fields[4], |c| c.is_ascii_digit())
        && !fields[5].is_empty()
        && all(fields[5], lower_dash)
        && !fields[6].is_empty()
        && all(fields[6], name)
        && fields
            .get(7)
            .is_none_or(|q| *q == "$LATEST" || (!q.is_empty() && all(q, name)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn machine(state: Value) -> Value {
        json!({"StartAt": "S", "States": {"S": state}})
    }

    fn at(definition: &Value) -> Option<String> {
        gap(definition).map(|(p, _)| p.to_string())
    }

    #[test]
    fn the_resource_pattern_is_the_schemas() {
        for ok in [
            "arn:aws:lambda:eu-west-1:123456789012:function:charge",
            "arn:aws:lambda:eu-west-1:123456789012:function:charge:$LATEST",
            "arn:aws:lambda:eu-west-1:123456789012:function:charge:live",
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "arn:aws:states:::aws-sdk:dynamodb:getItem",
            "arn:aws:states:eu-west-1:123456789012:activity:approve",
        ] {
            assert!(fits_resource_pattern(ok), "{ok}");
        }
        for no in [
            "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:charge",
            "arn:aws-cn:states:::sqs:sendMessage",
            "arn:aws:lambda:${Region}:123456789012:function:charge",
            "arn:aws:lambda:eu-west-1:123456789012:function:charge:live:extra",
            "arn:aws:lambda:eu-west-1:123456789012:function:",
            "${ChargeArn}",
        ] {
            assert!(!fits_resource_pattern(no), "{no}");
        }
        assert!(is_placeholder("${ChargeArn}"));
        assert!(!is_placeholder("${ChargeArn}:live"));
        assert!(!is_placeholder("${A}${B}"));
    }

    #[test]
    fn what_the_schema_takes_has_no_gap() {
        let lambda = "arn:aws:lambda:eu-west-1:123456789012:function:charge";
        for state in [
            json!({"Type": "Task", "Resource": lambda, "TimeoutSeconds": 30, "HeartbeatSeconds": 10, "End": true}),
            json!({"Type": "Task", "Resource": "${ChargeArn}", "End": true}),
            json!({"Type": "Parallel", "Branches": [], "End": true}),
            json!({"Type": "Map", "MaxConcurrency": 2, "ToleratedFailurePercentage": 5, "ItemProcessor": {"StartAt": "X", "States": {}}, "End": true}),
            json!({"Type": "Succeed", "Comment": "done", "Output": [1]}),
            json!({"Type": "Wait", "Seconds": 5, "End": true}),
            json!({"Type": "Map", "ToleratedFailurePercentage": 12.5, "ItemProcessor": {"StartAt": "X", "States": {}}, "End": true}),
            json!({"Type": "Pass", "QueryLanguage": "JSONata", "Output": 1.5, "End": true}),
            json!({"Type": "Pass", "QueryLanguage": "JSONata", "Output": null, "End": true}),
        ] {
            assert_eq!(at(&machine(state.clone())), None, "{state}");
        }
        let jsonata = json!({"QueryLanguage": "JSONata", "StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": "{% $states.input.delay %}", "Next": "T"},
            "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": "{% $states.input %}", "Output": "{% $states.result %}", "End": true}}});
        assert_eq!(at(&jsonata), None);
    }

    #[test]
    fn each_narrow_spot_is_found_where_it_is() {
        let lambda = "arn:aws:lambda:eu-west-1:123456789012:function:charge";
        let processor = json!({"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}});
        let cases = [
            (
                json!({"Type": "Task", "Resource": lambda, "TimeoutSeconds": "{% $t %}", "End": true}),
                "/States/S/TimeoutSeconds",
            ),
            (
                json!({"Type": "Task", "Resource": lambda, "HeartbeatSeconds": "{% $t %}", "End": true}),
                "/States/S/HeartbeatSeconds",
            ),
            (
                json!({"Type": "Map", "ItemProcessor": processor, "MaxConcurrency": "{% 2 %}", "End": true}),
                "/States/S/MaxConcurrency",
            ),
            (
                json!({"Type": "Map", "ItemProcessor": processor, "ToleratedFailureCount": "{% 2 %}", "End": true}),
                "/States/S/ToleratedFailureCount",
            ),
            (
                json!({"Type": "Map", "ItemProcessor": processor, "ToleratedFailurePercentage": "{% 5 %}", "End": true}),
                "/States/S/ToleratedFailurePercentage",
            ),
            (
                json!({"Type": "Wait", "QueryLanguage": "JSONata", "Seconds": "{% 1 %}", "End": true}),
                "/States/S/Seconds",
            ),
            (
                json!({"Type": "Task", "QueryLanguage": "JSONata", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": "{% $states.input %}", "End": true}),
                "/States/S/Arguments",
            ),
            (
                json!({"Type": "Parallel", "Parameters": {"a": 1}, "Branches": [], "End": true}),
                "/States/S/Parameters",
            ),
            (
                json!({"Type": "Pass", "QueryLanguage": "JSONata", "Output": [1, 2], "End": true}),
                "/States/S/Output",
            ),
            (
                json!({"Type": "Choice", "QueryLanguage": "JSONata", "Choices": [{"Condition": "{% true %}", "Next": "S", "Output": [1]}]}),
                "/States/S/Choices/0/Output",
            ),
            (
                json!({"Type": "Succeed", "InputPath": "$.a"}),
                "/States/S/InputPath",
            ),
            (
                json!({"Type": "Task", "Resource": "arn:aws-cn:states:::sqs:sendMessage", "End": true}),
                "/States/S/Resource",
            ),
        ];
        for (state, pointer) in cases {
            assert_eq!(
                at(&machine(state.clone())).as_deref(),
                Some(pointer),
                "{state}"
            );
        }
        let nested = machine(json!({"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}},
            {"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemProcessor":
                {"StartAt": "X", "States": {"X": {"Type": "Succeed", "OutputPath": "$.x"}}}}}}]}));
        assert_eq!(
            at(&nested).as_deref(),
            Some("/States/S/Branches/1/States/M/ItemProcessor/States/X/OutputPath")
        );
    }
}
