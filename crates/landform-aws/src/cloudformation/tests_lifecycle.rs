//! `destroy` and `drift` through CloudFormation, against mocked CloudFormation APIs (one per
//! account): the order of deletions, a deletion that fails, drift detection and its bound.
//! moto's CloudFormation has no drift detection (DetectStackDrift answers 500), so drift is
//! proven here only; destroy is also proven against moto (tests/cfn_engine_moto.rs).

use std::sync::{Arc, Mutex};

use landform_deploy::ErrorCode;

use super::tests::*;
use super::*;
use crate::api::{
    DriftDetection, MockCloudFormationApi, PropertyDrift, ResourceDrift, StackEvent, StackEventPage,
};

type Log = Arc<Mutex<Vec<String>>>;

/// A mock whose stack `name` exists until deleted, then is DELETE_IN_PROGRESS once and gone.
fn deletable(name: &'static str, log: &Log) -> MockCloudFormationApi {
    let mut api = MockCloudFormationApi::new();
    let phase = Arc::new(Mutex::new(0u8));
    let p = phase.clone();
    let l = log.clone();
    api.expect_describe_stack().returning(move |s| {
        assert_eq!(s, name);
        let mut phase = p.lock().unwrap();
        match *phase {
            0 => Ok(stack(name, "CREATE_COMPLETE", 1, &[])),
            1 => {
                *phase = 2;
                Ok(stack(name, "DELETE_IN_PROGRESS", 2, &[]))
            }
            _ => {
                l.lock().unwrap().push(format!("gone {name}"));
                Err(not_found())
            }
        }
    });
    let l = log.clone();
    api.expect_delete_stack()
        .times(1)
        .returning(move |s, token| {
            assert_eq!(s, name);
            assert!(token.starts_with("landform-destroy-"));
            l.lock().unwrap().push(format!("delete {name}"));
            *phase.lock().unwrap() = 1;
            Ok(())
        });
    api
}

