//! Issue 17's cross-check: every policy document of both reference layouts, which
//! landform-core's validator passes (they synthesise), is also run through parliament (the IAM
//! policy linter, in the project's venv; tests/support/parliament_check.py). Every finding
//! parliament makes must be one of the documented disagreements below, each with the reason
//! the document is right; anything else is a rule the validator misses.

use std::path::Path;
use std::process::Command;

#[path = "support/layouts.rs"]
mod layouts;
use layouts::write_both;
use serde_json::Value as Json;

/// `(parliament's issue, a text its finding holds, why the document is right)`.
const DOCUMENTED: &[(&str, &str, &str)] = &[
    (
        "MALFORMED",
        "Statement contains neither Resource nor NotResource",
        "parliament reads every document as an identity policy; a role's trust policy names no \
         resource (IAM refuses one, Policy.ResourceInTrustPolicy)",
    ),
    (
        "UNKNOWN_FEDERATION_SOURCE",
        ":oidc-provider/",
        "parliament 1.6.4 knows the four public web identity providers and SAML providers, not \
         an IAM OIDC provider's ARN, which a web identity trust policy names",
    ),
    (
        "RESOURCE_STAR",
        ".KeyPolicy",
        "in a key policy, Resource * is the key itself: the only value KMS takes",
    ),
    (
        "UNKNOWN_CONDITION_FOR_ACTION",
        "aws:SourceOrgID",
        "a global condition key the IAM User Guide documents, newer than parliament 1.6.4's list \
         (the vendored catalogue adds it)",
    ),
];

fn parliament(dir: &Path) -> Json {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = std::env::var_os("LANDFORM_VENV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join(".venv"))
        .join("bin/python");
    let out = Command::new(python)
        .arg(root.join("tests/support/parliament_check.py"))
        .arg(dir)
        .output()
        .expect("run parliament_check.py (the venv is made by scripts/pyenv.sh)");
    assert!(
        out.status.success(),
        "parliament_check.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn parliament_finds_nothing_in_the_layouts_the_validator_passes() {
    let dir = tempfile::tempdir().unwrap();
    write_both(dir.path());
    let mut documents = 0;
    let mut used = vec![0usize; DOCUMENTED.len()];
    let mut missed = Vec::new();
    for layout in ["house_escort", "docustack"] {
        let report = parliament(&dir.path().join(layout));
        documents += report["documents"].as_u64().unwrap();
        for finding in report["findings"].as_array().unwrap() {
            let issue = finding["issue"].as_str().unwrap();
            let text = format!("{} {}", finding["resource"], finding["detail"]);
            match DOCUMENTED
                .iter()
                .position(|(i, holds, _)| *i == issue && text.contains(holds))
            {
                Some(n) => used[n] += 1,
                None => missed.push(format!("{layout}/{}: {finding}", finding["template"])),
            }
        }
    }
    assert!(documents >= 60, "only {documents} documents were checked");
    assert!(
        missed.is_empty(),
        "parliament found what the validator passed:\n{}",
        missed.join("\n")
    );
    for (n, (issue, holds, _)) in DOCUMENTED.iter().enumerate() {
        assert!(
            used[n] > 0,
            "the documented disagreement {issue} ({holds}) no longer occurs: remove it"
        );
    }
}
