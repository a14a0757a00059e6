//! DocuStack: environments as accounts, distributed state, GitHub OIDC deploys.

use super::OrganizationTarget;
use landform_core::stack_set::StackSetPreferences;
use landform_core::{App, Environment, NodeId, StackProps};

use crate::account::{AccountFactory, AccountFactoryProps, BaselineLevel, BudgetProps};
use crate::baseline::{SecurityBaseline, SecurityBaselineProps};
use crate::names::Reason;
use crate::oidc::{github_subject, GitHubRef, OidcDeployRole, OidcDeployRoleProps, OidcIssuer};
use crate::organization::{
    Organization, OrganizationProps, OrganizationalUnit, OrganizationalUnitProps,
};
use crate::scp::{ServiceControlPolicy, ServiceControlPolicyProps};
use crate::scp_library;
use crate::state::{StateBackend, StateBackendProps};

/// Options of [`docustack`].
///
/// ```
/// use landform_constructs::layouts::DocuStackOptions;
/// assert_eq!(DocuStackOptions::default().developer_sandboxes, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocuStackOptions {
    /// Developer sandbox accounts in the Sandbox OU.
    pub developer_sandboxes: usize,
    /// Roll the sandboxes' baseline (security baseline, a 50 USD budget) out as one
    /// service-managed StackSet, `Management-SandboxBaseline`, on the Sandbox OU with
    /// auto-deployment (a sandbox added to the OU gets it), at this pace, instead of one
    /// `Baseline` stack per sandbox; each keeps its `Bootstrap` stack (its own state backend
    /// and a deploy role pinned to its GitHub environment). Only the CloudFormation engine
    /// deploys it. `None` (the default): a stack per sandbox.
    pub sandbox_baseline_stack_set: Option<StackSetPreferences>,
}

impl Default for DocuStackOptions {
    fn default() -> Self {
        DocuStackOptions {
            developer_sandboxes: 1,
            sandbox_baseline_stack_set: None,
        }
    }
}

const REGION: &str = "us-east-1";
const MANAGEMENT_ACCOUNT: &str = "111111111111";
const REPOSITORY: &str = "docustack/infrastructure";
const DEPLOY_POLICY: &str = "arn:aws:iam::aws:policy/PowerUserAccess";

/// Per-account bootstrap: the account's own state backend and its deploy role.
fn bootstrap(app: &mut App, stage: NodeId, environment: &str) {
    let stack = app.scope(stage).add_stack(
        "Bootstrap",
        StackProps {
            description: Some(
                "Landform: Terraform state backend and CI deploy role of this account".into(),
            ),
            ..Default::default()
        },
    );
    StateBackend::new(
        &mut app.scope(stack),
        "State",
        StateBackendProps {
            prefix: "docustack".into(),
            ..Default::default()
        },
    );
    OidcDeployRole::new(
        &mut app.scope(stack),
        "Deploy",
        OidcDeployRoleProps {
            issuer: OidcIssuer::GitHub,
            subject: Some(github_subject(
                REPOSITORY,
                &GitHubRef::Environment(environment.into()),
            )),
            role_name: Some("github-deploy".into()),
            managed_policy_arns: vec![DEPLOY_POLICY.into()],
            allow_environment_subject: Some(Reason(
                "each account is one GitHub environment of the infrastructure repository; its protection rules (required reviewers, deployments from main only) decide which runs may deploy",
            )),
            ..Default::default()
        },
    );
}

/// The DocuStack layout: OUs Security (Log Archive, Audit), Sandbox (developer sandboxes)
/// and Workloads (Dev, Staging, Production) with the management account at the root; SCPs
/// region deny (us-east-1 only) and protect CloudTrail at the root, protect log archive on
/// Security, require S3 encryption and deny public S3 on Workloads; every account with the
/// security baseline, a budget, and its own state backend and GitHub OIDC deploy role.
///
/// ```
/// use landform_constructs::layouts::{docustack, DocuStackOptions};
/// let assembly = docustack(&DocuStackOptions::default()).synth().unwrap();
/// assert!(assembly.stack("Production-Bootstrap").is_some());
/// ```
pub fn docustack(options: &DocuStackOptions) -> App {
    docustack_in(
        options,
        &OrganizationTarget::new(MANAGEMENT_ACCOUNT, "r-d0c5"),
    )
}

