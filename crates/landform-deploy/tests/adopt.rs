//! Adoption (issue 14) on the in-memory cloud: an organization made outside Landform, through
//! the provider calls any other tool would make, then an app that names part of it. A deploy
//! refuses to create what exists; `adopt` records it without a write; the deploy after it
//! creates only what is new and updates what differs; destroy keeps what was adopted.

mod support;

use std::sync::Arc;

use landform_core::kinds::AccountId;
use landform_core::{App, Assembly, Environment, Resource, Value};
use landform_deploy::{
    Action, DeployError, Engine, InMemoryCloud, MemoryStateStore, ResourceState, StateStore,
};
use serde_json::{json, Value as Json};

const MGMT: &str = InMemoryCloud::MANAGEMENT_ACCOUNT;
const REGION: &str = "us-east-1";

/// Create through the provider as an outside tool would (no engine, no state).
async fn make(cloud: &InMemoryCloud, account: &str, type_name: &str, props: Json) -> ResourceState {
    cloud.make(account, REGION, type_name, props).await.unwrap()
}

/// What exists before Landform: an OU under the root, an account in it, an SCP, a bucket
/// with versioning suspended, a table keyed differently from the app's, and Control Tower's
/// Config recorder in the member account.
struct Brownfield {
    ou: String,
    account: String,
    policy: String,
    bucket: String,
}

async fn brownfield(cloud: &InMemoryCloud) -> Brownfield {
    let root = cloud.root_id();
    let ou = make(
        cloud,
        MGMT,
        "AWS::Organizations::OrganizationalUnit",
        json!({"Name": "Workloads", "ParentId": root}),
    )
    .await;
    let account = make(
        cloud,
        MGMT,
        "AWS::Organizations::Account",
        json!({"AccountName": "prod", "Email": "prod@example.com", "ParentIds": [ou.physical_id]}),
    )
    .await;
    let policy = make(
        cloud,
        MGMT,
        "AWS::Organizations::Policy",
        json!({"Name": "deny-leave", "Type": "SERVICE_CONTROL_POLICY",
               "Content": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]},
               "TargetIds": [ou.physical_id]}),
    )
    .await;
    let bucket = make(
        cloud,
        MGMT,
        "AWS::S3::Bucket",
        json!({"BucketName": "acme-brownfield-logs", "VersioningConfiguration": {"Status": "Suspended"}}),
    )
    .await;
    make(
        cloud,
        MGMT,
        "AWS::DynamoDB::Table",
        json!({"TableName": "locks", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
               "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
               "BillingMode": "PAY_PER_REQUEST"}),
    )
    .await;
    // Not in the app: listed by adoption, left alone.
    let sandbox = make(
        cloud,
        MGMT,
        "AWS::Organizations::OrganizationalUnit",
        json!({"Name": "Sandbox", "ParentId": root}),
    )
    .await;
    make(
        cloud,
        MGMT,
        "AWS::Organizations::Account",
        json!({"AccountName": "sandbox", "Email": "sandbox@example.com", "ParentIds": [sandbox.physical_id]}),
    )
    .await;
    let member = account.physical_id.clone();
    make(
        cloud,
        &member,
        "AWS::Config::ConfigurationRecorder",
        json!({"Name": "aws-controltower-BaselineConfigRecorder",
               "RoleARN": format!("arn:aws:iam::{member}:role/aws-controltower-ConfigRecorderRole")}),
    )
    .await;
    Brownfield {
        ou: ou.physical_id,
        account: member,
        policy: policy.physical_id,
        bucket: bucket.physical_id,
    }
}

