//! House Escort synthesis at N = 10, 100 and 1,000 generated workload accounts (issue 6).
//!
//! `house_escort/N`: the app is built outside the timed loop; only `app.synth()` is measured,
//! with the assembly's resource count as throughput (each assembly is dropped untimed, before
//! the next synth);
//! `house_escort/and_drop/N` also times dropping each assembly.
//!
//! `write_json/N`: the baseline, the cost of merely writing the same JSON. The synthesised
//! templates, parsed into `serde_json::Value`s outside the loop, are pretty-printed by
//! serde_json into a sink that only counts bytes; template bytes are the throughput.
//!
//! `schema_check/check/N` times the registry-schema check of every resource alone, and
//! `schema_check/synth/N` the whole synth (which includes it) in the same run.
//!
//! Each N's stack, resource and byte counts are printed once, so time per resource and
//! bytes per second can be derived for both.

use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use landform::constructs::layouts::{house_escort, HouseEscortOptions};
use landform::core::Assembly;

/// Counts bytes, keeps nothing.
struct Sink(usize);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const SIZES: [usize; 3] = [10, 100, 1000];

/// `iterations` synths of `app`, each assembly dropped outside the timed part (so its memory
/// is reused, as in a process that synthesises again): synthesis, not deallocation.
fn synth_untimed_drop(app: &landform::core::App, iterations: u64) -> Duration {
    let mut timed = Duration::ZERO;
    for _ in 0..iterations {
        let start = Instant::now();
        let assembly = black_box(app.synth().expect("house escort synthesises"));
        timed += start.elapsed();
        drop(assembly);
    }
    timed
}

fn synth(c: &mut Criterion) {
    let mut group = c.benchmark_group("house_escort");
    group.sample_size(10);
    for accounts in SIZES {
        let app = house_escort(&HouseEscortOptions {
            extra_workload_accounts: accounts,
            ..Default::default()
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
        // Each assembly is dropped outside the timed part, before the next synth (so its memory
        // is reused, as in a process that synthesises again): synthesis, not deallocation.
        group.bench_with_input(BenchmarkId::from_parameter(accounts), &app, |b, app| {
            b.iter_custom(|iterations| synth_untimed_drop(app, iterations))
        });
        // The same, with each assembly dropped inside the timed part (what a process that
        // synthesises and moves on pays).
        group.bench_with_input(BenchmarkId::new("and_drop", accounts), &app, |b, app| {
            b.iter(|| app.synth().expect("house escort synthesises"))
        });
    }
    group.finish();
}

fn write_json(c: &mut Criterion) {
    let mut group = c.benchmark_group("write_json");
    group.sample_size(10);
    for accounts in SIZES {
        let assembly = house_escort(&HouseEscortOptions {
            extra_workload_accounts: accounts,
            ..Default::default()
        })
        .synth()
        .expect("house escort synthesises");
        let templates: Vec<serde_json::Value> = assembly
            .stacks()
            .iter()
            .map(|s| s.template.json().clone())
            .collect();
        let mut sink = Sink(0);
        for template in &templates {
            serde_json::to_writer_pretty(&mut sink, template).expect("a sink never fails");
            sink.0 += 1;
        }
        group.throughput(Throughput::Bytes(sink.0 as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(accounts),
            &templates,
            |b, templates| {
                b.iter(|| {
                    let mut sink = Sink(0);
                    for template in templates {
                        serde_json::to_writer_pretty(&mut sink, template)
                            .expect("a sink never fails");
                        sink.0 += 1;
                    }
                    sink.0
                })
            },
        );
    }
    group.finish();
}

/// `schema_check/N`: the registry-schema check of every resource alone (it runs inside
/// `app.synth()`, beside the naming of stacks and resources), next to the whole synth of the
/// same app in the same run, so its share of synth can be read off directly.
fn schema_check(c: &mut Criterion) {
    let mut group = c.benchmark_group("schema_check");
    group.sample_size(10);
    for accounts in SIZES {
        let app = house_escort(&HouseEscortOptions {
            extra_workload_accounts: accounts,
            ..Default::default()
        });
        let issues = landform::core::schema::check_app(&app);
        assert!(
            issues.is_empty(),
            "House Escort fits its schemas: {issues:?}"
        );
        let resources = app
            .tree()
            .ids()
            .filter(|&id| app.tree().node(id).resource().is_some())
            .count();
        group.throughput(Throughput::Elements(resources as u64));
        group.bench_with_input(BenchmarkId::new("check", accounts), &app, |b, app| {
            b.iter(|| landform::core::schema::check_app(app))
        });
        group.bench_with_input(BenchmarkId::new("synth", accounts), &app, |b, app| {
            b.iter_custom(|iterations| synth_untimed_drop(app, iterations))
        });
    }
    group.finish();
}

criterion_group!(benches, synth, write_json, schema_check);
criterion_main!(benches);
