//! Plans: what an apply would do, computed from the desired assembly and the recorded state
//! without calling any provider, with a diff a person can read and a JSON form.

use std::collections::{BTreeSet, HashSet};
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::error::DeployError;
use crate::intrinsics::Lookup;
use crate::model::Model;
use crate::provider::ProviderRegistry;
use crate::resolver::Resolver;
use crate::state::State;

/// What happens to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Created.
    Create,
    /// Updated in place.
    Update,
    /// Deleted, then created again (a create-only property changes).
    Replace,
    /// Deleted.
    Delete,
    /// Forgotten without deleting (`DeletionPolicy: Retain`).
    Retain,
}

impl Action {
    fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
            Action::Retain => "#",
        }
    }
}

/// A property's value after the change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "value")]
pub enum After {
    /// Known now.
    Value(Json),
    /// Reads an attribute of a resource not created yet.
    KnownAfterApply,
    /// The property is removed.
    Removed,
}

/// One property that changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyChange {
    /// The top-level property name.
    pub name: String,
    /// The value as applied (none for a create).
    pub before: Option<Json>,
    /// The value to apply.
    pub after: After,
    /// Whether this change alone forces a replacement.
    pub forces_replacement: bool,
}

/// One resource that changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceChange {
    /// The stack.
    pub stack: String,
    /// The logical id.
    pub logical_id: String,
    /// The CloudFormation type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The construct path.
    pub path: String,
    /// The account (`None` when the account is created by this apply).
    pub account: Option<String>,
    /// The region.
    pub region: String,
    /// What happens.
    pub action: Action,
    /// The properties that change.
    pub properties: Vec<PropertyChange>,
}

/// Every change an apply would make, in dependency order (deletes last).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// The changes.
    pub changes: Vec<ResourceChange>,
    /// Resources that stay as they are.
    pub unchanged: usize,
    /// Recorded resources read back before planning (0 when the plan did not refresh).
    #[serde(default)]
    pub refreshed: usize,
    /// Of those, how many were changed or deleted behind the engine's back: their changes
    /// below are planned from what is live.
    #[serde(default)]
    pub drifted: usize,
    /// Resources an earlier destroy kept (`DeletionPolicy: Retain`) that the app names again,
    /// by `stack/logicalId`: recorded again and planned from their record, never created a
    /// second time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readopted: Vec<String>,
}

impl Plan {
    /// True when the apply would change nothing.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
    /// How many changes of one kind.
    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }
    /// The JSON form.
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).unwrap_or(Json::Null)
    }
}

/// A value on one line, cut to 120 characters.
pub(crate) fn short(v: &Json) -> String {
    let text = v.to_string();
    if text.chars().count() > 120 {
        let cut: String = text.chars().take(117).collect();
        format!("{cut}...")
    } else {
        text
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.changes {
            let account = c
                .account
                .as_deref()
                .unwrap_or("(account known after apply)");
            writeln!(
                f,
                "{:<3} {}/{} ({}) in {account}/{}",
                c.action.symbol(),
                c.stack,
                c.logical_id,
                c.type_name,
                c.region
            )?;
            for p in &c.properties {
                let after = match &p.after {
                    After::Value(v) => short(v),
                    After::KnownAfterApply => "(known after apply)".to_owned(),
                    After::Removed => "(removed)".to_owned(),
                };
                let forces = if p.forces_replacement {
                    " (forces replacement)"
                } else {
                    ""
                };
                match &p.before {
                    Some(b) => writeln!(f, "      {}: {} -> {after}{forces}", p.name, short(b))?,
                    None => writeln!(f, "      {}: {after}", p.name)?,
                }
            }
        }
        if !self.readopted.is_empty() {
            writeln!(
                f,
                "Re-adopting {} resource(s) an earlier destroy kept (DeletionPolicy: Retain): recorded again, not created a second time.",
                self.readopted.len()
            )?;
        }
        if self.drifted > 0 {
            writeln!(
                f,
                "Refreshed {} recorded resource(s): {} drifted (changed or deleted outside Landform); the plan restores them.",
                self.refreshed, self.drifted
            )?;
        }
        write!(
            f,
            "Plan: {} to create, {} to update, {} to replace, {} to delete, {} to forget (retained), {} unchanged.",
            self.count(Action::Create),
            self.count(Action::Update),
            self.count(Action::Replace),
            self.count(Action::Delete),
            self.count(Action::Retain),
            self.unchanged
        )
    }
}

/// Whether property `key` of a `type_name` has the same value in `a` and `b`: equal, the same
/// items of a set-like list in another order (a policy's targets), or, for a policy
/// document, saying the same to IAM in another shape
/// ([`landform_core::policy::equivalent_documents`]), so a policy read back as text or with a
/// one-item list where the app wrote a string is not drift or an update.
pub(crate) fn same_value(type_name: &str, key: &str, a: &Json, b: &Json) -> bool {
    if a == b {
        return true;
    }
    if UNORDERED.contains(&(type_name, key)) {
        if let (Json::Array(x), Json::Array(y)) = (a, b) {
            let sorted = |v: &Vec<Json>| {
                let mut v: Vec<String> = v.iter().map(Json::to_string).collect();
                v.sort();
                v
            };
            return sorted(x) == sorted(y);
        }
    }
    landform_core::policy::POLICY_PROPERTIES
        .iter()
        .any(|(t, p, _)| *t == type_name && *p == key)
        && landform_core::policy::equivalent_documents(a, b)
}