/// The app: the same OU, account, SCP and bucket (the bucket versioned), a new OU under the
/// adopted one, a new role in the adopted account. With `table`, the lock table keyed as the
/// app wants it (the live one is keyed by `id`); with `recorder`, a Config recorder in the
/// member account that names none (the region's only recorder is Control Tower's).
fn app(root: &str, table: bool, recorder: bool) -> Assembly {
    let mut app = App::new();
    let mgmt = app.add_stage("Management", Environment::new(MGMT, REGION));
    let org = app.add_stack(mgmt, "Org");
    let mut s = app.scope(org);
    let ou = s.add_resource(
        "WorkloadsOu",
        Resource::new("AWS::Organizations::OrganizationalUnit")
            .property("Name", "Workloads")
            .property("ParentId", root),
    );
    s.add_resource(
        "TeamOu",
        Resource::new("AWS::Organizations::OrganizationalUnit")
            .property("Name", "Team")
            .property("ParentId", ou.ref_value()),
    );
    let account = s.add_resource(
        "Prod",
        Resource::new("AWS::Organizations::Account")
            .property("AccountName", "prod")
            .property("Email", "prod@example.com")
            .property("ParentIds", Value::array([ou.ref_value()])),
    );
    s.add_resource(
        "DenyLeave",
        Resource::new("AWS::Organizations::Policy")
            .property("Name", "deny-leave")
            .property("Type", "SERVICE_CONTROL_POLICY")
            .property(
                "Content",
                Value::from(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]})),
            )
            .property("TargetIds", Value::array([ou.ref_value()])),
    );
    let logs = app.add_stack(mgmt, "Logs");
    app.scope(logs).add_resource(
        "Bucket",
        Resource::new("AWS::S3::Bucket")
            .property("BucketName", "acme-brownfield-logs")
            .property(
                "VersioningConfiguration",
                Value::from(json!({"Status": "Enabled"})),
            ),
    );
    if table {
        app.scope(logs).add_resource(
            "Locks",
            Resource::new("AWS::DynamoDB::Table")
                .property("TableName", "locks")
                .property(
                    "KeySchema",
                    Value::from(json!([{"AttributeName": "LockID", "KeyType": "HASH"}])),
                )
                .property(
                    "AttributeDefinitions",
                    Value::from(json!([{"AttributeName": "LockID", "AttributeType": "S"}])),
                )
                .property("BillingMode", "PAY_PER_REQUEST"),
        );
    }
    let prod = app.add_stage(
        "Prod",
        Environment::for_account(account.att_token::<AccountId>("AccountId"), REGION),
    );
    let roles = app.add_stack(prod, "Roles");
    app.scope(roles).add_resource(
        "Reader",
        Resource::new("AWS::IAM::Role")
            .property("RoleName", "reader")
            .property(
                "AssumeRolePolicyDocument",
                Value::from(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})),
            ),
    );
    if recorder {
        app.scope(roles).add_resource(
            "Recorder",
            Resource::new("AWS::Config::ConfigurationRecorder")
                .property("RoleARN", "arn:aws:iam::123456789012:role/config"),
        );
    }
    app.synth().unwrap()
}

fn engine(cloud: &InMemoryCloud, state: Arc<dyn StateStore>) -> Engine {
    support::engine(cloud, state)
}

