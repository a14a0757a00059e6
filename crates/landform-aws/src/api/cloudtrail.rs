//! The CloudTrail trails calls the providers make.

use async_trait::async_trait;

/// The CloudTrail trails calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait CloudTrailApi: Send + Sync {}

/// [`CloudTrailApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkCloudTrail(pub aws_sdk_cloudtrail::Client);

#[async_trait]
impl CloudTrailApi for SdkCloudTrail {}
