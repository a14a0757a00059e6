//! `--engine cloudformation` against moto's CloudFormation (issue 15), through the command
//! line as a user runs it: the `cfn_stacks` example (a KMS key, an S3 bucket, a DynamoDB
//! table in the management account; an IAM role in a workload account that reads the
//! bucket's ARN across accounts as a stack parameter), on a moto of the test's own
//! (`scripts/rehearse.sh`, with the project's corrections: scripts/moto_patches/). Every
//! resource but the bucket policy is of a type moto's CloudFormation really creates
//! (AWS::KMS::Key, AWS::S3::Bucket, AWS::DynamoDB::Table, AWS::IAM::Role; the
//! AWS::S3::BucketPolicy is a placeholder: scripts/moto_patches/cfn_placeholders.py), and
//! tests/support/cfn_check.py reads them back with boto3 in their own accounts.
//!
//! The deployer is killed between its two stacks, then run again: it converges with one copy
//! of each stack. Then a second deploy changes nothing, an update goes through a change set,
//! and destroy deletes the reader before the stack it reads.
//!
//! moto gaps, proven with mocked CloudFormation APIs instead
//! (crates/landform-aws/src/cloudformation/tests_*.rs): drift detection (DetectStackDrift
//! answers 500: here `drift` must fail with that call named, not hang), StackSets' operations
//! and instances, stack events per resource (moto only records the stack's own), a resource
//! that fails (moto does not fail them), a bucket's VersioningConfiguration (ignored, so not
//! read back), and deleting a stack's DynamoDB tables (moto keeps
//! them: nothing is deployed again after the destroy here).
#![cfg(feature = "aws")]

#[path = "support/rehearsal.rs"]
mod rehearsal;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use rehearsal::{example, ok, python, repo, Rehearsal};
use serde_json::Value as Json;

const WORKLOAD: &str = "210987654321";

fn check(r: &Rehearsal) -> Json {
    let out = Command::new(python())
        .arg(repo().join("tests/support/cfn_check.py"))
        .args([
            &r.set["AWS_ENDPOINT_URL"],
            &r.set["LANDFORM_MANAGEMENT_ACCOUNT"],
            WORKLOAD,
        ])
        .output()
        .expect("run cfn_check.py");
    serde_json::from_str(&ok(&out, "cfn_check.py")).unwrap()
}

fn cfn(args: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    all.extend(
        [
            "--engine",
            "cloudformation",
            "--provider",
            "aws",
            "--poll-ms",
            "100",
        ]
        .map(String::from),
    );
    all
}

fn run(r: &Rehearsal, args: &[&str]) -> std::process::Output {
    let args = cfn(args);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut out = r.run(&example("cfn_stacks"), &args);
    // Progress is text for people; the assertions read it without colour codes.
    out.stdout.retain(|b| *b != 0x1b);
    out
}

