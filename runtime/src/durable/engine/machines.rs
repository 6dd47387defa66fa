//! The state machines an [`Engine`] runs: created, updated, described, listed and deleted as
//! the Step Functions API does, kept in the store so they outlive the process, with their tags.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use stepfn_codegen::{CheckOptions, ExecutionType, StateMachine};

use super::versions::{is_version_arn, Stored};
use super::{check_arn, check_name, Engine, EngineError, Registered};
use crate::exec::Executor;
use crate::store::StateMachineRecord;

/// The most tags a resource carries (AWS's limit).
const MAX_TAGS: usize = 50;

/// What a state machine is created with.
#[derive(Clone, Debug)]
pub struct StateMachineSpec {
    /// Its name (AWS's naming rules).
    pub name: String,
    /// The ASL definition, as JSON text.
    pub definition: String,
    /// The role its executions run as.
    pub role_arn: String,
    /// `STANDARD` (durable) or `EXPRESS` (in memory).
    pub machine_type: ExecutionType,
    /// What the API keeps and gives back without acting on it: `loggingConfiguration`,
    /// `tracingConfiguration`, `encryptionConfiguration`, `description`...
    pub configuration: Map<String, Value>,
}

/// A state machine, as `DescribeStateMachine` tells of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateMachineInfo {
    /// `arn:aws:states:REGION:ACCOUNT:stateMachine:NAME`.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// The definition as it was given.
    pub definition: String,
    /// The role its executions run as.
    pub role_arn: String,
    /// `STANDARD` or `EXPRESS`.
    #[serde(with = "machine_type_name")]
    pub machine_type: ExecutionType,
    /// When it was created, in milliseconds since the Unix epoch.
    pub created_millis: i64,
    /// When it was last updated, if it was.
    pub updated_millis: Option<i64>,
    /// Changes with every update.
    pub revision_id: Option<String>,
    /// What it was created or last updated with besides the definition and role.
    pub configuration: Map<String, Value>,
    /// The version number, when this describes a published version (whose `arn` is then
    /// the version's: the machine's ARN, `:`, the number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// The highest version number published from the machine: numbers are never reused,
    /// even after their version is deleted.
    #[serde(default)]
    pub last_version: u32,
}

mod machine_type_name {
    use serde::{Deserialize, Deserializer, Serializer};
    use stepfn_codegen::ExecutionType;

    pub fn serialize<S: Serializer>(t: &ExecutionType, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(t.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ExecutionType, D::Error> {
        let name = String::deserialize(d)?;
        ExecutionType::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown type {name}")))
    }
}

/// What `UpdateStateMachine` changes; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct StateMachineUpdate {
    /// A new definition.
    pub definition: Option<String>,
    /// A new role.
    pub role_arn: Option<String>,
    /// Configuration entries to replace.
    pub configuration: Map<String, Value>,
}

/// Parses and validates `definition` for a machine of `machine_type`, with the validator's
/// messages in AWS's `InvalidDefinition` wording.
pub(super) fn checked(
    definition: &str,
    machine_type: ExecutionType,
) -> Result<StateMachine, EngineError> {
    let options = CheckOptions::new().with_machine_type(machine_type.into());
    stepfn_codegen::check(definition, &options)
        .map_err(|problems| EngineError::InvalidDefinition(problems.to_string()))
}

fn check_role(role_arn: &str) -> Result<(), EngineError> {
    let parts: Vec<&str> = role_arn.split(':').collect();
    if parts.len() < 6 || parts[0] != "arn" || parts[2] != "iam" || !parts[5].starts_with("role/") {
        return Err(EngineError::InvalidArn(format!(
            "Invalid Arn: '{role_arn}'"
        )));
    }
    Ok(())
}

impl Engine {
    fn state_machine_arn(&self, name: &str) -> String {
        let options = &self.inner.options;
        format!(
            "arn:aws:states:{}:{}:stateMachine:{name}",
            options.region, options.account
        )
    }

    /// Keeps `info` (running `machine`) in the store and in the registry.
    fn install(&self, info: &StateMachineInfo, machine: StateMachine) -> Result<(), EngineError> {
        self.install_with(info, Executor::new(machine))
    }

