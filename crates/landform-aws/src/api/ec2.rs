//! The EC2 calls the networking providers make: VPCs, subnets, route tables and routes, flow
//! logs, and transit gateways with their attachments, route tables, associations and routes.

use async_trait::async_trait;
use landform_deploy::ProviderError;

use super::Tag;

#[path = "ec2_sdk.rs"]
mod sdk;

pub use sdk::SdkEc2;

/// A Describe* filter: name (`vpc-id`, `tag:landform:idempotency-key`) and the one value
/// matched.
pub type Filter = (String, String);

/// A VPC as DescribeVpcs answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VpcInfo {
    /// `vpc-...`.
    pub id: String,
    /// The primary IPv4 CIDR block.
    pub cidr_block: String,
    /// `pending` or `available`.
    pub state: String,
    /// `default` or `dedicated`.
    pub instance_tenancy: Option<String>,
    /// The IPv4 CIDR block association ids (`vpc-cidr-assoc-...`).
    pub cidr_block_associations: Vec<String>,
    /// The IPv6 CIDR blocks.
    pub ipv6_cidr_blocks: Vec<String>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// A boolean attribute of a VPC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VpcAttribute {
    /// `enableDnsSupport`.
    EnableDnsSupport,
    /// `enableDnsHostnames`.
    EnableDnsHostnames,
}

/// A network ACL as DescribeNetworkAcls answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkAclInfo {
    /// `acl-...`.
    pub id: String,
    /// Whether it is the VPC's default ACL.
    pub is_default: bool,
    /// Its subnet associations: (`aclassoc-...`, `subnet-...`).
    pub associations: Vec<(String, String)>,
}

/// What CreateSubnet takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubnetSpec {
    /// The VPC.
    pub vpc_id: String,
    /// The IPv4 CIDR block.
    pub cidr_block: String,
    /// The zone name (`us-east-1a`).
    pub availability_zone: Option<String>,
    /// The zone id (`use1-az1`).
    pub availability_zone_id: Option<String>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// A subnet as DescribeSubnets answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubnetInfo {
    /// `subnet-...`.
    pub id: String,
    /// The VPC.
    pub vpc_id: String,
    /// The IPv4 CIDR block.
    pub cidr_block: String,
    /// The zone name.
    pub availability_zone: String,
    /// The zone id.
    pub availability_zone_id: String,
    /// `pending` or `available`.
    pub state: String,
    /// MapPublicIpOnLaunch.
    pub map_public_ip_on_launch: bool,
    /// The IPv6 CIDR blocks.
    pub ipv6_cidr_blocks: Vec<String>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// Where a route sends its traffic: exactly one target is set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteTarget {
    /// An internet or virtual private gateway (`igw-...`, `vgw-...`).
    pub gateway_id: Option<String>,
    /// A NAT gateway.
    pub nat_gateway_id: Option<String>,
    /// A transit gateway.
    pub transit_gateway_id: Option<String>,
    /// A VPC peering connection.
    pub vpc_peering_connection_id: Option<String>,
    /// A network interface.
    pub network_interface_id: Option<String>,
}

/// A route of a route table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteInfo {
    /// The IPv4 destination (None for IPv6 or prefix-list routes).
    pub destination_cidr_block: Option<String>,
    /// The target.
    pub target: RouteTarget,
    /// `active` or `blackhole`.
    pub state: String,
}

/// A route table association.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteTableAssociationInfo {
    /// `rtbassoc-...`.
    pub id: String,
    /// The subnet (None for the main association or a gateway association).
    pub subnet_id: Option<String>,
    /// `associated`, `associating`, `disassociating`...
    pub state: String,
}

/// A route table as DescribeRouteTables answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteTableInfo {
    /// `rtb-...`.
    pub id: String,
    /// The VPC.
    pub vpc_id: String,
    /// Its routes (the `local` route included).
    pub routes: Vec<RouteInfo>,
    /// Its associations.
    pub associations: Vec<RouteTableAssociationInfo>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// What CreateFlowLogs takes (for one resource).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowLogSpec {
    /// The VPC, subnet, interface or transit gateway (attachment) logged.
    pub resource_id: String,
    /// `VPC`, `Subnet`, `NetworkInterface`, `TransitGateway`, `TransitGatewayAttachment`.
    pub resource_type: String,
    /// `ACCEPT`, `REJECT` or `ALL`.
    pub traffic_type: Option<String>,
    /// `cloud-watch-logs`, `s3` or `kinesis-data-firehose`.
    pub log_destination_type: Option<String>,
    /// The destination ARN.
    pub log_destination: Option<String>,
    /// The CloudWatch Logs group name.
    pub log_group_name: Option<String>,
    /// The role delivering to CloudWatch Logs.
    pub deliver_logs_permission_arn: Option<String>,
    /// The record format.
    pub log_format: Option<String>,
    /// 60 or 600 seconds.
    pub max_aggregation_interval: Option<i32>,
    /// Tags.
    pub tags: Vec<Tag>,
    /// The idempotency token.
    pub client_token: String,
}

