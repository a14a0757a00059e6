//! [`Ec2Api`] over the SDK client.

use async_trait::async_trait;
use aws_sdk_ec2::types as t;
use landform_deploy::ProviderError;

use super::{
    Ec2Api, Filter, FlowLogInfo, FlowLogSpec, NetworkAclInfo, RouteInfo, RouteTableAssociationInfo,
    RouteTableInfo, RouteTableLink, RouteTarget, SubnetInfo, SubnetSpec, TransitGatewayInfo,
    TransitGatewayOptions, TransitGatewayRouteInfo, TransitGatewayRouteTableInfo,
    VpcAttachmentInfo, VpcAttachmentOptions, VpcAttribute, VpcInfo,
};
use crate::api::Tag;
use crate::error::{missing, sdk_error, ErrorCode};

/// [`Ec2Api`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkEc2(pub aws_sdk_ec2::Client);

#[path = "ec2_sdk_tgw.rs"]
mod tgw;
use tgw::Tgw;

/// [`sdk_error`], with EC2's own codes mapped: EC2 names a missing object
/// `InvalidVpcID.NotFound`, `InvalidRoute.NotFound`..., and a refused delete
/// `DependencyViolation` or `IncorrectState`.
pub(super) fn ec2_error<E>(
    operation: &str,
    err: aws_sdk_ec2::error::SdkError<E, aws_sdk_ec2::config::http::HttpResponse>,
) -> ProviderError
where
    E: aws_sdk_ec2::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let mut e = sdk_error(operation, err);
    if let Some(code) = e.service_code.as_deref() {
        e.code = ec2_code(code).unwrap_or(e.code);
    }
    e
}

/// The handler code of an EC2 error code, where [`crate::error::code_of`] does not know it.
pub(crate) fn ec2_code(code: &str) -> Option<ErrorCode> {
    Some(match code {
        c if c.ends_with(".NotFound") => ErrorCode::NotFound,
        c if c.ends_with(".Duplicate") => ErrorCode::AlreadyExists,
        "RouteAlreadyExists" | "Resource.AlreadyAssociated" => ErrorCode::AlreadyExists,
        "DependencyViolation" | "IncorrectState" | "InvalidTransitGatewayAttachmentID.Invalid" => {
            ErrorCode::ResourceConflict
        }
        "InvalidParameterValue"
        | "InvalidParameter"
        | "InvalidParameterCombination"
        | "MissingParameter"
        | "IdempotentParameterMismatch" => ErrorCode::InvalidRequest,
        c if c.ends_with(".Malformed") || c.ends_with(".Conflict") => ErrorCode::InvalidRequest,
        _ => return None,
    })
}

pub(super) fn tag_list(tags: &[t::Tag]) -> Vec<Tag> {
    tags.iter()
        .filter_map(|t| Some((t.key.clone()?, t.value.clone().unwrap_or_default())))
        .collect()
}

pub(super) fn tag_spec(kind: t::ResourceType, tags: Vec<Tag>) -> Option<t::TagSpecification> {
    (!tags.is_empty()).then(|| {
        t::TagSpecification::builder()
            .resource_type(kind)
            .set_tags(Some(
                tags.into_iter()
                    .map(|(k, v)| t::Tag::builder().key(k).value(v).build())
                    .collect(),
            ))
            .build()
    })
}

pub(super) fn filters(filters: Vec<Filter>) -> Option<Vec<t::Filter>> {
    (!filters.is_empty()).then(|| {
        filters
            .into_iter()
            .map(|(n, v)| t::Filter::builder().name(n).values(v).build())
            .collect()
    })
}

pub(super) fn ids(ids: Vec<String>) -> Option<Vec<String>> {
    (!ids.is_empty()).then_some(ids)
}

pub(super) fn s(v: Option<&str>) -> String {
    v.unwrap_or_default().to_owned()
}

