//! Every validation rule of the constructs: a table of invalid inputs, each asserting the exact
//! issue code and construct path, a table of passing inputs (one per rule, at the edge), and a
//! property test that no input makes synthesis panic.

use landform::constructs::settings::PasswordPolicy;
use landform::constructs::*;
use landform::core::{App, Environment, NodeId, Token};
use proptest::prelude::*;

/// The management stack and a valid organization in it.
fn management() -> (App, NodeId, Organization) {
    let mut app = App::new();
    let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    let stack = app.add_stack(stage, "Organization");
    let org = Organization::new(
        &mut app.scope(stack),
        "Org",
        OrganizationProps {
            root_id: "r-abcd".into(),
            ..Default::default()
        },
    );
    (app, stack, org)
}

fn org_with(props: OrganizationProps) -> App {
    let mut app = App::new();
    let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    let stack = app.add_stack(stage, "Organization");
    Organization::new(&mut app.scope(stack), "Org", props);
    app
}

fn ou(app: &mut App, stack: NodeId, id: &str, name: &str, parent: Parent) -> OrganizationalUnit {
    OrganizationalUnit::new(
        &mut app.scope(stack),
        id,
        OrganizationalUnitProps {
            name: name.into(),
            parent,
        },
    )
}

fn scp(props: ServiceControlPolicyProps) -> App {
    let (mut app, stack, _) = management();
    ServiceControlPolicy::new(&mut app.scope(stack), "Policy", props);
    app
}

/// `n` distinct IAM actions of 29 characters each (`prefix:Name`), from the catalogue the
/// policy validator checks against, so a policy of them is only ever too large.
fn actions_29(n: usize) -> Vec<String> {
    let catalogue = include_str!("../crates/landform-core/data/iam-catalogue.tsv");
    let found: Vec<String> = catalogue
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .flat_map(|(prefix, rest)| {
            let actions = rest.split('\t').next().unwrap_or_default();
            actions.split(',').map(move |a| format!("{prefix}:{a}"))
        })
        .filter(|a| a.len() == 29)
        .take(n)
        .collect();
    assert_eq!(
        found.len(),
        n,
        "the catalogue has {n} actions of 29 characters"
    );
    found
}

fn statements() -> Vec<landform::core::iam::Statement> {
    scp_library::protect_cloudtrail()
}

fn scps_on(count: usize, max: usize) -> App {
    let (mut app, stack, _) = management();
    let org = Organization::new(
        &mut app.scope(stack),
        "Org2",
        OrganizationProps {
            root_id: "r-wxyz".into(),
            max_policies_per_target: max,
            ..Default::default()
        },
    );
    let target = ou(&mut app, stack, "Ou", "Workloads", org.root());
    for n in 0..count {
        ServiceControlPolicy::new(
            &mut app.scope(stack),
            &format!("P{n}"),
            ServiceControlPolicyProps {
                name: format!("p{n}"),
                statements: statements(),
                targets: vec![target.target()],
                ..Default::default()
            },
        );
    }
    app
}

fn scps_on_root(count: usize) -> App {
    let (mut app, stack, org) = management();
    for n in 0..count {
        ServiceControlPolicy::new(
            &mut app.scope(stack),
            &format!("P{n}"),
            ServiceControlPolicyProps {
                name: format!("p{n}"),
                statements: statements(),
                targets: vec![org.target()],
                ..Default::default()
            },
        );
    }
    app
}

fn nested_ous(depth: usize) -> App {
    let (mut app, stack, org) = management();
    let mut parent = org.root();
    for n in 1..=depth {
        parent = ou(
            &mut app,
            stack,
            &format!("L{n}"),
            &format!("level-{n}"),
            parent,
        )
        .as_parent();
    }
    app
}

fn account(props: AccountFactoryProps) -> App {
    let (mut app, stack, _) = management();
    AccountFactory::new(&mut app.scope(stack), "Acct", props);
    app
}

fn account_props() -> AccountFactoryProps {
    AccountFactoryProps {
        account_name: "prod".into(),
        email: "aws+prod@example.com".into(),
        ..Default::default()
    }
}

fn security(org_id: &str) -> (App, CentralSecurity) {
    let mut app = App::new();
    let stage = app.add_stage("Security", Environment::new("222222222222", "us-east-1"));
    let stack = app.add_stack(stage, "Central");
    let central = CentralSecurity::new(
        &mut app.scope(stack),
        "Central",
        CentralSecurityProps {
            organization_id: org_id.into(),
            ..Default::default()
        },
    );
    (app, central)
}

fn baseline(props: SecurityBaselineProps) -> App {
    let (mut app, central) = security("o-a1b2c3d4e5");
    let stage = app.add_stage("Workload", Environment::new("333333333333", "us-east-1"));
    let stack = app.add_stack(stage, "Baseline");
    SecurityBaseline::new(&mut app.scope(stack), "Baseline", &central, props);
    app
}

fn password(policy: PasswordPolicy) -> App {
    baseline(SecurityBaselineProps {
        password_policy: policy,
        ..Default::default()
    })
}

fn rules(names: &[&str]) -> App {
    baseline(SecurityBaselineProps {
        config_rules: names.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    })
}

/// A hub in Infra/Network with networks A (shared) and B (workload) in one stack.
fn hub(asn: u32, a: &str, b: &str) -> App {
    hub_with(
        TransitHubProps {
            amazon_side_asn: asn,
            ..Default::default()
        },
        a,
        b,
    )
}

fn hub_with(props: TransitHubProps, a: &str, b: &str) -> App {
    let mut app = App::new();
    let stage = app.add_stage("Infra", Environment::new("444444444444", "us-east-1"));
    let stack = app.add_stack(stage, "Network");
    let mut hub = TransitHub::new(&mut app.scope(stack), "Hub", props);
    let logs = Token::literal("arn:aws:s3:::central-logs");
    let na = WorkloadNetwork::new(
        &mut app.scope(stack),
        "A",
        WorkloadNetworkProps::new(a, hub.transit_gateway_id(), logs.clone()),
    );
    let nb = WorkloadNetwork::new(
        &mut app.scope(stack),
        "B",
        WorkloadNetworkProps::new(b, hub.transit_gateway_id(), logs),
    );
    hub.attach(&mut app.root(), "A", &na, AttachmentRole::SharedServices);
    hub.attach(&mut app.root(), "B", &nb, AttachmentRole::Workload);
    app
}

