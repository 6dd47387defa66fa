//! The context object (`$$`), built only when something reads it.
//!
//! `$$.Execution.Input` holds the whole execution input, so building the object for every state
//! would copy that input once per state. Most states never look at `$$`; they pay nothing.

use std::borrow::Cow;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::data::{Data, Object};
use crate::state_name::StateName;

/// `$$.Execution` and `$$.StateMachine` of one execution, shared by all its states and built
/// the first time a state reads `$$`: most executions never do, and skip the execution name,
/// the ARNs and the start time's text.
pub struct ExecutionContext {
    execution: OnceLock<Data>,
    state_machine: OnceLock<Data>,
    recipe: Recipe,
}

enum Recipe {
    Lazy(ExecutionRecipe),
    Given {
        region: Cow<'static, str>,
        account: Cow<'static, str>,
    },
}

/// What `$$.Execution` and `$$.StateMachine` are made of.
#[derive(Clone, Debug)]
pub struct ExecutionRecipe {
    /// The execution input (`$$.Execution.Input`).
    pub input: Data,
    /// The execution name; a UUID is drawn when absent.
    pub name: Option<String>,
    /// The state machine's name.
    pub state_machine_name: Cow<'static, str>,
    /// The region in ARNs.
    pub region: Cow<'static, str>,
    /// The account in ARNs.
    pub account: Cow<'static, str>,
    /// `$$.Execution.RoleArn`.
    pub role_arn: Cow<'static, str>,
    /// When the execution started, in milliseconds since the Unix epoch.
    pub start_millis: i64,
    /// Express executions have `express:` ARNs and no redrive count.
    pub express: bool,
    /// How many times the execution was redriven (`$$.Execution.RedriveCount`).
    pub redrive_count: u32,
}

impl ExecutionContext {
    /// A context built from `recipe` when first read.
    pub fn lazy(recipe: ExecutionRecipe) -> Self {
        ExecutionContext {
            execution: OnceLock::new(),
            state_machine: OnceLock::new(),
            recipe: Recipe::Lazy(recipe),
        }
    }

    /// A context given whole (a Map Run's child execution, TestState), in `region` and
    /// `account`.
    pub fn given(
        execution: Data,
        state_machine: Data,
        region: Cow<'static, str>,
        account: Cow<'static, str>,
    ) -> Self {
        ExecutionContext {
            execution: OnceLock::from(execution),
            state_machine: OnceLock::from(state_machine),
            recipe: Recipe::Given { region, account },
        }
    }

    /// `$$.Execution`.
    pub fn execution(&self) -> &Data {
        self.execution.get_or_init(|| match &self.recipe {
            Recipe::Lazy(r) => r.execution(),
            Recipe::Given { .. } => Data::empty_object(),
        })
    }

    /// `$$.StateMachine`.
    pub fn state_machine(&self) -> &Data {
        self.state_machine.get_or_init(|| match &self.recipe {
            Recipe::Lazy(r) => r.state_machine(),
            Recipe::Given { .. } => Data::empty_object(),
        })
    }

    /// The region in the execution's ARNs.
    pub fn region(&self) -> &str {
        match &self.recipe {
            Recipe::Lazy(r) => &r.region,
            Recipe::Given { region, .. } => region,
        }
    }

    /// The account in the execution's ARNs.
    pub fn account(&self) -> &str {
        match &self.recipe {
            Recipe::Lazy(r) => &r.account,
            Recipe::Given { account, .. } => account,
        }
    }
}

impl ExecutionRecipe {
    fn state_machine_arn(&self) -> String {
        format!(
            "arn:aws:states:{}:{}:stateMachine:{}",
            self.region, self.account, self.state_machine_name
        )
    }

    fn execution(&self) -> Data {
        let name = self
            .name
            .clone()
            .unwrap_or_else(|| crate::random::uuid_v4().to_string());
        let arn = if self.express {
            format!(
                "arn:aws:states:{}:{}:express:{}:{}:{}",
                self.region,
                self.account,
                self.state_machine_name,
                name,
                crate::random::uuid_v4()
            )
        } else {
            format!(
                "arn:aws:states:{}:{}:execution:{}:{}",
                self.region, self.account, self.state_machine_name, name
            )
        };
        let mut execution = Object::with_capacity(6);
        execution.insert("Id".into(), arn.into());
        execution.insert("Input".into(), self.input.clone());
        execution.insert("Name".into(), name.into());
        execution.insert("RoleArn".into(), self.role_arn.as_ref().into());
        execution.insert(
            "StartTime".into(),
            stepfn_codegen::format_rfc3339_millis(self.start_millis).into(),
        );
        if !self.express {
            execution.insert("RedriveCount".into(), self.redrive_count.into());
        }
        Data::object(execution)
    }