fn vpc_info(v: &t::Vpc) -> VpcInfo {
    VpcInfo {
        id: s(v.vpc_id()),
        cidr_block: s(v.cidr_block()),
        state: v.state().map(|x| x.as_str().to_owned()).unwrap_or_default(),
        instance_tenancy: v.instance_tenancy().map(|x| x.as_str().to_owned()),
        cidr_block_associations: v
            .cidr_block_association_set()
            .iter()
            .filter_map(|a| a.association_id.clone())
            .collect(),
        ipv6_cidr_blocks: v
            .ipv6_cidr_block_association_set()
            .iter()
            .filter_map(|a| a.ipv6_cidr_block.clone())
            .collect(),
        tags: tag_list(v.tags()),
    }
}

fn subnet_info(x: &t::Subnet) -> SubnetInfo {
    SubnetInfo {
        id: s(x.subnet_id()),
        vpc_id: s(x.vpc_id()),
        cidr_block: s(x.cidr_block()),
        availability_zone: s(x.availability_zone()),
        availability_zone_id: s(x.availability_zone_id()),
        state: x.state().map(|v| v.as_str().to_owned()).unwrap_or_default(),
        map_public_ip_on_launch: x.map_public_ip_on_launch().unwrap_or(false),
        ipv6_cidr_blocks: x
            .ipv6_cidr_block_association_set()
            .iter()
            .filter_map(|a| a.ipv6_cidr_block.clone())
            .collect(),
        tags: tag_list(x.tags()),
    }
}

fn route_table_info(r: &t::RouteTable) -> RouteTableInfo {
    RouteTableInfo {
        id: s(r.route_table_id()),
        vpc_id: s(r.vpc_id()),
        routes: r
            .routes()
            .iter()
            .map(|x| RouteInfo {
                destination_cidr_block: x.destination_cidr_block.clone(),
                target: RouteTarget {
                    gateway_id: x.gateway_id.clone(),
                    nat_gateway_id: x.nat_gateway_id.clone(),
                    transit_gateway_id: x.transit_gateway_id.clone(),
                    vpc_peering_connection_id: x.vpc_peering_connection_id.clone(),
                    network_interface_id: x.network_interface_id.clone(),
                },
                state: x.state().map(|v| v.as_str().to_owned()).unwrap_or_default(),
            })
            .collect(),
        associations: r
            .associations()
            .iter()
            .map(|a| RouteTableAssociationInfo {
                id: s(a.route_table_association_id()),
                subnet_id: a.subnet_id.clone(),
                state: a
                    .association_state()
                    .and_then(|st| st.state())
                    .map(|v| v.as_str().to_owned())
                    .unwrap_or_else(|| "associated".to_owned()),
            })
            .collect(),
        tags: tag_list(r.tags()),
    }
}

fn flow_log_info(f: &t::FlowLog) -> FlowLogInfo {
    FlowLogInfo {
        id: s(f.flow_log_id()),
        resource_id: s(f.resource_id()),
        traffic_type: f.traffic_type().map(|v| v.as_str().to_owned()),
        log_destination_type: f.log_destination_type().map(|v| v.as_str().to_owned()),
        log_destination: f.log_destination.clone(),
        log_group_name: f.log_group_name.clone(),
        deliver_logs_permission_arn: f.deliver_logs_permission_arn.clone(),
        log_format: f.log_format.clone(),
        max_aggregation_interval: f.max_aggregation_interval,
        tags: tag_list(f.tags()),
    }
}

fn boolean(value: bool) -> t::AttributeBooleanValue {
    t::AttributeBooleanValue::builder().value(value).build()
}