    /// Keeps `info`, run by `executor`, in the store and in the registry.
    pub(super) fn install_with(
        &self,
        info: &StateMachineInfo,
        executor: Executor,
    ) -> Result<(), EngineError> {
        let record = StateMachineRecord {
            arn: info.arn.clone(),
            name: info.name.clone(),
            created_millis: info.created_millis,
            document: serde_json::to_string(info).unwrap_or_default(),
        };
        self.store().put_state_machine(&record)?;
        self.machines().insert(
            info.arn.clone(),
            Registered {
                executor,
                info: info.clone(),
            },
        );
        Ok(())
    }

    /// Loads the stored state machines, versions and aliases into the registry (on open).
    pub(super) fn load_state_machines(&self) -> Result<(), EngineError> {
        for record in self.store().state_machines()? {
            let stored: Stored = serde_json::from_str(&record.document).map_err(|e| {
                EngineError::Internal(format!("the stored state machine {}: {e}", record.arn))
            })?;
            let info = match stored {
                Stored::Alias(alias) => {
                    self.load_alias(alias);
                    continue;
                }
                Stored::Machine(info) => info,
            };
            let machine = stepfn_codegen::parse::from_str(&info.definition).map_err(|e| {
                EngineError::Internal(format!("the stored definition of {}: {e}", record.arn))
            })?;
            self.machines()
                .insert(info.arn.clone(), registered(&info, machine));
        }
        Ok(())
    }

    /// Registers `machine` as the Standard state machine `name` (replacing one of that name
    /// for the executions started from now on) and returns its ARN. For machines built in
    /// code, already checked; [`Engine::create_state_machine`] is the API's call.
    pub fn register(&self, name: &str, machine: StateMachine) -> String {
        let arn = self.state_machine_arn(name);
        let now = self.inner.options.clock.now_millis();
        let (created_millis, last_version) = self
            .machines()
            .get(&arn)
            .map_or((now, 0), |r| (r.info.created_millis, r.info.last_version));
        let info = StateMachineInfo {
            arn: arn.clone(),
            name: name.to_string(),
            definition: serde_json::to_string(&machine).unwrap_or_default(),
            role_arn: self.inner.options.role_arn.clone(),
            machine_type: ExecutionType::Standard,
            created_millis,
            updated_millis: None,
            revision_id: None,
            configuration: Map::new(),
            version: None,
            last_version,
        };
        // The registry holds it even if the store refused it: this process can still run it.
        if let Err(e) = self.install(&info, machine.clone()) {
            eprintln!("stepfn: the state machine {arn} is not stored: {e}");
            self.machines()
                .insert(arn.clone(), registered(&info, machine));
        }
        arn
    }

    /// CreateStateMachine: validates the definition and keeps the machine. Creating one that
    /// exists with the same definition, role and type gives it back (AWS's idempotency);
    /// anything else is [`EngineError::StateMachineAlreadyExists`].
    pub fn create_state_machine(
        &self,
        spec: StateMachineSpec,
    ) -> Result<StateMachineInfo, EngineError> {
        check_name(&spec.name)?;
        check_role(&spec.role_arn)?;
        let machine = checked(&spec.definition, spec.machine_type)?;
        let arn = self.state_machine_arn(&spec.name);
        if let Some(existing) = self.machines().get(&arn).map(|r| r.info.clone()) {
            let same = existing.definition == spec.definition
                && existing.role_arn == spec.role_arn
                && existing.machine_type == spec.machine_type;
            return if same {
                Ok(existing)
            } else {
                Err(EngineError::StateMachineAlreadyExists(format!(
                    "State Machine Already Exists: '{arn}'"
                )))
            };
        }
        let info = StateMachineInfo {
            arn,
            name: spec.name,
            definition: spec.definition,
            role_arn: spec.role_arn,
            machine_type: spec.machine_type,
            created_millis: self.inner.options.clock.now_millis(),
            updated_millis: None,
            revision_id: None,
            configuration: spec.configuration,
            version: None,
            last_version: 0,
        };
        self.install(&info, machine)?;
        Ok(info)
    }

