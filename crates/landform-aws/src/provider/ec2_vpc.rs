//! VPCs, subnets, route tables, routes, subnet associations and flow logs.

use std::collections::BTreeMap;

use landform_deploy::{CreateRequest, ProviderError, ResourceState, UpdateRequest};
use serde_json::{json, Map, Value as Json};

use super::{
    client_token, create_tags, first_tagged, idempotency_filter, one, only_changed, put_tags,
    refuse, split_id, update_tags, wait_for,
};
use crate::api::{Ec2Api, FlowLogSpec, RouteTarget, SubnetSpec, VpcAttribute, VpcInfo};
use crate::error::ErrorCode;
use crate::provider::{boolean, integer, required, string};

fn attrs(pairs: Vec<(&str, Json)>) -> BTreeMap<String, Json> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn need(type_name: &str, props: &Json, key: &str) -> Result<String, ProviderError> {
    string(props, key).ok_or_else(|| required(type_name, key))
}

// ---- VPC ----

const VPC: &str = "AWS::EC2::VPC";

async fn vpc_state(ec2: &dyn Ec2Api, id: &str) -> Result<VpcInfo, ProviderError> {
    one(
        ec2.describe_vpcs(vec![id.to_owned()], vec![]).await?,
        "VPC",
        id,
    )
}

async fn vpc_attributes(
    ec2: &dyn Ec2Api,
    vpc: &VpcInfo,
) -> Result<BTreeMap<String, Json>, ProviderError> {
    let security_group = ec2.default_security_group(&vpc.id).await?;
    let acl = ec2
        .describe_network_acls(vec![
            ("vpc-id".into(), vpc.id.clone()),
            ("default".into(), "true".into()),
        ])
        .await?
        .into_iter()
        .find(|a| a.is_default)
        .map(|a| a.id);
    Ok(attrs(vec![
        ("VpcId", json!(vpc.id)),
        ("CidrBlock", json!(vpc.cidr_block)),
        ("CidrBlockAssociations", json!(vpc.cidr_block_associations)),
        ("DefaultNetworkAcl", json!(acl)),
        ("DefaultSecurityGroup", json!(security_group)),
        ("Ipv6CidrBlocks", json!(vpc.ipv6_cidr_blocks)),
    ]))
}

/// Set the DNS attributes the template gives where they differ from what AWS has.
async fn set_dns(
    ec2: &dyn Ec2Api,
    id: &str,
    previous: Option<&Json>,
    props: &Json,
) -> Result<(), ProviderError> {
    // AWS's defaults for a new VPC: DNS support on, hostnames off. Support first: hostnames
    // cannot be on without it.
    for (key, attribute, default) in [
        ("EnableDnsSupport", VpcAttribute::EnableDnsSupport, true),
        (
            "EnableDnsHostnames",
            VpcAttribute::EnableDnsHostnames,
            false,
        ),
    ] {
        let want = boolean(props.get(key)).unwrap_or(default);
        let had = previous
            .map(|p| boolean(p.get(key)).unwrap_or(default))
            .unwrap_or(default);
        if want != had {
            ec2.modify_vpc_attribute(id, attribute, want).await?;
        }
    }
    Ok(())
}

pub(super) async fn create_vpc(
    ec2: &dyn Ec2Api,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    refuse(VPC, p, &["Ipv4IpamPoolId", "Ipv4NetmaskLength"])?;
    let cidr = need(VPC, p, "CidrBlock")?;
    let vpc = ec2
        .create_vpc(
            &cidr,
            string(p, "InstanceTenancy"),
            create_tags(p, &request.idempotency_key),
        )
        .await?;
    wait_for("VPC", &vpc.id, &["available"], &[], || async {
        Ok(vpc_state(ec2, &vpc.id).await?.state)
    })
    .await?;
    set_dns(ec2, &vpc.id, None, p).await?;
    Ok(ResourceState::ready(
        vpc.id.clone(),
        vpc_attributes(ec2, &vpc).await?,
        p.clone(),
    ))
}

pub(super) async fn read_vpc(
    ec2: &dyn Ec2Api,
    id: &str,
    desired: &Json,
) -> Result<ResourceState, ProviderError> {
    let vpc = vpc_state(ec2, id).await?;
    let mut props = Map::new();
    props.insert("CidrBlock".into(), json!(vpc.cidr_block));
    props.insert(
        "EnableDnsSupport".into(),
        json!(
            ec2.vpc_attribute(id, VpcAttribute::EnableDnsSupport)
                .await?
        ),
    );
    props.insert(
        "EnableDnsHostnames".into(),
        json!(
            ec2.vpc_attribute(id, VpcAttribute::EnableDnsHostnames)
                .await?
        ),
    );
    if let Some(t) = &vpc.instance_tenancy {
        props.insert("InstanceTenancy".into(), json!(t));
    }
    put_tags(&mut props, &vpc.tags, desired);
    Ok(ResourceState::ready(
        id,
        vpc_attributes(ec2, &vpc).await?,
        Json::Object(props),
    ))
}

