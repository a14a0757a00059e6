//! Accepting a stack's transit gateway attachments in the gateway owner's account, against
//! mocks: which attachments are accepted, once, by whom; a re-run that finds one left
//! pending; an attachment that cannot become available; no session in the owner's account.
//! The whole House Escort path is proven on moto in tests/cfn_layouts_moto.rs.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use landform_core::{App, Environment, Resource};
use mockall::Sequence;

use super::accept::{acceptances, Acceptance};
use super::tests::*;
use super::*;
use crate::api::{ChangeSetType, MockCloudFormationApi, MockEc2Api};

/// The hub's output Workload-App reads, and the parameter it fills.
fn wiring(assembly: &landform_core::Assembly) -> (String, String) {
    let app = assembly.stack("Workload-App").unwrap();
    let (parameter, source) = app.parameters.iter().next().unwrap();
    (parameter.clone(), source.output.clone())
}

/// Network-Hub created with the gateway id as its output.
fn hub_created(output: &str) -> MockCloudFormationApi {
    let mut hub = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    expect_first_create(
        &mut hub,
        &mut seq,
        "Network-Hub",
        BTreeMap::new(),
        &[(output, "tgw-0abc")],
    );
    hub
}

/// Workload-App's CloudFormation: created (or, `unchanged`, already up to date), its
/// attachment's physical id `tgw-attach-1` once asked for.
fn workload(assembly: &landform_core::Assembly, unchanged: bool) -> MockCloudFormationApi {
    let (parameter, _) = wiring(assembly);
    let mut m = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    let wanted = BTreeMap::from([(parameter, "tgw-0abc".to_owned())]);
    if unchanged {
        let s = "Workload-App";
        let name = Name::default();
        expect_describe(&mut m, &mut seq, s, Ok(stack(s, "CREATE_COMPLETE", 1, &[])));
        expect_describe_change_set(&mut m, &mut seq, &name, Err(not_found()));
        expect_create(&mut m, &mut seq, ChangeSetType::Update, wanted, &name);
        let reason = "The submitted information didn't contain changes.";
        expect_describe_change_set(
            &mut m,
            &mut seq,
            &name,
            Ok(change_set("FAILED", "UNAVAILABLE", Some(reason))),
        );
        m.expect_delete_change_set()
            .times(1)
            .returning(|_, _| Ok(()));
    } else {
        expect_first_create(&mut m, &mut seq, "Workload-App", wanted, &[]);
    }
    let logical = attachment_logical_id(assembly);
    m.expect_describe_stack_resource()
        .withf(move |s, l| s == "Workload-App" && l == logical)
        .returning(|_, _| Ok(Some("tgw-attach-1".to_owned())));
    m
}

/// The hub's EC2: `tgw-attach-1` answers `states` in turn (the last one from then on),
/// turning `available` once accepted; counts the acceptances.
fn hub_ec2(states: &'static [&'static str], accepted: &Arc<AtomicUsize>) -> MockEc2Api {
    let mut ec2 = MockEc2Api::new();
    let asked = Arc::new(AtomicUsize::new(0));
    let seen = accepted.clone();
    ec2.expect_describe_transit_gateway_vpc_attachments()
        .withf(|ids, filters| *ids == ["tgw-attach-1"] && filters.is_empty())
        .returning(move |_, _| {
            let n = asked.fetch_add(1, Ordering::SeqCst);
            let state = if seen.load(Ordering::SeqCst) > 0 {
                "available"
            } else {
                states[n.min(states.len() - 1)]
            };
            Ok(vec![attachment("tgw-attach-1", state)])
        });
    let count = accepted.clone();
    ec2.expect_accept_transit_gateway_vpc_attachment()
        .withf(|id| id == "tgw-attach-1")
        .returning(move |_| {
            count.fetch_add(1, Ordering::SeqCst);
            Ok(())
        });
    ec2
}

