//! `--provider aws` run as a process against a moto_server of its own (never real AWS): the
//! demo deployer's management stacks (an OU, an SCP, three accounts, a state bucket, a lock
//! table, a KMS key) deployed with state and lock in an S3 bucket, refused while someone
//! else holds the lock, then diffed, drift-checked and destroyed.
//!
//! The `management` variant keeps to the management account's stacks: what this test is about
//! is the state and lock in S3. Whole layouts (cross-account RAM shares, a shared transit
//! gateway and its attachments) are rehearsed through the example deployers in the facade's
//! tests/rehearsal_moto.rs. The moto server is private to this test (`LANDFORM_MOTO_STATE`),
//! so the demo's fixed names never meet the other tests'.
#![cfg(feature = "aws")]

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use predicates::prelude::*;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> PathBuf {
    std::env::var_os("LANDFORM_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv"))
        .join("bin/python")
}

/// A moto_server started by `scripts/moto.sh` with its own state directory, stopped on drop.
struct Moto {
    state: tempfile::TempDir,
    url: String,
}

impl Moto {
    fn start() -> Moto {
        let state = tempfile::tempdir().unwrap();
        let out = Process::new("bash")
            .args(["scripts/moto.sh", "start"])
            .env("LANDFORM_MOTO_STATE", state.path())
            .current_dir(repo())
            .output()
            .expect("run scripts/moto.sh");
        assert!(
            out.status.success(),
            "scripts/moto.sh start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "moto url: {url}");
        Moto { state, url }
    }

    /// Run `code` with boto3 against this moto (`url` is `sys.argv[1]`, then `args`).
    fn boto3(&self, code: &str, args: &[&str]) -> String {
        let prelude = "import json, sys, boto3\n\
             kw = dict(endpoint_url=sys.argv[1], region_name='us-east-1', \
             aws_access_key_id='testing', aws_secret_access_key='testing')\n";
        let out = Process::new(python())
            .arg("-c")
            .arg(format!("{prelude}{code}"))
            .arg(&self.url)
            .args(args)
            .output()
            .expect("run boto3");
        assert!(
            out.status.success(),
            "boto3: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = Process::new("bash")
            .args(["scripts/moto.sh", "stop"])
            .env("LANDFORM_MOTO_STATE", self.state.path())
            .current_dir(repo())
            .output();
    }
}

const BUCKET: &str = "landform-cli-state";

#[test]
fn the_management_stacks_deploy_to_moto_with_state_and_lock_in_s3() {
    let moto = Moto::start();
    // moto's caller account; an organization and a bucket for the state, made the way a
    // user makes them before the first deploy.
    let root = moto.boto3(
        "o = boto3.client('organizations', **kw)\n\
         o.create_organization(FeatureSet='ALL')\n\
         s3 = boto3.client('s3', **kw)\n\
         s3.create_bucket(Bucket=sys.argv[2])\n\
         s3.put_bucket_versioning(Bucket=sys.argv[2], VersioningConfiguration={'Status': 'Enabled'})\n\
         print(o.list_roots()['Roots'][0]['Id'])",
        &[BUCKET],
    );
    let dir = tempfile::tempdir().unwrap();
    let run = |verb: &str| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_landform-demo-deployer"));
        cmd.current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env("LANDFORM_DEMO_VARIANT", "management")
            .env("LANDFORM_MANAGEMENT_ACCOUNT", "123456789012")
            .env("LANDFORM_ROOT_ID", &root)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .env_remove("LANDFORM_STATE_DIR")
            .env_remove("AWS_SESSION_TOKEN")
            .args([
                verb,
                "--provider",
                "aws",
                "--endpoint-url",
                &moto.url,
                "--state-bucket",
                BUCKET,
            ]);
        cmd
    };

    run("diff")
        .assert()
        .code(2)
        .stdout(predicate::str::contains("Organization"));

    // Someone else's lock object keeps the deploy out, and names them.
    moto.boto3(
        "boto3.client('s3', **kw).put_object(Bucket=sys.argv[2], Key='landform/state.json.lock', \
         Body=json.dumps({'holder': 'pipeline-42', 'host': 'ci-runner-7', 'pid': 4242, \
         'acquiredAt': '2026-11-22T09:00:00Z'}))",
        &[BUCKET],
    );
    run("deploy")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "locked by pipeline-42 on ci-runner-7",
        ));
    moto.boto3(
        "boto3.client('s3', **kw).delete_object(Bucket=sys.argv[2], Key='landform/state.json.lock')",
        &[BUCKET],
    );

    run("deploy").assert().code(0);
    // The state is in the bucket, the lock object is gone, the accounts exist in their OU.
    let seen = moto.boto3(
        "s3 = boto3.client('s3', **kw)\n\
         state = json.loads(s3.get_object(Bucket=sys.argv[2], Key='landform/state.json')['Body'].read())\n\
         keys = [o['Key'] for o in s3.list_objects_v2(Bucket=sys.argv[2]).get('Contents', [])]\n\
         o = boto3.client('organizations', **kw)\n\
         ou = [u for u in o.list_organizational_units_for_parent(ParentId=sys.argv[3])['OrganizationalUnits'] if u['Name'] == 'Workloads'][0]\n\
         emails = sorted(a['Email'] for a in o.list_accounts_for_parent(ParentId=ou['Id'])['Accounts'])\n\
         print(json.dumps({'stacks': sorted(state['stacks']), 'keys': keys, 'emails': emails}))",
        &[BUCKET, &root],
    );
    let seen: serde_json::Value = serde_json::from_str(&seen).unwrap();
    assert_eq!(
        seen["stacks"],
        serde_json::json!(["Management-Organization", "Management-State"])
    );
    assert_eq!(seen["keys"], serde_json::json!(["landform/state.json"]));
    assert_eq!(
        seen["emails"],
        serde_json::json!([
            "infra@example.com",
            "prod@example.com",
            "staging@example.com"
        ])
    );

    run("diff").assert().code(0);
    run("drift").assert().code(0);
    // Destroy asks first: without a terminal it needs --yes.
    run("destroy")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--yes"));
    run("destroy").arg("--yes").assert().code(0);
    // The accounts are Retain: still in the organization; nothing else is left in the state.
    let after = moto.boto3(
        "o = boto3.client('organizations', **kw)\n\
         s3 = boto3.client('s3', **kw)\n\
         state = json.loads(s3.get_object(Bucket=sys.argv[2], Key='landform/state.json')['Body'].read())\n\
         print(json.dumps({'accounts': len(o.list_accounts()['Accounts']), 'stacks': sorted(state['stacks'])}))",
        &[BUCKET],
    );
    let after: serde_json::Value = serde_json::from_str(&after).unwrap();
    assert_eq!(
        after["accounts"], 4,
        "the management account and the three retained"
    );
    run("diff").assert().code(2);
}
