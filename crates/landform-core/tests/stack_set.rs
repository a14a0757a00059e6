//! Stacks marked as service-managed StackSets (issue 15): where they land is in the manifest,
//! an OU the app creates is read from its stack's output (and ordered before), and what AWS
//! would refuse is reported at synth, every issue at once.

use landform_core::stack_set::{StackSetDeployment, StackSetPreferences, Tolerance};
use landform_core::synth::{DeployValue, OutputRef};
use landform_core::{kinds, App, Environment, NodeId, Resource, StackProps, Token};

const MGMT: &str = "111111111111";

fn organization(app: &mut App) -> (NodeId, Token<kinds::OrganizationalUnitId>) {
    let mgmt = app.add_stage("Management", Environment::new(MGMT, "us-east-1"));
    let org = app.add_stack(mgmt, "Organization");
    let ou = app.scope(org).add_resource(
        "Fleet",
        Resource::new("AWS::Organizations::OrganizationalUnit")
            .property("Name", "Fleet")
            .property("ParentId", "r-h0e5"),
    );
    (mgmt, ou.ref_token())
}

fn baseline(app: &mut App, stage: NodeId, set: StackSetDeployment) -> NodeId {
    let stack = app.scope(stage).add_stack(
        "FleetBaseline",
        StackProps {
            stack_set: Some(set),
            ..Default::default()
        },
    );
    app.scope(stack)
        .add_resource("Topic", Resource::new("AWS::SNS::Topic"));
    stack
}

#[test]
fn an_ou_the_app_creates_is_read_from_its_stacks_output_and_ordered_first() {
    let mut app = App::new();
    let (mgmt, ou) = organization(&mut app);
    let mut set = StackSetDeployment::new(
        [ou, Token::literal("ou-h0e5-sandbox01")],
        ["us-east-1", "eu-west-1"],
    );
    set.preferences = StackSetPreferences {
        max_concurrent: Tolerance::Percentage(25),
        failure_tolerance: Tolerance::Percentage(10),
        region_order: vec!["eu-west-1".into(), "us-east-1".into()],
        ..Default::default()
    };
    baseline(&mut app, mgmt, set);
    let assembly = app.synth().unwrap();
    let names: Vec<&str> = assembly.stacks().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["Management-Organization", "Management-FleetBaseline"]
    );
    let stack = assembly.stack("Management-FleetBaseline").unwrap();
    let spec = stack
        .stack_set
        .as_ref()
        .expect("the manifest marks the StackSet");
    let DeployValue::FromOutput(OutputRef {
        stack: producer,
        output,
    }) = &spec.organizational_units[0].id
    else {
        panic!("the OU made by the app is read from an output: {spec:?}");
    };
    assert_eq!(producer, "Management-Organization");
    assert_eq!(
        spec.organizational_units[0]
            .path
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("App/Management/Organization/Fleet")
    );
    assert_eq!(
        spec.organizational_units[1].id,
        DeployValue::Literal("ou-h0e5-sandbox01".into())
    );
    let org = assembly.stack("Management-Organization").unwrap();
    assert_eq!(org.template["Outputs"][output]["Value"]["Ref"], "Fleet");
    assert_eq!(stack.dependencies.len(), 1);
    assert!(
        stack.dependencies[0].reasons[0].contains(
            "is a StackSet landing in the OU created by App/Management/Organization/Fleet"
        ),
        "{:?}",
        stack.dependencies
    );
    // The manifest a deployer reads.
    let manifest = assembly.manifest();
    let entry = &manifest["stacks"][1]["stackSet"];
    assert_eq!(
        entry["regions"],
        serde_json::json!(["us-east-1", "eu-west-1"])
    );
    assert_eq!(
        entry["preferences"]["maxConcurrent"],
        serde_json::json!({"percentage": 25})
    );
    assert_eq!(
        entry["organizationalUnits"][1]["id"],
        serde_json::json!({"literal": "ou-h0e5-sandbox01"})
    );
    assert!(
        manifest["stacks"][0].get("stackSet").is_none(),
        "a plain stack has no stackSet entry"
    );
}

