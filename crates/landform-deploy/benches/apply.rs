//! Apply of the representative app against the in-memory cloud with 50 ms of latency per
//! call, compared with the lower bound of [`landform_deploy::bound::apply_bound`]: the
//! longest dependency chain, each create costing the calls the cloud really needs (an
//! account: create plus its status polls), and, with the default layers, the floor that
//! serialising Organizations writes puts under the apply. Target: wall time ≤ 1.15 × bound.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use landform_core::Assembly;
use landform_deploy::bound::{apply_bound, ApplyBound};
use landform_deploy::fixtures::representative_app;
use landform_deploy::{Engine, InMemoryCloud, MemoryLock, MemoryStateStore, RateLimit};

const LATENCY: Duration = Duration::from_millis(50);
/// Runs of each case whose median the ratio uses (criterion's figures follow).
const RUNS: usize = 5;

fn cloud() -> InMemoryCloud {
    let cloud = InMemoryCloud::new();
    cloud.set_account_creation(1, 0);
    cloud.set_latency(LATENCY);
    cloud
}

/// One apply from scratch. `serialise_organizations`: the default layers (Organizations
/// writes one at a time, as AWS requires); without, only the scheduler is measured.
async fn apply_once(assembly: &Assembly, serialise_organizations: bool) -> Duration {
    let cloud = cloud();
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

fn bound(assembly: &Assembly, serialise_organizations: bool) -> ApplyBound {
    let cloud = cloud();
    let limits: &[(&str, usize)] = if serialise_organizations {
        RateLimit::AWS_DEFAULT_LIMITS
    } else {
        &[]
    };
    apply_bound(assembly, LATENCY, |t| cloud.create_cost(t), limits).expect("bound")
}

fn bench(c: &mut Criterion) {
    let assembly = representative_app().synth().expect("synth");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    for (serialised, label) in [
        (false, "scheduler only (no rate limit)"),
        (true, "Organizations writes serialised (default layers)"),
    ] {
        let bound = bound(&assembly, serialised);
        let mut walls: Vec<Duration> = (0..RUNS)
            .map(|_| runtime.block_on(apply_once(&assembly, serialised)))
            .collect();
        walls.sort();
        let wall = walls[RUNS / 2];
        println!("{label}:\n{bound}");
        println!(
            "  apply wall time {:.0} ms (median of {RUNS}, {:.0}..{:.0}) vs bound {:.0} ms: ratio {:.3} (target ≤ 1.15)",
            ms(wall),
            ms(walls[0]),
            ms(walls[RUNS - 1]),
            ms(bound.total),
            wall.as_secs_f64() / bound.total.as_secs_f64()
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
