//! State machine versions and aliases: immutable snapshots of a machine's revisions
//! (`NAME:1`, `NAME:2`...) and names (`NAME:prod`) that route executions to one version or
//! split them between two by weight, as the Step Functions API keeps them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Engine, EngineError, Registered, StateMachineInfo};
use crate::store::StateMachineRecord;

/// The most versions a state machine keeps (AWS's quota).
const MAX_VERSIONS: usize = 1000;

/// The most aliases a state machine has (AWS's quota).
const MAX_ALIASES: usize = 100;

/// The longest version or alias description (AWS's limit).
const MAX_DESCRIPTION_CHARS: usize = 256;

/// An alias, as `DescribeStateMachineAlias` tells of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AliasInfo {
    /// `arn:aws:states:REGION:ACCOUNT:stateMachine:MACHINE:ALIAS`.
    pub arn: String,
    /// The alias's own name.
    pub name: String,
    /// What it was described as.
    pub description: Option<String>,
    /// The one or two versions it starts, with their shares of its executions.
    pub routing_configuration: Vec<VersionWeight>,
    /// When it was created, in milliseconds since the Unix epoch.
    pub created_millis: i64,
    /// When it was last updated, if it was.
    pub updated_millis: Option<i64>,
}

/// One version an alias routes to, and the percentage of its executions that go there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionWeight {
    /// The version's ARN.
    pub state_machine_version_arn: String,
    /// 0 to 100; an alias's weights add up to 100.
    pub weight: u32,
}

/// What the store keeps under a state machine's, a version's or an alias's ARN.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
pub(super) enum Stored {
    /// Tried first: only an alias has a routing configuration.
    Alias(AliasInfo),
    Machine(StateMachineInfo),
}

/// Where an execution was started from, beyond its state machine.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Qualifiers {
    /// The version it runs, when started on a version or through an alias.
    pub version_arn: Option<String>,
    /// The alias it was started through.
    pub alias_arn: Option<String>,
}

/// The state machine ARN a version or alias ARN belongs to (the ARN itself when unqualified).
pub fn unqualified(arn: &str) -> &str {
    match arn.match_indices(':').nth(6) {
        Some((at, _)) => &arn[..at],
        None => arn,
    }
}

/// The part after the state machine's name: a version number or an alias name.
fn qualifier(arn: &str) -> Option<&str> {
    arn.match_indices(':').nth(6).map(|(at, _)| &arn[at + 1..])
}

/// Whether the qualified ARN names a version (its qualifier is a number).
pub fn is_version_arn(arn: &str) -> bool {
    qualifier(arn).is_some_and(|q| !q.is_empty() && q.bytes().all(|b| b.is_ascii_digit()))
}

fn check_description(description: Option<&str>, member: &str) -> Result<(), EngineError> {
    match description {
        Some(d) if d.chars().count() > MAX_DESCRIPTION_CHARS => Err(EngineError::Validation(
            format!(
                "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length less than or equal to {MAX_DESCRIPTION_CHARS}"
            ),
        )),
        _ => Ok(()),
    }
}

/// AWS's pattern for alias names: 1 to 80 of letters, digits, `-`, `_` and `.`, not all
/// digits (a number would read as a version).
fn check_alias_name(name: &str) -> Result<(), EngineError> {
    let allowed = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    let all_digits = name.bytes().all(|b| b.is_ascii_digit());
    if name.is_empty() || name.len() > 80 || !allowed || all_digits {
        return Err(EngineError::Validation(format!(
            "1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$"
        )));
    }
    Ok(())
}

impl Engine {
    /// The registry's entry for a state machine or one of its versions.
    fn machine_entry(&self, arn: &str) -> Option<Registered> {
        self.machines().get(arn).cloned()
    }

