//! Shared test support: the representative app and an engine over an in-memory cloud.
#![allow(dead_code)]

use std::sync::Arc;

use landform_core::{Assembly, Resource};
use landform_deploy::fixtures::representative_app;
use landform_deploy::{Engine, InMemoryCloud, MemoryLock, MemoryStateStore, StateStore};

/// The app every process-level test deploys (swap for the House Escort example later).
pub fn app() -> Assembly {
    representative_app()
        .synth()
        .expect("the representative app synthesises")
}

/// A fresh cloud with quick account creation (one poll, no wait).
pub fn cloud() -> InMemoryCloud {
    let cloud = InMemoryCloud::new();
    cloud.set_account_creation(1, 0);
    cloud
}

/// An engine over `cloud` with `state`.
pub fn engine(cloud: &InMemoryCloud, state: Arc<dyn StateStore>) -> Engine {
    Engine::new(
        cloud.registry(),
        state,
        Arc::new(MemoryLock::new()),
        Arc::new(cloud.sessions()),
    )
}

/// An engine over `cloud` with fresh in-memory state.
pub fn fresh_engine(cloud: &InMemoryCloud) -> Engine {
    engine(cloud, Arc::new(MemoryStateStore::new()))
}

/// A lock table keyed on `LockID`, with what its schema requires.
pub fn lock_table() -> Resource {
    Resource::new("AWS::DynamoDB::Table")
        .property(
            "KeySchema",
            serde_json::json!([{"AttributeName": "LockID", "KeyType": "HASH"}]),
        )
        .property(
            "AttributeDefinitions",
            serde_json::json!([{"AttributeName": "LockID", "AttributeType": "S"}]),
        )
}
