//! The command line as a process: every verb and exit code, run on the demo deployer binary
//! (a small multi-account app), with state in a temporary directory so that separate runs
//! share one in-memory cloud.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value as Json;

fn deployer(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_landform-demo-deployer"));
    cmd.current_dir(dir)
        .env_remove("LANDFORM_DEMO_VARIANT")
        .env_remove("LANDFORM_STATE_DIR")
        .env("NO_COLOR", "1");
    cmd
}

fn variant(dir: &Path, name: &str) -> Command {
    let mut cmd = deployer(dir);
    cmd.env("LANDFORM_DEMO_VARIANT", name);
    cmd
}

fn stdout_json(cmd: &mut Command) -> Json {
    let output = cmd.output().expect("runs");
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

#[test]
fn synth_writes_every_template_and_the_manifest_deterministically() {
    let dir = tempfile::tempdir().unwrap();
    deployer(dir.path())
        .args(["synth", "--out", "a"])
        .assert()
        .success()
        .stdout(predicate::str::contains("synthesised 6 stack(s)"));
    deployer(dir.path())
        .args(["synth", "--out", "b"])
        .assert()
        .success();
    let manifest: Json =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("a/manifest.json")).unwrap())
            .unwrap();
    let stacks = manifest["stacks"].as_array().unwrap();
    assert_eq!(stacks.len(), 6);
    for stack in stacks {
        let file = stack["templateFile"].as_str().unwrap();
        let a = std::fs::read(dir.path().join("a").join(file)).unwrap();
        let b = std::fs::read(dir.path().join("b").join(file)).unwrap();
        assert_eq!(a, b, "{file} differs between two runs");
    }
}

#[test]
fn list_shows_stacks_in_deployment_order() {
    let dir = tempfile::tempdir().unwrap();
    let out = deployer(dir.path())
        .arg("list")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let org = text.find("Management-Organization").unwrap();
    let routing = text.find("Infrastructure-Routing").unwrap();
    assert!(org < routing, "{text}");
    assert!(
        text.contains("account created by App/Management/Organization/Prod"),
        "{text}"
    );
    let json = stdout_json(deployer(dir.path()).args(["list", "--json"]));
    assert_eq!(json["stacks"].as_array().unwrap().len(), 6);
}

#[test]
fn synth_of_an_invalid_app_exits_1_with_every_issue_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("kept")).unwrap();
    std::fs::write(dir.path().join("kept/notes.txt"), "mine").unwrap();
    for out in ["fresh", "kept"] {
        variant(dir.path(), "invalid")
            .args(["synth", "--out", out])
            .assert()
            .code(1)
            .stderr(
                predicate::str::contains("App/Management/State/LockTable")
                    .and(predicate::str::contains("Stack.NoResources"))
                    .and(predicate::str::contains("App/Management/Empty")),
            );
    }
    assert!(!dir.path().join("fresh").exists());
    let left: Vec<_> = std::fs::read_dir(dir.path().join("kept"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["notes.txt"]);
}

#[test]
fn lint_exit_codes_follow_error_findings() {
    let dir = tempfile::tempdir().unwrap();
    deployer(dir.path())
        .arg("lint")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 error(s)"));
    variant(dir.path(), "unsafe")
        .arg("lint")
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("LF-S3-001")
                .and(predicate::str::contains("App/Management/State/OpenBucket")),
        )
        .stdout(predicate::str::contains("LF-OIDC-003").and(predicate::str::contains("fix:")));
    let json = stdout_json(variant(dir.path(), "unsafe").args(["lint", "--json"]));
    assert!(json["errors"].as_u64().unwrap() >= 5, "{json}");
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(
        rules.contains(&"LF-S3-003") && rules.contains(&"LF-S3-004"),
        "{rules:?}"
    );
}

#[test]
fn lint_lists_suppressions_with_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    variant(dir.path(), "suppressed")
        .arg("lint")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("suppressed LF-DDB-001 App/Management/State/Cache/Table (suppressed at App/Management/State/Cache): a cache rebuilt from source on loss"))
        .stdout(predicate::str::contains("1 suppressed"));
}

