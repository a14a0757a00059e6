//! The policy validator's cost (issue 17) over every policy document of House Escort with
//! `--accounts 1000`: the documents are taken from the synthesised templates outside the timed
//! loop, then `landform_core::policy::check_document` checks them all (grammar, the IAM
//! catalogue's actions, condition operators and keys, resource ARNs and principals). Documents
//! checked is the throughput.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use landform::constructs::layouts::{house_escort, HouseEscortOptions};
use landform::core::policy::{check_document, PolicyKind};
use landform::core::{Assembly, Value};

const POLICIES: &[(&str, &str, PolicyKind)] = &[
    (
        "AWS::IAM::Role",
        "AssumeRolePolicyDocument",
        PolicyKind::Trust,
    ),
    (
        "AWS::IAM::ManagedPolicy",
        "PolicyDocument",
        PolicyKind::Identity,
    ),
    (
        "AWS::S3::BucketPolicy",
        "PolicyDocument",
        PolicyKind::Resource,
    ),
    ("AWS::KMS::Key", "KeyPolicy", PolicyKind::Resource),
    (
        "AWS::Organizations::Policy",
        "Content",
        PolicyKind::ServiceControl,
    ),
];

fn documents(accounts: usize) -> Vec<(Value, PolicyKind)> {
    let assembly = house_escort(&HouseEscortOptions {
        extra_workload_accounts: accounts,
        ..Default::default()
    })
    .synth()
    .expect("house escort synthesises");
    let mut docs = Vec::new();
    for stack in assembly.stacks() {
        let template: serde_json::Value =
            serde_json::from_str(Assembly::template_text(stack)).unwrap();
        for resource in template["Resources"].as_object().unwrap().values() {
            for (type_name, property, kind) in POLICIES {
                if resource["Type"] == *type_name {
                    if let Some(doc) = resource["Properties"].get(*property) {
                        docs.push((Value::from(doc.clone()), *kind));
                    }
                }
                if resource["Type"] == "AWS::IAM::Role" && *property == "AssumeRolePolicyDocument" {
                    for p in resource["Properties"]["Policies"]
                        .as_array()
                        .into_iter()
                        .flatten()
                    {
                        docs.push((
                            Value::from(p["PolicyDocument"].clone()),
                            PolicyKind::Identity,
                        ));
                    }
                }
            }
        }
    }
    docs
}

fn validate(c: &mut Criterion) {
    let docs = documents(1000);
    println!("policy_validation/1000: {} documents", docs.len());
    let mut group = c.benchmark_group("policy_validation");
    group.sample_size(20);
    group.throughput(Throughput::Elements(docs.len() as u64));
    group.bench_function("house_escort_1000", |b| {
        b.iter(|| {
            let mut findings = 0;
            for (doc, kind) in &docs {
                findings += check_document(black_box(doc), *kind, "Doc").len();
            }
            assert_eq!(findings, 0);
            findings
        })
    });
    group.finish();
}

criterion_group!(benches, validate);
criterion_main!(benches);
