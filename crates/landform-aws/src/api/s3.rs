//! The S3 calls the providers make.

use async_trait::async_trait;
use aws_sdk_s3::types::{
    BucketLocationConstraint, BucketLoggingStatus, BucketVersioningStatus,
    CreateBucketConfiguration, LoggingEnabled, ObjectOwnership, OwnershipControls,
    OwnershipControlsRule, PublicAccessBlockConfiguration, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
    Tagging, VersioningConfiguration,
};
use landform_deploy::ProviderError;

use super::Tag;
use crate::error::{sdk_error, ErrorCode};

/// A bucket's default encryption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketEncryption {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub algorithm: String,
    /// The KMS key, for `aws:kms`.
    pub kms_key_id: Option<String>,
    /// Whether S3 Bucket Keys are on.
    pub bucket_key_enabled: Option<bool>,
}

/// A bucket's public access block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PublicAccessBlock {
    /// BlockPublicAcls.
    pub block_public_acls: bool,
    /// IgnorePublicAcls.
    pub ignore_public_acls: bool,
    /// BlockPublicPolicy.
    pub block_public_policy: bool,
    /// RestrictPublicBuckets.
    pub restrict_public_buckets: bool,
}

/// A bucket's server access logging.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BucketLogging {
    /// The bucket the access logs go to.
    pub target_bucket: String,
    /// The key prefix of the log objects (may be empty).
    pub target_prefix: String,
}

/// The S3 calls of the bucket and bucket policy providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait S3Api: Send + Sync {
    /// CreateBucket in `region`.
    async fn create_bucket(&self, bucket: &str, region: &str) -> Result<(), ProviderError>;
    /// HeadBucket: `NotFound` when absent.
    async fn head_bucket(&self, bucket: &str) -> Result<(), ProviderError>;
    /// DeleteBucket.
    async fn delete_bucket(&self, bucket: &str) -> Result<(), ProviderError>;
    /// PutBucketVersioning (`Enabled` or `Suspended`).
    async fn put_bucket_versioning(&self, bucket: &str, enabled: bool)
        -> Result<(), ProviderError>;
    /// GetBucketVersioning: the status, `None` when never set.
    async fn get_bucket_versioning(&self, bucket: &str) -> Result<Option<String>, ProviderError>;
    /// PutBucketEncryption.
    async fn put_bucket_encryption(
        &self,
        bucket: &str,
        encryption: &BucketEncryption,
    ) -> Result<(), ProviderError>;
    /// GetBucketEncryption: `None` when not configured.
    async fn get_bucket_encryption(
        &self,
        bucket: &str,
    ) -> Result<Option<BucketEncryption>, ProviderError>;
    /// PutPublicAccessBlock.
    async fn put_public_access_block(
        &self,
        bucket: &str,
        block: PublicAccessBlock,
    ) -> Result<(), ProviderError>;
    /// GetPublicAccessBlock: `None` when not configured.
    async fn get_public_access_block(
        &self,
        bucket: &str,
    ) -> Result<Option<PublicAccessBlock>, ProviderError>;
    /// DeletePublicAccessBlock.
    async fn delete_public_access_block(&self, bucket: &str) -> Result<(), ProviderError>;
    /// PutBucketTagging (an empty list deletes the tags).
    async fn put_bucket_tagging(&self, bucket: &str, tags: Vec<Tag>) -> Result<(), ProviderError>;
    /// GetBucketTagging: empty when none.
    async fn get_bucket_tagging(&self, bucket: &str) -> Result<Vec<Tag>, ProviderError>;
    /// PutBucketPolicy.
    async fn put_bucket_policy(&self, bucket: &str, policy: &str) -> Result<(), ProviderError>;
    /// GetBucketPolicy: `None` when none.
    async fn get_bucket_policy(&self, bucket: &str) -> Result<Option<String>, ProviderError>;
    /// DeleteBucketPolicy.
    async fn delete_bucket_policy(&self, bucket: &str) -> Result<(), ProviderError>;
    /// PutBucketOwnershipControls with one rule (`BucketOwnerEnforced`...).
    async fn put_bucket_ownership_controls(
        &self,
        bucket: &str,
        object_ownership: &str,
    ) -> Result<(), ProviderError>;
    /// GetBucketOwnershipControls: the rules' object ownership, `None` when not configured.
    async fn get_bucket_ownership_controls(
        &self,
        bucket: &str,
    ) -> Result<Option<Vec<String>>, ProviderError>;
    /// DeleteBucketOwnershipControls.
    async fn delete_bucket_ownership_controls(&self, bucket: &str) -> Result<(), ProviderError>;
    /// PutBucketLogging: `None` turns server access logging off.
    async fn put_bucket_logging(
        &self,
        bucket: &str,
        logging: Option<BucketLogging>,
    ) -> Result<(), ProviderError>;
    /// GetBucketLogging: `None` when logging is off.
    async fn get_bucket_logging(
        &self,
        bucket: &str,
    ) -> Result<Option<BucketLogging>, ProviderError>;
}

