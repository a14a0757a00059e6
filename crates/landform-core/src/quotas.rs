//! The AWS quotas an app can run into, each named as Service Quotas and the service's quotas
//! page name it, with its default and whether AWS raises it. A hard limit (or an adjustable
//! quota past the most AWS grants) is a synth error ([`hard_quotas`], over every resource
//! of the app, typed or raw); an adjustable quota past its default is the lint's warning
//! (`LF-QUOTA-001`, `LF-TGW-004`), since the deploy fails only until the account's quota is
//! raised.

use std::collections::BTreeMap;
use std::fmt;

use crate::iam::len_with;
use crate::issue::Issue;
use crate::tree::{NodeId, Tree};
use crate::value::Value;

/// Whether, and how far, AWS raises a quota on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adjustable {
    /// A hard limit.
    No,
    /// Adjustable in Service Quotas up to this value.
    UpTo(usize),
    /// Adjustable in Service Quotas; the quotas page states no maximum.
    OnRequest,
}

/// One AWS quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// The service, as Service Quotas lists it.
    pub service: &'static str,
    /// The quota's name, as Service Quotas and the service's quotas page give it.
    pub name: &'static str,
    /// The value an account has until it asks for more.
    pub default: usize,
    /// Whether it can be raised.
    pub adjustable: Adjustable,
}

impl Quota {
    /// The most any account can have: the default of a hard limit, the maximum of an
    /// adjustable one (`None` when the page states none).
    ///
    /// ```
    /// use landform_core::quotas;
    /// assert_eq!(quotas::ORGANIZATION_ACCOUNTS.ceiling(), Some(10_000));
    /// assert_eq!(quotas::SCPS_PER_TARGET.ceiling(), Some(5));
    /// ```
    pub fn ceiling(&self) -> Option<usize> {
        match self.adjustable {
            Adjustable::No => Some(self.default),
            Adjustable::UpTo(max) => Some(max),
            Adjustable::OnRequest => None,
        }
    }

    /// Whether `count` is past what any account can have (an error).
    pub fn beyond_ceiling(&self, count: usize) -> bool {
        self.ceiling().is_some_and(|max| count > max)
    }

    /// Whether `count` is past the default of an adjustable quota but within what AWS
    /// grants (a warning: ask for the increase before deploying).
    pub fn beyond_default(&self, count: usize) -> bool {
        count > self.default && self.adjustable != Adjustable::No && !self.beyond_ceiling(count)
    }
}

impl fmt::Display for Quota {
    /// `"Role trust policy length" (IAM): default 2,048, adjustable up to 4,096`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "\"{}\" ({}): {} {}",
            self.name,
            self.service,
            match self.adjustable {
                Adjustable::No => "hard limit",
                _ => "default",
            },
            thousands(self.default)
        )?;
        match self.adjustable {
            Adjustable::No => Ok(()),
            Adjustable::UpTo(max) => {
                write!(f, ", adjustable up to {} in Service Quotas", thousands(max))
            }
            Adjustable::OnRequest => f.write_str(", adjustable in Service Quotas"),
        }
    }
}

/// `12345` as `12,345`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

