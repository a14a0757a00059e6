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

/// House Escort's generated accounts' and DocuStack's sandboxes' baselines as StackSets
/// (issue 15): the templates that differ from the layouts' others (their budgets named after
/// the account they land in).
fn write_stack_set_baseline(dir: &Path) {
    use landform::constructs::layouts::{house_escort, HouseEscortOptions};
    let assembly = house_escort(&HouseEscortOptions {
        extra_workload_accounts: 2,
        generated_baseline_stack_set: Some(Default::default()),
    })
    .synth()
    .expect("house escort with a StackSet baseline synthesises");
    let stack = assembly
        .stack("Management-GeneratedBaseline")
        .expect("the StackSet's stack");
    assert!(stack.stack_set.is_some());
    std::fs::create_dir_all(dir).expect("dir");
    std::fs::write(dir.join(&stack.template_file), stack.template.text()).expect("written");
    use landform::constructs::layouts::{docustack, DocuStackOptions};
    let assembly = docustack(&DocuStackOptions {
        developer_sandboxes: 2,
        sandbox_baseline_stack_set: Some(Default::default()),
    })
    .synth()
    .expect("docustack with a StackSet baseline synthesises");
    let stack = assembly
        .stack("Management-SandboxBaseline")
        .expect("the StackSet's stack");
    std::fs::write(dir.join(&stack.template_file), stack.template.text()).expect("written");
}

#[test]
fn layouts_pass_cfn_lint_and_checkov() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_both(dir.path());
    write_stack_set_baseline(&dir.path().join("house_escort_stack_set"));
    for layout in ["house_escort", "docustack", "house_escort_stack_set"] {
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
