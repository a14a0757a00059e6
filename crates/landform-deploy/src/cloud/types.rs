//! What the in-memory cloud knows of each resource type: its name property, where names
//! are unique, the shape of its ids, and which property changes force a replacement.
//!
//! The types below have dedicated behaviour (ids in AWS's shapes, the rules AWS enforces).
//! Every other type with a registry schema is served generically ([`spec_of`] makes its spec
//! from the schema): its name is its primary identifier when that is a property the template
//! sets, its ids and read-only attributes are made from the schema's names, and its required
//! and create-only properties are enforced.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

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
    /// Properties the in-memory cloud replaces the resource to change, beyond the type's
    /// `createOnlyProperties` (which come from its registry schema).
    pub also_replaced_by: &'static [&'static str],
    /// Served from its registry schema alone (no dedicated behaviour).
    pub generic: bool,
}

const fn spec(
    type_name: &'static str,
    name_property: Option<&'static str>,
    id_prefix: &'static str,
    also_replaced_by: &'static [&'static str],
) -> TypeSpec {
    TypeSpec {
        type_name,
        name_property,
        scope: NameScope::Account,
        id_prefix,
        also_replaced_by,
        generic: false,
    }
}

pub(crate) const TYPES: &[TypeSpec] = &[
    spec("AWS::Organizations::OrganizationalUnit", None, "ou-", &[]),
    spec("AWS::Organizations::Policy", Some("Name"), "p-", &[]),
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
        &["EventSourceName"],
    ),
    spec("AWS::Events::EventBusPolicy", Some("StatementId"), "", &[]),
    spec("AWS::Events::Rule", Some("Name"), "", &["EventBusName"]),
    spec("AWS::Config::ConfigurationRecorder", Some("Name"), "", &[]),
    spec("AWS::Config::DeliveryChannel", Some("Name"), "", &[]),
    spec("AWS::Config::ConfigRule", Some("ConfigRuleName"), "", &[]),
    spec(
        "AWS::Config::ConfigurationAggregator",
        Some("ConfigurationAggregatorName"),
        "",
        &[],
    ),
    spec("AWS::IAM::Role", Some("RoleName"), "", &[]),
    spec("AWS::IAM::Policy", Some("PolicyName"), "", &[]),
    spec(
        "AWS::IAM::ManagedPolicy",
        Some("ManagedPolicyName"),
        "",
        &[],
    ),
    spec("AWS::IAM::OIDCProvider", Some("Url"), "", &[]),
    spec("AWS::CloudTrail::Trail", Some("TrailName"), "", &[]),
    TypeSpec {
        type_name: "AWS::S3::Bucket",
        name_property: Some("BucketName"),
        scope: NameScope::Global,
        id_prefix: "",
        also_replaced_by: &["ObjectLockEnabled"],
        generic: false,
    },
    spec("AWS::S3::BucketPolicy", None, "", &[]),
    spec("AWS::KMS::Key", None, "", &[]),
    spec("AWS::KMS::Alias", Some("AliasName"), "", &[]),
    spec("AWS::EC2::TransitGateway", None, "tgw-", &[]),
    spec("AWS::EC2::TransitGatewayRouteTable", None, "tgw-rtb-", &[]),
    spec(
        "AWS::EC2::TransitGatewayAttachment",
        None,
        "tgw-attach-",
        &[],
    ),
    spec(
        "AWS::EC2::TransitGatewayRouteTableAssociation",
        None,
        "",
        &[],
    ),
    spec(
        "AWS::EC2::TransitGatewayRouteTablePropagation",
        None,
        "",
        &[],
    ),
    spec("AWS::EC2::TransitGatewayRoute", None, "", &[]),
    spec("AWS::RAM::ResourceShare", Some("Name"), "", &[]),
    spec("AWS::EC2::VPC", None, "vpc-", &["InstanceTenancy"]),
    spec("AWS::EC2::Subnet", None, "subnet-", &[]),
    spec("AWS::EC2::FlowLog", None, "fl-", &[]),
    spec("AWS::EC2::RouteTable", None, "rtb-", &[]),
    spec("AWS::EC2::Route", None, "", &[]),
    spec(
        "AWS::EC2::SubnetRouteTableAssociation",
        None,
        "rtbassoc-",
        &[],
    ),
    spec(
        "AWS::DynamoDB::Table",
        Some("TableName"),
        "",
        &["KeySchema"],
    ),
    spec("AWS::Budgets::Budget", None, "", &[]),
    spec("AWS::Logs::LogGroup", Some("LogGroupName"), "", &[]),
    spec("AWS::Lambda::Function", Some("FunctionName"), "", &[]),
];

/// Custom resources: anything under `Custom::` (and `AWS::CloudFormation::CustomResource`).
pub(crate) const CUSTOM: TypeSpec = spec("Custom::*", None, "", &[]);

/// The spec of a type, if supported: a dedicated one, or one made from its registry schema.
pub(crate) fn spec_of(type_name: &str) -> Option<&'static TypeSpec> {
    if type_name.starts_with("Custom::") || type_name == "AWS::CloudFormation::CustomResource" {
        return Some(&CUSTOM);
    }
    TYPES
        .iter()
        .find(|t| t.type_name == type_name)
        .or_else(|| generic_spec(type_name))
}

/// The spec of a type served from its schema alone, made once per type and process (at most
/// one per registered type, so kept for the process's life).
fn generic_spec(type_name: &str) -> Option<&'static TypeSpec> {
    static MADE: OnceLock<Mutex<HashMap<&'static str, &'static TypeSpec>>> = OnceLock::new();
    let schema = landform_core::schema::lookup(type_name)?;
    let mut made = MADE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(spec) = made.get(schema.type_name()) {
        return Some(spec);
    }
    let identifier = schema.primary_identifier();
    // A single identifier the template sets is the resource's name (`RepositoryName`).
    let name_property = match identifier.as_slice() {
        [one] if !schema.is_read_only(one) => Some(&*Box::leak(one.to_string().into_boxed_str())),
        _ => None,
    };
    let spec: &'static TypeSpec = Box::leak(Box::new(TypeSpec {
        type_name: schema.type_name(),
        name_property,
        scope: NameScope::Account,
        id_prefix: "",
        also_replaced_by: &[],
        generic: true,
    }));
    made.insert(schema.type_name(), spec);
    Some(spec)
}

/// Every type with dedicated behaviour (custom resources are matched by prefix; every other
/// type with a registry schema is served generically).
pub fn supported_types() -> impl Iterator<Item = &'static str> {
    TYPES.iter().map(|t| t.type_name)
}
