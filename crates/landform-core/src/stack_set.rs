//! A stack rolled out as a service-managed StackSet: one template, administered from the
//! stack's own environment (the management account or a delegated administrator), with an
//! instance in every account of the targeted OUs, present and future (auto-deployment).
//!
//! The app marks a stack with [`StackProps::stack_set`](crate::StackProps::stack_set);
//! synthesis checks the targets and preferences against AWS's rules, resolves OUs the app
//! creates to the outputs that carry their ids, and records all of it in the manifest
//! (`stackSet`). Only the CloudFormation engine deploys such a stack: the direct engine
//! refuses it rather than deploying the baseline into the administering account.

use serde::Serialize;

use crate::issue::Issue;
use crate::value::{kinds, Token};

/// How many accounts: a count, or a percentage of the accounts of a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Tolerance {
    /// A number of accounts.
    Count(u32),
    /// A percentage (0 to 100) of the accounts; CloudFormation rounds down.
    Percentage(u8),
}

/// Whether a StackSet operation goes through its regions one after another or all at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RegionConcurrency {
    /// One region after another, in [`StackSetPreferences::region_order`] (AWS's default).
    #[default]
    Sequential,
    /// Every region at once.
    Parallel,
}

/// How fast a StackSet operation rolls out, and how many failures stop it
/// (`StackSetOperationPreferences`).
///
/// ```
/// use landform_core::stack_set::{StackSetPreferences, Tolerance};
/// let fast = StackSetPreferences {
///     max_concurrent: Tolerance::Percentage(25),
///     failure_tolerance: Tolerance::Percentage(10),
///     ..Default::default()
/// };
/// assert!(fast.issues().is_empty());
/// let wrong = StackSetPreferences { max_concurrent: Tolerance::Count(5), ..Default::default() };
/// assert_eq!(wrong.issues()[0].code, "StackSet.MaxConcurrent");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StackSetPreferences {
    /// Accounts per region that may fail before the operation stops (AWS default: none).
    pub failure_tolerance: Tolerance,
    /// Accounts per region worked on at once (AWS default: one). With both as counts, at
    /// most one more than the failure tolerance (CloudFormation's strict failure tolerance).
    pub max_concurrent: Tolerance,
    /// Regions one after another or at once.
    pub region_concurrency: RegionConcurrency,
    /// The order of the regions (a subset of the StackSet's regions); empty: AWS's order.
    pub region_order: Vec<String>,
}

impl Default for StackSetPreferences {
    /// AWS's defaults: one account at a time, stop at the first failure.
    fn default() -> Self {
        StackSetPreferences {
            failure_tolerance: Tolerance::Count(0),
            max_concurrent: Tolerance::Count(1),
            region_concurrency: RegionConcurrency::Sequential,
            region_order: Vec::new(),
        }
    }
}

impl StackSetPreferences {
    /// What AWS would refuse in these preferences (field `preferences.*`, no path yet).
    pub fn issues(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        let percent = |field: &'static str, p: u8, min: u8, issues: &mut Vec<Issue>| {
            if p < min || p > 100 {
                issues.push(Issue::new(
                    "StackSet.Percentage",
                    field,
                    p,
                    format!("a StackSet operation percentage is {min} to 100"),
                ));
            }
        };
        match self.failure_tolerance {
            Tolerance::Percentage(p) => {
                percent("preferences.failure_tolerance", p, 0, &mut issues);
            }
            Tolerance::Count(_) => {}
        }
        match (self.max_concurrent, self.failure_tolerance) {
            (Tolerance::Count(0), _) => issues.push(Issue::new(
                "StackSet.MaxConcurrent",
                "preferences.max_concurrent",
                0,
                "a StackSet operation works on at least one account at a time",
            )),
            (Tolerance::Count(max), Tolerance::Count(tolerance))
                if u64::from(max) > u64::from(tolerance) + 1 =>
            {
                issues.push(Issue::new(
                    "StackSet.MaxConcurrent",
                    "preferences.max_concurrent",
                    max,
                    format!(
                        "MaxConcurrentCount is at most one more than FailureToleranceCount ({tolerance}) under CloudFormation's strict failure tolerance: raise the tolerance or give both as percentages"
                    ),
                ));
            }
            (Tolerance::Percentage(p), _) => {
                percent("preferences.max_concurrent", p, 1, &mut issues);
            }
            _ => {}
        }
        issues
    }
}