#[async_trait]
impl Ec2Api for SdkEc2 {
    async fn create_vpc(
        &self,
        cidr_block: &str,
        instance_tenancy: Option<String>,
        tags: Vec<Tag>,
    ) -> Result<VpcInfo, ProviderError> {
        let out = self
            .0
            .create_vpc()
            .cidr_block(cidr_block)
            .set_instance_tenancy(instance_tenancy.map(|v| t::Tenancy::from(v.as_str())))
            .set_tag_specifications(tag_spec(t::ResourceType::Vpc, tags).map(|s| vec![s]))
            .send()
            .await
            .map_err(|e| ec2_error("CreateVpc", e))?;
        out.vpc()
            .map(vpc_info)
            .ok_or_else(|| missing("CreateVpc", "Vpc"))
    }
    async fn describe_vpcs(
        &self,
        vpc_ids: Vec<String>,
        f: Vec<Filter>,
    ) -> Result<Vec<VpcInfo>, ProviderError> {
        let out = self
            .0
            .describe_vpcs()
            .set_vpc_ids(ids(vpc_ids))
            .set_filters(filters(f))
            .send()
            .await
            .map_err(|e| ec2_error("DescribeVpcs", e))?;
        Ok(out.vpcs().iter().map(vpc_info).collect())
    }
    async fn vpc_attribute(
        &self,
        vpc_id: &str,
        attribute: VpcAttribute,
    ) -> Result<bool, ProviderError> {
        let name = match attribute {
            VpcAttribute::EnableDnsSupport => t::VpcAttributeName::EnableDnsSupport,
            VpcAttribute::EnableDnsHostnames => t::VpcAttributeName::EnableDnsHostnames,
        };
        let out = self
            .0
            .describe_vpc_attribute()
            .vpc_id(vpc_id)
            .attribute(name)
            .send()
            .await
            .map_err(|e| ec2_error("DescribeVpcAttribute", e))?;
        let value = match attribute {
            VpcAttribute::EnableDnsSupport => out.enable_dns_support(),
            VpcAttribute::EnableDnsHostnames => out.enable_dns_hostnames(),
        };
        value
            .and_then(|v| v.value())
            .ok_or_else(|| missing("DescribeVpcAttribute", "Value"))
    }
    async fn modify_vpc_attribute(
        &self,
        vpc_id: &str,
        attribute: VpcAttribute,
        value: bool,
    ) -> Result<(), ProviderError> {
        let call = self.0.modify_vpc_attribute().vpc_id(vpc_id);
        let call = match attribute {
            VpcAttribute::EnableDnsSupport => call.enable_dns_support(boolean(value)),
            VpcAttribute::EnableDnsHostnames => call.enable_dns_hostnames(boolean(value)),
        };
        call.send()
            .await
            .map_err(|e| ec2_error("ModifyVpcAttribute", e))?;
        Ok(())
    }
    async fn default_security_group(&self, vpc_id: &str) -> Result<Option<String>, ProviderError> {
        let out = self
            .0
            .describe_security_groups()
            .set_filters(filters(vec![
                ("vpc-id".into(), vpc_id.into()),
                ("group-name".into(), "default".into()),
            ]))
            .send()
            .await
            .map_err(|e| ec2_error("DescribeSecurityGroups", e))?;
        Ok(out
            .security_groups()
            .iter()
            .find_map(|g| g.group_id.clone()))
    }
    async fn describe_network_acls(
        &self,
        f: Vec<Filter>,
    ) -> Result<Vec<NetworkAclInfo>, ProviderError> {
        let out = self
            .0
            .describe_network_acls()
            .set_filters(filters(f))
            .send()
            .await
            .map_err(|e| ec2_error("DescribeNetworkAcls", e))?;
        Ok(out
            .network_acls()
            .iter()
            .map(|a| NetworkAclInfo {
                id: s(a.network_acl_id()),
                is_default: a.is_default().unwrap_or(false),
                associations: a
                    .associations()
                    .iter()
                    .filter_map(|x| {
                        Some((x.network_acl_association_id.clone()?, x.subnet_id.clone()?))
                    })
                    .collect(),
            })
            .collect())
    }
    async fn delete_vpc(&self, vpc_id: &str) -> Result<(), ProviderError> {
        self.0
            .delete_vpc()
            .vpc_id(vpc_id)
            .send()
            .await
            .map_err(|e| ec2_error("DeleteVpc", e))?;
        Ok(())
    }