#[test]
fn what_aws_refuses_in_a_stack_set_is_reported_at_once() {
    let mut app = App::new();
    let (mgmt, _) = organization(&mut app);
    let mut set = StackSetDeployment::new([Token::literal("workloads")], ["us-east-1", "mars-1"]);
    set.preferences = StackSetPreferences {
        max_concurrent: Tolerance::Count(3),
        failure_tolerance: Tolerance::Count(0),
        region_order: vec!["eu-west-1".into()],
        ..Default::default()
    };
    baseline(&mut app, mgmt, set);
    let empty = app.scope(mgmt).add_stack(
        "Nowhere",
        StackProps {
            stack_set: Some(StackSetDeployment::new(Vec::new(), Vec::<String>::new())),
            ..Default::default()
        },
    );
    app.scope(empty)
        .add_resource("Topic", Resource::new("AWS::SNS::Topic"));
    let issues = app.validate();
    let mut found: Vec<(String, String, String)> = issues
        .0
        .iter()
        .filter(|i| i.code.starts_with("StackSet."))
        .map(|i| (i.code.clone(), i.path.to_string(), i.value.clone()))
        .collect();
    found.sort();
    let at = |code: &str, path: &str, value: &str| {
        (code.to_string(), path.to_string(), value.to_string())
    };
    assert_eq!(
        found,
        [
            at(
                "StackSet.MaxConcurrent",
                "App/Management/FleetBaseline",
                "3"
            ),
            at("StackSet.NoRegions", "App/Management/Nowhere", "[]"),
            at("StackSet.NoTargets", "App/Management/Nowhere", "[]"),
            at(
                "StackSet.OrganizationalUnitId",
                "App/Management/FleetBaseline",
                "workloads"
            ),
            at("StackSet.Region", "App/Management/FleetBaseline", "mars-1"),
            at(
                "StackSet.RegionOrder",
                "App/Management/FleetBaseline",
                "eu-west-1"
            ),
        ]
    );
    let rule = &issues
        .with_code("StackSet.MaxConcurrent")
        .next()
        .unwrap()
        .rule;
    assert!(
        rule.contains("at most one more than FailureToleranceCount"),
        "{rule}"
    );
}

#[test]
fn no_stack_reads_a_stack_sets_outputs() {
    let mut app = App::new();
    let (mgmt, ou) = organization(&mut app);
    let set_stack = baseline(&mut app, mgmt, StackSetDeployment::new([ou], ["us-east-1"]));
    let topic = app
        .tree()
        .descendants(set_stack)
        .into_iter()
        .find(|&n| app.tree().node(n).resource().is_some())
        .unwrap();
    let other = app.add_stage("Other", Environment::new("222222222222", "us-east-1"));
    let reader = app.add_stack(other, "Reader");
    app.scope(reader).add_resource(
        "Queue",
        Resource::new("AWS::SQS::Queue").property(
            "QueueName",
            Token::<kinds::Arn>::reference(
                topic,
                landform_core::Attribute::GetAtt("TopicName".into()),
            ),
        ),
    );
    let issues = app.validate();
    let issue = issues
        .with_code("StackSet.OutputRead")
        .next()
        .unwrap_or_else(|| panic!("{issues:?}"));
    assert_eq!(issue.path.to_string(), "App/Other/Reader");
    assert!(
        issue.value.starts_with("Management-FleetBaseline."),
        "{}",
        issue.value
    );
}

#[test]
fn names_in_a_stack_set_are_scoped_to_its_instances() {
    let mut app = App::new();
    let (mgmt, ou) = organization(&mut app);
    let set = baseline(&mut app, mgmt, StackSetDeployment::new([ou], ["us-east-1"]));
    let role = |name: &str| {
        Resource::new("AWS::IAM::Role")
            .property("RoleName", name)
            .property(
                "AssumeRolePolicyDocument",
                landform_core::Value::from(serde_json::json!({
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
                })),
            )
    };
    // The administering account's own role of that name is not the instances' one.
    let own = app.add_stack(mgmt, "Own");
    app.scope(own).add_resource("Deploy", role("deploy"));
    app.scope(set).add_resource("Deploy", role("deploy"));
    app.scope(set).add_resource(
        "Logs",
        Resource::new("AWS::S3::Bucket").property("BucketName", "fleet-logs"),
    );
    let issues = app.validate();
    assert!(!issues.has("Role.DuplicateName"), "{issues:?}");
    let named = issues
        .with_code("Bucket.NameInStackSet")
        .next()
        .unwrap_or_else(|| panic!("{issues:?}"));
    assert_eq!(named.path.to_string(), "App/Management/FleetBaseline/Logs");
    assert!(named.rule.contains("${AWS::AccountId}"), "{}", named.rule);
    // Twice in the StackSet itself is still twice in every account.
    app.scope(set).add_resource("DeployAgain", role("deploy"));
    assert!(app.validate().has("Role.DuplicateName"));
}

#[test]
fn the_manifest_says_who_administers_the_stack_set() {
    let mut app = App::new();
    let (mgmt, ou) = organization(&mut app);
    baseline(
        &mut app,
        mgmt,
        StackSetDeployment::new([ou.clone()], ["us-east-1"]),
    );
    let tooling = app.add_stage("Tooling", Environment::new("222222222222", "us-east-1"));
    baseline(
        &mut app,
        tooling,
        StackSetDeployment::new([ou], ["us-east-1"]).delegated_administrator(),
    );
    let assembly = app.synth().unwrap();
    let manifest = assembly.manifest();
    let call_as = |name: &str| {
        manifest["stacks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .map(|s| s["stackSet"]["callAs"].clone())
            .unwrap()
    };
    assert_eq!(call_as("Management-FleetBaseline"), "SELF");
    assert_eq!(call_as("Tooling-FleetBaseline"), "DELEGATED_ADMIN");
}
