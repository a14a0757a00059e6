//! AWS Organizations rules: service control policy size and count per target, region denies
//! that lock out the global services, and member accounts that a delete would close.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::{Finding, Rule};
use crate::model::{as_list, AssemblyIndex, Resolved, ResourceView};

/// AWS's limit on an SCP document, in characters with whitespace removed.
pub const SCP_MAX_CHARS: usize = 5_120;
/// AWS's limit on SCPs attached to one root, OU or account, FullAWSAccess included.
pub const SCP_MAX_PER_TARGET: usize = 5;

/// The minified length of a policy's `Content` (an object or its JSON text).
///
/// Intrinsics inside the content (`Fn::Sub`) are counted as written, which is close to but not
/// exactly the length after CloudFormation resolves them.
pub fn minified_len(content: &Json) -> usize {
    let parsed;
    let content = match content {
        Json::String(text) => match serde_json::from_str::<Json>(text) {
            Ok(v) => {
                parsed = v;
                &parsed
            }
            Err(_) => return text.chars().filter(|c| !c.is_whitespace()).count(),
        },
        other => other,
    };
    content.to_string().chars().count()
}

fn is_scp(policy: &ResourceView<'_>) -> bool {
    policy.property("Type").and_then(Json::as_str) == Some("SERVICE_CONTROL_POLICY")
}

/// The statements of an SCP's content (an object or its JSON text).
fn statements(content: &Json) -> Vec<Json> {
    let parsed = match content {
        Json::String(text) => serde_json::from_str::<Json>(text).unwrap_or(Json::Null),
        other => other.clone(),
    };
    match parsed.get("Statement") {
        Some(Json::Array(items)) => items.clone(),
        Some(one @ Json::Object(_)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

/// The global-service actions a region deny statement leaves denied: `None` when the
/// statement is not a region deny.
fn unexempted_global_services(statement: &Json) -> Option<Vec<&'static str>> {
    if statement.get("Effect").and_then(Json::as_str) != Some("Deny") {
        return None;
    }
    let conditions = statement.get("Condition")?.as_object()?;
    let region_deny = conditions.iter().any(|(operator, keys)| {
        operator.starts_with("StringNotEquals") || operator.starts_with("StringNotLike")
    } && keys.get("aws:RequestedRegion").is_some());
    if !region_deny {
        return None;
    }
    let list = |key: &str| -> Vec<&str> {
        match statement.get(key) {
            Some(Json::String(a)) => vec![a.as_str()],
            Some(Json::Array(items)) => items.iter().filter_map(Json::as_str).collect(),
            _ => Vec::new(),
        }
    };
    let globals = landform_core::iam::GLOBAL_SERVICE_ACTIONS.iter().copied();
    Some(if statement.get("NotAction").is_some() {
        // Everything but NotAction is denied: each global service must be in it.
        let exempt = list("NotAction");
        globals.filter(|g| !exempt.contains(g)).collect()
    } else {
        // Only Action is denied: a global service suffers when Action reaches it.
        let denied = list("Action");
        globals
            .filter(|g| {
                let service = g.split(':').next().unwrap_or(g);
                denied
                    .iter()
                    .any(|a| *a == "*" || a.split(':').next() == Some(service))
            })
            .collect()
    })
}

pub(crate) fn check(index: &AssemblyIndex<'_>, findings: &mut Vec<Finding>) {
    for account in index.of_type("AWS::Organizations::Account") {
        if account.body.get("DeletionPolicy").and_then(Json::as_str) != Some("Retain") {
            findings.push(Finding::new(
                Rule::AccountWithoutRetain,
                account,
                format!(
                    "DeletionPolicy is {}",
                    account
                        .body
                        .get("DeletionPolicy")
                        .and_then(Json::as_str)
                        .unwrap_or("unset (Delete)")
                ),
            ));
        }
    }
    let mut by_target: BTreeMap<String, (Resolved, Vec<&ResourceView<'_>>)> = BTreeMap::new();
    for policy in index.of_type("AWS::Organizations::Policy") {
        if !is_scp(policy) {
            continue;
        }
        if let Some(content) = policy.property("Content") {
            for statement in statements(content) {
                match unexempted_global_services(&statement) {
                    Some(missing) if !missing.is_empty() => findings.push(Finding::new(
                        Rule::RegionDenyWithoutGlobalExemptions,
                        policy,
                        format!(
                            "statement {} denies outside some regions but not NotAction {}",
                            statement
                                .get("Sid")
                                .and_then(Json::as_str)
                                .unwrap_or("(no Sid)"),
                            missing.join(", ")
                        ),
                    )),
                    _ => {}
                }
            }
            let chars = minified_len(content);
            if chars > SCP_MAX_CHARS {
                findings.push(Finding::new(
                    Rule::ScpOverSize,
                    policy,
                    format!("{chars} characters minified, limit {SCP_MAX_CHARS}"),
                ));
            } else if chars * 10 >= SCP_MAX_CHARS * 9 {
                findings.push(Finding::new(
                    Rule::ScpNearSize,
                    policy,
                    format!(
                        "{chars} characters minified, {}% of the {SCP_MAX_CHARS} limit",
                        chars * 100 / SCP_MAX_CHARS
                    ),
                ));
            }
        }
        for target in as_list(policy.property("TargetIds")) {
            let resolved = index.resolve(policy.stack, target);
            by_target
                .entry(resolved.key())
                .or_insert_with(|| (resolved, Vec::new()))
                .1
                .push(policy);
        }
    }
    for (resolved, policies) in by_target.into_values() {
        let count = policies.len() + 1;
        let rule = if count > SCP_MAX_PER_TARGET {
            Rule::ScpTooManyOnTarget
        } else if count == SCP_MAX_PER_TARGET {
            Rule::ScpAtTargetLimit
        } else {
            continue;
        };
        let mut names: Vec<String> = policies.iter().map(|p| p.path.to_string()).collect();
        names.sort();
        let (at, target_name) = match &resolved {
            Resolved::Resource(key) => match index.get(key) {
                Some(target) => (target, target.path.to_string()),
                None => (policies[0], key.to_string()),
            },
            Resolved::Literal(id) => (policies[0], id.clone()),
            Resolved::Opaque(text) => (policies[0], text.clone()),
        };
        findings.push(Finding::new(
            rule,
            at,
            format!(
                "{count} SCPs on {target_name} (FullAWSAccess + {}): {}",
                policies.len(),
                names.join(", ")
            ),
        ));
    }
}
