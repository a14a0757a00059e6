//! Two accounts, two stacks, for the CloudFormation engine: a management-account stack with a
//! KMS key, an encrypted S3 bucket and a DynamoDB table, and a workload account's stack with
//! an IAM role that may read the bucket, whose ARN it gets across accounts (a stack parameter
//! filled from the first stack's output). Every resource is of a type moto's CloudFormation
//! really creates (KMS keys, S3 buckets, DynamoDB tables, IAM roles), so the rehearsal reads
//! them back.
//!
//! ```text
//! eval "$(scripts/rehearse.sh start)"
//! cargo run --features aws --example cfn_stacks -- diff   --engine cloudformation --provider aws
//! cargo run --features aws --example cfn_stacks -- deploy --engine cloudformation --provider aws
//! cargo run --features aws --example cfn_stacks -- destroy --engine cloudformation --provider aws --yes
//! ```
//!
//! `--cost-center X` changes the bucket's `cost-center` tag (default `platform`: an update
//! through a change set); LANDFORM_MANAGEMENT_ACCOUNT and LANDFORM_WORKLOAD_ACCOUNT say which
//! accounts. `--stack-set-ou OU` adds `Shared-Auditing`, an auditor role rolled out as a
//! service-managed StackSet to every account of the OU `OU` (`ou-...`), present and future.

use std::process::ExitCode;

use landform::cfn::dynamodb::{self, table};
use landform::cfn::s3::{self, bucket};
use landform::cfn::{iam, kms};
use landform::core::iam::{PolicyDocument, Principal, Statement};
use landform::core::stack_set::StackSetDeployment;
use landform::core::{App, Environment, RemovalPolicy, Resource, StackProps, Token, Value};