#[test]
fn only_attachments_to_a_gateway_deployed_in_another_account_are_the_deployers_to_accept() {
    let assembly = two_stack_app();
    let app = assembly.stack("Workload-App").unwrap();
    let hub = BTreeMap::from([("Network-Hub".to_owned(), HUB.to_owned())]);
    assert_eq!(
        acceptances(app, WORKLOAD, &hub),
        [Acceptance {
            logical_id: attachment_logical_id(&assembly),
            owner: HUB.to_owned()
        }]
    );
    // Its own gateway: nothing to accept across accounts.
    assert!(acceptances(app, HUB, &hub).is_empty());
    // A stack with no attachment.
    assert!(acceptances(assembly.stack("Network-Hub").unwrap(), HUB, &hub).is_empty());

    // A gateway id written literally is not the app's: its owner accepts it.
    let mut other = App::new();
    let stage = other.add_stage("Workload", Environment::new(WORKLOAD, "us-east-1"));
    let stack = other.add_stack(stage, "App");
    other.scope(stack).add_resource(
        "Attachment",
        Resource::new("AWS::EC2::TransitGatewayAttachment")
            .property("TransitGatewayId", "tgw-0123456789abcdef0")
            .property("VpcId", "vpc-0a1b2c3d4e5f60001")
            .property(
                "SubnetIds",
                landform_core::Value::array(["subnet-0a1b2c3d4e5f60001".into()]),
            ),
    );
    let literal = other.synth().unwrap();
    assert!(acceptances(&literal.stacks()[0], WORKLOAD, &hub).is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_attachment_waiting_for_acceptance_is_accepted_once_by_the_gateways_owner() {
    let assembly = two_stack_app();
    let (_, output) = wiring(&assembly);
    let accepted = Arc::new(AtomicUsize::new(0));
    let report = deployer_with_ec2(
        vec![
            (HUB, hub_created(&output)),
            (WORKLOAD, workload(&assembly, false)),
        ],
        vec![(HUB, hub_ec2(&["pending", "pendingAcceptance"], &accepted))],
    )
    .deploy(&assembly)
    .await
    .expect("deployed");
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
    let accepted_events: Vec<&DeployEvent> = report
        .events
        .iter()
        .filter(|e| matches!(e, DeployEvent::AttachmentAccepted { .. }))
        .collect();
    assert_eq!(
        accepted_events,
        [&DeployEvent::AttachmentAccepted {
            stack: "Workload-App".to_owned(),
            logical_id: attachment_logical_id(&assembly),
            attachment: "tgw-attach-1".to_owned(),
            owner: HUB.to_owned(),
        }]
    );
}

#[tokio::test(start_paused = true)]
async fn a_rerun_accepts_an_attachment_an_interrupted_run_left_pending_on_an_unchanged_stack() {
    let assembly = two_stack_app();
    let (_, output) = wiring(&assembly);
    let mut hub = MockCloudFormationApi::new();
    let mut seq = Sequence::new();
    let s = "Network-Hub";
    let name = Name::default();
    expect_describe(
        &mut hub,
        &mut seq,
        s,
        Ok(stack(s, "CREATE_COMPLETE", 1, &[(&output, "tgw-0abc")])),
    );
    expect_describe_change_set(&mut hub, &mut seq, &name, Err(not_found()));
    expect_create(
        &mut hub,
        &mut seq,
        ChangeSetType::Update,
        BTreeMap::new(),
        &name,
    );
    let reason = "The submitted information didn't contain changes.";
    expect_describe_change_set(
        &mut hub,
        &mut seq,
        &name,
        Ok(change_set("FAILED", "UNAVAILABLE", Some(reason))),
    );
    hub.expect_delete_change_set()
        .times(1)
        .returning(|_, _| Ok(()));

    let accepted = Arc::new(AtomicUsize::new(0));
    let report = deployer_with_ec2(
        vec![(HUB, hub), (WORKLOAD, workload(&assembly, true))],
        vec![(HUB, hub_ec2(&["pendingAcceptance"], &accepted))],
    )
    .deploy(&assembly)
    .await
    .expect("deployed");
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
    assert!(report
        .stacks
        .iter()
        .all(|s| s.outcome == StackOutcome::Unchanged));
}

#[tokio::test(start_paused = true)]
async fn an_available_attachment_is_not_accepted_again() {
    let assembly = two_stack_app();
    let (_, output) = wiring(&assembly);
    let accepted = Arc::new(AtomicUsize::new(0));
    deployer_with_ec2(
        vec![
            (HUB, hub_created(&output)),
            (WORKLOAD, workload(&assembly, false)),
        ],
        vec![(HUB, hub_ec2(&["available"], &accepted))],
    )
    .deploy(&assembly)
    .await
    .expect("deployed");
    assert_eq!(accepted.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn a_rejected_attachment_is_a_typed_error_naming_the_stack_the_attachment_and_the_owner() {
    let assembly = two_stack_app();
    let (_, output) = wiring(&assembly);
    let accepted = Arc::new(AtomicUsize::new(0));
    let err = deployer_with_ec2(
        vec![
            (HUB, hub_created(&output)),
            (WORKLOAD, workload(&assembly, false)),
        ],
        vec![(HUB, hub_ec2(&["rejected"], &accepted))],
    )
    .deploy(&assembly)
    .await
    .unwrap_err();
    match &err {
        CloudFormationError::AttachmentNotAccepted {
            stack,
            logical_id,
            attachment,
            owner,
            reason,
        } => {
            assert_eq!(stack, "Workload-App");
            assert_eq!(*logical_id, attachment_logical_id(&assembly));
            assert_eq!(attachment, "tgw-attach-1");
            assert_eq!(owner, HUB);
            assert!(reason.contains("rejected"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn an_attachment_that_never_becomes_available_ends_in_a_bounded_wait() {
    let assembly = two_stack_app();
    let (_, output) = wiring(&assembly);
    let accepted = Arc::new(AtomicUsize::new(0));
    let started = tokio::time::Instant::now();
    let err = deployer_with_ec2(
        vec![
            (HUB, hub_created(&output)),
            (WORKLOAD, workload(&assembly, false)),
        ],
        vec![(HUB, hub_ec2(&["pending"], &accepted))],
    )
    .deploy(&assembly)
    .await
    .unwrap_err();
    match &err {
        CloudFormationError::Timeout {
            stack,
            what,
            status,
            ..
        } => {
            assert_eq!(stack, "Workload-App");
            assert_eq!(*what, "transit gateway attachment acceptance");
            assert!(
                status.contains(&attachment_logical_id(&assembly)),
                "{status}"
            );
        }
        other => panic!("{other:?}"),
    }
    let waited = started.elapsed();
    let limit = DeployOptions::default().timeout;
    assert!(waited >= limit && waited < limit * 2, "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn without_a_session_in_the_owners_account_the_error_says_so() {
    let assembly = two_stack_app();
    let (_, output) = wiring(&assembly);
    let err = deployer_with_ec2(
        vec![
            (HUB, hub_created(&output)),
            (WORKLOAD, workload(&assembly, false)),
        ],
        vec![],
    )
    .deploy(&assembly)
    .await
    .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, CloudFormationError::AttachmentNotAccepted { .. }),
        "{err:?}"
    );
    assert!(
        text.contains("no EC2 session in the owner's account"),
        "{text}"
    );
    assert!(
        text.contains(HUB) && text.contains("Workload-App"),
        "{text}"
    );
}
