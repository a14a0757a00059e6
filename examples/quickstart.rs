//! Quickstart: a two-account app with a cross-account reference, synthesised to a directory.
//!
//! The management account creates a workload account and a KMS key; the workload account's
//! bucket is encrypted with that key (a reference across accounts, wired through the manifest
//! as a deploy-time parameter).
//!
//! Run: `cargo run --example quickstart [-- --out DIR]`

use std::process::ExitCode;

use landform::cfn::s3::{self, bucket};
use landform::cfn::{kms, organizations};
use landform::core::iam::{PolicyDocument, Principal, Statement};
use landform::core::{
    kinds, App, Environment, RemovalPolicy, Resource, ResourceHandle, Scope, Token, Value,
};

/// A downstream-style construct: a type created under a scope with an id and its inputs,
/// holding handles to what it made.
struct EncryptedBucket {
    bucket: ResourceHandle,
}

impl EncryptedBucket {
    fn new(scope: &mut Scope<'_>, id: &str, key_arn: &Token<kinds::Arn>) -> Self {
        let mut inner = scope.child(id, "EncryptedBucket");
        let bucket = inner.add_resource(
            "Bucket",
            // A typed L1 (landform::cfn): property names and kinds are checked by the compiler.
            Resource::from(
                s3::Bucket::default()
                    .bucket_encryption(
                        bucket::BucketEncryption::default().server_side_encryption_configuration([
                            bucket::ServerSideEncryptionRule::default()
                                .bucket_key_enabled(true)
                                .server_side_encryption_by_default(
                                    bucket::ServerSideEncryptionByDefault::default()
                                        .sse_algorithm(bucket::SSEAlgorithm::AwsKms)
                                        .kms_master_key_id(key_arn),
                                ),
                        ]),
                    )
                    .public_access_block_configuration(
                        bucket::PublicAccessBlockConfiguration::default()
                            .block_public_acls(true)
                            .block_public_policy(true)
                            .ignore_public_acls(true)
                            .restrict_public_buckets(true),
                    )
                    .versioning_configuration(
                        bucket::VersioningConfiguration::default()
                            .status(bucket::VersioningConfigurationStatus::Enabled),
                    ),
            )
            .removal_policy(RemovalPolicy::Retain),
        );
        let tls_only = PolicyDocument::new().statement(
            Statement::deny()
                .sid("DenyInsecureTransport")
                .any_principal()
                .actions(["s3:*"])
                .resources([
                    bucket.get_att("Arn"),
                    Value::join("", [bucket.get_att("Arn"), Value::from("/*")]),
                ])
                .condition("Bool", "aws:SecureTransport", ["false"])
                .expect("a fresh statement has no conditions yet"),
        );
        inner.add_resource(
            "Policy",
            s3::BucketPolicy::default()
                .bucket(bucket.ref_value())
                .policy_document(tls_only),
        );
        EncryptedBucket { bucket }
    }

    /// The bucket's name, for other constructs to read.
    fn bucket_name(&self) -> Value {
        self.bucket.ref_value()
    }
}

/// The quickstart app (also used by the tests).
pub fn build() -> App {
    let mut app = App::new();
    let management = app.add_stage("Management", Environment::new("111111111111", "us-east-1"));
    let org = app.add_stack(management, "Organization");

    let mut scope = app.scope(org);
    let account = scope.add_resource(
        "WorkloadAccount",
        Resource::from(
            organizations::Account::default()
                .account_name("quickstart-workload")
                .email("aws+quickstart-workload@example.com")
                .parent_ids(["r-abcd"]),
        )
        .removal_policy(RemovalPolicy::Retain),
    );
    let key_policy = PolicyDocument::new().statement(
        Statement::allow()
            .sid("AccountAdministers")
            .principal(Principal::aws(Value::sub([
                landform::core::text("arn:"),
                landform::core::SubPart::Value(landform::core::Pseudo::Partition.into()),
                landform::core::text(":iam::"),
                landform::core::SubPart::Value(landform::core::Pseudo::AccountId.into()),
                landform::core::text(":root"),
            ])))
            .actions(["kms:*"])
            .resources(["*"]),
    );
    // The workload account encrypts with this key: grant it use of the key, nothing more.
    let workload_root = Value::sub([
        landform::core::text("arn:"),
        landform::core::SubPart::Value(landform::core::Pseudo::Partition.into()),
        landform::core::text(":iam::"),
        landform::core::SubPart::Value(account.get_att("AccountId")),
        landform::core::text(":root"),
    ]);
    let key_policy = key_policy.statement(
        Statement::allow()
            .sid("WorkloadAccountUses")
            .principal(Principal::aws(workload_root))
            .actions([
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:Encrypt",
                "kms:GenerateDataKey*",
                "kms:ReEncrypt*",
            ])
            .resources(["*"]),
    );
    let key = scope.add_resource(
        "DataKey",
        Resource::from(
            kms::Key::default()
                .enable_key_rotation(true)
                .key_policy(key_policy),
        )
        .removal_policy(RemovalPolicy::Retain),
    );

    let workload_env = Environment::for_account(account.att_token("AccountId"), "us-east-1");
    let workload = app.root().add_stage("Workload", workload_env);
    let data = app.add_stack(workload, "Data");
    let bucket = EncryptedBucket::new(&mut app.scope(data), "Data", &key.att_token("Arn"));
    app.scope(data).add_output(
        "DataBucketName",
        bucket.bucket_name(),
        Some("Where the workload keeps its data"),
    );
    app
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut out = std::path::PathBuf::from("target/landform/quickstart");
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--out", Some(dir)) => out = dir.into(),
            _ => {
                eprintln!("usage: quickstart [--out DIR]");
                return ExitCode::from(2);
            }
        }
    }
    let assembly = match build().synth() {
        Ok(assembly) => assembly,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    match assembly.write(&out) {
        Ok(files) => {
            for stack in assembly.stacks() {
                println!("{:<24} {} resource(s)", stack.name, stack.resources.len());
            }
            println!("wrote {} files to {}", files.len(), out.display());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("{err}");
            ExitCode::FAILURE
        }
    }
}