/// Marks a stack as a service-managed StackSet with auto-deployment: every account of
/// `organizational_units` (and every account that joins them later) gets an instance in
/// each of `regions`.
///
/// Its template must not depend on the account it lands in beyond pseudo parameters
/// (`AWS::AccountId` in names), and no other stack may read its outputs: a StackSet has
/// none to read. Synthesis reports both.
///
/// ```
/// use landform_core::{App, Environment, Resource, StackProps, Token};
/// use landform_core::stack_set::StackSetDeployment;
/// let mut app = App::new();
/// let management = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
/// let baseline = app.scope(management).add_stack("Baseline", StackProps {
///     stack_set: Some(StackSetDeployment::new([Token::literal("ou-ab12-workloads1")], ["us-east-1"])),
///     ..Default::default()
/// });
/// app.scope(baseline).add_resource("Topic", Resource::new("AWS::SNS::Topic"));
/// let assembly = app.synth().unwrap();
/// let set = assembly.stack("Management-Baseline").unwrap().stack_set.as_ref().unwrap();
/// assert_eq!(set.regions, ["us-east-1"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackSetDeployment {
    /// The OUs (or the root) whose accounts get an instance: ids (`ou-...`, `r-...`) or an
    /// OU the app creates (`OrganizationalUnit::id()`).
    pub organizational_units: Vec<Token<kinds::OrganizationalUnitId>>,
    /// The regions of the instances.
    pub regions: Vec<String>,
    /// Keep an account's instance (its resources) when the account leaves the OUs.
    pub retain_stacks_on_account_removal: bool,
    /// How operations roll out.
    pub preferences: StackSetPreferences,
    /// Which account administers it: the stage's account is the management account, or a
    /// member account registered as CloudFormation StackSets' delegated administrator.
    pub administrator: StackSetAdministrator,
}

/// Who administers a service-managed StackSet (CloudFormation's `CallAs`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum StackSetAdministrator {
    /// The organization's management account (`CallAs` `SELF`).
    #[default]
    #[serde(rename = "SELF")]
    ManagementAccount,
    /// A member account registered as delegated administrator for CloudFormation StackSets
    /// (`aws organizations register-delegated-administrator --service-principal
    /// member.org.stacksets.cloudformation.amazonaws.com`): `CallAs` `DELEGATED_ADMIN`.
    #[serde(rename = "DELEGATED_ADMIN")]
    DelegatedAdministrator,
}

impl StackSetDeployment {
    /// To every account of `organizational_units`, in `regions`, with AWS's default pace.
    pub fn new<R: Into<String>>(
        organizational_units: impl IntoIterator<Item = Token<kinds::OrganizationalUnitId>>,
        regions: impl IntoIterator<Item = R>,
    ) -> Self {
        StackSetDeployment {
            organizational_units: organizational_units.into_iter().collect(),
            regions: regions.into_iter().map(Into::into).collect(),
            retain_stacks_on_account_removal: false,
            preferences: StackSetPreferences::default(),
            administrator: StackSetAdministrator::default(),
        }
    }

    /// Administered from a member account registered as the StackSets' delegated
    /// administrator (the stage's account) instead of the management account.
    pub fn delegated_administrator(mut self) -> Self {
        self.administrator = StackSetAdministrator::DelegatedAdministrator;
        self
    }
}

/// An OU id as the pattern of CloudFormation's `DeploymentTargets.OrganizationalUnitIds`
/// takes it: `ou-` 4 to 32 then 8 to 32 lowercase alphanumerics, or a root `r-` 4 to 32.
pub fn is_organizational_unit_id(id: &str) -> bool {
    let alnum = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    if let Some(rest) = id.strip_prefix("ou-") {
        return rest
            .split_once('-')
            .is_some_and(|(a, b)| alnum(a, 4, 32) && alnum(b, 8, 32));
    }
    id.strip_prefix("r-").is_some_and(|rest| alnum(rest, 4, 32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organizational_unit_ids_follow_the_deployment_target_pattern() {
        assert!(is_organizational_unit_id("ou-ab12-workloads1"));
        assert!(is_organizational_unit_id("r-h0e5"));
        assert!(!is_organizational_unit_id("ou-ab12-short"));
        assert!(!is_organizational_unit_id("ou-AB12-workloads1"));
        assert!(!is_organizational_unit_id("r-abc"));
        assert!(!is_organizational_unit_id("workloads"));
    }

    #[test]
    fn preferences_are_checked_as_aws_does() {
        assert!(StackSetPreferences::default().issues().is_empty());
        let both_counts = StackSetPreferences {
            failure_tolerance: Tolerance::Count(4),
            max_concurrent: Tolerance::Count(5),
            ..Default::default()
        };
        assert!(both_counts.issues().is_empty());
        let codes = |p: StackSetPreferences| -> Vec<String> {
            p.issues()
                .into_iter()
                .map(|i| format!("{} {}", i.code, i.field))
                .collect()
        };
        assert_eq!(
            codes(StackSetPreferences {
                failure_tolerance: Tolerance::Percentage(101),
                max_concurrent: Tolerance::Percentage(0),
                ..Default::default()
            }),
            [
                "StackSet.Percentage preferences.failure_tolerance",
                "StackSet.Percentage preferences.max_concurrent"
            ]
        );
        assert_eq!(
            codes(StackSetPreferences {
                max_concurrent: Tolerance::Count(0),
                ..Default::default()
            }),
            ["StackSet.MaxConcurrent preferences.max_concurrent"]
        );
    }
}
