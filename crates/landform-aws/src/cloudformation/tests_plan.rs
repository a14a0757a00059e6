//! The plan path against mocks: change sets described and deleted, never executed.

use mockall::Sequence;

use super::tests::*;
use super::*;
use crate::api::{ChangeSetType, MockCloudFormationApi};

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
