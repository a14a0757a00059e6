//! Per-account sessions: STS AssumeRole into each target account, credentials cached until
//! shortly before they expire.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_config::{Region, SdkConfig};
use aws_sdk_s3::config::{Credentials, SharedCredentialsProvider};
use landform_deploy::{DeployError, Session, Sessions};
use tokio::sync::Mutex;

use crate::config::AwsConfig;
use crate::error::{sdk_error, AwsError};

/// Wall-clock time, injected so credential expiry can be tested.
pub trait WallClock: Send + Sync {
    /// Now.
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemWallClock;

impl WallClock for SystemWallClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

#[derive(Clone)]
struct Cached {
    credentials: Credentials,
    expires: SystemTime,
}

/// Sessions into the accounts of an organization: the caller's own account uses the base
/// credentials; every other account is reached by assuming
/// [`AwsConfig::assume_role_name`] there. Assumed credentials are cached per account and
/// refreshed [`AwsSessions::REFRESH_MARGIN`] before they expire.
pub struct AwsSessions {
    config: AwsConfig,
    base: SdkConfig,
    clock: Arc<dyn WallClock>,
    caller: Mutex<Option<String>>,
    cache: Mutex<HashMap<String, Cached>>,
}

impl std::fmt::Debug for AwsSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsSessions")
            .field("config", &self.config)
            .finish()
    }
}

impl AwsSessions {
    /// Assumed credentials are refreshed this long before they expire.
    pub const REFRESH_MARGIN: Duration = Duration::from_secs(300);

    /// Sessions with credentials from aws-config's default chain.
    pub async fn new(config: AwsConfig) -> Self {
        let base = config.load().await;
        AwsSessions {
            config,
            base,
            clock: Arc::new(SystemWallClock),
            caller: Mutex::new(None),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Use another clock for credential expiry.
    pub fn with_clock(mut self, clock: Arc<dyn WallClock>) -> Self {
        self.clock = clock;
        self
    }

    /// The configuration.
    pub fn config(&self) -> &AwsConfig {
        &self.config
    }

    /// The endpoint override in force (moto, LocalStack), if any.
    pub(crate) fn endpoint(&self) -> Option<String> {
        self.config.effective_endpoint()
    }

    /// Whether an endpoint override is in force (S3 then uses path-style addressing).
    pub(crate) fn endpoint_override(&self) -> bool {
        self.config.effective_endpoint().is_some()
    }

    /// The account of the base credentials (STS GetCallerIdentity, asked once).
    pub async fn caller_account(&self) -> Result<String, AwsError> {
        let mut caller = self.caller.lock().await;
        if let Some(a) = caller.as_ref() {
            return Ok(a.clone());
        }
        let sts = aws_sdk_sts::Client::new(&self.base);
        let out =
            sts.get_caller_identity().send().await.map_err(|e| {
                AwsError::call("GetCallerIdentity", sdk_error("GetCallerIdentity", e))
            })?;
        let account = out.account.ok_or(AwsError::MissingField {
            operation: "GetCallerIdentity",
            field: "Account",
        })?;
        *caller = Some(account.clone());
        Ok(account)
    }

    /// The SDK config for `account` in `region`: base credentials for the caller's own
    /// account, assumed-role credentials (cached) for any other.
    pub(crate) async fn sdk_config(
        &self,
        account: &str,
        region: &str,
    ) -> Result<SdkConfig, AwsError> {
        let mut builder = self.base.to_builder();
        builder.set_region(Some(Region::new(region.to_owned())));
        if account != self.caller_account().await? {
            let credentials = self.assumed_credentials(account).await?;
            builder.set_credentials_provider(Some(SharedCredentialsProvider::new(credentials)));
        }
        Ok(builder.build())
    }

    /// Credentials for `account`, from the cache while they have more than
    /// [`Self::REFRESH_MARGIN`] left, else from a new AssumeRole.
    async fn assumed_credentials(&self, account: &str) -> Result<Credentials, AwsError> {
        let mut cache = self.cache.lock().await;
        let now = self.clock.now();
        if let Some(c) = cache.get(account) {
            if c.expires > now + Self::REFRESH_MARGIN {
                return Ok(c.credentials.clone());
            }
        }
        let partition = "aws";
        let arn = format!(
            "arn:{partition}:iam::{account}:role/{}",
            self.config.assume_role_name
        );
        let sts = aws_sdk_sts::Client::new(&self.base);
        let out = sts
            .assume_role()
            .role_arn(&arn)
            .role_session_name("landform")
            .send()
            .await
            .map_err(|e| AwsError::call("AssumeRole", sdk_error("AssumeRole", e)))?;
        let c = out.credentials.ok_or(AwsError::MissingField {
            operation: "AssumeRole",
            field: "Credentials",
        })?;
        let expires = SystemTime::try_from(c.expiration).unwrap_or(now);
        let credentials = Credentials::new(
            c.access_key_id,
            c.secret_access_key,
            Some(c.session_token),
            Some(expires),
            "landform-assume-role",
        );
        cache.insert(
            account.to_owned(),
            Cached {
                credentials: credentials.clone(),
                expires,
            },
        );
        Ok(credentials)
    }

    /// The access key id in use for `account` (for tests and diagnostics).
    pub async fn access_key_id(&self, account: &str) -> Result<String, AwsError> {
        if account == self.caller_account().await? {
            return Ok("base credentials".to_owned());
        }
        Ok(self
            .assumed_credentials(account)
            .await?
            .access_key_id()
            .to_owned())
    }
}

#[async_trait]
impl Sessions for AwsSessions {
    async fn session(&self, account: &str, region: &str) -> Result<Session, DeployError> {
        self.sdk_config(account, region)
            .await
            .map_err(|e| DeployError::Session {
                account: account.to_owned(),
                region: region.to_owned(),
                reason: e.to_string(),
            })?;
        Ok(Session::new(account, region))
    }
}
