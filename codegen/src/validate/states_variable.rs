//! Where the members of `$states` may be read: `$states.result` only in the `Output` and
//! `Assign` of a Task, Parallel or Map state, `$states.errorOutput` only in a catcher's
//! `Output` and `Assign`. AWS rejects a definition that reads them anywhere else.

use crate::{
    Assign, Condition, Jsonata, MaybeJsonata, Pointer, Problem, State, StateMachine, Template,
};

/// Which of the conditional `$states` members a field may read.
#[derive(Clone, Copy)]
struct Allowed {
    result: bool,
    error_output: bool,
}

const NEITHER: Allowed = Allowed {
    result: false,
    error_output: false,
};

pub(super) fn check(machine: &StateMachine, problems: &mut Vec<Problem>) {
    super::walk::each_state(&machine.states, &Pointer::root(), &mut |_, state, ptr| {
        let mut fields = Fields {
            problems,
            allowed: NEITHER,
        };
        let has_result = matches!(state, State::Task(_) | State::Parallel(_) | State::Map(_));
        fields.allowed.result = has_result;
        if let Some(output) = state.output() {
            fields.template(output, &ptr.key("Output"));
        }
        if let Some(assign) = state.assign() {
            fields.assign(assign, &ptr.key("Assign"));
        }
        fields.allowed = NEITHER;
        for (i, catcher) in state.catch().unwrap_or_default().iter().enumerate() {
            let at = ptr.key("Catch").index(i);
            fields.allowed.error_output = true;
            if let Some(output) = &catcher.output {
                fields.template(output, &at.key("Output"));
            }
            if let Some(assign) = &catcher.assign {
                fields.assign(assign, &at.key("Assign"));
            }
            fields.allowed = NEITHER;
        }
        match state {
            State::Task(t) => {
                fields.optional(t.arguments.as_ref(), ptr, "Arguments");
                fields.optional(t.credentials.as_ref(), ptr, "Credentials");
                fields.maybe(&t.timeout_seconds, ptr, "TimeoutSeconds");
                fields.maybe(&t.heartbeat_seconds, ptr, "HeartbeatSeconds");
            }
            State::Parallel(p) => fields.optional(p.arguments.as_ref(), ptr, "Arguments"),
            State::Map(m) => {
                fields.optional(m.items.as_ref(), ptr, "Items");
                fields.optional(m.item_selector.as_ref(), ptr, "ItemSelector");
                fields.maybe(&m.max_concurrency, ptr, "MaxConcurrency");
                fields.maybe(&m.tolerated_failure_count, ptr, "ToleratedFailureCount");
                fields.maybe(
                    &m.tolerated_failure_percentage,
                    ptr,
                    "ToleratedFailurePercentage",
                );
                if let Some(reader) = &m.item_reader {
                    let at = ptr.key("ItemReader");
                    fields.optional(reader.arguments.as_ref(), &at, "Arguments");
                    if let Some(config) = &reader.reader_config {
                        fields.maybe(&config.max_items, &at.key("ReaderConfig"), "MaxItems");
                    }
                }
                if let Some(batcher) = &m.item_batcher {
                    let at = ptr.key("ItemBatcher");
                    fields.optional(batcher.batch_input.as_ref(), &at, "BatchInput");
                    fields.maybe(&batcher.max_items_per_batch, &at, "MaxItemsPerBatch");
                    fields.maybe(
                        &batcher.max_input_bytes_per_batch,
                        &at,
                        "MaxInputBytesPerBatch",
                    );
                }
                if let Some(writer) = &m.result_writer {
                    let at = ptr.key("ResultWriter");
                    fields.optional(writer.arguments.as_ref(), &at, "Arguments");
                }
            }
            State::Wait(w) => {
                fields.maybe(&w.seconds, ptr, "Seconds");
                fields.maybe(&w.timestamp, ptr, "Timestamp");
            }
            State::Fail(f) => {
                fields.maybe(&f.error, ptr, "Error");
                fields.maybe(&f.cause, ptr, "Cause");
            }
            State::Choice(c) => {
                for (i, rule) in c.choices.iter().enumerate() {
                    let at = ptr.key("Choices").index(i);
                    if let Condition::Jsonata(MaybeJsonata::Jsonata(j)) = &rule.condition {
                        fields.expression(j, &at.key("Condition"));
                    }
                    if let Some(output) = &rule.output {
                        fields.template(output, &at.key("Output"));
                    }
                    if let Some(assign) = &rule.assign {
                        fields.assign(assign, &at.key("Assign"));
                    }
                }
            }
            State::Pass(_) | State::Succeed(_) => {}
        }
    });
}

struct Fields<'p> {
    problems: &'p mut Vec<Problem>,
    allowed: Allowed,
}

impl Fields<'_> {
    fn optional(&mut self, template: Option<&Template>, at: &Pointer, field: &str) {
        if let Some(t) = template {
            self.template(t, &at.key(field));
        }
    }

    fn maybe<T>(&mut self, value: &Option<MaybeJsonata<T>>, at: &Pointer, field: &str) {
        if let Some(MaybeJsonata::Jsonata(j)) = value {
            self.expression(j, &at.key(field));
        }
    }

    fn assign(&mut self, assign: &Assign, at: &Pointer) {
        for (name, template) in &assign.0 {
            self.template(template, &at.key(name));
        }
    }

    fn template(&mut self, template: &Template, at: &Pointer) {
        match template {
            Template::Jsonata(j) => self.expression(j, at),
            Template::Object(members) => {
                for (name, member) in members {
                    self.template(member, &at.key(name));
                }
            }
            Template::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.template(item, &at.index(i));
                }
            }
            Template::Literal(_) | Template::Query(_) => {}
        }
    }

    fn expression(&mut self, expression: &Jsonata, at: &Pointer) {
        for (variable, member) in expression.compiled().member_reads() {
            if variable != "states" {
                continue;
            }
            let where_allowed = match member.as_str() {
                "result" if !self.allowed.result => {
                    "the Output and Assign of a Task, Parallel or Map state"
                }
                "errorOutput" if !self.allowed.error_output => "the Output and Assign of a catcher",
                _ => continue,
            };
            self.problems.push(Problem::schema(
                at,
                format!("The JSONata expression '{}' reads '$states.{member}', which is available only in {where_allowed}", expression.expression().trim()),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{check, CheckOptions};

    fn problems(states: &str) -> Vec<String> {
        let text = format!(r#"{{"QueryLanguage": "JSONata", "StartAt": "A", "States": {states}}}"#);
        match check(&text, &CheckOptions::default()) {
            Ok(_) => Vec::new(),
            Err(p) => p
                .iter()
                .map(|p| format!("{} {}", p.location(), p.message))
                .collect(),
        }
    }

    #[test]
    fn result_and_error_output_only_where_aws_binds_them() {
        assert!(problems(
            r#"{"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Output": "{% $states.result.Payload %}", "Assign": {"x": "{% $states.result %}"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Output": {"e": "{% $states.errorOutput %}"}, "Next": "B"}],
                "End": true},
              "B": {"Type": "Pass", "End": true}}"#
        )
        .is_empty());
        let found = problems(
            r#"{"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"p": "{% $states.result %}"}, "Next": "B"},
              "B": {"Type": "Pass", "Output": "{% $states.errorOutput.Cause %}", "End": true}}"#,
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("/States/A/Arguments/p "), "{found:?}");
        assert!(found[1].starts_with("/States/B/Output "), "{found:?}");
        assert!(found[1].contains("'$states.errorOutput'"), "{found:?}");
    }
}
