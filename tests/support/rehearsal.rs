//! The rehearsal harness the moto tests share: `scripts/rehearse.sh start` (a moto of the
//! test's own, with an organization) and the example binaries run in the environment it
//! prints.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value as Json;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// An example binary: `cargo test` builds the examples beside the test binaries.
pub fn example(name: &str) -> PathBuf {
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
pub struct Rehearsal {
    pub moto_state: tempfile::TempDir,
    pub work: tempfile::TempDir,
    pub set: BTreeMap<String, String>,
    pub unset: Vec<String>,
}

impl Rehearsal {
    pub fn start() -> Rehearsal {
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

    pub fn run(&self, binary: &Path, args: &[&str]) -> Output {
        let mut cmd = Command::new(binary);
        cmd.args(args)
            .current_dir(self.work.path())
            .env("NO_COLOR", "1");
        for name in &self.unset {
            cmd.env_remove(name);
        }
        cmd.envs(&self.set).output().expect("run the deployer")
    }

    pub fn state(&self) -> Json {
        let path = Path::new(&self.set["LANDFORM_STATE_DIR"]).join("state.json");
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
    }

    /// rehearsal_check.py over `state` (saved to a file), in `mode`.
    pub fn check(&self, state: &Json, mode: &str) -> Json {
        let file = self.work.path().join(format!("state-{mode}.json"));
        std::fs::write(&file, state.to_string()).unwrap();
        let out = Command::new(python())
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

pub fn ok(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what}: exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The venv's Python (scripts/pyenv.sh made it).
pub fn python() -> PathBuf {
    std::env::var_os("LANDFORM_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv"))
        .join("bin/python")
}