fn network(cidr: &str, azs: u8) -> App {
    let mut app = App::new();
    let stage = app.add_stage("Prod", Environment::new("555555555555", "us-east-1"));
    let stack = app.add_stack(stage, "Network");
    let mut props = WorkloadNetworkProps::new(
        cidr,
        Token::literal("tgw-0123456789abcdef0"),
        Token::literal("arn:aws:s3:::central-logs"),
    );
    props.availability_zones = azs;
    WorkloadNetwork::new(&mut app.scope(stack), "Vpc", props);
    app
}

fn state(prefix: &str, key_prefixes: &[&str]) -> App {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new("111111111111", "us-east-1"));
    let stack = app.add_stack(stage, "State");
    let mode = if key_prefixes.is_empty() {
        StateMode::PerAccount
    } else {
        StateMode::Central {
            workloads: key_prefixes
                .iter()
                .enumerate()
                .map(|(n, p)| StateWorkload {
                    key_prefix: p.to_string(),
                    deploy_role_arn: Token::literal(format!(
                        "arn:aws:iam::33333333333{n}:role/deploy"
                    )),
                })
                .collect(),
        }
    };
    StateBackend::new(
        &mut app.scope(stack),
        "State",
        StateBackendProps {
            prefix: prefix.into(),
            mode,
            ..Default::default()
        },
    );
    app
}

/// A central backend whose workloads have these deploy roles (one per workload, in order).
fn state_roles(roles: &[&str]) -> App {
    let mut app = App::new();
    let stage = app.add_stage("Mgmt", Environment::new("111111111111", "us-east-1"));
    let stack = app.add_stack(stage, "State");
    let workloads = roles
        .iter()
        .enumerate()
        .map(|(n, r)| StateWorkload {
            key_prefix: format!("workload{n}"),
            deploy_role_arn: Token::literal(r.to_string()),
        })
        .collect();
    StateBackend::new(
        &mut app.scope(stack),
        "State",
        StateBackendProps {
            prefix: "acme".into(),
            mode: StateMode::Central { workloads },
            ..Default::default()
        },
    );
    app
}

fn custom_issuer(url: &str) -> App {
    oidc(OidcDeployRoleProps {
        issuer: OidcIssuer::Custom {
            url: url.into(),
            audience: "aws".into(),
        },
        ..oidc_props()
    })
}

fn oidc(props: OidcDeployRoleProps) -> App {
    let mut app = App::new();
    let stage = app.add_stage("Prod", Environment::new("333333333333", "us-east-1"));
    let stack = app.add_stack(stage, "Deploy");
    OidcDeployRole::new(&mut app.scope(stack), "Role", props);
    app
}

fn main_branch() -> Option<String> {
    Some(gitlab_subject(
        "group/infrastructure",
        &GitLabRef::Branch("main".into()),
    ))
}

fn oidc_props() -> OidcDeployRoleProps {
    OidcDeployRoleProps {
        subject: main_branch(),
        ..Default::default()
    }
}

/// Builds an app holding one input.
type Build = Box<dyn Fn() -> App>;

const ORG: &str = "App/Management/Organization";

