//! The StackSet path against mocks.

use mockall::Sequence;

use super::tests::{deployer, one_stack_app, HUB, WORKLOAD};
use super::*;
use crate::api::{
    MockCloudFormationApi, StackInstanceInfo, StackSetDescription, StackSetOperationInfo,
    TemplateSource,
};
use landform_core::Assembly;
use landform_deploy::{ErrorCode, ProviderError};

const BASELINE: &str = "Management-Baseline";

fn target() -> StackSetTarget {
    StackSetTarget::new(BASELINE, ["ou-1", "ou-2"], ["us-east-1", "eu-west-1"])
}

fn operation(
    m: &mut MockCloudFormationApi,
    seq: &mut Sequence,
    prefix: &'static str,
    statuses: &[&str],
) {
    for status in statuses {
        let status = status.to_string();
        m.expect_describe_stack_set_operation()
            .withf(move |set, op, call_as| {
                set == BASELINE && op.starts_with(prefix) && *call_as == CallAs::SelfAccount
            })
            .times(1)
            .in_sequence(seq)
            .return_once(move |_, _, _| {
                Ok(StackSetOperationInfo {
                    status,
                    status_reason: None,
                })
            });
    }
}

/// DescribeOrganizationsAccess, asked before anything else, answering `status`.
fn access(m: &mut MockCloudFormationApi, seq: &mut Sequence, answer: Result<&str, ProviderError>) {
    let answer = answer.map(str::to_owned);
    m.expect_describe_organizations_access()
        .times(1)
        .in_sequence(seq)
        .return_once(move |_| answer);
}

/// The StackSet as CloudFormation holds it after a rollout of `assembly`'s template.
fn current(assembly: &Assembly) -> StackSetDescription {
    StackSetDescription {
        id: "Management-Baseline:1".to_owned(),
        status: "ACTIVE".to_owned(),
        template_body: Some(Assembly::template_text(assembly.stack(BASELINE).unwrap()).to_owned()),
        capabilities: vec!["CAPABILITY_NAMED_IAM".to_owned()],
        auto_deployment: true,
        permission_model: "SERVICE_MANAGED".to_owned(),
        organizational_unit_ids: vec!["ou-1".to_owned()],
        regions: vec!["us-east-1".to_owned(), "eu-west-1".to_owned()],
        ..Default::default()
    }
}

fn instances(ous: &[&str]) -> Vec<StackInstanceInfo> {
    let mut out = Vec::new();
    for (n, ou) in ous.iter().enumerate() {
        for region in ["us-east-1", "eu-west-1"] {
            for account in [format!("33333333333{n}"), format!("44444444444{n}")] {
                out.push(StackInstanceInfo {
                    account,
                    region: region.to_owned(),
                    organizational_unit_id: Some(ou.to_string()),
                    status: "CURRENT".to_owned(),
                    status_reason: None,
                });
            }
        }
    }
    out
}

#[tokio::test(start_paused = true)]
async fn stack_set_create_then_an_idempotent_rerun_adds_no_instances() {
    let assembly = one_stack_app("Management", "Baseline");
    let template = Assembly::template_text(assembly.stack(BASELINE).unwrap()).to_owned();
    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    access(&mut m, &mut seq, Ok("ENABLED"));
    m.expect_describe_stack_set()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| {
            Err(ProviderError::new(
                ErrorCode::NotFound,
                "StackSetNotFoundException",
            ))
        });
    let body = template.to_owned();
    m.expect_create_stack_set()
        .withf(move |spec| {
            spec.name == BASELINE
                && spec.template == TemplateSource::Body(body.to_string())
                && spec.call_as == CallAs::SelfAccount
                && spec.capabilities == ["CAPABILITY_NAMED_IAM"]
                && spec.client_token.starts_with("landform-")
        })
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok("Management-Baseline:1".to_owned()));
    m.expect_create_stack_instances()
        .withf(|r| {
            r.stack_set_name == BASELINE
                && r.organizational_unit_ids == ["ou-1", "ou-2"]
                && r.regions == ["us-east-1", "eu-west-1"]
                && r.operation_id.starts_with("landform-instances-")
        })
        .times(1)
        .in_sequence(&mut seq)
        .returning(|r| Ok(r.operation_id.clone()));
    operation(
        &mut m,
        &mut seq,
        "landform-instances-",
        &["RUNNING", "SUCCEEDED"],
    );
    let report = deployer(vec![(HUB, m)])
        .stack_set(target())
        .deploy(&assembly)
        .await
        .expect("rolled out");
    assert_eq!(report.stacks[0].outcome, StackOutcome::StackSet);
    assert!(report.events.contains(&DeployEvent::StackSetCreated {
        stack_set: BASELINE.to_owned()
    }));

    // Re-run: same template, every (OU, region) has instances: no create, update or
    // instance call (none is expected, so any fails the test).
    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    access(&mut m, &mut seq, Ok("ENABLED"));
    let same = current(&assembly);
    m.expect_describe_stack_set()
        .times(1)
        .in_sequence(&mut seq)
        .return_once(move |_, _| Ok(same));
    m.expect_list_stack_instances()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(instances(&["ou-1", "ou-2"])));
    let report = deployer(vec![(HUB, m)])
        .stack_set(target())
        .deploy(&assembly)
        .await
        .expect("converged");
    assert_eq!(report.stacks[0].outcome, StackOutcome::StackSet);
}

