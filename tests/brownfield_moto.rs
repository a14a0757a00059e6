//! Adoption of an organization Landform did not make (issue 14), on moto through the command
//! line: tests/support/brownfield.py builds it with boto3 alone (OUs three deep, six accounts,
//! four SCPs at several levels, a trail, a detector, buckets), then the House Escort example
//! binary meets it. A deploy first refuses to create what exists, changing nothing; `adopt`
//! records every OU, account, SCP, detector and bucket House Escort names, with no write; the
//! deploy after it creates only the rest (no second account, OU or policy); a second deploy
//! writes nothing; `destroy` keeps what was adopted and what the app keeps, and leaves what
//! the app never named alone; a deploy after it converges again. Never against real AWS.
#![cfg(feature = "aws")]

#[path = "support/rehearsal.rs"]
mod rehearsal;

use std::path::Path;
use std::process::{Command, Output};

use rehearsal::{example, ok, python, repo, Rehearsal};

#[path = "support/brownfield_memory.rs"]
mod memory;
use serde_json::{json, Value as Json};

/// brownfield.py in `mode` against the rehearsal's moto.
fn brownfield(r: &Rehearsal, mode: &str) -> Json {
    let out = Command::new(python())
        .arg(repo().join("tests/support/brownfield.py"))
        .args([
            &r.set["AWS_ENDPOINT_URL"],
            &r.set["LANDFORM_MANAGEMENT_ACCOUNT"],
            &r.set["LANDFORM_ROOT_ID"],
            mode,
        ])
        .output()
        .expect("run brownfield.py");
    serde_json::from_str(&ok(&out, &format!("brownfield.py {mode}"))).unwrap()
}

