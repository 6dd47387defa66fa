//! The context object (`$$`), built only when something reads it.
//!
//! `$$.Execution.Input` holds the whole execution input, so building the object for every state
//! would copy that input once per state. Most states never look at `$$`; they pay nothing.

use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::data::{Data, Object};

/// The context object of one state visit (or of a task call, a Map iteration...).
///
/// Cheap to clone; dereferences to the JSON object Step Functions would show as `$$`.
#[derive(Clone)]
pub struct ContextObject {
    inner: Arc<Inner>,
}

struct Inner {
    base: Base,
    task_token: Option<String>,
    map_item: Option<Data>,
    built: OnceLock<Data>,
}

#[derive(Clone)]
enum Base {
    /// A context object given whole (TestState's `context`, or none at all).
    Given(Data),
    /// The state being visited in an execution.
    State {
        execution: Data,
        state_machine: Data,
        state: Arc<str>,
        /// Milliseconds since the Unix epoch; formatted only when the object is built.
        entered_millis: i64,
        retry_count: Option<u32>,
    },
}

impl ContextObject {
    /// A context object used as given.
    pub fn from_value(value: Value) -> Self {
        Self::with_base(Base::Given(Data::from(value)))
    }

    /// The context of the state `state` entered at `entered_millis` (since the Unix epoch) in
    /// the execution described by `execution` (`$$.Execution`) and `state_machine`
    /// (`$$.StateMachine`).
    pub fn for_state(
        execution: Data,
        state_machine: Data,
        state: Arc<str>,
        entered_millis: i64,
        retry_count: Option<u32>,
    ) -> Self {
        Self::with_base(Base::State {
            execution,
            state_machine,
            state,
            entered_millis,
            retry_count,
        })
    }

    fn with_base(base: Base) -> Self {
        Self {
            inner: Arc::new(Inner {
                base,
                task_token: None,
                map_item: None,
                built: OnceLock::new(),
            }),
        }
    }

    fn derived(&self, task_token: Option<String>, map_item: Option<Data>) -> Self {
        Self {
            inner: Arc::new(Inner {
                base: self.inner.base.clone(),
                task_token: task_token.or_else(|| self.inner.task_token.clone()),
                map_item: map_item.or_else(|| self.inner.map_item.clone()),
                built: OnceLock::new(),
            }),
        }
    }

    /// The same context with `$$.Task.Token`.
    pub fn with_task_token(&self, token: &str) -> Self {
        self.derived(Some(token.to_string()), None)
    }

    /// The same context with `$$.Map.Item` (`{"Index", "Key"?, "Value"}`).
    pub fn with_map_item(&self, item: Data) -> Self {
        self.derived(None, Some(item))
    }

    /// The JSON object, built on first use.
    pub fn value(&self) -> &Data {
        self.inner.built.get_or_init(|| self.inner.build())
    }
}

fn object<const N: usize>(members: [(&str, Data); N]) -> Data {
    Data::object(members.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

impl Inner {
    fn build(&self) -> Data {
        let mut value = match &self.base {
            Base::Given(v) => v.clone(),
            Base::State {
                execution,
                state_machine,
                state,
                entered_millis,
                retry_count,
            } => {
                let mut state_obj = Object::with_capacity_and_hasher(3, Default::default());
                state_obj.insert(
                    "EnteredTime".into(),
                    stepfn_codegen::format_rfc3339_millis(*entered_millis).into(),
                );
                state_obj.insert("Name".into(), Data::String(state.clone()));
                if let Some(n) = retry_count {
                    state_obj.insert("RetryCount".into(), (*n).into());
                }
                object([
                    ("Execution", execution.clone()),
                    ("State", Data::object(state_obj)),
                    ("StateMachine", state_machine.clone()),
                ])
            }
        };
        if let Some(members) = value.object_mut() {
            if let Some(token) = &self.task_token {
                members.insert("Task".into(), object([("Token", token.as_str().into())]));
            }
            if let Some(item) = &self.map_item {
                members.insert("Map".into(), object([("Item", item.clone())]));
            }
        }
        value
    }
}

impl Deref for ContextObject {
    type Target = Data;

    fn deref(&self) -> &Data {
        self.value()
    }
}

impl Default for ContextObject {
    fn default() -> Self {
        Self::with_base(Base::Given(Data::empty_object()))
    }
}

impl std::fmt::Debug for ContextObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.value().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn state_context_has_aws_shape_and_additions() {
        let execution = Data::from(json!({"Id": "e", "Input": {"a": 1}}));
        let machine = Data::from(json!({"Id": "m", "Name": "M"}));
        let context =
            ContextObject::for_state(execution, machine, "S".into(), 1_704_067_200_000, Some(2));
        assert_eq!(context["State"]["EnteredTime"], "2024-01-01T00:00:00.000Z");
        assert!(context["State"]["RetryCount"] == json!(2));
        assert!(context["Execution"]["Input"]["a"] == json!(1));
        assert!(context.get("Task").is_none());
        let with_token = context.with_task_token("t");
        assert_eq!(with_token["Task"]["Token"], "t");
        let item = with_token.with_map_item(Data::from(json!({"Index": 0, "Value": 5})));
        assert!(item["Map"]["Item"]["Value"] == json!(5));
        assert_eq!(item["Task"]["Token"], "t");
    }

    #[test]
    fn given_context_is_used_as_is() {
        let context = ContextObject::from_value(json!({"Execution": {"Name": "x"}}));
        assert_eq!(context["Execution"]["Name"], "x");
        assert!(context.get("State").is_none());
    }
}
