//! Issue 15: House Escort's generated accounts' baseline as one service-managed StackSet
//! (`--baseline-stack-set`). The direct engine refuses to plan or deploy such an app with a
//! typed error that names the stack and where it lands, before reading or writing anything
//! (destroy still deletes what it recorded); synth writes the StackSet into the manifest.

use std::path::{Path, PathBuf};
use std::process::Command;

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

#[test]
fn the_direct_engine_refuses_a_stack_set_and_touches_nothing() {
    let work = tempfile::tempdir().unwrap();
    for verb in ["deploy", "diff"] {
        let out = Command::new(example("house_escort"))
            .args(["--accounts", "2", "--baseline-stack-set"])
            .arg(verb)
            .current_dir(work.path())
            .env("LANDFORM_STATE_DIR", work.path().join("state"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{verb:?}: {stderr}");
        assert!(
            stderr.contains("stack Management-GeneratedBaseline is a service-managed StackSet landing in App/Management/Organization/GeneratedOu/Resource in us-east-1")
                && stderr.contains("--engine cloudformation"),
            "{verb:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let left: Vec<_> = std::fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "nothing is written: {left:?}");
}

#[test]
fn synth_writes_the_stack_set_into_the_manifest() {
    let work = tempfile::tempdir().unwrap();
    let out = Command::new(example("house_escort"))
        .args(["--accounts", "2", "--baseline-stack-set", "synth", "--out"])
        .arg(work.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(work.path().join("manifest.json")).unwrap()).unwrap();
    let sets: Vec<&serde_json::Value> = manifest["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s.get("stackSet").is_some())
        .collect();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0]["name"], "Management-GeneratedBaseline");
    assert_eq!(
        sets[0]["stackSet"]["preferences"]["maxConcurrent"],
        serde_json::json!({"percentage": 25})
    );
    assert!(!work.path().join("Extra0-Baseline.template.json").exists());
}

/// DocuStack's sandboxes: their baseline becomes one StackSet on the Sandbox OU, each keeps
/// its Bootstrap stack (its own state backend and GitHub-environment deploy role).
#[test]
fn docustack_sandboxes_get_their_baseline_from_one_stack_set() {
    use landform::constructs::layouts::{docustack, DocuStackOptions};
    use landform::core::synth::DeployValue;
    let n = 5;
    let per_account = docustack(&DocuStackOptions {
        developer_sandboxes: n,
        ..Default::default()
    })
    .synth()
    .unwrap();
    let with_set = docustack(&DocuStackOptions {
        developer_sandboxes: n,
        sandbox_baseline_stack_set: Some(Default::default()),
    })
    .synth()
    .unwrap();
    assert_eq!(with_set.stacks().len(), per_account.stacks().len() - n + 1);
    for sandbox in ["Sandbox", "Sandbox1", "Sandbox4"] {
        assert!(with_set.stack(&format!("{sandbox}-Baseline")).is_none());
        assert!(with_set.stack(&format!("{sandbox}-Bootstrap")).is_some());
    }
    assert!(with_set.stack("Production-Baseline").is_some());
    let set = with_set
        .stack("Management-SandboxBaseline")
        .expect("the StackSet");
    let spec = set.stack_set.as_ref().unwrap();
    assert!(matches!(
        &spec.organizational_units[0].id,
        DeployValue::FromOutput(o) if o.stack == "Management-Organization"
    ));
    assert_eq!(
        spec.organizational_units[0]
            .path
            .as_ref()
            .unwrap()
            .to_string(),
        "App/Management/Organization/SandboxOu/Resource"
    );
    // The same baseline as a sandbox's own stack, its budget named after the account.
    let own = per_account.stack("Sandbox1-Baseline").unwrap();
    let types = |s: &landform::core::StackArtifact| -> Vec<String> {
        let mut t: Vec<String> = s
            .resources
            .values()
            .map(|r| r.type_name.to_string())
            .collect();
        t.sort();
        t
    };
    assert_eq!(types(set), types(own));
    assert!(set
        .template
        .text()
        .contains("\"Fn::Sub\": \"docustack-${AWS::AccountId}-monthly\""));
}
