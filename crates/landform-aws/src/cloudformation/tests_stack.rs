//! The change-set path against mocks: the exact CloudFormation call sequence per account.

use std::collections::BTreeMap;

use mockall::Sequence;

use super::tests::*;
use super::*;
use crate::api::{ChangeSetType, MockCloudFormationApi};
use landform_core::Assembly;
use landform_deploy::{ErrorCode, ProviderError};

#[tokio::test(start_paused = true)]
async fn first_create_feeds_the_upstream_output_to_the_downstream_parameter() {
    let assembly = two_stack_app();
    let app = assembly.stack("Workload-App").unwrap();
    let (parameter, source) = app
        .parameters
        .iter()
        .next()
        .expect("a cross-account parameter");
    assert_eq!(source.stack, "Network-Hub");
    let mut hub = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    expect_first_create(
        &mut hub,
        &mut seq,
        "Network-Hub",
        BTreeMap::new(),
        &[(&source.output, "tgw-0abc")],
    );
    let mut workload = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    let wanted = BTreeMap::from([(parameter.clone(), "tgw-0abc".to_owned())]);
    expect_first_create(&mut workload, &mut seq, "Workload-App", wanted, &[]);
    // Its attachment to the hub's gateway is already available: nothing to accept.
    workload
        .expect_describe_stack_resource()
        .returning(|_, _| Ok(Some("tgw-attach-1".to_owned())));
    let mut hub_ec2 = crate::api::MockEc2Api::new();
    hub_ec2
        .expect_describe_transit_gateway_vpc_attachments()
        .returning(|_, _| Ok(vec![attachment("tgw-attach-1", "available")]));
    hub_ec2
        .expect_accept_transit_gateway_vpc_attachment()
        .never();

    let report = deployer_with_ec2(vec![(HUB, hub), (WORKLOAD, workload)], vec![(HUB, hub_ec2)])
        .deploy(&assembly)
        .await
        .expect("deployed");
    let order: Vec<(&str, StackOutcome)> = report
        .stacks
        .iter()
        .map(|s| (s.stack.as_str(), s.outcome))
        .collect();
    assert_eq!(
        order,
        [
            ("Network-Hub", StackOutcome::Created),
            ("Workload-App", StackOutcome::Created)
        ]
    );
    assert_eq!(report.stacks[1].account, WORKLOAD);
    assert!(report.events.contains(&DeployEvent::StackDone {
        stack: "Workload-App".to_owned(),
        status: "CREATE_COMPLETE".to_owned()
    }));
}

