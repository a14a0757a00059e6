//! Where the in-memory cloud refuses like AWS: per-type validation of creates and updates,
//! Organizations targets, and deletes AWS forbids. Ids, ARNs and attributes are in
//! [`super::identity`].

use serde_json::Value as Json;

use super::data::{err, s, CloudData};
use super::identity::tgw_arn;
use super::table::StoredResource;
use crate::error::{ErrorCode, ProviderError};
use crate::provider::Session;

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
        || data
            .resources
            .with_id("AWS::Organizations::OrganizationalUnit", id)
            .next()
            .is_some();
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
        .with_id(type_name, id)
        .any(|r| r.account == account)
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
    data.resources.of_type("AWS::RAM::ResourceShare").any(|r| {
        let props = r.properties();
        strings(&props, "ResourceArns").iter().any(|a| a == arn)
            && strings(&props, "Principals").iter().any(|p| {
                p == account
                    || p.ends_with(&format!("/{parent}"))
                    || *p == parent
                    || p.ends_with(&data.organization_id)
            })
    })
}

/// Whether a policy of bucket `bucket` names `service` as a principal: AWS's check before
/// CloudTrail, AWS Config or S3 server access logging take the bucket as their destination.
fn grants(data: &CloudData, bucket: &str, service: &str) -> bool {
    data.resources.of_type("AWS::S3::BucketPolicy").any(|p| {
        let props = p.properties();
        s(&props, "Bucket").as_deref() == Some(bucket)
            && props
                .get("PolicyDocument")
                .is_some_and(|d| d.to_string().contains(&format!("\"{service}\"")))
    })
}

/// The destination `bucket` exists and its policy grants `service`, or AWS's refusal.
fn require_grant(
    data: &CloudData,
    bucket: &str,
    service: &str,
    code: &str,
) -> Result<(), ProviderError> {
    if data
        .resources
        .with_id("AWS::S3::Bucket", bucket)
        .next()
        .is_none()
    {
        return Err(err(
            ErrorCode::NotFound,
            "NoSuchBucket",
            format!("bucket {bucket} does not exist"),
        ));
    }
    if !grants(data, bucket, service) {
        return Err(invalid(
            code,
            format!("the policy of bucket {bucket} does not allow {service} to write to it"),
        ));
    }
    Ok(())
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
            if let Some(target) = props
                .pointer("/LoggingConfiguration/DestinationBucketName")
                .and_then(Json::as_str)
            {
                require_grant(
                    data,
                    target,
                    "logging.s3.amazonaws.com",
                    "InvalidTargetBucketForLogging",
                )?;
            }
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
        "AWS::CloudTrail::Trail" => {
            let bucket = s(props, "S3BucketName").unwrap_or_default();
            require_grant(
                data,
                &bucket,
                "cloudtrail.amazonaws.com",
                "InsufficientS3BucketPolicyException",
            )?;
        }
        "AWS::S3::BucketPolicy" => {
            let bucket = s(props, "Bucket").unwrap_or_default();
            if !data
                .resources
                .with_id("AWS::S3::Bucket", &bucket)
                .any(|r| r.account == *account)
            {
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
            let Some(ou_name) = s(props, "Name") else {
                return Err(invalid("InvalidInputException", "Name is required"));
            };
            if let Some(parent) = s(props, "ParentId") {
                check_org_target(data, &parent)?;
                // OU names are unique under their parent, as in AWS Organizations.
                let taken = is_create
                    && type_name == "AWS::Organizations::OrganizationalUnit"
                    && data.resources.of_account(account, type_name).any(|ou| {
                        let p = ou.properties();
                        s(&p, "Name").as_deref() == Some(ou_name.as_str())
                            && s(&p, "ParentId").as_deref() == Some(parent.as_str())
                    });
                if taken {
                    return Err(err(
                        ErrorCode::AlreadyExists,
                        "DuplicateOrganizationalUnitException",
                        format!("an OU named {ou_name} already exists in parent {parent}"),
                    ));
                }
            }
            for target in strings(props, "TargetIds") {
                check_org_target(data, &target)?;
            }
        }
        "AWS::GuardDuty::Detector"
            if is_create
                && data
                    .resources
                    .of_account(account, type_name)
                    .any(|r| r.region == session.region) =>
        {
            return Err(err(
                ErrorCode::AlreadyExists,
                "BadRequestException",
                "a detector already exists for the current account",
            ));
        }
        "AWS::Config::ConfigurationRecorder" | "AWS::Config::DeliveryChannel"
            if data
                .resources
                .of_account(account, type_name)
                .any(|r| r.region == session.region && r.name.as_deref() != name) =>
        {
            return Err(err(
                ErrorCode::ServiceLimitExceeded,
                "MaxNumberOfConfigurationRecordersExceededException",
                "one per account and region",
            ));
        }
        // Past the one-per-region check above: the channel's bucket must grant Config.
        "AWS::Config::DeliveryChannel" => {
            let bucket = s(props, "S3BucketName").unwrap_or_default();
            require_grant(
                data,
                &bucket,
                "config.amazonaws.com",
                "InsufficientDeliveryPolicyException",
            )?;
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
                .with_id("AWS::EC2::TransitGateway", &tgw)
                .next();
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
                let ok = data
                    .resources
                    .with_id("AWS::EC2::Subnet", &subnet)
                    .any(|r| {
                        r.account == *account
                            && s(&r.properties(), "VpcId").as_deref() == Some(vpc.as_str())
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
                if data
                    .resources
                    .with_id("AWS::EC2::TransitGatewayAttachment", &att)
                    .next()
                    .is_none()
                {
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

/// Deletes AWS refuses.
pub(crate) fn check_delete(data: &CloudData, r: &StoredResource) -> Result<(), ProviderError> {
    let used_by = |types: &[&str], prop: &str| {
        types.iter().any(|t| {
            data.resources
                .of_account(&r.account, t)
                .any(|o| s(&o.properties(), prop).as_deref() == Some(r.physical_id.as_str()))
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
        "AWS::Organizations::OrganizationalUnit"
            if data.accounts.values().any(|a| a.parent_id == r.physical_id)
                || used_by(&["AWS::Organizations::OrganizationalUnit"], "ParentId") =>
        {
            Err(err(
                ErrorCode::ResourceConflict,
                "OrganizationalUnitNotEmptyException",
                format!(
                    "OU {} still holds accounts or OUs: move them out first (or keep the OU with DeletionPolicy: Retain)",
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
