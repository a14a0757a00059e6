//! Crash test: kill the apply process after its n-th completed call, run it again, and
//! compare with an apply that was never interrupted.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use landform_deploy::InMemoryCloud;

const HARNESS: &str = env!("CARGO_BIN_EXE_landform-deploy-crash-harness");

/// Run the harness in `dir`; kill it after `kill_after` call lines (when given). Returns the
/// call lines seen and whether it ran to `done`.
fn run(dir: &Path, kill_after: Option<usize>) -> (usize, bool) {
    let mut child = Command::new(HARNESS)
        .arg(dir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn harness");
    let stdout = child.stdout.take().expect("stdout");
    let mut calls = 0;
    let mut done = false;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        if line.starts_with("call ") {
            calls += 1;
            if Some(calls) == kill_after {
                child.kill().expect("kill");
                break;
            }
        } else if line.starts_with("done ") {
            done = true;
        } else if line.starts_with("error ") {
            panic!("harness failed: {line}");
        }
    }
    let _ = child.wait().expect("wait");
    (calls, done)
}

fn inventory(dir: &Path) -> landform_deploy::Inventory {
    InMemoryCloud::persistent(dir.join("cloud.json"))
        .expect("load cloud")
        .inventory()
}

#[test]
fn killed_apply_resumes_to_the_same_inventory() {
    let clean_dir = tempfile::tempdir().unwrap();
    let (k, done) = run(clean_dir.path(), None);
    assert!(done && k > 10, "clean run: {k} calls");
    let clean = inventory(clean_dir.path());
    assert!(clean.duplicates().is_empty());

    for kill_after in [1, k / 4, k / 2, 3 * k / 4, k - 1] {
        let dir = tempfile::tempdir().unwrap();
        let (seen, done) = run(dir.path(), Some(kill_after));
        assert_eq!(seen, kill_after);
        assert!(!done);
        // A lock left by the killed process is taken over; the journal is settled.
        let (_, done) = run(dir.path(), None);
        assert!(done, "re-run after kill at call {kill_after} finishes");
        let resumed = inventory(dir.path());
        assert!(
            resumed.duplicates().is_empty(),
            "kill at {kill_after}: {:?}",
            resumed.duplicates()
        );
        assert_eq!(
            resumed, clean,
            "kill at call {kill_after}: inventory differs"
        );
        // A third run changes nothing.
        let (calls, done) = run(dir.path(), None);
        assert!(done);
        assert_eq!(
            calls, 0,
            "kill at {kill_after}: an applied app needs no call"
        );
    }
}