    async fn create_subnet(&self, spec: &SubnetSpec) -> Result<SubnetInfo, ProviderError> {
        let out = self
            .0
            .create_subnet()
            .vpc_id(&spec.vpc_id)
            .cidr_block(&spec.cidr_block)
            .set_availability_zone(spec.availability_zone.clone())
            .set_availability_zone_id(spec.availability_zone_id.clone())
            .set_tag_specifications(
                tag_spec(t::ResourceType::Subnet, spec.tags.clone()).map(|s| vec![s]),
            )
            .send()
            .await
            .map_err(|e| ec2_error("CreateSubnet", e))?;
        out.subnet()
            .map(subnet_info)
            .ok_or_else(|| missing("CreateSubnet", "Subnet"))
    }
    async fn describe_subnets(
        &self,
        subnet_ids: Vec<String>,
        f: Vec<Filter>,
    ) -> Result<Vec<SubnetInfo>, ProviderError> {
        let out = self
            .0
            .describe_subnets()
            .set_subnet_ids(ids(subnet_ids))
            .set_filters(filters(f))
            .send()
            .await
            .map_err(|e| ec2_error("DescribeSubnets", e))?;
        Ok(out.subnets().iter().map(subnet_info).collect())
    }
    async fn modify_subnet_map_public_ip(
        &self,
        subnet_id: &str,
        value: bool,
    ) -> Result<(), ProviderError> {
        self.0
            .modify_subnet_attribute()
            .subnet_id(subnet_id)
            .map_public_ip_on_launch(boolean(value))
            .send()
            .await
            .map_err(|e| ec2_error("ModifySubnetAttribute", e))?;
        Ok(())
    }
    async fn delete_subnet(&self, subnet_id: &str) -> Result<(), ProviderError> {
        self.0
            .delete_subnet()
            .subnet_id(subnet_id)
            .send()
            .await
            .map_err(|e| ec2_error("DeleteSubnet", e))?;
        Ok(())
    }

    async fn create_route_table(
        &self,
        vpc_id: &str,
        tags: Vec<Tag>,
        client_token: &str,
    ) -> Result<RouteTableInfo, ProviderError> {
        let out = self
            .0
            .create_route_table()
            .vpc_id(vpc_id)
            .client_token(client_token)
            .set_tag_specifications(tag_spec(t::ResourceType::RouteTable, tags).map(|s| vec![s]))
            .send()
            .await
            .map_err(|e| ec2_error("CreateRouteTable", e))?;
        out.route_table()
            .map(route_table_info)
            .ok_or_else(|| missing("CreateRouteTable", "RouteTable"))
    }
    async fn describe_route_tables(
        &self,
        route_table_ids: Vec<String>,
        f: Vec<Filter>,
    ) -> Result<Vec<RouteTableInfo>, ProviderError> {
        let out = self
            .0
            .describe_route_tables()
            .set_route_table_ids(ids(route_table_ids))
            .set_filters(filters(f))
            .send()
            .await
            .map_err(|e| ec2_error("DescribeRouteTables", e))?;
        Ok(out.route_tables().iter().map(route_table_info).collect())
    }
    async fn delete_route_table(&self, route_table_id: &str) -> Result<(), ProviderError> {
        self.0
            .delete_route_table()
            .route_table_id(route_table_id)
            .send()
            .await
            .map_err(|e| ec2_error("DeleteRouteTable", e))?;
        Ok(())
    }
    async fn create_route(
        &self,
        route_table_id: &str,
        destination_cidr_block: &str,
        target: &RouteTarget,
    ) -> Result<(), ProviderError> {
        self.0
            .create_route()
            .route_table_id(route_table_id)
            .destination_cidr_block(destination_cidr_block)
            .set_gateway_id(target.gateway_id.clone())
            .set_nat_gateway_id(target.nat_gateway_id.clone())
            .set_transit_gateway_id(target.transit_gateway_id.clone())
            .set_vpc_peering_connection_id(target.vpc_peering_connection_id.clone())
            .set_network_interface_id(target.network_interface_id.clone())
            .send()
            .await
            .map_err(|e| ec2_error("CreateRoute", e))?;
        Ok(())
    }
    async fn replace_route(
        &self,
        route_table_id: &str,
        destination_cidr_block: &str,
        target: &RouteTarget,
    ) -> Result<(), ProviderError> {
        self.0
            .replace_route()
            .route_table_id(route_table_id)
            .destination_cidr_block(destination_cidr_block)
            .set_gateway_id(target.gateway_id.clone())
            .set_nat_gateway_id(target.nat_gateway_id.clone())
            .set_transit_gateway_id(target.transit_gateway_id.clone())
            .set_vpc_peering_connection_id(target.vpc_peering_connection_id.clone())
            .set_network_interface_id(target.network_interface_id.clone())
            .send()
            .await
            .map_err(|e| ec2_error("ReplaceRoute", e))?;
        Ok(())
    }
    async fn delete_route(
        &self,
        route_table_id: &str,
        destination_cidr_block: &str,
    ) -> Result<(), ProviderError> {
        self.0
            .delete_route()
            .route_table_id(route_table_id)
            .destination_cidr_block(destination_cidr_block)
            .send()
            .await
            .map_err(|e| ec2_error("DeleteRoute", e))?;
        Ok(())
    }
    async fn associate_route_table(
        &self,
        route_table_id: &str,
        subnet_id: &str,
    ) -> Result<String, ProviderError> {
        let out = self
            .0
            .associate_route_table()
            .route_table_id(route_table_id)
            .subnet_id(subnet_id)
            .send()
            .await
            .map_err(|e| ec2_error("AssociateRouteTable", e))?;
        out.association_id
            .ok_or_else(|| missing("AssociateRouteTable", "AssociationId"))
    }
    async fn disassociate_route_table(&self, association_id: &str) -> Result<(), ProviderError> {
        self.0
            .disassociate_route_table()
            .association_id(association_id)
            .send()
            .await
            .map_err(|e| ec2_error("DisassociateRouteTable", e))?;
        Ok(())
    }

