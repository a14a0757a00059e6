//! The whole DocuStack assembly through `deploy --engine cloudformation` against moto's
//! CloudFormation (issue 15): 16 stacks in 8 accounts, the member accounts' stacks deployed
//! into the accounts the organization stack's outputs name, and the baselines reading the
//! log archive's outputs as parameters across accounts.
//!
//! moto's CloudFormation creates only some of these types (S3 buckets, KMS keys, IAM roles,
//! DynamoDB tables, log groups...); the project's stand-ins make Organizations OUs, accounts
//! and policies in moto's own backends (scripts/moto_patches/cfn_organizations.py) and
//! record the others (GuardDuty, Config, CloudTrail, custom resources) as placeholders with
//! stable attributes (cfn_placeholders.py), so this proves the engine's ordering and wiring,
//! not those resources: every stack reaches CREATE_COMPLETE once,
//! after the stacks it depends on, in the account it names; every cross-account parameter
//! holds its producer's output; a second deploy changes nothing; destroy deletes every stack,
//! each before the stacks it depends on. The resources themselves are read back for the
//! types moto creates in tests/cfn_engine_moto.rs.
//!
//! House Escort goes the same way, and further: its network account shares the hub's transit
//! gateway with the Workloads OU through RAM, each workload stack attaches its VPC to it, and
//! the hub's route tables are associated with those attachments in a later stack. The
//! gateway accepts no attachment by itself (AutoAcceptSharedAttachments `disable`) and no
//! CloudFormation type accepts one, so the engine accepts, in the hub's account, exactly the
//! attachments each workload stack made, before the stacks that read them. The
//! Organizations OUs and accounts, the RAM share and the transit gateway's attachments,
//! route tables, associations and routes are made in moto's own backends by the project's
//! stand-ins (scripts/moto_patches/cfn_organizations.py, cfn_ec2_tgw.py); the hub's view of
//! every attachment is read back with boto3. Without the acceptance the hub's association
//! is refused with IncorrectState, as AWS refuses it.
#![cfg(feature = "aws")]

#[path = "support/rehearsal.rs"]
mod rehearsal;

use std::collections::BTreeMap;
use std::process::Command;

use rehearsal::{example, ok, python, repo, Rehearsal};
use serde_json::Value as Json;

fn run(r: &Rehearsal, layout: &str, args: &[&str]) -> std::process::Output {
    let mut all = args.to_vec();
    all.extend([
        "--engine",
        "cloudformation",
        "--provider",
        "aws",
        "--poll-ms",
        "100",
    ]);
    let mut out = r.run(&example(layout), &all);
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

/// What a deployed layout is checked with between its first deploy and its destroy.
struct Deployed<'a> {
    r: &'a Rehearsal,
    /// The first deploy's output.
    output: String,
    /// Each stack's account.
    account_of: BTreeMap<String, String>,
}

/// Deploy `layout` through CloudFormation, check every stack and its wiring, run `check`,
/// deploy again (no change), then destroy, each stack before the ones it depends on.
fn cycle(layout: &str, count: usize, min_accounts: usize, check: impl FnOnce(&Deployed)) {
    let r = Rehearsal::start();
    let listed: Json =
        serde_json::from_str(&ok(&r.run(&example(layout), &["list", "--json"]), "list")).unwrap();
    let manifest = listed["stacks"].as_array().unwrap().clone();
    assert_eq!(manifest.len(), count);

    let deployed = ok(&run(&r, layout, &["deploy"]), "deploy");
    assert!(
        deployed.contains(&format!(
            "{count} stack(s), {count} created, 0 updated, 0 unchanged"
        )),
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
    assert!(named.len() >= min_accounts, "{named:?}");

    check(&Deployed {
        r: &r,
        output: deployed.clone(),
        account_of: account_of.clone(),
    });

    // A second run: no change set with changes, nothing executed.
    let again = ok(&run(&r, layout, &["deploy"]), "second deploy");
    assert!(
        again.contains(&format!("0 created, 0 updated, {count} unchanged")),
        "{again}"
    );
    assert_eq!(run(&r, layout, &["diff"]).status.code(), Some(0));

    // destroy: every stack deleted, each before what it depends on.
    let destroyed = ok(&run(&r, layout, &["destroy", "--yes"]), "destroy");
    assert!(
        destroyed.contains(&format!("{count} stack(s) deleted")),
        "{destroyed}"
    );
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

#[test]
fn docustack_deploys_through_cloudformation_in_dependency_order_and_is_destroyed_in_reverse() {
    cycle("docustack", 16, 7, |_| {});
}

/// The hub's view of its gateway's attachments, read back with boto3.
fn attachments(d: &Deployed, hub: &str) -> Vec<Json> {
    let out = Command::new(python())
        .arg(repo().join("tests/support/tgw_attachments.py"))
        .arg(&d.r.set["AWS_ENDPOINT_URL"])
        .arg(&d.r.set["LANDFORM_MANAGEMENT_ACCOUNT"])
        .arg(hub)
        .output()
        .expect("run tgw_attachments.py");
    serde_json::from_str(&ok(&out, "tgw_attachments.py")).unwrap()
}

#[test]
fn house_escort_deploys_through_cloudformation_with_every_workload_attachment_accepted_by_the_hub()
{
    cycle("house_escort", 14, 6, |d| {
        let hub = &d.account_of["Infrastructure-Network"];
        let workloads = ["HouseEscortProd", "HouseEscortStaging", "AkHomeHqProd"];
        let seen = attachments(d, hub);
        // The hub's own VPC, and one attachment of each workload account's VPC.
        assert_eq!(seen.len(), 1 + workloads.len(), "{seen:?}");
        let mut tables = std::collections::BTreeSet::new();
        for a in &seen {
            assert_eq!(a["gatewayOwner"], Json::from(hub.as_str()), "{a}");
            assert_eq!(a["state"], "available", "{a}");
            // HubRoutes associated each with its own route table.
            let associated = a["routeTables"].as_array().unwrap();
            assert_eq!(associated.len(), 1, "{a}");
            assert!(tables.insert(associated[0].to_string()), "{seen:?}");
        }
        for workload in workloads {
            let stack = format!("{workload}-Network");
            let account = &d.account_of[&stack];
            let theirs: Vec<&Json> = seen
                .iter()
                .filter(|a| a["vpcOwner"] == account.as_str())
                .collect();
            assert_eq!(theirs.len(), 1, "{stack}: {seen:?}");
            // Accepted by the engine, in the hub's account, before the hub's routes.
            let id = theirs[0]["id"].as_str().unwrap();
            let accepted = at(
                &d.output,
                &format!("{stack}: transit gateway attachment VpcHubAttachment84B0197E ({id}) accepted by the gateway's owner {hub}"),
            );
            assert!(
                accepted < at(&d.output, "Infrastructure-HubRoutes ["),
                "{}",
                d.output
            );
            assert!(
                accepted > at(&d.output, &format!("{stack} [")),
                "{}",
                d.output
            );
        }
        // The hub's own attachment needs no acceptance.
        assert_eq!(
            d.output.matches("accepted by the gateway's owner").count(),
            workloads.len()
        );
    });
}