#[test]
fn graph_prints_mermaid_and_dot() {
    let dir = tempfile::tempdir().unwrap();
    deployer(dir.path()).arg("graph").assert().success().stdout(
        predicate::str::starts_with("flowchart LR").and(predicate::str::contains("cross-account")),
    );
    deployer(dir.path())
        .args(["graph", "--format", "dot"])
        .assert()
        .success()
        .stdout(
            predicate::str::starts_with("digraph landform {")
                .and(predicate::str::contains("cluster_account_0")),
        );
}

#[test]
fn cost_totals_match_the_price_table() {
    use landform_cli::cost::{HOURS_PER_MONTH, KMS_KEY, TGW_ATTACHMENT};
    let dir = tempfile::tempdir().unwrap();
    let json = stdout_json(deployer(dir.path()).args(["cost", "--json"]));
    // The demo app: one KMS key in management, one hub attachment per workload account.
    let expected =
        (KMS_KEY.price.micros() + 2 * TGW_ATTACHMENT.price.micros() * HOURS_PER_MONTH) as f64 / 1e6;
    assert_eq!(json["total_fixed"].as_f64().unwrap(), expected, "{json}");
    assert_eq!(json["accounts"].as_array().unwrap().len(), 4);
    deployer(dir.path())
        .arg("cost")
        .assert()
        .success()
        .stdout(predicate::str::contains("$74.00 fixed"));
}

#[test]
fn deploy_then_diff_in_separate_runs_shows_no_changes() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing deployed yet: everything is a change.
    deployer(dir.path())
        .arg("diff")
        .assert()
        .code(2)
        .stdout(predicate::str::contains("28 to create"));
    deployer(dir.path())
        .args(["deploy", "--concurrency", "4"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "ok created Management-State/StateKey (AWS::KMS::Key)",
        ))
        .stdout(predicate::str::contains(
            "Deployed: 6 stack(s) in 4 account(s): 28 created",
        ))
        .stdout(predicate::str::contains(
            "Verified: a new plan shows no changes (28 resource(s) up to date).",
        ));
    for file in ["state.json", "cloud.json"] {
        assert!(dir.path().join(".landform").join(file).exists(), "{file}");
    }
    deployer(dir.path())
        .arg("diff")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No changes"));
    let plan = stdout_json(deployer(dir.path()).args(["diff", "--json"]));
    assert_eq!(plan["changes"].as_array().unwrap().len(), 0);
    deployer(dir.path())
        .arg("deploy")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No changes"));
    deployer(dir.path())
        .arg("drift")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No drift: 28"));
    // The app changes: diff shows it and exits 2.
    variant(dir.path(), "changed")
        .arg("diff")
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "+   Management-State/ExtraKey (AWS::KMS::Key)",
        ));
    // Destroy asks first; without a terminal it needs --yes.
    deployer(dir.path())
        .arg("destroy")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Destroy: 23 to delete, 5 to keep"))
        .stderr(
            predicate::str::contains("stdin is not a terminal")
                .and(predicate::str::contains("--yes")),
        );
    deployer(dir.path()).arg("diff").assert().code(0);
    // Destroy; the summary counts what was removed.
    deployer(dir.path())
        .args(["destroy", "--yes"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "Destroyed: 6 stack(s) in 4 account(s): 0 created, 0 updated, 0 replaced, 23 deleted, 5 retained",
        ))
        .stdout(predicate::str::contains("Retained (kept in AWS, no longer managed by this app until a deploy of it takes them back): 5"));
    // Then what was deleted is to create again, and what was kept is taken back, not created
    // a second time: the deploy converges and the next diff is clean.
    deployer(dir.path())
        .arg("diff")
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "Re-adopting 5 resource(s) an earlier destroy kept",
        ))
        .stdout(predicate::str::contains("Plan: 23 to create,"));
    deployer(dir.path()).arg("deploy").assert().code(0).stdout(
        predicate::str::contains("23 created,").and(predicate::str::contains("5 re-adopted")),
    );
    deployer(dir.path()).arg("diff").assert().code(0);
}

