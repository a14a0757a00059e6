//! The CloudWatch Logs log groups calls the providers make.

use async_trait::async_trait;

/// The CloudWatch Logs log groups calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait LogsApi: Send + Sync {}

/// [`LogsApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkLogs(pub aws_sdk_cloudwatchlogs::Client);

#[async_trait]
impl LogsApi for SdkLogs {}
