//! A lock as an S3 object, taken and released with conditional writes.

use std::path::PathBuf;

use async_trait::async_trait;
use aws_sdk_s3::primitives::ByteStream;
use landform_deploy::{DeployError, Lock, LockInfo};

use crate::error::{sdk_error, AwsError, ErrorCode};
use crate::sessions::AwsSessions;
use crate::state::{get_object, s3_client};

/// A lock as one object of an S3 bucket, next to the state it guards (the way Terraform's
/// S3 backend locks with `use_lockfile`): no DynamoDB table needed.
///
/// Acquire is a `PutObject` with `If-None-Match: *`, which S3 applies only when no object
/// has the key: of two racing holders exactly one wins, the other gets
/// [`DeployError::Locked`] naming the winner. The object holds the [`LockInfo`] as JSON.
/// Release reads the object, refuses when someone else holds it, and deletes it with
/// `If-Match` on the ETag it read, so a lock taken over in between is never removed.
/// In a versioned bucket each lock leaves a noncurrent version and a delete marker behind:
/// a lifecycle rule on noncurrent versions keeps that small.
pub struct S3Lock {
    client: aws_sdk_s3::Client,
    bucket: String,
    key: String,
}

impl std::fmt::Debug for S3Lock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Lock")
            .field("bucket", &self.bucket)
            .field("key", &self.key)
            .finish()
    }
}

/// The S3 answers to a conditional write that lost: the condition failed (412), or another
/// conditional write to the key was in flight (409).
fn lost_the_race(e: &landform_deploy::ProviderError) -> bool {
    matches!(
        e.service_code.as_deref(),
        Some("PreconditionFailed" | "ConditionalRequestConflict")
    )
}

impl S3Lock {
    /// The lock object `s3://bucket/key` (the bucket must exist), reached with the
    /// sessions' credentials for `account` in `region`.
    pub async fn new(
        sessions: &AwsSessions,
        account: &str,
        region: &str,
        bucket: impl Into<String>,
        key: impl Into<String>,
    ) -> Result<Self, AwsError> {
        Ok(S3Lock {
            client: s3_client(sessions, account, region).await?,
            bucket: bucket.into(),
            key: key.into(),
        })
    }

    fn error(&self, e: AwsError) -> DeployError {
        DeployError::Io {
            path: PathBuf::from(format!("s3://{}/{}", self.bucket, self.key)),
            source: std::io::Error::other(e),
        }
    }

    /// The lock object's holder and ETag, None when it is free.
    async fn read(&self) -> Result<Option<(LockInfo, Option<String>)>, DeployError> {
        let Some((bytes, etag)) = get_object(&self.client, &self.bucket, &self.key)
            .await
            .map_err(|e| self.error(e))?
        else {
            return Ok(None);
        };
        let info = serde_json::from_slice(&bytes).map_err(|e| {
            self.error(AwsError::CorruptState {
                bucket: self.bucket.clone(),
                key: self.key.clone(),
                reason: format!("the lock object is not a lock: {e}"),
            })
        })?;
        Ok(Some((info, etag)))
    }

    async fn locked_error(&self) -> DeployError {
        match self.read().await {
            Ok(held) => super::locked(held.map(|(info, _)| info)),
            Err(e) => e,
        }
    }
}

#[async_trait]
impl Lock for S3Lock {
    async fn acquire(&self, holder: &str) -> Result<LockInfo, DeployError> {
        let info = LockInfo::here(holder);
        // Serialising plain data (string fields only) cannot fail.
        let body = serde_json::to_vec_pretty(&info).unwrap_or_default();
        let out = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(&self.key)
            .content_type("application/json")
            .if_none_match("*")
            .body(ByteStream::from(body))
            .send()
            .await;
        match out {
            Ok(_) => Ok(info),
            Err(e) => {
                let e = sdk_error("PutObject", e);
                if lost_the_race(&e) {
                    return Err(self.locked_error().await);
                }
                Err(self.error(AwsError::call("PutObject", e)))
            }
        }
    }

    async fn release(&self, holder: &str) -> Result<(), DeployError> {
        let Some((info, etag)) = self.read().await? else {
            return Ok(());
        };
        if info.holder != holder {
            return Err(super::locked(Some(info)));
        }
        let out = self
            .client
            .delete_object()
            .bucket(&self.bucket)
            .key(&self.key)
            .set_if_match(etag)
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            Err(e) => {
                let e = sdk_error("DeleteObject", e);
                if e.code == ErrorCode::NotFound {
                    return Ok(());
                }
                if lost_the_race(&e) {
                    return Err(self.locked_error().await);
                }
                Err(self.error(AwsError::call("DeleteObject", e)))
            }
        }
    }

    async fn holder(&self) -> Result<Option<LockInfo>, DeployError> {
        Ok(self.read().await?.map(|(info, _)| info))
    }
}
