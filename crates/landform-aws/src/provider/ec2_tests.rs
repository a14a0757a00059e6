//! Unit tests of the networking family against a mocked [`Ec2Api`].

use std::sync::Arc;

use landform_deploy::{CreateRequest, ErrorCode, ProviderError, Session, UpdateRequest};
use mockall::predicate::eq;
use serde_json::json;

use super::*;
use crate::api::{
    DynamoDbApi, IamApi, MockEc2Api, OrganizationsApi, RamApi, RouteInfo, RouteTableInfo,
    RouteTableLink, RouteTarget, S3Api, SubnetInfo, TransitGatewayRouteInfo, VpcAttachmentInfo,
    VpcAttribute, VpcInfo,
};

/// Hands out the mocks; every other client is an error.
pub(crate) struct Mocks {
    pub ec2: Option<Arc<dyn Ec2Api>>,
    pub ram: Option<Arc<dyn RamApi>>,
    /// EC2 in other accounts than the session's, by account id.
    pub ec2_in: Vec<(String, Arc<dyn Ec2Api>)>,
}

fn none() -> ProviderError {
    ProviderError::new(ErrorCode::InvalidRequest, "no such mock")
}

#[async_trait]
impl ClientSource for Mocks {
    async fn s3(&self, _: &Session) -> Result<Arc<dyn S3Api>, ProviderError> {
        Err(none())
    }
    async fn dynamodb(&self, _: &Session) -> Result<Arc<dyn DynamoDbApi>, ProviderError> {
        Err(none())
    }
    async fn iam(&self, _: &Session) -> Result<Arc<dyn IamApi>, ProviderError> {
        Err(none())
    }
    async fn organizations(&self, _: &Session) -> Result<Arc<dyn OrganizationsApi>, ProviderError> {
        Err(none())
    }
    async fn ec2(&self, session: &Session) -> Result<Arc<dyn Ec2Api>, ProviderError> {
        match self.ec2_in.iter().find(|(a, _)| *a == session.account_id) {
            Some((_, ec2)) => Ok(ec2.clone()),
            None => self.ec2.clone().ok_or_else(none),
        }
    }
    async fn ram(&self, _: &Session) -> Result<Arc<dyn RamApi>, ProviderError> {
        self.ram.clone().ok_or_else(none)
    }
}

fn clients(ec2: MockEc2Api) -> Mocks {
    Mocks {
        ec2: Some(Arc::new(ec2)),
        ram: None,
        ec2_in: vec![],
    }
}

fn session() -> Session {
    Session::new("111111111111", "us-east-1")
}

fn request(type_name: &str, properties: serde_json::Value) -> CreateRequest {
    CreateRequest {
        type_name: type_name.into(),
        stack: "Net".into(),
        logical_id: "It".into(),
        properties,
        physical_name: "Net-It".into(),
        idempotency_key: "Net/It".into(),
    }
}

fn update(
    type_name: &str,
    id: &str,
    previous: serde_json::Value,
    next: serde_json::Value,
) -> UpdateRequest {
    UpdateRequest {
        type_name: type_name.into(),
        physical_id: id.into(),
        previous,
        properties: next,
    }
}

fn vpc(id: &str, state: &str, tags: Vec<Tag>) -> VpcInfo {
    VpcInfo {
        id: id.into(),
        cidr_block: "10.0.0.0/16".into(),
        state: state.into(),
        instance_tenancy: Some("default".into()),
        tags,
        ..VpcInfo::default()
    }
}

fn expect_vpc_reads(ec2: &mut MockEc2Api) {
    ec2.expect_vpc_attribute()
        .with(eq("vpc-2"), eq(VpcAttribute::EnableDnsSupport))
        .returning(|_, _| Ok(true));
    ec2.expect_vpc_attribute()
        .with(eq("vpc-2"), eq(VpcAttribute::EnableDnsHostnames))
        .returning(|_, _| Ok(true));
    ec2.expect_default_security_group()
        .returning(|_| Ok(Some("sg-1".into())));
    ec2.expect_describe_network_acls().returning(|_| Ok(vec![]));
}

