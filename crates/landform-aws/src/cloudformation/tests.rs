//! The change-set path against mocks: the exact CloudFormation call sequence per account.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use landform_core::{App, Assembly, Environment, Resource};
use landform_deploy::{ErrorCode, ProviderError};
use mockall::Sequence;

use super::*;
use crate::api::{
    ChangeSetDescription, ChangeSetType, MockCloudFormationApi, StackDescription, StackEvent,
    StackEventPage, TemplateSource,
};

pub(super) const HUB: &str = "111111111111";
pub(super) const WORKLOAD: &str = "222222222222";

/// Hands out one mock per account.
pub(super) struct Clients(pub BTreeMap<&'static str, Arc<dyn CloudFormationApi>>);

#[async_trait]
impl CloudFormationClients for Clients {
    async fn cloudformation(
        &self,
        account: &str,
        _region: &str,
    ) -> Result<Arc<dyn CloudFormationApi>, ProviderError> {
        self.0
            .get(account)
            .cloned()
            .ok_or_else(|| ProviderError::new(ErrorCode::AccessDenied, account.to_owned()))
    }
}

pub(super) fn deployer(
    clients: Vec<(&'static str, MockCloudFormationApi)>,
) -> CloudFormationDeployer {
    let map = clients
        .into_iter()
        .map(|(a, m)| (a, Arc::new(m) as Arc<dyn CloudFormationApi>))
        .collect();
    CloudFormationDeployer::new(Arc::new(Clients(map)), DeployOptions::default())
}

/// Network-Hub (account HUB) has a transit gateway; Workload-App (account WORKLOAD) reads
/// its id through a parameter the manifest wires to Network-Hub's output.
fn two_stack_app() -> Assembly {
    let mut app = App::new();
    let network = app.add_stage("Network", Environment::new(HUB, "us-east-1"));
    let hub = app.add_stack(network, "Hub");
    let tgw = app
        .scope(hub)
        .add_resource("Tgw", Resource::new("AWS::EC2::TransitGateway"));
    let workload = app.add_stage("Workload", Environment::new(WORKLOAD, "us-east-1"));
    let stack = app.add_stack(workload, "App");
    app.scope(stack).add_resource(
        "Attachment",
        Resource::new("AWS::EC2::TransitGatewayAttachment")
            .property("TransitGatewayId", tgw.ref_value()),
    );
    app.synth().expect("synth")
}

pub(super) fn one_stack_app(stage: &str, stack: &str) -> Assembly {
    let mut app = App::new();
    let s = app.add_stage(stage, Environment::new(HUB, "us-east-1"));
    let s = app.add_stack(s, stack);
    app.scope(s)
        .add_resource("Bucket", Resource::new("AWS::S3::Bucket"));
    app.synth().expect("synth")
}

fn not_found() -> ProviderError {
    ProviderError::new(ErrorCode::NotFound, "does not exist")
}

fn stack(name: &str, status: &str, updated: i64, outputs: &[(&str, &str)]) -> StackDescription {
    StackDescription {
        stack_id: format!("arn:aws:cloudformation:us-east-1:1:stack/{name}/1"),
        name: name.to_owned(),
        status: status.to_owned(),
        status_reason: None,
        last_updated_ms: Some(updated),
        outputs: outputs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn change_set(status: &str, execution: &str, reason: Option<&str>) -> ChangeSetDescription {
    ChangeSetDescription {
        id: "arn:changeset".to_owned(),
        status: status.to_owned(),
        execution_status: execution.to_owned(),
        status_reason: reason.map(str::to_owned),
        changes: if status == "CREATE_COMPLETE" {
            vec![ResourceChangeSummary {
                action: "Add".to_owned(),
                logical_id: "Tgw".to_owned(),
                ..Default::default()
            }]
        } else {
            Vec::new()
        },
    }
}

fn event(id: &str, logical: &str, status: &str, reason: Option<&str>, token: &str) -> StackEvent {
    StackEvent {
        event_id: id.to_owned(),
        logical_id: logical.to_owned(),
        resource_type: "AWS::S3::Bucket".to_owned(),
        status: status.to_owned(),
        reason: reason.map(str::to_owned),
        client_request_token: Some(token.to_owned()),
        timestamp_ms: 0,
    }
}

/// The name of the change set created (or first described), shared between expectations.
type Name = Arc<Mutex<String>>;

fn expect_describe(
    m: &mut MockCloudFormationApi,
    seq: &mut Sequence,
    name: &'static str,
    answer: Result<StackDescription, ProviderError>,
) {
    m.expect_describe_stack()
        .withf(move |s| s == name)
        .times(1)
        .in_sequence(seq)
        .return_once(move |_| answer);
}

fn expect_events(m: &mut MockCloudFormationApi, seq: &mut Sequence, events: Vec<StackEvent>) {
    m.expect_describe_stack_events()
        .times(1)
        .in_sequence(seq)
        .return_once(move |_, _| {
            Ok(StackEventPage {
                events,
                next_token: None,
            })
        });
}

/// CreateChangeSet of `kind`, recording the name; checks the parameters.
fn expect_create(
    m: &mut MockCloudFormationApi,
    seq: &mut Sequence,
    kind: ChangeSetType,
    parameters: BTreeMap<String, String>,
    name: &Name,
) {
    let name = name.clone();
    m.expect_create_change_set()
        .withf(move |spec| {
            spec.change_set_type == kind
                && spec.parameters == parameters
                && spec.capabilities == ["CAPABILITY_NAMED_IAM"]
                && spec.change_set_name.starts_with("landform-")
                && spec.client_token == spec.change_set_name
                && matches!(&spec.template, TemplateSource::Body(b) if b.contains("AWSTemplateFormatVersion"))
        })
        .times(1)
        .in_sequence(seq)
        .returning(move |spec| {
            *name.lock().unwrap() = spec.change_set_name.clone();
            Ok("arn:changeset".to_owned())
        });
}

fn expect_describe_change_set(
    m: &mut MockCloudFormationApi,
    seq: &mut Sequence,
    name: &Name,
    answer: Result<ChangeSetDescription, ProviderError>,
) {
    let name = name.clone();
    m.expect_describe_change_set()
        .times(1)
        .in_sequence(seq)
        .return_once(move |_, cs| {
            let mut n = name.lock().unwrap();
            if n.is_empty() {
                *n = cs.to_owned();
            }
            assert_eq!(*n, cs, "the change set described is the one created");
            answer
        });
}

fn expect_execute(m: &mut MockCloudFormationApi, seq: &mut Sequence, name: &Name) {
    let name = name.clone();
    m.expect_execute_change_set()
        .withf(move |_, cs, token| cs == *name.lock().unwrap() && token == cs)
        .times(1)
        .in_sequence(seq)
        .returning(|_, _, _| Ok(()));
}

/// A first create through to CREATE_COMPLETE with `outputs`.
fn expect_first_create(
    m: &mut MockCloudFormationApi,
    seq: &mut Sequence,
    stack_name: &'static str,
    parameters: BTreeMap<String, String>,
    outputs: &[(&str, &str)],
) -> Name {
    let name = Name::default();
    expect_describe(m, seq, stack_name, Err(not_found()));
    expect_create(m, seq, ChangeSetType::Create, parameters, &name);
    expect_describe_change_set(
        m,
        seq,
        &name,
        Ok(change_set("CREATE_IN_PROGRESS", "UNAVAILABLE", None)),
    );
    expect_describe_change_set(
        m,
        seq,
        &name,
        Ok(change_set("CREATE_COMPLETE", "AVAILABLE", None)),
    );
    expect_execute(m, seq, &name);
    expect_describe(
        m,
        seq,
        stack_name,
        Ok(stack(stack_name, "CREATE_IN_PROGRESS", 0, &[])),
    );
    expect_events(m, seq, vec![]);
    expect_describe(
        m,
        seq,
        stack_name,
        Ok(stack(stack_name, "CREATE_COMPLETE", 0, outputs)),
    );
    expect_events(m, seq, vec![]);
    name
}

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

    let report = deployer(vec![(HUB, hub), (WORKLOAD, workload)])
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

/// Events of the operation named `name` (own) or of an older one.
type E = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    bool,
);

fn expect_own_events(
    m: &mut MockCloudFormationApi,
    seq: &mut Sequence,
    name: &Name,
    events: Vec<E>,
) {
    let name = name.clone();
    m.expect_describe_stack_events()
        .withf(|_, next| next.is_none())
        .times(1)
        .in_sequence(seq)
        .return_once(move |_, _| {
            let token = name.lock().unwrap().clone();
            // Only a page reaching older operations says there is more: a deployer that
            // follows it past them fails on the missing expectation.
            let older = events.iter().any(|e| !e.4);
            Ok(StackEventPage {
                events: events
                    .into_iter()
                    .map(|(id, lid, status, reason, own)| {
                        event(id, lid, status, reason, if own { &token } else { "older" })
                    })
                    .collect(),
                next_token: older.then(|| "older-page".to_owned()),
            })
        });
}

fn resource_events(report_events: &[DeployEvent]) -> Vec<(String, String)> {
    report_events
        .iter()
        .filter_map(|e| match e {
            DeployEvent::Resource {
                logical_id, status, ..
            } => Some((logical_id.clone(), status.clone())),
            _ => None,
        })
        .collect()
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
async fn plan_describes_and_deletes_change_sets_without_executing() {
    let assembly = two_stack_app();
    let app = assembly.stack("Workload-App").unwrap();
    let source = app.parameters.values().next().unwrap().clone();
    let s = "Network-Hub";
    let mut hub = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    expect_describe(
        &mut hub,
        &mut seq,
        s,
        Ok(stack(s, "UPDATE_COMPLETE", 1, &[(&source.output, "tgw-1")])),
    );
    let name = Name::default();
    let created = name.clone();
    hub.expect_create_change_set()
        .withf(|spec| {
            spec.change_set_name.starts_with("landform-plan-")
                && spec.change_set_type == ChangeSetType::Update
        })
        .times(1)
        .in_sequence(&mut seq)
        .returning(move |spec| {
            *created.lock().unwrap() = spec.change_set_name.clone();
            Ok("arn".to_owned())
        });
    expect_describe_change_set(
        &mut hub,
        &mut seq,
        &name,
        Ok(change_set("CREATE_COMPLETE", "AVAILABLE", None)),
    );
    let deleted = name.clone();
    hub.expect_delete_change_set()
        .withf(move |_, cs| cs == *deleted.lock().unwrap())
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(()));
    let mut workload = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    expect_describe(&mut workload, &mut seq, "Workload-App", Err(not_found()));
    // No execute expectation on either account, and no change set for the new stack.
    let plans = deployer(vec![(HUB, hub), (WORKLOAD, workload)])
        .plan(&assembly)
        .await
        .expect("planned");
    assert_eq!(plans[0].status, PlanStatus::Update);
    assert_eq!(plans[0].changes[0].logical_id, "Tgw");
    assert_eq!(plans[1].status, PlanStatus::Create);
    assert_eq!(plans[1].account.as_deref(), Some(WORKLOAD));
    assert_eq!(plans[1].changes.len(), 1);
    assert_eq!(
        plans[1].changes[0].resource_type,
        "AWS::EC2::TransitGatewayAttachment"
    );
}

#[tokio::test(start_paused = true)]
async fn plan_of_a_stack_whose_producer_is_not_deployed_waits_for_it() {
    let assembly = two_stack_app();
    let mut hub = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    expect_describe(&mut hub, &mut seq, "Network-Hub", Err(not_found()));
    let mut workload = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    expect_describe(
        &mut workload,
        &mut seq,
        "Workload-App",
        Ok(stack("Workload-App", "CREATE_COMPLETE", 0, &[])),
    );
    let plans = deployer(vec![(HUB, hub), (WORKLOAD, workload)])
        .plan(&assembly)
        .await
        .expect("planned");
    assert_eq!(plans[0].status, PlanStatus::Create);
    assert!(
        matches!(&plans[1].status, PlanStatus::WaitsForUpstream { outputs } if outputs.len() == 1 && outputs[0].stack == "Network-Hub")
    );
}