pub(super) async fn update_vpc(
    ec2: &dyn Ec2Api,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    only_changed(request, &["EnableDnsSupport", "EnableDnsHostnames", "Tags"])?;
    let id = &request.physical_id;
    set_dns(ec2, id, Some(&request.previous), &request.properties).await?;
    update_tags(ec2, id, &request.previous, &request.properties).await?;
    let vpc = vpc_state(ec2, id).await?;
    Ok(ResourceState::ready(
        id.clone(),
        vpc_attributes(ec2, &vpc).await?,
        request.properties.clone(),
    ))
}

pub(super) async fn find_vpc(ec2: &dyn Ec2Api, key: &str) -> Result<Option<String>, ProviderError> {
    Ok(first_tagged(
        ec2.describe_vpcs(vec![], idempotency_filter(key)).await?,
        key,
        &[],
    ))
}

// ---- Subnet ----

const SUBNET: &str = "AWS::EC2::Subnet";

async fn subnet_attributes(
    ec2: &dyn Ec2Api,
    s: &crate::api::SubnetInfo,
) -> Result<BTreeMap<String, Json>, ProviderError> {
    let acl_association = ec2
        .describe_network_acls(vec![("association.subnet-id".into(), s.id.clone())])
        .await?
        .into_iter()
        .flat_map(|a| a.associations)
        .find(|(_, subnet)| *subnet == s.id)
        .map(|(id, _)| id);
    Ok(attrs(vec![
        ("SubnetId", json!(s.id)),
        ("VpcId", json!(s.vpc_id)),
        ("CidrBlock", json!(s.cidr_block)),
        ("AvailabilityZone", json!(s.availability_zone)),
        ("AvailabilityZoneId", json!(s.availability_zone_id)),
        ("NetworkAclAssociationId", json!(acl_association)),
        ("Ipv6CidrBlocks", json!(s.ipv6_cidr_blocks)),
    ]))
}

async fn subnet_state(ec2: &dyn Ec2Api, id: &str) -> Result<crate::api::SubnetInfo, ProviderError> {
    one(
        ec2.describe_subnets(vec![id.to_owned()], vec![]).await?,
        "subnet",
        id,
    )
}

pub(super) async fn create_subnet(
    ec2: &dyn Ec2Api,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    refuse(
        SUBNET,
        p,
        &[
            "Ipv6CidrBlock",
            "Ipv6CidrBlocks",
            "Ipv4IpamPoolId",
            "Ipv4NetmaskLength",
            "OutpostArn",
            "AssignIpv6AddressOnCreation",
            "Ipv6Native",
        ],
    )?;
    let subnet = ec2
        .create_subnet(&SubnetSpec {
            vpc_id: need(SUBNET, p, "VpcId")?,
            cidr_block: need(SUBNET, p, "CidrBlock")?,
            availability_zone: string(p, "AvailabilityZone"),
            availability_zone_id: string(p, "AvailabilityZoneId"),
            tags: create_tags(p, &request.idempotency_key),
        })
        .await?;
    wait_for("subnet", &subnet.id, &["available"], &[], || async {
        Ok(subnet_state(ec2, &subnet.id).await?.state)
    })
    .await?;
    if boolean(p.get("MapPublicIpOnLaunch")) == Some(true) {
        ec2.modify_subnet_map_public_ip(&subnet.id, true).await?;
    }
    Ok(ResourceState::ready(
        subnet.id.clone(),
        subnet_attributes(ec2, &subnet).await?,
        p.clone(),
    ))
}

pub(super) async fn read_subnet(
    ec2: &dyn Ec2Api,
    id: &str,
    desired: &Json,
) -> Result<ResourceState, ProviderError> {
    let s = subnet_state(ec2, id).await?;
    let mut props = Map::new();
    props.insert("VpcId".into(), json!(s.vpc_id));
    props.insert("CidrBlock".into(), json!(s.cidr_block));
    props.insert("AvailabilityZone".into(), json!(s.availability_zone));
    props.insert("AvailabilityZoneId".into(), json!(s.availability_zone_id));
    props.insert(
        "MapPublicIpOnLaunch".into(),
        json!(s.map_public_ip_on_launch),
    );
    put_tags(&mut props, &s.tags, desired);
    Ok(ResourceState::ready(
        id,
        subnet_attributes(ec2, &s).await?,
        Json::Object(props),
    ))
}

