//! The transit gateway half of [`SdkEc2`](super::SdkEc2): gateways, VPC attachments, route
//! tables, their associations and propagations, and routes.

use aws_sdk_ec2::types as t;
use landform_deploy::ProviderError;

use super::{ec2_error, filters, ids, s, tag_list, tag_spec};
use crate::api::{
    Filter, RouteTableLink, Tag, TransitGatewayInfo, TransitGatewayOptions,
    TransitGatewayRouteInfo, TransitGatewayRouteTableInfo, VpcAttachmentInfo, VpcAttachmentOptions,
};
use crate::error::missing;

/// The SDK client, for the transit gateway calls.
pub(super) struct Tgw<'a>(pub &'a aws_sdk_ec2::Client);

fn tgw_info(g: &t::TransitGateway) -> TransitGatewayInfo {
    let o = g.options();
    let opt = |v: Option<&str>| v.map(str::to_owned);
    TransitGatewayInfo {
        id: s(g.transit_gateway_id()),
        arn: s(g.transit_gateway_arn()),
        owner_id: s(g.owner_id()),
        state: g.state().map(|v| v.as_str().to_owned()).unwrap_or_default(),
        description: g.description.clone(),
        options: TransitGatewayOptions {
            amazon_side_asn: o.and_then(|o| o.amazon_side_asn()),
            auto_accept_shared_attachments: opt(o
                .and_then(|o| o.auto_accept_shared_attachments())
                .map(|v| v.as_str())),
            default_route_table_association: opt(o
                .and_then(|o| o.default_route_table_association())
                .map(|v| v.as_str())),
            default_route_table_propagation: opt(o
                .and_then(|o| o.default_route_table_propagation())
                .map(|v| v.as_str())),
            dns_support: opt(o.and_then(|o| o.dns_support()).map(|v| v.as_str())),
            vpn_ecmp_support: opt(o.and_then(|o| o.vpn_ecmp_support()).map(|v| v.as_str())),
            multicast_support: opt(o.and_then(|o| o.multicast_support()).map(|v| v.as_str())),
        },
        tags: tag_list(g.tags()),
    }
}

fn attachment_info(a: &t::TransitGatewayVpcAttachment) -> VpcAttachmentInfo {
    let o = a.options();
    VpcAttachmentInfo {
        id: s(a.transit_gateway_attachment_id()),
        transit_gateway_id: s(a.transit_gateway_id()),
        vpc_id: s(a.vpc_id()),
        subnet_ids: a.subnet_ids().to_vec(),
        state: a.state().map(|v| v.as_str().to_owned()).unwrap_or_default(),
        options: VpcAttachmentOptions {
            dns_support: o
                .and_then(|o| o.dns_support())
                .map(|v| v.as_str().to_owned()),
            ipv6_support: o
                .and_then(|o| o.ipv6_support())
                .map(|v| v.as_str().to_owned()),
            appliance_mode_support: o
                .and_then(|o| o.appliance_mode_support())
                .map(|v| v.as_str().to_owned()),
        },
        tags: tag_list(a.tags()),
    }
}

fn tgw_route_table_info(r: &t::TransitGatewayRouteTable) -> TransitGatewayRouteTableInfo {
    TransitGatewayRouteTableInfo {
        id: s(r.transit_gateway_route_table_id()),
        transit_gateway_id: s(r.transit_gateway_id()),
        state: r.state().map(|v| v.as_str().to_owned()).unwrap_or_default(),
        tags: tag_list(r.tags()),
    }
}

