//! Identity in the in-memory cloud: physical ids and ARNs in the shapes AWS uses, and the
//! attributes CloudFormation documents for `Fn::GetAtt` ("Return values").

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};

use super::data::{hex_id, s, CloudData};
use super::types::TypeSpec;
use crate::provider::Session;

/// A transit gateway's ARN.
pub(super) fn tgw_arn(region: &str, account: &str, id: &str) -> String {
    format!("arn:aws:ec2:{region}:{account}:transit-gateway/{id}")
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
