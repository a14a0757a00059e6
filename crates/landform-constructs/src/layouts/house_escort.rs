//! House Escort: one product, centralised state, a transit hub, GitLab OIDC deploys.

use super::OrganizationTarget;
use landform_core::stack_set::StackSetPreferences;
use landform_core::{App, Environment, NodeId, StackProps};

use crate::account::{Account, AccountFactory, AccountFactoryProps, BaselineLevel, BudgetProps};
use crate::baseline::{SecurityBaseline, SecurityBaselineProps};
use crate::network::{WorkloadNetwork, WorkloadNetworkProps};
use crate::oidc::{gitlab_subject, GitLabRef, OidcDeployRole, OidcDeployRoleProps};
use crate::organization::{
    Organization, OrganizationProps, OrganizationalUnit, OrganizationalUnitProps,
};
use crate::scp::{ServiceControlPolicy, ServiceControlPolicyProps};
use crate::scp_library;
use crate::state::{StateBackend, StateBackendProps, StateMode, StateWorkload};
use crate::transit::{AttachmentRole, TransitHub, TransitHubProps};

/// Options of [`house_escort`].
///
/// ```
/// use landform_constructs::layouts::HouseEscortOptions;
/// assert_eq!(HouseEscortOptions::default().extra_workload_accounts, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HouseEscortOptions {
    /// Generated workload accounts added to the three of the layout (to measure size).
    pub extra_workload_accounts: usize,
    /// Roll the generated workload accounts' baseline (security baseline, deploy role, a
    /// 100 USD budget) out as one service-managed StackSet, `Management-GeneratedBaseline`,
    /// at this pace: the generated accounts go into a `Generated` OU under Workloads, which
    /// the StackSet targets with auto-deployment (an account that joins it gets the
    /// baseline), instead of one `Baseline` stack per account. Only the CloudFormation
    /// engine deploys it. `None` (the default): a stack per account.
    pub generated_baseline_stack_set: Option<StackSetPreferences>,
}

const REGION: &str = "us-east-1";
const MANAGEMENT_ACCOUNT: &str = "111111111111";
const DEPLOY_ROLE: &str = "gitlab-deploy";
const PROJECT: &str = "house-escort/infrastructure";
const DEPLOY_POLICY: &str = "arn:aws:iam::aws:policy/PowerUserAccess";
/// Generated accounts per management stack (`Accounts2`, `Accounts3`, ...): each is one
/// resource and one output (its id, read by its own stacks), against CloudFormation's 500
/// resources and 200 outputs per template.
const GENERATED_ACCOUNTS_PER_STACK: usize = 100;
/// Where generated workload VPCs get their /24 blocks: the shared-services VPC routes the
/// whole block to the hub with one route.
const GENERATED_VPC_BLOCK: &str = "10.128.0.0/9";

fn deploy_role(app: &mut App, stack: NodeId) -> OidcDeployRole {
    OidcDeployRole::new(
        &mut app.scope(stack),
        "Deploy",
        OidcDeployRoleProps {
            subject: Some(gitlab_subject(PROJECT, &GitLabRef::Branch("main".into()))),
            role_name: Some(DEPLOY_ROLE.into()),
            managed_policy_arns: vec![DEPLOY_POLICY.into()],
            ..Default::default()
        },
    )
}

fn budget(limit_usd: u32) -> BudgetProps {
    BudgetProps {
        limit_usd,
        alert_email: "finance@houseescort.example".into(),
    }
}

/// The House Escort layout: management (Organizations, SCPs, central state backend),
/// security (central logs, findings bus, Config aggregator), infrastructure (transit hub and
/// shared-services VPC) and the workload accounts house-escort-prod, house-escort-staging and
/// ak-home-hq-prod, each with the security baseline, a budget, a VPC attached to the hub and
/// a GitLab OIDC deploy role.
///
/// Generated workload accounts (`extra_workload_accounts`) are built like the named ones, in
/// stacks sized to stay inside CloudFormation's quotas at thousands of accounts: their
/// `AWS::Organizations::Account` resources in `Management-Accounts2`, `-Accounts3`, ...
/// (100 each), their hub route tables and routes in `Infrastructure-HubRoutes2`, ... (50
/// attachments each), their VPCs in `10.128.0.0/9` (a /24 each, one summary route in the
/// shared-services VPC). The gateway is shared with the Workloads OU, so the RAM share does
/// not grow with accounts. They keep no key prefix in the central state backend: its bucket
/// policy (20 KB) holds the statements of a few dozen deploy roles, not thousands.
///
/// ```
/// use landform_constructs::layouts::{house_escort, HouseEscortOptions};
/// let app = house_escort(&HouseEscortOptions::default());
/// let assembly = app.synth().unwrap();
/// assert!(assembly.stack("Management-Organization").is_some());
/// ```
pub fn house_escort(options: &HouseEscortOptions) -> App {
    house_escort_in(
        options,
        &OrganizationTarget::new(MANAGEMENT_ACCOUNT, "r-h0e5"),
    )
}