#[tokio::test(start_paused = true)]
async fn destroy_deletes_a_reader_before_the_stack_it_reads_and_waits_for_each() {
    let log: Log = Arc::default();
    let deployer = deployer(vec![
        (HUB, deletable("Network-Hub", &log)),
        (WORKLOAD, deletable("Workload-App", &log)),
    ]);
    let report = deployer.destroy(&two_stack_app()).await.unwrap();
    assert_eq!(report.deleted, ["Workload-App", "Network-Hub"]);
    assert!(report.absent.is_empty());
    assert_eq!(
        *log.lock().unwrap(),
        [
            "delete Workload-App",
            "gone Workload-App",
            "delete Network-Hub",
            "gone Network-Hub"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_stack_that_fails_to_delete_names_the_resource_and_stops_the_rest() {
    let mut hub = MockCloudFormationApi::new();
    hub.expect_describe_stack()
        .returning(|_| Ok(stack("Network-Hub", "CREATE_COMPLETE", 1, &[])));
    hub.expect_delete_stack().never();
    let mut workload = MockCloudFormationApi::new();
    let deleting = Arc::new(Mutex::new(false));
    let d = deleting.clone();
    workload.expect_describe_stack().returning(move |_| {
        Ok(if *d.lock().unwrap() {
            stack("Workload-App", "DELETE_FAILED", 2, &[])
        } else {
            stack("Workload-App", "UPDATE_COMPLETE", 1, &[])
        })
    });
    workload
        .expect_delete_stack()
        .times(1)
        .returning(move |_, _| {
            *deleting.lock().unwrap() = true;
            Ok(())
        });
    workload.expect_describe_stack_events().returning(|_, _| {
        Ok(StackEventPage {
            events: vec![StackEvent {
                event_id: "e1".into(),
                logical_id: "Attachment".into(),
                resource_type: "AWS::EC2::TransitGatewayAttachment".into(),
                status: "DELETE_FAILED".into(),
                reason: Some("The attachment has routes pointing at it".into()),
                ..Default::default()
            }],
            next_token: None,
        })
    });
    let deployer = deployer(vec![(HUB, hub), (WORKLOAD, workload)]);
    let err = deployer.destroy(&two_stack_app()).await.unwrap_err();
    match &err {
        CloudFormationError::StackFailed {
            stack,
            status,
            resource,
            reason,
        } => {
            assert_eq!(stack, "Workload-App");
            assert_eq!(status, "DELETE_FAILED");
            assert_eq!(resource.as_deref(), Some("Attachment"));
            assert!(reason.contains("routes pointing"));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("Workload-App"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn destroy_skips_stacks_that_do_not_exist() {
    let mut hub = MockCloudFormationApi::new();
    hub.expect_describe_stack().returning(|_| Err(not_found()));
    hub.expect_delete_stack().never();
    let mut workload = MockCloudFormationApi::new();
    workload
        .expect_describe_stack()
        .returning(|_| Err(not_found()));
    workload.expect_delete_stack().never();
    let report = deployer(vec![(HUB, hub), (WORKLOAD, workload)])
        .destroy(&two_stack_app())
        .await
        .unwrap();
    assert!(report.deleted.is_empty());
    assert_eq!(report.absent, ["Network-Hub", "Workload-App"]);
}

#[tokio::test(start_paused = true)]
async fn drift_reports_the_resources_cloudformation_found_drifted() {
    let mut hub = MockCloudFormationApi::new();
    hub.expect_describe_stack()
        .returning(|_| Ok(stack("Network-Hub", "CREATE_COMPLETE", 1, &[])));
    hub.expect_detect_stack_drift()
        .times(1)
        .returning(|_| Ok("detection-1".into()));
    let polls = Arc::new(Mutex::new(0));
    hub.expect_describe_stack_drift_detection_status()
        .returning(move |id| {
            assert_eq!(id, "detection-1");
            let mut n = polls.lock().unwrap();
            *n += 1;
            Ok(if *n < 3 {
                DriftDetection {
                    status: "DETECTION_IN_PROGRESS".into(),
                    ..Default::default()
                }
            } else {
                DriftDetection {
                    status: "DETECTION_COMPLETE".into(),
                    drift_status: Some("DRIFTED".into()),
                    reason: None,
                }
            })
        });
    hub.expect_describe_stack_resource_drifts()
        .times(1)
        .returning(|_| {
            Ok(vec![ResourceDrift {
                logical_id: "Tgw".into(),
                physical_id: Some("tgw-1".into()),
                resource_type: "AWS::EC2::TransitGateway".into(),
                status: "MODIFIED".into(),
                differences: vec![PropertyDrift {
                    path: "/DnsSupport".into(),
                    difference: "NOT_EQUAL".into(),
                    expected: Some("enable".into()),
                    actual: Some("disable".into()),
                }],
            }])
        });
    // The workload stack does not exist: nothing to detect.
    let mut workload = MockCloudFormationApi::new();
    workload
        .expect_describe_stack()
        .returning(|_| Err(not_found()));
    workload.expect_detect_stack_drift().never();
    let drifts = deployer(vec![(HUB, hub), (WORKLOAD, workload)])
        .drift(&two_stack_app())
        .await
        .unwrap();
    assert_eq!(drifts.len(), 1);
    assert_eq!(drifts[0].stack, "Network-Hub");
    assert_eq!(drifts[0].status, "DRIFTED");
    assert_eq!(drifts[0].resources[0].differences[0].path, "/DnsSupport");
}

#[tokio::test(start_paused = true)]
async fn a_drift_detection_that_never_ends_is_a_timeout_not_a_hang() {
    let mut hub = MockCloudFormationApi::new();
    hub.expect_describe_stack()
        .returning(|_| Ok(stack("Network-Hub", "CREATE_COMPLETE", 1, &[])));
    hub.expect_detect_stack_drift()
        .returning(|_| Ok("detection-1".into()));
    hub.expect_describe_stack_drift_detection_status()
        .returning(|_| {
            Ok(DriftDetection {
                status: "DETECTION_IN_PROGRESS".into(),
                ..Default::default()
            })
        });
    let mut workload = MockCloudFormationApi::new();
    workload
        .expect_describe_stack()
        .returning(|_| Err(not_found()));
    let err = deployer(vec![(HUB, hub), (WORKLOAD, workload)])
        .drift(&two_stack_app())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CloudFormationError::Timeout { stack, what: "drift detection", .. } if stack == "Network-Hub"),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn throttled_drift_detection_is_an_error_with_the_code_not_a_panic() {
    let mut hub = MockCloudFormationApi::new();
    hub.expect_describe_stack()
        .returning(|_| Ok(stack("Network-Hub", "CREATE_COMPLETE", 1, &[])));
    hub.expect_detect_stack_drift().returning(|_| {
        Err(landform_deploy::ProviderError::new(
            ErrorCode::Throttling,
            "Rate exceeded",
        ))
    });
    let mut workload = MockCloudFormationApi::new();
    workload
        .expect_describe_stack()
        .returning(|_| Err(not_found()));
    let err = deployer(vec![(HUB, hub), (WORKLOAD, workload)])
        .drift(&two_stack_app())
        .await
        .unwrap_err();
    match err {
        CloudFormationError::Call {
            operation, source, ..
        } => {
            assert_eq!(operation, "DetectStackDrift");
            assert_eq!(source.code, ErrorCode::Throttling);
        }
        other => panic!("{other:?}"),
    }
}
