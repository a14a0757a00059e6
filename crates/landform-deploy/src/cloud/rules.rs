//! Per-type behaviour of the in-memory cloud: validation where AWS refuses, ids and ARNs in
//! the AWS shapes, and the attributes CloudFormation documents for `Fn::GetAtt`.

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};

use super::data::{err, hex_id, CloudData, CloudResource};
use super::types::TypeSpec;
use crate::error::{ErrorCode, ProviderError};
use crate::provider::Session;

fn s(props: &Json, key: &str) -> Option<String> {
    props.get(key).and_then(Json::as_str).map(str::to_owned)
}

fn strings(props: &Json, key: &str) -> Vec<String> {
    props
        .get(key)
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn invalid(service: &str, message: impl Into<String>) -> ProviderError {
    err(ErrorCode::InvalidRequest, service, message)
}

/// An Organizations target (root, OU or account) must exist.
pub(crate) fn check_org_target(data: &CloudData, id: &str) -> Result<(), ProviderError> {
    let exists = id == data.root_id
        || data.accounts.contains_key(id)
        || data.resources.values().any(|r| {
            r.type_name == "AWS::Organizations::OrganizationalUnit" && r.physical_id == id
        });
    if exists {
        Ok(())
    } else {
        Err(err(
            ErrorCode::NotFound,
            "TargetNotFoundException",
            format!("{id} is not a root, OU or account of the organization"),
        ))
    }
}

fn exists(data: &CloudData, account: &str, type_name: &str, id: &str) -> bool {
    data.resources
        .values()
        .any(|r| r.account == account && r.type_name == type_name && r.physical_id == id)
}

/// Whether `principal` (account id, OU id or ARN, organization ARN) belongs to the org.
fn in_org(data: &CloudData, principal: &str) -> bool {
    if data.accounts.contains_key(principal) {
        return true;
    }
    let ou = principal.rsplit('/').next().unwrap_or(principal);
    principal.contains(&data.organization_id)
        && (principal.ends_with(&data.organization_id) || check_org_target(data, ou).is_ok())
        || check_org_target(data, principal).is_ok()
}

/// Whether a resource ARN is shared with `account` through a RAM share.
fn shared_with(data: &CloudData, account: &str, arn: &str) -> bool {
    let parent = data
        .accounts
        .get(account)
        .map(|a| a.parent_id.clone())
        .unwrap_or_default();
    data.resources.values().any(|r| {
        r.type_name == "AWS::RAM::ResourceShare"
            && strings(&r.properties, "ResourceArns")
                .iter()
                .any(|a| a == arn)
            && strings(&r.properties, "Principals").iter().any(|p| {
                p == account
                    || p.ends_with(&format!("/{parent}"))
                    || *p == parent
                    || p.ends_with(&data.organization_id)
            })
    })
}

fn tgw_arn(region: &str, account: &str, id: &str) -> String {
    format!("arn:aws:ec2:{region}:{account}:transit-gateway/{id}")
}

pub(crate) fn validate(
    data: &CloudData,
    session: &Session,
    type_name: &str,
    props: &Json,
    name: Option<&str>,
    is_create: bool,
) -> Result<(), ProviderError> {
    let account = &session.account_id;
    match type_name {
        "AWS::IAM::Role" => {
            let name = name.unwrap_or_default();
            if name.is_empty()
                || name.len() > 64
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
            {
                return Err(invalid(
                    "ValidationError",
                    format!(
                        "role name {name:?} must be 1-64 characters of letters, digits and +=,.@_-"
                    ),
                ));
            }
            let policy = props.get("AssumeRolePolicyDocument").ok_or_else(|| {
                invalid("ValidationError", "AssumeRolePolicyDocument is required")
            })?;
            let text = match policy {
                Json::String(t) => {
                    serde_json::from_str::<Json>(t).map_err(|e| {
                        invalid(
                            "MalformedPolicyDocument",
                            format!("trust policy is not valid JSON: {e}"),
                        )
                    })?;
                    t.chars().filter(|c| !c.is_whitespace()).count()
                }
                other => other.to_string().len(),
            };
            if text > 2048 {
                return Err(err(
                    ErrorCode::ServiceLimitExceeded,
                    "LimitExceeded",
                    format!("trust policy is {text} characters; the limit is 2048"),
                ));
            }
        }
        "AWS::S3::Bucket" => {
            let name = name.unwrap_or_default();
            let ok = (3..=63).contains(&name.len())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
                && name.starts_with(|c: char| c.is_ascii_alphanumeric())
                && name.ends_with(|c: char| c.is_ascii_alphanumeric());
            if !ok {
                return Err(invalid(
                    "InvalidBucketName",
                    format!("{name} is not a valid bucket name"),
                ));
            }
        }
        "AWS::S3::BucketPolicy" => {
            let bucket = s(props, "Bucket").unwrap_or_default();
            if !data.resources.values().any(|r| {
                r.type_name == "AWS::S3::Bucket" && r.physical_id == bucket && r.account == *account
            }) {
                return Err(err(
                    ErrorCode::NotFound,
                    "NoSuchBucket",
                    format!("bucket {bucket} does not exist in {account}"),
                ));
            }
            if props.get("PolicyDocument").is_none() {
                return Err(invalid("MalformedPolicy", "PolicyDocument is required"));
            }
        }
        "AWS::Organizations::OrganizationalUnit" | "AWS::Organizations::Policy" => {
            if *account != data.management_account {
                return Err(err(
                    ErrorCode::AccessDenied,
                    "AccessDeniedException",
                    "only the management account manages the organization",
                ));
            }
            if s(props, "Name").is_none() {
                return Err(invalid("InvalidInputException", "Name is required"));
            }
            if let Some(parent) = s(props, "ParentId") {
                check_org_target(data, &parent)?;
            }
            for target in strings(props, "TargetIds") {
                check_org_target(data, &target)?;
            }
        }
        "AWS::GuardDuty::Detector"
            if is_create
                && data.resources.values().any(|r| {
                    r.type_name == type_name && r.account == *account && r.region == session.region
                }) =>
        {
            return Err(err(
                ErrorCode::AlreadyExists,
                "BadRequestException",
                "a detector already exists for the current account",
            ));
        }
        "AWS::Config::ConfigurationRecorder" | "AWS::Config::DeliveryChannel"
            if data.resources.values().any(|r| {
                r.type_name == type_name
                    && r.account == *account
                    && r.region == session.region
                    && r.name.as_deref() != name
            }) =>
        {
            return Err(err(
                ErrorCode::ServiceLimitExceeded,
                "MaxNumberOfConfigurationRecordersExceededException",
                "one per account and region",
            ));
        }
        "AWS::EC2::Subnet" | "AWS::EC2::RouteTable" => {
            let vpc = s(props, "VpcId").unwrap_or_default();
            if !exists(data, account, "AWS::EC2::VPC", &vpc) {
                return Err(err(
                    ErrorCode::NotFound,
                    "InvalidVpcID.NotFound",
                    format!("VPC {vpc} does not exist in {account}"),
                ));
            }
        }
        "AWS::EC2::TransitGatewayRouteTable" => {
            let tgw = s(props, "TransitGatewayId").unwrap_or_default();
            if !exists(data, account, "AWS::EC2::TransitGateway", &tgw) {
                return Err(err(
                    ErrorCode::NotFound,
                    "InvalidTransitGatewayID.NotFound",
                    format!("{tgw} is not a transit gateway of {account}"),
                ));
            }
        }
        "AWS::EC2::TransitGatewayAttachment" => {
            let tgw = s(props, "TransitGatewayId").unwrap_or_default();
            let owner = data
                .resources
                .values()
                .find(|r| r.type_name == "AWS::EC2::TransitGateway" && r.physical_id == tgw);
            let Some(owner) = owner else {
                return Err(err(
                    ErrorCode::NotFound,
                    "InvalidTransitGatewayID.NotFound",
                    format!("transit gateway {tgw} does not exist"),
                ));
            };
            if owner.account != *account
                && !shared_with(data, account, &tgw_arn(&owner.region, &owner.account, &tgw))
            {
                return Err(err(
                    ErrorCode::AccessDenied,
                    "InvalidTransitGatewayID.NotFound",
                    format!(
                        "transit gateway {tgw} of {} is not shared with {account}",
                        owner.account
                    ),
                ));
            }
            let vpc = s(props, "VpcId").unwrap_or_default();
            if !exists(data, account, "AWS::EC2::VPC", &vpc) {
                return Err(err(
                    ErrorCode::NotFound,
                    "InvalidVpcID.NotFound",
                    format!("VPC {vpc} does not exist in {account}"),
                ));
            }
            for subnet in strings(props, "SubnetIds") {
                let ok = data.resources.values().any(|r| {
                    r.account == *account
                        && r.type_name == "AWS::EC2::Subnet"
                        && r.physical_id == subnet
                        && s(&r.properties, "VpcId").as_deref() == Some(vpc.as_str())
                });
                if !ok {
                    return Err(err(
                        ErrorCode::NotFound,
                        "InvalidSubnetID.NotFound",
                        format!("subnet {subnet} is not in {vpc}"),
                    ));
                }
            }
        }
        "AWS::EC2::TransitGatewayRouteTableAssociation"
        | "AWS::EC2::TransitGatewayRouteTablePropagation"
        | "AWS::EC2::TransitGatewayRoute" => {
            let rtb = s(props, "TransitGatewayRouteTableId").unwrap_or_default();
            if !exists(data, account, "AWS::EC2::TransitGatewayRouteTable", &rtb) {
                return Err(err(
                    ErrorCode::NotFound,
                    "InvalidRouteTableID.NotFound",
                    format!("{rtb} is not a route table of {account}"),
                ));
            }
            if let Some(att) = s(props, "TransitGatewayAttachmentId") {
                if !data.resources.values().any(|r| {
                    r.type_name == "AWS::EC2::TransitGatewayAttachment" && r.physical_id == att
                }) {
                    return Err(err(
                        ErrorCode::NotFound,
                        "InvalidTransitGatewayAttachmentID.NotFound",
                        format!("attachment {att} does not exist"),
                    ));
                }
            }
        }
        "AWS::RAM::ResourceShare" => {
            let external = props
                .get("AllowExternalPrincipals")
                .and_then(Json::as_bool)
                .unwrap_or(true);
            for principal in strings(props, "Principals") {
                let is_account =
                    principal.len() == 12 && principal.chars().all(|c| c.is_ascii_digit());
                if !is_account && !principal.starts_with("arn:aws:organizations::") {
                    return Err(invalid(
                        "InvalidParameterException",
                        format!("principal {principal} is not an account, OU or organization"),
                    ));
                }
                if !external && !in_org(data, &principal) {
                    return Err(err(ErrorCode::InvalidRequest, "OperationNotPermittedException", format!("{principal} is outside the organization and AllowExternalPrincipals is false")));
                }
            }
            for arn in strings(props, "ResourceArns") {
                if !arn.contains(&format!(":{account}:")) {
                    return Err(err(
                        ErrorCode::InvalidRequest,
                        "UnknownResourceException",
                        format!("{arn} is not a resource of {account}"),
                    ));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// The physical id (what `Ref` returns).
pub(crate) fn physical_id(
    data: &CloudData,
    spec: &TypeSpec,
    session: &Session,
    props: &Json,
    name: Option<&str>,
    seed: &str,
) -> String {
    let h = |n| hex_id(seed, n);
    match spec.type_name {
        "AWS::Organizations::OrganizationalUnit" => format!("ou-{}-{}", &data.root_id[2..], h(8)),
        "AWS::Organizations::Policy" => format!("p-{}", h(8)),
        "AWS::GuardDuty::Detector" => h(32),
        "AWS::KMS::Key" => format!(
            "{}-{}-{}-{}-{}",
            h(8),
            &h(12)[8..],
            &h(16)[12..],
            &h(20)[16..],
            &h(32)[20..]
        ),
        "AWS::IAM::ManagedPolicy" => format!(
            "arn:aws:iam::{}:policy/{}",
            session.account_id,
            name.unwrap_or_default()
        ),
        "AWS::IAM::OIDCProvider" => format!(
            "arn:aws:iam::{}:oidc-provider/{}",
            session.account_id,
            name.unwrap_or_default().trim_start_matches("https://")
        ),
        "AWS::RAM::ResourceShare" => format!(
            "arn:aws:ram:{}:{}:resource-share/{}",
            session.region,
            session.account_id,
            h(32)
        ),
        "AWS::EC2::TransitGatewayRouteTableAssociation"
        | "AWS::EC2::TransitGatewayRouteTablePropagation" => format!(
            "{}|{}",
            s(props, "TransitGatewayRouteTableId").unwrap_or_default(),
            s(props, "TransitGatewayAttachmentId").unwrap_or_default()
        ),
        "AWS::EC2::TransitGatewayRoute" => format!(
            "{}|{}",
            s(props, "TransitGatewayRouteTableId").unwrap_or_default(),
            s(props, "DestinationCidrBlock").unwrap_or_default()
        ),
        "AWS::EC2::Route" => format!(
            "{}|{}",
            s(props, "RouteTableId").unwrap_or_default(),
            s(props, "DestinationCidrBlock").unwrap_or_default()
        ),
        "AWS::Budgets::Budget" => props
            .pointer("/Budget/BudgetName")
            .and_then(Json::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("budget-{}", h(12))),
        _ if !spec.id_prefix.is_empty() => format!("{}{}", spec.id_prefix, h(17)),
        _ => name.map(str::to_owned).unwrap_or_else(|| h(24)),
    }
}

/// The attributes of a resource, as CloudFormation's "Return values" list them.
pub(crate) fn attributes(
    data: &CloudData,
    session: &Session,
    type_name: &str,
    id: &str,
    props: &Json,
    seed: &str,
) -> BTreeMap<String, Json> {
    let (acct, region) = (&session.account_id, &session.region);
    let h = |n| hex_id(seed, n);
    let pairs: Vec<(&str, Json)> = match type_name {
        "AWS::Organizations::OrganizationalUnit" => vec![
            ("Id", json!(id)),
            (
                "Arn",
                json!(format!(
                    "arn:aws:organizations::{}:ou/{}/{id}",
                    data.management_account, data.organization_id
                )),
            ),
        ],
        "AWS::Organizations::Policy" => vec![
            ("Id", json!(id)),
            (
                "Arn",
                json!(format!(
                    "arn:aws:organizations::{}:policy/{}/service_control_policy/{id}",
                    data.management_account, data.organization_id
                )),
            ),
            ("AwsManaged", json!(false)),
        ],
        "AWS::GuardDuty::Detector" => vec![("Id", json!(id))],
        "AWS::Events::EventBus" => vec![
            ("Name", json!(id)),
            (
                "Arn",
                json!(format!("arn:aws:events:{region}:{acct}:event-bus/{id}")),
            ),
            ("Policy", props.get("Policy").cloned().unwrap_or(json!(""))),
        ],
        "AWS::Events::Rule" => vec![(
            "Arn",
            json!(format!("arn:aws:events:{region}:{acct}:rule/{id}")),
        )],
        "AWS::Config::ConfigRule" => vec![
            (
                "Arn",
                json!(format!(
                    "arn:aws:config:{region}:{acct}:config-rule/config-rule-{}",
                    h(6)
                )),
            ),
            ("ConfigRuleId", json!(format!("config-rule-{}", h(6)))),
            ("Compliance.Type", json!("COMPLIANT")),
        ],
        "AWS::Config::ConfigurationAggregator" => vec![(
            "ConfigurationAggregatorArn",
            json!(format!(
                "arn:aws:config:{region}:{acct}:config-aggregator/config-aggregator-{}",
                h(8)
            )),
        )],
        "AWS::IAM::Role" => {
            let path = s(props, "Path").unwrap_or_else(|| "/".into());
            vec![
                ("Arn", json!(format!("arn:aws:iam::{acct}:role{path}{id}"))),
                ("RoleId", json!(format!("AROA{}", h(17).to_uppercase()))),
            ]
        }
        "AWS::IAM::Policy" => vec![("Id", json!(id))],
        "AWS::IAM::ManagedPolicy" => vec![
            ("PolicyArn", json!(id)),
            ("PolicyId", json!(format!("ANPA{}", h(17).to_uppercase()))),
            ("DefaultVersionId", json!("v1")),
        ],
        "AWS::IAM::OIDCProvider" => vec![("Arn", json!(id))],
        "AWS::CloudTrail::Trail" => vec![(
            "Arn",
            json!(format!("arn:aws:cloudtrail:{region}:{acct}:trail/{id}")),
        )],
        "AWS::S3::Bucket" => vec![
            ("Arn", json!(format!("arn:aws:s3:::{id}"))),
            ("DomainName", json!(format!("{id}.s3.amazonaws.com"))),
            (
                "RegionalDomainName",
                json!(format!("{id}.s3.{region}.amazonaws.com")),
            ),
            (
                "DualStackDomainName",
                json!(format!("{id}.s3.dualstack.{region}.amazonaws.com")),
            ),
            (
                "WebsiteURL",
                json!(format!("http://{id}.s3-website-{region}.amazonaws.com")),
            ),
        ],
        "AWS::KMS::Key" => vec![
            (
                "Arn",
                json!(format!("arn:aws:kms:{region}:{acct}:key/{id}")),
            ),
            ("KeyId", json!(id)),
        ],
        "AWS::EC2::TransitGateway" => vec![
            ("Id", json!(id)),
            ("TransitGatewayArn", json!(tgw_arn(region, acct, id))),
        ],
        "AWS::EC2::TransitGatewayRouteTable" => vec![("TransitGatewayRouteTableId", json!(id))],
        "AWS::EC2::TransitGatewayAttachment" => vec![("Id", json!(id))],
        "AWS::RAM::ResourceShare" => vec![("Arn", json!(id))],
        "AWS::EC2::VPC" => vec![
            ("VpcId", json!(id)),
            (
                "CidrBlock",
                props
                    .get("CidrBlock")
                    .cloned()
                    .unwrap_or(json!("10.0.0.0/16")),
            ),
            (
                "CidrBlockAssociations",
                json!([format!("vpc-cidr-assoc-{}", h(17))]),
            ),
            ("DefaultNetworkAcl", json!(format!("acl-{}", &h(34)[17..]))),
            (
                "DefaultSecurityGroup",
                json!(format!("sg-{}", &h(51)[34..])),
            ),
            ("Ipv6CidrBlocks", json!([])),
        ],
        "AWS::EC2::Subnet" => {
            let az = s(props, "AvailabilityZone").unwrap_or_else(|| format!("{region}a"));
            vec![
                ("SubnetId", json!(id)),
                ("VpcId", props.get("VpcId").cloned().unwrap_or(Json::Null)),
                (
                    "CidrBlock",
                    props.get("CidrBlock").cloned().unwrap_or(Json::Null),
                ),
                (
                    "AvailabilityZoneId",
                    json!(format!(
                        "{}-az1",
                        region.replace('-', "").chars().take(4).collect::<String>()
                    )),
                ),
                ("AvailabilityZone", json!(az)),
                (
                    "NetworkAclAssociationId",
                    json!(format!("aclassoc-{}", h(17))),
                ),
                ("Ipv6CidrBlocks", json!([])),
            ]
        }
        "AWS::EC2::FlowLog" => vec![("Id", json!(id))],
        "AWS::EC2::RouteTable" => vec![("RouteTableId", json!(id))],
        "AWS::EC2::Route" => vec![(
            "CidrBlock",
            props
                .get("DestinationCidrBlock")
                .cloned()
                .unwrap_or(Json::Null),
        )],
        "AWS::EC2::SubnetRouteTableAssociation" => vec![("Id", json!(id))],
        "AWS::DynamoDB::Table" => {
            let arn = format!("arn:aws:dynamodb:{region}:{acct}:table/{id}");
            let mut v = vec![("Arn", json!(arn.clone()))];
            if props.get("StreamSpecification").is_some() {
                v.push((
                    "StreamArn",
                    json!(format!("{arn}/stream/2024-01-01T00:00:00.000")),
                ));
            }
            v
        }
        "AWS::Logs::LogGroup" => vec![(
            "Arn",
            json!(format!("arn:aws:logs:{region}:{acct}:log-group:{id}:*")),
        )],
        "AWS::Lambda::Function" => vec![(
            "Arn",
            json!(format!("arn:aws:lambda:{region}:{acct}:function:{id}")),
        )],
        t if t.starts_with("Custom::") || t == "AWS::CloudFormation::CustomResource" => {
            // A custom resource returns what its handler puts in `Data`; the generic one
            // echoes its properties.
            return props
                .as_object()
                .map(|m| {
                    m.iter()
                        .filter(|(k, _)| *k != "ServiceToken")
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                })
                .unwrap_or_default();
        }
        _ => Vec::new(),
    };
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Deletes AWS refuses.
pub(crate) fn check_delete(data: &CloudData, r: &CloudResource) -> Result<(), ProviderError> {
    let used_by = |types: &[&str], prop: &str| {
        data.resources.values().any(|o| {
            o.account == r.account
                && types.contains(&o.type_name.as_str())
                && s(&o.properties, prop).as_deref() == Some(r.physical_id.as_str())
        })
    };
    match r.type_name.as_str() {
        "AWS::S3::Bucket" if !r.objects.is_empty() => Err(err(
            ErrorCode::ResourceConflict,
            "BucketNotEmpty",
            format!(
                "bucket {} holds {} objects: empty it first",
                r.physical_id,
                r.objects.len()
            ),
        )),
        "AWS::EC2::VPC"
            if used_by(
                &[
                    "AWS::EC2::Subnet",
                    "AWS::EC2::RouteTable",
                    "AWS::EC2::TransitGatewayAttachment",
                ],
                "VpcId",
            ) =>
        {
            Err(err(
                ErrorCode::ResourceConflict,
                "DependencyViolation",
                format!(
                    "VPC {} has dependencies and cannot be deleted",
                    r.physical_id
                ),
            ))
        }
        "AWS::EC2::TransitGateway"
            if used_by(&["AWS::EC2::TransitGatewayRouteTable"], "TransitGatewayId") =>
        {
            Err(err(
                ErrorCode::ResourceConflict,
                "IncorrectState",
                format!("transit gateway {} has route tables", r.physical_id),
            ))
        }
        _ => Ok(()),
    }
}
