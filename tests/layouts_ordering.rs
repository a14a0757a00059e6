//! Orderings a grant needs (issue 16): S3 refuses a bucket's logging configuration until the
//! target bucket's policy lets the logging service write (InvalidTargetBucketForLogging), and
//! CloudTrail and AWS Config refuse a trail or delivery channel whose bucket's policy does not
//! grant them yet. So every bucket that logs to another depends, in the template itself, on
//! that bucket's policy, and every account's trail and delivery channel depend on the central
//! log bucket's policy (a stack dependency, recorded in the manifest); CloudFormation and the
//! direct engine then both create them in that order.

use landform::constructs::layouts::{
    docustack, house_escort, DocuStackOptions, HouseEscortOptions,
};
use landform::core::Assembly;
use serde_json::Value as Json;

fn check(assembly: &Assembly) -> usize {
    let mut checked = 0;
    for stack in assembly.stacks() {
        let resources = stack.template["Resources"].as_object().expect("resources");
        for (id, body) in resources {
            let Some(target) = body
                .pointer("/Properties/LoggingConfiguration/DestinationBucketName/Ref")
                .and_then(Json::as_str)
            else {
                continue;
            };
            let policy = resources
                .iter()
                .find(|(_, r)| {
                    r["Type"] == "AWS::S3::BucketPolicy"
                        && r.pointer("/Properties/Bucket/Ref").and_then(Json::as_str)
                            == Some(target)
                })
                .map(|(pid, _)| pid.clone())
                .unwrap_or_else(|| panic!("{}: {target} has no bucket policy", stack.name));
            let depends: Vec<&str> = match &body["DependsOn"] {
                Json::String(d) => vec![d.as_str()],
                Json::Array(items) => items.iter().filter_map(Json::as_str).collect(),
                _ => Vec::new(),
            };
            assert!(
                depends.contains(&policy.as_str()),
                "{}/{id} logs to {target} but does not depend on {policy}",
                stack.name
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn every_logging_bucket_waits_for_its_target_s_policy() {
    let he = house_escort(&HouseEscortOptions::default())
        .synth()
        .unwrap();
    let ds = docustack(&DocuStackOptions::default()).synth().unwrap();
    // House Escort: the state and central log buckets; DocuStack: the state bucket of each of
    // its seven accounts and the central log bucket.
    assert_eq!(check(&he), 2);
    assert_eq!(check(&ds), 8);
}

#[test]
fn every_trail_and_delivery_channel_waits_for_the_central_bucket_policy() {
    for assembly in [
        house_escort(&HouseEscortOptions::default())
            .synth()
            .unwrap(),
        docustack(&DocuStackOptions::default()).synth().unwrap(),
    ] {
        let mut checked = 0;
        for stack in assembly.stacks() {
            let resources = stack.template["Resources"].as_object().expect("resources");
            for (id, body) in resources {
                let kind = match body["Type"].as_str() {
                    Some("AWS::CloudTrail::Trail") => "Trail",
                    Some("AWS::Config::DeliveryChannel") => "ConfigDelivery",
                    _ => continue,
                };
                let waits = stack.dependencies.iter().any(|d| {
                    d.explicit
                        && d.reasons.iter().any(|r| {
                            r.contains(&format!("/{kind} depends on "))
                                && r.ends_with("/LogBucketPolicy")
                        })
                });
                assert!(
                    waits,
                    "{}/{id} does not wait for the log bucket's policy",
                    stack.name
                );
                checked += 1;
            }
        }
        assert!(checked >= 12, "{checked} checked");
    }
}