fn account(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// The app; `cost_center` is the bucket's `cost-center` tag; with `stack_set_ou`, an auditor
/// role in every account of that OU, as a StackSet administered from the management account.
fn app(cost_center: &str, stack_set_ou: Option<&str>) -> App {
    let management = account("LANDFORM_MANAGEMENT_ACCOUNT", "123456789012");
    let workload = account("LANDFORM_WORKLOAD_ACCOUNT", "210987654321");
    let mut app = App::new();
    let shared = app.add_stage("Shared", Environment::new(&management, "us-east-1"));
    let data = app.add_stack(shared, "Data");
    let mut scope = app.scope(data);
    let key = scope.add_resource(
        "Key",
        Resource::from(
            kms::Key::default()
                .description("Landform example: encrypts the shared data")
                .enable_key_rotation(true)
                .key_policy(
                    PolicyDocument::new().statement(
                        Statement::allow()
                            .sid("AccountAdministersKey")
                            .principal(Principal::aws(format!("arn:aws:iam::{management}:root")))
                            .actions(["kms:*"])
                            .resources(["*"]),
                    ),
                ),
        )
        .removal_policy(RemovalPolicy::Delete),
    );
    let reports = scope.add_resource(
        "Reports",
        s3::Bucket::default()
            .bucket_name(format!("landform-example-reports-{management}"))
            .tags([("cost-center", cost_center)])
            .bucket_encryption(
                bucket::BucketEncryption::default().server_side_encryption_configuration([
                    bucket::ServerSideEncryptionRule::default()
                        .bucket_key_enabled(true)
                        .server_side_encryption_by_default(
                            bucket::ServerSideEncryptionByDefault::default()
                                .sse_algorithm(bucket::SSEAlgorithm::AwsKms)
                                .kms_master_key_id(key.get_att("Arn")),
                        ),
                ]),
            )
            .versioning_configuration(
                bucket::VersioningConfiguration::default()
                    .status(bucket::VersioningConfigurationStatus::Enabled),
            )
            .public_access_block_configuration(
                bucket::PublicAccessBlockConfiguration::default()
                    .block_public_acls(true)
                    .block_public_policy(true)
                    .ignore_public_acls(true)
                    .restrict_public_buckets(true),
            ),
    );
    let reports_arn = reports.get_att("Arn");
    scope.add_resource(
        "ReportsPolicy",
        s3::BucketPolicy::default()
            .bucket(reports.ref_value())
            .policy_document(
                PolicyDocument::new().statement(
                    Statement::deny()
                        .sid("DenyInsecureTransport")
                        .any_principal()
                        .actions(["s3:*"])
                        .resources([
                            reports_arn.clone(),
                            Value::join("", [reports_arn, Value::from("/*")]),
                        ])
                        .condition("Bool", "aws:SecureTransport", ["false"])
                        .expect("a fresh statement has no condition yet"),
                ),
            ),
    );
    scope.add_resource(
        "Jobs",
        dynamodb::Table::default()
            .table_name("landform-example-jobs")
            .billing_mode(table::BillingMode::PayPerRequest)
            .attribute_definitions([table::AttributeDefinition::default()
                .attribute_name("Id")
                .attribute_type(table::AttributeType::S)])
            .key_schema(Value::from(serde_json::json!([
                {"AttributeName": "Id", "KeyType": "HASH"}
            ])))
            .point_in_time_recovery_specification(
                table::PointInTimeRecoverySpecification::default()
                    .point_in_time_recovery_enabled(true),
            )
            .sse_specification(table::SSESpecification::default().sse_enabled(true)),
    );

    let apps = app.add_stage("Apps", Environment::new(&workload, "us-east-1"));
    let reader = app.add_stack(apps, "Reader");
    app.scope(reader).add_resource(
        "ReportReader",
        iam::Role::default()
            .role_name("landform-example-report-reader")
            .assume_role_policy_document(
                PolicyDocument::new().statement(
                    Statement::allow()
                        .principal(Principal::service("lambda.amazonaws.com"))
                        .actions(["sts:AssumeRole"]),
                ),
            )
            .max_session_duration(3600)
            .policies([iam::role::Policy::default()
                .policy_name("read-reports")
                .policy_document(
                    PolicyDocument::new().statement(
                        Statement::allow()
                            .actions(["s3:GetObject"])
                            // The bucket is in the management account: its ARN reaches this
                            // stack as a parameter filled from the Data stack's output.
                            .resources([Value::join(
                                "",
                                [reports.get_att("Arn"), Value::from("/*")],
                            )]),
                    ),
                )]),
    );
    if let Some(ou) = stack_set_ou {
        let auditing = app.scope(shared).add_stack(
            "Auditing",
            StackProps {
                description: Some(
                    "Landform example: an auditor role in every account of the OU".into(),
                ),
                stack_set: Some(StackSetDeployment::new([Token::literal(ou)], ["us-east-1"])),
            },
        );
        app.scope(auditing).add_resource(
            "Auditor",
            iam::Role::default()
                .role_name("landform-example-auditor")
                .assume_role_policy_document(
                    PolicyDocument::new().statement(
                        Statement::allow()
                            .principal(Principal::aws(format!("arn:aws:iam::{management}:root")))
                            .actions(["sts:AssumeRole"]),
                    ),
                )
                .max_session_duration(3600)
                .managed_policy_arns(["arn:aws:iam::aws:policy/SecurityAudit"]),
        );
    }
    app
}

fn main() -> ExitCode {
    // `--cost-center X` is this example's own option; the rest is the command line's.
    let mut args: Vec<String> = std::env::args().collect();
    let mut cost_center = "platform".to_owned();
    if let Some(at) = args.iter().position(|a| a == "--cost-center") {
        if let Some(value) = args.get(at + 1).cloned() {
            cost_center = value;
            args.drain(at..=at + 1);
        }
    }
    let mut stack_set_ou = None;
    if let Some(at) = args.iter().position(|a| a == "--stack-set-ou") {
        if let Some(value) = args.get(at + 1).cloned() {
            stack_set_ou = Some(value);
            args.drain(at..=at + 1);
        }
    }
    landform::cli::Deployer::new(app(&cost_center, stack_set_ou.as_deref()))
        .execute(args)
        .into()
}