#[tokio::test(start_paused = true)]
async fn update_waits_past_a_stale_status_and_reports_changes_and_new_events_once() {
    let assembly = one_stack_app("Network", "Hub");
    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    let name = Name::default();
    let s = "Network-Hub";
    expect_describe(&mut m, &mut seq, s, Ok(stack(s, "UPDATE_COMPLETE", 1, &[])));
    expect_describe_change_set(&mut m, &mut seq, &name, Err(not_found()));
    expect_create(
        &mut m,
        &mut seq,
        ChangeSetType::Update,
        BTreeMap::new(),
        &name,
    );
    expect_describe_change_set(
        &mut m,
        &mut seq,
        &name,
        Ok(change_set("CREATE_COMPLETE", "AVAILABLE", None)),
    );
    expect_execute(&mut m, &mut seq, &name);
    // DescribeStacks still shows the previous update right after ExecuteChangeSet.
    expect_describe(&mut m, &mut seq, s, Ok(stack(s, "UPDATE_COMPLETE", 1, &[])));
    expect_own_events(
        &mut m,
        &mut seq,
        &name,
        vec![("e0", "Bucket", "CREATE_COMPLETE", None, false)],
    );
    expect_describe(
        &mut m,
        &mut seq,
        s,
        Ok(stack(s, "UPDATE_IN_PROGRESS", 1, &[])),
    );
    expect_own_events(
        &mut m,
        &mut seq,
        &name,
        vec![
            ("e1", "Bucket", "UPDATE_IN_PROGRESS", None, true),
            ("e0", "Bucket", "CREATE_COMPLETE", None, false),
        ],
    );
    expect_describe(
        &mut m,
        &mut seq,
        s,
        Ok(stack(s, "UPDATE_COMPLETE", 2, &[("Out", "v2")])),
    );
    expect_own_events(
        &mut m,
        &mut seq,
        &name,
        vec![
            ("e2", "Bucket", "UPDATE_COMPLETE", None, true),
            ("e1", "Bucket", "UPDATE_IN_PROGRESS", None, true),
        ],
    );
    let report = deployer(vec![(HUB, m)])
        .deploy(&assembly)
        .await
        .expect("updated");
    assert_eq!(report.stacks[0].outcome, StackOutcome::Updated);
    assert_eq!(report.stacks[0].outputs["Out"], "v2");
    assert_eq!(report.stacks[0].changes.len(), 1);
    assert_eq!(
        resource_events(&report.events),
        [
            ("Bucket".to_owned(), "UPDATE_IN_PROGRESS".to_owned()),
            ("Bucket".to_owned(), "UPDATE_COMPLETE".to_owned())
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn update_without_changes_deletes_the_change_set_and_never_executes() {
    let assembly = one_stack_app("Network", "Hub");
    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    let name = Name::default();
    let s = "Network-Hub";
    expect_describe(
        &mut m,
        &mut seq,
        s,
        Ok(stack(s, "UPDATE_COMPLETE", 1, &[("Out", "v1")])),
    );
    expect_describe_change_set(&mut m, &mut seq, &name, Err(not_found()));
    expect_create(
        &mut m,
        &mut seq,
        ChangeSetType::Update,
        BTreeMap::new(),
        &name,
    );
    let reason = "The submitted information didn't contain changes. Submit different information to create a change set.";
    expect_describe_change_set(
        &mut m,
        &mut seq,
        &name,
        Ok(change_set("FAILED", "UNAVAILABLE", Some(reason))),
    );
    let deleted = name.clone();
    m.expect_delete_change_set()
        .withf(move |st, cs| st == "Network-Hub" && cs == *deleted.lock().unwrap())
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(()));
    // No execute_change_set expectation: calling it fails the test.
    let report = deployer(vec![(HUB, m)])
        .deploy(&assembly)
        .await
        .expect("no changes");
    assert_eq!(report.stacks[0].outcome, StackOutcome::Unchanged);
    assert_eq!(report.stacks[0].outputs["Out"], "v1");
    assert!(report.events.contains(&DeployEvent::NoChanges {
        stack: s.to_owned()
    }));
}

#[tokio::test(start_paused = true)]
async fn rollback_surfaces_the_first_failed_resource_and_its_reason() {
    let assembly = one_stack_app("Network", "Hub");
    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    let name = Name::default();
    let s = "Network-Hub";
    expect_describe(&mut m, &mut seq, s, Err(not_found()));
    expect_create(
        &mut m,
        &mut seq,
        ChangeSetType::Create,
        BTreeMap::new(),
        &name,
    );
    expect_describe_change_set(
        &mut m,
        &mut seq,
        &name,
        Ok(change_set("CREATE_COMPLETE", "AVAILABLE", None)),
    );
    expect_execute(&mut m, &mut seq, &name);
    expect_describe(
        &mut m,
        &mut seq,
        s,
        Ok(stack(s, "ROLLBACK_IN_PROGRESS", 0, &[])),
    );
    expect_own_events(
        &mut m,
        &mut seq,
        &name,
        vec![
            (
                "e3",
                "Network-Hub",
                "ROLLBACK_IN_PROGRESS",
                Some("The following resource(s) failed to create: [Bucket, Queue]."),
                true,
            ),
            (
                "e2",
                "Queue",
                "CREATE_FAILED",
                Some("Resource creation cancelled"),
                true,
            ),
            (
                "e1",
                "Bucket",
                "CREATE_FAILED",
                Some("mybucket already exists"),
                true,
            ),
            ("e0", "Bucket", "CREATE_IN_PROGRESS", None, true),
        ],
    );
    expect_describe(
        &mut m,
        &mut seq,
        s,
        Ok(stack(s, "ROLLBACK_COMPLETE", 0, &[])),
    );
    expect_own_events(&mut m, &mut seq, &name, vec![]);
    let err = deployer(vec![(HUB, m)])
        .deploy(&assembly)
        .await
        .unwrap_err();
    match err {
        CloudFormationError::StackFailed {
            stack,
            status,
            resource,
            reason,
        } => {
            assert_eq!(stack, "Network-Hub");
            assert_eq!(status, "ROLLBACK_COMPLETE");
            assert_eq!(resource.as_deref(), Some("Bucket"));
            assert_eq!(reason, "mybucket already exists");
        }
        other => panic!("unexpected {other}"),
    }
}

#[tokio::test(start_paused = true)]
async fn resume_reuses_the_change_set_of_an_interrupted_run() {
    let assembly = one_stack_app("Network", "Hub");
    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    let name = Name::default();
    let s = "Network-Hub";
    // The killed run created the change set (the stack waits for review) but never executed it.
    expect_describe(
        &mut m,
        &mut seq,
        s,
        Ok(stack(s, "REVIEW_IN_PROGRESS", 0, &[])),
    );
    expect_describe_change_set(
        &mut m,
        &mut seq,
        &name,
        Ok(change_set("CREATE_COMPLETE", "AVAILABLE", None)),
    );
    expect_describe_change_set(
        &mut m,
        &mut seq,
        &name,
        Ok(change_set("CREATE_COMPLETE", "AVAILABLE", None)),
    );
    expect_execute(&mut m, &mut seq, &name);
    expect_describe(&mut m, &mut seq, s, Ok(stack(s, "CREATE_COMPLETE", 0, &[])));
    expect_own_events(&mut m, &mut seq, &name, vec![]);
    // No create_change_set expectation: creating another one fails the test.
    let report = deployer(vec![(HUB, m)])
        .deploy(&assembly)
        .await
        .expect("resumed");
    assert_eq!(report.stacks[0].outcome, StackOutcome::Created);
    let reused = name.lock().unwrap().clone();
    assert!(report.events.contains(&DeployEvent::ChangeSetReused {
        stack: s.to_owned(),
        change_set: reused.clone()
    }));

    // The name is a function of the inputs: a fresh run picks the same one.
    let mut fresh = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    let created = expect_first_create(&mut fresh, &mut seq, s, BTreeMap::new(), &[]);
    deployer(vec![(HUB, fresh)])
        .deploy(&assembly)
        .await
        .expect("created");
    assert_eq!(*created.lock().unwrap(), reused);
}

#[tokio::test(start_paused = true)]
async fn resume_waits_for_an_execution_already_under_way_without_repeating_it() {
    let assembly = one_stack_app("Network", "Hub");
    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    let name = Name::default();
    let s = "Network-Hub";
    expect_describe(
        &mut m,
        &mut seq,
        s,
        Ok(stack(s, "UPDATE_IN_PROGRESS", 1, &[])),
    );
    expect_describe_change_set(
        &mut m,
        &mut seq,
        &name,
        Ok(change_set("CREATE_COMPLETE", "EXECUTE_IN_PROGRESS", None)),
    );
    expect_describe(
        &mut m,
        &mut seq,
        s,
        Ok(stack(s, "UPDATE_IN_PROGRESS", 1, &[])),
    );
    expect_own_events(&mut m, &mut seq, &name, vec![]);
    expect_describe(
        &mut m,
        &mut seq,
        s,
        Ok(stack(s, "UPDATE_COMPLETE", 2, &[("Out", "v2")])),
    );
    expect_own_events(&mut m, &mut seq, &name, vec![]);
    // No create or execute expectation.
    let report = deployer(vec![(HUB, m)])
        .deploy(&assembly)
        .await
        .expect("waited");
    assert_eq!(report.stacks[0].outcome, StackOutcome::Updated);
    assert_eq!(report.stacks[0].outputs["Out"], "v2");
    assert!(matches!(
        report.events[1],
        DeployEvent::WaitingForRunningExecution { .. }
    ));
}

#[tokio::test(start_paused = true)]
async fn refuses_a_stack_busy_with_another_operation_or_stuck_in_a_failed_rollback() {
    let assembly = one_stack_app("Network", "Hub");
    let s = "Network-Hub";
    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    expect_describe(
        &mut m,
        &mut seq,
        s,
        Ok(stack(s, "UPDATE_IN_PROGRESS", 1, &[])),
    );
    expect_describe_change_set(&mut m, &mut seq, &Name::default(), Err(not_found()));
    let err = deployer(vec![(HUB, m)])
        .deploy(&assembly)
        .await
        .unwrap_err();
    assert!(
        matches!(err, CloudFormationError::StackBusy { ref status, .. } if status == "UPDATE_IN_PROGRESS"),
        "{err}"
    );

    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    let mut failed = stack(s, "UPDATE_ROLLBACK_FAILED", 1, &[]);
    failed.status_reason = Some("Role X could not be deleted".to_owned());
    expect_describe(&mut m, &mut seq, s, Ok(failed));
    let err = deployer(vec![(HUB, m)])
        .deploy(&assembly)
        .await
        .unwrap_err();
    match err {
        CloudFormationError::StackNotUpdatable {
            stack,
            status,
            reason,
        } => {
            assert_eq!(
                (stack.as_str(), status.as_str()),
                (s, "UPDATE_ROLLBACK_FAILED")
            );
            assert_eq!(reason.as_deref(), Some("Role X could not be deleted"));
        }
        other => panic!("unexpected {other}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_rollback_complete_stack_is_deleted_then_created_again() {
    let assembly = one_stack_app("Network", "Hub");
    let s = "Network-Hub";
    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    let name = Name::default();
    expect_describe(
        &mut m,
        &mut seq,
        s,
        Ok(stack(s, "ROLLBACK_COMPLETE", 0, &[])),
    );
    m.expect_delete_stack()
        .withf(|st, token| st == "Network-Hub" && token.starts_with("landform-delete-"))
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(()));
    expect_describe(
        &mut m,
        &mut seq,
        s,
        Ok(stack(s, "DELETE_IN_PROGRESS", 0, &[])),
    );
    expect_describe(&mut m, &mut seq, s, Err(not_found()));
    // Gone: a CREATE change set, without looking for a leftover one.
    expect_create(
        &mut m,
        &mut seq,
        ChangeSetType::Create,
        BTreeMap::new(),
        &name,
    );
    expect_describe_change_set(
        &mut m,
        &mut seq,
        &name,
        Ok(change_set("CREATE_COMPLETE", "AVAILABLE", None)),
    );
    expect_execute(&mut m, &mut seq, &name);
    expect_describe(&mut m, &mut seq, s, Ok(stack(s, "CREATE_COMPLETE", 0, &[])));
    expect_own_events(&mut m, &mut seq, &name, vec![]);
    let report = deployer(vec![(HUB, m)])
        .deploy(&assembly)
        .await
        .expect("recreated");
    assert_eq!(report.stacks[0].outcome, StackOutcome::Created);
    let deleted = report
        .events
        .iter()
        .position(|e| matches!(e, DeployEvent::RollbackCompleteStackDeleted { .. }));
    let ready = report
        .events
        .iter()
        .position(|e| matches!(e, DeployEvent::ChangeSetReady { .. }));
    assert!(deleted.is_some() && deleted < ready, "{:?}", report.events);
}

#[tokio::test(start_paused = true)]
async fn a_create_change_set_refused_because_nothing_changes_is_no_change() {
    // moto (and older CloudFormation endpoints) refuse CreateChangeSet with
    // "No updates are to be performed" instead of making a FAILED change set.
    let assembly = one_stack_app("Network", "Hub");
    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    let name = Name::default();
    let s = "Network-Hub";
    expect_describe(
        &mut m,
        &mut seq,
        s,
        Ok(stack(s, "UPDATE_COMPLETE", 1, &[("Out", "v1")])),
    );
    expect_describe_change_set(&mut m, &mut seq, &name, Err(not_found()));
    m.expect_create_change_set()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| {
            Err(ProviderError::new(
                ErrorCode::InvalidRequest,
                "No updates are to be performed.",
            ))
        });
    // Neither DescribeChangeSet again nor ExecuteChangeSet: either fails the test.
    let report = deployer(vec![(HUB, m)])
        .deploy(&assembly)
        .await
        .expect("no changes");
    assert_eq!(report.stacks[0].outcome, StackOutcome::Unchanged);
    assert_eq!(report.stacks[0].outputs["Out"], "v1");
    assert!(report.events.contains(&DeployEvent::NoChanges {
        stack: s.to_owned()
    }));
}

#[tokio::test(start_paused = true)]
async fn any_other_create_change_set_refusal_names_the_stack_and_the_call() {
    let assembly = one_stack_app("Network", "Hub");
    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    let s = "Network-Hub";
    expect_describe(&mut m, &mut seq, s, Err(not_found()));
    m.expect_create_change_set()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| {
            Err(ProviderError::new(
                ErrorCode::InvalidRequest,
                "Template format error: Unresolved resource dependencies [Missing]",
            ))
        });
    let err = deployer(vec![(HUB, m)])
        .deploy(&assembly)
        .await
        .expect_err("refused");
    let text = err.to_string();
    assert!(text.contains("Network-Hub"), "{text}");
    assert!(text.contains("CreateChangeSet"), "{text}");
    assert!(text.contains("Unresolved resource dependencies"), "{text}");
}

/// Network-Hub is small; Big-Data holds `buckets` buckets of 50 long tags each (about
/// 17 KB of template per bucket).
fn app_with_a_large_second_stack(buckets: usize) -> Assembly {
    use landform_core::{App, Environment, Resource, Value};
    let mut app = App::new();
    let network = app.add_stage("Network", Environment::new(HUB, "us-east-1"));
    let hub = app.add_stack(network, "Hub");
    app.scope(hub)
        .add_resource("Bucket", Resource::new("AWS::S3::Bucket"));
    let big = app.add_stage("Big", Environment::new(HUB, "us-east-1"));
    let data = app.add_stack(big, "Data");
    for b in 0..buckets {
        let tags: Vec<Value> = (0..50)
            .map(|t| {
                Value::object([
                    ("Key", Value::from(format!("tag-{t}"))),
                    ("Value", Value::from("v".repeat(256))),
                ])
            })
            .collect();
        app.scope(data).add_resource(
            &format!("Bucket{b}"),
            Resource::new("AWS::S3::Bucket").property("Tags", Value::array(tags)),
        );
    }
    app.synth().expect("synth")
}

#[tokio::test(start_paused = true)]
async fn a_template_over_the_inline_limit_without_a_url_is_refused_before_any_call() {
    let assembly = app_with_a_large_second_stack(4);
    let bytes = Assembly::template_text(assembly.stack("Big-Data").unwrap()).len();
    assert!(bytes > MAX_TEMPLATE_BODY, "{bytes}");
    // No expectation at all: any call (even for the small first stack) fails the test.
    let err = deployer(vec![(HUB, MockCloudFormationApi::new())])
        .deploy(&assembly)
        .await
        .expect_err("refused");
    match err {
        CloudFormationError::TemplateTooLarge {
            stack,
            bytes: b,
            limit,
        } => {
            assert_eq!((stack.as_str(), b, limit), ("Big-Data", bytes, 51_200));
        }
        other => panic!("{other}"),
    }
}

#[tokio::test(start_paused = true)]
async fn throttled_stack_events_are_read_at_the_next_poll_not_a_failure() {
    let assembly = one_stack_app("Network", "Hub");
    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    let name = Name::default();
    let s = "Network-Hub";
    expect_describe(&mut m, &mut seq, s, Err(not_found()));
    expect_create(
        &mut m,
        &mut seq,
        ChangeSetType::Create,
        BTreeMap::new(),
        &name,
    );
    expect_describe_change_set(
        &mut m,
        &mut seq,
        &name,
        Ok(change_set("CREATE_COMPLETE", "AVAILABLE", None)),
    );
    expect_execute(&mut m, &mut seq, &name);
    expect_describe(
        &mut m,
        &mut seq,
        s,
        Ok(stack(s, "CREATE_IN_PROGRESS", 0, &[])),
    );
    m.expect_describe_stack_events()
        .times(1)
        .in_sequence(&mut seq)
        .return_once(|_, _| Err(ProviderError::new(ErrorCode::Throttling, "Rate exceeded")));
    expect_describe(&mut m, &mut seq, s, Ok(stack(s, "CREATE_COMPLETE", 1, &[])));
    expect_own_events(
        &mut m,
        &mut seq,
        &name,
        vec![
            ("e2", "Bucket", "CREATE_COMPLETE", None, true),
            ("e1", "Bucket", "CREATE_IN_PROGRESS", None, true),
        ],
    );
    let report = deployer(vec![(HUB, m)])
        .deploy(&assembly)
        .await
        .expect("a throttled events read does not fail the deploy");
    assert_eq!(report.stacks[0].outcome, StackOutcome::Created);
    // Both events reported once, when they could be read.
    assert_eq!(
        resource_events(&report.events),
        [
            ("Bucket".to_owned(), "CREATE_IN_PROGRESS".to_owned()),
            ("Bucket".to_owned(), "CREATE_COMPLETE".to_owned())
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn stack_events_refused_for_another_reason_are_an_error_naming_the_stack() {
    let assembly = one_stack_app("Network", "Hub");
    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    let name = Name::default();
    let s = "Network-Hub";
    expect_describe(&mut m, &mut seq, s, Err(not_found()));
    expect_create(
        &mut m,
        &mut seq,
        ChangeSetType::Create,
        BTreeMap::new(),
        &name,
    );
    expect_describe_change_set(
        &mut m,
        &mut seq,
        &name,
        Ok(change_set("CREATE_COMPLETE", "AVAILABLE", None)),
    );
    expect_execute(&mut m, &mut seq, &name);
    expect_describe(
        &mut m,
        &mut seq,
        s,
        Ok(stack(s, "CREATE_IN_PROGRESS", 0, &[])),
    );
    m.expect_describe_stack_events()
        .times(1)
        .in_sequence(&mut seq)
        .return_once(|_, _| Err(ProviderError::new(ErrorCode::AccessDenied, "not allowed")));
    let err = deployer(vec![(HUB, m)])
        .deploy(&assembly)
        .await
        .expect_err("refused");
    let text = err.to_string();
    assert!(
        text.contains("DescribeStackEvents") && text.contains(s),
        "{text}"
    );
}