    async fn create_flow_log(&self, spec: &FlowLogSpec) -> Result<String, ProviderError> {
        let out = self
            .0
            .create_flow_logs()
            .resource_ids(&spec.resource_id)
            .resource_type(t::FlowLogsResourceType::from(spec.resource_type.as_str()))
            .set_traffic_type(spec.traffic_type.as_deref().map(t::TrafficType::from))
            .set_log_destination_type(
                spec.log_destination_type
                    .as_deref()
                    .map(t::LogDestinationType::from),
            )
            .set_log_destination(spec.log_destination.clone())
            .set_log_group_name(spec.log_group_name.clone())
            .set_deliver_logs_permission_arn(spec.deliver_logs_permission_arn.clone())
            .set_log_format(spec.log_format.clone())
            .set_max_aggregation_interval(spec.max_aggregation_interval)
            .client_token(&spec.client_token)
            .set_tag_specifications(
                tag_spec(t::ResourceType::VpcFlowLog, spec.tags.clone()).map(|s| vec![s]),
            )
            .send()
            .await
            .map_err(|e| ec2_error("CreateFlowLogs", e))?;
        if let Some(failed) = out.unsuccessful().first() {
            let error = failed.error();
            let code = error.and_then(|e| e.code()).unwrap_or("Unsuccessful");
            let message = error.and_then(|e| e.message()).unwrap_or_default();
            return Err(ProviderError::new(
                ec2_code(code).unwrap_or(ErrorCode::InvalidRequest),
                format!("CreateFlowLogs: {message}"),
            )
            .with_service_code(code));
        }
        out.flow_log_ids()
            .first()
            .cloned()
            .ok_or_else(|| missing("CreateFlowLogs", "FlowLogIds"))
    }
    async fn describe_flow_logs(
        &self,
        flow_log_ids: Vec<String>,
        f: Vec<Filter>,
    ) -> Result<Vec<FlowLogInfo>, ProviderError> {
        let out = self
            .0
            .describe_flow_logs()
            .set_flow_log_ids(ids(flow_log_ids))
            .set_filter(filters(f))
            .send()
            .await
            .map_err(|e| ec2_error("DescribeFlowLogs", e))?;
        Ok(out.flow_logs().iter().map(flow_log_info).collect())
    }
    async fn delete_flow_log(&self, flow_log_id: &str) -> Result<(), ProviderError> {
        let out = self
            .0
            .delete_flow_logs()
            .flow_log_ids(flow_log_id)
            .send()
            .await
            .map_err(|e| ec2_error("DeleteFlowLogs", e))?;
        // DeleteFlowLogs answers 200 and lists per-id failures (an unknown id among them).
        if let Some(failed) = out.unsuccessful().first() {
            let error = failed.error();
            let code = error.and_then(|e| e.code()).unwrap_or("Unsuccessful");
            let message = error.and_then(|e| e.message()).unwrap_or_default();
            return Err(ProviderError::new(
                ec2_code(code).unwrap_or(ErrorCode::GeneralServiceException),
                format!("DeleteFlowLogs: {message}"),
            )
            .with_service_code(code));
        }
        Ok(())
    }

