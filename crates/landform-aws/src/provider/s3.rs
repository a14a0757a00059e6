//! AWS::S3::Bucket (versioning, default encryption, public access block, ownership
//! controls, server access logging, tags) and AWS::S3::BucketPolicy. Any other property is
//! refused rather than ignored.

use std::collections::BTreeMap;

use landform_deploy::{CreateRequest, ProviderError, ResourceState, Session, UpdateRequest};
use serde_json::{json, Value as Json};

use super::guardduty::refuse_unsupported;
use super::{boolean, document, document_value, name_of, required, string, tags, tags_json};
use crate::api::{BucketEncryption, BucketLogging, PublicAccessBlock, S3Api};
use crate::error::ErrorCode;

const BUCKET: &str = "AWS::S3::Bucket";

/// The bucket properties this provider applies, reads back and updates.
const BUCKET_PROPERTIES: &[&str] = &[
    "BucketName",
    "VersioningConfiguration",
    "BucketEncryption",
    "PublicAccessBlockConfiguration",
    "OwnershipControls",
    "LoggingConfiguration",
    "Tags",
];

/// Refuse what this provider would otherwise silently not apply: unknown properties, and
/// the parts of the handled ones it does not set.
fn check_bucket(props: &Json) -> Result<(), ProviderError> {
    refuse_unsupported(BUCKET, props, BUCKET_PROPERTIES)?;
    if let Some(l) = props.get("LoggingConfiguration") {
        refuse_unsupported(
            "AWS::S3::Bucket LoggingConfiguration",
            l,
            &["DestinationBucketName", "LogFilePrefix"],
        )?;
    }
    if let Some(o) = props.get("OwnershipControls") {
        refuse_unsupported("AWS::S3::Bucket OwnershipControls", o, &["Rules"])?;
        if o.get("Rules").and_then(Json::as_array).map(Vec::len) != Some(1) {
            return Err(ProviderError::new(
                ErrorCode::InvalidRequest,
                "AWS::S3::Bucket OwnershipControls takes exactly one rule",
            ));
        }
    }
    if let Some(rules) = props
        .get("BucketEncryption")
        .and_then(|e| e.get("ServerSideEncryptionConfiguration"))
        .and_then(Json::as_array)
    {
        if rules.len() > 1 {
            return Err(ProviderError::new(
                ErrorCode::InvalidRequest,
                "AWS::S3::Bucket BucketEncryption takes exactly one rule",
            ));
        }
    }
    Ok(())
}

/// The object ownership of the (single) OwnershipControls rule.
fn ownership(props: &Json) -> Option<String> {
    props
        .get("OwnershipControls")?
        .get("Rules")?
        .as_array()?
        .first()
        .and_then(|r| string(r, "ObjectOwnership"))
}

/// LoggingConfiguration; without DestinationBucketName, S3 logs to the bucket itself.
fn logging(props: &Json, bucket: &str) -> Option<BucketLogging> {
    let l = props.get("LoggingConfiguration")?;
    Some(BucketLogging {
        target_bucket: string(l, "DestinationBucketName").unwrap_or_else(|| bucket.to_owned()),
        target_prefix: string(l, "LogFilePrefix").unwrap_or_default(),
    })
}

fn versioning(props: &Json) -> Option<bool> {
    props
        .get("VersioningConfiguration")
        .and_then(|v| v.get("Status"))
        .and_then(Json::as_str)
        .map(|s| s == "Enabled")
}

fn encryption(props: &Json) -> Option<BucketEncryption> {
    let rule = props
        .get("BucketEncryption")?
        .get("ServerSideEncryptionConfiguration")?
        .as_array()?
        .first()?;
    let default = rule.get("ServerSideEncryptionByDefault")?;
    Some(BucketEncryption {
        algorithm: string(default, "SSEAlgorithm")?,
        kms_key_id: string(default, "KMSMasterKeyID"),
        bucket_key_enabled: boolean(rule.get("BucketKeyEnabled")),
    })
}

