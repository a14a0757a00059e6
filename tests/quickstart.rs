//! The quickstart example: its templates are snapshotted and pass cfn-lint.

#[allow(dead_code)]
#[path = "../examples/quickstart.rs"]
mod quickstart;

use std::process::Command;

#[test]
fn quickstart_templates_match_their_snapshots() {
    let assembly = quickstart::build().synth().expect("quickstart synthesises");
    for stack in assembly.stacks() {
        insta::assert_json_snapshot!(stack.name.clone(), stack.template);
    }
    insta::assert_json_snapshot!("manifest", assembly.manifest());
}

#[test]
fn quickstart_templates_pass_cfn_lint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let assembly = quickstart::build().synth().expect("quickstart synthesises");
    assembly.write(dir.path()).expect("written");
    let status = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/cfn-lint.sh"))
        .arg(dir.path())
        .status()
        .expect("bash runs");
    assert!(
        status.success(),
        "cfn-lint reported errors or warnings (see above)"
    );
}
