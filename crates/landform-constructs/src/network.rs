//! A workload VPC: private subnets in at least two availability zones, flow logs to the
//! central bucket, and an attachment to the [`TransitHub`](crate::TransitHub)'s gateway.

use landform_cfn::ec2::{self, flow_log};
use landform_cfn::Tag;
use landform_core::{kinds, Issue, NodeId, ResourceHandle, Scope, Token, Value};

use crate::cidr::Cidr;
use crate::util::parse_or_report;

/// Options of a [`WorkloadNetwork`].
///
/// ```
/// use landform_constructs::WorkloadNetworkProps;
/// use landform_core::Token;
/// let props = WorkloadNetworkProps::new("10.20.0.0/16", Token::literal("tgw-0123456789abcdef0"), Token::literal("arn:aws:s3:::central-logs"));
/// assert_eq!(props.availability_zones, 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadNetworkProps {
    /// The VPC CIDR block, /16 to /28.
    pub cidr: String,
    /// Availability zones for private subnets (2 or more; the attachment spans them).
    pub availability_zones: u8,
    /// The hub's transit gateway id (a cross-account reference from the hub's stack).
    pub transit_gateway_id: Token<kinds::TransitGatewayId>,
    /// The central log bucket's ARN, where flow logs go.
    pub flow_log_bucket_arn: Token<kinds::Arn>,
}

impl WorkloadNetworkProps {
    /// Props with the required values and two availability zones.
    ///
    /// ```
    /// use landform_constructs::WorkloadNetworkProps;
    /// use landform_core::Token;
    /// let p = WorkloadNetworkProps::new("10.1.0.0/16", Token::literal("tgw-1"), Token::literal("arn:aws:s3:::logs"));
    /// assert_eq!(p.cidr, "10.1.0.0/16");
    /// ```
    pub fn new(
        cidr: &str,
        transit_gateway_id: Token<kinds::TransitGatewayId>,
        flow_log_bucket_arn: Token<kinds::Arn>,
    ) -> Self {
        WorkloadNetworkProps {
            cidr: cidr.to_owned(),
            availability_zones: 2,
            transit_gateway_id,
            flow_log_bucket_arn,
        }
    }
}

/// A VPC in a workload account attached to the transit gateway.
///
/// ```
/// use landform_constructs::{WorkloadNetwork, WorkloadNetworkProps};
/// use landform_core::{App, Environment, Token};
/// let mut app = App::new();
/// let stage = app.add_stage("Prod", Environment::new("333333333333", "us-east-1"));
/// let stack = app.add_stack(stage, "Network");
/// let net = WorkloadNetwork::new(&mut app.scope(stack), "Vpc",
///     WorkloadNetworkProps::new("10.20.0.0/16", Token::literal("tgw-0123456789abcdef0"), Token::literal("arn:aws:s3:::central-logs")));
/// assert_eq!(net.cidr().map(|c| c.to_string()).as_deref(), Some("10.20.0.0/16"));
/// assert!(app.synth().is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct WorkloadNetwork {
    node: NodeId,
    cidr: Option<Cidr>,
    vpc: ResourceHandle,
    route_table: ResourceHandle,
    attachment: ResourceHandle,
}

