//! Both reference layouts synthesise to templates that cfn-lint and checkov accept
//! (0 errors, 0 warnings, 0 failed checks; suppressions carry their reasons in Metadata).

use std::path::Path;
use std::process::Command;

#[path = "support/layouts.rs"]
mod layouts;
use layouts::write_both;

fn run(script: &str, dir: &Path) -> bool {
    Command::new("bash")
        .arg(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("scripts")
                .join(script),
        )
        .arg(dir)
        .status()
        .expect("bash runs")
        .success()
}

#[test]
fn layouts_pass_cfn_lint_and_checkov() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_both(dir.path());
    for layout in ["house_escort", "docustack"] {
        let d = dir.path().join(layout);
        assert!(
            run("cfn-lint.sh", &d),
            "cfn-lint reported errors or warnings for {layout} (see above)"
        );
        assert!(
            run("checkov.sh", &d),
            "checkov reported failed checks for {layout} (see above)"
        );
    }
}
