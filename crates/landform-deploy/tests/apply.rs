//! Apply, plan, destroy and drift of the representative app against the in-memory cloud.

mod support;

use std::sync::Arc;
use std::time::Duration;

use landform_deploy::bound::apply_bound;
use landform_deploy::{
    Action, After, Drift, Engine, InMemoryCloud, MemoryLock, MemoryStateStore, RateLimit,
};
use support::*;

#[tokio::test(start_paused = true)]
async fn apply_then_plan_is_empty_and_reapply_writes_nothing() {
    let cloud = cloud();
    let engine = fresh_engine(&cloud);
    let assembly = app();
    let plan = engine.plan(&assembly).await.unwrap();
    let total = plan.changes.len();
    assert!(total > 30, "{plan}");
    assert_eq!(plan.count(Action::Create), total);
    // Properties reading resources not created yet are known after apply.
    let attachment = plan
        .changes
        .iter()
        .find(|c| c.logical_id == "HubAttachment")
        .unwrap();
    assert_eq!(attachment.account, None);
    assert!(attachment
        .properties
        .iter()
        .any(|p| p.name == "VpcId" && p.after == After::KnownAfterApply));
    assert_eq!(cloud.calls(), 0, "plan calls no provider");

    let report = engine.apply(&assembly).await.unwrap();
    assert_eq!(report.created, total, "{report}");
    assert_eq!(report.accounts, 4);
    assert!(report.outputs > 0);
    assert!(cloud.inventory().duplicates().is_empty());
    eprintln!("{report}");

    let calls = cloud.calls();
    let writes = cloud.writes();
    let plan = engine.plan(&assembly).await.unwrap();
    assert!(plan.is_empty(), "{plan}");
    assert_eq!(plan.unchanged, total);
    assert_eq!(
        (cloud.calls(), cloud.writes()),
        (calls, writes),
        "plan makes no call"
    );

    let again = engine.apply(&assembly).await.unwrap();
    assert_eq!(again.unchanged, total);
    assert_eq!(cloud.writes(), writes, "a second apply writes nothing");
    assert_eq!(again.writes, 0);
}

#[tokio::test(start_paused = true)]
async fn destroy_deletes_in_reverse_order_and_forgets_retained() {
    let cloud = cloud();
    let engine = fresh_engine(&cloud);
    let assembly = app();
    engine.apply(&assembly).await.unwrap();
    let report = engine.destroy().await.unwrap();
    // Two state buckets, three accounts and the two OUs holding them are retained.
    assert_eq!(report.retained.len(), 7, "{report}");
    let left = cloud.inventory();
    let mut types: Vec<&str> = left
        .resources
        .iter()
        .map(|r| r.type_name.as_str())
        .collect();
    types.sort_unstable();
    assert_eq!(
        types,
        vec![
            "AWS::Organizations::OrganizationalUnit",
            "AWS::Organizations::OrganizationalUnit",
            "AWS::S3::Bucket",
            "AWS::S3::Bucket"
        ],
        "only retained OUs and buckets stay"
    );
    assert_eq!(left.accounts.len(), 4, "retained accounts stay");
}

/// What a destroy kept is recorded again by the next apply of the same app (no second
/// account or bucket: creating them again fails in AWS and in the in-memory cloud alike);
/// the rest is created, and the apply after that writes nothing.
#[tokio::test(start_paused = true)]
async fn destroy_then_apply_readopts_what_was_retained_and_creates_the_rest() {
    let cloud = cloud();
    let engine = fresh_engine(&cloud).with_refresh(true);
    let assembly = app();
    let total = engine.apply(&assembly).await.unwrap().created;
    assert_eq!(engine.destroy().await.unwrap().retained.len(), 7);
    let kept: Vec<String> = engine
        .recorded_state()
        .await
        .unwrap()
        .retained
        .into_keys()
        .collect();
    assert_eq!(kept.len(), 7, "{kept:?}");

    let plan = engine.plan(&assembly).await.unwrap();
    assert_eq!(plan.readopted, kept);
    assert_eq!(plan.count(Action::Create), total - 7, "{plan}");
    assert!(
        plan.to_string().contains("Re-adopting 7 resource(s)"),
        "{plan}"
    );

    let again = engine.apply(&assembly).await.unwrap();
    assert_eq!(again.readopted, kept);
    assert_eq!(again.created, total - 7, "{again}");
    assert!(again.to_string().contains("7 re-adopted"), "{again}");
    let inventory = cloud.inventory();
    assert!(
        inventory.duplicates().is_empty(),
        "{:?}",
        inventory.duplicates()
    );
    assert_eq!(inventory.accounts.len(), 4, "no second account");
    assert!(engine.recorded_state().await.unwrap().retained.is_empty());

    let writes = cloud.writes();
    assert!(engine.plan(&assembly).await.unwrap().is_empty());
    assert_eq!(engine.apply(&assembly).await.unwrap().writes, 0);
    assert_eq!(cloud.writes(), writes);
}

