//! The README's main job: both reference layouts deploy end to end to the in-memory cloud,
//! converge, and a second apply changes nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use landform::constructs::layouts::{
    docustack, house_escort, resource_counts, DocuStackOptions, HouseEscortOptions,
};
use landform::core::App;
use landform::deploy::{Engine, InMemoryCloud, MemoryLock, MemoryStateStore, OrganizationSeed};

async fn deploy_twice(app: App) {
    let assembly = app.synth().expect("layout synthesises");
    let cloud = InMemoryCloud::with_organization(&OrganizationSeed::from_assembly(&assembly));
    let engine = Engine::new(
        cloud.registry(),
        Arc::new(MemoryStateStore::default()),
        Arc::new(MemoryLock::default()),
        Arc::new(cloud.sessions()),
    );
    let first = engine.apply(&assembly).await.expect("first apply succeeds");
    let expected = resource_counts(&assembly);
    assert_eq!(first.created, expected.values().sum::<usize>());

    // The cloud holds exactly one object per synthesised resource, per type, no duplicates.
    let inventory = cloud.inventory();
    assert_eq!(inventory.duplicates(), Vec::<String>::new());
    let mut deployed: BTreeMap<String, usize> = BTreeMap::new();
    for r in &inventory.resources {
        *deployed.entry(r.type_name.clone()).or_default() += 1;
    }
    // Accounts are the organization's members; the management account existed before.
    let created_accounts = inventory.accounts.len() - 1;
    deployed.insert("AWS::Organizations::Account".to_owned(), created_accounts);
    assert_eq!(deployed, expected);

    let plan = engine.plan(&assembly).await.expect("plan");
    assert!(plan.is_empty(), "not converged:\n{plan}");
    let writes_before = cloud.writes();
    let second = engine.apply(&assembly).await.expect("second apply");
    assert_eq!(
        second.created + second.updated + second.replaced + second.deleted,
        0
    );
    assert_eq!(
        cloud.writes(),
        writes_before,
        "a second apply made write calls"
    );
}

#[tokio::test(start_paused = true)]
async fn house_escort_deploys_converges_and_reapplies_without_writes() {
    deploy_twice(house_escort(&HouseEscortOptions::default())).await;
}

#[tokio::test(start_paused = true)]
async fn docustack_deploys_converges_and_reapplies_without_writes() {
    deploy_twice(docustack(&DocuStackOptions::default())).await;
}

/// Drift repair (issue 12): a detector deleted and a log retention changed behind the
/// engine's back are what `drift` reports; a refreshing plan shows them as a create and an
/// update, one refreshing apply restores both, and the cloud then matches the app again.
/// Without refresh the same plan compares with recorded state and sees nothing.
#[tokio::test(start_paused = true)]
async fn house_escort_drift_is_planned_and_repaired_by_one_refreshing_deploy() {
    use landform::deploy::{Action, Drift};
    let assembly = house_escort(&HouseEscortOptions::default())
        .synth()
        .expect("layout synthesises");
    let cloud = InMemoryCloud::with_organization(&OrganizationSeed::from_assembly(&assembly));
    cloud.set_account_creation(1, 0);
    let state = Arc::new(MemoryStateStore::default());
    let engine = |refresh: bool| {
        Engine::new(
            cloud.registry(),
            state.clone(),
            Arc::new(MemoryLock::default()),
            Arc::new(cloud.sessions()),
        )
        .with_refresh(refresh)
    };
    engine(false).apply(&assembly).await.expect("apply");
    let inventory = cloud.inventory();
    let detector = inventory
        .resources
        .iter()
        .find(|r| r.type_name == "AWS::GuardDuty::Detector")
        .expect("a detector");
    let logs = inventory
        .resources
        .iter()
        .find(|r| r.type_name == "AWS::Logs::LogGroup")
        .expect("a log group");
    let retention = logs.properties["RetentionInDays"].clone();
    assert!(cloud.remove(&detector.physical_id));
    assert!(cloud.tamper(&logs.physical_id, |r| {
        r.properties["RetentionInDays"] = 1.into();
    }));

    let drift = engine(false).drift().await.expect("drift");
    let drifted: Vec<&Drift> = drift
        .accounts
        .values()
        .flatten()
        .map(|d| &d.drift)
        .collect();
    assert_eq!(drifted.len(), 2, "{drift}");
    assert!(engine(false).plan(&assembly).await.unwrap().is_empty());

    let plan = engine(true).plan(&assembly).await.expect("refreshing plan");
    assert_eq!(plan.drifted, 2, "{plan}");
    assert_eq!(plan.count(Action::Create), 1, "{plan}");
    assert_eq!(plan.count(Action::Update), 1, "{plan}");
    let update = plan
        .changes
        .iter()
        .find(|c| c.action == Action::Update)
        .unwrap();
    assert_eq!(update.type_name, "AWS::Logs::LogGroup");
    assert_eq!(update.properties[0].before, Some(1.into()));

    let writes = cloud.writes();
    let report = engine(true)
        .apply(&assembly)
        .await
        .expect("repairing apply");
    assert_eq!((report.created, report.updated), (1, 1), "{report}");
    assert_eq!(cloud.writes() - writes, 2);
    assert!(engine(false).drift().await.unwrap().is_clean());
    assert!(engine(true).plan(&assembly).await.unwrap().is_empty());
    let restored = cloud
        .inventory()
        .resources
        .into_iter()
        .find(|r| r.physical_id == logs.physical_id)
        .unwrap();
    assert_eq!(restored.properties["RetentionInDays"], retention);
}
