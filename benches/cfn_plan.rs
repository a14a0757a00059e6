//! Planning through CloudFormation change sets at scale (issue 15), against moto's
//! CloudFormation started by the project's own script (`scripts/rehearse.sh`).
//!
//! - DocuStack with N developer sandboxes (at most 190: its organization stack holds an
//!   output per account, against CloudFormation's 200) is deployed through CloudFormation
//!   (its stacks exist), then planned: every stack gets a change set that is created, described and
//!   deleted.
//! - House Escort with N more workload accounts is planned before anything exists (each stack
//!   is looked up and its template's resources listed), deployed (each workload's transit
//!   gateway attachment accepted in the hub's account), then planned with every stack there.
//!
//! `cargo bench --profile dev --features aws --bench cfn_plan` runs N = 100; `-- 1000` (or
//! any sizes) others. The time is moto's and the waits', not the deployer's, so the dev
//! profile measures the same thing without compiling the AWS SDK again in release. It prints, per phase, seconds, seconds per stack, and the requests moto received
//! (from its request log: every CloudFormation and STS call the deployer made) per stack.
//! Timings are printed, never asserted.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use landform::aws::cloudformation::{
    upload_templates, CloudFormationClients, CloudFormationDeployer, DeployOptions,
};
use landform::aws::{AwsConfig, AwsSessions};
use landform::constructs::layouts::{
    docustack_in, house_escort_in, DocuStackOptions, HouseEscortOptions, OrganizationTarget,
};

/// The most developer sandboxes DocuStack synthesises (its organization stack's outputs).
const MAX_DOCUSTACK_SANDBOXES: usize = 190;

/// Requests moto has answered so far, from its log.
fn requests(log: &Path) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("HTTP/1.1\"") && !l.contains("/moto-api/"))
        .count()
}

struct Moto {
    state: tempfile::TempDir,
}

impl Moto {
    /// A moto of its own with an organization; its environment applied to this process.
    fn start() -> Moto {
        let state = tempfile::tempdir().unwrap();
        let out = Command::new("bash")
            .args(["scripts/rehearse.sh", "start"])
            .env("LANDFORM_MOTO_STATE", state.path())
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("run scripts/rehearse.sh");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for line in String::from_utf8(out.stdout).unwrap().lines() {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("export") => {
                    for pair in words {
                        let (k, v) = pair.split_once('=').unwrap();
                        std::env::set_var(k, v);
                    }
                }
                Some("unset") => words.for_each(|w| std::env::remove_var(w)),
                _ => {}
            }
        }
        Moto { state }
    }

    /// Run Python `code` in the project's venv (boto3), with the moto environment.
    fn python(&self, code: &str) {
        let python = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
        let out = Command::new(python)
            .args(["-c", code])
            .output()
            .expect("python");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn log(&self) -> std::path::PathBuf {
        self.state.path().join("moto.log")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .args(["scripts/rehearse.sh", "stop"])
            .env("LANDFORM_MOTO_STATE", self.state.path())
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output();
    }
}

fn report(what: &str, stacks: usize, seconds: f64, requests: usize) {
    println!(
        "{what}: {stacks} stacks in {seconds:.1} s, {:.1} ms a stack, {requests} requests, {:.2} a stack",
        seconds * 1000.0 / stacks as f64,
        requests as f64 / stacks as f64
    );
}

async fn size(n: usize) {
    let moto = Moto::start();
    let target = OrganizationTarget::from_env().expect("rehearse.sh sets the organization");
    let sessions = Arc::new(
        AwsSessions::new(
            AwsConfig::new("us-east-1")
                .with_endpoint_url(std::env::var("AWS_ENDPOINT_URL").unwrap()),
        )
        .await,
    );
    let clients: Arc<dyn CloudFormationClients> = sessions.clone();
    // DocuStack's organization stack holds every account and its output, against
    // CloudFormation's 200 outputs a template: 190 sandboxes is as large as it synthesises.
    let sandboxes = n.min(MAX_DOCUSTACK_SANDBOXES);
    let docustack = docustack_in(
        &DocuStackOptions {
            developer_sandboxes: sandboxes,
            ..Default::default()
        },
        &target,
    )
    .synth()
    .expect("synth");
    let house_escort = house_escort_in(
        &HouseEscortOptions {
            extra_workload_accounts: n,
            ..Default::default()
        },
        &target,
    )
    .synth()
    .expect("synth");
    // Templates over TemplateBody's limit (the organization stack from about N = 60) go by
    // URL from a bucket of the management account, as `--template-bucket` does.
    let bucket = "landform-bench-templates";
    moto.python(&format!(
        "import boto3, os; boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'], \
         region_name='us-east-1').create_bucket(Bucket='{bucket}')"
    ));
    let mut template_urls = BTreeMap::new();
    for assembly in [&docustack, &house_escort] {
        template_urls.extend(
            upload_templates(
                &sessions,
                &target.management_account,
                "us-east-1",
                bucket,
                assembly,
            )
            .await
            .expect("upload"),
        );
    }
    let options = DeployOptions {
        poll_interval: Duration::from_millis(50),
        concurrency: 8,
        template_urls,
        ..DeployOptions::default()
    };
    let deployer = CloudFormationDeployer::new(clients, options);
    let stacks = docustack.stacks().len();
    let before = requests(&moto.log());
    let started = Instant::now();
    deployer.deploy(&docustack).await.expect("deploy");
    report(
        &format!("DocuStack N={sandboxes}: deploy through CloudFormation"),
        stacks,
        started.elapsed().as_secs_f64(),
        requests(&moto.log()) - before,
    );
    let before = requests(&moto.log());
    let started = Instant::now();
    let plans = deployer.plan(&docustack).await.expect("plan");
    assert_eq!(plans.len(), stacks);
    report(
        &format!("DocuStack N={sandboxes}: plan of existing stacks (change sets)"),
        stacks,
        started.elapsed().as_secs_f64(),
        requests(&moto.log()) - before,
    );

    let stacks = house_escort.stacks().len();
    let before = requests(&moto.log());
    let started = Instant::now();
    let plans = deployer.plan(&house_escort).await.expect("plan");
    assert_eq!(plans.len(), stacks);
    report(
        &format!("House Escort N={n}: plan before anything exists"),
        stacks,
        started.elapsed().as_secs_f64(),
        requests(&moto.log()) - before,
    );
    let before = requests(&moto.log());
    let started = Instant::now();
    deployer.deploy(&house_escort).await.expect("deploy");
    report(
        &format!("House Escort N={n}: deploy through CloudFormation"),
        stacks,
        started.elapsed().as_secs_f64(),
        requests(&moto.log()) - before,
    );
    let before = requests(&moto.log());
    let started = Instant::now();
    let plans = deployer.plan(&house_escort).await.expect("plan");
    assert_eq!(plans.len(), stacks);
    report(
        &format!("House Escort N={n}: plan of existing stacks (change sets)"),
        stacks,
        started.elapsed().as_secs_f64(),
        requests(&moto.log()) - before,
    );
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() { vec![100] } else { sizes };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    for n in sizes {
        rt.block_on(size(n));
    }
}