/// A state lost after a deploy (issue 14): the cloud still holds everything. A deploy then
/// refuses to create what exists, before any change; `adopt --dry-run` reports and records
/// nothing; `adopt` records what it finds by name, email or key with no write call; the next
/// deploy creates only what has no natural key to find it by and converges.
#[test]
fn adopt_takes_back_what_a_lost_state_left_in_the_cloud() {
    let dir = tempfile::tempdir().unwrap();
    deployer(dir.path()).arg("deploy").assert().code(0);
    std::fs::remove_file(dir.path().join(".landform").join("state.json")).unwrap();
    deployer(dir.path())
        .arg("deploy")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Plan: 28 to create"))
        .stderr(
            predicate::str::contains("is taken already")
                .and(predicate::str::contains("run `adopt`"))
                .and(predicate::str::contains("nothing was changed")),
        );
    let dry = stdout_json(deployer(dir.path()).args(["adopt", "--dry-run", "--json"]));
    assert_eq!(dry["dryRun"], true);
    // Every resource is found: by name or email, and those without one by the idempotency
    // tag their create left.
    assert_eq!(dry["adopted"].as_array().unwrap().len(), 28, "{dry:#}");
    assert_eq!(dry["create"].as_array().unwrap().len(), 0, "{dry:#}");
    deployer(dir.path())
        .arg("diff")
        .assert()
        .code(2)
        .stdout(predicate::str::contains("Plan: 28 to create"));
    deployer(dir.path()).arg("adopt").assert().code(0).stdout(
        predicate::str::contains("Adoption: adopted 28 (28 in sync, 0 to update").and(
            predicate::str::contains("Recorded in state with no write call"),
        ),
    );
    deployer(dir.path())
        .args(["adopt", "--dry-run"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "would adopt 0 (0 in sync, 0 to update, 0 needing replacement), 0 to create, 28 already managed",
        ));
    deployer(dir.path())
        .arg("diff")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No changes: 28"));
    deployer(dir.path())
        .arg("deploy")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No changes"));
    deployer(dir.path()).arg("drift").assert().code(0);
}

/// The state records where it was applied; a run for another target refuses it (here a state
/// recorded for an AWS account, met by `--provider memory`) before listing or changing
/// anything, and `LANDFORM_STATE_DIR` keeps the states of two targets apart.
#[test]
fn a_state_of_another_target_is_refused_and_the_state_dir_comes_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    deployer(dir.path()).arg("deploy").assert().code(0);
    let path = dir.path().join(".landform/state.json");
    let mut state: Json = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(state["target"], "the in-memory cloud");
    state["target"] = Json::from("AWS account 210987654321");
    std::fs::write(&path, state.to_string()).unwrap();
    for verb in [
        &["diff"][..],
        &["deploy"],
        &["drift"],
        &["destroy", "--yes"],
    ] {
        deployer(dir.path())
            .args(verb)
            .assert()
            .code(1)
            .stdout(predicate::str::contains("Destroy:").not())
            .stderr(predicate::str::contains(
                "the state was recorded for AWS account 210987654321, and this deployer targets the in-memory cloud",
            ));
    }
    // Another directory, named by the environment, holds another state.
    deployer(dir.path())
        .env("LANDFORM_STATE_DIR", "elsewhere")
        .arg("diff")
        .assert()
        .code(2);
    assert!(
        !dir.path().join("elsewhere/state.json").exists(),
        "diff wrote state"
    );
    deployer(dir.path())
        .env("LANDFORM_STATE_DIR", "elsewhere")
        .arg("deploy")
        .assert()
        .code(0);
    assert!(dir.path().join("elsewhere/state.json").exists());
}

#[test]
fn drift_exits_2_when_the_cloud_changed_behind_our_back() {
    let dir = tempfile::tempdir().unwrap();
    deployer(dir.path()).arg("deploy").assert().code(0);
    let path = dir.path().join(".landform/cloud.json");
    let mut cloud: Json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let key = cloud["resources"]
        .as_object_mut()
        .unwrap()
        .values_mut()
        .find(|r| r["type"] == "AWS::KMS::Key")
        .expect("a key was deployed");
    key["properties"]["EnableKeyRotation"] = Json::Bool(false);
    std::fs::write(&path, serde_json::to_vec_pretty(&cloud).unwrap()).unwrap();
    deployer(dir.path()).arg("drift").assert().code(2).stdout(
        predicate::str::contains("Management-State/StateKey")
            .and(predicate::str::contains("EnableKeyRotation")),
    );
    let json = stdout_json(deployer(dir.path()).args(["drift", "--json"]));
    assert_eq!(json["checked"], 28);
}