#[tokio::test]
async fn find_adopts_only_the_vpc_tagged_with_the_idempotency_key() {
    let mut ec2 = MockEc2Api::new();
    let ours = vec![(IDEMPOTENCY_TAG.to_owned(), "Net/It".to_owned())];
    let theirs = vec![(IDEMPOTENCY_TAG.to_owned(), "Other/It".to_owned())];
    // moto ignores some tag filters: the answer may hold VPCs of other keys.
    ec2.expect_describe_vpcs()
        .withf(|ids, filters| ids.is_empty() && filters == &idempotency_filter("Net/It"))
        .times(1)
        .returning(move |_, _| {
            Ok(vec![
                vpc("vpc-1", "available", theirs.clone()),
                vpc("vpc-2", "available", ours.clone()),
            ])
        });
    ec2.expect_describe_vpcs()
        .withf(|ids, _| ids == &["vpc-2".to_owned()])
        .returning(|_, _| Ok(vec![vpc("vpc-2", "available", vec![])]));
    expect_vpc_reads(&mut ec2);
    ec2.expect_create_vpc().never();
    let found = Ec2
        .find(
            &clients(ec2),
            &session(),
            &request("AWS::EC2::VPC", json!({"CidrBlock": "10.0.0.0/16"})),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.physical_id, "vpc-2");
    assert_eq!(found.attributes["DefaultSecurityGroup"], json!("sg-1"));
}

#[tokio::test(start_paused = true)]
async fn create_vpc_tags_it_waits_until_available_and_sets_only_non_default_dns() {
    let mut ec2 = MockEc2Api::new();
    ec2.expect_create_vpc()
        .withf(|cidr, _, tags| {
            cidr == "10.0.0.0/16"
                && tags.contains(&("Name".into(), "spoke".into()))
                && tags.contains(&(IDEMPOTENCY_TAG.into(), "Net/It".into()))
        })
        .times(1)
        .returning(|_, _, _| Ok(vpc("vpc-2", "pending", vec![])));
    let mut answers = vec!["available", "pending"];
    ec2.expect_describe_vpcs().returning(move |_, _| {
        Ok(vec![vpc(
            "vpc-2",
            answers.pop().unwrap_or("available"),
            vec![],
        )])
    });
    // DNS support is on by default: only hostnames are changed.
    ec2.expect_modify_vpc_attribute()
        .with(eq("vpc-2"), eq(VpcAttribute::EnableDnsHostnames), eq(true))
        .times(1)
        .returning(|_, _, _| Ok(()));
    expect_vpc_reads(&mut ec2);
    let props = json!({
        "CidrBlock": "10.0.0.0/16",
        "EnableDnsSupport": true,
        "EnableDnsHostnames": true,
        "Tags": [{"Key": "Name", "Value": "spoke"}],
    });
    let state = Ec2
        .create(
            &clients(ec2),
            &session(),
            &request("AWS::EC2::VPC", props.clone()),
        )
        .await
        .unwrap();
    assert_eq!(state.physical_id, "vpc-2");
    assert_eq!(state.properties, props);
}