#[tokio::test(start_paused = true)]
async fn a_changed_template_updates_the_stack_set_and_only_missing_targets_get_instances() {
    let assembly = one_stack_app("Management", "Baseline");
    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    access(&mut m, &mut seq, Ok("ENABLED"));
    let mut old = current(&assembly);
    old.template_body = Some("{\"Resources\":{}}".to_owned());
    m.expect_describe_stack_set()
        .times(1)
        .in_sequence(&mut seq)
        .return_once(move |_, _| Ok(old));
    m.expect_update_stack_set()
        .withf(|spec, op| spec.name == BASELINE && op.starts_with("landform-update-"))
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, op| Ok(op.to_owned()));
    operation(
        &mut m,
        &mut seq,
        "landform-update-",
        &["RUNNING", "SUCCEEDED"],
    );
    m.expect_list_stack_instances()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(instances(&["ou-1"])));
    m.expect_create_stack_instances()
        .withf(|r| r.organizational_unit_ids == ["ou-2"] && r.regions == ["us-east-1", "eu-west-1"])
        .times(1)
        .in_sequence(&mut seq)
        .returning(|r| Ok(r.operation_id.clone()));
    operation(&mut m, &mut seq, "landform-instances-", &["SUCCEEDED"]);
    deployer(vec![(HUB, m)])
        .stack_set(target())
        .deploy(&assembly)
        .await
        .expect("updated");
}

