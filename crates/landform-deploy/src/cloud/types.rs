//! What the in-memory cloud knows of each resource type: its name property, where names
//! are unique, the shape of its ids, and which property changes force a replacement.

/// Where a resource's name must be unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameScope {
    /// Per account and region (per account for global services such as IAM).
    Account,
    /// Across every account (S3 bucket names).
    Global,
}

/// One supported type.
#[derive(Debug)]
pub(crate) struct TypeSpec {
    pub type_name: &'static str,
    /// The property holding the name, when the type has one.
    pub name_property: Option<&'static str>,
    pub scope: NameScope,
    /// Prefix of generated ids (`vpc-`); empty when `Ref` is the name or something else.
    pub id_prefix: &'static str,
    /// Create-only properties.
    pub create_only: &'static [&'static str],
}

const fn spec(
    type_name: &'static str,
    name_property: Option<&'static str>,
    id_prefix: &'static str,
    create_only: &'static [&'static str],
) -> TypeSpec {
    TypeSpec {
        type_name,
        name_property,
        scope: NameScope::Account,
        id_prefix,
        create_only,
    }
}

pub(crate) const TYPES: &[TypeSpec] = &[
    spec("AWS::Organizations::OrganizationalUnit", None, "ou-", &[]),
    spec("AWS::Organizations::Policy", Some("Name"), "p-", &["Type"]),
    spec(
        "AWS::Organizations::Account",
        Some("Email"),
        "",
        &["Email", "RoleName"],
    ),
    spec("AWS::GuardDuty::Detector", None, "", &[]),
    spec(
        "AWS::Events::EventBus",
        Some("Name"),
        "",
        &["Name", "EventSourceName"],
    ),
    spec(
        "AWS::Events::EventBusPolicy",
        Some("StatementId"),
        "",
        &["StatementId", "EventBusName"],
    ),
    spec(
        "AWS::Events::Rule",
        Some("Name"),
        "",
        &["Name", "EventBusName"],
    ),
    spec(
        "AWS::Config::ConfigurationRecorder",
        Some("Name"),
        "",
        &["Name"],
    ),
    spec("AWS::Config::DeliveryChannel", Some("Name"), "", &["Name"]),
    spec(
        "AWS::Config::ConfigRule",
        Some("ConfigRuleName"),
        "",
        &["ConfigRuleName"],
    ),
    spec(
        "AWS::Config::ConfigurationAggregator",
        Some("ConfigurationAggregatorName"),
        "",
        &["ConfigurationAggregatorName"],
    ),
    spec(
        "AWS::IAM::Role",
        Some("RoleName"),
        "",
        &["RoleName", "Path"],
    ),
    spec("AWS::IAM::Policy", Some("PolicyName"), "", &[]),
    spec(
        "AWS::IAM::ManagedPolicy",
        Some("ManagedPolicyName"),
        "",
        &["ManagedPolicyName", "Path"],
    ),
    spec("AWS::IAM::OIDCProvider", Some("Url"), "", &["Url"]),
    spec(
        "AWS::CloudTrail::Trail",
        Some("TrailName"),
        "",
        &["TrailName"],
    ),
    TypeSpec {
        type_name: "AWS::S3::Bucket",
        name_property: Some("BucketName"),
        scope: NameScope::Global,
        id_prefix: "",
        create_only: &["BucketName", "ObjectLockEnabled"],
    },
    spec("AWS::S3::BucketPolicy", None, "", &["Bucket"]),
    spec("AWS::KMS::Key", None, "", &[]),
    spec("AWS::KMS::Alias", Some("AliasName"), "", &["AliasName"]),
    spec(
        "AWS::EC2::TransitGateway",
        None,
        "tgw-",
        &["AmazonSideAsn", "MulticastSupport"],
    ),
    spec(
        "AWS::EC2::TransitGatewayRouteTable",
        None,
        "tgw-rtb-",
        &["TransitGatewayId"],
    ),
    spec(
        "AWS::EC2::TransitGatewayAttachment",
        None,
        "tgw-attach-",
        &["TransitGatewayId", "VpcId"],
    ),
    spec(
        "AWS::EC2::TransitGatewayRouteTableAssociation",
        None,
        "",
        &["TransitGatewayRouteTableId", "TransitGatewayAttachmentId"],
    ),
    spec(
        "AWS::EC2::TransitGatewayRouteTablePropagation",
        None,
        "",
        &["TransitGatewayRouteTableId", "TransitGatewayAttachmentId"],
    ),
    spec(
        "AWS::EC2::TransitGatewayRoute",
        None,
        "",
        &[
            "TransitGatewayRouteTableId",
            "DestinationCidrBlock",
            "TransitGatewayAttachmentId",
            "Blackhole",
        ],
    ),
    spec("AWS::RAM::ResourceShare", Some("Name"), "", &[]),
    spec(
        "AWS::EC2::VPC",
        None,
        "vpc-",
        &["CidrBlock", "InstanceTenancy", "Ipv4IpamPoolId"],
    ),
    spec(
        "AWS::EC2::Subnet",
        None,
        "subnet-",
        &[
            "VpcId",
            "CidrBlock",
            "AvailabilityZone",
            "AvailabilityZoneId",
        ],
    ),
    spec(
        "AWS::EC2::FlowLog",
        None,
        "fl-",
        &[
            "ResourceId",
            "ResourceType",
            "TrafficType",
            "LogDestination",
            "LogDestinationType",
            "LogGroupName",
            "DeliverLogsPermissionArn",
            "LogFormat",
            "MaxAggregationInterval",
        ],
    ),
    spec("AWS::EC2::RouteTable", None, "rtb-", &["VpcId"]),
    spec(
        "AWS::EC2::Route",
        None,
        "",
        &[
            "RouteTableId",
            "DestinationCidrBlock",
            "DestinationIpv6CidrBlock",
        ],
    ),
    spec(
        "AWS::EC2::SubnetRouteTableAssociation",
        None,
        "rtbassoc-",
        &["SubnetId", "RouteTableId"],
    ),
    spec(
        "AWS::DynamoDB::Table",
        Some("TableName"),
        "",
        &["TableName", "KeySchema"],
    ),
    spec("AWS::Budgets::Budget", None, "", &["Budget"]),
    spec(
        "AWS::Logs::LogGroup",
        Some("LogGroupName"),
        "",
        &["LogGroupName"],
    ),
    spec(
        "AWS::Lambda::Function",
        Some("FunctionName"),
        "",
        &["FunctionName"],
    ),
];

/// Custom resources: anything under `Custom::` (and `AWS::CloudFormation::CustomResource`).
pub(crate) const CUSTOM: TypeSpec = spec("Custom::*", None, "", &["ServiceToken"]);

/// The spec of a type, if supported.
pub(crate) fn spec_of(type_name: &str) -> Option<&'static TypeSpec> {
    if type_name.starts_with("Custom::") || type_name == "AWS::CloudFormation::CustomResource" {
        return Some(&CUSTOM);
    }
    TYPES.iter().find(|t| t.type_name == type_name)
}

/// Every supported type name (custom resources are matched by prefix).
pub fn supported_types() -> impl Iterator<Item = &'static str> {
    TYPES.iter().map(|t| t.type_name)
}