#[test]
fn the_cloudformation_engine_deploys_resumes_updates_and_destroys_on_moto() {
    let r = Rehearsal::start();
    let management = r.set["LANDFORM_MANAGEMENT_ACCOUNT"].clone();

    // diff before anything: both stacks to create, exit 2.
    let diff = run(&r, &["diff"]);
    assert_eq!(diff.status.code(), Some(2), "{diff:?}");
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(text.contains(&format!(
        "Shared-Data [{management}/us-east-1]: create stack"
    )));
    assert!(text.contains("+ Jobs (AWS::DynamoDB::Table)"), "{text}");
    assert!(text.contains("Apps-Reader"), "{text}");

    // Killed between the two stacks (the first done, the second not), then run again.
    let mut child = Command::new(example("cfn_stacks"));
    child
        // Slow polls: the second stack is still being made when the kill lands.
        .args([
            "deploy",
            "--engine",
            "cloudformation",
            "--provider",
            "aws",
            "--poll-ms",
            "1500",
        ])
        .current_dir(r.work.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for name in &r.unset {
        child.env_remove(name);
    }
    let mut child = child.envs(&r.set).spawn().expect("start the deployer");
    let stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let first_done = line.contains("Shared-Data: CREATE_COMPLETE");
        seen.push(line);
        if first_done {
            child.kill().unwrap();
            break;
        }
    }
    let _ = child.wait();
    assert!(
        seen.iter()
            .any(|l| l.contains("Shared-Data: CREATE_COMPLETE")),
        "{seen:#?}"
    );
    assert!(
        !seen
            .iter()
            .any(|l| l.contains("Apps-Reader: CREATE_COMPLETE")),
        "the kill came too late to be between the stacks: {seen:#?}"
    );
    // The kill lands as the second stack starts: before its change set, with it made, or
    // (rarely, on a slow machine) during its execution. Each is a state to resume from.
    let between = check(&r);
    assert_eq!(between["data"]["status"], "CREATE_COMPLETE");
    eprintln!("killed with the reader stack {}", between["reader"]);

    let resumed = run(&r, &["deploy"]);
    let text = ok(&resumed, "deploy after the kill");
    assert!(text.contains("Shared-Data: no changes"), "{text}");
    assert!(
        text.contains("Apps-Reader: CREATE_COMPLETE")
            || (between["reader"]["status"] == "CREATE_COMPLETE"
                && text.contains("Apps-Reader: no changes")),
        "{text}"
    );
    if between["reader"]["status"] == "REVIEW_IN_PROGRESS" {
        // Its change set was made before the kill: used, not made again.
        assert!(
            text.contains("Apps-Reader: resuming with the change set"),
            "{text}"
        );
    }
    let deployed = check(&r);
    assert_eq!(deployed["data"]["copies"], 1);
    assert_eq!(deployed["reader"]["copies"], 1);
    assert_eq!(deployed["reader"]["status"], "CREATE_COMPLETE");
    // The resources, read back in their accounts.
    assert_eq!(deployed["bucket"]["sse"], "aws:kms");
    assert_eq!(deployed["bucket"]["tags"]["cost-center"], "platform");
    assert_eq!(deployed["table"]["billing"], "PAY_PER_REQUEST");
    assert_eq!(deployed["key"]["state"], "Enabled");
    // The workload stack read the bucket's ARN from the data stack's output, across
    // accounts, as a parameter.
    let bucket_arn = format!(
        "arn:aws:s3:::{}",
        deployed["bucket"]["name"].as_str().unwrap()
    );
    let parameters = deployed["reader"]["parameters"].as_object().unwrap();
    assert!(
        parameters
            .values()
            .any(|v| v == &Json::from(bucket_arn.clone())),
        "{parameters:?}"
    );
    assert!(
        deployed["role"]["policy"].to_string().contains(&bucket_arn),
        "{}",
        deployed["role"]
    );

    // Nothing changes: no change set with changes, exit 0.
    let again = ok(&run(&r, &["deploy"]), "second deploy");
    assert!(
        again.contains("0 created, 0 updated, 2 unchanged"),
        "{again}"
    );
    assert_eq!(run(&r, &["diff"]).status.code(), Some(0));

    // An update through a change set.
    let diff = run(&r, &["diff", "--cost-center", "finance"]);
    assert_eq!(diff.status.code(), Some(2));
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(text.contains("~ Reports (AWS::S3::Bucket)"), "{text}");
    assert!(text.contains("1 stack(s) to change, 1 unchanged"), "{text}");
    let updated = ok(&run(&r, &["deploy", "--cost-center", "finance"]), "update");
    assert!(updated.contains("1 updated, 1 unchanged"), "{updated}");
    let after = check(&r);
    assert_eq!(after["bucket"]["tags"]["cost-center"], "finance", "{after}");

    // moto has no drift detection: a typed error naming the call, exit 1, no hang.
    let drift = run(&r, &["drift"]);
    assert_eq!(drift.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&drift.stderr).contains("DetectStackDrift"));

    // destroy asks first, then deletes the reader before the stack it reads.
    let refused = run(&r, &["destroy"]);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(check(&r)["reader"]["status"], "CREATE_COMPLETE");
    let destroyed = ok(
        &run(&r, &["destroy", "--yes", "--cost-center", "finance"]),
        "destroy",
    );
    let reader_at = destroyed.find("Apps-Reader: DELETE_COMPLETE").unwrap();
    let data_at = destroyed.find("Shared-Data: DELETE_COMPLETE").unwrap();
    assert!(reader_at < data_at, "{destroyed}");
    let gone = check(&r);
    assert!(gone["data"].is_null() && gone["reader"].is_null(), "{gone}");
}