/// [`house_escort`] built into an existing organization: its management account and root.
pub fn house_escort_in(options: &HouseEscortOptions, target: &OrganizationTarget) -> App {
    let mut app = App::new();
    let management = app.add_stage(
        "Management",
        Environment::new(target.management_account.as_str(), REGION),
    );
    let org_stack = app.add_stack(management, "Organization");

    let mut scope = app.scope(org_stack);
    let org = Organization::new(
        &mut scope,
        "Organization",
        OrganizationProps {
            root_id: target.root_id.clone(),
            ..Default::default()
        },
    );
    let ou = |scope: &mut landform_core::Scope<'_>, name: &str| {
        OrganizationalUnit::new(
            scope,
            &format!("{name}Ou"),
            OrganizationalUnitProps {
                name: name.into(),
                parent: org.root(),
            },
        )
    };
    let security_ou = ou(&mut scope, "Security");
    let infrastructure_ou = ou(&mut scope, "Infrastructure");
    let workloads_ou = ou(&mut scope, "Workloads");
    let mut deny_list = vec![scp_library::deny_actions(
        "DenyDisablingSecurityServices",
        [
            "cloudtrail:DeleteTrail",
            "cloudtrail:StopLogging",
            "guardduty:DeleteDetector",
            "organizations:LeaveOrganization",
        ],
    )];
    deny_list.push(scp_library::deny_iam_console_users());
    ServiceControlPolicy::new(
        &mut scope,
        "Guardrails",
        ServiceControlPolicyProps {
            name: "house-escort-guardrails".into(),
            description: Some("Keep security services on, accounts in the organization, and IAM users off the console".into()),
            statements: deny_list,
            targets: vec![org.target()],
        },
    );
    ServiceControlPolicy::new(
        &mut scope,
        "NetworkGuardrails",
        ServiceControlPolicyProps {
            name: "house-escort-network-guardrails".into(),
            description: Some(
                "Only the reviewed deploy role changes security group ingress".into(),
            ),
            statements: vec![scp_library::deny_open_ingress(&[&format!(
                "arn:*:iam::*:role/{DEPLOY_ROLE}"
            )])],
            targets: vec![workloads_ou.target(), infrastructure_ou.target()],
        },
    );

    let create = |app: &mut App,
                  stack: NodeId,
                  id: &str,
                  name: &str,
                  parent: &OrganizationalUnit,
                  baseline: BaselineLevel,
                  limit: Option<u32>| {
        AccountFactory::new(
            &mut app.scope(stack),
            id,
            AccountFactoryProps {
                account_name: name.into(),
                email: format!("aws+{name}@houseescort.example"),
                parent: Some(parent.as_parent()),
                tags: [("product".to_string(), "house-escort".to_string())].into(),
                baseline,
                budget: limit.map(budget),
                role_name: None,
                region: REGION.into(),
            },
        )
    };

    // Security account: its central pieces first, then its own baseline against them.
    let security = create(
        &mut app,
        org_stack,
        "Security",
        "house-escort-security",
        &security_ou,
        BaselineLevel::None,
        Some(200),
    );
    let central = super::central_security(&mut app, security.stage(), "o-houseescort1");
    let standard = || BaselineLevel::Standard {
        central: central.clone(),
        props: SecurityBaselineProps::default(),
    };
    let mut deploy_roles: Vec<(String, OidcDeployRole)> = Vec::new();
    if let Some(stack) = security.baseline_stack() {
        SecurityBaseline::new(
            &mut app.scope(stack),
            "Baseline",
            &central,
            SecurityBaselineProps::default(),
        );
        deploy_roles.push(("house-escort-security".into(), deploy_role(&mut app, stack)));
    }

    // Management account: its own baseline and deploy role.
    let management_baseline = app.add_stack(management, "Baseline");
    SecurityBaseline::new(
        &mut app.scope(management_baseline),
        "Baseline",
        &central,
        SecurityBaselineProps::default(),
    );
    deploy_roles.push((
        "management".into(),
        deploy_role(&mut app, management_baseline),
    ));

    let infrastructure = create(
        &mut app,
        org_stack,
        "Infrastructure",
        "house-escort-infrastructure",
        &infrastructure_ou,
        standard(),
        Some(500),
    );
    let mut workloads: Vec<(String, Account)> = Vec::new();
    for (id, name, limit) in [
        ("HouseEscortProd", "house-escort-prod", 1000),
        ("HouseEscortStaging", "house-escort-staging", 300),
        ("AkHomeHqProd", "ak-home-hq-prod", 500),
    ] {
        workloads.push((
            name.into(),
            create(
                &mut app,
                org_stack,
                id,
                name,
                &workloads_ou,
                standard(),
                Some(limit),
            ),
        ));
    }
    let named_workloads = workloads.len();
    // With a StackSet, the generated accounts are bare in their own OU and the StackSet
    // gives each its baseline; otherwise each gets its Baseline stack.
    let generated_ou = options
        .generated_baseline_stack_set
        .as_ref()
        .map(|preferences| {
            let ou = OrganizationalUnit::new(
                &mut app.scope(org_stack),
                "GeneratedOu",
                OrganizationalUnitProps {
                    name: "Generated".into(),
                    parent: workloads_ou.as_parent(),
                },
            );
            generated_baseline(&mut app, management, &ou, &central, preferences);
            ou
        });
    let mut accounts_stack = org_stack;
    for n in 0..options.extra_workload_accounts {
        if n % GENERATED_ACCOUNTS_PER_STACK == 0 {
            let number = n / GENERATED_ACCOUNTS_PER_STACK + 2;
            accounts_stack = app.scope(management).add_stack(
                &format!("Accounts{number}"),
                StackProps {
                    description: Some(format!(
                        "Landform: generated workload accounts (part {number})"
                    )),
                    ..Default::default()
                },
            );
        }
        let name = format!("house-escort-extra-{n}");
        let account = match &generated_ou {
            Some(ou) => create(
                &mut app,
                accounts_stack,
                &format!("Extra{n}"),
                &name,
                ou,
                BaselineLevel::None,
                None,
            ),
            None => create(
                &mut app,
                accounts_stack,
                &format!("Extra{n}"),
                &name,
                &workloads_ou,
                standard(),
                Some(100),
            ),
        };
        workloads.push((name, account));
    }

    // Hub in the infrastructure account, shared with the workload accounts through their OU.
    let network_stack = app.scope(infrastructure.stage()).add_stack(
        "Network",
        StackProps {
            description: Some("Landform: transit hub and shared-services VPC".into()),
            ..Default::default()
        },
    );
    let mut hub = TransitHub::new(
        &mut app.scope(network_stack),
        "Hub",
        TransitHubProps {
            description: "House Escort transit hub".into(),
            share_with_organizational_units: vec![workloads_ou.arn()],
            summary_routes: vec![GENERATED_VPC_BLOCK.into()],
            ..Default::default()
        },
    );
    let logs = central.log_bucket_arn();
    let shared = WorkloadNetwork::new(
        &mut app.scope(network_stack),
        "SharedServices",
        WorkloadNetworkProps::new("10.0.0.0/16", hub.transit_gateway_id(), logs.clone()),
    );
    hub.attach(
        &mut app.root(),
        "SharedServices",
        &shared,
        AttachmentRole::SharedServices,
    );
    if let Some(stack) = infrastructure.baseline_stack() {
        deploy_roles.push((
            "house-escort-infrastructure".into(),
            deploy_role(&mut app, stack),
        ));
    }
    for (n, (name, account)) in workloads.iter().enumerate() {
        let cidr = if n < 3 {
            format!("10.{}.0.0/16", 10 + n * 10)
        } else {
            let k = n - 3;
            format!("10.{}.{}.0/24", 128 + k / 256, k % 256)
        };
        let stack = app.scope(account.stage()).add_stack(
            "Network",
            StackProps {
                description: Some(format!(
                    "Landform: VPC of {name}, attached to the transit hub"
                )),
                ..Default::default()
            },
        );
        let network = WorkloadNetwork::new(
            &mut app.scope(stack),
            "Vpc",
            WorkloadNetworkProps::new(&cidr, hub.transit_gateway_id(), logs.clone()),
        );
        hub.attach(
            &mut app.root(),
            &hub_name(name),
            &network,
            AttachmentRole::Workload,
        );
        if let Some(baseline) = account.baseline_stack() {
            let role = deploy_role(&mut app, baseline);
            if n < named_workloads {
                deploy_roles.push((name.clone(), role));
            }
        }
    }

    // Central state backend in the management account, one key prefix per deploy role.
    let state_stack = app.scope(management).add_stack(
        "State",
        StackProps {
            description: Some("Landform: Terraform state bucket and lock table".into()),
            ..Default::default()
        },
    );
    StateBackend::new(
        &mut app.scope(state_stack),
        "State",
        StateBackendProps {
            prefix: "house-escort".into(),
            mode: StateMode::Central {
                workloads: deploy_roles
                    .iter()
                    .map(|(name, role)| StateWorkload {
                        key_prefix: name.clone(),
                        deploy_role_arn: role.role_arn(),
                    })
                    .collect(),
            },
            ..Default::default()
        },
    );
    app
}

/// The generated accounts' baseline as one StackSet administered from the management
/// account, landing in every account of `ou`: what a generated account's `Baseline` stack
/// holds, with the budget named after the account it lands in.
fn generated_baseline(
    app: &mut App,
    management: NodeId,
    ou: &OrganizationalUnit,
    central: &crate::central::CentralSecurity,
    preferences: &StackSetPreferences,
) {
    let stack = super::baseline_stack_set(
        app,
        management,
        "GeneratedBaseline",
        "Landform: baseline of every generated workload account (a service-managed StackSet on the Generated OU)",
        (ou, REGION),
        central,
        preferences,
        (&budget(100), "house-escort"),
    );
    deploy_role(app, stack);
}

/// Attachment names are construct ids: alphanumeric from the account name.
fn hub_name(account: &str) -> String {
    account
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}