impl Tgw<'_> {
    pub(super) async fn create_transit_gateway(
        &self,
        description: Option<String>,
        options: &TransitGatewayOptions,
        tags: Vec<Tag>,
    ) -> Result<TransitGatewayInfo, ProviderError> {
        let o = t::TransitGatewayRequestOptions::builder()
            .set_amazon_side_asn(options.amazon_side_asn)
            .set_auto_accept_shared_attachments(
                options
                    .auto_accept_shared_attachments
                    .as_deref()
                    .map(t::AutoAcceptSharedAttachmentsValue::from),
            )
            .set_default_route_table_association(
                options
                    .default_route_table_association
                    .as_deref()
                    .map(t::DefaultRouteTableAssociationValue::from),
            )
            .set_default_route_table_propagation(
                options
                    .default_route_table_propagation
                    .as_deref()
                    .map(t::DefaultRouteTablePropagationValue::from),
            )
            .set_dns_support(options.dns_support.as_deref().map(t::DnsSupportValue::from))
            .set_vpn_ecmp_support(
                options
                    .vpn_ecmp_support
                    .as_deref()
                    .map(t::VpnEcmpSupportValue::from),
            )
            .set_multicast_support(
                options
                    .multicast_support
                    .as_deref()
                    .map(t::MulticastSupportValue::from),
            )
            .build();
        let out = self
            .0
            .create_transit_gateway()
            .set_description(description)
            .options(o)
            .set_tag_specifications(
                tag_spec(t::ResourceType::TransitGateway, tags).map(|s| vec![s]),
            )
            .send()
            .await
            .map_err(|e| ec2_error("CreateTransitGateway", e))?;
        out.transit_gateway()
            .map(tgw_info)
            .ok_or_else(|| missing("CreateTransitGateway", "TransitGateway"))
    }

    pub(super) async fn describe_transit_gateways(
        &self,
        tgw_ids: Vec<String>,
        f: Vec<Filter>,
    ) -> Result<Vec<TransitGatewayInfo>, ProviderError> {
        let out = self
            .0
            .describe_transit_gateways()
            .set_transit_gateway_ids(ids(tgw_ids))
            .set_filters(filters(f))
            .send()
            .await
            .map_err(|e| ec2_error("DescribeTransitGateways", e))?;
        Ok(out.transit_gateways().iter().map(tgw_info).collect())
    }

    pub(super) async fn modify_transit_gateway(
        &self,
        id: &str,
        description: Option<String>,
        options: &TransitGatewayOptions,
    ) -> Result<(), ProviderError> {
        let o = t::ModifyTransitGatewayOptions::builder()
            .set_amazon_side_asn(options.amazon_side_asn)
            .set_auto_accept_shared_attachments(
                options
                    .auto_accept_shared_attachments
                    .as_deref()
                    .map(t::AutoAcceptSharedAttachmentsValue::from),
            )
            .set_default_route_table_association(
                options
                    .default_route_table_association
                    .as_deref()
                    .map(t::DefaultRouteTableAssociationValue::from),
            )
            .set_default_route_table_propagation(
                options
                    .default_route_table_propagation
                    .as_deref()
                    .map(t::DefaultRouteTablePropagationValue::from),
            )
            .set_dns_support(options.dns_support.as_deref().map(t::DnsSupportValue::from))
            .set_vpn_ecmp_support(
                options
                    .vpn_ecmp_support
                    .as_deref()
                    .map(t::VpnEcmpSupportValue::from),
            )
            .build();
        self.0
            .modify_transit_gateway()
            .transit_gateway_id(id)
            .set_description(description)
            .options(o)
            .send()
            .await
            .map_err(|e| ec2_error("ModifyTransitGateway", e))?;
        Ok(())
    }

    pub(super) async fn delete_transit_gateway(&self, id: &str) -> Result<(), ProviderError> {
        self.0
            .delete_transit_gateway()
            .transit_gateway_id(id)
            .send()
            .await
            .map_err(|e| ec2_error("DeleteTransitGateway", e))?;
        Ok(())
    }

    pub(super) async fn create_transit_gateway_vpc_attachment(
        &self,
        transit_gateway_id: &str,
        vpc_id: &str,
        subnet_ids: Vec<String>,
        options: &VpcAttachmentOptions,
        tags: Vec<Tag>,
    ) -> Result<VpcAttachmentInfo, ProviderError> {
        let o = t::CreateTransitGatewayVpcAttachmentRequestOptions::builder()
            .set_dns_support(options.dns_support.as_deref().map(t::DnsSupportValue::from))
            .set_ipv6_support(
                options
                    .ipv6_support
                    .as_deref()
                    .map(t::Ipv6SupportValue::from),
            )
            .set_appliance_mode_support(
                options
                    .appliance_mode_support
                    .as_deref()
                    .map(t::ApplianceModeSupportValue::from),
            )
            .build();
        let out = self
            .0
            .create_transit_gateway_vpc_attachment()
            .transit_gateway_id(transit_gateway_id)
            .vpc_id(vpc_id)
            .set_subnet_ids(Some(subnet_ids))
            .options(o)
            .set_tag_specifications(
                tag_spec(t::ResourceType::TransitGatewayAttachment, tags).map(|s| vec![s]),
            )
            .send()
            .await
            .map_err(|e| ec2_error("CreateTransitGatewayVpcAttachment", e))?;
        out.transit_gateway_vpc_attachment()
            .map(attachment_info)
            .ok_or_else(|| {
                missing(
                    "CreateTransitGatewayVpcAttachment",
                    "TransitGatewayVpcAttachment",
                )
            })
    }

    pub(super) async fn describe_transit_gateway_vpc_attachments(
        &self,
        attachment_ids: Vec<String>,
        f: Vec<Filter>,
    ) -> Result<Vec<VpcAttachmentInfo>, ProviderError> {
        let out = self
            .0
            .describe_transit_gateway_vpc_attachments()
            .set_transit_gateway_attachment_ids(ids(attachment_ids))
            .set_filters(filters(f))
            .send()
            .await
            .map_err(|e| ec2_error("DescribeTransitGatewayVpcAttachments", e))?;
        Ok(out
            .transit_gateway_vpc_attachments()
            .iter()
            .map(attachment_info)
            .collect())
    }

    pub(super) async fn modify_transit_gateway_vpc_attachment(
        &self,
        id: &str,
        add_subnet_ids: Vec<String>,
        remove_subnet_ids: Vec<String>,
        options: &VpcAttachmentOptions,
    ) -> Result<(), ProviderError> {
        let o = t::ModifyTransitGatewayVpcAttachmentRequestOptions::builder()
            .set_dns_support(options.dns_support.as_deref().map(t::DnsSupportValue::from))
            .set_ipv6_support(
                options
                    .ipv6_support
                    .as_deref()
                    .map(t::Ipv6SupportValue::from),
            )
            .set_appliance_mode_support(
                options
                    .appliance_mode_support
                    .as_deref()
                    .map(t::ApplianceModeSupportValue::from),
            )
            .build();
        self.0
            .modify_transit_gateway_vpc_attachment()
            .transit_gateway_attachment_id(id)
            .set_add_subnet_ids(ids(add_subnet_ids))
            .set_remove_subnet_ids(ids(remove_subnet_ids))
            .options(o)
            .send()
            .await
            .map_err(|e| ec2_error("ModifyTransitGatewayVpcAttachment", e))?;
        Ok(())
    }

    pub(super) async fn delete_transit_gateway_vpc_attachment(
        &self,
        id: &str,
    ) -> Result<(), ProviderError> {
        self.0
            .delete_transit_gateway_vpc_attachment()
            .transit_gateway_attachment_id(id)
            .send()
            .await
            .map_err(|e| ec2_error("DeleteTransitGatewayVpcAttachment", e))?;
        Ok(())
    }

    pub(super) async fn accept_transit_gateway_vpc_attachment(
        &self,
        id: &str,
    ) -> Result<(), ProviderError> {
        self.0
            .accept_transit_gateway_vpc_attachment()
            .transit_gateway_attachment_id(id)
            .send()
            .await
            .map_err(|e| ec2_error("AcceptTransitGatewayVpcAttachment", e))?;
        Ok(())
    }

    pub(super) async fn create_transit_gateway_route_table(
        &self,
        transit_gateway_id: &str,
        tags: Vec<Tag>,
    ) -> Result<TransitGatewayRouteTableInfo, ProviderError> {
        let out = self
            .0
            .create_transit_gateway_route_table()
            .transit_gateway_id(transit_gateway_id)
            .set_tag_specifications(
                tag_spec(t::ResourceType::TransitGatewayRouteTable, tags).map(|s| vec![s]),
            )
            .send()
            .await
            .map_err(|e| ec2_error("CreateTransitGatewayRouteTable", e))?;
        out.transit_gateway_route_table()
            .map(tgw_route_table_info)
            .ok_or_else(|| missing("CreateTransitGatewayRouteTable", "TransitGatewayRouteTable"))
    }

    pub(super) async fn describe_transit_gateway_route_tables(
        &self,
        table_ids: Vec<String>,
        f: Vec<Filter>,
    ) -> Result<Vec<TransitGatewayRouteTableInfo>, ProviderError> {
        let out = self
            .0
            .describe_transit_gateway_route_tables()
            .set_transit_gateway_route_table_ids(ids(table_ids))
            .set_filters(filters(f))
            .send()
            .await
            .map_err(|e| ec2_error("DescribeTransitGatewayRouteTables", e))?;
        Ok(out
            .transit_gateway_route_tables()
            .iter()
            .map(tgw_route_table_info)
            .collect())
    }

    pub(super) async fn delete_transit_gateway_route_table(
        &self,
        id: &str,
    ) -> Result<(), ProviderError> {
        self.0
            .delete_transit_gateway_route_table()
            .transit_gateway_route_table_id(id)
            .send()
            .await
            .map_err(|e| ec2_error("DeleteTransitGatewayRouteTable", e))?;
        Ok(())
    }

    pub(super) async fn link_route_table(
        &self,
        link: RouteTableLink,
        route_table_id: &str,
        attachment_id: &str,
    ) -> Result<(), ProviderError> {
        match link {
            RouteTableLink::Association => self
                .0
                .associate_transit_gateway_route_table()
                .transit_gateway_route_table_id(route_table_id)
                .transit_gateway_attachment_id(attachment_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| ec2_error("AssociateTransitGatewayRouteTable", e)),
            RouteTableLink::Propagation => self
                .0
                .enable_transit_gateway_route_table_propagation()
                .transit_gateway_route_table_id(route_table_id)
                .transit_gateway_attachment_id(attachment_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| ec2_error("EnableTransitGatewayRouteTablePropagation", e)),
        }
    }

    pub(super) async fn route_table_link(
        &self,
        link: RouteTableLink,
        route_table_id: &str,
        attachment_id: &str,
    ) -> Result<Option<String>, ProviderError> {
        let only = filters(vec![(
            "transit-gateway-attachment-id".into(),
            attachment_id.into(),
        )]);
        let state = |s: Option<&str>, default: &str| s.unwrap_or(default).to_owned();
        Ok(match link {
            RouteTableLink::Association => self
                .0
                .get_transit_gateway_route_table_associations()
                .transit_gateway_route_table_id(route_table_id)
                .set_filters(only)
                .send()
                .await
                .map_err(|e| ec2_error("GetTransitGatewayRouteTableAssociations", e))?
                .associations()
                .iter()
                .find(|a| a.transit_gateway_attachment_id() == Some(attachment_id))
                .map(|a| state(a.state().map(|s| s.as_str()), "associated")),
            RouteTableLink::Propagation => self
                .0
                .get_transit_gateway_route_table_propagations()
                .transit_gateway_route_table_id(route_table_id)
                .set_filters(only)
                .send()
                .await
                .map_err(|e| ec2_error("GetTransitGatewayRouteTablePropagations", e))?
                .transit_gateway_route_table_propagations()
                .iter()
                .find(|p| p.transit_gateway_attachment_id() == Some(attachment_id))
                .map(|p| state(p.state().map(|s| s.as_str()), "enabled")),
        })
    }

    pub(super) async fn unlink_route_table(
        &self,
        link: RouteTableLink,
        route_table_id: &str,
        attachment_id: &str,
    ) -> Result<(), ProviderError> {
        match link {
            RouteTableLink::Association => self
                .0
                .disassociate_transit_gateway_route_table()
                .transit_gateway_route_table_id(route_table_id)
                .transit_gateway_attachment_id(attachment_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| ec2_error("DisassociateTransitGatewayRouteTable", e)),
            RouteTableLink::Propagation => self
                .0
                .disable_transit_gateway_route_table_propagation()
                .transit_gateway_route_table_id(route_table_id)
                .transit_gateway_attachment_id(attachment_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| ec2_error("DisableTransitGatewayRouteTablePropagation", e)),
        }
    }

    pub(super) async fn create_transit_gateway_route(
        &self,
        route_table_id: &str,
        destination_cidr_block: &str,
        attachment_id: Option<String>,
        blackhole: bool,
    ) -> Result<(), ProviderError> {
        self.0
            .create_transit_gateway_route()
            .transit_gateway_route_table_id(route_table_id)
            .destination_cidr_block(destination_cidr_block)
            .set_transit_gateway_attachment_id(attachment_id)
            .blackhole(blackhole)
            .send()
            .await
            .map_err(|e| ec2_error("CreateTransitGatewayRoute", e))?;
        Ok(())
    }

    pub(super) async fn search_transit_gateway_routes(
        &self,
        route_table_id: &str,
        destination_cidr_block: &str,
    ) -> Result<Vec<TransitGatewayRouteInfo>, ProviderError> {
        let out = self
            .0
            .search_transit_gateway_routes()
            .transit_gateway_route_table_id(route_table_id)
            .set_filters(filters(vec![(
                "route-search.exact-match".into(),
                destination_cidr_block.into(),
            )]))
            .send()
            .await
            .map_err(|e| ec2_error("SearchTransitGatewayRoutes", e))?;
        Ok(out
            .routes()
            .iter()
            .map(|r| TransitGatewayRouteInfo {
                destination_cidr_block: s(r.destination_cidr_block()),
                attachment_ids: r
                    .transit_gateway_attachments()
                    .iter()
                    .filter_map(|a| a.transit_gateway_attachment_id.clone())
                    .collect(),
                route_type: r
                    .r#type()
                    .map(|v| v.as_str().to_owned())
                    .unwrap_or_default(),
                state: r.state().map(|v| v.as_str().to_owned()).unwrap_or_default(),
            })
            .collect())
    }

    pub(super) async fn delete_transit_gateway_route(
        &self,
        route_table_id: &str,
        destination_cidr_block: &str,
    ) -> Result<(), ProviderError> {
        self.0
            .delete_transit_gateway_route()
            .transit_gateway_route_table_id(route_table_id)
            .destination_cidr_block(destination_cidr_block)
            .send()
            .await
            .map_err(|e| ec2_error("DeleteTransitGatewayRoute", e))?;
        Ok(())
    }
}
