//! Synthesis cost growth: a generated app of N stacks x 20 resources (N = 10, 100, 1000),
//! each stack reading a resource of the previous one (half across accounts).
//! Target for later work: 1,000 stacks / 21,000 resources well under a second.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use landform::core::{App, Environment, Resource, ResourceHandle, Value};

fn generated_app(stacks: usize) -> App {
    let mut app = App::new();
    let mut previous: Option<ResourceHandle> = None;
    for n in 0..stacks {
        let account = format!("{:012}", 100_000_000_000u64 + (n % 2) as u64);
        let stage = app.add_stage(&format!("Stage{n}"), Environment::new(account, "us-east-1"));
        let stack = app.add_stack(stage, "Main");
        let mut scope = app.scope(stack);
        let mut first = None;
        for r in 0..20 {
            let mut resource = Resource::new("AWS::S3::Bucket")
                .property("BucketName", format!("bench-{n}-{r}"))
                .property(
                    "VersioningConfiguration",
                    Value::object([("Status", Value::from("Enabled"))]),
                );
            if let (0, Some(prev)) = (r, previous) {
                resource = resource.property(
                    "Tags",
                    Value::array([Value::object([
                        ("Key", Value::from("upstream")),
                        ("Value", prev.get_att("Arn")),
                    ])]),
                );
            }
            if let (r, Some(first)) = (r, first) {
                if r > 0 {
                    resource = resource.property(
                        "LoggingConfiguration",
                        Value::object([(
                            "DestinationBucketName",
                            ResourceHandle::ref_value(first),
                        )]),
                    );
                }
            }
            let handle = scope
                .child(&format!("Group{r}"), "Group")
                .add_resource("Bucket", resource);
            first.get_or_insert(handle);
        }
        previous = first;
    }
    app
}

fn synth(c: &mut Criterion) {
    let mut group = c.benchmark_group("synth");
    group.sample_size(10);
    for stacks in [10usize, 100, 1000] {
        let app = generated_app(stacks);
        group.throughput(Throughput::Elements((stacks * 20) as u64));
        group.bench_with_input(BenchmarkId::from_parameter(stacks), &app, |b, app| {
            b.iter(|| app.synth().expect("generated app is valid"))
        });
    }
    group.finish();
}

criterion_group!(benches, synth);
criterion_main!(benches);