#[tokio::test(start_paused = true)]
async fn a_failed_stack_set_operation_is_a_typed_error() {
    let assembly = one_stack_app("Management", "Baseline");
    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    access(&mut m, &mut seq, Ok("ENABLED"));
    m.expect_describe_stack_set()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Err(ProviderError::new(ErrorCode::NotFound, "gone")));
    m.expect_create_stack_set()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok("id".to_owned()));
    m.expect_create_stack_instances()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|r| Ok(r.operation_id.clone()));
    m.expect_describe_stack_set_operation()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| {
            Ok(StackSetOperationInfo {
                status: "FAILED".to_owned(),
                status_reason: Some(
                    "Account 333333333330 should have 'AWSCloudFormationStackSetExecutionRole'"
                        .to_owned(),
                ),
            })
        });
    let err = deployer(vec![(HUB, m)])
        .stack_set(target())
        .deploy(&assembly)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CloudFormationError::StackSetOperationFailed { status, reason, .. } if status == "FAILED" && reason.contains("333333333330")),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_stack_set_target_whose_outputs_another_stack_reads_is_refused_before_any_call() {
    use landform_core::{App, Environment, Resource};
    let mut app = App::new();
    let management = app.add_stage("Management", Environment::new(HUB, "us-east-1"));
    let baseline = app.add_stack(management, "Baseline");
    let bucket = app
        .scope(baseline)
        .add_resource("Bucket", Resource::new("AWS::S3::Bucket"));
    let workload = app.add_stage("Workload", Environment::new("222222222222", "us-east-1"));
    let reader = app.add_stack(workload, "Reader");
    app.scope(reader).add_resource(
        "Topic",
        Resource::new("AWS::SNS::Topic").property("TopicName", bucket.ref_value()),
    );
    let assembly = app.synth().expect("synth");
    // No expectation at all: any call fails.
    let err = deployer(vec![(HUB, MockCloudFormationApi::new())])
        .stack_set(target())
        .deploy(&assembly)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CloudFormationError::InvalidStackSetTarget { stack, reason } if stack == BASELINE && reason.contains("Workload-Reader")),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn stack_sets_without_trusted_access_are_refused_before_any_change_with_what_to_enable() {
    let assembly = one_stack_app("Management", "Baseline");
    for status in ["DISABLED", "DISABLED_PERMANENTLY"] {
        for planning in [false, true] {
            let mut m = MockCloudFormationApi::new();
            let mut seq = Sequence::new();
            access(&mut m, &mut seq, Ok(status));
            // No other expectation: a DescribeStacks, CreateStackSet or any other call
            // fails the test.
            let deployer = deployer(vec![(HUB, m)]).stack_set(target());
            let err = if planning {
                deployer.plan(&assembly).await.map(|_| ()).unwrap_err()
            } else {
                deployer.deploy(&assembly).await.map(|_| ()).unwrap_err()
            };
            let text = err.to_string();
            assert!(
                matches!(&err, CloudFormationError::StackSetsUnavailable { stack, account, .. } if stack == BASELINE && account == HUB),
                "{text}"
            );
            assert!(text.contains(status), "{text}");
            assert!(text.contains("activate-organizations-access"), "{text}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_delegated_administrator_that_is_not_registered_is_told_how_to_register() {
    let assembly = one_stack_app("Management", "Baseline");
    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    m.expect_describe_organizations_access()
        .withf(|call_as| *call_as == CallAs::DelegatedAdmin)
        .times(1)
        .in_sequence(&mut seq)
        .return_once(|_| {
            Err(ProviderError::new(
                ErrorCode::AccessDenied,
                "Account used is not a delegated administrator",
            ))
        });
    let mut delegated = target();
    delegated.call_as = CallAs::DelegatedAdmin;
    let err = deployer(vec![(HUB, m)])
        .stack_set(delegated)
        .deploy(&assembly)
        .await
        .map(|_| ())
        .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, CloudFormationError::StackSetsUnavailable { .. }),
        "{text}"
    );
    assert!(text.contains("register-delegated-administrator"), "{text}");
    assert!(text.contains(&format!("--account-id {HUB}")), "{text}");
}

#[tokio::test(start_paused = true)]
async fn an_apps_stack_set_marked_for_a_delegated_administrator_is_checked_and_called_as_one() {
    use landform_core::stack_set::StackSetDeployment;
    use landform_core::{App, Environment, Resource, StackProps};
    let mut app = App::new();
    // A member account, registered as the StackSets' delegated administrator.
    let tooling = app.add_stage("Tooling", Environment::new(WORKLOAD, "us-east-1"));
    let stack = app.scope(tooling).add_stack(
        "Fleet",
        StackProps {
            stack_set: Some(
                StackSetDeployment::new(
                    [landform_core::Token::literal("ou-h0e5-fleet001")],
                    ["us-east-1"],
                )
                .delegated_administrator(),
            ),
            ..Default::default()
        },
    );
    app.scope(stack)
        .add_resource("Topic", Resource::new("AWS::SNS::Topic"));
    let assembly = app.synth().unwrap();
    let artifact = assembly.stack("Tooling-Fleet").unwrap();
    let target = StackSetTarget::from_manifest(artifact, &BTreeMap::new())
        .unwrap()
        .unwrap();
    assert_eq!(target.call_as, CallAs::DelegatedAdmin);

    // The access check asks as the delegated administrator, and its refusal says how to
    // register the account, before any change.
    let mut m = MockCloudFormationApi::new();
    m.expect_describe_organizations_access()
        .withf(|call_as| *call_as == CallAs::DelegatedAdmin)
        .times(1)
        .return_once(|_| {
            Err(ProviderError::new(
                ErrorCode::AccessDenied,
                "Account used is not a delegated administrator",
            ))
        });
    let err = deployer(vec![(WORKLOAD, m)])
        .deploy(&assembly)
        .await
        .map(|_| ())
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("register-delegated-administrator"), "{text}");
    assert!(text.contains(&format!("--account-id {WORKLOAD}")), "{text}");
}

/// An app whose Management-Fleet stack is marked as a StackSet landing in the OU that
/// Management-Organization creates (issue 15: StackSets from the app, not from the caller).
fn app_with_a_stack_set() -> (Assembly, String) {
    use landform_core::stack_set::{StackSetDeployment, StackSetPreferences, Tolerance};
    use landform_core::{App, Environment, Resource, StackProps};
    let mut app = App::new();
    let mgmt = app.add_stage("Management", Environment::new(HUB, "us-east-1"));
    let org = app.add_stack(mgmt, "Organization");
    let ou = app.scope(org).add_resource(
        "Fleet",
        Resource::new("AWS::Organizations::OrganizationalUnit")
            .property("Name", "Fleet")
            .property("ParentId", "r-h0e5"),
    );
    let mut set = StackSetDeployment::new([ou.ref_token()], ["us-east-1", "eu-west-1"]);
    set.preferences = StackSetPreferences {
        max_concurrent: Tolerance::Percentage(25),
        failure_tolerance: Tolerance::Percentage(10),
        region_order: vec!["eu-west-1".into(), "us-east-1".into()],
        ..Default::default()
    };
    let fleet = app.scope(mgmt).add_stack(
        "Fleet",
        StackProps {
            stack_set: Some(set),
            ..Default::default()
        },
    );
    app.scope(fleet)
        .add_resource("Topic", Resource::new("AWS::SNS::Topic"));
    let assembly = app.synth().expect("synth");
    let output = match &assembly
        .stack("Management-Fleet")
        .unwrap()
        .stack_set
        .as_ref()
        .unwrap()
        .organizational_units[0]
        .id
    {
        landform_core::synth::DeployValue::FromOutput(o) => o.output.clone(),
        other => panic!("{other:?}"),
    };
    (assembly, output)
}

