//! A representative multi-account app built from core resources, used by the tests, the
//! crash harness and the benchmark until the House Escort example replaces it.

use landform_core::value::kinds::AccountId;
use landform_core::{
    text, App, Environment, Pseudo, RemovalPolicy, Resource, ResourceHandle, SubPart, Value,
};
use serde_json::json;

use crate::cloud::InMemoryCloud;

fn v(json: serde_json::Value) -> Value {
    Value::from(json)
}

/// The workloads of [`representative_app`]: stage id, account email, VPC CIDR.
pub const WORKLOADS: [(&str, &str, &str); 2] = [
    ("Prod", "prod@example.com", "10.1.0.0/16"),
    ("Staging", "staging@example.com", "10.2.0.0/16"),
];

/// A landing zone in miniature:
/// - management: two OUs, two SCPs, three accounts (infrastructure and two workloads);
/// - infrastructure account (created by the app): a Transit Gateway with one route table
///   per workload and a shared one, shared to the workload accounts through RAM with no
///   external principals; a routing stack associating each workload's attachment;
/// - each workload account (created by the app): a VPC with two subnets attached to the
///   hub, a state bucket (retained on delete) with its policy, a lock table, a GitLab
///   OIDC provider and a deploy role trusting it.
pub fn representative_app() -> App {
    let mut app = App::new();
    let mgmt = app.add_stage(
        "Management",
        Environment::new(InMemoryCloud::MANAGEMENT_ACCOUNT, "us-east-1"),
    );
    let org = app.add_stack(mgmt, "Organization");
    let mut s = app.scope(org);
    let ou = |s: &mut landform_core::Scope<'_>, id: &str, name: &str| {
        s.add_resource(
            id,
            Resource::new("AWS::Organizations::OrganizationalUnit")
                .property("Name", name)
                .property("ParentId", InMemoryCloud::ROOT_ID)
                // It holds retained accounts: AWS refuses to delete an OU that is not empty.
                .removal_policy(RemovalPolicy::Retain),
        )
    };
    let ou_infra = ou(&mut s, "InfrastructureOu", "Infrastructure");
    let ou_work = ou(&mut s, "WorkloadsOu", "Workloads");
    s.add_resource(
        "ProtectTrailScp",
        Resource::new("AWS::Organizations::Policy")
            .property("Name", "protect-cloudtrail")
            .property("Type", "SERVICE_CONTROL_POLICY")
            .property("Content", v(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], "Resource": "*"}]})))
            .property("TargetIds", Value::array([ou_infra.ref_value(), ou_work.ref_value()])),
    );
    s.add_resource(
        "DenyLeaveScp",
        Resource::new("AWS::Organizations::Policy")
            .property("Name", "deny-leave-organization")
            .property("Type", "SERVICE_CONTROL_POLICY")
            .property("Content", v(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]})))
            .property("TargetIds", Value::array([ou_work.ref_value()])),
    );
    let account = |s: &mut landform_core::Scope<'_>,
                   id: &str,
                   name: &str,
                   email: &str,
                   parent: ResourceHandle| {
        s.add_resource(
            id,
            Resource::new("AWS::Organizations::Account")
                .property("AccountName", name)
                .property("Email", email)
                .property("ParentIds", Value::array([parent.ref_value()]))
                .removal_policy(RemovalPolicy::Retain),
        )
    };
    let infra_account = account(
        &mut s,
        "InfrastructureAccount",
        "infrastructure",
        "infra@example.com",
        ou_infra,
    );
    let workload_accounts: Vec<ResourceHandle> = WORKLOADS
        .iter()
        .map(|(stage, email, _)| {
            account(
                &mut s,
                &format!("{stage}Account"),
                &stage.to_lowercase(),
                email,
                ou_work,
            )
        })
        .collect();

    let infra = app.add_stage(
        "Infrastructure",
        Environment::for_account(
            infra_account.att_token::<AccountId>("AccountId"),
            "us-east-1",
        ),
    );
    let hub = app.add_stack(infra, "Hub");
    let mut s = app.scope(hub);
    let tgw = s.add_resource(
        "TransitGateway",
        Resource::new("AWS::EC2::TransitGateway")
            .property("AmazonSideAsn", 64512)
            .property("AutoAcceptSharedAttachments", "disable")
            .property("DefaultRouteTableAssociation", "disable")
            .property("DefaultRouteTablePropagation", "disable"),
    );
    let shared_rt = s.add_resource(
        "SharedRouteTable",
        Resource::new("AWS::EC2::TransitGatewayRouteTable")
            .property("TransitGatewayId", tgw.ref_value()),
    );
    let workload_rts: Vec<ResourceHandle> = WORKLOADS
        .iter()
        .map(|(stage, _, _)| {
            s.add_resource(
                &format!("{stage}RouteTable"),
                Resource::new("AWS::EC2::TransitGatewayRouteTable")
                    .property("TransitGatewayId", tgw.ref_value()),
            )
        })
        .collect();
    let share = s.add_resource(
        "HubShare",
        Resource::new("AWS::RAM::ResourceShare")
            .property("Name", "transit-hub")
            .property("AllowExternalPrincipals", false)
            .property(
                "ResourceArns",
                Value::array([tgw.get_att("TransitGatewayArn")]),
            )
            .property(
                "Principals",
                Value::array(workload_accounts.iter().map(|a| a.get_att("AccountId"))),
            ),
    );

    let mut attachments = Vec::new();
    for ((stage_id, _, cidr), account) in WORKLOADS.iter().zip(&workload_accounts) {
        let stage = app.add_stage(
            stage_id,
            Environment::for_account(account.att_token::<AccountId>("AccountId"), "us-east-1"),
        );
        let network = app.add_stack(stage, "Network");
        let mut s = app.scope(network);
        let vpc = s.add_resource(
            "Vpc",
            Resource::new("AWS::EC2::VPC")
                .property("CidrBlock", *cidr)
                .property("EnableDnsSupport", true),
        );
        let prefix = &cidr[..cidr.len() - 6];
        let subnets: Vec<ResourceHandle> = ["a", "b"]
            .iter()
            .enumerate()
            .map(|(i, az)| {
                s.add_resource(
                    &format!("Subnet{}", az.to_uppercase()),
                    Resource::new("AWS::EC2::Subnet")
                        .property("VpcId", vpc.ref_value())
                        .property("CidrBlock", format!("{prefix}.{i}.0/24"))
                        .property("AvailabilityZone", format!("us-east-1{az}")),
                )
            })
            .collect();
        let attachment = s.add_resource(
            "HubAttachment",
            Resource::new("AWS::EC2::TransitGatewayAttachment")
                .property("TransitGatewayId", tgw.ref_value())
                .property("VpcId", vpc.ref_value())
                .property(
                    "SubnetIds",
                    Value::array(subnets.iter().map(|x| x.ref_value())),
                )
                // Reading the share orders the attachment after it, as AWS requires.
                .property(
                    "Tags",
                    Value::array([Value::object([
                        ("Key", Value::from("landform:share")),
                        ("Value", share.ref_value()),
                    ])]),
                ),
        );
        attachments.push(attachment);

        let state = app.add_stack(stage, "State");
        let mut s = app.scope(state);
        let bucket = s.add_resource(
            "StateBucket",
            Resource::new("AWS::S3::Bucket")
                .property(
                    "BucketName",
                    Value::sub([
                        text(format!("{}-terraform-state-", stage_id.to_lowercase())),
                        SubPart::Value(Value::Pseudo(Pseudo::AccountId)),
                    ]),
                )
                .property("VersioningConfiguration", v(json!({"Status": "Enabled"})))
                .removal_policy(RemovalPolicy::Retain),
        );
        s.add_resource(
            "StateBucketPolicy",
            Resource::new("AWS::S3::BucketPolicy")
                .property("Bucket", bucket.ref_value())
                .property(
                    "PolicyDocument",
                    Value::object([(
                        "Statement",
                        Value::array([Value::object([
                            ("Effect", Value::from("Deny")),
                            ("Principal", Value::from("*")),
                            ("Action", Value::from("s3:*")),
                            (
                                "Resource",
                                Value::sub([SubPart::Value(bucket.get_att("Arn")), text("/*")]),
                            ),
                            (
                                "Condition",
                                v(json!({"Bool": {"aws:SecureTransport": "false"}})),
                            ),
                        ])]),
                    )]),
                ),
        );
        s.add_resource(
            "LockTable",
            Resource::new("AWS::DynamoDB::Table")
                .property("TableName", "terraform-locks")
                .property("BillingMode", "PAY_PER_REQUEST")
                .property(
                    "KeySchema",
                    v(json!([{"AttributeName": "LockID", "KeyType": "HASH"}])),
                )
                .property(
                    "AttributeDefinitions",
                    v(json!([{"AttributeName": "LockID", "AttributeType": "S"}])),
                ),
        );
        let oidc = s.add_resource(
            "GitLabOidc",
            Resource::new("AWS::IAM::OIDCProvider")
                .property("Url", "https://gitlab.com")
                .property("ClientIdList", v(json!(["https://gitlab.com"])))
                .property(
                    "ThumbprintList",
                    v(json!(["b3dd7606d2b5a8b4a13771dbecc9ee1cecafa38a"])),
                ),
        );
        s.add_resource(
            "DeployRole",
            Resource::new("AWS::IAM::Role")
                .property("RoleName", format!("{}-deploy", stage_id.to_lowercase()))
                .property(
                    "AssumeRolePolicyDocument",
                    Value::object([
                        ("Version", Value::from("2012-10-17")),
                        (
                            "Statement",
                            Value::array([Value::object([
                                ("Effect", Value::from("Allow")),
                                ("Action", Value::from("sts:AssumeRoleWithWebIdentity")),
                                ("Principal", Value::object([("Federated", oidc.ref_value())])),
                                ("Condition", v(json!({"StringEquals": {"gitlab.com:sub": "project_path:group/infrastructure:ref_type:branch:ref:main", "gitlab.com:aud": "https://gitlab.com"}}))),
                            ])]),
                        ),
                    ]),
                ),
        );
    }

    let routing = app.add_stack(infra, "Routing");
    let mut s = app.scope(routing);
    for (((stage, _, _), rt), attachment) in WORKLOADS.iter().zip(&workload_rts).zip(&attachments) {
        s.add_resource(
            &format!("{stage}Association"),
            Resource::new("AWS::EC2::TransitGatewayRouteTableAssociation")
                .property("TransitGatewayRouteTableId", rt.ref_value())
                .property("TransitGatewayAttachmentId", attachment.ref_value()),
        );
        s.add_resource(
            &format!("{stage}Propagation"),
            Resource::new("AWS::EC2::TransitGatewayRouteTablePropagation")
                .property("TransitGatewayRouteTableId", shared_rt.ref_value())
                .property("TransitGatewayAttachmentId", attachment.ref_value()),
        );
    }
    app
}