fn invalid_cases() -> Vec<(&'static str, String, Build)> {
    let o = |p: &str| format!("{ORG}/{p}");
    let cases: Vec<(&'static str, String, Build)> = vec![
        // Organization
        (
            "Organization.RootId",
            o("Org"),
            Box::new(|| org_with(OrganizationProps::default())),
        ),
        (
            "Organization.RootId",
            o("Org"),
            Box::new(|| {
                org_with(OrganizationProps {
                    root_id: "r-AB12".into(),
                    ..Default::default()
                })
            }),
        ),
        (
            "Organization.RootId",
            o("Org"),
            Box::new(|| {
                org_with(OrganizationProps {
                    root_id: "ou-abcd".into(),
                    ..Default::default()
                })
            }),
        ),
        (
            "Organization.MaxPoliciesPerTarget",
            o("Org"),
            Box::new(|| {
                org_with(OrganizationProps {
                    root_id: "r-abcd".into(),
                    max_policies_per_target: 0,
                    ..Default::default()
                })
            }),
        ),
        (
            "Organization.TooManyPolicies",
            o("Org"),
            Box::new(|| scps_on_root(5)),
        ),
        (
            "Organization.TooManyPolicies",
            o("Ou"),
            Box::new(|| scps_on(3, 3)),
        ),
        // OrganizationalUnit
        (
            "OrganizationalUnit.OuName",
            o("Ou"),
            Box::new(|| {
                let (mut a, s, org) = management();
                ou(&mut a, s, "Ou", "", org.root());
                a
            }),
        ),
        (
            "OrganizationalUnit.OuName",
            o("Ou"),
            Box::new(|| {
                let (mut a, s, org) = management();
                ou(&mut a, s, "Ou", &"n".repeat(129), org.root());
                a
            }),
        ),
        (
            "OrganizationalUnit.OuName",
            o("Ou"),
            Box::new(|| {
                let (mut a, s, org) = management();
                ou(&mut a, s, "Ou", "tab\tname", org.root());
                a
            }),
        ),
        (
            "OrganizationalUnit.Depth",
            o("L6"),
            Box::new(|| nested_ous(6)),
        ),
        // ServiceControlPolicy
        (
            "ServiceControlPolicy.PolicyName",
            o("Policy"),
            Box::new(|| {
                scp(ServiceControlPolicyProps {
                    statements: statements(),
                    ..Default::default()
                })
            }),
        ),
        (
            "ServiceControlPolicy.PolicyName",
            o("Policy"),
            Box::new(|| {
                scp(ServiceControlPolicyProps {
                    name: "p".repeat(129),
                    statements: statements(),
                    ..Default::default()
                })
            }),
        ),
        (
            "ServiceControlPolicy.Description",
            o("Policy"),
            Box::new(|| {
                scp(ServiceControlPolicyProps {
                    name: "p".into(),
                    description: Some("d".repeat(513)),
                    statements: statements(),
                    ..Default::default()
                })
            }),
        ),
        (
            "ServiceControlPolicy.Empty",
            o("Policy"),
            Box::new(|| {
                scp(ServiceControlPolicyProps {
                    name: "p".into(),
                    ..Default::default()
                })
            }),
        ),
        (
            "ServiceControlPolicy.TooLarge",
            o("Policy"),
            Box::new(|| {
                scp(ServiceControlPolicyProps {
                    name: "p".into(),
                    statements: vec![scp_library::deny_actions("Big", actions_29(300))],
                    ..Default::default()
                })
            }),
        ),
        (
            "ServiceControlPolicy.Charset",
            o("Policy"),
            Box::new(|| {
                scp(ServiceControlPolicyProps {
                    name: "p".into(),
                    // The character sits where a policy may hold any text (a resource name).
                    statements: vec![landform::core::iam::Statement::deny()
                        .sid("Snow")
                        .actions(["s3:*"])
                        .resources(["arn:aws:s3:::snow/\u{2603}"])],
                    ..Default::default()
                })
            }),
        ),
        (
            "ServiceControlPolicy.DuplicateTarget",
            o("Policy"),
            Box::new(|| {
                let (mut app, stack, org) = management();
                ServiceControlPolicy::new(
                    &mut app.scope(stack),
                    "Policy",
                    ServiceControlPolicyProps {
                        name: "p".into(),
                        statements: statements(),
                        targets: vec![org.target(), org.target()],
                        ..Default::default()
                    },
                );
                app
            }),
        ),
        // AccountFactory
        (
            "AccountFactory.AccountName",
            o("Acct"),
            Box::new(|| {
                account(AccountFactoryProps {
                    account_name: String::new(),
                    ..account_props()
                })
            }),
        ),
        (
            "AccountFactory.AccountName",
            o("Acct"),
            Box::new(|| {
                account(AccountFactoryProps {
                    account_name: "a".repeat(51),
                    ..account_props()
                })
            }),
        ),
        (
            "AccountFactory.Email",
            o("Acct"),
            Box::new(|| {
                account(AccountFactoryProps {
                    email: "no-at-sign.example.com".into(),
                    ..account_props()
                })
            }),
        ),
        (
            "AccountFactory.Email",
            o("Acct"),
            Box::new(|| {
                account(AccountFactoryProps {
                    email: "aws prod@example.com".into(),
                    ..account_props()
                })
            }),
        ),
        (
            "AccountFactory.Email",
            o("Acct"),
            Box::new(|| {
                account(AccountFactoryProps {
                    email: "a@b@example.com".into(),
                    ..account_props()
                })
            }),
        ),
        (
            "AccountFactory.Email",
            o("Acct"),
            Box::new(|| {
                account(AccountFactoryProps {
                    email: format!("{}@example.com", "a".repeat(60)),
                    ..account_props()
                })
            }),
        ),
        (
            "AccountFactory.Email",
            o("Acct"),
            Box::new(|| {
                account(AccountFactoryProps {
                    email: "aws@localhost".into(),
                    ..account_props()
                })
            }),
        ),
        (
            "AccountFactory.RoleName",
            o("Acct"),
            Box::new(|| {
                account(AccountFactoryProps {
                    role_name: Some("bad/role".into()),
                    ..account_props()
                })
            }),
        ),
        (
            "AccountFactory.BudgetLimit",
            o("Acct"),
            Box::new(|| {
                account(AccountFactoryProps {
                    budget: Some(BudgetProps {
                        limit_usd: 0,
                        alert_email: "ops@example.com".into(),
                    }),
                    ..account_props()
                })
            }),
        ),
        (
            "AccountFactory.AlertEmail",
            o("Acct"),
            Box::new(|| {
                account(AccountFactoryProps {
                    budget: Some(BudgetProps {
                        limit_usd: 10,
                        alert_email: "ops".into(),
                    }),
                    ..account_props()
                })
            }),
        ),
        (
            "AccountFactory.Tag",
            o("Acct"),
            Box::new(|| {
                account(AccountFactoryProps {
                    tags: [("aws:reserved".to_string(), "x".to_string())].into(),
                    ..account_props()
                })
            }),
        ),
        (
            "AccountFactory.TooManyTags",
            o("Acct"),
            Box::new(|| {
                account(AccountFactoryProps {
                    tags: (0..51)
                        .map(|n| (format!("k{n}"), "v".to_string()))
                        .collect(),
                    ..account_props()
                })
            }),
        ),
        (
            "AccountFactory.DuplicateEmail",
            o("Second"),
            Box::new(|| {
                let (mut app, stack, _) = management();
                AccountFactory::new(&mut app.scope(stack), "First", account_props());
                AccountFactory::new(
                    &mut app.scope(stack),
                    "Second",
                    AccountFactoryProps {
                        account_name: "other".into(),
                        email: "AWS+prod@example.com".into(),
                        ..Default::default()
                    },
                );
                app
            }),
        ),
        // CentralSecurity
        (
            "CentralSecurity.OrganizationId",
            "App/Security/Central/Central".into(),
            Box::new(|| security("").0),
        ),
        (
            "CentralSecurity.OrganizationId",
            "App/Security/Central/Central".into(),
            Box::new(|| security("o-short").0),
        ),
        // SecurityBaseline
        (
            "SecurityBaseline.ConfigRuleName",
            "App/Workload/Baseline/Baseline".into(),
            Box::new(|| rules(&["bad rule"])),
        ),
        (
            "SecurityBaseline.DuplicateConfigRule",
            "App/Workload/Baseline/Baseline".into(),
            Box::new(|| rules(&["restricted-ssh", "restricted-ssh"])),
        ),
        (
            "SecurityBaseline.PasswordLength",
            "App/Workload/Baseline/Baseline".into(),
            Box::new(|| {
                password(PasswordPolicy {
                    minimum_length: 5,
                    ..Default::default()
                })
            }),
        ),
        (
            "SecurityBaseline.PasswordReuse",
            "App/Workload/Baseline/Baseline".into(),
            Box::new(|| {
                password(PasswordPolicy {
                    reuse_prevention: 25,
                    ..Default::default()
                })
            }),
        ),
        (
            "SecurityBaseline.PasswordMaxAge",
            "App/Workload/Baseline/Baseline".into(),
            Box::new(|| {
                password(PasswordPolicy {
                    max_age_days: Some(1096),
                    ..Default::default()
                })
            }),
        ),
        // TransitHub
        (
            "TransitHub.AmazonSideAsn",
            "App/Infra/Network/Hub".into(),
            Box::new(|| hub(100, "10.0.0.0/16", "10.1.0.0/16")),
        ),
        (
            "TransitHub.CidrOverlap",
            "App/Infra/HubRoutes/Hub/B".into(),
            Box::new(|| hub(64512, "10.0.0.0/16", "10.0.128.0/17")),
        ),
        (
            "TransitHub.CidrOverlap",
            "App/Infra/HubRoutes/Hub/B".into(),
            Box::new(|| hub(64512, "10.0.0.0/16", "10.0.0.0/16")),
        ),
        (
            "TransitHub.AttachmentsPerRoutesStack",
            "App/Infra/Network/Hub".into(),
            Box::new(|| {
                hub_with(
                    TransitHubProps {
                        attachments_per_routes_stack: 0,
                        ..Default::default()
                    },
                    "10.0.0.0/16",
                    "10.1.0.0/16",
                )
            }),
        ),
        (
            "TransitHub.Cidr",
            "App/Infra/Network/Hub".into(),
            Box::new(|| {
                hub_with(
                    TransitHubProps {
                        summary_routes: vec!["10.128.0.1/9".into()],
                        ..Default::default()
                    },
                    "10.0.0.0/16",
                    "10.1.0.0/16",
                )
            }),
        ),
        // WorkloadNetwork
        (
            "WorkloadNetwork.Cidr",
            "App/Prod/Network/Vpc".into(),
            Box::new(|| network("10.0.0.1/16", 2)),
        ),
        (
            "WorkloadNetwork.Cidr",
            "App/Prod/Network/Vpc".into(),
            Box::new(|| network("10.0.0.0", 2)),
        ),
        (
            "WorkloadNetwork.CidrPrefix",
            "App/Prod/Network/Vpc".into(),
            Box::new(|| network("10.0.0.0/8", 2)),
        ),
        (
            "WorkloadNetwork.CidrFamily",
            "App/Prod/Network/Vpc".into(),
            Box::new(|| network("2600:1f18:abcd:1200::/56", 2)),
        ),
        (
            "WorkloadNetwork.AvailabilityZones",
            "App/Prod/Network/Vpc".into(),
            Box::new(|| network("10.0.0.0/16", 1)),
        ),
        (
            "WorkloadNetwork.SubnetsTooSmall",
            "App/Prod/Network/Vpc".into(),
            Box::new(|| network("10.0.0.0/28", 2)),
        ),
        // StateBackend
        (
            "StateBackend.BucketNameCharset",
            "App/Mgmt/State/State".into(),
            Box::new(|| state("Upper", &[])),
        ),
        (
            "StateBackend.BucketNameCharset",
            "App/Mgmt/State/State".into(),
            Box::new(|| state("", &[])),
        ),
        (
            "StateBackend.BucketNameReservedPrefix",
            "App/Mgmt/State/State".into(),
            Box::new(|| state("xn--state", &[])),
        ),
        (
            "StateBackend.BucketNameReservedPrefix",
            "App/Mgmt/State/State".into(),
            Box::new(|| state("sthree-state", &[])),
        ),
        (
            "StateBackend.BucketNameLength",
            "App/Mgmt/State/State".into(),
            Box::new(|| state(&"a".repeat(40), &[])),
        ),
        (
            "StateBackend.KeyPrefix",
            "App/Mgmt/State/State".into(),
            Box::new(|| state("acme", &["/absolute"])),
        ),
        (
            "StateBackend.KeyPrefix",
            "App/Mgmt/State/State".into(),
            Box::new(|| state("acme", &[""])),
        ),
        (
            "StateBackend.DuplicateKeyPrefix",
            "App/Mgmt/State/State".into(),
            Box::new(|| state("acme", &["prod", "prod"])),
        ),
        (
            "StateBackend.OverlappingKeyPrefix",
            "App/Mgmt/State/State".into(),
            Box::new(|| state("acme", &["prod", "prod/eu"])),
        ),
        (
            "StateBackend.SharedDeployRole",
            "App/Mgmt/State/State".into(),
            Box::new(|| {
                state_roles(&[
                    "arn:aws:iam::333333333333:role/deploy",
                    "arn:aws:iam::444444444444:role/deploy",
                    "arn:aws:iam::333333333333:role/deploy",
                ])
            }),
        ),
        // OidcDeployRole
        (
            "OidcDeployRole.MissingSubject",
            "App/Prod/Deploy/Role".into(),
            Box::new(|| oidc(OidcDeployRoleProps::default())),
        ),
        (
            "OidcDeployRole.MissingSubject",
            "App/Prod/Deploy/Role".into(),
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    subject: Some(String::new()),
                    ..Default::default()
                })
            }),
        ),
        (
            "OidcDeployRole.WildcardSubject",
            "App/Prod/Deploy/Role".into(),
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    subject: Some("project_path:group/*:ref_type:branch:ref:main".into()),
                    ..Default::default()
                })
            }),
        ),
        (
            "OidcDeployRole.WildcardSubject",
            "App/Prod/Deploy/Role".into(),
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    issuer: OidcIssuer::GitHub,
                    subject: Some("repo:org/repo:ref:refs/heads/releas?".into()),
                    ..Default::default()
                })
            }),
        ),
        (
            "OidcDeployRole.SubjectFormat",
            "App/Prod/Deploy/Role".into(),
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    issuer: OidcIssuer::GitHub,
                    // GitHub names the ref in full: refs/heads/main.
                    subject: Some("repo:org/infra:ref:main".into()),
                    ..Default::default()
                })
            }),
        ),
        (
            "OidcDeployRole.SubjectFormat",
            "App/Prod/Deploy/Role".into(),
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    // A GitHub subject given to a GitLab issuer.
                    subject: Some("repo:org/infra:ref:refs/heads/main".into()),
                    ..Default::default()
                })
            }),
        ),
        (
            "OidcDeployRole.EnvironmentSubject",
            "App/Prod/Deploy/Role".into(),
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    issuer: OidcIssuer::GitHub,
                    subject: Some(github_subject(
                        "org/infra",
                        &GitHubRef::Environment("prod".into()),
                    )),
                    ..Default::default()
                })
            }),
        ),
        (
            "OidcDeployRole.PullRequestSubject",
            "App/Prod/Deploy/Role".into(),
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    issuer: OidcIssuer::GitHub,
                    subject: Some(github_subject("org/infra", &GitHubRef::PullRequest)),
                    ..Default::default()
                })
            }),
        ),
        (
            "OidcDeployRole.ForAllValuesSubject",
            "App/Prod/Deploy/Role".into(),
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    subject_match: SubjectMatch::ForAllValues,
                    ..oidc_props()
                })
            }),
        ),
        (
            "OidcDeployRole.MissingAudience",
            "App/Prod/Deploy/Role".into(),
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    audience: Audience::Unpinned,
                    ..oidc_props()
                })
            }),
        ),
        (
            "OidcDeployRole.AudienceEmpty",
            "App/Prod/Deploy/Role".into(),
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    audience: Audience::Value(String::new()),
                    ..oidc_props()
                })
            }),
        ),
        (
            "OidcDeployRole.RoleName",
            "App/Prod/Deploy/Role".into(),
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    role_name: Some("r".repeat(65)),
                    ..oidc_props()
                })
            }),
        ),
        (
            "OidcDeployRole.EmptyReason",
            "App/Prod/Deploy/Role".into(),
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    allow_wildcard_subject: Some(Reason("  ")),
                    ..oidc_props()
                })
            }),
        ),
        (
            "OidcDeployRole.IssuerUrl",
            "App/Prod/Deploy/Role".into(),
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    issuer: OidcIssuer::Custom {
                        url: "http://gitlab.internal".into(),
                        audience: "aws".into(),
                    },
                    ..oidc_props()
                })
            }),
        ),
        (
            "OidcDeployRole.IssuerUrl",
            "App/Prod/Deploy/Role".into(),
            Box::new(|| custom_issuer("https://gitlab.internal:8443")),
        ),
        (
            "OidcDeployRole.IssuerUrl",
            "App/Prod/Deploy/Role".into(),
            Box::new(|| custom_issuer("https://gitlab.internal/?tenant=a")),
        ),
        (
            "OidcDeployRole.IssuerUrl",
            "App/Prod/Deploy/Role".into(),
            Box::new(|| custom_issuer("https://gitlab.internal#x")),
        ),
        (
            "OidcDeployRole.IssuerUrl",
            "App/Prod/Deploy/Role".into(),
            Box::new(|| custom_issuer("https://ci:secret@gitlab.internal")),
        ),
        (
            "OidcDeployRole.IssuerUrl",
            "App/Prod/Deploy/Role".into(),
            Box::new(|| custom_issuer(&format!("https://gitlab.internal/{}", "a".repeat(240)))),
        ),
        (
            "Quota.TrustPolicyLength",
            "App/Prod/Deploy/Role/Role".into(),
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    subject: Some(format!(
                        "project_path:{}/infra:ref_type:branch:ref:main",
                        "g".repeat(4100)
                    )),
                    ..Default::default()
                })
            }),
        ),
    ];
    cases
}