fn fleet_preferences() -> OperationPreferences {
    OperationPreferences {
        max_concurrent_percentage: Some(25),
        failure_tolerance_percentage: Some(10),
        region_order: vec!["eu-west-1".to_owned(), "us-east-1".to_owned()],
        ..Default::default()
    }
}

#[tokio::test(start_paused = true)]
async fn an_apps_stack_set_lands_in_the_ou_its_organization_stack_created() {
    let (assembly, output) = app_with_a_stack_set();
    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    access(&mut m, &mut seq, Ok("ENABLED"));
    super::tests::expect_first_create(
        &mut m,
        &mut seq,
        "Management-Organization",
        Default::default(),
        &[(&output, "ou-h0e5-fleet001")],
    );
    m.expect_describe_stack_set()
        .withf(|name, _| name == "Management-Fleet")
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| {
            Err(ProviderError::new(
                ErrorCode::NotFound,
                "StackSetNotFoundException",
            ))
        });
    m.expect_create_stack_set()
        .withf(|spec| {
            spec.name == "Management-Fleet"
                && spec.preferences == fleet_preferences()
                && spec.call_as == CallAs::SelfAccount
                && !spec.retain_stacks_on_account_removal
        })
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok("Management-Fleet:1".to_owned()));
    m.expect_create_stack_instances()
        .withf(|r| {
            r.stack_set_name == "Management-Fleet"
                && r.organizational_unit_ids == ["ou-h0e5-fleet001"]
                && r.regions == ["us-east-1", "eu-west-1"]
                && r.preferences == fleet_preferences()
        })
        .times(1)
        .in_sequence(&mut seq)
        .returning(|r| Ok(r.operation_id.clone()));
    m.expect_describe_stack_set_operation()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| {
            Ok(StackSetOperationInfo {
                status: "SUCCEEDED".to_owned(),
                status_reason: None,
            })
        });
    let report = deployer(vec![(HUB, m)])
        .deploy(&assembly)
        .await
        .expect("deployed");
    let outcomes: Vec<(&str, StackOutcome)> = report
        .stacks
        .iter()
        .map(|s| (s.stack.as_str(), s.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("Management-Organization", StackOutcome::Created),
            ("Management-Fleet", StackOutcome::StackSet)
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_plan_before_the_ou_exists_says_where_the_stack_set_lands() {
    let (assembly, _) = app_with_a_stack_set();
    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    access(&mut m, &mut seq, Ok("ENABLED"));
    super::tests::expect_describe(
        &mut m,
        &mut seq,
        "Management-Organization",
        Err(super::tests::not_found()),
    );
    m.expect_describe_stack_set()
        .withf(|name, call_as| name == "Management-Fleet" && *call_as == CallAs::SelfAccount)
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| {
            Err(ProviderError::new(
                ErrorCode::NotFound,
                "StackSetNotFoundException",
            ))
        });
    let plans = deployer(vec![(HUB, m)])
        .plan(&assembly)
        .await
        .expect("planned");
    assert_eq!(plans[0].status, PlanStatus::Create);
    let fleet = "App/Management/Organization/Fleet (not created yet)".to_owned();
    assert_eq!(
        plans[1].status,
        PlanStatus::StackSet {
            create: true,
            update: false,
            new_targets: vec![
                (fleet.clone(), "us-east-1".to_owned()),
                (fleet, "eu-west-1".to_owned())
            ],
        }
    );
}

#[tokio::test(start_paused = true)]
async fn destroy_keeps_an_apps_stack_set_and_lists_it() {
    let (assembly, _) = app_with_a_stack_set();
    let mut m = MockCloudFormationApi::new();
    m.expect_describe_stack()
        .returning(|_| Err(super::tests::not_found()));
    let report = deployer(vec![(HUB, m)])
        .destroy(&assembly)
        .await
        .expect("destroyed");
    assert_eq!(report.kept_stack_sets, ["Management-Fleet"]);
}
