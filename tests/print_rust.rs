//! `adopt --print-rust` (issue 14): the brownfield organization of
//! tests/support/brownfield.json, made in the in-memory cloud by provider calls, is written
//! out as a Landform program by the House Escort binary; the program compiles as a crate of
//! its own (depending on this one by path, as a user's deployer would), and run against the
//! same organization it adopts every OU, account and policy with nothing to create, after
//! which `diff` shows no change.

#[path = "support/brownfield_memory.rs"]
mod memory;
#[path = "support/rehearsal.rs"]
mod rehearsal;

use std::path::Path;

use rehearsal::{example, ok, repo};
use std::process::{Command, Output};

const MANAGEMENT: &str = "123456789012";
const ROOT: &str = "r-ab12";

fn deployer(binary: &Path, state_dir: &Path, args: &[&str]) -> Output {
    Command::new(binary)
        .args(args)
        .args(["--provider", "memory"])
        .current_dir(state_dir)
        .env("NO_COLOR", "1")
        .env("LANDFORM_STATE_DIR", state_dir)
        .env("LANDFORM_MANAGEMENT_ACCOUNT", MANAGEMENT)
        .env("LANDFORM_ROOT_ID", ROOT)
        .output()
        .expect("run the deployer")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn the_printed_program_compiles_and_adopts_the_organization_it_was_printed_from() {
    let live = tempfile::tempdir().unwrap();
    memory::build(live.path(), MANAGEMENT, ROOT);
    let program = ok(
        &deployer(
            &example("house_escort"),
            live.path(),
            &["adopt", "--print-rust"],
        ),
        "adopt --print-rust",
    );
    for name in [
        "Security",
        "Infrastructure",
        "Workloads",
        "Legacy",
        "Archive",
    ] {
        assert!(
            program.contains(&format!("name: {name:?}.into()")),
            "{name}:\n{program}"
        );
    }
    for name in ["legacy-deny-regions", "house-escort-guardrails"] {
        assert!(
            program.contains(&format!("name: {name:?}.into()")),
            "{name}:\n{program}"
        );
    }
    assert_eq!(
        program.matches("AccountFactory::new(").count(),
        6,
        "{program}"
    );
    assert!(!program.contains("FullAWSAccess"), "{program}");

    // A crate of its own, as a user would make it.
    let krate = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(krate.path().join("src")).unwrap();
    std::fs::write(
        krate.path().join("Cargo.toml"),
        format!(
            "[package]\nname = \"printed-organization\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[dependencies]\nlandform = {{ path = {:?} }}\n\n[workspace]\n",
            repo().display().to_string()
        ),
    )
    .unwrap();
    std::fs::copy(repo().join("Cargo.lock"), krate.path().join("Cargo.lock")).unwrap();
    std::fs::write(krate.path().join("src/main.rs"), &program).unwrap();
    // Its own target directory, kept between runs (the test suite's own is locked while it
    // runs).
    let target = repo().join("target/print-rust");
    let built = Command::new(env!("CARGO"))
        .args(["build", "--offline", "--quiet"])
        .current_dir(krate.path())
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("run cargo");
    ok(
        &built,
        &format!("cargo build of the printed program:\n{program}"),
    );
    let printed = target.join("debug/printed-organization");

    // Against a copy of the organization it was printed from, with a state of its own.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(live.path(), copy.path());
    let before = deployer(&printed, copy.path(), &["diff"]);
    assert_eq!(before.status.code(), Some(2), "nothing is recorded yet");
    let adopted = ok(&deployer(&printed, copy.path(), &["adopt"]), "adopt");
    assert!(
        adopted.contains(
            "Adoption: adopted 15 (15 in sync, 0 to update, 0 needing replacement), 0 to create"
        ),
        "{adopted}"
    );
    let diff = deployer(&printed, copy.path(), &["diff"]);
    assert_eq!(diff.status.code(), Some(0), "{}", ok(&diff, "diff"));
    assert!(String::from_utf8_lossy(&diff.stdout).contains("No changes: 15"));
}