#[test]
fn deploy_refuses_lint_errors() {
    let dir = tempfile::tempdir().unwrap();
    variant(dir.path(), "unsafe")
        .arg("deploy")
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("lint error(s)")
                .and(predicate::str::contains("--ignore-lint")),
        );
    assert!(!dir.path().join(".landform/state.json").exists());
}

#[test]
fn require_approval_without_a_terminal_refuses_unless_yes() {
    let dir = tempfile::tempdir().unwrap();
    deployer(dir.path())
        .args(["deploy", "--require-approval"])
        .write_stdin("y\n")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("28 to create"))
        .stderr(
            predicate::str::contains("stdin is not a terminal")
                .and(predicate::str::contains("--yes")),
        );
    deployer(dir.path()).arg("diff").assert().code(2);
    deployer(dir.path())
        .args(["deploy", "--require-approval", "--yes"])
        .assert()
        .code(0);
    deployer(dir.path())
        .args(["destroy", "--require-approval"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("stdin is not a terminal"));
    deployer(dir.path()).arg("diff").assert().code(0);
}

/// `deploy --json` and `destroy --json` stream one JSON object per line: the planned
/// changes, the plan's counts, each call, the summary; an error is the last event and exits 1.
#[test]
fn deploy_and_destroy_stream_json_events() {
    let dir = tempfile::tempdir().unwrap();
    let events = |cmd: &mut Command| -> Vec<Json> {
        let output = cmd.output().expect("runs");
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    };
    let deployed = events(deployer(dir.path()).args(["deploy", "--json"]));
    let kinds = |events: &[Json], kind: &str| events.iter().filter(|e| e["type"] == kind).count();
    assert_eq!(kinds(&deployed, "planned_change"), 28);
    assert_eq!(kinds(&deployed, "call"), 28);
    let summary = deployed.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["report"]["created"], 28);
    assert_eq!(summary["verified"], true);
    assert!(deployed
        .iter()
        .filter(|e| e["type"] == "call")
        .all(|e| e["outcome"] == "ok" && e["resource"].as_str().unwrap().contains('/')));

    // Destroy in a JSON stream cannot ask: it needs --yes.
    let refused = deployer(dir.path())
        .args(["destroy", "--json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let last: Json =
        serde_json::from_str(String::from_utf8(refused).unwrap().lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "error");
    assert!(last["message"].as_str().unwrap().contains("--yes"));

    let destroyed = events(deployer(dir.path()).args(["destroy", "--json", "--yes"]));
    assert_eq!(kinds(&destroyed, "planned_change"), 28);
    assert_eq!(kinds(&destroyed, "call"), 23);
    let summary = destroyed.last().unwrap();
    assert_eq!(summary["report"]["deleted"], 23);
    assert_eq!(summary["report"]["retained"].as_array().unwrap().len(), 5);
}

/// Drift repair through the command line: `drift` reports, `diff` (which refreshes) plans the
/// repair, `diff --refresh=false` does not see it, and one `deploy` restores the cloud.
#[test]
fn deploy_repairs_drift_that_drift_reports() {
    let dir = tempfile::tempdir().unwrap();
    deployer(dir.path()).arg("deploy").assert().code(0);
    let cloud = landform_deploy::InMemoryCloud::persistent(dir.path().join(".landform/cloud.json"))
        .unwrap();
    let key = cloud
        .inventory()
        .resources
        .into_iter()
        .find(|r| r.type_name == "AWS::KMS::Key")
        .unwrap();
    assert!(cloud.tamper(&key.physical_id, |r| {
        r.properties["EnableKeyRotation"] = Json::Bool(false);
    }));
    drop(cloud);
    let drift = deployer(dir.path())
        .arg("drift")
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let drift = String::from_utf8(drift).unwrap();
    assert!(drift.ends_with('\n'), "{drift:?}");
    assert!(drift.contains("1 drifted in 1 account(s)"), "{drift}");
    // Only the account with drift is listed.
    assert_eq!(drift.matches("account ").count(), 1, "{drift}");
    deployer(dir.path())
        .args(["diff", "--refresh=false"])
        .assert()
        .code(0);
    deployer(dir.path()).arg("diff").assert().code(2).stdout(
        predicate::str::contains("1 drifted")
            .and(predicate::str::contains("EnableKeyRotation: false -> true")),
    );
    deployer(dir.path())
        .arg("deploy")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("1 updated"));
    deployer(dir.path()).arg("drift").assert().code(0);
}