pub(super) async fn update_subnet(
    ec2: &dyn Ec2Api,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    only_changed(request, &["MapPublicIpOnLaunch", "Tags"])?;
    let (id, prev, next) = (&request.physical_id, &request.previous, &request.properties);
    let want = boolean(next.get("MapPublicIpOnLaunch")).unwrap_or(false);
    if boolean(prev.get("MapPublicIpOnLaunch")).unwrap_or(false) != want {
        ec2.modify_subnet_map_public_ip(id, want).await?;
    }
    update_tags(ec2, id, prev, next).await?;
    let s = subnet_state(ec2, id).await?;
    Ok(ResourceState::ready(
        id.clone(),
        subnet_attributes(ec2, &s).await?,
        next.clone(),
    ))
}

pub(super) async fn find_subnet(
    ec2: &dyn Ec2Api,
    key: &str,
) -> Result<Option<String>, ProviderError> {
    Ok(first_tagged(
        ec2.describe_subnets(vec![], idempotency_filter(key))
            .await?,
        key,
        &[],
    ))
}

// ---- Route table ----

pub(super) async fn create_route_table(
    ec2: &dyn Ec2Api,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    let table = ec2
        .create_route_table(
            &need("AWS::EC2::RouteTable", p, "VpcId")?,
            create_tags(p, &request.idempotency_key),
            &client_token(&request.idempotency_key, p),
        )
        .await?;
    Ok(ResourceState::ready(
        table.id.clone(),
        attrs(vec![("RouteTableId", json!(table.id))]),
        p.clone(),
    ))
}

pub(super) async fn read_route_table(
    ec2: &dyn Ec2Api,
    id: &str,
    desired: &Json,
) -> Result<ResourceState, ProviderError> {
    let table = one(
        ec2.describe_route_tables(vec![id.to_owned()], vec![])
            .await?,
        "route table",
        id,
    )?;
    let mut props = Map::new();
    props.insert("VpcId".into(), json!(table.vpc_id));
    put_tags(&mut props, &table.tags, desired);
    Ok(ResourceState::ready(
        id,
        attrs(vec![("RouteTableId", json!(id))]),
        Json::Object(props),
    ))
}

pub(super) async fn update_route_table(
    ec2: &dyn Ec2Api,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    only_changed(request, &["Tags"])?;
    let id = &request.physical_id;
    update_tags(ec2, id, &request.previous, &request.properties).await?;
    Ok(ResourceState::ready(
        id.clone(),
        attrs(vec![("RouteTableId", json!(id))]),
        request.properties.clone(),
    ))
}

pub(super) async fn find_route_table(
    ec2: &dyn Ec2Api,
    key: &str,
) -> Result<Option<String>, ProviderError> {
    Ok(first_tagged(
        ec2.describe_route_tables(vec![], idempotency_filter(key))
            .await?,
        key,
        &[],
    ))
}

// ---- Route ----

const ROUTE: &str = "AWS::EC2::Route";

/// The target properties handled, with their place in [`RouteTarget`].
const TARGETS: &[&str] = &[
    "GatewayId",
    "NatGatewayId",
    "TransitGatewayId",
    "VpcPeeringConnectionId",
    "NetworkInterfaceId",
];

fn route_target(p: &Json) -> Result<RouteTarget, ProviderError> {
    refuse(
        ROUTE,
        p,
        &[
            "DestinationIpv6CidrBlock",
            "DestinationPrefixListId",
            "EgressOnlyInternetGatewayId",
            "InstanceId",
            "LocalGatewayId",
            "CarrierGatewayId",
            "VpcEndpointId",
            "CoreNetworkArn",
        ],
    )?;
    let target = RouteTarget {
        gateway_id: string(p, "GatewayId"),
        nat_gateway_id: string(p, "NatGatewayId"),
        transit_gateway_id: string(p, "TransitGatewayId"),
        vpc_peering_connection_id: string(p, "VpcPeeringConnectionId"),
        network_interface_id: string(p, "NetworkInterfaceId"),
    };
    if TARGETS.iter().filter(|t| p.get(**t).is_some()).count() != 1 {
        return Err(ProviderError::new(
            ErrorCode::InvalidRequest,
            format!("{ROUTE} needs exactly one target of {}", TARGETS.join(", ")),
        ));
    }
    Ok(target)
}

