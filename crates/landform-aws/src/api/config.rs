//! The AWS Config recorders, delivery channels, rules and aggregators calls the providers make.

use async_trait::async_trait;

/// The AWS Config recorders, delivery channels, rules and aggregators calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait ConfigApi: Send + Sync {}

/// [`ConfigApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkConfigService(pub aws_sdk_config::Client);

#[async_trait]
impl ConfigApi for SdkConfigService {}
