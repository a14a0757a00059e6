//! The S3 Control: the account-wide public access block calls the providers make.

use async_trait::async_trait;
use aws_sdk_s3control::config::endpoint::{Endpoint, EndpointFuture, Params, ResolveEndpoint};
use aws_sdk_s3control::types::PublicAccessBlockConfiguration;
use landform_deploy::ProviderError;

use super::kms::with_codes;
use super::PublicAccessBlock;
use crate::error::{sdk_error, ErrorCode};

/// The S3 Control: the account-wide public access block calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait S3ControlApi: Send + Sync {
    /// PutPublicAccessBlock for the account.
    async fn put_public_access_block(
        &self,
        account_id: &str,
        block: PublicAccessBlock,
    ) -> Result<(), ProviderError>;
    /// GetPublicAccessBlock for the account (NotFound when none is set).
    async fn get_public_access_block(
        &self,
        account_id: &str,
    ) -> Result<PublicAccessBlock, ProviderError>;
    /// DeletePublicAccessBlock for the account.
    async fn delete_public_access_block(&self, account_id: &str) -> Result<(), ProviderError>;
}

/// [`S3ControlApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkS3Control(pub aws_sdk_s3control::Client);

/// Sends every S3 Control call to one fixed endpoint. S3 Control's endpoint rules put the
/// account id in front of the host (`123456789012.s3-control...`), also of an overridden
/// endpoint, where `123456789012.127.0.0.1` resolves nowhere; the SDK has no switch for
/// that, so with an override the endpoint is taken as given.
#[derive(Debug, Clone)]
struct FixedEndpoint(String);

impl ResolveEndpoint for FixedEndpoint {
    fn resolve_endpoint<'a>(&'a self, _params: &'a Params) -> EndpointFuture<'a> {
        EndpointFuture::ready(Ok(Endpoint::builder().url(self.0.clone()).build()))
    }
}

impl SdkS3Control {
    /// A client for `config`; with an endpoint override in `config` (moto, LocalStack),
    /// calls go to the override's host as is, without the account id host prefix.
    pub fn from_config(config: &aws_config::SdkConfig) -> Self {
        let mut builder = aws_sdk_s3control::config::Builder::from(config);
        if let Some(url) = config.endpoint_url() {
            builder = builder.endpoint_resolver(FixedEndpoint(url.to_owned()));
        }
        SdkS3Control(aws_sdk_s3control::Client::from_conf(builder.build()))
    }
}

fn s3control_error<E>(
    operation: &str,
    err: aws_sdk_s3control::error::SdkError<E, aws_sdk_s3control::config::http::HttpResponse>,
) -> ProviderError
where
    E: aws_sdk_s3control::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    with_codes(
        sdk_error(operation, err),
        &[("NoSuchPublicAccessBlockConfiguration", ErrorCode::NotFound)],
    )
}

#[async_trait]
impl S3ControlApi for SdkS3Control {
    async fn put_public_access_block(
        &self,
        account_id: &str,
        block: PublicAccessBlock,
    ) -> Result<(), ProviderError> {
        self.0
            .put_public_access_block()
            .account_id(account_id)
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
            .map_err(|e| s3control_error("PutPublicAccessBlock", e))
    }
    async fn get_public_access_block(
        &self,
        account_id: &str,
    ) -> Result<PublicAccessBlock, ProviderError> {
        let out = self
            .0
            .get_public_access_block()
            .account_id(account_id)
            .send()
            .await
            .map_err(|e| s3control_error("GetPublicAccessBlock", e))?;
        let c = out.public_access_block_configuration.ok_or_else(|| {
            crate::error::missing("GetPublicAccessBlock", "PublicAccessBlockConfiguration")
        })?;
        Ok(PublicAccessBlock {
            block_public_acls: c.block_public_acls.unwrap_or(false),
            ignore_public_acls: c.ignore_public_acls.unwrap_or(false),
            block_public_policy: c.block_public_policy.unwrap_or(false),
            restrict_public_buckets: c.restrict_public_buckets.unwrap_or(false),
        })
    }
    async fn delete_public_access_block(&self, account_id: &str) -> Result<(), ProviderError> {
        self.0
            .delete_public_access_block()
            .account_id(account_id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| s3control_error("DeletePublicAccessBlock", e))
    }
}