#[test]
fn every_invalid_input_is_reported_with_its_code_and_path() {
    let cases = invalid_cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    for (n, (code, path, build)) in cases.iter().enumerate() {
        let app = build();
        let issues = app.validate();
        let found = issues
            .0
            .iter()
            .any(|i| i.code == *code && i.path.to_string() == *path);
        // The inputs are minimal: nothing but the rule under test breaks (a stack left with
        // no resource by an organization-only fixture is not the construct's doing).
        let only = issues
            .0
            .iter()
            .all(|i| i.code == *code || i.code == "Stack.NoResources");
        if !found || !only || app.synth().is_ok() {
            failures.push(format!(
                "case {n}: expected only {code} at {path}, got:\n{issues}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn passing_cases() -> Vec<(&'static str, Build)> {
    vec![
        (
            "root id, FullAWSAccess + 4 SCPs on the root",
            Box::new(|| scps_on_root(4)),
        ),
        ("OU quota raised to 4, 3 SCPs", Box::new(|| scps_on(3, 4))),
        ("OU at depth 5", Box::new(|| nested_ous(5))),
        (
            "OU name of 128 characters",
            Box::new(|| {
                let (mut a, s, org) = management();
                ou(&mut a, s, "Ou", &"n".repeat(128), org.root());
                a
            }),
        ),
        (
            "SCP name of 128, description of 512",
            Box::new(|| {
                scp(ServiceControlPolicyProps {
                    name: "p".repeat(128),
                    description: Some("d".repeat(512)),
                    statements: statements(),
                    ..Default::default()
                })
            }),
        ),
        (
            "SCP with Latin-1 characters",
            Box::new(|| {
                scp(ServiceControlPolicyProps {
                    name: "p\u{e9}".into(),
                    statements: vec![landform::core::iam::Statement::deny()
                        .sid("Latin")
                        .actions(["s3:*"])
                        .resources(["arn:aws:s3:::caf\u{e9}/*"])],
                    ..Default::default()
                })
            }),
        ),
        (
            "SCP just under 5,120 characters",
            Box::new(|| {
                scp(ServiceControlPolicyProps {
                    name: "p".into(),
                    statements: vec![scp_library::deny_actions("Big", actions_29(150))],
                    ..Default::default()
                })
            }),
        ),
        (
            "every ready SCP in one policy",
            Box::new(|| {
                scp(ServiceControlPolicyProps {
                    name: "all".into(),
                    statements: {
                        let mut s = vec![
                            scp_library::deny_regions_except(&["us-east-1"], &["sso:*"]),
                            scp_library::require_s3_encryption(),
                            scp_library::protect_log_archive(),
                            scp_library::deny_iam_console_users(),
                            scp_library::deny_open_ingress(&["arn:*:iam::*:role/deploy"]),
                        ];
                        s.extend(scp_library::protect_cloudtrail());
                        s.extend(scp_library::deny_public_s3());
                        s
                    },
                    ..Default::default()
                })
            }),
        ),
        (
            "account with 50-character name, 64-character email, role, budget, 50 tags",
            Box::new(|| {
                account(AccountFactoryProps {
                    account_name: "a".repeat(50),
                    email: format!("{}@example.com", "a".repeat(52)),
                    role_name: Some("OrganizationAccountAccessRole".into()),
                    budget: Some(BudgetProps {
                        limit_usd: 1,
                        alert_email: "ops@example.com".into(),
                    }),
                    tags: (0..50)
                        .map(|n| (format!("k{n}"), "v".repeat(256)))
                        .collect(),
                    ..account_props()
                })
            }),
        ),
        (
            "two accounts, distinct emails",
            Box::new(|| {
                let (mut app, stack, _) = management();
                AccountFactory::new(&mut app.scope(stack), "First", account_props());
                AccountFactory::new(
                    &mut app.scope(stack),
                    "Second",
                    AccountFactoryProps {
                        account_name: "other".into(),
                        email: "aws+other@example.com".into(),
                        ..Default::default()
                    },
                );
                app
            }),
        ),
        (
            "baseline with custom rules and edge password policy",
            Box::new(|| {
                baseline(SecurityBaselineProps {
                    config_rules: vec![
                        "cloudtrail-enabled".into(),
                        "restricted-common-ports".into(),
                    ],
                    password_policy: PasswordPolicy {
                        minimum_length: 128,
                        reuse_prevention: 1,
                        max_age_days: None,
                        require_all_character_classes: true,
                    },
                    forward_findings: false,
                })
            }),
        ),
        (
            "password policy at the low edges",
            Box::new(|| {
                password(PasswordPolicy {
                    minimum_length: 6,
                    reuse_prevention: 24,
                    max_age_days: Some(1095),
                    ..Default::default()
                })
            }),
        ),
        (
            "hub with 4-byte ASN and adjacent CIDRs",
            Box::new(|| hub(4_200_000_000, "10.0.0.0/16", "10.1.0.0/16")),
        ),
        (
            "hub with one attachment per routes stack and a summary block holding both VPCs",
            Box::new(|| {
                hub_with(
                    TransitHubProps {
                        attachments_per_routes_stack: 1,
                        summary_routes: vec!["10.0.0.0/8".into()],
                        ..Default::default()
                    },
                    "10.0.0.0/16",
                    "10.1.0.0/16",
                )
            }),
        ),
        (
            "network /27 over two AZs (two /28 subnets)",
            Box::new(|| network("10.0.0.0/27", 2)),
        ),
        (
            "network over three AZs",
            Box::new(|| network("10.0.0.0/16", 3)),
        ),
        (
            "state bucket name of exactly 63 characters",
            Box::new(|| state(&"a".repeat(24), &[])),
        ),
        (
            "central state with sibling prefixes",
            Box::new(|| state("acme", &["prod", "prod-eu", "staging/eu"])),
        ),
        ("OIDC pinned to one branch", Box::new(|| oidc(oidc_props()))),
        (
            "GitHub tag, environment and pull request subjects with their opt-outs",
            Box::new(|| {
                let mut app = App::new();
                let stage = app.add_stage("Prod", Environment::new("333333333333", "us-east-1"));
                let stack = app.add_stack(stage, "Deploy");
                let github = |subject: GitHubRef| {
                    OidcDeployRoleProps {
                    issuer: OidcIssuer::GitHub,
                    existing_provider_arn: Some(landform::core::Token::literal(
                        "arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com",
                    )),
                    subject: Some(github_subject("org/infra", &subject)),
                    ..Default::default()
                }
                };
                OidcDeployRole::new(
                    &mut app.scope(stack),
                    "Tag",
                    github(GitHubRef::Tag("v1.2.0".into())),
                );
                OidcDeployRole::new(
                    &mut app.scope(stack),
                    "Env",
                    OidcDeployRoleProps {
                        allow_environment_subject: Some(Reason(
                            "the prod environment requires a reviewer",
                        )),
                        ..github(GitHubRef::Environment("prod".into()))
                    },
                );
                OidcDeployRole::new(
                    &mut app.scope(stack),
                    "Pr",
                    OidcDeployRoleProps {
                        allow_pull_request_subject: Some(Reason(
                            "a read-only plan role for pull requests",
                        )),
                        ..github(GitHubRef::PullRequest)
                    },
                );
                OidcDeployRole::new(&mut app.scope(stack), "Custom", OidcDeployRoleProps {
                    subject: Some("repo:org/infra:job_workflow_ref:org/infra/.github/workflows/deploy.yml@refs/heads/main".into()),
                    allow_custom_subject_format: Some(Reason("the organization's subject template adds job_workflow_ref")),
                    ..github(GitHubRef::Tag("x".into()))
                });
                app
            }),
        ),
        (
            "OIDC GitHub environment with role name of 64",
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    issuer: OidcIssuer::GitHub,
                    subject: Some(github_subject(
                        "org/repo",
                        &GitHubRef::Environment("prod".into()),
                    )),
                    role_name: Some("r".repeat(64)),
                    allow_environment_subject: Some(Reason("prod requires a reviewer")),
                    ..Default::default()
                })
            }),
        ),
        (
            "OIDC wildcard with a reason",
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    subject: Some(
                        "project_path:group/infrastructure:ref_type:branch:ref:review-*".into(),
                    ),
                    allow_wildcard_subject: Some(Reason(
                        "review apps deploy from merge request branches",
                    )),
                    ..Default::default()
                })
            }),
        ),
        (
            "OIDC without sub, with a reason",
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    allow_missing_subject: Some(Reason("read-only role for every pipeline")),
                    ..Default::default()
                })
            }),
        ),
        (
            "OIDC ForAllValues with a reason",
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    subject_match: SubjectMatch::ForAllValues,
                    allow_for_all_values_subject: Some(Reason("issuer sends sub as a list")),
                    ..oidc_props()
                })
            }),
        ),
        (
            "OIDC unpinned audience with a reason",
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    audience: Audience::Unpinned,
                    allow_missing_audience: Some(Reason("issuer sets no aud")),
                    ..oidc_props()
                })
            }),
        ),
        (
            "OIDC custom issuer",
            Box::new(|| {
                oidc(OidcDeployRoleProps {
                    issuer: OidcIssuer::Custom {
                        url: "https://gitlab.internal".into(),
                        audience: "sts.amazonaws.com".into(),
                    },
                    ..oidc_props()
                })
            }),
        ),
        (
            "a custom issuer on a path of its host, at 255 characters",
            Box::new(|| custom_issuer(&format!("https://gitlab.internal/{}", "a".repeat(231)))),
        ),
        (
            "every workload with its own deploy role",
            Box::new(|| {
                state_roles(&[
                    "arn:aws:iam::333333333333:role/deploy",
                    "arn:aws:iam::444444444444:role/deploy",
                ])
            }),
        ),
    ]
}