    fn state_machine(&self) -> Data {
        object([
            ("Id", self.state_machine_arn().into()),
            ("Name", self.state_machine_name.as_ref().into()),
        ])
    }
}

/// The context object of one state visit (or of a task call, a Map iteration...).
///
/// Cheap to make and to clone (no allocation until something reads it); dereferences to the
/// JSON object Step Functions would show as `$$`.
#[derive(Clone)]
pub struct ContextObject {
    inner: Inner,
}

#[derive(Clone)]
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
        execution: Arc<ExecutionContext>,
        state: StateName,
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
    /// the execution `execution`.
    pub fn for_state(
        execution: Arc<ExecutionContext>,
        state: StateName,
        entered_millis: i64,
        retry_count: Option<u32>,
    ) -> Self {
        Self::with_base(Base::State {
            execution,
            state,
            entered_millis,
            retry_count,
        })
    }

    fn with_base(base: Base) -> Self {
        Self {
            inner: Inner {
                base,
                task_token: None,
                map_item: None,
                built: OnceLock::new(),
            },
        }
    }

    fn derived(&self, task_token: Option<String>, map_item: Option<Data>) -> Self {
        Self {
            inner: Inner {
                base: self.inner.base.clone(),
                task_token: task_token.or_else(|| self.inner.task_token.clone()),
                map_item: map_item.or_else(|| self.inner.map_item.clone()),
                built: OnceLock::new(),
            },
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

    /// An empty context object, for fields known not to read it.
    pub(crate) fn unread() -> &'static ContextObject {
        static UNREAD: std::sync::LazyLock<ContextObject> =
            std::sync::LazyLock::new(ContextObject::default);
        &UNREAD
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
                state,
                entered_millis,
                retry_count,
            } => {
                let mut state_obj = Object::with_capacity(3);
                state_obj.insert(
                    "EnteredTime".into(),
                    stepfn_codegen::format_rfc3339_millis(*entered_millis).into(),
                );
                state_obj.insert("Name".into(), Data::from(state.as_str()));
                if let Some(n) = retry_count {
                    state_obj.insert("RetryCount".into(), (*n).into());
                }
                object([
                    ("Execution", execution.execution().clone()),
                    ("State", Data::object(state_obj)),
                    ("StateMachine", execution.state_machine().clone()),
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
        let execution = Arc::new(ExecutionContext::given(
            Data::from(json!({"Id": "e", "Input": {"a": 1}})),
            Data::from(json!({"Id": "m", "Name": "M"})),
            "us-east-1".into(),
            "123456789012".into(),
        ));
        let context = ContextObject::for_state(execution, "S".into(), 1_704_067_200_000, Some(2));
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
    fn execution_part_is_built_once_when_read() {
        let execution = Arc::new(ExecutionContext::lazy(ExecutionRecipe {
            input: Data::from(json!({"a": 1})),
            name: None,
            state_machine_name: "M".into(),
            region: "eu-west-1".into(),
            account: "111122223333".into(),
            role_arn: "arn:aws:iam::111122223333:role/R".into(),
            start_millis: 1_704_067_200_000,
            express: false,
            redrive_count: 0,
        }));
        let first = ContextObject::for_state(execution.clone(), "A".into(), 0, None);
        let second = ContextObject::for_state(execution, "B".into(), 0, None);
        let name = first["Execution"]["Name"].as_str().unwrap().to_string();
        assert_eq!(second["Execution"]["Name"], name.as_str());
        assert_eq!(
            first["Execution"]["Id"],
            format!("arn:aws:states:eu-west-1:111122223333:execution:M:{name}").as_str()
        );
        assert_eq!(first["Execution"]["StartTime"], "2024-01-01T00:00:00.000Z");
        assert!(first["Execution"]["RedriveCount"] == json!(0));
        assert_eq!(
            first["StateMachine"]["Id"],
            "arn:aws:states:eu-west-1:111122223333:stateMachine:M"
        );
    }

    #[test]
    fn given_context_is_used_as_is() {
        let context = ContextObject::from_value(json!({"Execution": {"Name": "x"}}));
        assert_eq!(context["Execution"]["Name"], "x");
        assert!(context.get("State").is_none());
    }
}