#[tokio::test]
async fn an_existing_organization_is_adopted_then_deployed_without_a_second_create() {
    let cloud = support::cloud();
    let live = brownfield(&cloud).await;
    let assembly = app(&cloud.root_id(), false, false);
    let state = Arc::new(MemoryStateStore::new());
    let engine = engine(&cloud, state.clone());

    // Before adoption: every create whose name is taken is refused at once, before any write.
    cloud.reset_counters();
    let refused = engine.apply(&assembly).await.unwrap_err();
    let text = refused.to_string();
    let DeployError::Unadopted { taken } = &refused else {
        panic!("{refused}")
    };
    let taken: Vec<(&str, &str)> = taken
        .iter()
        .map(|t| (t.resource.as_str(), t.physical_id.as_str()))
        .collect();
    assert_eq!(
        taken,
        [
            ("Management-Org/WorkloadsOu", live.ou.as_str()),
            ("Management-Org/DenyLeave", live.policy.as_str()),
            ("Management-Org/Prod", live.account.as_str()),
            ("Management-Logs/Bucket", live.bucket.as_str()),
        ],
        "OU, account, SCP and bucket, each named: {refused}"
    );
    assert!(text.contains("run `adopt`"), "{text}");
    assert_eq!(cloud.writes(), 0);

    // A dry run reports and records nothing.
    let dry = engine.adopt(&assembly, true).await.unwrap();
    assert!(dry.dry_run);
    assert_eq!(dry.adopted.len(), 4, "{dry}");
    assert_eq!(state.load().await.unwrap().resource_count(), 0);
    assert_eq!(cloud.writes(), 0);

    let report = engine.adopt(&assembly, false).await.unwrap();
    eprintln!("{report}");
    let adopted: Vec<(&str, &str)> = report
        .adopted
        .iter()
        .map(|a| (a.logical_id.as_str(), a.physical_id.as_str()))
        .collect();
    assert_eq!(
        adopted,
        [
            ("WorkloadsOu", live.ou.as_str()),
            ("DenyLeave", live.policy.as_str()),
            ("Prod", live.account.as_str()),
            ("Bucket", live.bucket.as_str()),
        ]
    );
    // Only the bucket differs: versioning, updated in place.
    let updates: Vec<&str> = report.to_update().map(|a| a.logical_id.as_str()).collect();
    assert_eq!(updates, ["Bucket"]);
    let bucket = report.to_update().next().unwrap();
    assert_eq!(bucket.changes[0].name, "VersioningConfiguration");
    assert_eq!(
        bucket.changes[0].before,
        Some(json!({"Status": "Suspended"}))
    );
    // The new OU under the adopted one and the role in the adopted account are created.
    assert_eq!(
        report.create,
        ["Management-Org/TeamOu", "Prod-Roles/Reader"]
    );
    assert_eq!(cloud.writes(), 0, "adoption only reads");
    // What the organization holds beyond the app is listed, not adopted.
    let unmanaged: Vec<(&str, &str)> = report
        .unmanaged
        .iter()
        .map(|u| (u.type_name.as_str(), u.name.as_str()))
        .collect();
    assert_eq!(
        unmanaged,
        [
            ("AWS::Organizations::OrganizationalUnit", "Sandbox"),
            ("AWS::Organizations::Account", "sandbox@example.com"),
        ]
    );
    assert!(report.to_string().contains("not in the app: left alone"));

    // The plan: no create for anything adopted, one update.
    let plan = engine.plan(&assembly).await.unwrap();
    let creates: Vec<&str> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Create)
        .map(|c| c.logical_id.as_str())
        .collect();
    assert_eq!(creates, ["TeamOu", "Reader"], "{plan}");
    assert_eq!(plan.count(Action::Update), 1, "{plan}");

    let deployed = engine.apply(&assembly).await.unwrap();
    assert_eq!((deployed.created, deployed.updated), (2, 1), "{deployed}");
    let inventory = cloud.inventory();
    assert_eq!(
        inventory
            .resources
            .iter()
            .filter(|r| r.type_name == "AWS::S3::Bucket")
            .count(),
        1
    );
    let again = engine.apply(&assembly).await.unwrap();
    assert_eq!(again.writes, 0, "{again}");

    // Destroy keeps what was adopted and deletes what the app created.
    let destroyed = engine.destroy().await.unwrap();
    assert_eq!(destroyed.deleted, 2, "{destroyed}");
    assert_eq!(destroyed.retained.len(), 4, "{destroyed}");
    let left = cloud.inventory();
    for id in [&live.ou, &live.policy, &live.bucket] {
        assert!(
            left.resources.iter().any(|r| &r.physical_id == id),
            "{id} was kept"
        );
    }
    assert!(!left
        .resources
        .iter()
        .any(|r| r.type_name == "AWS::IAM::Role"));
    // And a deploy after the destroy takes the kept ones back and converges.
    let back = engine.apply(&assembly).await.unwrap();
    assert_eq!((back.created, back.readopted.len()), (2, 4), "{back}");
    assert!(engine.plan(&assembly).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_create_only_difference_is_reported_and_replaced_only_when_asked() {
    let cloud = support::cloud();
    brownfield(&cloud).await;
    let assembly = app(&cloud.root_id(), true, false);
    let state = Arc::new(MemoryStateStore::new());
    let report = engine(&cloud, state.clone())
        .adopt(&assembly, false)
        .await
        .unwrap();
    let replace: Vec<&str> = report.to_replace().map(|a| a.logical_id.as_str()).collect();
    assert_eq!(replace, ["Locks"], "{report}");
    assert!(
        report.to_string().contains("replacement needed"),
        "{report}"
    );

    cloud.reset_counters();
    let refused = engine(&cloud, state.clone())
        .apply(&assembly)
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, DeployError::ReplaceAdopted { resource, properties, .. }
            if resource == "Management-Logs/Locks" && properties.contains(&"KeySchema".to_owned())),
        "{refused}"
    );
    assert_eq!(cloud.writes(), 0, "refused before any write");

    let replaced = engine(&cloud, state.clone())
        .with_replace_adopted(true)
        .apply(&assembly)
        .await
        .unwrap();
    assert_eq!(replaced.replaced, 1, "{replaced}");
}

