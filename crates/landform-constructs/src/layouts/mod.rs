//! The two reference layouts of the design notes, as functions returning an [`App`], and
//! resource counts per type.

use std::collections::BTreeMap;

use landform_core::stack_set::{StackSetDeployment, StackSetPreferences};
use landform_core::{App, Assembly, NodeId, Pseudo, StackProps, SubPart, Value};

use crate::account::{add_budget, BudgetProps};
use crate::baseline::{SecurityBaseline, SecurityBaselineProps};
use crate::central::{CentralSecurity, CentralSecurityProps};
use crate::organization::OrganizationalUnit;

mod docustack;
mod house_escort;

pub use docustack::{docustack, docustack_in, DocuStackOptions};
pub use house_escort::{house_escort, house_escort_in, HouseEscortOptions};

/// The existing organization a layout is built into: the management account it is deployed
/// from and the organization's root. The defaults are the layouts' documentation values
/// (`111111111111`); a real deployment names its own.
///
/// ```
/// use landform_constructs::layouts::{house_escort_in, HouseEscortOptions, OrganizationTarget};
/// use landform_core::synth::AccountSpec;
/// let target = OrganizationTarget::new("123456789012", "r-ab12");
/// let app = house_escort_in(&HouseEscortOptions::default(), &target);
/// let assembly = app.synth().unwrap();
/// let org = assembly.stack("Management-Organization").unwrap();
/// assert_eq!(org.environment.account, AccountSpec::Literal("123456789012".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationTarget {
    /// The management account id (12 digits).
    pub management_account: String,
    /// The organization's root id (`r-` and 4 to 32 lowercase letters or digits).
    pub root_id: String,
}

impl OrganizationTarget {
    /// The organization with this management account and root.
    pub fn new(management_account: impl Into<String>, root_id: impl Into<String>) -> Self {
        OrganizationTarget {
            management_account: management_account.into(),
            root_id: root_id.into(),
        }
    }

    /// The organization named by `LANDFORM_MANAGEMENT_ACCOUNT` and `LANDFORM_ROOT_ID`, when
    /// both are set (how the example deployers are pointed at a real organization). The
    /// values are checked when the app synthesises, like any other input.
    pub fn from_env() -> Option<Self> {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        Some(OrganizationTarget::new(
            var("LANDFORM_MANAGEMENT_ACCOUNT")?,
            var("LANDFORM_ROOT_ID")?,
        ))
    }
}

/// Resources per CloudFormation type across every stack of an assembly.
///
/// ```
/// use landform_constructs::layouts::{docustack, resource_counts, DocuStackOptions};
/// let assembly = docustack(&DocuStackOptions::default()).synth().unwrap();
/// let counts = resource_counts(&assembly);
/// assert_eq!(counts["AWS::Organizations::OrganizationalUnit"], 3);
/// ```
pub fn resource_counts(assembly: &Assembly) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for stack in assembly.stacks() {
        for info in stack.resources.values() {
            *counts.entry(info.type_name.to_string()).or_insert(0) += 1;
        }
    }
    counts
}

/// A Markdown table of [`resource_counts`], for the README.
///
/// ```
/// use landform_constructs::layouts::{docustack, resource_count_table, DocuStackOptions};
/// let table = resource_count_table(&docustack(&DocuStackOptions::default()).synth().unwrap());
/// assert!(table.starts_with("| Type | Count |"));
/// ```
pub fn resource_count_table(assembly: &Assembly) -> String {
    let counts = resource_counts(assembly);
    let mut out = String::from("| Type | Count |\n|---|---:|\n");
    for (t, n) in &counts {
        out.push_str(&format!("| `{t}` | {n} |\n"));
    }
    out.push_str(&format!(
        "| **total** | {} |\n",
        counts.values().sum::<usize>()
    ));
    out
}

/// The `Central` stack of a layout's log-archive account: central logs, the findings bus and
/// the Config aggregator for the organization `organization_id`.
fn central_security(
    app: &mut App,
    account_stage: NodeId,
    organization_id: &str,
) -> CentralSecurity {
    let central_stack = app.scope(account_stage).add_stack(
        "Central",
        StackProps {
            description: Some("Landform: central logs, findings bus and Config aggregator".into()),
            ..Default::default()
        },
    );
    CentralSecurity::new(
        &mut app.scope(central_stack),
        "Central",
        CentralSecurityProps {
            organization_id: organization_id.into(),
            ..Default::default()
        },
    )
}

/// A baseline rolled out as one service-managed StackSet administered from `stage`, landing
/// in every account of `ou` in `region`: the security baseline against `central`, and
/// `budget` named `<prefix>-<account id>-monthly` after the account it lands in. The stack,
/// for what a layout adds to every account besides.
#[allow(clippy::too_many_arguments)]
pub(super) fn baseline_stack_set(
    app: &mut App,
    stage: NodeId,
    id: &str,
    description: &str,
    (ou, region): (&OrganizationalUnit, &str),
    central: &CentralSecurity,
    preferences: &StackSetPreferences,
    (budget, prefix): (&BudgetProps, &str),
) -> NodeId {
    let mut deployment = StackSetDeployment::new([ou.id()], [region]);
    deployment.preferences = preferences.clone();
    let stack = app.scope(stage).add_stack(
        id,
        StackProps {
            description: Some(description.into()),
            stack_set: Some(deployment),
        },
    );
    SecurityBaseline::new(
        &mut app.scope(stack),
        "Baseline",
        central,
        SecurityBaselineProps::default(),
    );
    let name = Value::sub([
        SubPart::Text(format!("{prefix}-")),
        SubPart::Value(Value::Pseudo(Pseudo::AccountId)),
        SubPart::Text("-monthly".into()),
    ]);
    add_budget(&mut app.scope(stack), stack, budget, name);
    stack
}
