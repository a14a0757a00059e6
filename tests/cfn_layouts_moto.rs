//! The whole DocuStack assembly through `deploy --engine cloudformation` against moto's
//! CloudFormation (issue 15): 16 stacks in 8 accounts, the member accounts' stacks deployed
//! into the accounts the organization stack's outputs name, and the baselines reading the
//! log archive's outputs as parameters across accounts.
//!
//! moto's CloudFormation creates only some of these types (S3 buckets, KMS keys, IAM roles,
//! DynamoDB tables, log groups...). The project's stand-in (scripts/moto_patches/
//! cfn_placeholders.py) records the others (Organizations accounts, GuardDuty, Config,
//! CloudTrail, custom resources) as placeholders with stable attributes, so this proves the
//! engine's ordering and wiring, not the resources: every stack reaches CREATE_COMPLETE once,
//! after the stacks it depends on, in the account it names; every cross-account parameter
//! holds its producer's output; a second deploy changes nothing; destroy deletes every stack,
//! each before the stacks it depends on. The resources themselves are read back for the
//! types moto creates in tests/cfn_engine_moto.rs.
//!
//! House Escort does not get this far on moto's CloudFormation: a workload's transit gateway
//! attachment needs the hub's gateway shared through RAM (AWS::RAM::ResourceShare, which
//! moto's CloudFormation does not create) and then accepted by the hub's owner, which no
//! CloudFormation resource type does.
#![cfg(feature = "aws")]

#[path = "support/rehearsal.rs"]
mod rehearsal;

use std::collections::BTreeMap;
use std::process::Command;

use rehearsal::{example, ok, python, repo, Rehearsal};
use serde_json::Value as Json;

fn run(r: &Rehearsal, args: &[&str]) -> std::process::Output {
    let mut all = args.to_vec();
    all.extend([
        "--engine",
        "cloudformation",
        "--provider",
        "aws",
        "--poll-ms",
        "100",
    ]);
    let mut out = r.run(&example("docustack"), &all);
    out.stdout.retain(|b| *b != 0x1b);
    out
}

/// Every live stack of `accounts` (and the management account), read back with boto3.
fn stacks(r: &Rehearsal, accounts: &[String]) -> Json {
    let out = Command::new(python())
        .arg(repo().join("tests/support/cfn_stacks.py"))
        .arg(&r.set["AWS_ENDPOINT_URL"])
        .arg(&r.set["LANDFORM_MANAGEMENT_ACCOUNT"])
        .args(accounts)
        .output()
        .expect("run cfn_stacks.py");
    serde_json::from_str(&ok(&out, "cfn_stacks.py")).unwrap()
}

/// The line index of the first line of `text` that contains `needle`.
fn at(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}"))
}

#[test]
fn docustack_deploys_through_cloudformation_in_dependency_order_and_is_destroyed_in_reverse() {
    let r = Rehearsal::start();
    let listed: Json = serde_json::from_str(&ok(
        &r.run(&example("docustack"), &["list", "--json"]),
        "list",
    ))
    .unwrap();
    let manifest = listed["stacks"].as_array().unwrap().clone();
    assert_eq!(manifest.len(), 16);

    let deployed = ok(&run(&r, &["deploy"]), "deploy");
    assert!(
        deployed.contains("16 stack(s), 16 created, 0 updated, 0 unchanged"),
        "{deployed}"
    );
    // Where each stack went, from its "started" line: "Name [account/region]: started".
    let mut account_of: BTreeMap<String, String> = BTreeMap::new();
    for stack in &manifest {
        let name = stack["name"].as_str().unwrap();
        let line = deployed
            .lines()
            .find(|l| l.starts_with(&format!("{name} [")) && l.ends_with("]: started"))
            .unwrap_or_else(|| panic!("{name} never started:\n{deployed}"));
        let account = line[name.len() + 2..].split('/').next().unwrap().to_owned();
        account_of.insert(name.to_owned(), account);
        // Started only once everything it depends on was complete.
        let started = at(&deployed, line);
        for dep in stack["dependencies"].as_array().unwrap() {
            let dep = dep["stack"].as_str().unwrap();
            let done = at(&deployed, &format!("{dep}: CREATE_COMPLETE"));
            assert!(
                done < started,
                "{name} started before {dep} was complete:\n{deployed}"
            );
        }
    }
    let accounts: Vec<String> = account_of.values().cloned().collect();
    let live = stacks(&r, &accounts);
    let output = |stack: &str, key: &str| -> String {
        live[&account_of[stack]][stack]["outputs"][key]
            .as_str()
            .unwrap_or_else(|| panic!("{stack} has no output {key}: {live}"))
            .to_owned()
    };
    for stack in &manifest {
        let name = stack["name"].as_str().unwrap();
        let here = &live[&account_of[name]][name];
        assert_eq!(here["status"], "CREATE_COMPLETE", "{name}: {here}");
        assert_eq!(here["copies"], 1, "{name}");
        // A member account's stack landed in the account the organization stack created.
        if let Some(source) = stack["environment"]["account"].get("fromOutput") {
            let producer = source["stack"].as_str().unwrap();
            let account = output(producer, source["output"].as_str().unwrap());
            assert_eq!(account_of[name], account, "{name}");
            assert_ne!(account, r.set["LANDFORM_MANAGEMENT_ACCOUNT"]);
        }
        // Each cross-account parameter holds its producer's output.
        for (parameter, source) in stack["parameters"].as_object().unwrap() {
            let wanted = output(
                source["stack"].as_str().unwrap(),
                source["output"].as_str().unwrap(),
            );
            assert_eq!(
                here["parameters"][parameter],
                Json::from(wanted),
                "{name}.{parameter}"
            );
        }
    }
    // As many accounts as the manifest names (the management account and the ones the
    // organization stack creates), each a different one.
    let named: std::collections::BTreeSet<String> = manifest
        .iter()
        .map(|s| s["environment"]["account"].to_string())
        .collect();
    let distinct: std::collections::BTreeSet<&String> = account_of.values().collect();
    assert_eq!(distinct.len(), named.len(), "{account_of:?}");
    assert!(named.len() >= 7, "{named:?}");

    // A second run: no change set with changes, nothing executed.
    let again = ok(&run(&r, &["deploy"]), "second deploy");
    assert!(
        again.contains("0 created, 0 updated, 16 unchanged"),
        "{again}"
    );
    assert_eq!(run(&r, &["diff"]).status.code(), Some(0));

    // destroy: every stack deleted, each before what it depends on.
    let destroyed = ok(&run(&r, &["destroy", "--yes"]), "destroy");
    assert!(destroyed.contains("16 stack(s) deleted"), "{destroyed}");
    for stack in &manifest {
        let name = stack["name"].as_str().unwrap();
        let gone = at(&destroyed, &format!("{name}: DELETE_COMPLETE"));
        for dep in stack["dependencies"].as_array().unwrap() {
            let dep = dep["stack"].as_str().unwrap();
            assert!(
                gone < at(&destroyed, &format!("{dep}: DELETE_COMPLETE")),
                "{dep} was deleted before {name}, which depends on it:\n{destroyed}"
            );
        }
    }
    let after = stacks(&r, &accounts);
    for (account, left) in after.as_object().unwrap() {
        assert!(left.as_object().unwrap().is_empty(), "{account}: {left}");
    }
}
