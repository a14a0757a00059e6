//! Fixtures and mock expectations shared by the deployer tests.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use landform_core::{App, Assembly, Environment, Resource};
use landform_deploy::{ErrorCode, ProviderError};
use mockall::Sequence;

use super::*;
use crate::api::{
    ChangeSetDescription, ChangeSetType, Ec2Api, MockCloudFormationApi, MockEc2Api,
    StackDescription, StackEvent, StackEventPage, TemplateSource,
};

pub(super) const HUB: &str = "111111111111";
pub(super) const WORKLOAD: &str = "222222222222";

/// Hands out one mock per account (and an EC2 mock per account that has one).
pub(super) struct Clients(
    pub BTreeMap<&'static str, Arc<dyn CloudFormationApi>>,
    pub BTreeMap<&'static str, Arc<dyn Ec2Api>>,
);

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

    async fn ec2(&self, account: &str, _region: &str) -> Result<Arc<dyn Ec2Api>, ProviderError> {
        self.1
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
    CloudFormationDeployer::new(
        Arc::new(Clients(map, BTreeMap::new())),
        DeployOptions::default(),
    )
}

/// A deployer over CloudFormation mocks and EC2 mocks, one per account.
pub(super) fn deployer_with_ec2(
    clients: Vec<(&'static str, MockCloudFormationApi)>,
    ec2: Vec<(&'static str, MockEc2Api)>,
) -> CloudFormationDeployer {
    let map = clients
        .into_iter()
        .map(|(a, m)| (a, Arc::new(m) as Arc<dyn CloudFormationApi>))
        .collect();
    let ec2 = ec2
        .into_iter()
        .map(|(a, m)| (a, Arc::new(m) as Arc<dyn Ec2Api>))
        .collect();
    CloudFormationDeployer::new(Arc::new(Clients(map, ec2)), DeployOptions::default())
}

/// The logical id of Workload-App's attachment in [`two_stack_app`].
pub(super) fn attachment_logical_id(assembly: &Assembly) -> String {
    let app = assembly.stack("Workload-App").expect("Workload-App");
    app.resources
        .iter()
        .find(|(_, r)| r.type_name.as_ref() == "AWS::EC2::TransitGatewayAttachment")
        .map(|(l, _)| l.clone())
        .expect("an attachment")
}

/// An attachment of the hub's gateway as its owner's DescribeTransitGatewayVpcAttachments
/// answers.
pub(super) fn attachment(id: &str, state: &str) -> crate::api::VpcAttachmentInfo {
    crate::api::VpcAttachmentInfo {
        id: id.to_owned(),
        transit_gateway_id: "tgw-0abc".to_owned(),
        vpc_id: "vpc-0a1b2c3d4e5f60001".to_owned(),
        state: state.to_owned(),
        ..Default::default()
    }
}

/// Network-Hub (account HUB) has a transit gateway; Workload-App (account WORKLOAD) reads
/// its id through a parameter the manifest wires to Network-Hub's output.
pub(super) fn two_stack_app() -> Assembly {
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
            .property("TransitGatewayId", tgw.ref_value())
            .property("VpcId", "vpc-0a1b2c3d4e5f60001")
            .property(
                "SubnetIds",
                landform_core::Value::array(["subnet-0a1b2c3d4e5f60001".into()]),
            ),
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

pub(super) fn not_found() -> ProviderError {
    ProviderError::new(ErrorCode::NotFound, "does not exist")
}

pub(super) fn stack(
    name: &str,
    status: &str,
    updated: i64,
    outputs: &[(&str, &str)],
) -> StackDescription {
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

pub(super) fn change_set(
    status: &str,
    execution: &str,
    reason: Option<&str>,
) -> ChangeSetDescription {
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

pub(super) fn event(
    id: &str,
    logical: &str,
    status: &str,
    reason: Option<&str>,
    token: &str,
) -> StackEvent {
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
pub(super) type Name = Arc<Mutex<String>>;

pub(super) fn expect_describe(
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

pub(super) fn expect_events(
    m: &mut MockCloudFormationApi,
    seq: &mut Sequence,
    events: Vec<StackEvent>,
) {
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
pub(super) fn expect_create(
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

pub(super) fn expect_describe_change_set(
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

pub(super) fn expect_execute(m: &mut MockCloudFormationApi, seq: &mut Sequence, name: &Name) {
    let name = name.clone();
    m.expect_execute_change_set()
        .withf(move |_, cs, token| cs == *name.lock().unwrap() && token == cs)
        .times(1)
        .in_sequence(seq)
        .returning(|_, _, _| Ok(()));
}

/// A first create through to CREATE_COMPLETE with `outputs`.
pub(super) fn expect_first_create(
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

/// Events of the operation named `name` (own) or of an older one.
pub(super) type E = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    bool,
);

pub(super) fn expect_own_events(
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

pub(super) fn resource_events(report_events: &[DeployEvent]) -> Vec<(String, String)> {
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