#[cfg(not(feature = "aws"))]
#[test]
fn aws_provider_is_not_in_this_build() {
    let dir = tempfile::tempdir().unwrap();
    for verb in ["diff", "deploy", "destroy", "drift"] {
        deployer(dir.path())
            .args([
                verb,
                "--provider",
                "aws",
                "--endpoint-url",
                "http://127.0.0.1:5000",
            ])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "provider `aws` is not available in this build",
            ));
    }
}

#[cfg(not(feature = "aws"))]
#[test]
fn permissions_need_the_aws_feature() {
    let dir = tempfile::tempdir().unwrap();
    deployer(dir.path())
        .arg("permissions")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("`aws` cargo feature"));
}

#[cfg(feature = "aws")]
#[test]
fn permissions_print_the_least_privilege_policies() {
    let dir = tempfile::tempdir().unwrap();
    let out = deployer(dir.path())
        .args(["permissions", "--state-bucket", "org-state"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let policies: serde_json::Value = serde_json::from_slice(&out).expect("JSON on stdout");
    let text = policies.to_string();
    // Accounts from the management account, transit gateway links in member accounts, and
    // the lock object beside the state when there is no lock table.
    assert!(text.contains("organizations:CreateAccount"), "{text}");
    assert!(
        text.contains("ec2:EnableTransitGatewayRouteTablePropagation"),
        "{text}"
    );
    assert!(
        text.contains("arn:aws:s3:::org-state/landform/state.json.lock"),
        "{text}"
    );
    assert!(!text.contains("dynamodb:PutItem"), "{text}");
}

#[test]
fn endpoint_url_with_the_memory_provider_is_ignored_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    deployer(dir.path())
        .args(["diff", "--endpoint-url", "http://127.0.0.1:5000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("applies to --provider aws only"));
}

#[test]
fn state_dir_is_configurable() {
    let dir = tempfile::tempdir().unwrap();
    deployer(dir.path())
        .args(["deploy", "--state-dir", "elsewhere"])
        .assert()
        .code(0);
    assert!(dir.path().join("elsewhere/state.json").exists());
    deployer(dir.path())
        .args(["diff", "--state-dir", "elsewhere"])
        .assert()
        .code(0);
    // The default directory holds nothing deployed.
    deployer(dir.path()).arg("diff").assert().code(2);
}

#[test]
fn usage_errors_exit_1_and_help_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    deployer(dir.path())
        .arg("frobnicate")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unrecognized subcommand"));
    deployer(dir.path())
        .args(["graph", "--format", "png"])
        .assert()
        .code(1);
    deployer(dir.path())
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("synth").and(predicate::str::contains("drift")));
}

#[test]
fn verbose_logs_go_to_stderr_only() {
    let dir = tempfile::tempdir().unwrap();
    let output = deployer(dir.path())
        .args(["-v", "list", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("synthesised"));
    serde_json::from_slice::<Json>(&output.stdout).expect("stdout stays clean JSON");
    let quiet = deployer(dir.path())
        .args(["list", "--json"])
        .output()
        .unwrap();
    assert!(quiet.stderr.is_empty());
}

#[test]
fn no_colour_codes_when_not_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_landform-demo-deployer"));
    cmd.current_dir(dir.path())
        .env_remove("NO_COLOR")
        .env("LANDFORM_DEMO_VARIANT", "unsafe");
    let output = cmd.arg("lint").output().unwrap();
    assert!(
        !output.stdout.contains(&0x1b),
        "escape codes in piped output"
    );
}

#[test]
fn the_cloudformation_engine_on_the_in_memory_cloud_is_a_clear_error_that_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["diff"][..],
        &["deploy", "--yes"],
        &["destroy", "--yes"],
        &["drift"],
    ] {
        let verb = args[0];
        let out = deployer(dir.path())
            .args(args)
            .args(["--engine", "cloudformation"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{verb}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--provider memory") && err.contains("add --provider aws"),
            "{verb}: {err}"
        );
    }
    // Nothing was deployed to the in-memory cloud by the refused runs.
    deployer(dir.path())
        .args(["diff"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("to create"));
}
