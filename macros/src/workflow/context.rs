//! `context.execution.id` and its kin: the fields of the context object (`$$` in JSONPath,
//! `$states.context` in JSONata) a template may read, with the Rust type each one has.

use proc_macro2::Span;
use syn::Ident;

/// What a context field holds, which decides the types a template field may take from it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ContextKind {
    /// An id, a name, an ARN, a token or an ISO-8601 timestamp.
    Text,
    /// A whole number (`state.retry_count`, `map.item.index`).
    Count,
    /// The execution's input: the workflow's input type.
    ExecutionInput,
    /// The Map item being processed: the Map's item type.
    ItemValue,
}

/// One readable field: how the DSL names it, where the context object keeps it, its kind.
#[derive(Debug)]
pub struct ContextField {
    pub dsl: &'static str,
    pub asl: &'static str,
    pub kind: ContextKind,
}

/// Every field a workflow may read. AWS's context object has these (and a few more that depend
/// on the service, such as `Task.Token` only in callback tasks).
pub const FIELDS: &[ContextField] = &[
    field("execution.id", "$$.Execution.Id", ContextKind::Text),
    field("execution.name", "$$.Execution.Name", ContextKind::Text),
    field(
        "execution.start_time",
        "$$.Execution.StartTime",
        ContextKind::Text,
    ),
    field(
        "execution.role_arn",
        "$$.Execution.RoleArn",
        ContextKind::Text,
    ),
    field(
        "execution.input",
        "$$.Execution.Input",
        ContextKind::ExecutionInput,
    ),
    field("state_machine.id", "$$.StateMachine.Id", ContextKind::Text),
    field(
        "state_machine.name",
        "$$.StateMachine.Name",
        ContextKind::Text,
    ),
    field("state.name", "$$.State.Name", ContextKind::Text),
    field(
        "state.entered_time",
        "$$.State.EnteredTime",
        ContextKind::Text,
    ),
    field(
        "state.retry_count",
        "$$.State.RetryCount",
        ContextKind::Count,
    ),
    field("map.item.index", "$$.Map.Item.Index", ContextKind::Count),
    field(
        "map.item.value",
        "$$.Map.Item.Value",
        ContextKind::ItemValue,
    ),
    field("task.token", "$$.Task.Token", ContextKind::Text),
];

const fn field(dsl: &'static str, asl: &'static str, kind: ContextKind) -> ContextField {
    ContextField { dsl, asl, kind }
}

/// `context.a.b` as written: the segments after `context` and where they are.
#[derive(Clone)]
pub struct ContextRef {
    pub segments: Vec<Ident>,
    pub span: Span,
}

impl ContextRef {
    /// The field this names, or an error at the first segment that names nothing, listing what
    /// is there and suggesting the nearest.
    pub fn resolve(&self) -> syn::Result<&'static ContextField> {
        let written: Vec<String> = self.segments.iter().map(Ident::to_string).collect();
        let joined = written.join(".");
        if let Some(found) = FIELDS.iter().find(|f| f.dsl == joined) {
            return Ok(found);
        }
        // The longest prefix that still leads somewhere locates the mistake.
        let mut depth = 0;
        while depth < written.len() {
            let prefix = written[..=depth].join(".");
            let leads = FIELDS
                .iter()
                .any(|f| f.dsl == prefix || f.dsl.starts_with(&format!("{prefix}.")));
            if !leads {
                break;
            }
            depth += 1;
        }
        let at = self
            .segments
            .get(depth)
            .or(self.segments.last())
            .map_or(self.span, Ident::span);
        let mut message = format!("the context object has no field `context.{joined}`");
        let nearest = stepfn_codegen::similar::nearest(&joined, FIELDS.iter().map(|f| f.dsl));
        if let Some(name) = nearest {
            message.push_str(&format!("; did you mean `context.{name}`?"));
        }
        let all: Vec<String> = FIELDS.iter().map(|f| format!("`{}`", f.dsl)).collect();
        message.push_str(&format!(
            "\nnote: a workflow can read {} from the context",
            all.join(", ")
        ));
        Err(syn::Error::new(at, message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::format_ident;

    fn reference(path: &str) -> ContextRef {
        ContextRef {
            segments: path.split('.').map(|s| format_ident!("{s}")).collect(),
            span: Span::call_site(),
        }
    }

    #[test]
    fn every_field_resolves_to_a_context_path() {
        for f in FIELDS {
            let found = reference(f.dsl).resolve().unwrap();
            assert!(found.asl.starts_with("$$."), "{}", found.asl);
        }
        assert_eq!(
            reference("task.token").resolve().unwrap().asl,
            "$$.Task.Token"
        );
    }

    #[test]
    fn a_misspelt_field_suggests_the_nearest() {
        let error = reference("execution.nmae")
            .resolve()
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("did you mean `context.execution.name`"),
            "{error}"
        );
        let error = reference("task").resolve().unwrap_err().to_string();
        assert!(error.contains("no field `context.task`"), "{error}");
    }
}
