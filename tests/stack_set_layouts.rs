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
