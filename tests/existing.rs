//! Typed handles for what exists already (issue 14): an OU and an account the app did not
//! create are parents, SCP targets and deploy targets like created ones, and never planned as
//! a create; bad ids are reported together, with their construct paths.

use std::sync::Arc;

use landform::constructs::{
    Account, Organization, OrganizationProps, OrganizationalUnit, OrganizationalUnitProps,
    ServiceControlPolicy, ServiceControlPolicyProps,
};
use landform::core::iam::Statement;
use landform::core::{App, CoreError, Environment, Resource};
use landform::deploy::{
    Action, Engine, InMemoryCloud, MemoryLock, MemoryStateStore, OrganizationSeed,
};
use serde_json::json;

const MGMT: &str = "111111111111";
const LOGS: &str = "222222222222";

fn app(ou_id: &str, account_id: &str) -> App {
    let mut app = App::new();
    let mgmt = app.add_stage("Management", Environment::new(MGMT, "us-east-1"));
    let org_stack = app.add_stack(mgmt, "Organization");
    let mut scope = app.scope(org_stack);
    let org = Organization::new(
        &mut scope,
        "Org",
        OrganizationProps {
            root_id: "r-abcd".into(),
            ..Default::default()
        },
    );
    let security = OrganizationalUnit::existing(&mut scope, ou_id, org.root());
    OrganizationalUnit::new(
        &mut scope,
        "Audit",
        OrganizationalUnitProps {
            name: "Audit".into(),
            parent: security.as_parent(),
        },
    );
    let logs = Account::existing(&mut scope, "LogArchive", account_id, "us-east-1");
    ServiceControlPolicy::new(
        &mut scope,
        "DenyLeave",
        ServiceControlPolicyProps {
            name: "deny-leave".into(),
            description: Some("Accounts stay in the organization".into()),
            statements: vec![Statement::deny()
                .actions(["organizations:LeaveOrganization"])
                .resources(["*"])],
            targets: vec![security.target(), logs.target()],
        },
    );
    let trail = app.add_stack(logs.stage(), "Trail");
    app.scope(trail).add_resource(
        "Table",
        Resource::new("AWS::DynamoDB::Table")
            .property("TableName", "trail-index")
            .property(
                "KeySchema",
                landform::core::Value::from(json!([{"AttributeName": "id", "KeyType": "HASH"}])),
            )
            .property(
                "AttributeDefinitions",
                landform::core::Value::from(json!([{"AttributeName": "id", "AttributeType": "S"}])),
            )
            .property("BillingMode", "PAY_PER_REQUEST"),
    );
    app
}

#[tokio::test]
async fn existing_ous_and_accounts_are_used_like_created_ones_and_never_created() {
    // The organization as it is: the log archive account, and an OU made by hand.
    let cloud = InMemoryCloud::with_organization(&OrganizationSeed {
        management_account: MGMT.into(),
        root_id: "r-abcd".into(),
        members: vec![LOGS.into()],
    });
    cloud.set_account_creation(1, 0);
    let ou = cloud
        .make(
            MGMT,
            "us-east-1",
            "AWS::Organizations::OrganizationalUnit",
            json!({"Name": "Security", "ParentId": "r-abcd"}),
        )
        .await
        .unwrap()
        .physical_id;
    let assembly = app(&ou, LOGS).synth().unwrap();
    let engine = Engine::new(
        cloud.registry(),
        Arc::new(MemoryStateStore::new()),
        Arc::new(MemoryLock::new()),
        Arc::new(cloud.sessions()),
    );
    let plan = engine.plan(&assembly).await.unwrap();
    let created: Vec<(&str, &str)> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Create)
        .map(|c| (c.type_name.as_str(), c.account.as_deref().unwrap_or("?")))
        .collect();
    // The new OU, the SCP and the table in the existing account; no OU or account for
    // what exists.
    assert_eq!(created.len(), 3, "{plan}");
    assert!(created.contains(&("AWS::DynamoDB::Table", LOGS)), "{plan}");
    assert!(!created
        .iter()
        .any(|(t, _)| *t == "AWS::Organizations::Account"));
    let scp = plan
        .changes
        .iter()
        .find(|c| c.type_name == "AWS::Organizations::Policy")
        .unwrap();
    let targets = scp
        .properties
        .iter()
        .find(|p| p.name == "TargetIds")
        .unwrap();
    assert_eq!(
        targets.after,
        landform::deploy::After::Value(json!([ou, LOGS]))
    );
    // It deploys: the table lands in the existing account, reached as a member account.
    let report = engine.apply(&assembly).await.unwrap();
    assert_eq!(report.created, 3, "{report}");
    let inventory = cloud.inventory();
    assert!(inventory
        .resources
        .iter()
        .any(|r| r.type_name == "AWS::DynamoDB::Table" && r.account == LOGS));
}

#[test]
fn bad_existing_ids_are_reported_together_with_their_paths() {
    let Err(CoreError::Validation(found)) = app("security", "22222222222").synth() else {
        panic!("bad ids synthesise")
    };
    let issues: Vec<(String, String)> = found
        .0
        .iter()
        .map(|i| (i.code.clone(), i.path.to_string()))
        .collect();
    for code in ["ExistingOrganizationalUnit.Id", "ExistingAccount.Id"] {
        assert!(
            issues
                .iter()
                .any(|(c, p)| c == code && p == "App/Management/Organization"),
            "{code} in {issues:?}"
        );
    }
}
