//! The RAM resource shares calls the providers make.

use async_trait::async_trait;

/// The RAM resource shares calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait RamApi: Send + Sync {}

/// [`RamApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkRam(pub aws_sdk_ram::Client);

#[async_trait]
impl RamApi for SdkRam {}
