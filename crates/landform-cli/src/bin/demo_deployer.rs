//! A small multi-account deployer built from landform-core resources: what a user's deployer
//! binary looks like (constructs plus one call), and what the process tests run.
//!
//! `LANDFORM_DEMO_VARIANT` changes the app between runs, for tests: `changed` adds a key
//! (so `diff` shows a change), `unsafe` adds an unencrypted public bucket and a wildcard OIDC
//! trust (so `lint` fails and `deploy` refuses), `suppressed` adds a lock table without PITR
//! with a suppression, `management` keeps only the management account's stacks (the part
//! moto serves without the cross-account transit gateway calls it keeps per account).
//!
//! `LANDFORM_MANAGEMENT_ACCOUNT` and `LANDFORM_ROOT_ID` point it at another organization
//! than the made-up one (`111111111111`, `r-lf00`), as the examples do.

use landform_cli::lint::{suppress, Rule};
use landform_core::value::kinds::AccountId;
use landform_core::{App, Environment, RemovalPolicy, Resource, ResourceHandle, Scope, Value};
use serde_json::json;

const MANAGEMENT: &str = "111111111111";
const ROOT: &str = "r-lf00";
const WORKLOADS: [(&str, &str); 2] = [("Prod", "10.1.0.0/16"), ("Staging", "10.2.0.0/16")];

fn main() -> std::process::ExitCode {
    landform_cli::run(demo_app(
        std::env::var("LANDFORM_DEMO_VARIANT")
            .unwrap_or_default()
            .as_str(),
    ))
}

fn j(value: serde_json::Value) -> Value {
    Value::from(value)
}

fn safe_bucket(s: &mut Scope<'_>, id: &str) -> ResourceHandle {
    let bucket = s.add_resource(
        id,
        Resource::new("AWS::S3::Bucket")
            .property("BucketEncryption", j(json!({"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})))
            .property("VersioningConfiguration", j(json!({"Status": "Enabled"})))
            .property("PublicAccessBlockConfiguration", j(json!({"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true})))
            .removal_policy(RemovalPolicy::Retain),
    );
    s.add_resource(
        &format!("{id}Policy"),
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
                        ("Resource", bucket.get_att("Arn")),
                        (
                            "Condition",
                            j(json!({"Bool": {"aws:SecureTransport": "false"}})),
                        ),
                    ])]),
                )]),
            ),
    );
    bucket
}

fn lock_table(pitr: bool) -> Resource {
    Resource::new("AWS::DynamoDB::Table")
        .property("BillingMode", "PAY_PER_REQUEST")
        .property(
            "KeySchema",
            j(json!([{"AttributeName": "LockID", "KeyType": "HASH"}])),
        )
        .property(
            "AttributeDefinitions",
            j(json!([{"AttributeName": "LockID", "AttributeType": "S"}])),
        )
        .property(
            "PointInTimeRecoverySpecification",
            j(json!({"PointInTimeRecoveryEnabled": pitr})),
        )
}

/// `name` from the environment, else `default`.
fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