/// A retained resource deleted by hand before the next apply is created again: the refresh
/// reads it back first and finds it gone.
#[tokio::test(start_paused = true)]
async fn a_retained_resource_deleted_meanwhile_is_created_again() {
    let cloud = cloud();
    let engine = fresh_engine(&cloud).with_refresh(true);
    let assembly = app();
    let total = engine.apply(&assembly).await.unwrap().created;
    engine.destroy().await.unwrap();
    let state = engine.recorded_state().await.unwrap();
    let bucket = state
        .retained
        .values()
        .find(|r| r.resource.type_name == "AWS::S3::Bucket")
        .unwrap();
    assert!(cloud.remove(&bucket.resource.physical_id));
    let plan = engine.plan(&assembly).await.unwrap();
    assert_eq!(plan.count(Action::Create), total - 6, "{plan}");
    let again = engine.apply(&assembly).await.unwrap();
    assert_eq!(again.created, total - 6, "{again}");
    assert!(engine.plan(&assembly).await.unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn drift_reports_changes_per_account() {
    let cloud = cloud();
    let engine = fresh_engine(&cloud);
    engine.apply(&app()).await.unwrap();
    assert!(engine.drift().await.unwrap().is_clean());
    let inv = cloud.inventory();
    let vpc = inv
        .resources
        .iter()
        .find(|r| r.type_name == "AWS::EC2::VPC")
        .unwrap();
    let table = inv
        .resources
        .iter()
        .find(|r| r.type_name == "AWS::DynamoDB::Table")
        .unwrap();
    cloud.tamper(&vpc.physical_id, |r| {
        r.properties["EnableDnsSupport"] = false.into()
    });
    cloud.remove(&table.physical_id);
    let drift = engine.drift().await.unwrap();
    let vpc_drift = &drift.accounts[&vpc.account];
    assert!(vpc_drift.iter().any(|d| d.logical_id == "Vpc"
        && matches!(&d.drift, Drift::Modified { properties } if properties[0].0 == "EnableDnsSupport")));
    assert!(drift.accounts[&table.account]
        .iter()
        .any(|d| d.logical_id == "LockTable" && d.drift == Drift::Deleted));
    eprintln!("{drift}");
}

/// In virtual time the injected latency is exact, so an apply from scratch should take the
/// lower bound of `bound::apply_bound` to the millisecond: every resource starts as soon as
/// its own dependencies are done, and the serialised Organizations writes run accounts
/// before the policies nothing waits for. It also makes exactly the calls the bound counts.
#[tokio::test(start_paused = true)]
async fn apply_in_virtual_time_takes_exactly_the_lower_bound() {
    let latency = Duration::from_millis(50);
    let assembly = app();
    for serialise_organizations in [false, true] {
        let cloud = cloud();
        cloud.set_latency(latency);
        let (registry, limits) = if serialise_organizations {
            (cloud.registry(), RateLimit::AWS_DEFAULT_LIMITS)
        } else {
            (cloud.bare_registry(), &[][..])
        };
        let engine = Engine::new(
            registry,
            Arc::new(MemoryStateStore::new()),
            Arc::new(MemoryLock::new()),
            Arc::new(cloud.sessions()),
        );
        let report = engine.apply(&assembly).await.unwrap();
        let bound = apply_bound(&assembly, latency, |t| cloud.create_cost(t), limits).unwrap();
        assert_eq!(report.calls, bound.calls, "{report}\n{bound}");
        assert_eq!(cloud.calls(), bound.calls, "{bound}");
        assert_eq!(report.wall_time, bound.total, "{bound}");
    }
}

/// A resource waiting between status polls gives its slot to the next one: with one slot,
/// three accounts whose creation takes two polls a second apart are created in the time of
/// one, not three (virtual time).
#[tokio::test(start_paused = true)]
async fn accounts_waiting_for_their_creation_do_not_hold_the_only_slot() {
    use landform_core::{App, Environment, Resource};
    let mut app = App::new();
    let mgmt = app.add_stage(
        "Management",
        Environment::new(InMemoryCloud::MANAGEMENT_ACCOUNT, "us-east-1"),
    );
    let stack = app.add_stack(mgmt, "Accounts");
    for n in 0..3 {
        app.scope(stack).add_resource(
            &format!("Account{n}"),
            Resource::new("AWS::Organizations::Account")
                .property("AccountName", format!("a{n}"))
                .property("Email", format!("a{n}@example.com")),
        );
    }
    let assembly = app.synth().unwrap();
    let cloud = InMemoryCloud::new();
    cloud.set_account_creation(1, 1000);
    let engine = fresh_engine(&cloud).with_concurrency(1);
    let report = engine.apply(&assembly).await.unwrap();
    assert_eq!(report.created, 3);
    // Two waits of a second each, overlapping across the three accounts.
    assert!(
        report.wall_time >= Duration::from_secs(2) && report.wall_time < Duration::from_secs(3),
        "{:?}",
        report.wall_time
    );
}

/// A stack's explicit dependency is recorded once for the stack, not copied into each of
/// its resources, and destroy still deletes the dependent stack's resources first.
#[tokio::test(start_paused = true)]
async fn an_explicit_stack_dependency_is_recorded_once_and_orders_the_destroy() {
    use landform_core::{App, Environment, Resource};
    use std::sync::Mutex;
    let mut app = App::new();
    let stage = app.add_stage(
        "Management",
        Environment::new(InMemoryCloud::MANAGEMENT_ACCOUNT, "us-east-1"),
    );
    let shared = app.add_stack(stage, "Shared");
    for n in 0..3 {
        app.scope(shared).add_resource(
            &format!("Key{n}"),
            Resource::new("AWS::KMS::Key").property("EnableKeyRotation", true),
        );
    }
    let users = app.add_stack(stage, "Users");
    for n in 0..3 {
        app.scope(users).add_resource(
            &format!("Group{n}"),
            Resource::new("AWS::Logs::LogGroup").property("RetentionInDays", 30),
        );
    }
    app.scope(users)
        .add_dependency(shared, "the keys must exist first");
    let assembly = app.synth().unwrap();
    let cloud = support::cloud();
    let state = Arc::new(MemoryStateStore::new());
    let engine = support::engine(&cloud, state.clone());
    engine.apply(&assembly).await.unwrap();
    let recorded = landform_deploy::StateStore::load(&*state).await.unwrap();
    let users_state = &recorded.stacks["Management-Users"];
    assert_eq!(users_state.depends_on, vec!["Management-Shared".to_owned()]);
    assert!(users_state
        .resources
        .values()
        .all(|r| r.depends_on.is_empty()));

    // Every call takes 10 ms, so deletes that may run together finish together.
    cloud.set_latency(Duration::from_millis(10));
    let finished: Arc<Mutex<Vec<(String, tokio::time::Instant)>>> = Arc::default();
    let sink = finished.clone();
    cloud.set_observer(move |c| {
        if c.operation == "delete" {
            let now = tokio::time::Instant::now();
            sink.lock().unwrap().push((c.type_name.clone(), now));
        }
    });
    let report = engine.destroy().await.unwrap();
    assert_eq!(report.deleted, 6);
    let finished = finished.lock().unwrap().clone();
    let at = |t: &str| -> Vec<tokio::time::Instant> {
        finished
            .iter()
            .filter(|(ty, _)| ty == t)
            .map(|(_, at)| *at)
            .collect()
    };
    let last_group = at("AWS::Logs::LogGroup").into_iter().max().unwrap();
    let first_key = at("AWS::KMS::Key").into_iter().min().unwrap();
    assert!(last_group < first_key, "{finished:?}");
}

/// Grants before use, as AWS checks them: a trail, a Config delivery channel or a bucket's
/// access logging whose destination bucket's policy does not yet let the service write is
/// refused; once the policy exists, the same create succeeds.
#[tokio::test]
async fn a_destination_bucket_must_grant_the_service_before_it_is_used() {
    use landform_deploy::{CreateRequest, Provider, Session};
    use serde_json::json;
    let cloud = InMemoryCloud::new();
    let session = Session::new(InMemoryCloud::MANAGEMENT_ACCOUNT, "us-east-1");
    let request = |type_name: &str, id: &str, properties: serde_json::Value| CreateRequest {
        type_name: type_name.into(),
        stack: "S".into(),
        logical_id: id.into(),
        properties,
        physical_name: format!("s-{}", id.to_lowercase()),
        idempotency_key: format!("S/{id}"),
    };
    cloud
        .create(
            &session,
            &request(
                "AWS::S3::Bucket",
                "Logs",
                json!({"BucketName": "central-logs"}),
            ),
        )
        .await
        .unwrap();
    let uses = [
        (
            "AWS::CloudTrail::Trail",
            "Trail",
            json!({"S3BucketName": "central-logs", "IsLogging": true}),
            "InsufficientS3BucketPolicyException",
        ),
        (
            "AWS::Config::DeliveryChannel",
            "Channel",
            json!({"S3BucketName": "central-logs"}),
            "InsufficientDeliveryPolicyException",
        ),
        (
            "AWS::S3::Bucket",
            "Logged",
            json!({"BucketName": "logged", "LoggingConfiguration": {"DestinationBucketName": "central-logs"}}),
            "InvalidTargetBucketForLogging",
        ),
    ];
    for (type_name, id, props, code) in &uses {
        let err = cloud
            .create(&session, &request(type_name, id, props.clone()))
            .await
            .unwrap_err();
        assert_eq!(
            err.service_code.as_deref(),
            Some(*code),
            "{type_name}: {err}"
        );
    }
    let grant = |service: &str| json!({"Effect": "Allow", "Principal": {"Service": service}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::central-logs/*"});
    cloud
        .create(
            &session,
            &request(
                "AWS::S3::BucketPolicy",
                "LogsPolicy",
                json!({"Bucket": "central-logs", "PolicyDocument": {"Statement": [
                    grant("cloudtrail.amazonaws.com"),
                    grant("config.amazonaws.com"),
                    grant("logging.s3.amazonaws.com"),
                ]}}),
            ),
        )
        .await
        .unwrap();
    for (type_name, id, props, _) in uses {
        cloud
            .create(&session, &request(type_name, id, props))
            .await
            .unwrap_or_else(|e| panic!("{type_name}: {e}"));
    }
}

/// An app that deploys into accounts it does not create (literal ids, no Organizations
/// resources) meets those accounts in the in-memory organization its assembly seeds: the first
/// stack's account manages it, the others are members.
#[tokio::test(start_paused = true)]
async fn literal_accounts_of_the_app_exist_in_the_seeded_organization() {
    use landform_deploy::OrganizationSeed;
    let assembly = log_groups_in(&[
        ("Shared", "222222222222"),
        ("Prod", "333333333333"),
        ("Dev", "444444444444"),
    ]);
    let seed = OrganizationSeed::from_assembly(&assembly);
    assert_eq!(seed.management_account, "222222222222");
    assert_eq!(seed.members, vec!["333333333333", "444444444444"]);
    let cloud = InMemoryCloud::with_organization(&seed);
    let engine = Engine::new(
        cloud.registry(),
        Arc::new(MemoryStateStore::default()),
        Arc::new(MemoryLock::default()),
        Arc::new(cloud.sessions()),
    );
    let report = engine.apply(&assembly).await.expect("applies");
    assert_eq!(report.created, 3);
    assert_eq!(cloud.inventory().accounts.len(), 3);
}

/// OU names are unique under their parent, as AWS Organizations has them: a second OU of the
/// same name under the same parent is refused; under another parent it is fine.
#[tokio::test]
async fn an_ou_name_is_unique_under_its_parent() {
    use landform_deploy::{CreateRequest, ErrorCode, Provider, Session};
    use serde_json::json;
    let cloud = InMemoryCloud::new();
    let session = Session::new(InMemoryCloud::MANAGEMENT_ACCOUNT, "us-east-1");
    let root = cloud.root_id();
    let ou = |id: &str, name: &str, parent: &str| CreateRequest {
        type_name: "AWS::Organizations::OrganizationalUnit".into(),
        stack: "S".into(),
        logical_id: id.into(),
        properties: json!({"Name": name, "ParentId": parent}),
        physical_name: format!("s-{}", id.to_lowercase()),
        idempotency_key: format!("S/{id}"),
    };
    let first = cloud
        .create(&session, &ou("A", "Workloads", &root))
        .await
        .unwrap();
    let err = cloud
        .create(&session, &ou("B", "Workloads", &root))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::AlreadyExists, "{err}");
    assert!(
        err.to_string()
            .contains("DuplicateOrganizationalUnitException"),
        "{err}"
    );
    cloud
        .create(&session, &ou("C", "Workloads", &first.physical_id))
        .await
        .unwrap();
    cloud
        .create(&session, &ou("D", "Security", &root))
        .await
        .unwrap();
}

/// An app that names an account the organization does not have is refused before any write,
/// naming the account and the stacks that target it; every such account is reported.
#[tokio::test]
async fn an_account_not_in_the_organization_is_refused_before_any_write() {
    use landform_deploy::{DeployError, OrganizationSeed};
    let assembly = log_groups_in(&[
        ("Mgmt", InMemoryCloud::MANAGEMENT_ACCOUNT),
        ("Archive", "222222222222"),
        ("Audit", "333333333333"),
    ]);
    // The organization has the management account only.
    let cloud = InMemoryCloud::with_organization(&OrganizationSeed::default());
    let engine = fresh_engine(&cloud);
    let err = engine.apply(&assembly).await.unwrap_err();
    let DeployError::Failed { count, first } = &err else {
        panic!("{err}");
    };
    assert_eq!(*count, 2, "{err}");
    let text = first.to_string();
    assert!(
        text.contains("222222222222")
            && text.contains("Archive-Logs")
            && text.contains("nothing was changed"),
        "{text}"
    );
    assert_eq!(cloud.writes(), 0, "nothing was written");
    assert_eq!(engine.recorded_state().await.unwrap().resource_count(), 0);
}

/// One stack with a log group in each (stage, account), all in eu-west-1.
fn log_groups_in(stages: &[(&str, &str)]) -> landform_core::Assembly {
    use landform_core::{App, Environment, Resource};
    let mut app = App::new();
    for &(stage, account) in stages {
        let stage = app.add_stage(stage, Environment::new(account, "eu-west-1"));
        let stack = app.add_stack(stage, "Logs");
        app.scope(stack).add_resource(
            "Group",
            Resource::new("AWS::Logs::LogGroup").property("RetentionInDays", 30),
        );
    }
    app.synth().unwrap()
}

/// AWS refuses to delete an OU that still holds accounts: an app that retains its accounts but
/// not their OU cannot be destroyed, in the in-memory cloud as in AWS.
#[tokio::test(start_paused = true)]
async fn an_ou_holding_retained_accounts_is_not_deleted() {
    use landform_core::{App, Environment, RemovalPolicy, Resource, Value};
    let mut app = App::new();
    let stage = app.add_stage(
        "Mgmt",
        Environment::new(InMemoryCloud::MANAGEMENT_ACCOUNT, "us-east-1"),
    );
    let stack = app.add_stack(stage, "Org");
    let mut s = app.scope(stack);
    let ou = s.add_resource(
        "Ou",
        Resource::new("AWS::Organizations::OrganizationalUnit")
            .property("Name", "Workloads")
            .property("ParentId", InMemoryCloud::ROOT_ID),
    );
    s.add_resource(
        "Account",
        Resource::new("AWS::Organizations::Account")
            .property("AccountName", "prod")
            .property("Email", "prod@example.com")
            .property("ParentIds", Value::array([ou.ref_value()]))
            .removal_policy(RemovalPolicy::Retain),
    );
    let assembly = app.synth().unwrap();
    let cloud = cloud();
    let engine = fresh_engine(&cloud);
    engine.apply(&assembly).await.unwrap();
    let err = engine.destroy().await.unwrap_err().to_string();
    assert!(err.contains("OrganizationalUnitNotEmptyException"), "{err}");
    assert!(err.contains("Org/Ou"), "{err}");
}
