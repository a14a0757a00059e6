//! The KMS keys and aliases calls the providers make.

use async_trait::async_trait;

/// The KMS keys and aliases calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait KmsApi: Send + Sync {}

/// [`KmsApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkKms(pub aws_sdk_kms::Client);

#[async_trait]
impl KmsApi for SdkKms {}
