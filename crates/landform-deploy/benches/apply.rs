//! Apply of the representative app against the in-memory cloud with 50 ms of latency per
//! call, compared with the critical-path bound: the longest dependency chain (weighted by
//! the calls each create takes: two for an account, create and one status poll) × 50 ms.
//! Target: wall time ≤ 1.15 × bound.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use landform_deploy::fixtures::representative_app;
use landform_deploy::{critical_path, Engine, InMemoryCloud, MemoryLock, MemoryStateStore};

const LATENCY: Duration = Duration::from_millis(50);

fn calls_per_create(type_name: &str) -> u64 {
    if type_name == "AWS::Organizations::Account" {
        2
    } else {
        1
    }
}

/// One apply from scratch. `serialise_organizations`: the default layers (Organizations
/// writes one at a time, as AWS requires); without, only the scheduler is measured.
async fn apply_once(assembly: &landform_core::Assembly, serialise_organizations: bool) -> Duration {
    let cloud = InMemoryCloud::new();
    cloud.set_account_creation(1, 0);
    cloud.set_latency(LATENCY);
    let registry = if serialise_organizations {
        cloud.registry()
    } else {
        cloud.bare_registry()
    };
    let engine = Engine::new(
        registry,
        Arc::new(MemoryStateStore::new()),
        Arc::new(MemoryLock::new()),
        Arc::new(cloud.sessions()),
    );
    let start = Instant::now();
    let report = engine.apply(assembly).await.expect("apply");
    assert!(report.created > 0);
    start.elapsed()
}

fn bench(c: &mut Criterion) {
    let assembly = representative_app().synth().expect("synth");
    let (chain, path) = critical_path(&assembly, calls_per_create).expect("critical path");
    let bound = LATENCY * chain as u32;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_time()
        .build()
        .expect("runtime");
    println!("critical path: {chain} calls: {}", path.join(" -> "));
    for (serialised, label) in [
        (false, "scheduler only (no rate limit)"),
        (true, "Organizations writes serialised (default layers)"),
    ] {
        let wall = runtime.block_on(apply_once(&assembly, serialised));
        println!(
            "{label}: apply wall time {:.0} ms vs critical-path bound {:.0} ms ({chain} × 50 ms): ratio {:.2} (target ≤ 1.15)",
            wall.as_secs_f64() * 1e3,
            bound.as_secs_f64() * 1e3,
            wall.as_secs_f64() / bound.as_secs_f64()
        );
    }
    let mut group = c.benchmark_group("apply");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .warm_up_time(Duration::from_secs(1));
    group.bench_function("scheduler_only_50ms_latency", |b| {
        b.to_async(&runtime).iter(|| apply_once(&assembly, false));
    });
    group.bench_function("organizations_serialised_50ms_latency", |b| {
        b.to_async(&runtime).iter(|| apply_once(&assembly, true));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