impl WorkloadNetwork {
    /// Create the network under `scope` (a stack of the workload account).
    pub fn new(scope: &mut Scope<'_>, id: &str, props: WorkloadNetworkProps) -> Self {
        let mut inner = scope.child(id, "WorkloadNetwork");
        let cidr = parse_or_report(
            &mut inner,
            "WorkloadNetwork",
            "cidr",
            &props.cidr,
            crate::cidr::parse,
        );
        let cidr = cidr.filter(|c| {
            if c.is_ipv6() {
                inner.report(Issue::new(
                    "WorkloadNetwork.CidrFamily",
                    "cidr",
                    c,
                    "a VPC's primary CIDR block is IPv4; AWS gives it an IPv6 block apart (AWS::EC2::VPCCidrBlock)",
                ));
                return false;
            }
            let ok = (16..=28).contains(&c.prefix());
            if !ok {
                inner.report(Issue::new(
                    "WorkloadNetwork.CidrPrefix",
                    "cidr",
                    c,
                    "a VPC CIDR block is between /16 and /28",
                ));
            }
            ok
        });
        if props.availability_zones < 2 {
            inner.report(Issue::new(
                "WorkloadNetwork.AvailabilityZones",
                "availability_zones",
                props.availability_zones,
                "a hub attachment spans private subnets in at least two availability zones",
            ));
        }
        let subnets = cidr
            .map(|c| c.split(usize::from(props.availability_zones)))
            .map(|split| match split {
                Some(s) => s,
                None => {
                    inner.report(Issue::new(
                        "WorkloadNetwork.SubnetsTooSmall",
                        "availability_zones",
                        props.availability_zones,
                        "the VPC CIDR is too small to give each availability zone a /28 subnet or larger",
                    ));
                    Vec::new()
                }
            })
            .unwrap_or_default();
        let name_tag = |suffix: &str| [Tag::new("Name", format!("{id}-{suffix}"))];
        let vpc = inner.add_resource(
            "Vpc",
            ec2::Vpc::default()
                .cidr_block(props.cidr.as_str())
                .enable_dns_hostnames(true)
                .enable_dns_support(true)
                .tags(name_tag("vpc")),
        );
        let route_table = inner.add_resource(
            "PrivateRouteTable",
            ec2::RouteTable::default()
                .vpc_id(vpc.ref_value())
                .tags(name_tag("private")),
        );
        let mut subnet_ids = Vec::new();
        for (n, block) in subnets.iter().enumerate() {
            let az = Value::object([(
                "Fn::Select",
                Value::array([
                    Value::from(n),
                    Value::object([("Fn::GetAZs", Value::from(""))]),
                ]),
            )]);
            let subnet = inner.add_resource(
                &format!("Private{n}"),
                ec2::Subnet::default()
                    .vpc_id(vpc.ref_value())
                    .cidr_block(Value::from(block))
                    .availability_zone(az)
                    .map_public_ip_on_launch(false)
                    .tags(name_tag(&format!("private-{n}"))),
            );
            inner.add_resource(
                &format!("Private{n}Routes"),
                ec2::SubnetRouteTableAssociation::default()
                    .subnet_id(subnet.ref_value())
                    .route_table_id(route_table.ref_value()),
            );
            subnet_ids.push(subnet.ref_value());
        }
        inner.add_resource(
            "FlowLog",
            ec2::FlowLog::default()
                .resource_id(vpc.ref_value())
                .resource_type(flow_log::ResourceType::Vpc)
                .traffic_type(flow_log::TrafficType::All)
                .log_destination_type(flow_log::LogDestinationType::S3)
                .log_destination(&props.flow_log_bucket_arn)
                .max_aggregation_interval(600),
        );
        let attachment = inner.add_resource(
            "HubAttachment",
            ec2::TransitGatewayAttachment::default()
                .transit_gateway_id(&props.transit_gateway_id)
                .vpc_id(vpc.ref_value())
                .subnet_ids(subnet_ids)
                .tags(name_tag("hub")),
        );
        WorkloadNetwork {
            node: inner.node(),
            cidr,
            vpc,
            route_table,
            attachment,
        }
    }

    /// The VPC CIDR, when it parsed.
    ///
    /// ```
    /// # use landform_constructs::{WorkloadNetwork, WorkloadNetworkProps};
    /// # use landform_core::{App, Environment, Token};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Prod", Environment::new("333333333333", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Network");
    /// let net = WorkloadNetwork::new(&mut app.scope(stack), "Vpc", WorkloadNetworkProps::new("bad", Token::literal("tgw-1"), Token::literal("arn:aws:s3:::l")));
    /// assert!(net.cidr().is_none());
    /// ```
    pub fn cidr(&self) -> Option<Cidr> {
        self.cidr
    }
    /// The VPC id.
    ///
    /// ```
    /// # use landform_constructs::{WorkloadNetwork, WorkloadNetworkProps};
    /// # use landform_core::{App, Environment, Token};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Prod", Environment::new("333333333333", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Network");
    /// let net = WorkloadNetwork::new(&mut app.scope(stack), "Vpc", WorkloadNetworkProps::new("10.0.0.0/16", Token::literal("tgw-1"), Token::literal("arn:aws:s3:::l")));
    /// assert!(net.vpc_id().as_literal().is_none());
    /// ```
    pub fn vpc_id(&self) -> Token<kinds::VpcId> {
        self.vpc.ref_token()
    }
    /// The transit gateway attachment id.
    ///
    /// ```
    /// # use landform_constructs::{WorkloadNetwork, WorkloadNetworkProps};
    /// # use landform_core::{App, Environment, Token};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Prod", Environment::new("333333333333", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Network");
    /// let net = WorkloadNetwork::new(&mut app.scope(stack), "Vpc", WorkloadNetworkProps::new("10.0.0.0/16", Token::literal("tgw-1"), Token::literal("arn:aws:s3:::l")));
    /// assert!(net.attachment_id().as_literal().is_none());
    /// ```
    pub fn attachment_id(&self) -> Token<kinds::TransitGatewayAttachmentId> {
        self.attachment.ref_token()
    }
    pub(crate) fn attachment(&self) -> ResourceHandle {
        self.attachment
    }
    pub(crate) fn route_table(&self) -> ResourceHandle {
        self.route_table
    }
    /// The construct's node.
    ///
    /// ```
    /// # use landform_constructs::{WorkloadNetwork, WorkloadNetworkProps};
    /// # use landform_core::{App, Environment, Token};
    /// # let mut app = App::new();
    /// # let stage = app.add_stage("Prod", Environment::new("333333333333", "us-east-1"));
    /// # let stack = app.add_stack(stage, "Network");
    /// let net = WorkloadNetwork::new(&mut app.scope(stack), "Vpc", WorkloadNetworkProps::new("10.0.0.0/16", Token::literal("tgw-1"), Token::literal("arn:aws:s3:::l")));
    /// assert_eq!(app.tree().path(net.node()).to_string(), "App/Prod/Network/Vpc");
    /// ```
    pub fn node(&self) -> NodeId {
        self.node
    }
}
