//! The Lambda functions calls the providers make.

use async_trait::async_trait;

/// The Lambda functions calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait LambdaApi: Send + Sync {}

/// [`LambdaApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkLambda(pub aws_sdk_lambda::Client);

#[async_trait]
impl LambdaApi for SdkLambda {}
