//! Deploy at scale (issue 12): House Escort with N generated workload accounts, deployed to
//! the persisted in-memory cloud the way `deploy --provider memory` does it (file state, file
//! lock, the cloud as a snapshot plus its log in a directory, refreshing plan, apply,
//! verifying plan), then a refreshing plan of the unchanged organization, at N = 100 and
//! N = 1000 side by side in one process.
//!
//! `cargo bench --bench deploy_scale` prints, per N: resources, deploy seconds, the refreshing
//! plan's seconds and its write calls (must be 0), peak RSS of each phase (the kernel's
//! high-water mark, reset before the phase: it includes what the process held before, so it
//! is an upper bound), and the per-resource cost at N = 1000 against N = 100 (the scaling
//! factor; 1.0 is linear). Targets: deploy <= 60 s and <= 500 MB at N = 1000, the plan <= 2 s
//! with zero writes, scaling within 1.3x of linear. `-- 100 300` runs other sizes.
//! Timings are printed, never asserted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use landform::constructs::layouts::{house_escort, HouseEscortOptions};
use landform::deploy::{Engine, FileLock, FileStateStore, InMemoryCloud, OrganizationSeed};

/// Reset the peak resident set size to what is resident now (Linux `clear_refs` 5).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The peak resident set size since the last reset, in MB (`VmHWM`).
fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

struct Figures {
    resources: usize,
    deploy: Duration,
    deploy_mb: f64,
    plan: Duration,
    plan_mb: f64,
    plan_writes: u64,
    plan_reads: u64,
}

fn layout(n: usize) -> landform::core::Assembly {
    house_escort(&HouseEscortOptions {
        extra_workload_accounts: n,
        ..Default::default()
    })
    .synth()
    .expect("synthesises")
}

fn engine(cloud: &InMemoryCloud, dir: &std::path::Path) -> Engine {
    Engine::new(
        cloud.registry(),
        Arc::new(FileStateStore::new(dir.join("state.json"))),
        Arc::new(FileLock::new(dir.join("lock.json"))),
        Arc::new(cloud.sessions()),
    )
    .with_concurrency(8)
    .with_refresh(true)
}

fn run(n: usize, rt: &tokio::runtime::Runtime) -> Figures {
    let dir = tempfile::tempdir().expect("temp dir");
    reset_peak();
    let start = Instant::now();
    let assembly = layout(n);
    let resources: usize = assembly.stacks().iter().map(|s| s.resources.len()).sum();
    let seed = OrganizationSeed::from_assembly(&assembly);
    let cloud =
        InMemoryCloud::persistent_with(dir.path().join("cloud.json"), &seed).expect("cloud");
    let deployer = engine(&cloud, dir.path());
    rt.block_on(async {
        let plan = deployer.plan(&assembly).await.expect("plan");
        assert_eq!(plan.changes.len(), resources);
        drop(plan);
        let report = deployer.apply(&assembly).await.expect("apply");
        assert_eq!(report.created, resources);
        assert!(deployer.plan(&assembly).await.expect("verify").is_empty());
    });
    cloud.compact().expect("compact");
    let deploy = start.elapsed();
    let deploy_mb = peak_mb();
    drop(deployer);
    drop(cloud);
    drop(assembly);

    // The unchanged organization, from a new process's point of view: load, synth, refresh.
    reset_peak();
    let start = Instant::now();
    let assembly = layout(n);
    let cloud =
        InMemoryCloud::persistent_with(dir.path().join("cloud.json"), &seed).expect("cloud");
    cloud.reset_counters();
    let planner = engine(&cloud, dir.path());
    let plan = rt.block_on(planner.plan(&assembly)).expect("plan");
    let plan_time = start.elapsed();
    assert!(plan.is_empty(), "the organization is unchanged");
    Figures {
        resources,
        deploy,
        deploy_mb,
        plan: plan_time,
        plan_mb: peak_mb(),
        plan_writes: cloud.writes(),
        plan_reads: cloud.calls() - cloud.writes(),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; sizes are the other arguments.
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes = vec![100, 1000];
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "{:>5} {:>9} {:>10} {:>10} {:>9} {:>9} {:>8} {:>8} {:>12}",
        "N",
        "resources",
        "deploy s",
        "deploy MB",
        "plan s",
        "plan MB",
        "writes",
        "reads",
        "us/resource"
    );
    let mut per_resource = Vec::new();
    for n in sizes {
        let f = run(n, &rt);
        let us = f.deploy.as_secs_f64() * 1e6 / f.resources as f64;
        per_resource.push((n, us, f.plan.as_secs_f64() * 1e6 / f.resources as f64));
        println!(
            "{n:>5} {:>9} {:>10.2} {:>10.0} {:>9.2} {:>9.0} {:>8} {:>8} {:>12.0}",
            f.resources,
            f.deploy.as_secs_f64(),
            f.deploy_mb,
            f.plan.as_secs_f64(),
            f.plan_mb,
            f.plan_writes,
            f.plan_reads,
            us
        );
    }
    if let (Some(first), Some(last)) = (per_resource.first(), per_resource.last()) {
        if first.0 != last.0 {
            println!(
                "scaling N={} -> N={}: deploy {:.2}x, plan {:.2}x of linear (per-resource cost ratio)",
                first.0,
                last.0,
                last.1 / first.1,
                last.2 / first.2
            );
        }
    }
}
