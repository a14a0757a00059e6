//! House Escort synthesis at N = 10, 100 and 1,000 generated workload accounts (issue 6).
//! The app is built outside the timed loop; only `app.synth()` is measured, with the
//! assembly's resource count as throughput. Each N's resource count and total template bytes
//! are printed once so time per resource and bytes per second can be derived.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use landform::constructs::layouts::{house_escort, HouseEscortOptions};
use landform::core::Assembly;

fn synth(c: &mut Criterion) {
    let mut group = c.benchmark_group("house_escort");
    group.sample_size(10);
    for accounts in [10usize, 100, 1000] {
        let app = house_escort(&HouseEscortOptions {
            extra_workload_accounts: accounts,
        });
        let assembly = app.synth().expect("house escort synthesises");
        let resources: usize = assembly.stacks().iter().map(|s| s.resources.len()).sum();
        let bytes: usize = assembly
            .stacks()
            .iter()
            .map(|s| Assembly::template_text(s).len())
            .sum();
        println!(
            "house_escort/{accounts}: {} stacks, {resources} resources, {bytes} template bytes",
            assembly.stacks().len()
        );
        group.throughput(Throughput::Elements(resources as u64));
        group.bench_with_input(BenchmarkId::from_parameter(accounts), &app, |b, app| {
            b.iter(|| app.synth().expect("house escort synthesises"))
        });
    }
    group.finish();
}

criterion_group!(benches, synth);
criterion_main!(benches);
