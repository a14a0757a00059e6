//! Where the SDK's credentials, region and endpoint come from.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::tls;

/// The role assumed in each target account unless told otherwise: the one AWS
/// Organizations creates in every account it makes.
pub const DEFAULT_ASSUME_ROLE_NAME: &str = "OrganizationAccountAccessRole";

/// How the provider reaches AWS. Credentials always come from aws-config's default chain
/// (environment, profile, SSO, web identity, container, instance metadata).
///
/// ```
/// let config = landform_aws::AwsConfig::new("us-east-1").with_endpoint_url("http://127.0.0.1:5000");
/// assert_eq!(config.assume_role_name, "OrganizationAccountAccessRole");
/// assert_eq!(config.endpoint_url.as_deref(), Some("http://127.0.0.1:5000"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsConfig {
    /// Send every call here instead of the AWS endpoints (moto, LocalStack). When unset,
    /// `AWS_ENDPOINT_URL` is honoured.
    pub endpoint_url: Option<String>,
    /// The default region (sessions name their own).
    pub region: String,
    /// The role assumed in target accounts.
    pub assume_role_name: String,
}

impl AwsConfig {
    /// A config for `region`, with no endpoint override and the default role name.
    pub fn new(region: impl Into<String>) -> Self {
        AwsConfig {
            endpoint_url: None,
            region: region.into(),
            assume_role_name: DEFAULT_ASSUME_ROLE_NAME.to_owned(),
        }
    }
    /// Send every call to `url`.
    pub fn with_endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }
    /// Assume `name` in target accounts.
    pub fn with_assume_role_name(mut self, name: impl Into<String>) -> Self {
        self.assume_role_name = name.into();
        self
    }
    /// The endpoint in force: the configured one, else `AWS_ENDPOINT_URL`.
    pub fn effective_endpoint(&self) -> Option<String> {
        self.endpoint_url.clone().or_else(|| {
            std::env::var("AWS_ENDPOINT_URL")
                .ok()
                .filter(|u| !u.is_empty())
        })
    }

    /// Load the base SDK config: default credential chain, this region, the endpoint in
    /// force, and an HTTPS client on rustls with ring.
    pub(crate) async fn load(&self) -> SdkConfig {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http)
            .region(Region::new(self.region.clone()));
        if let Some(url) = self.effective_endpoint() {
            loader = loader.endpoint_url(url);
        }
        loader.load().await
    }
}
