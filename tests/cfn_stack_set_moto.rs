//! A service-managed StackSet through `deploy --engine cloudformation` against moto (issue 15):
//! the `cfn_stacks` example with `--stack-set-ou`, whose `Shared-Auditing` stack the app
//! marks as a StackSet landing in an OU. The OU and its two accounts are made through moto's
//! Organizations API (tests/support/stack_set_org.py); moto's service-managed StackSets
//! create each instance's resources in the OU's accounts, and the test reads the auditor role
//! back in each. moto's StackSets are completed by scripts/moto_patches/
//! (cloudformation.py: DescribeOrganizationsAccess; cloudformation_stacksets.py: the
//! StackSet's capabilities and auto-deployment, the instances' OU).
//!
//! moto gaps, proven with mocks instead (crates/landform-aws/src/cloudformation/
//! tests_stacksets.rs): auto-deployment itself (moto gives an account that joins the OU
//! later no instance; AWS does, so the deployer makes no call for it, and the test checks
//! the StackSet is created with AutoDeployment enabled), operations that fail or run long
//! (moto's succeed at once), and delegated administrators.
#![cfg(feature = "aws")]

#[path = "support/rehearsal.rs"]
mod rehearsal;

use std::process::Command;

use rehearsal::{example, ok, python, repo, Rehearsal};
use serde_json::Value as Json;

const WORKLOAD: &str = "210987654321";

fn org(r: &Rehearsal, args: &[&str]) -> Json {
    let out = Command::new(python())
        .arg(repo().join("tests/support/stack_set_org.py"))
        .args([
            &r.set["AWS_ENDPOINT_URL"],
            &r.set["LANDFORM_MANAGEMENT_ACCOUNT"],
        ])
        .args(args)
        .output()
        .expect("run stack_set_org.py");
    serde_json::from_str(&ok(&out, "stack_set_org.py")).unwrap()
}

fn run(r: &Rehearsal, ou: &str, verb: &[&str]) -> std::process::Output {
    let mut args = vec!["--stack-set-ou", ou];
    args.extend(verb);
    args.extend([
        "--engine",
        "cloudformation",
        "--provider",
        "aws",
        "--poll-ms",
        "100",
    ]);
    r.run(&example("cfn_stacks"), &args)
}

#[test]
fn an_apps_stack_set_lands_in_every_account_of_its_ou_on_moto() {
    let r = Rehearsal::start();
    let management = r.set["LANDFORM_MANAGEMENT_ACCOUNT"].clone();
    let made = org(&r, &["make", "2"]);
    let ou = made["ou"].as_str().unwrap().to_owned();
    let members: Vec<String> = made["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();

    // The plan says the stack becomes a StackSet, and where it lands.
    let diff = run(&r, &ou, &["diff"]);
    assert_eq!(diff.status.code(), Some(2), "{diff:?}");
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(
        text.contains(&format!(
            "Shared-Auditing [{management}/us-east-1]: service-managed StackSet: create it, new instances in every account of {ou} in us-east-1"
        )),
        "{text}"
    );

    let deploy = run(&r, &ou, &["deploy"]);
    let text = ok(&deploy, "deploy");
    assert!(text.contains("Shared-Auditing: StackSet created"), "{text}");
    assert!(text.contains("1 StackSet(s)"), "{text}");
    // The role is in each account of the OU, and nowhere else.
    let mut accounts = members.clone();
    accounts.push(WORKLOAD.to_owned());
    let args: Vec<&str> = ["roles"]
        .into_iter()
        .chain(accounts.iter().map(String::as_str))
        .collect();
    let roles = org(&r, &args);
    for member in &members {
        assert_eq!(
            roles[member],
            format!("arn:aws:iam::{member}:role/landform-example-auditor"),
            "{roles}"
        );
    }
    assert_eq!(roles[WORKLOAD], Json::Null, "{roles}");
    let set = org(&r, &["describe", "Shared-Auditing"]);
    assert_eq!(set["permission_model"], "SERVICE_MANAGED", "{set}");
    assert_eq!(set["auto_deployment"]["Enabled"], true, "{set}");
    assert_eq!(
        set["capabilities"],
        serde_json::json!(["CAPABILITY_NAMED_IAM"])
    );
    assert_eq!(set["instances"].as_array().unwrap().len(), 2, "{set}");

    // Up to date: no change, no second instance.
    let again = run(&r, &ou, &["diff"]);
    assert_eq!(again.status.code(), Some(0), "{again:?}");
    let redeploy = run(&r, &ou, &["deploy"]);
    let text = ok(&redeploy, "second deploy");
    assert!(!text.contains("StackSet created"), "{text}");
    assert!(!text.contains("instances"), "{text}");
    assert_eq!(
        org(&r, &["describe", "Shared-Auditing"])["instances"],
        set["instances"]
    );

    // Destroy deletes the stacks, keeps the StackSet (its instances are AWS's to remove)
    // and says so.
    let destroy = run(&r, &ou, &["destroy", "--yes"]);
    let text = ok(&destroy, "destroy");
    assert!(
        text.contains(
            "Kept (StackSets: delete their instances, then the StackSet): Shared-Auditing"
        ),
        "{text}"
    );
    let roles = org(&r, &args);
    assert!(roles[&members[0]].is_string(), "{roles}");
}