/// List properties AWS keeps as sets: the same items in another order are the same value.
const UNORDERED: &[(&str, &str)] = &[
    ("AWS::Organizations::Policy", "TargetIds"),
    ("AWS::RAM::ResourceShare", "Principals"),
    ("AWS::RAM::ResourceShare", "ResourceArns"),
];

/// The properties whose values differ between `before` and `after` (top level).
pub(crate) fn changed_keys(before: &Json, after: &Json) -> Vec<String> {
    let empty = Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
    keys.into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .cloned()
        .collect()
}

/// Compute the plan.
pub(crate) fn compute(
    model: &Model,
    state: &State,
    registry: &ProviderRegistry,
) -> Result<Plan, DeployError> {
    let mut unknown: HashSet<usize> = HashSet::new();
    let mut plan = Plan::default();
    for &i in &model.order {
        let r = &model.resources[i];
        let stack = &model.stacks[r.stack];
        let provider =
            registry
                .provider(&r.type_name)
                .ok_or_else(|| DeployError::UnknownResourceType {
                    stack: stack.name.clone(),
                    logical_id: r.logical_id.clone(),
                    path: r.path.clone(),
                    type_name: r.type_name.clone(),
                })?;
        let replacing: Vec<String> =
            crate::provider::replacement_properties(provider.as_ref(), &r.type_name);
        let resolver = Resolver::new(model, state, &unknown);
        let account = match resolver.account(r.stack) {
            Lookup::Known(Json::String(a)) => Some(a),
            _ => None,
        };
        let empty = Map::new();
        let desired = r.properties();
        let desired = desired.as_object().unwrap_or(&empty);
        let mut after: Vec<(String, Option<Json>)> = Vec::new();
        for (k, v) in desired {
            let resolved = resolver
                .value(r.stack, v)
                .map_err(|e| DeployError::Resolve {
                    stack: stack.name.clone(),
                    location: format!("Resources.{}.Properties.{k}", r.logical_id),
                    reason: e.to_string(),
                })?;
            // `Ref: AWS::NoValue` removes the property.
            if resolved != Some(Json::Null) {
                after.push((k.clone(), resolved));
            }
        }
        let recorded = state.resource(&stack.name, &r.logical_id);
        let mut change = ResourceChange {
            stack: stack.name.clone(),
            logical_id: r.logical_id.clone(),
            type_name: r.type_name.clone(),
            path: r.path.clone(),
            account,
            region: stack.region.clone(),
            action: Action::Create,
            properties: Vec::new(),
        };
        let value_of = |v: &Option<Json>| {
            v.clone()
                .map(After::Value)
                .unwrap_or(After::KnownAfterApply)
        };
        match recorded {
            Some(rec) if rec.type_name == r.type_name => {
                let before = rec.properties.as_object().cloned().unwrap_or_default();
                for (k, v) in &after {
                    if v.as_ref() != before.get(k) || v.is_none() {
                        change.properties.push(PropertyChange {
                            name: k.clone(),
                            before: before.get(k).cloned(),
                            after: value_of(v),
                            forces_replacement: replacing.contains(k),
                        });
                    }
                }
                for (k, v) in &before {
                    if !after.iter().any(|(a, _)| a == k) {
                        change.properties.push(PropertyChange {
                            name: k.clone(),
                            before: Some(v.clone()),
                            after: After::Removed,
                            forces_replacement: replacing.contains(k),
                        });
                    }
                }
                if change.properties.is_empty() {
                    plan.unchanged += 1;
                    continue;
                }
                change.action = if change.properties.iter().any(|p| p.forces_replacement) {
                    unknown.insert(i);
                    Action::Replace
                } else {
                    Action::Update
                };
            }
            other => {
                if other.is_some() {
                    change.action = Action::Replace;
                }
                unknown.insert(i);
                change.properties = after
                    .iter()
                    .map(|(k, v)| PropertyChange {
                        name: k.clone(),
                        before: None,
                        after: value_of(v),
                        forces_replacement: false,
                    })
                    .collect();
            }
        }
        plan.changes.push(change);
    }
    for (stack_name, stack) in &state.stacks {
        for (lid, rec) in &stack.resources {
            if model.find(stack_name, lid).is_some() {
                continue;
            }
            plan.changes.push(ResourceChange {
                stack: stack_name.clone(),
                logical_id: lid.clone(),
                type_name: rec.type_name.clone(),
                path: rec.path.clone(),
                account: Some(stack.account.clone()),
                region: stack.region.clone(),
                action: if rec.kept_on_removal() {
                    Action::Retain
                } else {
                    Action::Delete
                },
                properties: Vec::new(),
            });
        }
    }
    Ok(plan)
}