    /// UpdateStateMachine: executions started from now on run the new definition; running
    /// ones keep theirs.
    pub fn update_state_machine(
        &self,
        arn: &str,
        update: StateMachineUpdate,
    ) -> Result<StateMachineInfo, EngineError> {
        let mut info = self.unversioned(arn)?;
        if update.definition.is_none()
            && update.role_arn.is_none()
            && update.configuration.is_empty()
        {
            return Err(EngineError::MissingRequiredParameter(
                "Either the definition, the role ARN, the LoggingConfiguration, or the \
                 TracingConfiguration must be specified"
                    .into(),
            ));
        }
        if let Some(role) = &update.role_arn {
            check_role(role)?;
            info.role_arn = role.clone();
        }
        if let Some(definition) = update.definition {
            info.definition = definition;
        }
        let machine = checked(&info.definition, info.machine_type)?;
        info.configuration.extend(update.configuration);
        info.updated_millis = Some(self.inner.options.clock.now_millis());
        info.revision_id = Some(crate::random::uuid_v4().to_string());
        self.install(&info, machine)?;
        Ok(info)
    }

    /// DeleteStateMachine: no new executions; running ones go on to their end. Its versions
    /// and aliases go with it; a version's ARN deletes that version.
    pub fn delete_state_machine(&self, arn: &str) -> Result<(), EngineError> {
        check_arn(arn, "stateMachine")?;
        if is_version_arn(arn) {
            return self.delete_state_machine_version(arn);
        }
        self.delete_versions_and_aliases(arn)?;
        self.machines().remove(arn);
        self.store().delete_state_machine(arn)?;
        self.store().put_tags(arn, &[])?;
        Ok(())
    }

    /// DescribeStateMachine: of the machine, or of one of its versions.
    pub fn describe_state_machine(&self, arn: &str) -> Result<StateMachineInfo, EngineError> {
        check_arn(arn, "stateMachine")?;
        self.machines()
            .get(arn)
            .map(|r| r.info.clone())
            .ok_or_else(|| EngineError::StateMachineDoesNotExist(arn.into()))
    }

    /// ListStateMachines: oldest first.
    pub fn list_state_machines(&self) -> Result<Vec<StateMachineInfo>, EngineError> {
        let machines = self.machines();
        let mut all: Vec<StateMachineInfo> = machines
            .values()
            .filter(|r| r.info.version.is_none())
            .map(|r| r.info.clone())
            .collect();
        all.sort_by(|a, b| (a.created_millis, &a.name).cmp(&(b.created_millis, &b.name)));
        Ok(all)
    }

    /// Whether `arn` names a state machine or an activity this engine keeps.
    fn taggable(&self, arn: &str) -> Result<(), EngineError> {
        let known = self.machines().contains_key(arn)
            || self.store().activities()?.iter().any(|a| a.arn == arn);
        if known {
            Ok(())
        } else {
            Err(EngineError::ResourceNotFound(format!(
                "Resource not found: '{arn}'"
            )))
        }
    }

    /// TagResource: adds or replaces `tags` on a state machine or activity.
    pub fn tag_resource(&self, arn: &str, tags: &[(String, String)]) -> Result<(), EngineError> {
        self.taggable(arn)?;
        let mut all = self.store().tags(arn)?;
        for (key, value) in tags {
            match all.iter_mut().find(|(k, _)| k == key) {
                Some(existing) => existing.1 = value.clone(),
                None => all.push((key.clone(), value.clone())),
            }
        }
        if all.len() > MAX_TAGS {
            return Err(EngineError::TooManyTags(format!(
                "Too many tags: a resource has at most {MAX_TAGS}"
            )));
        }
        Ok(self.store().put_tags(arn, &all)?)
    }

    /// UntagResource: removes the tags named `keys`.
    pub fn untag_resource(&self, arn: &str, keys: &[String]) -> Result<(), EngineError> {
        self.taggable(arn)?;
        let mut all = self.store().tags(arn)?;
        all.retain(|(k, _)| !keys.contains(k));
        Ok(self.store().put_tags(arn, &all)?)
    }

    /// ListTagsForResource.
    pub fn list_tags(&self, arn: &str) -> Result<Vec<(String, String)>, EngineError> {
        self.taggable(arn)?;
        Ok(self.store().tags(arn)?)
    }
}

fn registered(info: &StateMachineInfo, machine: StateMachine) -> Registered {
    Registered {
        executor: Executor::new(machine),
        info: info.clone(),
    }
}
