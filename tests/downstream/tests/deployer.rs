//! The downstream crate's deployer binary, as its user runs it, on the embedded in-memory
//! cloud: its SNS topic and ECR repository (types Landform's constructs never emit) synth,
//! lint, diff, deploy, deploy again without a write, plan a replacement when a create-only
//! property changes (and say which), apply it and destroy.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value as Json;

fn deployer(dir: &Path, kms: bool) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_downstream-deployer"));
    cmd.current_dir(dir)
        .env_remove("LANDFORM_STATE_DIR")
        .env("NO_COLOR", "1")
        .env("DOWNSTREAM_KMS", if kms { "1" } else { "0" });
    cmd
}

fn stdout(cmd: &mut Command, code: i32) -> String {
    let output = cmd.output().expect("the deployer runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{text}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    text
}

/// The JSON events of a `--json` run, one per line.
fn events(text: &str) -> Vec<Json> {
    text.lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("a JSON event"))
        .collect()
}

#[test]
fn a_downstream_crate_s_own_types_deploy_converge_replace_and_destroy() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    let out = d.join("out");
    stdout(deployer(d, false).args(["synth", "--out"]).arg(&out), 0);
    let template: Json = serde_json::from_str(
        &std::fs::read_to_string(out.join("Management-Delivery.template.json")).unwrap(),
    )
    .unwrap();
    let types: Vec<&str> = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .map(|r| r["Type"].as_str().unwrap())
        .collect();
    for t in ["AWS::SNS::Topic", "AWS::ECR::Repository", "AWS::KMS::Key"] {
        assert!(types.contains(&t), "{t} in {types:?}");
    }
    stdout(deployer(d, false).arg("lint"), 0);
    let diff = stdout(deployer(d, false).arg("diff"), 2);
    assert!(diff.contains("3 to create"), "{diff}");

    let deployed = stdout(deployer(d, false).arg("deploy"), 0);
    assert!(deployed.contains("3 created"), "{deployed}");
    assert!(
        deployed.contains("Verified: a new plan shows no changes"),
        "{deployed}"
    );

    // Again: every resource read back, nothing written.
    let again = events(&stdout(deployer(d, false).args(["deploy", "--json"]), 0));
    let summary = again.last().expect("a summary");
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["changed"], false, "{summary}");
    stdout(deployer(d, false).arg("drift"), 0);

    // The repository's encryption is create-only in its schema: the plan replaces it and
    // says which property forces that.
    let replace = stdout(deployer(d, true).arg("diff"), 2);
    assert!(replace.contains("1 to replace"), "{replace}");
    assert!(
        replace.contains("EncryptionConfiguration") && replace.contains("forces replacement"),
        "{replace}"
    );
    let plan: Json =
        serde_json::from_str(&stdout(deployer(d, true).args(["diff", "--json"]), 2)).unwrap();
    let change = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "AWS::ECR::Repository")
        .expect("the repository changes");
    assert_eq!(change["action"], "replace", "{change}");
    assert_eq!(change["path"], "App/Management/Delivery/Images/Repository");
    assert_eq!(
        change["properties"][0]["forcesReplacement"], true,
        "{change}"
    );
    let replaced = stdout(deployer(d, true).arg("deploy"), 0);
    assert!(replaced.contains("1 replaced"), "{replaced}");
    stdout(deployer(d, true).arg("diff"), 0);

    let destroyed = stdout(deployer(d, true).args(["destroy", "--yes"]), 0);
    assert!(destroyed.contains("3 deleted"), "{destroyed}");
    let after = stdout(deployer(d, true).arg("diff"), 2);
    assert!(after.contains("3 to create"), "{after}");
}