    fn aliases(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, AliasInfo>> {
        self.inner.aliases.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The state machine `arn` itself (not a version of it), or why not.
    pub(super) fn unversioned(&self, arn: &str) -> Result<StateMachineInfo, EngineError> {
        let info = self.describe_state_machine(arn)?;
        if info.version.is_some() {
            return Err(EngineError::Validation(format!(
                "Invalid State Machine Arn: '{arn}' is a version; the state machine is '{}'",
                unqualified(arn)
            )));
        }
        Ok(info)
    }

    /// The published versions of `machine_arn`, newest first.
    fn versions_of(&self, machine_arn: &str) -> Vec<StateMachineInfo> {
        let prefix = format!("{machine_arn}:");
        let mut versions: Vec<StateMachineInfo> = self
            .machines()
            .values()
            .filter(|r| r.info.version.is_some() && r.info.arn.starts_with(&prefix))
            .map(|r| r.info.clone())
            .collect();
        versions.sort_by_key(|v| std::cmp::Reverse(v.version));
        versions
    }

    /// PublishStateMachineVersion: a version of the machine's current revision; the version
    /// already published for that revision when there is one. `revision_id`, when given,
    /// must be the current revision.
    pub fn publish_state_machine_version(
        &self,
        machine_arn: &str,
        revision_id: Option<&str>,
        description: Option<String>,
    ) -> Result<StateMachineInfo, EngineError> {
        check_description(description.as_deref(), "description")?;
        let mut machine = self.unversioned(machine_arn)?;
        if let Some(asked) = revision_id {
            let current = machine.revision_id.as_deref().unwrap_or(INITIAL_REVISION);
            if asked != current {
                return Err(EngineError::Conflict(format!(
                    "Failed to publish the State Machine version for revision {asked}. The current State Machine revision is {current}."
                )));
            }
        }
        let versions = self.versions_of(machine_arn);
        if let Some(existing) = versions
            .iter()
            .find(|v| v.revision_id == machine.revision_id)
        {
            return Ok(existing.clone());
        }
        if versions.len() >= MAX_VERSIONS {
            return Err(EngineError::ServiceQuotaExceeded(format!(
                "The state machine '{machine_arn}' has {MAX_VERSIONS} versions: delete unused ones with DeleteStateMachineVersion"
            )));
        }
        machine.last_version += 1;
        let number = machine.last_version;
        let mut version = machine.clone();
        version.arn = format!("{machine_arn}:{number}");
        version.version = Some(number);
        version.created_millis = self.inner.options.clock.now_millis();
        version.updated_millis = None;
        version.configuration.remove("description");
        if let Some(description) = description {
            version
                .configuration
                .insert("description".into(), Value::String(description));
        }
        let executor = self.machine_entry(machine_arn).map(|r| r.executor);
        let Some(executor) = executor else {
            return Err(EngineError::StateMachineDoesNotExist(machine_arn.into()));
        };
        // The machine first: its counter must never hand out a number twice.
        self.install_with(&machine, executor.clone())?;
        self.install_with(&version, executor)?;
        Ok(version)
    }

    /// ListStateMachineVersions: newest first.
    pub fn list_state_machine_versions(
        &self,
        machine_arn: &str,
    ) -> Result<Vec<StateMachineInfo>, EngineError> {
        self.unversioned(machine_arn)?;
        Ok(self.versions_of(machine_arn))
    }

    /// DeleteStateMachineVersion: refused while an alias routes to it; deleting a version
    /// that is not there does nothing.
    pub fn delete_state_machine_version(&self, version_arn: &str) -> Result<(), EngineError> {
        super::check_arn(version_arn, "stateMachine")?;
        if !is_version_arn(version_arn) {
            return Err(EngineError::InvalidArn(format!(
                "Invalid Arn: '{version_arn}' is not a state machine version ARN"
            )));
        }
        let referencing: Vec<String> = self
            .aliases()
            .values()
            .filter(|a| {
                a.routing_configuration
                    .iter()
                    .any(|r| r.state_machine_version_arn == version_arn)
            })
            .map(|a| a.arn.clone())
            .collect();
        if !referencing.is_empty() {
            return Err(EngineError::Conflict(format!(
                "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [{}]",
                referencing.join(", ")
            )));
        }
        self.machines().remove(version_arn);
        self.store().delete_state_machine(version_arn)?;
        Ok(())
    }

    /// Checks an alias's routing: one or two distinct versions of `machine_arn` that exist,
    /// weights of 0 to 100 adding up to 100.
    fn check_routing(
        &self,
        machine_arn: &str,
        routing: &[VersionWeight],
    ) -> Result<(), EngineError> {
        if routing.is_empty() || routing.len() > 2 {
            return Err(EngineError::Validation(format!(
                "1 validation error detected: Value at 'routingConfiguration' failed to satisfy constraint: Member must have length between 1 and 2, got {}",
                routing.len()
            )));
        }
        if routing.iter().any(|r| r.weight > 100) {
            return Err(EngineError::Validation(
                "1 validation error detected: Value at 'routingConfiguration.member.weight' failed to satisfy constraint: Member must have value less than or equal to 100".into(),
            ));
        }
        if routing.iter().map(|r| r.weight).sum::<u32>() != 100 {
            return Err(EngineError::Validation(
                "Sum of routing configuration weights must be equal to 100".into(),
            ));
        }
        if routing.len() == 2
            && routing[0].state_machine_version_arn == routing[1].state_machine_version_arn
        {
            return Err(EngineError::Validation(
                "Routing configuration must contain distinct state machine version ARNs".into(),
            ));
        }
        for route in routing {
            let version = &route.state_machine_version_arn;
            super::check_arn(version, "stateMachine")?;
            if !is_version_arn(version) || unqualified(version) != machine_arn {
                return Err(EngineError::Validation(format!(
                    "Routing configuration must contain state machine version ARNs of '{machine_arn}', not '{version}'"
                )));
            }
            if self.machine_entry(version).is_none() {
                return Err(EngineError::ResourceNotFound(format!(
                    "Resource not found: '{version}'"
                )));
            }
        }
        Ok(())
    }

    fn store_alias(&self, alias: &AliasInfo) -> Result<(), EngineError> {
        let record = StateMachineRecord {
            arn: alias.arn.clone(),
            name: alias.name.clone(),
            created_millis: alias.created_millis,
            document: serde_json::to_string(&Stored::Alias(alias.clone())).unwrap_or_default(),
        };
        self.store().put_state_machine(&record)?;
        self.aliases().insert(alias.arn.clone(), alias.clone());
        Ok(())
    }

    /// Keeps an alias read back from the store (on open).
    pub(super) fn load_alias(&self, alias: AliasInfo) {
        self.aliases().insert(alias.arn.clone(), alias);
    }

    /// CreateStateMachineAlias: `name` on the machine the routed versions belong to. The
    /// same alias again (description and routing alike) gives it back; a different one of
    /// that name is a conflict.
    pub fn create_state_machine_alias(
        &self,
        name: &str,
        description: Option<String>,
        routing: Vec<VersionWeight>,
    ) -> Result<AliasInfo, EngineError> {
        check_alias_name(name)?;
        check_description(description.as_deref(), "description")?;
        let machine_arn = routing
            .first()
            .map(|r| unqualified(&r.state_machine_version_arn).to_string())
            .unwrap_or_default();
        self.check_routing(&machine_arn, &routing)?;
        self.unversioned(&machine_arn)?;
        let arn = format!("{machine_arn}:{name}");
        if let Some(existing) = self.aliases().get(&arn).cloned() {
            return if existing.description == description
                && existing.routing_configuration == routing
            {
                Ok(existing)
            } else {
                Err(EngineError::Conflict(format!(
                    "Failed to create alias because an alias with the same name and a different routing configuration already exists: '{arn}'"
                )))
            };
        }
        let prefix = format!("{machine_arn}:");
        let count = self
            .aliases()
            .keys()
            .filter(|a| a.starts_with(&prefix))
            .count();
        if count >= MAX_ALIASES {
            return Err(EngineError::ServiceQuotaExceeded(format!(
                "The state machine '{machine_arn}' has {MAX_ALIASES} aliases"
            )));
        }
        let alias = AliasInfo {
            arn,
            name: name.to_string(),
            description,
            routing_configuration: routing,
            created_millis: self.inner.options.clock.now_millis(),
            updated_millis: None,
        };
        self.store_alias(&alias)?;
        Ok(alias)
    }

    /// DescribeStateMachineAlias.
    pub fn describe_state_machine_alias(&self, alias_arn: &str) -> Result<AliasInfo, EngineError> {
        super::check_arn(alias_arn, "stateMachine")?;
        self.aliases().get(alias_arn).cloned().ok_or_else(|| {
            EngineError::ResourceNotFound(format!("Resource not found: '{alias_arn}'"))
        })
    }

    /// UpdateStateMachineAlias: a new description, a new routing, or both.
    pub fn update_state_machine_alias(
        &self,
        alias_arn: &str,
        description: Option<String>,
        routing: Option<Vec<VersionWeight>>,
    ) -> Result<AliasInfo, EngineError> {
        let mut alias = self.describe_state_machine_alias(alias_arn)?;
        if description.is_none() && routing.is_none() {
            return Err(EngineError::Validation(
                "Either the description or the RoutingConfiguration must be specified".into(),
            ));
        }
        check_description(description.as_deref(), "description")?;
        if let Some(routing) = routing {
            self.check_routing(unqualified(alias_arn), &routing)?;
            alias.routing_configuration = routing;
        }
        if description.is_some() {
            alias.description = description;
        }
        alias.updated_millis = Some(self.inner.options.clock.now_millis());
        self.store_alias(&alias)?;
        Ok(alias)
    }

    /// DeleteStateMachineAlias: executions started through it go on.
    pub fn delete_state_machine_alias(&self, alias_arn: &str) -> Result<(), EngineError> {
        self.describe_state_machine_alias(alias_arn)?;
        self.aliases().remove(alias_arn);
        self.store().delete_state_machine(alias_arn)?;
        Ok(())
    }

    /// ListStateMachineAliases: newest first.
    pub fn list_state_machine_aliases(
        &self,
        machine_arn: &str,
    ) -> Result<Vec<AliasInfo>, EngineError> {
        self.unversioned(machine_arn)?;
        let prefix = format!("{machine_arn}:");
        let mut aliases: Vec<AliasInfo> = self
            .aliases()
            .values()
            .filter(|a| a.arn.starts_with(&prefix))
            .cloned()
            .collect();
        aliases.sort_by(|a, b| (b.created_millis, &b.name).cmp(&(a.created_millis, &a.name)));
        Ok(aliases)
    }

    /// Removes the versions and aliases of the machine `machine_arn` (it is being deleted).
    pub(super) fn delete_versions_and_aliases(&self, machine_arn: &str) -> Result<(), EngineError> {
        let prefix = format!("{machine_arn}:");
        let versions: Vec<String> = self
            .machines()
            .keys()
            .filter(|k| k.starts_with(&prefix))
            .cloned()
            .collect();
        let aliases: Vec<String> = self
            .aliases()
            .keys()
            .filter(|k| k.starts_with(&prefix))
            .cloned()
            .collect();
        for arn in versions.iter().chain(&aliases) {
            self.machines().remove(arn);
            self.aliases().remove(arn);
            self.store().delete_state_machine(arn)?;
        }
        Ok(())
    }

    /// What an execution started on `arn` runs: the machine itself, a version, or the
    /// version an alias picks (by its weights) for this execution.
    pub(super) fn resolve(&self, arn: &str) -> Result<(Registered, Qualifiers), EngineError> {
        super::check_arn(arn, "stateMachine")?;
        let alias = self.aliases().get(arn).cloned();
        if let Some(alias) = alias {
            let version_arn =
                pick_version(&alias.routing_configuration, crate::random::up_to(100.0));
            let registered = self
                .machine_entry(&version_arn)
                .ok_or_else(|| EngineError::StateMachineDoesNotExist(version_arn.clone()))?;
            return Ok((
                registered,
                Qualifiers {
                    version_arn: Some(version_arn),
                    alias_arn: Some(alias.arn),
                },
            ));
        }
        let registered = self
            .machine_entry(arn)
            .ok_or_else(|| EngineError::StateMachineDoesNotExist(arn.into()))?;
        let version_arn = registered.info.version.map(|_| arn.to_string());
        Ok((
            registered,
            Qualifiers {
                version_arn,
                alias_arn: None,
            },
        ))
    }
}

/// The revision a machine is at before its first update (AWS gives it no id).
const INITIAL_REVISION: &str = "INITIAL";

/// The version a draw of `0.0..100.0` lands on: the first takes draws below its weight.
fn pick_version(routing: &[VersionWeight], draw: f64) -> String {
    let mut below = 0.0;
    for route in routing {
        below += f64::from(route.weight);
        if draw < below {
            return route.state_machine_version_arn.clone();
        }
    }
    // Weights add up to 100; a draw of exactly 100 (rounding) goes to the last version.
    routing
        .iter()
        .rev()
        .find(|r| r.weight > 0)
        .or(routing.last())
        .map(|r| r.state_machine_version_arn.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(version: &str, weight: u32) -> VersionWeight {
        VersionWeight {
            state_machine_version_arn: version.into(),
            weight,
        }
    }

    #[test]
    fn draws_split_by_weight() {
        let routing = [route("v1", 70), route("v2", 30)];
        assert_eq!(pick_version(&routing, 0.0), "v1");
        assert_eq!(pick_version(&routing, 69.9), "v1");
        assert_eq!(pick_version(&routing, 70.0), "v2");
        assert_eq!(pick_version(&routing, 100.0), "v2");
        let all_second = [route("v1", 0), route("v2", 100)];
        assert_eq!(pick_version(&all_second, 0.0), "v2");
        let all_first = [route("v1", 100), route("v2", 0)];
        assert_eq!(pick_version(&all_first, 100.0), "v1");
    }

    #[test]
    fn qualified_arns_split() {
        let machine = "arn:aws:states:us-east-1:123456789012:stateMachine:Orders";
        assert_eq!(unqualified(machine), machine);
        assert_eq!(unqualified(&format!("{machine}:3")), machine);
        assert!(is_version_arn(&format!("{machine}:12")));
        assert!(!is_version_arn(&format!("{machine}:prod")));
        assert!(!is_version_arn(machine));
    }

    #[test]
    fn alias_names_follow_the_pattern() {
        assert!(check_alias_name("prod").is_ok());
        assert!(check_alias_name("v1.2-beta_3").is_ok());
        assert!(check_alias_name("123").is_err());
        assert!(check_alias_name("").is_err());
        assert!(check_alias_name("has space").is_err());
        assert!(check_alias_name(&"a".repeat(81)).is_err());
    }
}
