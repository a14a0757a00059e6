//! Small shared pieces: reporting parse errors as issues, common policy fragments.

use landform_cfn::s3::{self, bucket};
use landform_cfn::Tag;
use landform_core::iam::{PolicyDocument, Statement};
use landform_core::{text, Issue, Pseudo, Scope, SubPart, Value};

use crate::error::ConstructsError;

/// Parse `raw` with `parse`; on failure report `<construct>.<rule>` at the scope.
pub(crate) fn parse_or_report<T>(
    scope: &mut Scope<'_>,
    construct: &str,
    field: &str,
    raw: &str,
    parse: impl FnOnce(&str) -> Result<T, ConstructsError>,
) -> Option<T> {
    match parse(raw) {
        Ok(v) => Some(v),
        Err(err) => {
            scope.report(Issue::new(
                format!("{construct}.{}", err.rule()),
                field,
                raw,
                err.message(),
            ));
            None
        }
    }
}

/// `arn:${AWS::Partition}:` followed by the rest.
pub(crate) fn arn(rest: impl IntoIterator<Item = SubPart>) -> Value {
    let mut parts = vec![
        text("arn:"),
        SubPart::Value(Pseudo::Partition.into()),
        text(":"),
    ];
    parts.extend(rest);
    Value::sub(parts)
}

/// The root principal ARN of the account the stack deploys to.
pub(crate) fn this_account_root() -> Value {
    arn([
        text("iam::"),
        SubPart::Value(Pseudo::AccountId.into()),
        text(":root"),
    ])
}

/// A statement that denies every S3 request not made over TLS to `bucket_arn`.
pub(crate) fn deny_insecure_transport(bucket_arn: &Value) -> Statement {
    let statement = Statement::deny()
        .sid("DenyInsecureTransport")
        .any_principal()
        .actions(["s3:*"])
        .resources([
            bucket_arn.clone(),
            Value::join("", [bucket_arn.clone(), Value::from("/*")]),
        ]);
    // A fresh statement has no conditions, so this cannot clash.
    statement
        .clone()
        .condition("Bool", "aws:SecureTransport", ["false"])
        .unwrap_or(statement)
}

/// Public access block: all four switches on.
pub(crate) fn public_access_block() -> bucket::PublicAccessBlockConfiguration {
    bucket::PublicAccessBlockConfiguration::default()
        .block_public_acls(true)
        .block_public_policy(true)
        .ignore_public_acls(true)
        .restrict_public_buckets(true)
}

/// Bucket encryption: SSE-KMS with `key_arn`, or SSE-S3 when `None`.
pub(crate) fn bucket_encryption(key_arn: Option<Value>) -> bucket::BucketEncryption {
    let default = match key_arn {
        Some(key) => bucket::ServerSideEncryptionByDefault::default()
            .sse_algorithm(bucket::SSEAlgorithm::AwsKms)
            .kms_master_key_id(key),
        None => bucket::ServerSideEncryptionByDefault::default()
            .sse_algorithm(bucket::SSEAlgorithm::Aes256),
    };
    bucket::BucketEncryption::default().server_side_encryption_configuration([
        bucket::ServerSideEncryptionRule::default()
            .bucket_key_enabled(true)
            .server_side_encryption_by_default(default),
    ])
}

/// Versioning on.
pub(crate) fn versioning() -> bucket::VersioningConfiguration {
    bucket::VersioningConfiguration::default()
        .status(bucket::VersioningConfigurationStatus::Enabled)
}

/// `OwnershipControls` with ACLs disabled: the bucket owner owns every object.
pub(crate) fn ownership_enforced() -> bucket::OwnershipControls {
    bucket::OwnershipControls::default().rules([bucket::OwnershipControlsRule::default()
        .object_ownership(bucket::ObjectOwnership::BucketOwnerEnforced)])
}

/// A checkov suppression entry for resource metadata.
pub(crate) fn checkov_skips(skips: &[(&str, &str)]) -> serde_json::Value {
    serde_json::json!({
        "skip": skips
            .iter()
            .map(|(id, comment)| serde_json::json!({"id": id, "comment": comment}))
            .collect::<Vec<_>>()
    })
}

/// Key policy statement letting the account administer its own key through IAM.
pub(crate) fn key_admin_statement() -> Statement {
    Statement::allow()
        .sid("AccountAdministersKey")
        .principal(landform_core::iam::Principal::aws(this_account_root()))
        .actions(["kms:*"])
        .resources(["*"])
}

/// Tags as CloudFormation's list of `{Key, Value}`.
pub(crate) fn tag_list<'a>(tags: impl IntoIterator<Item = (&'a String, &'a String)>) -> Vec<Tag> {
    tags.into_iter().map(|(k, v)| Tag::new(k, v)).collect()
}

/// A document with one statement.
pub(crate) fn doc(statements: impl IntoIterator<Item = Statement>) -> PolicyDocument {
    statements
        .into_iter()
        .fold(PolicyDocument::new(), PolicyDocument::statement)
}

/// The trust policy of a role that one AWS service assumes (`events.amazonaws.com`, ...).
pub(crate) fn service_trust(service: &str) -> PolicyDocument {
    doc([Statement::allow()
        .principal(landform_core::iam::Principal::service(service))
        .actions(["sts:AssumeRole"])])
}

/// A bucket that receives S3 server access logs (SSE-S3: log delivery cannot use SSE-KMS),
/// with its policy. Returns the bucket.
/// An access-log destination bucket and the policy that lets the logging service write to it.
#[derive(Clone, Copy)]
pub(crate) struct AccessLogs {
    pub bucket: landform_core::ResourceHandle,
    /// S3 refuses a bucket's `LoggingConfiguration` naming this bucket until the policy
    /// exists (InvalidTargetBucketForLogging): a logging bucket depends on it.
    pub policy: landform_core::ResourceHandle,
}

pub(crate) fn access_log_bucket(scope: &mut Scope<'_>, id: &str) -> AccessLogs {
    use landform_core::iam::Principal;
    use landform_core::{RemovalPolicy, Resource};
    let bucket = scope.add_resource(
        id,
        Resource::from(
            s3::Bucket::default()
                .bucket_encryption(bucket_encryption(None))
                .versioning_configuration(versioning())
                .public_access_block_configuration(public_access_block())
                .ownership_controls(ownership_enforced()),
        )
        .removal_policy(RemovalPolicy::Retain)
            .metadata(
                "checkov",
                checkov_skips(&[(
                    "CKV_AWS_18",
                    "this bucket is the access-log destination; logging its own access would need yet another bucket, without end",
                )]),
            ),
    );
    let arn_value = bucket.get_att("Arn");
    let allow_logging = Statement::allow()
        .sid("AllowServerAccessLogDelivery")
        .principal(Principal::service("logging.s3.amazonaws.com"))
        .actions(["s3:PutObject"])
        .resources([Value::join("", [arn_value.clone(), Value::from("/*")])]);
    let allow_logging = allow_logging
        .clone()
        .condition(
            "StringEquals",
            "aws:SourceAccount",
            [Value::Pseudo(Pseudo::AccountId)],
        )
        .unwrap_or(allow_logging);
    let policy = scope.add_resource(
        &format!("{id}Policy"),
        s3::BucketPolicy::default()
            .bucket(bucket.ref_value())
            .policy_document(doc([deny_insecure_transport(&arn_value), allow_logging])),
    );
    AccessLogs { bucket, policy }
}