#[tokio::test]
async fn what_control_tower_owns_is_never_adopted() {
    let cloud = support::cloud();
    let live = brownfield(&cloud).await;
    let assembly = app(&cloud.root_id(), false, true);
    let state = Arc::new(MemoryStateStore::new());
    let report = engine(&cloud, state.clone())
        .adopt(&assembly, false)
        .await
        .unwrap();
    let owned: Vec<(&str, &str)> = report
        .owned_elsewhere
        .iter()
        .map(|o| (o.logical_id.as_str(), o.account.as_str()))
        .collect();
    assert_eq!(owned, [("Recorder", live.account.as_str())], "{report}");
    assert!(report.owned_elsewhere[0].reason.contains("Control Tower"));
    assert!(state
        .load()
        .await
        .unwrap()
        .resource("Prod-Roles", "Recorder")
        .is_none());
}

#[tokio::test]
async fn an_account_outside_the_organization_is_named() {
    let cloud = support::cloud();
    let mut app = App::new();
    let stage = app.add_stage("Logs", Environment::new("222222222222", REGION));
    let stack = app.add_stack(stage, "Trail");
    app.scope(stack).add_resource(
        "Bucket",
        Resource::new("AWS::S3::Bucket").property("BucketName", "acme-trail"),
    );
    let err = support::fresh_engine(&cloud)
        .adopt(&app.synth().unwrap(), true)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, DeployError::Session { account, .. } if account == "222222222222"),
        "{err}"
    );
}

/// OUs named by id that the organization does not have are refused before any write, all
/// of them with what names them; an OU that exists passes.
#[tokio::test]
async fn ous_named_by_id_that_do_not_exist_are_refused_up_front() {
    let cloud = support::cloud();
    let real = make(
        &cloud,
        MGMT,
        "AWS::Organizations::OrganizationalUnit",
        json!({"Name": "Real", "ParentId": cloud.root_id()}),
    )
    .await
    .physical_id;
    let mut app = App::new();
    let mgmt = app.add_stage("Management", Environment::new(MGMT, REGION));
    let org = app.add_stack(mgmt, "Org");
    let mut s = app.scope(org);
    s.add_resource(
        "Team",
        Resource::new("AWS::Organizations::OrganizationalUnit")
            .property("Name", "Team")
            .property("ParentId", "ou-lf00-99999999"),
    );
    s.add_resource(
        "Deny",
        Resource::new("AWS::Organizations::Policy")
            .property("Name", "deny")
            .property("Type", "SERVICE_CONTROL_POLICY")
            .property(
                "Content",
                Value::from(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]})),
            )
            .property(
                "TargetIds",
                Value::array([Value::from(real.as_str()), Value::from("ou-lf00-88888888")]),
            ),
    );
    cloud.reset_counters();
    let err = support::fresh_engine(&cloud)
        .apply(&app.synth().unwrap())
        .await
        .unwrap_err();
    let DeployError::UnknownUnits { ids, resources } = &err else {
        panic!("{err}")
    };
    assert_eq!(ids, &["ou-lf00-88888888", "ou-lf00-99999999"]);
    assert_eq!(resources, &["Management-Org/Deny", "Management-Org/Team"]);
    assert!(err.to_string().contains("nothing was changed"));
    assert_eq!(cloud.writes(), 0);
}
