//! The context object (`$$`), built only when something reads it.
//!
//! `$$.Execution.Input` holds the whole execution input, so building the object for every state
//! would copy that input once per state. Most states never look at `$$`; they pay nothing.

use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use serde_json::{json, Map, Value};

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
    map_item: Option<Value>,
    built: OnceLock<Value>,
}

#[derive(Clone)]
enum Base {
    /// A context object given whole (TestState's `context`, or none at all).
    Given(Arc<Value>),
    /// The state being visited in an execution.
    State {
        execution: Arc<Value>,
        state_machine: Arc<Value>,
        state: Arc<str>,
        entered_time: Arc<str>,
        retry_count: Option<u32>,
    },
}

impl ContextObject {
    /// A context object used as given.
    pub fn from_value(value: Value) -> Self {
        Self::with_base(Base::Given(Arc::new(value)))
    }

    /// The context of the state `state` entered at `entered_time` (RFC 3339) in the execution
    /// described by `execution` (`$$.Execution`) and `state_machine` (`$$.StateMachine`).
    pub fn for_state(
        execution: Arc<Value>,
        state_machine: Arc<Value>,
        state: &str,
        entered_time: String,
        retry_count: Option<u32>,
    ) -> Self {
        Self::with_base(Base::State {
            execution,
            state_machine,
            state: state.into(),
            entered_time: entered_time.into(),
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

    fn derived(&self, task_token: Option<String>, map_item: Option<Value>) -> Self {
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
    pub fn with_map_item(&self, item: Value) -> Self {
        self.derived(None, Some(item))
    }

    /// The JSON object, built on first use.
    pub fn value(&self) -> &Value {
        self.inner.built.get_or_init(|| self.inner.build())
    }
}

impl Inner {
    fn build(&self) -> Value {
        let mut value = match &self.base {
            Base::Given(v) => Value::clone(v),
            Base::State {
                execution,
                state_machine,
                state,
                entered_time,
                retry_count,
            } => {
                let mut state_obj = Map::new();
                state_obj.insert("EnteredTime".into(), entered_time.as_ref().into());
                state_obj.insert("Name".into(), state.as_ref().into());
                if let Some(n) = retry_count {
                    state_obj.insert("RetryCount".into(), (*n).into());
                }
                json!({
                    "Execution": Value::clone(execution),
                    "State": state_obj,
                    "StateMachine": Value::clone(state_machine),
                })
            }
        };
        if let Some(object) = value.as_object_mut() {
            if let Some(token) = &self.task_token {
                object.insert("Task".into(), json!({ "Token": token }));
            }
            if let Some(item) = &self.map_item {
                object.insert("Map".into(), json!({ "Item": item }));
            }
        }
        value
    }
}

impl Deref for ContextObject {
    type Target = Value;

    fn deref(&self) -> &Value {
        self.value()
    }
}

impl Default for ContextObject {
    fn default() -> Self {
        Self::from_value(Value::Object(Map::new()))
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

    #[test]
    fn state_context_has_aws_shape_and_additions() {
        let execution = Arc::new(json!({"Id": "e", "Input": {"a": 1}}));
        let machine = Arc::new(json!({"Id": "m", "Name": "M"}));
        let context = ContextObject::for_state(
            execution,
            machine,
            "S",
            "2024-01-01T00:00:00.000Z".into(),
            Some(2),
        );
        assert_eq!(context["State"]["RetryCount"], 2);
        assert_eq!(context["Execution"]["Input"]["a"], 1);
        assert!(context.get("Task").is_none());
        let with_token = context.with_task_token("t");
        assert_eq!(with_token["Task"]["Token"], "t");
        let item = with_token.with_map_item(json!({"Index": 0, "Value": 5}));
        assert_eq!(item["Map"]["Item"]["Value"], 5);
        assert_eq!(item["Task"]["Token"], "t");
    }

    #[test]
    fn given_context_is_used_as_is() {
        let context = ContextObject::from_value(json!({"Execution": {"Name": "x"}}));
        assert_eq!(context["Execution"]["Name"], "x");
        assert!(context.get("State").is_none());
    }
}
