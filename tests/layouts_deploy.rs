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