/// CloudFormation's id of a route: `rtb-...|destination`.
pub(super) fn route_id(request: &CreateRequest) -> Result<String, ProviderError> {
    let p = &request.properties;
    Ok(format!(
        "{}|{}",
        need(ROUTE, p, "RouteTableId")?,
        need(ROUTE, p, "DestinationCidrBlock")?
    ))
}

pub(super) async fn create_route(
    ec2: &dyn Ec2Api,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    let target = route_target(p)?;
    let id = route_id(request)?;
    let (table, destination) = split_id("route", &id)?;
    ec2.create_route(table, destination, &target).await?;
    Ok(ResourceState::ready(
        id.clone(),
        attrs(vec![("CidrBlock", json!(destination))]),
        p.clone(),
    ))
}

pub(super) async fn read_route(ec2: &dyn Ec2Api, id: &str) -> Result<ResourceState, ProviderError> {
    let (table_id, destination) = split_id("route", id)?;
    let table = one(
        ec2.describe_route_tables(vec![table_id.to_owned()], vec![])
            .await?,
        "route table",
        table_id,
    )?;
    let route = table
        .routes
        .into_iter()
        .find(|r| r.destination_cidr_block.as_deref() == Some(destination))
        .ok_or_else(|| super::not_found("route", id))?;
    let mut props = Map::new();
    props.insert("RouteTableId".into(), json!(table_id));
    props.insert("DestinationCidrBlock".into(), json!(destination));
    let t = route.target;
    for (key, value) in [
        ("GatewayId", t.gateway_id),
        ("NatGatewayId", t.nat_gateway_id),
        ("TransitGatewayId", t.transit_gateway_id),
        ("VpcPeeringConnectionId", t.vpc_peering_connection_id),
        ("NetworkInterfaceId", t.network_interface_id),
    ] {
        if let Some(v) = value {
            props.insert(key.into(), json!(v));
        }
    }
    Ok(ResourceState::ready(
        id,
        attrs(vec![("CidrBlock", json!(destination))]),
        Json::Object(props),
    ))
}

pub(super) async fn update_route(
    ec2: &dyn Ec2Api,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    only_changed(request, TARGETS)?;
    let target = route_target(&request.properties)?;
    let (table, destination) = split_id("route", &request.physical_id)?;
    if route_target(&request.previous).ok() != Some(target.clone()) {
        ec2.replace_route(table, destination, &target).await?;
    }
    Ok(ResourceState::ready(
        request.physical_id.clone(),
        attrs(vec![("CidrBlock", json!(destination))]),
        request.properties.clone(),
    ))
}

pub(super) async fn delete_route(ec2: &dyn Ec2Api, id: &str) -> Result<(), ProviderError> {
    let (table, destination) = split_id("route", id)?;
    ec2.delete_route(table, destination).await
}

// ---- Subnet route table association ----

pub(super) async fn create_association(
    ec2: &dyn Ec2Api,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    let ty = "AWS::EC2::SubnetRouteTableAssociation";
    let (table, subnet) = (need(ty, p, "RouteTableId")?, need(ty, p, "SubnetId")?);
    let id = ec2.associate_route_table(&table, &subnet).await?;
    wait_for(
        "route table association",
        &id,
        &["associated"],
        &["failed"],
        || async { Ok(association_state(ec2, &id).await?.1) },
    )
    .await?;
    Ok(ResourceState::ready(
        id.clone(),
        attrs(vec![("Id", json!(id))]),
        p.clone(),
    ))
}

/// The route table, subnet and state of an association.
async fn association_state(
    ec2: &dyn Ec2Api,
    id: &str,
) -> Result<(String, String, Option<String>), ProviderError> {
    let tables = ec2
        .describe_route_tables(
            vec![],
            vec![("association.route-table-association-id".into(), id.into())],
        )
        .await?;
    for t in tables {
        if let Some(a) = t.associations.into_iter().find(|a| a.id == id) {
            return Ok((t.id, a.state, a.subnet_id));
        }
    }
    Err(super::not_found("route table association", id))
}

pub(super) async fn read_association(
    ec2: &dyn Ec2Api,
    id: &str,
) -> Result<ResourceState, ProviderError> {
    let (table, state, subnet) = association_state(ec2, id).await?;
    if state == "disassociated" || state == "disassociating" {
        return Err(super::not_found("route table association", id));
    }
    Ok(ResourceState::ready(
        id,
        attrs(vec![("Id", json!(id))]),
        json!({"RouteTableId": table, "SubnetId": subnet}),
    ))
}