    async fn create_transit_gateway(
        &self,
        description: Option<String>,
        options: &TransitGatewayOptions,
        tags: Vec<Tag>,
    ) -> Result<TransitGatewayInfo, ProviderError> {
        Tgw(&self.0)
            .create_transit_gateway(description, options, tags)
            .await
    }

    async fn describe_transit_gateways(
        &self,
        tgw_ids: Vec<String>,
        f: Vec<Filter>,
    ) -> Result<Vec<TransitGatewayInfo>, ProviderError> {
        Tgw(&self.0).describe_transit_gateways(tgw_ids, f).await
    }

    async fn modify_transit_gateway(
        &self,
        id: &str,
        description: Option<String>,
        options: &TransitGatewayOptions,
    ) -> Result<(), ProviderError> {
        Tgw(&self.0)
            .modify_transit_gateway(id, description, options)
            .await
    }

    async fn delete_transit_gateway(&self, id: &str) -> Result<(), ProviderError> {
        Tgw(&self.0).delete_transit_gateway(id).await
    }

    async fn create_transit_gateway_vpc_attachment(
        &self,
        transit_gateway_id: &str,
        vpc_id: &str,
        subnet_ids: Vec<String>,
        options: &VpcAttachmentOptions,
        tags: Vec<Tag>,
    ) -> Result<VpcAttachmentInfo, ProviderError> {
        Tgw(&self.0)
            .create_transit_gateway_vpc_attachment(
                transit_gateway_id,
                vpc_id,
                subnet_ids,
                options,
                tags,
            )
            .await
    }

    async fn describe_transit_gateway_vpc_attachments(
        &self,
        attachment_ids: Vec<String>,
        f: Vec<Filter>,
    ) -> Result<Vec<VpcAttachmentInfo>, ProviderError> {
        Tgw(&self.0)
            .describe_transit_gateway_vpc_attachments(attachment_ids, f)
            .await
    }

    async fn modify_transit_gateway_vpc_attachment(
        &self,
        id: &str,
        add_subnet_ids: Vec<String>,
        remove_subnet_ids: Vec<String>,
        options: &VpcAttachmentOptions,
    ) -> Result<(), ProviderError> {
        Tgw(&self.0)
            .modify_transit_gateway_vpc_attachment(id, add_subnet_ids, remove_subnet_ids, options)
            .await
    }

    async fn delete_transit_gateway_vpc_attachment(&self, id: &str) -> Result<(), ProviderError> {
        Tgw(&self.0).delete_transit_gateway_vpc_attachment(id).await
    }

    async fn accept_transit_gateway_vpc_attachment(&self, id: &str) -> Result<(), ProviderError> {
        Tgw(&self.0).accept_transit_gateway_vpc_attachment(id).await
    }

    async fn create_transit_gateway_route_table(
        &self,
        transit_gateway_id: &str,
        tags: Vec<Tag>,
    ) -> Result<TransitGatewayRouteTableInfo, ProviderError> {
        Tgw(&self.0)
            .create_transit_gateway_route_table(transit_gateway_id, tags)
            .await
    }