fn public_access_block(props: &Json) -> Option<PublicAccessBlock> {
    let c = props.get("PublicAccessBlockConfiguration")?;
    let flag = |k| boolean(c.get(k)).unwrap_or(false);
    Some(PublicAccessBlock {
        block_public_acls: flag("BlockPublicAcls"),
        ignore_public_acls: flag("IgnorePublicAcls"),
        block_public_policy: flag("BlockPublicPolicy"),
        restrict_public_buckets: flag("RestrictPublicBuckets"),
    })
}

fn attributes(bucket: &str, region: &str) -> BTreeMap<String, Json> {
    [
        ("Arn", json!(format!("arn:aws:s3:::{bucket}"))),
        ("DomainName", json!(format!("{bucket}.s3.amazonaws.com"))),
        (
            "RegionalDomainName",
            json!(format!("{bucket}.s3.{region}.amazonaws.com")),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Put every configured sub-resource whose value differs from `previous` (all of them on
/// create, where `previous` is `Null`).
async fn configure(
    s3: &dyn S3Api,
    bucket: &str,
    previous: &Json,
    desired: &Json,
) -> Result<(), ProviderError> {
    if versioning(previous) != versioning(desired) {
        if let Some(enabled) = versioning(desired) {
            s3.put_bucket_versioning(bucket, enabled).await?;
        } else if versioning(previous) == Some(true) {
            // Versioning can only be suspended, never removed.
            s3.put_bucket_versioning(bucket, false).await?;
        }
    }
    if encryption(previous) != encryption(desired) {
        let wanted = encryption(desired).unwrap_or(BucketEncryption {
            // S3 encrypts every bucket with SSE-S3 by default: removing the property goes
            // back to that.
            algorithm: "AES256".to_owned(),
            kms_key_id: None,
            bucket_key_enabled: None,
        });
        s3.put_bucket_encryption(bucket, &wanted).await?;
    }
    if public_access_block(previous) != public_access_block(desired) {
        match public_access_block(desired) {
            Some(block) => s3.put_public_access_block(bucket, block).await?,
            None => s3.delete_public_access_block(bucket).await?,
        }
    }
    if ownership(previous) != ownership(desired) {
        match ownership(desired) {
            Some(o) => s3.put_bucket_ownership_controls(bucket, &o).await?,
            None => s3.delete_bucket_ownership_controls(bucket).await?,
        }
    }
    if logging(previous, bucket) != logging(desired, bucket) {
        s3.put_bucket_logging(bucket, logging(desired, bucket))
            .await?;
    }
    if tags(previous) != tags(desired) {
        s3.put_bucket_tagging(bucket, tags(desired)).await?;
    }
    Ok(())
}

pub(super) async fn create_bucket(
    s3: &dyn S3Api,
    session: &Session,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    check_bucket(&request.properties)?;
    let bucket = name_of(request);
    s3.create_bucket(&bucket, &session.region).await?;
    configure(s3, &bucket, &Json::Null, &request.properties).await?;
    let mut properties = request.properties.clone();
    if let Some(p) = properties.as_object_mut() {
        p.insert("BucketName".into(), json!(bucket));
    }
    Ok(ResourceState::ready(
        bucket.clone(),
        attributes(&bucket, &session.region),
        properties,
    ))
}

pub(super) async fn update_bucket(
    s3: &dyn S3Api,
    session: &Session,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    check_bucket(&request.properties)?;
    configure(
        s3,
        &request.physical_id,
        &request.previous,
        &request.properties,
    )
    .await?;
    Ok(ResourceState::ready(
        request.physical_id.clone(),
        attributes(&request.physical_id, &session.region),
        request.properties.clone(),
    ))
}

/// Read a bucket back: every property the provider manages, from S3's own answers, shaped
/// like the `recorded` properties (a LoggingConfiguration without DestinationBucketName
/// stays without it when the logs go to the bucket itself).
pub(super) async fn read_bucket(
    s3: &dyn S3Api,
    session: &Session,
    bucket: &str,
    recorded: &Json,
) -> Result<ResourceState, ProviderError> {
    s3.head_bucket(bucket).await?;
    let mut props = serde_json::Map::new();
    props.insert("BucketName".into(), json!(bucket));
    if let Some(status) = s3.get_bucket_versioning(bucket).await? {
        props.insert(
            "VersioningConfiguration".into(),
            json!({ "Status": status }),
        );
    }
    if let Some(e) = s3.get_bucket_encryption(bucket).await? {
        let mut default = serde_json::Map::new();
        default.insert("SSEAlgorithm".into(), json!(e.algorithm));
        if let Some(k) = e.kms_key_id {
            default.insert("KMSMasterKeyID".into(), json!(k));
        }
        let mut rule = serde_json::Map::new();
        rule.insert(
            "ServerSideEncryptionByDefault".into(),
            Json::Object(default),
        );
        // S3 answers `false` for a rule that never set it: that is the default, not drift.
        let stated = recorded
            .pointer("/BucketEncryption/ServerSideEncryptionConfiguration/0/BucketKeyEnabled")
            .is_some();
        if let Some(b) = e.bucket_key_enabled.filter(|b| *b || stated) {
            rule.insert("BucketKeyEnabled".into(), json!(b));
        }
        props.insert(
            "BucketEncryption".into(),
            json!({ "ServerSideEncryptionConfiguration": [Json::Object(rule)] }),
        );
    }
    if let Some(b) = s3.get_public_access_block(bucket).await? {
        props.insert(
            "PublicAccessBlockConfiguration".into(),
            json!({
                "BlockPublicAcls": b.block_public_acls,
                "IgnorePublicAcls": b.ignore_public_acls,
                "BlockPublicPolicy": b.block_public_policy,
                "RestrictPublicBuckets": b.restrict_public_buckets,
            }),
        );
    }
    if let Some(rules) = s3.get_bucket_ownership_controls(bucket).await? {
        let rules: Vec<Json> = rules
            .iter()
            .map(|o| json!({ "ObjectOwnership": o }))
            .collect();
        props.insert("OwnershipControls".into(), json!({ "Rules": rules }));
    }
    if let Some(l) = s3.get_bucket_logging(bucket).await? {
        let mut config = serde_json::Map::new();
        let recorded_logging = recorded.get("LoggingConfiguration");
        let implicit_target = recorded_logging
            .is_some_and(|r| r.get("DestinationBucketName").is_none())
            && l.target_bucket == bucket;
        if !implicit_target {
            config.insert("DestinationBucketName".into(), json!(l.target_bucket));
        }
        if !l.target_prefix.is_empty()
            || recorded_logging.is_some_and(|r| r.get("LogFilePrefix").is_some())
        {
            config.insert("LogFilePrefix".into(), json!(l.target_prefix));
        }
        props.insert("LoggingConfiguration".into(), Json::Object(config));
    }
    let t = s3.get_bucket_tagging(bucket).await?;
    if !t.is_empty() {
        props.insert("Tags".into(), tags_json(&t));
    }
    Ok(ResourceState::ready(
        bucket,
        attributes(bucket, &session.region),
        Json::Object(props),
    ))
}

pub(super) async fn put_policy(
    s3: &dyn S3Api,
    properties: &Json,
) -> Result<ResourceState, ProviderError> {
    refuse_unsupported(
        "AWS::S3::BucketPolicy",
        properties,
        &["Bucket", "PolicyDocument"],
    )?;
    let bucket =
        string(properties, "Bucket").ok_or_else(|| required("AWS::S3::BucketPolicy", "Bucket"))?;
    let policy = document(properties, "PolicyDocument")
        .ok_or_else(|| required("AWS::S3::BucketPolicy", "PolicyDocument"))?;
    s3.put_bucket_policy(&bucket, &policy).await?;
    Ok(ResourceState::ready(
        bucket,
        BTreeMap::new(),
        properties.clone(),
    ))
}

pub(super) async fn read_policy(
    s3: &dyn S3Api,
    bucket: &str,
) -> Result<ResourceState, ProviderError> {
    let policy = s3.get_bucket_policy(bucket).await?.ok_or_else(|| {
        ProviderError::new(
            ErrorCode::NotFound,
            format!("bucket {bucket} has no bucket policy"),
        )
        .with_service_code("NoSuchBucketPolicy")
    })?;
    Ok(ResourceState::ready(
        bucket,
        BTreeMap::new(),
        json!({ "Bucket": bucket, "PolicyDocument": document_value(&policy) }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::MockS3Api;
    use mockall::predicate::eq;

    fn request(props: Json) -> CreateRequest {
        CreateRequest {
            type_name: "AWS::S3::Bucket".into(),
            stack: "S".into(),
            logical_id: "B".into(),
            properties: props,
            physical_name: "S-B-0000".into(),
            idempotency_key: "k".into(),
        }
    }

    #[tokio::test]
    async fn create_makes_the_bucket_then_each_configured_part_once() {
        let mut s3 = MockS3Api::new();
        let mut seq = mockall::Sequence::new();
        s3.expect_create_bucket()
            .with(eq("state"), eq("eu-west-1"))
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _| Ok(()));
        s3.expect_put_bucket_versioning()
            .with(eq("state"), eq(true))
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _| Ok(()));
        s3.expect_put_public_access_block()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _| Ok(()));
        let session = Session::new("111111111111", "eu-west-1");
        let state = create_bucket(
            &s3,
            &session,
            &request(json!({
                "BucketName": "state",
                "VersioningConfiguration": {"Status": "Enabled"},
                "PublicAccessBlockConfiguration": {"BlockPublicAcls": true}
            })),
        )
        .await
        .unwrap();
        assert_eq!(state.physical_id, "state");
        assert_eq!(state.attributes["Arn"], json!("arn:aws:s3:::state"));
    }

    #[tokio::test]
    async fn an_unchanged_update_makes_no_call() {
        let s3 = MockS3Api::new();
        let props = json!({"BucketName": "b", "VersioningConfiguration": {"Status": "Enabled"}});
        let session = Session::new("111111111111", "us-east-1");
        update_bucket(
            &s3,
            &session,
            &UpdateRequest {
                type_name: "AWS::S3::Bucket".into(),
                physical_id: "b".into(),
                previous: props.clone(),
                properties: props,
            },
        )
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn create_sets_ownership_and_logging_and_refuses_unhandled_properties() {
        let mut s3 = MockS3Api::new();
        s3.expect_create_bucket().returning(|_, _| Ok(()));
        s3.expect_put_bucket_ownership_controls()
            .with(eq("b"), eq("BucketOwnerEnforced"))
            .times(1)
            .returning(|_, _| Ok(()));
        s3.expect_put_bucket_logging()
            .with(
                eq("b"),
                eq(Some(BucketLogging {
                    target_bucket: "logs".into(),
                    target_prefix: "b/".into(),
                })),
            )
            .times(1)
            .returning(|_, _| Ok(()));
        let session = Session::new("111111111111", "us-east-1");
        create_bucket(
            &s3,
            &session,
            &request(json!({
                "BucketName": "b",
                "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
                "LoggingConfiguration": {"DestinationBucketName": "logs", "LogFilePrefix": "b/"}
            })),
        )
        .await
        .unwrap();
        let e = create_bucket(
            &MockS3Api::new(),
            &session,
            &request(json!({"BucketName": "b", "LifecycleConfiguration": {}})),
        )
        .await
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
    }

    #[tokio::test]
    async fn a_bucket_key_left_at_its_default_is_not_drift() {
        let mut s3 = MockS3Api::new();
        s3.expect_head_bucket().returning(|_| Ok(()));
        s3.expect_get_bucket_versioning().returning(|_| Ok(None));
        s3.expect_get_bucket_encryption().returning(|_| {
            Ok(Some(BucketEncryption {
                algorithm: "AES256".into(),
                kms_key_id: None,
                bucket_key_enabled: Some(false),
            }))
        });
        s3.expect_get_public_access_block().returning(|_| Ok(None));
        s3.expect_get_bucket_ownership_controls()
            .returning(|_| Ok(None));
        s3.expect_get_bucket_logging().returning(|_| Ok(None));
        s3.expect_get_bucket_tagging().returning(|_| Ok(vec![]));
        let session = Session::new("111111111111", "us-east-1");
        let rule = |key: Option<bool>| {
            let mut rule = json!({"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}});
            if let Some(k) = key {
                rule["BucketKeyEnabled"] = json!(k);
            }
            json!({"BucketName": "b", "BucketEncryption": {"ServerSideEncryptionConfiguration": [rule]}})
        };
        for stated in [None, Some(false)] {
            let read = read_bucket(&s3, &session, "b", &rule(stated))
                .await
                .unwrap();
            assert_eq!(read.properties, rule(stated), "stated {stated:?}");
        }
    }
}