fn demo_app(variant: &str) -> App {
    let mut app = App::new();
    let management = env_or("LANDFORM_MANAGEMENT_ACCOUNT", MANAGEMENT);
    let root = env_or("LANDFORM_ROOT_ID", ROOT);
    let mgmt = app.add_stage("Management", Environment::new(management, "us-east-1"));
    let org = app.add_stack(mgmt, "Organization");
    let mut s = app.scope(org);
    let ou = s.add_resource(
        "WorkloadsOu",
        Resource::new("AWS::Organizations::OrganizationalUnit")
            .property("Name", "Workloads")
            .property("ParentId", root)
            // It holds retained accounts: AWS refuses to delete an OU that is not empty.
            .removal_policy(RemovalPolicy::Retain),
    );
    s.add_resource(
        "DenyLeaveScp",
        Resource::new("AWS::Organizations::Policy")
            .property("Name", "deny-leave-organization")
            .property("Type", "SERVICE_CONTROL_POLICY")
            .property("Content", j(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]})))
            .property("TargetIds", Value::array([ou.ref_value()])),
    );
    let mut account = |id: &str, email: &str| {
        s.add_resource(
            id,
            Resource::new("AWS::Organizations::Account")
                .property("AccountName", id.to_lowercase())
                .property("Email", email)
                .property("ParentIds", Value::array([ou.ref_value()]))
                .removal_policy(RemovalPolicy::Retain),
        )
    };
    let infra_account = account("Infrastructure", "infra@example.com");
    let workload_accounts: Vec<ResourceHandle> = WORKLOADS
        .iter()
        .map(|(name, _)| account(name, &format!("{}@example.com", name.to_lowercase())))
        .collect();

    let state = app.add_stack(mgmt, "State");
    let mut s = app.scope(state);
    safe_bucket(&mut s, "StateBucket");
    s.add_resource("LockTable", lock_table(true));
    s.add_resource(
        "StateKey",
        Resource::new("AWS::KMS::Key").property("EnableKeyRotation", true),
    );
    if variant == "changed" {
        s.add_resource(
            "ExtraKey",
            Resource::new("AWS::KMS::Key").property("EnableKeyRotation", true),
        );
    }
    if variant == "suppressed" {
        let mut cache = s.child("Cache", "CacheTable");
        cache.add_resource("Table", lock_table(false));
        suppress(
            &mut cache,
            Rule::DynamoDbPointInTimeRecovery,
            "a cache rebuilt from source on loss",
        );
    }
    if variant == "unsafe" {
        s.add_resource("OpenBucket", Resource::new("AWS::S3::Bucket"));
    }
    if variant == "management" {
        return app;
    }
    if variant == "invalid" {
        // Two validation issues: a second `LockTable` in its stack, and a stack left empty.
        s.add_resource("LockTable", lock_table(true));
        app.add_stack(mgmt, "Empty");
    }

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
            .property("AutoAcceptSharedAttachments", "disable")
            .property("DefaultRouteTableAssociation", "disable")
            .property("DefaultRouteTablePropagation", "disable"),
    );
    let shared_rt = s.add_resource(
        "SharedRouteTable",
        Resource::new("AWS::EC2::TransitGatewayRouteTable")
            .property("TransitGatewayId", tgw.ref_value()),
    );
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
    let workload_rts: Vec<ResourceHandle> = WORKLOADS
        .iter()
        .map(|(name, _)| {
            s.add_resource(
                &format!("{name}RouteTable"),
                Resource::new("AWS::EC2::TransitGatewayRouteTable")
                    .property("TransitGatewayId", tgw.ref_value()),
            )
        })
        .collect();

    let mut attachments = Vec::new();
    for ((name, cidr), account) in WORKLOADS.iter().zip(&workload_accounts) {
        let stage = app.add_stage(
            name,
            Environment::for_account(account.att_token::<AccountId>("AccountId"), "us-east-1"),
        );
        let network = app.add_stack(stage, "Network");
        let mut s = app.scope(network);
        let vpc = s.add_resource(
            "Vpc",
            Resource::new("AWS::EC2::VPC").property("CidrBlock", *cidr),
        );
        let subnet = s.add_resource(
            "Subnet",
            Resource::new("AWS::EC2::Subnet")
                .property("VpcId", vpc.ref_value())
                .property("CidrBlock", cidr.replace(".0.0/16", ".0.0/24"))
                .property("AvailabilityZone", "us-east-1a"),
        );
        attachments.push(
            s.add_resource(
                "HubAttachment",
                Resource::new("AWS::EC2::TransitGatewayAttachment")
                    .property("TransitGatewayId", tgw.ref_value())
                    .property("VpcId", vpc.ref_value())
                    .property("SubnetIds", Value::array([subnet.ref_value()]))
                    .property(
                        "Tags",
                        Value::array([Value::object([
                            ("Key", Value::from("landform:share")),
                            ("Value", share.ref_value()),
                        ])]),
                    ),
            ),
        );
        let oidc = s.add_resource(
            "GitLabOidc",
            Resource::new("AWS::IAM::OIDCProvider")
                .property("Url", "https://gitlab.com")
                .property("ClientIdList", j(json!(["https://gitlab.com"])))
                .property(
                    "ThumbprintList",
                    j(json!(["b3dd7606d2b5a8b4a13771dbecc9ee1cecafa38a"])),
                ),
        );
        let sub = if variant == "unsafe" {
            "project_path:group/*"
        } else {
            "project_path:group/infrastructure:ref_type:branch:ref:main"
        };
        s.add_resource(
            "DeployRole",
            Resource::new("AWS::IAM::Role").property(
                "AssumeRolePolicyDocument",
                Value::object([
                    ("Version", Value::from("2012-10-17")),
                    (
                        "Statement",
                        Value::array([Value::object([
                            ("Effect", Value::from("Allow")),
                            ("Action", Value::from("sts:AssumeRoleWithWebIdentity")),
                            ("Principal", Value::object([("Federated", oidc.ref_value())])),
                            ("Condition", j(json!({"StringLike": {"gitlab.com:sub": sub}, "StringEquals": {"gitlab.com:aud": "https://gitlab.com"}}))),
                        ])]),
                    ),
                ]),
            ),
        );
    }

    let routing = app.add_stack(infra, "Routing");
    let mut s = app.scope(routing);
    for (((name, _), rt), attachment) in WORKLOADS.iter().zip(&workload_rts).zip(&attachments) {
        s.add_resource(
            &format!("{name}Association"),
            Resource::new("AWS::EC2::TransitGatewayRouteTableAssociation")
                .property("TransitGatewayRouteTableId", rt.ref_value())
                .property("TransitGatewayAttachmentId", attachment.ref_value()),
        );
        s.add_resource(
            &format!("{name}Propagation"),
            Resource::new("AWS::EC2::TransitGatewayRouteTablePropagation")
                .property("TransitGatewayRouteTableId", shared_rt.ref_value())
                .property("TransitGatewayAttachmentId", attachment.ref_value()),
        );
    }
    app
}
