//! The README's rehearsal, run as a user runs it: `scripts/rehearse.sh start` (a moto of this
//! test's own, with an organization), then the example deployer binaries with `--provider aws`
//! in the environment it prints: deploy, read everything back with boto3 in every account
//! (tests/support/rehearsal_check.py), deploy again without a write call, `drift` and `diff`
//! clean, `destroy --yes`, and read back again: the `Retain` resources are there, nothing else
//! is; then deploy once more: what the destroy kept is taken back (re-adopted), the rest is
//! created, and the organization reads back as the first time. House Escort, House Escort
//! with 20 more workload accounts, and DocuStack.
//!
//! Every call of the deployer goes to its own account: the cross-account calls (a RAM share
//! naming OUs from the network account, a workload's attachment to the shared transit gateway
//! and its acceptance by the hub) are served by the project's moto server
//! (scripts/moto_patches/) as AWS serves them. Never against real AWS.
#![cfg(feature = "aws")]

use std::collections::BTreeMap;

use serde_json::Value as Json;

#[path = "support/rehearsal.rs"]
mod rehearsal;

use rehearsal::{example, ok, Rehearsal};

/// The types rehearsal_check.py reads back.
const CHECKED: &[&str] = &[
    "AWS::Organizations::Account",
    "AWS::Organizations::Policy",
    "AWS::CloudTrail::Trail",
    "AWS::GuardDuty::Detector",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::DynamoDB::Table",
    "AWS::IAM::Role",
    "AWS::IAM::OIDCProvider",
    "AWS::EC2::TransitGateway",
    "AWS::EC2::TransitGatewayAttachment",
    "AWS::RAM::ResourceShare",
];

/// Recorded resources by type (only the checked types), optionally only the `Retain` ones.
fn counts(state: &Json, retained: Option<bool>) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for stack in state["stacks"].as_object().unwrap().values() {
        for r in stack["resources"].as_object().unwrap().values() {
            let t = r["type"].as_str().unwrap();
            let keep = r["deletionPolicy"] == "Retain";
            if CHECKED.contains(&t) && retained.map_or(true, |want| want == keep) {
                *counts.entry(t.to_owned()).or_default() += 1;
            }
        }
    }
    counts
}

fn as_counts(v: &Json) -> BTreeMap<String, u64> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, n)| (k.clone(), n.as_u64().unwrap()))
        .collect()
}

/// The whole rehearsal of one layout; `required` are types it must have deployed.
fn rehearse(binary: &str, extra: &[&str], accounts: usize, required: &[&str]) {
    let rehearsal = Rehearsal::start();
    let bin = example(binary);
    let args = |verb: &[&str]| -> Vec<String> {
        extra
            .iter()
            .chain(verb)
            .chain(&["--provider", "aws"])
            .map(|s| s.to_string())
            .collect()
    };
    let run = |verb: &[&str]| {
        let a = args(verb);
        rehearsal.run(&bin, &a.iter().map(String::as_str).collect::<Vec<_>>())
    };

    let deployed = ok(&run(&["deploy"]), "deploy");
    assert!(
        deployed.contains("Verified: a new plan shows no changes"),
        "{deployed}"
    );
    let state = rehearsal.state();

    // Everything reads back in its account as recorded.
    let seen = rehearsal.check(&state, "deployed");
    assert_eq!(seen["problems"], serde_json::json!([]), "{seen:#}");
    let wanted = counts(&state, None);
    assert_eq!(as_counts(&seen["checked"]), wanted);
    for t in required {
        assert!(wanted.contains_key(*t), "{binary} deployed no {t}");
    }
    assert_eq!(
        wanted["AWS::Organizations::Account"] as usize, accounts,
        "member accounts"
    );

    // A second deploy reads everything back and writes nothing.
    let second = ok(&run(&["deploy", "--json"]), "second deploy");
    let events: Vec<Json> = second
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON event a line"))
        .collect();
    let writes: Vec<&Json> = events
        .iter()
        .filter(|e| e["type"] == "call")
        .filter(|e| {
            matches!(
                e["operation"].as_str(),
                Some("create" | "update" | "delete")
            )
        })
        .collect();
    assert!(writes.is_empty(), "the second deploy wrote: {writes:?}");
    let summary = events.last().unwrap();
    assert_eq!(summary["type"], "summary", "{summary}");
    assert_eq!(summary["changed"], false, "{summary}");
    let recorded: usize = state["stacks"]
        .as_object()
        .unwrap()
        .values()
        .map(|s| s["resources"].as_object().unwrap().len())
        .sum();
    assert_eq!(
        summary["counts"]["refreshed"], recorded,
        "the second deploy reads every recorded resource back: {summary}"
    );

    let drift = run(&["drift"]);
    assert_eq!(drift.status.code(), Some(0), "{}", ok(&drift, "drift"));
    let diff = run(&["diff"]);
    assert_eq!(diff.status.code(), Some(0), "{}", ok(&diff, "diff"));

    ok(&run(&["destroy", "--yes"]), "destroy");
    let after = rehearsal.check(&state, "destroyed");
    assert_eq!(after["problems"], serde_json::json!([]), "{after:#}");
    assert_eq!(as_counts(&after["checked"]), counts(&state, Some(true)));
    assert_eq!(as_counts(&after["gone"]), counts(&state, Some(false)));
    assert!(
        counts(&state, Some(true)).contains_key("AWS::Organizations::Account"),
        "accounts are Retain"
    );

    // Deploying again after the destroy takes back what it kept (no second account, bucket
    // or table: AWS refuses those) and creates the rest; then it has converged.
    let all: Vec<&Json> = state["stacks"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|s| s["resources"].as_object().unwrap().values())
        .collect();
    let kept = all
        .iter()
        .filter(|r| r["deletionPolicy"] == "Retain")
        .count();
    let created = all.len() - kept;
    let again = ok(&run(&["deploy"]), "deploy after destroy");
    assert!(
        again.contains(&format!("{created} created,"))
            && again.contains(&format!("{kept} re-adopted"))
            && again.contains("Verified: a new plan shows no changes"),
        "{again}"
    );
    let state = rehearsal.state();
    let seen = rehearsal.check(&state, "deployed");
    assert_eq!(seen["problems"], serde_json::json!([]), "{seen:#}");
    assert_eq!(
        as_counts(&seen["checked"]),
        wanted,
        "the same organization again"
    );
    let diff = run(&["diff"]);
    assert_eq!(
        diff.status.code(),
        Some(0),
        "{}",
        ok(&diff, "diff after redeploy")
    );
}

#[test]
fn house_escort_rehearses_on_moto_through_the_command_line() {
    rehearse(
        "house_escort",
        &[],
        5,
        &[
            "AWS::EC2::TransitGatewayAttachment",
            "AWS::RAM::ResourceShare",
            "AWS::IAM::OIDCProvider",
            "AWS::CloudTrail::Trail",
            "AWS::GuardDuty::Detector",
            "AWS::DynamoDB::Table",
        ],
    );
}

#[test]
fn house_escort_with_20_more_accounts_rehearses_on_moto() {
    rehearse(
        "house_escort",
        &["--accounts", "20"],
        25,
        &[
            "AWS::EC2::TransitGatewayAttachment",
            "AWS::RAM::ResourceShare",
        ],
    );
}

#[test]
fn docustack_rehearses_on_moto_through_the_command_line() {
    rehearse(
        "docustack",
        &[],
        6,
        &[
            "AWS::Organizations::Account",
            "AWS::CloudTrail::Trail",
            "AWS::GuardDuty::Detector",
            "AWS::S3::Bucket",
        ],
    );
}