/// [`S3Api`] over the SDK.
#[derive(Debug, Clone)]
pub struct SdkS3(pub(crate) aws_sdk_s3::Client);

fn none_if_not_found<T>(r: Result<T, ProviderError>) -> Result<Option<T>, ProviderError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e)
            if e.code == ErrorCode::NotFound
                && e.service_code.as_deref() != Some("NoSuchBucket") =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// `None` for "not configured" answers, the error else (a missing bucket stays `NotFound`).
fn none_if_absent<T>(
    r: Result<T, ProviderError>,
    absent: &str,
) -> Result<Option<T>, ProviderError> {
    match r {
        Err(e) if e.service_code.as_deref() == Some(absent) => Ok(None),
        r => none_if_not_found(r),
    }
}

fn build<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, ProviderError> {
    r.map_err(|e| ProviderError::new(ErrorCode::InvalidRequest, e.to_string()))
}

#[async_trait]
impl S3Api for SdkS3 {
    async fn create_bucket(&self, bucket: &str, region: &str) -> Result<(), ProviderError> {
        let mut call = self.0.create_bucket().bucket(bucket);
        if region != "us-east-1" {
            call = call.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(region))
                    .build(),
            );
        }
        call.send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("CreateBucket", e))
    }
    async fn head_bucket(&self, bucket: &str) -> Result<(), ProviderError> {
        self.0
            .head_bucket()
            .bucket(bucket)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("HeadBucket", e))
    }
    async fn delete_bucket(&self, bucket: &str) -> Result<(), ProviderError> {
        self.0
            .delete_bucket()
            .bucket(bucket)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("DeleteBucket", e))
    }
    async fn put_bucket_versioning(
        &self,
        bucket: &str,
        enabled: bool,
    ) -> Result<(), ProviderError> {
        let status = if enabled {
            BucketVersioningStatus::Enabled
        } else {
            BucketVersioningStatus::Suspended
        };
        self.0
            .put_bucket_versioning()
            .bucket(bucket)
            .versioning_configuration(VersioningConfiguration::builder().status(status).build())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("PutBucketVersioning", e))
    }
    async fn get_bucket_versioning(&self, bucket: &str) -> Result<Option<String>, ProviderError> {
        let out = self
            .0
            .get_bucket_versioning()
            .bucket(bucket)
            .send()
            .await
            .map_err(|e| sdk_error("GetBucketVersioning", e))?;
        Ok(out.status.map(|s| s.as_str().to_owned()))
    }
    async fn put_bucket_encryption(
        &self,
        bucket: &str,
        encryption: &BucketEncryption,
    ) -> Result<(), ProviderError> {
        let default = build(
            ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::from(encryption.algorithm.as_str()))
                .set_kms_master_key_id(encryption.kms_key_id.clone())
                .build(),
        )?;
        let rule = ServerSideEncryptionRule::builder()
            .apply_server_side_encryption_by_default(default)
            .set_bucket_key_enabled(encryption.bucket_key_enabled)
            .build();
        let config = build(
            ServerSideEncryptionConfiguration::builder()
                .rules(rule)
                .build(),
        )?;
        self.0
            .put_bucket_encryption()
            .bucket(bucket)
            .server_side_encryption_configuration(config)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("PutBucketEncryption", e))
    }
    async fn get_bucket_encryption(
        &self,
        bucket: &str,
    ) -> Result<Option<BucketEncryption>, ProviderError> {
        let out = none_if_not_found(
            self.0
                .get_bucket_encryption()
                .bucket(bucket)
                .send()
                .await
                .map_err(|e| sdk_error("GetBucketEncryption", e)),
        )?;
        Ok(out
            .and_then(|o| o.server_side_encryption_configuration)
            .and_then(|c| c.rules.into_iter().next())
            .and_then(|rule| {
                let d = rule.apply_server_side_encryption_by_default?;
                Some(BucketEncryption {
                    algorithm: d.sse_algorithm.as_str().to_owned(),
                    kms_key_id: d.kms_master_key_id,
                    bucket_key_enabled: rule.bucket_key_enabled,
                })
            }))
    }
    async fn put_public_access_block(
        &self,
        bucket: &str,
        block: PublicAccessBlock,
    ) -> Result<(), ProviderError> {
        self.0
            .put_public_access_block()
            .bucket(bucket)
            .public_access_block_configuration(
                PublicAccessBlockConfiguration::builder()
                    .block_public_acls(block.block_public_acls)
                    .ignore_public_acls(block.ignore_public_acls)
                    .block_public_policy(block.block_public_policy)
                    .restrict_public_buckets(block.restrict_public_buckets)
                    .build(),
            )
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("PutPublicAccessBlock", e))
    }
    async fn get_public_access_block(
        &self,
        bucket: &str,
    ) -> Result<Option<PublicAccessBlock>, ProviderError> {
        let out = none_if_not_found(
            self.0
                .get_public_access_block()
                .bucket(bucket)
                .send()
                .await
                .map_err(|e| sdk_error("GetPublicAccessBlock", e)),
        )?;
        Ok(out
            .and_then(|o| o.public_access_block_configuration)
            .map(|c| PublicAccessBlock {
                block_public_acls: c.block_public_acls.unwrap_or(false),
                ignore_public_acls: c.ignore_public_acls.unwrap_or(false),
                block_public_policy: c.block_public_policy.unwrap_or(false),
                restrict_public_buckets: c.restrict_public_buckets.unwrap_or(false),
            }))
    }
    async fn delete_public_access_block(&self, bucket: &str) -> Result<(), ProviderError> {
        self.0
            .delete_public_access_block()
            .bucket(bucket)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("DeletePublicAccessBlock", e))
    }
    async fn put_bucket_tagging(&self, bucket: &str, tags: Vec<Tag>) -> Result<(), ProviderError> {
        if tags.is_empty() {
            return self
                .0
                .delete_bucket_tagging()
                .bucket(bucket)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| sdk_error("DeleteBucketTagging", e));
        }
        let mut set = Vec::new();
        for (k, v) in tags {
            set.push(build(
                aws_sdk_s3::types::Tag::builder().key(k).value(v).build(),
            )?);
        }
        let tagging = build(Tagging::builder().set_tag_set(Some(set)).build())?;
        self.0
            .put_bucket_tagging()
            .bucket(bucket)
            .tagging(tagging)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("PutBucketTagging", e))
    }
    async fn get_bucket_tagging(&self, bucket: &str) -> Result<Vec<Tag>, ProviderError> {
        let out = none_if_not_found(
            self.0
                .get_bucket_tagging()
                .bucket(bucket)
                .send()
                .await
                .map_err(|e| sdk_error("GetBucketTagging", e)),
        )?;
        Ok(out
            .map(|o| o.tag_set.into_iter().map(|t| (t.key, t.value)).collect())
            .unwrap_or_default())
    }
    async fn put_bucket_policy(&self, bucket: &str, policy: &str) -> Result<(), ProviderError> {
        self.0
            .put_bucket_policy()
            .bucket(bucket)
            .policy(policy)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("PutBucketPolicy", e))
    }
    async fn get_bucket_policy(&self, bucket: &str) -> Result<Option<String>, ProviderError> {
        let out = none_if_not_found(
            self.0
                .get_bucket_policy()
                .bucket(bucket)
                .send()
                .await
                .map_err(|e| sdk_error("GetBucketPolicy", e)),
        )?;
        Ok(out.and_then(|o| o.policy))
    }
    async fn delete_bucket_policy(&self, bucket: &str) -> Result<(), ProviderError> {
        self.0
            .delete_bucket_policy()
            .bucket(bucket)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("DeleteBucketPolicy", e))
    }
    async fn put_bucket_ownership_controls(
        &self,
        bucket: &str,
        object_ownership: &str,
    ) -> Result<(), ProviderError> {
        let rule = build(
            OwnershipControlsRule::builder()
                .object_ownership(ObjectOwnership::from(object_ownership))
                .build(),
        )?;
        let controls = build(OwnershipControls::builder().rules(rule).build())?;
        self.0
            .put_bucket_ownership_controls()
            .bucket(bucket)
            .ownership_controls(controls)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("PutBucketOwnershipControls", e))
    }
    async fn get_bucket_ownership_controls(
        &self,
        bucket: &str,
    ) -> Result<Option<Vec<String>>, ProviderError> {
        let out = none_if_absent(
            self.0
                .get_bucket_ownership_controls()
                .bucket(bucket)
                .send()
                .await
                .map_err(|e| sdk_error("GetBucketOwnershipControls", e)),
            "OwnershipControlsNotFoundError",
        )?;
        Ok(out.and_then(|o| o.ownership_controls).map(|c| {
            c.rules
                .into_iter()
                .map(|r| r.object_ownership.as_str().to_owned())
                .collect()
        }))
    }
    async fn delete_bucket_ownership_controls(&self, bucket: &str) -> Result<(), ProviderError> {
        self.0
            .delete_bucket_ownership_controls()
            .bucket(bucket)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("DeleteBucketOwnershipControls", e))
    }
    async fn put_bucket_logging(
        &self,
        bucket: &str,
        logging: Option<BucketLogging>,
    ) -> Result<(), ProviderError> {
        let enabled = match logging {
            Some(l) => Some(build(
                LoggingEnabled::builder()
                    .target_bucket(l.target_bucket)
                    .target_prefix(l.target_prefix)
                    .build(),
            )?),
            None => None,
        };
        self.0
            .put_bucket_logging()
            .bucket(bucket)
            .bucket_logging_status(
                BucketLoggingStatus::builder()
                    .set_logging_enabled(enabled)
                    .build(),
            )
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("PutBucketLogging", e))
    }
    async fn get_bucket_logging(
        &self,
        bucket: &str,
    ) -> Result<Option<BucketLogging>, ProviderError> {
        let out = self
            .0
            .get_bucket_logging()
            .bucket(bucket)
            .send()
            .await
            .map_err(|e| sdk_error("GetBucketLogging", e))?;
        Ok(out.logging_enabled.map(|l| BucketLogging {
            target_bucket: l.target_bucket,
            target_prefix: l.target_prefix,
        }))
    }
}
