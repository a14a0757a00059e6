//! Storage rules: S3 buckets and DynamoDB tables.

use serde_json::Value as Json;

use super::identity::statements;
use super::{Finding, Rule};
use crate::model::{as_list, is_true, AssemblyIndex, Resolved, ResourceView};

const PUBLIC_ACCESS_BLOCK: [&str; 4] = [
    "BlockPublicAcls",
    "BlockPublicPolicy",
    "IgnorePublicAcls",
    "RestrictPublicBuckets",
];

pub(crate) fn check(index: &AssemblyIndex<'_>, findings: &mut Vec<Finding>) {
    for bucket in index.of_type("AWS::S3::Bucket") {
        let encrypted = bucket
            .property("BucketEncryption")
            .and_then(|e| e.get("ServerSideEncryptionConfiguration"))
            .map(|c| !as_list(Some(c)).is_empty())
            .unwrap_or(false);
        if !encrypted {
            findings.push(Finding::new(
                Rule::BucketEncryption,
                bucket,
                "no BucketEncryption.ServerSideEncryptionConfiguration",
            ));
        }
        let status = bucket
            .property("VersioningConfiguration")
            .and_then(|v| v.get("Status"))
            .and_then(Json::as_str);
        if status != Some("Enabled") {
            findings.push(Finding::new(
                Rule::BucketVersioning,
                bucket,
                format!(
                    "VersioningConfiguration.Status is {}",
                    status.unwrap_or("not set")
                ),
            ));
        }
        let block = bucket.property("PublicAccessBlockConfiguration");
        let missing: Vec<&str> = PUBLIC_ACCESS_BLOCK
            .iter()
            .copied()
            .filter(|k| !is_true(block.and_then(|b| b.get(*k))))
            .collect();
        if !missing.is_empty() {
            findings.push(Finding::new(
                Rule::BucketPublicAccessBlock,
                bucket,
                format!("not true: {}", missing.join(", ")),
            ));
        }
        if !has_tls_only_policy(index, bucket) {
            findings.push(Finding::new(
                Rule::BucketTlsOnly,
                bucket,
                "no AWS::S3::BucketPolicy on this bucket denies aws:SecureTransport = false",
            ));
        }
    }
    for table in index.of_type("AWS::DynamoDB::Table") {
        let enabled = table
            .property("PointInTimeRecoverySpecification")
            .and_then(|p| p.get("PointInTimeRecoveryEnabled"));
        if !is_true(enabled) {
            findings.push(Finding::new(
                Rule::DynamoDbPointInTimeRecovery,
                table,
                "PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled is not true",
            ));
        }
    }
}

/// True when a bucket policy attached to `bucket` denies requests without TLS.
fn has_tls_only_policy(index: &AssemblyIndex<'_>, bucket: &ResourceView<'_>) -> bool {
    let bucket_name = bucket.property("BucketName").and_then(Json::as_str);
    index.of_type("AWS::S3::BucketPolicy").any(|policy| {
        let attached = match policy
            .property("Bucket")
            .map(|b| index.resolve(policy.stack, b))
        {
            Some(Resolved::Resource(key)) => key == bucket.key(),
            Some(Resolved::Literal(name)) => Some(name.as_str()) == bucket_name,
            _ => false,
        };
        attached
            && statements(policy.property("PolicyDocument"))
                .iter()
                .any(denies_insecure_transport)
    })
}

fn denies_insecure_transport(statement: &Json) -> bool {
    if statement.get("Effect").and_then(Json::as_str) != Some("Deny") {
        return false;
    }
    let Some(conditions) = statement.get("Condition").and_then(Json::as_object) else {
        return false;
    };
    ["Bool", "BoolIfExists"].iter().any(|op| {
        conditions
            .get(*op)
            .and_then(|keys| keys.get("aws:SecureTransport"))
            .map(|v| {
                as_list(Some(v))
                    .iter()
                    .any(|x| matches!(x, Json::Bool(false)) || x.as_str() == Some("false"))
            })
            .unwrap_or(false)
    })
}