#[tokio::test(start_paused = true)]
async fn a_subnet_that_never_becomes_available_fails_after_the_cap() {
    let mut ec2 = MockEc2Api::new();
    ec2.expect_create_subnet().returning(|_| {
        Ok(SubnetInfo {
            id: "subnet-1".into(),
            state: "pending".into(),
            ..SubnetInfo::default()
        })
    });
    ec2.expect_describe_subnets()
        .times(WAIT_ATTEMPTS as usize)
        .returning(|_, _| {
            Ok(vec![SubnetInfo {
                id: "subnet-1".into(),
                state: "pending".into(),
                ..SubnetInfo::default()
            }])
        });
    let err = Ec2
        .create(
            &clients(ec2),
            &session(),
            &request(
                "AWS::EC2::Subnet",
                json!({"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/24"}),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(err.service_code.as_deref(), Some("NotStabilized"));
    assert!(err.message.contains("subnet-1"), "{}", err.message);
}

fn table_with_route(target: RouteTarget) -> RouteTableInfo {
    RouteTableInfo {
        id: "rtb-1".into(),
        vpc_id: "vpc-1".into(),
        routes: vec![RouteInfo {
            destination_cidr_block: Some("10.0.0.0/8".into()),
            target,
            state: "active".into(),
        }],
        ..RouteTableInfo::default()
    }
}

#[tokio::test]
async fn a_route_target_change_replaces_the_route_and_a_destination_change_is_refused() {
    let mut ec2 = MockEc2Api::new();
    ec2.expect_replace_route()
        .withf(|t, d, target| {
            t == "rtb-1"
                && d == "10.0.0.0/8"
                && target.transit_gateway_id.as_deref() == Some("tgw-2")
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    let c = clients(ec2);
    let before = json!({"RouteTableId": "rtb-1", "DestinationCidrBlock": "10.0.0.0/8", "TransitGatewayId": "tgw-1"});
    let mut after = before.clone();
    after["TransitGatewayId"] = json!("tgw-2");
    Ec2.update(
        &c,
        &session(),
        &update("AWS::EC2::Route", "rtb-1|10.0.0.0/8", before.clone(), after),
    )
    .await
    .unwrap();
    let mut moved = before.clone();
    moved["DestinationCidrBlock"] = json!("10.1.0.0/16");
    let err = Ec2
        .update(
            &c,
            &session(),
            &update("AWS::EC2::Route", "rtb-1|10.0.0.0/8", before, moved),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotUpdatable);
    assert!(
        err.message.contains("DestinationCidrBlock"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn a_route_reads_back_its_target_and_is_found_by_its_natural_key() {
    let mut ec2 = MockEc2Api::new();
    ec2.expect_describe_route_tables()
        .withf(|ids, _| ids == &["rtb-1".to_owned()])
        .returning(|_, _| {
            Ok(vec![table_with_route(RouteTarget {
                transit_gateway_id: Some("tgw-1".into()),
                ..RouteTarget::default()
            })])
        });
    ec2.expect_create_route().never();
    let props = json!({"RouteTableId": "rtb-1", "DestinationCidrBlock": "10.0.0.0/8", "TransitGatewayId": "tgw-1"});
    let found = Ec2
        .find(
            &clients(ec2),
            &session(),
            &request("AWS::EC2::Route", props.clone()),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.physical_id, "rtb-1|10.0.0.0/8");
    assert_eq!(found.properties, props);
}

#[tokio::test]
async fn a_transit_gateway_route_reads_back_its_attachment_and_a_missing_one_is_not_found() {
    let mut ec2 = MockEc2Api::new();
    ec2.expect_search_transit_gateway_routes()
        .with(eq("tgw-rtb-1"), eq("10.0.0.0/16"))
        .returning(|_, _| {
            Ok(vec![TransitGatewayRouteInfo {
                destination_cidr_block: "10.0.0.0/16".into(),
                attachment_ids: vec!["tgw-attach-1".into()],
                route_type: "static".into(),
                state: "active".into(),
            }])
        });
    ec2.expect_search_transit_gateway_routes()
        .with(eq("tgw-rtb-1"), eq("10.9.0.0/16"))
        .returning(|_, _| Ok(vec![]));
    ec2.expect_delete_transit_gateway_route().never();
    let c = clients(ec2);
    let read = Ec2
        .read(
            &c,
            &session(),
            "AWS::EC2::TransitGatewayRoute",
            "tgw-rtb-1|10.0.0.0/16",
            &json!({}),
        )
        .await
        .unwrap();
    assert_eq!(
        read.properties,
        json!({
            "TransitGatewayRouteTableId": "tgw-rtb-1",
            "DestinationCidrBlock": "10.0.0.0/16",
            "TransitGatewayAttachmentId": "tgw-attach-1",
        })
    );
    let err = Ec2
        .delete(
            &c,
            &session(),
            "AWS::EC2::TransitGatewayRoute",
            "tgw-rtb-1|10.9.0.0/16",
            &json!({}),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
}

#[tokio::test(start_paused = true)]
async fn disassociating_waits_until_the_association_is_gone() {
    let mut ec2 = MockEc2Api::new();
    ec2.expect_unlink_route_table()
        .with(
            eq(RouteTableLink::Association),
            eq("tgw-rtb-1"),
            eq("tgw-attach-1"),
        )
        .times(1)
        .returning(|_, _, _| Ok(()));
    let mut answers = vec![None, Some("disassociating".to_owned())];
    ec2.expect_route_table_link()
        .times(2)
        .returning(move |_, _, _| Ok(answers.pop().flatten()));
    Ec2.delete(
        &clients(ec2),
        &session(),
        "AWS::EC2::TransitGatewayRouteTableAssociation",
        "tgw-rtb-1|tgw-attach-1",
        &json!({}),
    )
    .await
    .unwrap();
}

fn pending_attachment(state: &str) -> VpcAttachmentInfo {
    VpcAttachmentInfo {
        id: "tgw-attach-1".into(),
        transit_gateway_id: "tgw-1".into(),
        vpc_id: "vpc-1".into(),
        subnet_ids: vec!["subnet-b".into(), "subnet-a".into()],
        state: state.into(),
        tags: vec![(IDEMPOTENCY_TAG.into(), "Net/It".into())],
        ..VpcAttachmentInfo::default()
    }
}

/// The VPC account's EC2: the attachment answers `pendingAcceptance` until the hub's EC2
/// has accepted it, then `available`; the gateway is owned by 222222222222.
fn vpc_account_ec2(accepted: Arc<std::sync::atomic::AtomicBool>, creates: usize) -> MockEc2Api {
    use std::sync::atomic::Ordering;
    let mut ec2 = MockEc2Api::new();
    let a = pending_attachment("pendingAcceptance");
    ec2.expect_create_transit_gateway_vpc_attachment()
        .times(creates)
        .returning(move |_, _, _, _, _| Ok(a.clone()));
    ec2.expect_describe_transit_gateway_vpc_attachments()
        .returning(move |_, _| {
            let state = if accepted.load(Ordering::SeqCst) {
                "available"
            } else {
                "pendingAcceptance"
            };
            Ok(vec![pending_attachment(state)])
        });
    ec2.expect_describe_transit_gateways()
        .with(eq(vec!["tgw-1".to_owned()]), eq(vec![]))
        .returning(|_, _| {
            Ok(vec![crate::api::TransitGatewayInfo {
                id: "tgw-1".into(),
                owner_id: "222222222222".into(),
                state: "available".into(),
                ..Default::default()
            }])
        });
    // The answer carries the tags sent: no CreateTags.
    ec2.expect_create_tags().never();
    // Only the owner can accept.
    ec2.expect_accept_transit_gateway_vpc_attachment().never();
    ec2
}

/// The VPC account's EC2 (`creates` attachments made there) and the hub account's, which
/// accepts `tgw-attach-1` once; the flag tells whether it did.
fn vpc_and_hub(creates: usize) -> (Mocks, Arc<std::sync::atomic::AtomicBool>) {
    let accepted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut hub = MockEc2Api::new();
    let flag = accepted.clone();
    hub.expect_accept_transit_gateway_vpc_attachment()
        .with(eq("tgw-attach-1"))
        .times(1)
        .returning(move |_| {
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        });
    let mocks = Mocks {
        ec2: Some(Arc::new(vpc_account_ec2(accepted.clone(), creates))),
        ram: None,
        ec2_in: vec![("222222222222".into(), Arc::new(hub))],
    };
    (mocks, accepted)
}

#[tokio::test(start_paused = true)]
async fn an_attachment_to_a_shared_gateway_is_accepted_by_the_owner_and_reads_back_in_order() {
    let (c, accepted) = vpc_and_hub(1);
    let props = json!({"TransitGatewayId": "tgw-1", "VpcId": "vpc-1", "SubnetIds": ["subnet-a", "subnet-b"]});
    let state = Ec2
        .create(
            &c,
            &session(),
            &request("AWS::EC2::TransitGatewayAttachment", props.clone()),
        )
        .await
        .unwrap();
    assert_eq!(state.physical_id, "tgw-attach-1");
    assert!(accepted.load(std::sync::atomic::Ordering::SeqCst));
    let read = Ec2
        .read(
            &c,
            &session(),
            "AWS::EC2::TransitGatewayAttachment",
            "tgw-attach-1",
            &props,
        )
        .await
        .unwrap();
    assert_eq!(read.properties, props);
}

#[tokio::test(start_paused = true)]
async fn a_create_cut_short_before_the_acceptance_is_accepted_when_found() {
    let (c, accepted) = vpc_and_hub(0);
    let props = json!({"TransitGatewayId": "tgw-1", "VpcId": "vpc-1", "SubnetIds": ["subnet-a", "subnet-b"]});
    let found = Ec2
        .find(
            &c,
            &session(),
            &request("AWS::EC2::TransitGatewayAttachment", props),
        )
        .await
        .unwrap()
        .expect("the tagged attachment is found");
    assert_eq!(found.physical_id, "tgw-attach-1");
    assert!(accepted.load(std::sync::atomic::Ordering::SeqCst));
}

#[tokio::test(start_paused = true)]
async fn an_unaccepted_attachment_whose_owner_is_unknown_is_an_error_naming_it() {
    let mut ec2 = MockEc2Api::new();
    ec2.expect_create_transit_gateway_vpc_attachment()
        .returning(|_, _, _, _, _| Ok(pending_attachment("pendingAcceptance")));
    ec2.expect_describe_transit_gateway_vpc_attachments()
        .returning(|_, _| Ok(vec![pending_attachment("pendingAcceptance")]));
    ec2.expect_describe_transit_gateways().returning(|_, _| {
        Ok(vec![crate::api::TransitGatewayInfo {
            id: "tgw-1".into(),
            ..Default::default()
        }])
    });
    let props = json!({"TransitGatewayId": "tgw-1", "VpcId": "vpc-1", "SubnetIds": ["subnet-a"]});
    let err = Ec2
        .create(
            &clients(ec2),
            &session(),
            &request("AWS::EC2::TransitGatewayAttachment", props),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::ResourceConflict);
    assert!(err.message.contains("tgw-attach-1"), "{err}");
    assert!(err.message.contains("tgw-1"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_propagation_is_enabled_read_back_and_disabled() {
    let mut ec2 = MockEc2Api::new();
    ec2.expect_link_route_table()
        .with(
            eq(RouteTableLink::Propagation),
            eq("tgw-rtb-1"),
            eq("tgw-attach-1"),
        )
        .times(1)
        .returning(|_, _, _| Ok(()));
    // enabling, enabled (create's wait), enabled (read), disabling, gone (delete's wait).
    let mut answers = vec![
        None,
        Some("disabling"),
        Some("enabled"),
        Some("enabled"),
        Some("enabling"),
    ];
    ec2.expect_route_table_link()
        .with(
            eq(RouteTableLink::Propagation),
            eq("tgw-rtb-1"),
            eq("tgw-attach-1"),
        )
        .times(5)
        .returning(move |_, _, _| Ok(answers.pop().flatten().map(str::to_owned)));
    ec2.expect_unlink_route_table()
        .with(
            eq(RouteTableLink::Propagation),
            eq("tgw-rtb-1"),
            eq("tgw-attach-1"),
        )
        .times(1)
        .returning(|_, _, _| Ok(()));
    let c = clients(ec2);
    let t = "AWS::EC2::TransitGatewayRouteTablePropagation";
    let props = json!({"TransitGatewayRouteTableId": "tgw-rtb-1", "TransitGatewayAttachmentId": "tgw-attach-1"});
    let state = Ec2
        .create(&c, &session(), &request(t, props.clone()))
        .await
        .unwrap();
    assert_eq!(state.physical_id, "tgw-rtb-1|tgw-attach-1");
    let read = Ec2
        .read(&c, &session(), t, "tgw-rtb-1|tgw-attach-1", &props)
        .await
        .unwrap();
    assert_eq!(read.properties, props);
    Ec2.delete(&c, &session(), t, "tgw-rtb-1|tgw-attach-1", &props)
        .await
        .unwrap();
}

#[tokio::test]
async fn tag_updates_leave_the_idempotency_tag_alone() {
    let mut ec2 = MockEc2Api::new();
    ec2.expect_delete_tags()
        .withf(|id, keys| id == "rtb-1" && keys == &["old".to_owned()])
        .times(1)
        .returning(|_, _| Ok(()));
    ec2.expect_create_tags()
        .withf(|id, tags| id == "rtb-1" && tags == &[("Name".to_owned(), "b".to_owned())])
        .times(1)
        .returning(|_, _| Ok(()));
    let before = json!({"VpcId": "vpc-1", "Tags": [{"Key": "Name", "Value": "a"}, {"Key": "old", "Value": "x"}]});
    let after = json!({"VpcId": "vpc-1", "Tags": [{"Key": "Name", "Value": "b"}]});
    Ec2.update(
        &clients(ec2),
        &session(),
        &update("AWS::EC2::RouteTable", "rtb-1", before, after),
    )
    .await
    .unwrap();
    let read = read_tags(
        &[
            ("b".into(), "2".into()),
            (IDEMPOTENCY_TAG.into(), "k".into()),
            ("a".into(), "1".into()),
        ],
        &json!({"Tags": [{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}]}),
    );
    assert_eq!(
        read,
        json!([{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}])
    );
}

#[test]
fn client_tokens_are_stable_per_request_and_fit_64_characters() {
    let key = "Infrastructure-Network/HubAkHomeHqProdRouteTable805DB17C-and-more-text";
    let a = client_token(key, &json!({"VpcId": "vpc-1"}));
    assert_eq!(a, client_token(key, &json!({"VpcId": "vpc-1"})));
    assert_ne!(a, client_token(key, &json!({"VpcId": "vpc-2"})));
    assert!(a.len() <= 64, "{a}");
}

#[test]
fn every_type_lists_permissions_and_replacements_come_from_the_schema() {
    for t in Ec2.types() {
        assert!(!Ec2.permissions(t).is_empty(), "{t}");
        assert!(
            landform_core::schema::lookup(t).is_some(),
            "{t} has a schema"
        );
    }
    // The schema says what replaces an attachment; the handler adds only what it cannot
    // change in place beyond that.
    let attachment = landform_core::schema::lookup("AWS::EC2::TransitGatewayAttachment").unwrap();
    assert!(attachment.is_create_only("VpcId"));
    assert!(Ec2
        .replacement_properties("AWS::EC2::TransitGatewayAttachment")
        .is_empty());
    assert_eq!(
        Ec2.replacement_properties("AWS::EC2::VPC"),
        ["InstanceTenancy"]
    );
}
