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
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value as Json;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// An example binary: `cargo test` builds the examples beside the test binaries.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("examples")
        .join(name);
    assert!(path.exists(), "{} is not built", path.display());
    path
}

/// The environment `scripts/rehearse.sh start` prints, applied to a command.
struct Rehearsal {
    moto_state: tempfile::TempDir,
    work: tempfile::TempDir,
    set: BTreeMap<String, String>,
    unset: Vec<String>,
}

impl Rehearsal {
    fn start() -> Rehearsal {
        let moto_state = tempfile::tempdir().unwrap();
        let out = Command::new("bash")
            .args(["scripts/rehearse.sh", "start"])
            .env("LANDFORM_MOTO_STATE", moto_state.path())
            .current_dir(repo())
            .output()
            .expect("run scripts/rehearse.sh");
        assert!(
            out.status.success(),
            "scripts/rehearse.sh start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (mut set, mut unset) = (BTreeMap::new(), Vec::new());
        for line in String::from_utf8(out.stdout).unwrap().lines() {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("export") => {
                    for pair in words {
                        let (k, v) = pair.split_once('=').expect("NAME=value");
                        set.insert(k.to_owned(), v.to_owned());
                    }
                }
                Some("unset") => unset.extend(words.map(str::to_owned)),
                other => panic!("scripts/rehearse.sh printed {other:?}: {line}"),
            }
        }
        for name in [
            "AWS_ENDPOINT_URL",
            "LANDFORM_MANAGEMENT_ACCOUNT",
            "LANDFORM_ROOT_ID",
            "LANDFORM_STATE_DIR",
        ] {
            assert!(set.contains_key(name), "rehearse.sh does not set {name}");
        }
        assert!(set["AWS_ENDPOINT_URL"].starts_with("http://127.0.0.1:"));
        Rehearsal {
            moto_state,
            work: tempfile::tempdir().unwrap(),
            set,
            unset,
        }
    }

    fn run(&self, binary: &Path, args: &[&str]) -> Output {
        let mut cmd = Command::new(binary);
        cmd.args(args)
            .current_dir(self.work.path())
            .env("NO_COLOR", "1");
        for name in &self.unset {
            cmd.env_remove(name);
        }
        cmd.envs(&self.set).output().expect("run the deployer")
    }

    fn state(&self) -> Json {
        let path = Path::new(&self.set["LANDFORM_STATE_DIR"]).join("state.json");
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
    }

    /// rehearsal_check.py over `state` (saved to a file), in `mode`.
    fn check(&self, state: &Json, mode: &str) -> Json {
        let file = self.work.path().join(format!("state-{mode}.json"));
        std::fs::write(&file, state.to_string()).unwrap();
        let python = std::env::var_os("LANDFORM_VENV")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo().join(".venv"))
            .join("bin/python");
        let out = Command::new(python)
            .arg(repo().join("tests/support/rehearsal_check.py"))
            .arg(&self.set["AWS_ENDPOINT_URL"])
            .arg(&file)
            .arg(&self.set["LANDFORM_MANAGEMENT_ACCOUNT"])
            .arg(mode)
            .output()
            .expect("run rehearsal_check.py");
        assert!(
            out.status.success(),
            "rehearsal_check.py: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

impl Drop for Rehearsal {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .args(["scripts/rehearse.sh", "stop"])
            .env("LANDFORM_MOTO_STATE", self.moto_state.path())
            .current_dir(repo())
            .output();
    }
}

fn ok(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what}: exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

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
