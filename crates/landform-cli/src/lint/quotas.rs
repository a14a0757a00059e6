//! Adjustable AWS quotas past their default (LF-QUOTA-001, a warning: the deploy fails until
//! the account's quota is raised) and past what AWS grants at most where only the whole
//! assembly shows it (LF-QUOTA-002). The quotas are landform-core's ([`landform_core::quotas`]);
//! hard limits of single resources are synth errors there.

use std::collections::BTreeMap;

use landform_core::quotas::{self, thousands, Quota};
use serde_json::Value as Json;

use super::organizations::minified_len;
use super::{Finding, Rule};
use crate::model::{as_list, AssemblyIndex, ResourceView};

/// The finding for `count` of `quota` at `at`, if it is past the default.
fn judge(quota: &Quota, count: usize, what: &str, at: &ResourceView<'_>) -> Option<Finding> {
    let rule = if quota.beyond_ceiling(count) {
        Rule::QuotaBeyondCeiling
    } else if quota.beyond_default(count) {
        Rule::QuotaOverDefault
    } else {
        return None;
    };
    Some(Finding::new(
        rule,
        at,
        format!("{} {what}; {quota}", thousands(count)),
    ))
}

/// Count resources by a key; report each group past `quota` at its first resource past it.
fn by_group<'a>(
    groups: BTreeMap<String, Vec<&'a ResourceView<'a>>>,
    quota: &Quota,
    what: impl Fn(&str) -> String,
    extra: usize,
    findings: &mut Vec<Finding>,
) {
    for (group, members) in groups {
        let count = members.len() + extra;
        if count <= quota.default {
            continue;
        }
        // The first resource past the ceiling, or else past the default.
        let limit = match quota.ceiling() {
            Some(max) if count > max => max,
            _ => quota.default,
        };
        let at = members[limit.saturating_sub(extra).min(members.len() - 1)];
        findings.extend(judge(quota, count, &what(&group), at));
    }
}

pub(crate) fn check(index: &AssemblyIndex<'_>, findings: &mut Vec<Finding>) {
    // Accounts of the organization, its management account included.
    let accounts: Vec<&ResourceView<'_>> = index.of_type("AWS::Organizations::Account").collect();
    let mut orgs = BTreeMap::new();
    if !accounts.is_empty() {
        orgs.insert(String::new(), accounts);
    }
    by_group(
        orgs,
        &quotas::ORGANIZATION_ACCOUNTS,
        |_| "accounts in the organization (with its management account)".into(),
        1,
        findings,
    );

    // Roles per account.
    let mut roles: BTreeMap<String, Vec<&ResourceView<'_>>> = BTreeMap::new();
    for role in index.of_type("AWS::IAM::Role") {
        roles
            .entry(index.account_label(role.stack))
            .or_default()
            .push(role);
    }
    by_group(
        roles,
        &quotas::ROLES_PER_ACCOUNT,
        |account| format!("IAM roles in account {account}"),
        0,
        findings,
    );

    // Stacks per account and region, counted at each stack's first resource.
    let mut stacks: BTreeMap<String, Vec<&ResourceView<'_>>> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    for r in index.resources() {
        if seen.insert(&r.stack.name) {
            let key = format!(
                "{} in {}",
                index.account_label(r.stack),
                r.stack.environment.region
            );
            stacks.entry(key).or_default().push(r);
        }
    }
    by_group(
        stacks,
        &quotas::STACKS_PER_REGION,
        |at| format!("stacks for account {at}"),
        0,
        findings,
    );

    // Per role: managed policies and trust policy length.
    for role in index.of_type("AWS::IAM::Role") {
        let attached = as_list(role.property("ManagedPolicyArns")).len();
        findings.extend(judge(
            &quotas::MANAGED_POLICIES_PER_ROLE,
            attached,
            "managed policies attached",
            role,
        ));
        if let Some(trust) = role.property("AssumeRolePolicyDocument") {
            let len = minified_len(trust);
            // Past the ceiling it is a synth error already, where the length is known.
            if !(quotas::ROLE_TRUST_POLICY_LENGTH.beyond_ceiling(len) && is_literal(trust)) {
                findings.extend(judge(
                    &quotas::ROLE_TRUST_POLICY_LENGTH,
                    len,
                    "characters of trust policy",
                    role,
                ));
            }
        }
    }
}

/// Whether a value holds no intrinsic function (`Ref`, `Fn::*`).
fn is_literal(value: &Json) -> bool {
    match value {
        Json::Object(map) => map
            .iter()
            .all(|(k, v)| k != "Ref" && !k.starts_with("Fn::") && is_literal(v)),
        Json::Array(items) => items.iter().all(is_literal),
        _ => true,
    }
}