/// A flow log as DescribeFlowLogs answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowLogInfo {
    /// `fl-...`.
    pub id: String,
    /// The resource logged.
    pub resource_id: String,
    /// `ACCEPT`, `REJECT` or `ALL`.
    pub traffic_type: Option<String>,
    /// The destination type.
    pub log_destination_type: Option<String>,
    /// The destination ARN.
    pub log_destination: Option<String>,
    /// The CloudWatch Logs group name.
    pub log_group_name: Option<String>,
    /// The delivery role.
    pub deliver_logs_permission_arn: Option<String>,
    /// The record format.
    pub log_format: Option<String>,
    /// The aggregation interval in seconds.
    pub max_aggregation_interval: Option<i32>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// The options of a transit gateway, as CloudFormation names them (`enable`/`disable`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransitGatewayOptions {
    /// The Amazon side BGP ASN.
    pub amazon_side_asn: Option<i64>,
    /// AutoAcceptSharedAttachments.
    pub auto_accept_shared_attachments: Option<String>,
    /// DefaultRouteTableAssociation.
    pub default_route_table_association: Option<String>,
    /// DefaultRouteTablePropagation.
    pub default_route_table_propagation: Option<String>,
    /// DnsSupport.
    pub dns_support: Option<String>,
    /// VpnEcmpSupport.
    pub vpn_ecmp_support: Option<String>,
    /// MulticastSupport.
    pub multicast_support: Option<String>,
}

/// A transit gateway as DescribeTransitGateways answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransitGatewayInfo {
    /// `tgw-...`.
    pub id: String,
    /// The ARN.
    pub arn: String,
    /// The account that owns it (another account's when it is shared through RAM).
    pub owner_id: String,
    /// `pending`, `available`, `modifying`, `deleting`, `deleted`.
    pub state: String,
    /// The description.
    pub description: Option<String>,
    /// The options.
    pub options: TransitGatewayOptions,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// The options of a VPC attachment (`enable`/`disable`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VpcAttachmentOptions {
    /// DnsSupport.
    pub dns_support: Option<String>,
    /// Ipv6Support.
    pub ipv6_support: Option<String>,
    /// ApplianceModeSupport.
    pub appliance_mode_support: Option<String>,
}

/// A transit gateway VPC attachment as DescribeTransitGatewayVpcAttachments answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VpcAttachmentInfo {
    /// `tgw-attach-...`.
    pub id: String,
    /// The transit gateway.
    pub transit_gateway_id: String,
    /// The VPC.
    pub vpc_id: String,
    /// The subnets (one per zone).
    pub subnet_ids: Vec<String>,
    /// `pending`, `pendingAcceptance`, `available`, `modifying`, `deleting`, `deleted`...
    pub state: String,
    /// The options.
    pub options: VpcAttachmentOptions,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// A transit gateway route table as DescribeTransitGatewayRouteTables answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransitGatewayRouteTableInfo {
    /// `tgw-rtb-...`.
    pub id: String,
    /// The transit gateway.
    pub transit_gateway_id: String,
    /// `pending`, `available`, `deleting`, `deleted`.
    pub state: String,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// How an attachment is linked to a transit gateway route table: associated (the table
/// routes its traffic) or propagating (its routes are learnt into the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteTableLink {
    /// AWS::EC2::TransitGatewayRouteTableAssociation.
    Association,
    /// AWS::EC2::TransitGatewayRouteTablePropagation.
    Propagation,
}

/// A route of a transit gateway route table as SearchTransitGatewayRoutes answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransitGatewayRouteInfo {
    /// The destination.
    pub destination_cidr_block: String,
    /// The attachments it routes to.
    pub attachment_ids: Vec<String>,
    /// `static` or `propagated`.
    pub route_type: String,
    /// `active`, `blackhole`, `pending`, `deleting`, `deleted`.
    pub state: String,
}