macro_rules! quota {
    ($(#[$doc:meta])* $id:ident, $service:literal, $name:literal, $default:literal, $adjustable:expr) => {
        $(#[$doc])*
        pub const $id: Quota = Quota {
            service: $service,
            name: $name,
            default: $default,
            adjustable: $adjustable,
        };
    };
}

use Adjustable::{No, OnRequest, UpTo};

quota!(
    /// Accounts in an organization, the management account included.
    ORGANIZATION_ACCOUNTS, "AWS Organizations", "Default maximum number of accounts", 10, UpTo(10_000));
quota!(
    /// Organizational units in an organization.
    ORGANIZATIONAL_UNITS, "AWS Organizations", "Number of OUs in an organization", 1_000, No);
quota!(
    /// Policies of one type (SCPs, RCPs, tag policies...) in an organization.
    POLICIES_PER_TYPE, "AWS Organizations", "Number of policies of each type in an organization", 1_000, No);
quota!(
    /// SCPs attached to one root, OU or account, `FullAWSAccess` included.
    SCPS_PER_TARGET, "AWS Organizations", "Maximum number of SCPs attached to a root, OU or account", 5, No);
quota!(
    /// Levels of OUs below the root.
    OU_NESTING_DEPTH, "AWS Organizations", "OU maximum nesting in a root", 5, No);
quota!(
    /// Characters of a service or resource control policy.
    SCP_SIZE, "AWS Organizations", "Maximum size of a service control policy document", 5_120, No);
quota!(
    /// IAM roles in an account.
    ROLES_PER_ACCOUNT, "IAM", "Roles per account", 1_000, UpTo(5_000));
quota!(
    /// Managed policies attached to one role.
    MANAGED_POLICIES_PER_ROLE, "IAM", "Managed policies per role", 10, UpTo(20));
quota!(
    /// Characters of a role's trust policy, whitespace excluded.
    ROLE_TRUST_POLICY_LENGTH, "IAM", "Role trust policy length", 2_048, UpTo(4_096));
quota!(
    /// Characters of a managed policy, whitespace excluded.
    MANAGED_POLICY_LENGTH, "IAM", "Managed policy length", 6_144, No);
quota!(
    /// Characters of all of a role's inline policies together, whitespace excluded.
    ROLE_INLINE_POLICY_LENGTH, "IAM", "Role inline policy size (all inline policies together)", 10_240, No);
quota!(
    /// Stacks in an account and region.
    STACKS_PER_REGION, "AWS CloudFormation", "Stack count", 2_000, OnRequest);
quota!(
    /// Resources in one template.
    RESOURCES_PER_TEMPLATE, "AWS CloudFormation", "Resource count per template", 500, No);
quota!(
    /// Parameters of one template.
    PARAMETERS_PER_TEMPLATE, "AWS CloudFormation", "Parameter count per template", 200, No);
quota!(
    /// Outputs of one template.
    OUTPUTS_PER_TEMPLATE, "AWS CloudFormation", "Output count per template", 200, No);
quota!(
    /// Route tables of one transit gateway.
    TGW_ROUTE_TABLES, "Amazon VPC", "Transit gateway route tables per transit gateway", 20, OnRequest);
quota!(
    /// Attachments of one transit gateway.
    TGW_ATTACHMENTS, "Amazon VPC", "Attachments per transit gateway", 5_000, OnRequest);
quota!(
    /// Routes of one transit gateway route table, static and propagated.
    TGW_ROUTES, "Amazon VPC", "Total combined routes per transit gateway route table", 10_000, OnRequest);

/// Every quota above, for documentation and `landform lint --explain`-style listings.
pub const ALL: &[Quota] = &[
    ORGANIZATION_ACCOUNTS,
    ORGANIZATIONAL_UNITS,
    POLICIES_PER_TYPE,
    SCPS_PER_TARGET,
    OU_NESTING_DEPTH,
    SCP_SIZE,
    ROLES_PER_ACCOUNT,
    MANAGED_POLICIES_PER_ROLE,
    ROLE_TRUST_POLICY_LENGTH,
    MANAGED_POLICY_LENGTH,
    ROLE_INLINE_POLICY_LENGTH,
    STACKS_PER_REGION,
    RESOURCES_PER_TEMPLATE,
    PARAMETERS_PER_TEMPLATE,
    OUTPUTS_PER_TEMPLATE,
    TGW_ROUTE_TABLES,
    TGW_ATTACHMENTS,
    TGW_ROUTES,
];

/// The issue for `count` past `quota`'s ceiling.
fn beyond(code: &str, field: &str, count: usize, what: &str, quota: &Quota) -> Issue {
    Issue::new(
        code,
        field,
        format!("{} {what}", thousands(count)),
        format!("{quota}: AWS refuses more, whatever the account asks for"),
    )
}

/// The characters a policy document has at least (values known only at deploy time count
/// for nothing, so a document reported is over whatever they resolve to).
fn least_len(document: &Value) -> usize {
    match document {
        // An SCP's or a role policy's JSON text.
        Value::String(text) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(json) => json.to_string().chars().count(),
            Err(_) => text.chars().filter(|c| !c.is_whitespace()).count(),
        },
        other => len_with(other, 0),
    }
}

/// Every hard limit (or adjustable quota's ceiling) the app's resources go past: sizes of
/// IAM documents, managed policies per role, and the organization's counts of accounts, OUs
/// and policies. Run once per synth as an app validation.
pub(crate) fn hard_quotas(tree: &Tree) -> Vec<Issue> {
    let mut issues = Vec::new();
    let mut accounts: Vec<NodeId> = Vec::new();
    let mut units: Vec<NodeId> = Vec::new();
    let mut policies: BTreeMap<String, Vec<NodeId>> = BTreeMap::new();
    for id in tree.ids() {
        let Some(resource) = tree.node(id).resource() else {
            continue;
        };
        let props = resource.properties();
        let mut report = |issue: Issue| issues.push(issue.at(tree.path(id)));
        match resource.type_name() {
            "AWS::Organizations::Account" => accounts.push(id),
            "AWS::Organizations::OrganizationalUnit" => units.push(id),
            "AWS::Organizations::Policy" => {
                if let Some(Value::String(kind)) = props.get("Type") {
                    policies.entry(kind.to_string()).or_default().push(id);
                }
            }
            "AWS::IAM::ManagedPolicy" => {
                if let Some(doc) = props.get("PolicyDocument") {
                    let len = least_len(doc);
                    if MANAGED_POLICY_LENGTH.beyond_ceiling(len) {
                        report(beyond(
                            "Quota.ManagedPolicyLength",
                            "PolicyDocument",
                            len,
                            "characters",
                            &MANAGED_POLICY_LENGTH,
                        ));
                    }
                }
            }
            "AWS::IAM::Role" => {
                if let Some(doc) = props.get("AssumeRolePolicyDocument") {
                    let len = least_len(doc);
                    if ROLE_TRUST_POLICY_LENGTH.beyond_ceiling(len) {
                        report(beyond(
                            "Quota.TrustPolicyLength",
                            "AssumeRolePolicyDocument",
                            len,
                            "characters",
                            &ROLE_TRUST_POLICY_LENGTH,
                        ));
                    }
                }
                if let Some(Value::Array(arns)) = props.get("ManagedPolicyArns") {
                    if MANAGED_POLICIES_PER_ROLE.beyond_ceiling(arns.len()) {
                        report(beyond(
                            "Quota.ManagedPoliciesPerRole",
                            "ManagedPolicyArns",
                            arns.len(),
                            "managed policies",
                            &MANAGED_POLICIES_PER_ROLE,
                        ));
                    }
                }
                if let Some(Value::Array(inline)) = props.get("Policies") {
                    let len: usize = inline
                        .iter()
                        .filter_map(|p| match p {
                            Value::Object(entry) => entry.get("PolicyDocument"),
                            _ => None,
                        })
                        .map(least_len)
                        .sum();
                    if ROLE_INLINE_POLICY_LENGTH.beyond_ceiling(len) {
                        report(beyond(
                            "Quota.RoleInlinePolicyLength",
                            "Policies",
                            len,
                            "characters",
                            &ROLE_INLINE_POLICY_LENGTH,
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    // The organization's counts, reported at the first resource past the ceiling; the
    // management account counts against the accounts quota.
    let mut counts = vec![
        (
            "Quota.OrganizationAccounts",
            "accounts".to_owned(),
            accounts,
            1,
            ORGANIZATION_ACCOUNTS,
        ),
        (
            "Quota.OrganizationalUnits",
            "organizational units".to_owned(),
            units,
            0,
            ORGANIZATIONAL_UNITS,
        ),
    ];
    counts.extend(policies.into_iter().map(|(kind, ids)| {
        (
            "Quota.PoliciesPerType",
            format!("policies of type {kind}"),
            ids,
            0,
            POLICIES_PER_TYPE,
        )
    }));
    for (code, what, ids, extra, quota) in counts {
        let count = ids.len() + extra;
        if let Some(max) = quota.ceiling().filter(|max| count > *max) {
            let first = ids[max - extra];
            issues.push(beyond(code, "(organization)", count, &what, &quota).at(tree.path(first)));
        }
    }
    issues
}
