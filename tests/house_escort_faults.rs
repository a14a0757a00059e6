//! Fault injection over the House Escort layout: for every call k of a clean apply, in both
//! fault modes (the call fails before doing anything; the call takes effect and its answer
//! is lost), fail call k, re-run the apply, and require the cloud to hold exactly what a
//! clean apply leaves (nothing doubled, above all no account created twice) and a following
//! plan to be empty.
//!
//! Each case is independent (its own cloud, state and engine), so the cases run on a small
//! pool of threads, each with its own single-threaded tokio runtime in paused (virtual) time:
//! account-creation polls and retry backoffs cost no wall time, and both cores are used.
//! In a debug build the whole sweep (K = 210 calls, 420 cases) takes about a minute on two
//! cores.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use landform::constructs::layouts::{house_escort, HouseEscortOptions};
use landform::core::Assembly;
use landform::deploy::{
    Engine, FaultMode, InMemoryCloud, Inventory, MemoryLock, MemoryStateStore, OrganizationSeed,
};

/// A cloud seeded with the organization the layout expects, and an engine with fresh state.
fn deployment(assembly: &Assembly) -> (InMemoryCloud, Engine) {
    let cloud = InMemoryCloud::with_organization(&OrganizationSeed::from_assembly(assembly));
    let engine = Engine::new(
        cloud.registry(),
        Arc::new(MemoryStateStore::new()),
        Arc::new(MemoryLock::new()),
        Arc::new(cloud.sessions()),
    );
    (cloud, engine)
}

/// What a clean apply leaves in the cloud, and how many calls it makes.
async fn clean_apply(assembly: &Assembly) -> (Inventory, u64) {
    let (cloud, engine) = deployment(assembly);
    engine
        .apply(assembly)
        .await
        .expect("a clean apply succeeds");
    let inventory = cloud.inventory();
    assert_eq!(inventory.duplicates(), Vec::<String>::new());
    (inventory, cloud.calls())
}

/// Fail call `k` in `mode`, re-run, and compare with the clean inventory.
async fn fail_then_reapply(
    assembly: &Assembly,
    clean: &Inventory,
    k: u64,
    mode: FaultMode,
) -> Result<(), String> {
    let (cloud, engine) = deployment(assembly);
    cloud.fail_call(k, mode);
    if engine.apply(assembly).await.is_ok() {
        return Err("the apply succeeded although the call failed".into());
    }
    cloud.clear_faults();
    engine
        .apply(assembly)
        .await
        .map_err(|e| format!("the re-run failed: {e}"))?;
    let inventory = cloud.inventory();
    let duplicates = inventory.duplicates();
    if !duplicates.is_empty() {
        return Err(format!("duplicates after the re-run: {duplicates:?}"));
    }
    if &inventory != clean {
        return Err(format!(
            "the inventory differs from a clean apply's ({} accounts and {} resources, \
             clean: {} and {})",
            inventory.accounts.len(),
            inventory.resources.len(),
            clean.accounts.len(),
            clean.resources.len()
        ));
    }
    let plan = engine
        .plan(assembly)
        .await
        .map_err(|e| format!("plan after the re-run: {e}"))?;
    if !plan.is_empty() {
        return Err(format!("not converged:\n{plan}"));
    }
    Ok(())
}

fn paused_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a tokio runtime")
}

/// Run every case on a pool of threads; return the failures as `call k (mode): reason`.
fn sweep(assembly: &Assembly, clean: &Inventory, cases: &[(u64, FaultMode)]) -> Vec<String> {
    let workers = std::thread::available_parallelism()
        .map_or(2, usize::from)
        .clamp(1, 4);
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let runtime = paused_runtime();
                while let Some(&(k, mode)) = cases.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if let Err(reason) =
                        runtime.block_on(fail_then_reapply(assembly, clean, k, mode))
                    {
                        let mut failures = failures.lock().unwrap_or_else(|p| p.into_inner());
                        failures.push(format!("call {k} ({mode:?}): {reason}"));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap_or_else(|p| p.into_inner());
    failures.sort();
    failures
}

#[test]
fn failing_any_call_of_a_house_escort_apply_then_reapplying_converges_without_duplicates() {
    let assembly = house_escort(&HouseEscortOptions::default())
        .synth()
        .expect("House Escort synthesises");
    let (clean, k_max) = paused_runtime().block_on(clean_apply(&assembly));
    assert!(
        clean.accounts.len() > 1,
        "the layout creates accounts, so the sweep covers account creation"
    );
    let cases: Vec<(u64, FaultMode)> = [FaultMode::Before, FaultMode::AfterEffect]
        .into_iter()
        .flat_map(|mode| (1..=k_max).map(move |k| (k, mode)))
        .collect();
    let started = std::time::Instant::now();
    let failures = sweep(&assembly, &clean, &cases);
    eprintln!(
        "K = {k_max} calls, {} cases in {:.1?}",
        cases.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