#[test]
fn the_edge_of_every_rule_passes() {
    for (name, build) in passing_cases() {
        let app = build();
        let issues = app.validate();
        assert!(issues.0.is_empty(), "{name}:\n{issues}");
        assert!(app.synth().is_ok(), "{name}");
    }
}

#[test]
fn opt_outs_change_the_trust_policy_as_asked() {
    let app = oidc(OidcDeployRoleProps {
        subject: Some("project_path:group/infrastructure:ref_type:branch:ref:review-*".into()),
        allow_wildcard_subject: Some(Reason("review apps")),
        ..Default::default()
    });
    let assembly = app.synth().expect("valid");
    let text = serde_json::to_string(&assembly.stacks()[0].template).expect("json");
    assert!(text.contains(r#""StringLike":{"gitlab.com:sub":"project_path:group/infrastructure:ref_type:branch:ref:review-*"}"#), "{text}");
    assert!(
        text.contains(r#""StringEquals":{"gitlab.com:aud":"https://gitlab.com"}"#),
        "{text}"
    );
}

#[test]
fn workloads_reach_shared_services_but_not_each_other() {
    let mut app = App::new();
    let stage = app.add_stage("Infra", Environment::new("444444444444", "us-east-1"));
    let stack = app.add_stack(stage, "Network");
    let mut hub = TransitHub::new(&mut app.scope(stack), "Hub", TransitHubProps::default());
    let logs = Token::literal("arn:aws:s3:::central-logs");
    let mut attach = |app: &mut App, name: &str, cidr: &str, role| {
        let net = WorkloadNetwork::new(
            &mut app.scope(stack),
            name,
            WorkloadNetworkProps::new(cidr, hub.transit_gateway_id(), logs.clone()),
        );
        hub.attach(&mut app.root(), name, &net, role);
    };
    // Workloads first, shared last: routes are added both ways whatever the order.
    attach(&mut app, "Prod", "10.10.0.0/16", AttachmentRole::Workload);
    attach(
        &mut app,
        "Staging",
        "10.20.0.0/16",
        AttachmentRole::Workload,
    );
    attach(
        &mut app,
        "Shared",
        "10.0.0.0/16",
        AttachmentRole::SharedServices,
    );
    attach(
        &mut app,
        "Dns",
        "10.1.0.0/16",
        AttachmentRole::SharedServices,
    );
    assert!(hub.can_reach("Prod", "Shared") && hub.can_reach("Shared", "Prod"));
    assert!(hub.can_reach("Staging", "Dns"));
    assert!(hub.can_reach("Shared", "Dns"));
    assert!(!hub.can_reach("Prod", "Staging") && !hub.can_reach("Staging", "Prod"));
    assert!(!hub.can_reach("Prod", "Prod") && !hub.can_reach("Prod", "Nowhere"));
    let assembly = app.synth().expect("valid");
    let routes =
        landform::constructs::layouts::resource_counts(&assembly)["AWS::EC2::TransitGatewayRoute"];
    // Shared<->Prod, Shared<->Staging, Dns<->Prod, Dns<->Staging, Shared<->Dns: 5 pairs, 2 routes each.
    assert_eq!(routes, 10);
}

/// Shared services first, then five workloads in their own accounts, two attachments per
/// routes stack, the gateway shared with an OU and the workloads summarised in one block.
#[test]
fn hub_spreads_routes_over_stacks_and_keeps_routing_and_the_share_dependency() {
    let mut app = App::new();
    let infra = app.add_stage("Infra", Environment::new("444444444444", "us-east-1"));
    let stack = app.add_stack(infra, "Network");
    let mut hub = TransitHub::new(
        &mut app.scope(stack),
        "Hub",
        TransitHubProps {
            share_with_organizational_units: vec![Token::literal(
                "arn:aws:organizations::111111111111:ou/o-abcdefghij/ou-abcd-12345678",
            )],
            attachments_per_routes_stack: 2,
            summary_routes: vec!["10.128.0.0/9".into()],
            ..Default::default()
        },
    );
    let logs = Token::literal("arn:aws:s3:::central-logs");
    let shared = WorkloadNetwork::new(
        &mut app.scope(stack),
        "Shared",
        WorkloadNetworkProps::new("10.0.0.0/16", hub.transit_gateway_id(), logs.clone()),
    );
    hub.attach(
        &mut app.root(),
        "Shared",
        &shared,
        AttachmentRole::SharedServices,
    );
    for n in 0..5 {
        let stage = app.add_stage(
            &format!("W{n}"),
            Environment::new(format!("55555555555{n}"), "us-east-1"),
        );
        let net_stack = app.add_stack(stage, "Network");
        let net = WorkloadNetwork::new(
            &mut app.scope(net_stack),
            "Vpc",
            WorkloadNetworkProps::new(
                &format!("10.128.{n}.0/24"),
                hub.transit_gateway_id(),
                logs.clone(),
            ),
        );
        hub.attach(
            &mut app.root(),
            &format!("W{n}"),
            &net,
            AttachmentRole::Workload,
        );
    }
    for n in 0..5 {
        let w = format!("W{n}");
        assert!(hub.can_reach(&w, "Shared") && hub.can_reach("Shared", &w));
        assert!(!hub.can_reach(&w, &format!("W{}", (n + 1) % 5)));
    }
    let assembly = app.synth().expect("valid");
    let names: Vec<&str> = assembly
        .stacks()
        .iter()
        .map(|s| s.name.as_str())
        .filter(|n| n.starts_with("Infra-HubRoutes"))
        .collect();
    assert_eq!(
        names,
        ["Infra-HubRoutes", "Infra-HubRoutes2", "Infra-HubRoutes3"]
    );
    // Attachments 3 to 6 have their route table, association and both routes (its own and
    // the shared table's route back to it) in the later stacks.
    let paths = |stack: &str| -> Vec<String> {
        let s = assembly.stack(stack).expect("stack");
        s.resources.values().map(|r| r.path.to_string()).collect()
    };
    let second = paths("Infra-HubRoutes2");
    for expected in [
        "App/Infra/HubRoutes2/Hub/W1RouteTable",
        "App/Infra/HubRoutes2/Hub/W1/Association",
        "App/Infra/HubRoutes2/Hub/W1/ToShared",
        "App/Infra/HubRoutes2/Hub/Shared/ToW1",
        "App/Infra/HubRoutes2/Hub/Shared/ToW2",
    ] {
        assert!(
            second.iter().any(|p| p == expected),
            "{expected} in {second:?}"
        );
    }
    let first = paths("Infra-HubRoutes");
    assert!(first
        .iter()
        .any(|p| p == "App/Infra/HubRoutes/Hub/Shared/ToW0"));
    assert!(paths("Infra-Network")
        .iter()
        .any(|p| p == "App/Infra/Network/Hub/W0RouteTable"));
    let counts = landform::constructs::layouts::resource_counts(&assembly);
    assert_eq!(counts["AWS::EC2::TransitGatewayRoute"], 10);
    // The shared VPC routes the workloads' block once; each workload routes to shared once.
    let network = &assembly.stack("Infra-Network").expect("network").template;
    let vpc_routes: Vec<&String> = network["Resources"]
        .as_object()
        .expect("resources")
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::EC2::Route")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(vpc_routes.len(), 1, "{vpc_routes:?}");
    assert_eq!(counts["AWS::EC2::Route"], 6);
    // Each attachment still waits for the RAM share, shared with the OU.
    for n in 0..5 {
        let net = assembly.stack(&format!("W{n}-Network")).expect("network");
        let on_hub = net
            .dependencies
            .iter()
            .find(|d| d.stack == "Infra-Network")
            .expect("depends on the hub");
        assert!(on_hub.explicit);
        assert!(on_hub.reasons.iter().any(|r| r
            == "App/W{n}/Network/Vpc/HubAttachment depends on App/Infra/Network/Hub/Share"
                .replace("{n}", &n.to_string())
                .as_str()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn no_input_makes_synthesis_panic(
        name in ".{0,70}",
        email in "[a-z@. +]{0,70}",
        root in "[a-z0-9-]{0,12}",
        cidr in "[0-9./]{0,20}",
        octets in (any::<u8>(), any::<u8>(), 0u8..=32),
        azs in 0u8..6,
        asn in any::<u32>(),
        prefix in "[a-zA-Z0-9.-]{0,70}",
        key in "[a-z/]{0,10}",
        subject in "[ -~]{0,100}",
        limit in any::<u32>(),
        depth in 0usize..8,
    ) {
        let mut app = App::new();
        let stage = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
        let stack = app.add_stack(stage, "Organization");
        let org = Organization::new(&mut app.scope(stack), "Org", OrganizationProps { root_id: root.clone(), ..Default::default() });
        let mut parent = org.root();
        for n in 0..depth {
            parent = ou(&mut app, stack, &format!("L{n}"), &name, parent).as_parent();
        }
        ServiceControlPolicy::new(&mut app.scope(stack), "Scp", ServiceControlPolicyProps {
            name: name.clone(), description: Some(subject.clone()),
            statements: vec![scp_library::deny_actions("X", [subject.clone()])],
            targets: vec![org.target()],
        });
        let account = AccountFactory::new(&mut app.scope(stack), "Acct", AccountFactoryProps {
            account_name: name.clone(), email: email.clone(), parent: Some(parent),
            budget: Some(BudgetProps { limit_usd: limit, alert_email: email.clone() }),
            role_name: Some(name.clone()),
            ..Default::default()
        });
        let net_stack = app.scope(account.stage()).add_stack("Network", Default::default());
        let mut hub = TransitHub::new(&mut app.scope(net_stack), "Hub", TransitHubProps { amazon_side_asn: asn, ..Default::default() });
        let logs = Token::literal("arn:aws:s3:::logs");
        let mut props = WorkloadNetworkProps::new(&cidr, hub.transit_gateway_id(), logs.clone());
        props.availability_zones = azs;
        let a = WorkloadNetwork::new(&mut app.scope(net_stack), "A", props);
        let generated = format!("{}.{}.0.0/{}", octets.0, octets.1, octets.2);
        let mut props = WorkloadNetworkProps::new(&generated, hub.transit_gateway_id(), logs);
        props.availability_zones = azs;
        let b = WorkloadNetwork::new(&mut app.scope(net_stack), "B", props);
        hub.attach(&mut app.root(), "A", &a, AttachmentRole::SharedServices);
        hub.attach(&mut app.root(), "B", &b, AttachmentRole::Workload);
        let _ = hub.can_reach("A", "B");
        StateBackend::new(&mut app.scope(net_stack), "State", StateBackendProps {
            prefix: prefix.clone(),
            mode: StateMode::Central { workloads: vec![StateWorkload { key_prefix: key.clone(), deploy_role_arn: Token::literal("arn:aws:iam::1:role/x") }] },
            ..Default::default()
        });
        OidcDeployRole::new(&mut app.scope(net_stack), "Deploy", OidcDeployRoleProps {
            subject: Some(subject.clone()), role_name: Some(prefix.clone()), ..Default::default()
        });
        // Either outcome is fine; what matters is that we get one.
        let _ = app.synth();
        let _ = app.validate();
    }
}