/// [`docustack`] built into an existing organization: its management account and root.
pub fn docustack_in(options: &DocuStackOptions, target: &OrganizationTarget) -> App {
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
    let mut ou = |name: &str| {
        OrganizationalUnit::new(
            &mut scope,
            &format!("{name}Ou"),
            OrganizationalUnitProps {
                name: name.into(),
                parent: org.root(),
            },
        )
    };
    let security_ou = ou("Security");
    let sandbox_ou = ou("Sandbox");
    let workloads_ou = ou("Workloads");
    let policies: [(&str, &str, Vec<_>, Vec<_>); 5] = [
        (
            "RegionDeny",
            "docustack-region-deny",
            vec![scp_library::deny_regions_except(&[REGION], &[])],
            vec![org.target()],
        ),
        (
            "ProtectCloudTrail",
            "docustack-protect-cloudtrail",
            scp_library::protect_cloudtrail(),
            vec![org.target()],
        ),
        (
            "ProtectLogArchive",
            "docustack-protect-log-archive",
            vec![scp_library::protect_log_archive()],
            vec![security_ou.target()],
        ),
        (
            "RequireS3Encryption",
            "docustack-require-s3-encryption",
            vec![scp_library::require_s3_encryption()],
            vec![workloads_ou.target()],
        ),
        (
            "DenyPublicS3",
            "docustack-deny-public-s3",
            scp_library::deny_public_s3(),
            vec![workloads_ou.target()],
        ),
    ];
    for (id, name, statements, targets) in policies {
        ServiceControlPolicy::new(
            &mut scope,
            id,
            ServiceControlPolicyProps {
                name: name.into(),
                description: None,
                statements,
                targets,
            },
        );
    }

    let props = |name: &str, parent: &OrganizationalUnit, baseline: BaselineLevel, limit: u32| {
        AccountFactoryProps {
            account_name: name.into(),
            email: format!("aws+{name}@docustack.example"),
            parent: Some(parent.as_parent()),
            tags: [(
                "environment".to_string(),
                name.trim_start_matches("docustack-").to_string(),
            )]
            .into(),
            baseline,
            budget: Some(BudgetProps {
                limit_usd: limit,
                alert_email: "billing@docustack.example".into(),
            }),
            role_name: None,
            region: REGION.into(),
        }
    };

    let log_archive = AccountFactory::new(
        &mut app.scope(org_stack),
        "LogArchive",
        props(
            "docustack-log-archive",
            &security_ou,
            BaselineLevel::None,
            100,
        ),
    );
    let central = super::central_security(&mut app, log_archive.stage(), "o-docustack01");
    if let Some(stack) = log_archive.baseline_stack() {
        SecurityBaseline::new(
            &mut app.scope(stack),
            "Baseline",
            &central,
            SecurityBaselineProps::default(),
        );
    }
    bootstrap(&mut app, log_archive.stage(), "log-archive");

    let management_baseline = app.add_stack(management, "Baseline");
    SecurityBaseline::new(
        &mut app.scope(management_baseline),
        "Baseline",
        &central,
        SecurityBaselineProps::default(),
    );
    bootstrap(&mut app, management, "management");

    let standard = || BaselineLevel::Standard {
        central: central.clone(),
        props: SecurityBaselineProps::default(),
    };
    let mut accounts = vec![(
        "Audit".to_string(),
        props("docustack-audit", &security_ou, standard(), 100),
        "audit".to_string(),
    )];
    for n in 0..options.developer_sandboxes {
        let name = if n == 0 {
            "docustack-sandbox".to_string()
        } else {
            format!("docustack-sandbox-{n}")
        };
        let env = name.trim_start_matches("docustack-").to_string();
        let id = if n == 0 {
            "Sandbox".to_string()
        } else {
            format!("Sandbox{n}")
        };
        let sandbox = match options.sandbox_baseline_stack_set {
            // Bare: the StackSet gives it its baseline and budget.
            Some(_) => AccountFactoryProps {
                budget: None,
                ..props(&name, &sandbox_ou, BaselineLevel::None, 50)
            },
            None => props(&name, &sandbox_ou, standard(), 50),
        };
        accounts.push((id, sandbox, env));
    }
    for (id, name, env, limit) in [
        ("Dev", "docustack-dev", "dev", 200),
        ("Staging", "docustack-staging", "staging", 300),
        ("Production", "docustack-production", "production", 2000),
    ] {
        accounts.push((
            id.to_string(),
            props(name, &workloads_ou, standard(), limit),
            env.to_string(),
        ));
    }
    if let Some(preferences) = &options.sandbox_baseline_stack_set {
        super::baseline_stack_set(
            &mut app,
            management,
            "SandboxBaseline",
            "Landform: baseline of every developer sandbox (a service-managed StackSet on the Sandbox OU)",
            (&sandbox_ou, REGION),
            &central,
            preferences,
            (
                &BudgetProps {
                    limit_usd: 50,
                    alert_email: "billing@docustack.example".into(),
                },
                "docustack",
            ),
        );
    }
    for (id, props, env) in accounts {
        let account = AccountFactory::new(&mut app.scope(org_stack), &id, props);
        bootstrap(&mut app, account.stage(), &env);
    }
    app
}
