//! Fault injection: fail every call of a full apply in turn, re-run, and compare with a
//! clean apply.

mod support;

use std::sync::Arc;

use landform_deploy::{FaultMode, MemoryStateStore};
use support::*;

#[tokio::test(start_paused = true)]
async fn failing_any_call_then_reapplying_converges_without_duplicates() {
    let assembly = app();
    let clean_cloud = cloud();
    fresh_engine(&clean_cloud).apply(&assembly).await.unwrap();
    let clean = clean_cloud.inventory();
    let k_max = clean_cloud.calls();
    assert!(clean.duplicates().is_empty());
    eprintln!(
        "K = {k_max} calls in a clean apply ({} writes)",
        clean_cloud.writes()
    );

    for mode in [FaultMode::Before, FaultMode::AfterEffect] {
        for k in 1..=k_max {
            let cloud = cloud();
            let state = Arc::new(MemoryStateStore::new());
            let engine = engine(&cloud, state.clone());
            cloud.fail_call(k, mode);
            let first = engine.apply(&assembly).await;
            assert!(
                first.is_err(),
                "call {k} ({mode:?}) failed, so the apply fails"
            );
            cloud.clear_faults();
            let second = engine.apply(&assembly).await;
            assert!(
                second.is_ok(),
                "re-run after failing call {k} ({mode:?}): {second:?}"
            );
            let inventory = cloud.inventory();
            assert!(
                inventory.duplicates().is_empty(),
                "call {k} ({mode:?}): {:?}",
                inventory.duplicates()
            );
            assert_eq!(
                inventory, clean,
                "call {k} ({mode:?}): inventory differs from a clean apply"
            );
            let plan = engine.plan(&assembly).await.unwrap();
            assert!(plan.is_empty(), "call {k} ({mode:?}): {plan}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn throttled_calls_are_retried_by_the_layer() {
    let assembly = app();
    let cloud = cloud();
    for k in [1, 5, 9] {
        cloud.fail_call(k, FaultMode::Throttle);
    }
    let report = fresh_engine(&cloud).apply(&assembly).await.unwrap();
    let clean_cloud = support::cloud();
    fresh_engine(&clean_cloud).apply(&assembly).await.unwrap();
    assert_eq!(cloud.inventory(), clean_cloud.inventory());
    assert_eq!(cloud.calls(), clean_cloud.calls() + 3, "{report}");
}