/// The EC2 calls of the networking providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait Ec2Api: Send + Sync {
    /// CreateVpc.
    async fn create_vpc(
        &self,
        cidr_block: &str,
        instance_tenancy: Option<String>,
        tags: Vec<Tag>,
    ) -> Result<VpcInfo, ProviderError>;
    /// DescribeVpcs by ids and filters.
    async fn describe_vpcs(
        &self,
        ids: Vec<String>,
        filters: Vec<Filter>,
    ) -> Result<Vec<VpcInfo>, ProviderError>;
    /// DescribeVpcAttribute.
    async fn vpc_attribute(
        &self,
        vpc_id: &str,
        attribute: VpcAttribute,
    ) -> Result<bool, ProviderError>;
    /// ModifyVpcAttribute.
    async fn modify_vpc_attribute(
        &self,
        vpc_id: &str,
        attribute: VpcAttribute,
        value: bool,
    ) -> Result<(), ProviderError>;
    /// DescribeSecurityGroups: the id of the VPC's `default` group.
    async fn default_security_group(&self, vpc_id: &str) -> Result<Option<String>, ProviderError>;
    /// DescribeNetworkAcls by filters.
    async fn describe_network_acls(
        &self,
        filters: Vec<Filter>,
    ) -> Result<Vec<NetworkAclInfo>, ProviderError>;
    /// DeleteVpc.
    async fn delete_vpc(&self, vpc_id: &str) -> Result<(), ProviderError>;

    /// CreateSubnet.
    async fn create_subnet(&self, spec: &SubnetSpec) -> Result<SubnetInfo, ProviderError>;
    /// DescribeSubnets by ids and filters.
    async fn describe_subnets(
        &self,
        ids: Vec<String>,
        filters: Vec<Filter>,
    ) -> Result<Vec<SubnetInfo>, ProviderError>;
    /// ModifySubnetAttribute MapPublicIpOnLaunch.
    async fn modify_subnet_map_public_ip(
        &self,
        subnet_id: &str,
        value: bool,
    ) -> Result<(), ProviderError>;
    /// DeleteSubnet.
    async fn delete_subnet(&self, subnet_id: &str) -> Result<(), ProviderError>;

    /// CreateRouteTable (idempotent on `client_token`).
    async fn create_route_table(
        &self,
        vpc_id: &str,
        tags: Vec<Tag>,
        client_token: &str,
    ) -> Result<RouteTableInfo, ProviderError>;
    /// DescribeRouteTables by ids and filters.
    async fn describe_route_tables(
        &self,
        ids: Vec<String>,
        filters: Vec<Filter>,
    ) -> Result<Vec<RouteTableInfo>, ProviderError>;
    /// DeleteRouteTable.
    async fn delete_route_table(&self, route_table_id: &str) -> Result<(), ProviderError>;
    /// CreateRoute (IPv4 destination).
    async fn create_route(
        &self,
        route_table_id: &str,
        destination_cidr_block: &str,
        target: &RouteTarget,
    ) -> Result<(), ProviderError>;
    /// ReplaceRoute: point an existing route at another target.
    async fn replace_route(
        &self,
        route_table_id: &str,
        destination_cidr_block: &str,
        target: &RouteTarget,
    ) -> Result<(), ProviderError>;
    /// DeleteRoute.
    async fn delete_route(
        &self,
        route_table_id: &str,
        destination_cidr_block: &str,
    ) -> Result<(), ProviderError>;
    /// AssociateRouteTable with a subnet: the association id.
    async fn associate_route_table(
        &self,
        route_table_id: &str,
        subnet_id: &str,
    ) -> Result<String, ProviderError>;
    /// DisassociateRouteTable.
    async fn disassociate_route_table(&self, association_id: &str) -> Result<(), ProviderError>;

    /// CreateFlowLogs for one resource: the flow log id.
    async fn create_flow_log(&self, spec: &FlowLogSpec) -> Result<String, ProviderError>;
    /// DescribeFlowLogs by ids and filters.
    async fn describe_flow_logs(
        &self,
        ids: Vec<String>,
        filters: Vec<Filter>,
    ) -> Result<Vec<FlowLogInfo>, ProviderError>;
    /// DeleteFlowLogs for one flow log.
    async fn delete_flow_log(&self, flow_log_id: &str) -> Result<(), ProviderError>;

    /// CreateTransitGateway.
    async fn create_transit_gateway(
        &self,
        description: Option<String>,
        options: &TransitGatewayOptions,
        tags: Vec<Tag>,
    ) -> Result<TransitGatewayInfo, ProviderError>;
    /// DescribeTransitGateways by ids and filters.
    async fn describe_transit_gateways(
        &self,
        ids: Vec<String>,
        filters: Vec<Filter>,
    ) -> Result<Vec<TransitGatewayInfo>, ProviderError>;
    /// ModifyTransitGateway: description and the modifiable options.
    async fn modify_transit_gateway(
        &self,
        id: &str,
        description: Option<String>,
        options: &TransitGatewayOptions,
    ) -> Result<(), ProviderError>;
    /// DeleteTransitGateway.
    async fn delete_transit_gateway(&self, id: &str) -> Result<(), ProviderError>;

    /// CreateTransitGatewayVpcAttachment.
    async fn create_transit_gateway_vpc_attachment(
        &self,
        transit_gateway_id: &str,
        vpc_id: &str,
        subnet_ids: Vec<String>,
        options: &VpcAttachmentOptions,
        tags: Vec<Tag>,
    ) -> Result<VpcAttachmentInfo, ProviderError>;
    /// DescribeTransitGatewayVpcAttachments by ids and filters.
    async fn describe_transit_gateway_vpc_attachments(
        &self,
        ids: Vec<String>,
        filters: Vec<Filter>,
    ) -> Result<Vec<VpcAttachmentInfo>, ProviderError>;
    /// ModifyTransitGatewayVpcAttachment: subnets added and removed, options.
    async fn modify_transit_gateway_vpc_attachment(
        &self,
        id: &str,
        add_subnet_ids: Vec<String>,
        remove_subnet_ids: Vec<String>,
        options: &VpcAttachmentOptions,
    ) -> Result<(), ProviderError>;
    /// AcceptTransitGatewayVpcAttachment, called by the transit gateway's owner.
    async fn accept_transit_gateway_vpc_attachment(&self, id: &str) -> Result<(), ProviderError>;
    /// DeleteTransitGatewayVpcAttachment.
    async fn delete_transit_gateway_vpc_attachment(&self, id: &str) -> Result<(), ProviderError>;

    /// CreateTransitGatewayRouteTable.
    async fn create_transit_gateway_route_table(
        &self,
        transit_gateway_id: &str,
        tags: Vec<Tag>,
    ) -> Result<TransitGatewayRouteTableInfo, ProviderError>;
    /// DescribeTransitGatewayRouteTables by ids and filters.
    async fn describe_transit_gateway_route_tables(
        &self,
        ids: Vec<String>,
        filters: Vec<Filter>,
    ) -> Result<Vec<TransitGatewayRouteTableInfo>, ProviderError>;
    /// DeleteTransitGatewayRouteTable.
    async fn delete_transit_gateway_route_table(&self, id: &str) -> Result<(), ProviderError>;
    /// AssociateTransitGatewayRouteTable or EnableTransitGatewayRouteTablePropagation.
    async fn link_route_table(
        &self,
        link: RouteTableLink,
        route_table_id: &str,
        attachment_id: &str,
    ) -> Result<(), ProviderError>;
    /// GetTransitGatewayRouteTableAssociations or GetTransitGatewayRouteTablePropagations
    /// for one attachment: its state (`associated`, `enabled`...), None when not linked.
    async fn route_table_link(
        &self,
        link: RouteTableLink,
        route_table_id: &str,
        attachment_id: &str,
    ) -> Result<Option<String>, ProviderError>;
    /// DisassociateTransitGatewayRouteTable or DisableTransitGatewayRouteTablePropagation.
    async fn unlink_route_table(
        &self,
        link: RouteTableLink,
        route_table_id: &str,
        attachment_id: &str,
    ) -> Result<(), ProviderError>;
    /// CreateTransitGatewayRoute.
    async fn create_transit_gateway_route(
        &self,
        route_table_id: &str,
        destination_cidr_block: &str,
        attachment_id: Option<String>,
        blackhole: bool,
    ) -> Result<(), ProviderError>;
    /// SearchTransitGatewayRoutes for an exact destination.
    async fn search_transit_gateway_routes(
        &self,
        route_table_id: &str,
        destination_cidr_block: &str,
    ) -> Result<Vec<TransitGatewayRouteInfo>, ProviderError>;
    /// DeleteTransitGatewayRoute.
    async fn delete_transit_gateway_route(
        &self,
        route_table_id: &str,
        destination_cidr_block: &str,
    ) -> Result<(), ProviderError>;

    /// CreateTags on one resource.
    async fn create_tags(&self, resource_id: &str, tags: Vec<Tag>) -> Result<(), ProviderError>;
    /// DeleteTags (by key) on one resource.
    async fn delete_tags(&self, resource_id: &str, keys: Vec<String>) -> Result<(), ProviderError>;
}