fn strings(v: &Json) -> Vec<String> {
    v.as_object()
        .unwrap()
        .values()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// The scenario on one backend: `made` are the ids the build made, `run` runs the House
/// Escort binary with a verb, `inventory` reads the organization. The inventories at each
/// step, for comparing backends.
fn scenario(
    made: &Json,
    state_dir: &Path,
    run: &dyn Fn(&[&str]) -> Output,
    inventory: &dyn Fn() -> Json,
) -> Vec<Json> {
    let before = inventory();
    let mut seen = vec![before.clone()];

    // Before adoption: refused up front, every taken name listed, nothing changed.
    let refused = run(&["deploy"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("is taken already") && stderr.contains("run `adopt`"),
        "{stderr}"
    );
    assert_eq!(inventory(), before, "the refused deploy changed nothing");

    // A dry run records nothing.
    let dry: Json = serde_json::from_str(&ok(
        &run(&["adopt", "--dry-run", "--json"]),
        "adopt --dry-run",
    ))
    .unwrap();
    assert_eq!(dry["dryRun"], true);
    let state = state_dir.join("state.json");
    let recorded = |s: &Json| -> usize {
        s["stacks"]
            .as_object()
            .map(|stacks| {
                stacks
                    .values()
                    .map(|s| s["resources"].as_object().map_or(0, |r| r.len()))
                    .sum()
            })
            .unwrap_or(0)
    };
    if state.exists() {
        let s: Json = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
        assert_eq!(recorded(&s), 0, "the dry run recorded nothing");
    }

    let report: Json = serde_json::from_str(&ok(&run(&["adopt", "--json"]), "adopt")).unwrap();
    let adopted: Vec<(String, String)> = report["adopted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["type"].as_str().unwrap().to_owned(),
                a["physicalId"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let ids = |t: &str| -> Vec<String> {
        let mut v: Vec<String> = adopted
            .iter()
            .filter(|(ty, _)| ty == t)
            .map(|(_, id)| id.clone())
            .collect();
        v.sort();
        v
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    // The three OUs House Escort names (not Legacy or Archive), its five accounts (not the
    // legacy one), its two SCPs, the security account's detector and the state bucket.
    let ous = &made["ous"];
    assert_eq!(
        ids("AWS::Organizations::OrganizationalUnit"),
        sorted(
            ["Security", "Infrastructure", "Workloads"]
                .map(|n| ous[n].as_str().unwrap().to_owned())
                .to_vec()
        )
    );
    let mut accounts = strings(&made["accounts"]);
    accounts.retain(|a| *a != made["accounts"]["legacy-batch"]);
    assert_eq!(ids("AWS::Organizations::Account"), sorted(accounts));
    assert_eq!(
        ids("AWS::Organizations::Policy"),
        sorted(
            ["house-escort-guardrails", "house-escort-network-guardrails"]
                .map(|n| made["policies"][n].as_str().unwrap().to_owned())
                .to_vec()
        )
    );
    assert_eq!(
        ids("AWS::GuardDuty::Detector"),
        [made["detector"].as_str().unwrap()]
    );
    assert!(ids("AWS::S3::Bucket").contains(&made["stateBucket"].as_str().unwrap().to_owned()));
    assert_eq!(report["ownedElsewhere"], json!([]));
    let to_create = report["create"].as_array().unwrap().len();

    // The deploy creates only what adoption did not find.
    let deployed = ok(&run(&["deploy", "--json"]), "deploy after adopt");
    let summary: Json = serde_json::from_str(deployed.lines().last().unwrap()).unwrap();
    assert_eq!(summary["verified"], true, "{summary}");
    assert_eq!(summary["report"]["created"], to_create, "{summary}");
    let after = inventory();
    seen.push(after.clone());
    assert_eq!(after["ous"], before["ous"], "no second OU");
    assert_eq!(
        after["accounts"].as_object().unwrap().len(),
        before["accounts"].as_object().unwrap().len(),
        "no second account"
    );
    assert_eq!(
        after["policies"].as_object().unwrap().len(),
        before["policies"].as_object().unwrap().len(),
        "no second policy"
    );
    let security = "aws+house-escort-security@houseescort.example";
    assert_eq!(after["perAccount"][security]["detectors"], 1);

    // A second deploy writes nothing.
    let second = ok(&run(&["deploy", "--json"]), "second deploy");
    let writes = second
        .lines()
        .map(|l| serde_json::from_str::<Json>(l).unwrap())
        .filter(|e| e["type"] == "call")
        .filter(|e| {
            matches!(
                e["operation"].as_str(),
                Some("create" | "update" | "delete")
            )
        })
        .count();
    assert_eq!(writes, 0, "{second}");

    // Destroy keeps what was adopted; what the app never named is untouched.
    ok(&run(&["destroy", "--yes"]), "destroy");
    let kept = inventory();
    seen.push(kept.clone());
    assert_eq!(kept["ous"], before["ous"]);
    assert_eq!(kept["accounts"], before["accounts"]);
    for name in [
        "house-escort-guardrails",
        "house-escort-network-guardrails",
        "legacy-deny-regions",
        "legacy-deny-leave",
    ] {
        assert_eq!(kept["policies"][name], before["policies"][name], "{name}");
    }
    assert_eq!(kept["perAccount"][security]["detectors"], 1);
    let prod = "aws+house-escort-prod@houseescort.example";
    assert_eq!(
        kept["perAccount"][prod]["buckets"], before["perAccount"][prod]["buckets"],
        "the legacy data bucket is left alone"
    );
    let management = "(management)";
    assert!(kept["perAccount"][management]["trails"]
        .as_array()
        .unwrap()
        .contains(&json!("org-audit-trail")));

    // And a deploy after the destroy converges again.
    let again = ok(&run(&["deploy"]), "deploy after destroy");
    assert!(
        again.contains("Verified: a new plan shows no changes"),
        "{again}"
    );
    let diff = run(&["diff"]);
    assert_eq!(diff.status.code(), Some(0), "{}", ok(&diff, "diff"));
    seen.push(inventory());
    seen
}

#[test]
fn an_organization_made_with_boto3_is_adopted_by_house_escort_on_moto_and_in_memory() {
    let r = Rehearsal::start();
    let bin = example("house_escort");
    let made = brownfield(&r, "build");
    // `adopt --print-rust` of the organization before anything else touches it.
    let printed_on_moto = ok(
        &r.run(&bin, &["adopt", "--print-rust", "--provider", "aws"]),
        "adopt --print-rust on moto",
    );
    let on_moto = scenario(
        &made,
        Path::new(&r.set["LANDFORM_STATE_DIR"]),
        &|verb: &[&str]| {
            let args: Vec<&str> = verb.iter().copied().chain(["--provider", "aws"]).collect();
            r.run(&bin, &args)
        },
        &|| brownfield(&r, "inventory"),
    );

    // The same organization, made through the in-memory cloud's provider calls, under the
    // same management account and root, with the same binary and verbs.
    let dir = tempfile::tempdir().unwrap();
    let management = r.set["LANDFORM_MANAGEMENT_ACCOUNT"].clone();
    let root = r.set["LANDFORM_ROOT_ID"].clone();
    let made = memory::build(dir.path(), &management, &root);
    let run_memory = |verb: &[&str]| {
        let args: Vec<&str> = verb
            .iter()
            .copied()
            .chain(["--provider", "memory"])
            .collect();
        let mut cmd = Command::new(&bin);
        cmd.args(&args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env("LANDFORM_STATE_DIR", dir.path())
            .env("LANDFORM_MANAGEMENT_ACCOUNT", &management)
            .env("LANDFORM_ROOT_ID", &root)
            .env_remove("AWS_ENDPOINT_URL");
        cmd.output().expect("run the deployer")
    };
    // The program printed from moto's organization is the one printed from the in-memory
    // cloud's (no id is in it but the root's and the management account's), which
    // tests/print_rust.rs compiles and runs: no change after `adopt`.
    let printed_in_memory = ok(
        &run_memory(&["adopt", "--print-rust"]),
        "adopt --print-rust",
    );
    assert_eq!(printed_on_moto, printed_in_memory);
    let in_memory = scenario(&made, dir.path(), &run_memory, &|| {
        memory::inventory(dir.path(), &management, &root)
    });
    for (step, (m, i)) in ["before", "after deploy", "after destroy", "after redeploy"]
        .iter()
        .zip(on_moto.iter().zip(&in_memory))
    {
        assert_eq!(m, i, "moto and the in-memory cloud differ {step}");
    }
}
