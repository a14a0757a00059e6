//! AWS Organizations rules: service control policy size and count per target.

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

pub(crate) fn check(index: &AssemblyIndex<'_>, findings: &mut Vec<Finding>) {
    let mut by_target: BTreeMap<String, (Resolved, Vec<&ResourceView<'_>>)> = BTreeMap::new();
    for policy in index.of_type("AWS::Organizations::Policy") {
        if !is_scp(policy) {
            continue;
        }
        if let Some(content) = policy.property("Content") {
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
