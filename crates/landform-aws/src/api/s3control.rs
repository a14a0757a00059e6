//! The S3 Control: the account-wide public access block calls the providers make.

use async_trait::async_trait;

/// The S3 Control: the account-wide public access block calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait S3ControlApi: Send + Sync {}

/// [`S3ControlApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkS3Control(pub aws_sdk_s3control::Client);

#[async_trait]
impl S3ControlApi for SdkS3Control {}