    async fn describe_transit_gateway_route_tables(
        &self,
        table_ids: Vec<String>,
        f: Vec<Filter>,
    ) -> Result<Vec<TransitGatewayRouteTableInfo>, ProviderError> {
        Tgw(&self.0)
            .describe_transit_gateway_route_tables(table_ids, f)
            .await
    }

    async fn delete_transit_gateway_route_table(&self, id: &str) -> Result<(), ProviderError> {
        Tgw(&self.0).delete_transit_gateway_route_table(id).await
    }

    async fn link_route_table(
        &self,
        link: RouteTableLink,
        route_table_id: &str,
        attachment_id: &str,
    ) -> Result<(), ProviderError> {
        Tgw(&self.0)
            .link_route_table(link, route_table_id, attachment_id)
            .await
    }

    async fn route_table_link(
        &self,
        link: RouteTableLink,
        route_table_id: &str,
        attachment_id: &str,
    ) -> Result<Option<String>, ProviderError> {
        Tgw(&self.0)
            .route_table_link(link, route_table_id, attachment_id)
            .await
    }

    async fn unlink_route_table(
        &self,
        link: RouteTableLink,
        route_table_id: &str,
        attachment_id: &str,
    ) -> Result<(), ProviderError> {
        Tgw(&self.0)
            .unlink_route_table(link, route_table_id, attachment_id)
            .await
    }

    async fn create_transit_gateway_route(
        &self,
        route_table_id: &str,
        destination_cidr_block: &str,
        attachment_id: Option<String>,
        blackhole: bool,
    ) -> Result<(), ProviderError> {
        Tgw(&self.0)
            .create_transit_gateway_route(
                route_table_id,
                destination_cidr_block,
                attachment_id,
                blackhole,
            )
            .await
    }

    async fn search_transit_gateway_routes(
        &self,
        route_table_id: &str,
        destination_cidr_block: &str,
    ) -> Result<Vec<TransitGatewayRouteInfo>, ProviderError> {
        Tgw(&self.0)
            .search_transit_gateway_routes(route_table_id, destination_cidr_block)
            .await
    }

    async fn delete_transit_gateway_route(
        &self,
        route_table_id: &str,
        destination_cidr_block: &str,
    ) -> Result<(), ProviderError> {
        Tgw(&self.0)
            .delete_transit_gateway_route(route_table_id, destination_cidr_block)
            .await
    }

    async fn create_tags(&self, resource_id: &str, tags: Vec<Tag>) -> Result<(), ProviderError> {
        self.0
            .create_tags()
            .resources(resource_id)
            .set_tags(Some(
                tags.into_iter()
                    .map(|(k, v)| t::Tag::builder().key(k).value(v).build())
                    .collect(),
            ))
            .send()
            .await
            .map_err(|e| ec2_error("CreateTags", e))?;
        Ok(())
    }
    async fn delete_tags(&self, resource_id: &str, keys: Vec<String>) -> Result<(), ProviderError> {
        self.0
            .delete_tags()
            .resources(resource_id)
            .set_tags(Some(
                keys.into_iter()
                    .map(|k| t::Tag::builder().key(k).build())
                    .collect(),
            ))
            .send()
            .await
            .map_err(|e| ec2_error("DeleteTags", e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec2_codes_map_to_the_handler_contract() {
        assert_eq!(ec2_code("InvalidVpcID.NotFound"), Some(ErrorCode::NotFound));
        assert_eq!(ec2_code("InvalidRoute.NotFound"), Some(ErrorCode::NotFound));
        assert_eq!(
            ec2_code("DependencyViolation"),
            Some(ErrorCode::ResourceConflict)
        );
        assert_eq!(
            ec2_code("RouteAlreadyExists"),
            Some(ErrorCode::AlreadyExists)
        );
        assert_eq!(ec2_code("RequestLimitExceeded"), None);
    }
}