pub(super) async fn find_association(
    ec2: &dyn Ec2Api,
    request: &CreateRequest,
) -> Result<Option<String>, ProviderError> {
    let p = &request.properties;
    let (Some(table), Some(subnet)) = (string(p, "RouteTableId"), string(p, "SubnetId")) else {
        return Ok(None);
    };
    let tables = match ec2.describe_route_tables(vec![table], vec![]).await {
        Err(e) if e.code == ErrorCode::NotFound => return Ok(None),
        other => other?,
    };
    Ok(tables
        .into_iter()
        .flat_map(|t| t.associations)
        .find(|a| a.subnet_id.as_deref() == Some(subnet.as_str()))
        .map(|a| a.id))
}

// ---- Flow log ----

const FLOW_LOG: &str = "AWS::EC2::FlowLog";

pub(super) async fn create_flow_log(
    ec2: &dyn Ec2Api,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    refuse(
        FLOW_LOG,
        p,
        &["DestinationOptions", "DeliverCrossAccountRole"],
    )?;
    let id = ec2
        .create_flow_log(&FlowLogSpec {
            resource_id: need(FLOW_LOG, p, "ResourceId")?,
            resource_type: need(FLOW_LOG, p, "ResourceType")?,
            traffic_type: string(p, "TrafficType"),
            log_destination_type: string(p, "LogDestinationType"),
            log_destination: string(p, "LogDestination"),
            log_group_name: string(p, "LogGroupName"),
            deliver_logs_permission_arn: string(p, "DeliverLogsPermissionArn"),
            log_format: string(p, "LogFormat"),
            max_aggregation_interval: integer(p.get("MaxAggregationInterval"))
                .and_then(|i| i32::try_from(i).ok()),
            tags: create_tags(p, &request.idempotency_key),
            client_token: client_token(&request.idempotency_key, p),
        })
        .await?;
    Ok(ResourceState::ready(
        id.clone(),
        attrs(vec![("Id", json!(id))]),
        p.clone(),
    ))
}

/// The CloudFormation ResourceType of a flow log's resource, from its id's prefix
/// (DescribeFlowLogs does not answer it).
fn resource_type(resource_id: &str) -> &'static str {
    match resource_id.split('-').next() {
        Some("vpc") => "VPC",
        Some("subnet") => "Subnet",
        Some("eni") => "NetworkInterface",
        _ if resource_id.starts_with("tgw-attach-") => "TransitGatewayAttachment",
        _ => "TransitGateway",
    }
}

pub(super) async fn read_flow_log(
    ec2: &dyn Ec2Api,
    id: &str,
    desired: &Json,
) -> Result<ResourceState, ProviderError> {
    let f = one(
        ec2.describe_flow_logs(vec![id.to_owned()], vec![]).await?,
        "flow log",
        id,
    )?;
    let mut props = Map::new();
    props.insert("ResourceId".into(), json!(f.resource_id));
    props.insert("ResourceType".into(), json!(resource_type(&f.resource_id)));
    for (key, value) in [
        ("TrafficType", f.traffic_type),
        ("LogDestinationType", f.log_destination_type),
        ("LogDestination", f.log_destination),
        ("LogGroupName", f.log_group_name),
        ("DeliverLogsPermissionArn", f.deliver_logs_permission_arn),
        ("LogFormat", f.log_format),
    ] {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            props.insert(key.into(), json!(v));
        }
    }
    if let Some(i) = f.max_aggregation_interval {
        props.insert("MaxAggregationInterval".into(), json!(i));
    }
    put_tags(&mut props, &f.tags, desired);
    Ok(ResourceState::ready(
        id,
        attrs(vec![("Id", json!(id))]),
        Json::Object(props),
    ))
}

pub(super) async fn update_flow_log(
    ec2: &dyn Ec2Api,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    only_changed(request, &["Tags"])?;
    let id = &request.physical_id;
    update_tags(ec2, id, &request.previous, &request.properties).await?;
    Ok(ResourceState::ready(
        id.clone(),
        attrs(vec![("Id", json!(id))]),
        request.properties.clone(),
    ))
}

pub(super) async fn find_flow_log(
    ec2: &dyn Ec2Api,
    key: &str,
) -> Result<Option<String>, ProviderError> {
    Ok(first_tagged(
        ec2.describe_flow_logs(vec![], idempotency_filter(key))
            .await?,
        key,
        &[],
    ))
}
