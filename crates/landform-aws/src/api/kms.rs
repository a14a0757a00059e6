//! The KMS keys and aliases calls the providers make.

use async_trait::async_trait;
use aws_sdk_kms::types::{KeySpec, KeyUsageType};
use landform_deploy::ProviderError;

use super::Tag;
use crate::error::{missing, sdk_error, ErrorCode};

/// What CreateKey takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyRequest {
    /// The key policy document, as sent; `None` for KMS's default policy.
    pub policy: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// `SYMMETRIC_DEFAULT`, `RSA_2048`...; `None` for KMS's default (symmetric).
    pub key_spec: Option<String>,
    /// `ENCRYPT_DECRYPT`, `SIGN_VERIFY`...; `None` for KMS's default.
    pub key_usage: Option<String>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// A key as DescribeKey answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key id (a UUID).
    pub key_id: String,
    /// The ARN.
    pub arn: String,
    /// The description (empty when none).
    pub description: String,
    /// The key spec.
    pub key_spec: Option<String>,
    /// The key usage.
    pub key_usage: Option<String>,
    /// `Enabled`, `Disabled`, `PendingDeletion`...
    pub state: String,
    /// Whether the key is enabled.
    pub enabled: bool,
}

/// An alias as ListAliases answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AliasInfo {
    /// The name (`alias/...`).
    pub name: String,
    /// The ARN.
    pub arn: String,
    /// The key id the alias points at (`None` for an AWS alias with no key yet).
    pub target_key_id: Option<String>,
}

/// The KMS keys and aliases calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait KmsApi: Send + Sync {
    /// CreateKey.
    async fn create_key(&self, request: &KeyRequest) -> Result<KeyInfo, ProviderError>;
    /// DescribeKey.
    async fn describe_key(&self, key_id: &str) -> Result<KeyInfo, ProviderError>;
    /// GetKeyPolicy of the `default` policy.
    async fn get_key_policy(&self, key_id: &str) -> Result<String, ProviderError>;
    /// PutKeyPolicy of the `default` policy.
    async fn put_key_policy(&self, key_id: &str, policy: &str) -> Result<(), ProviderError>;
    /// UpdateKeyDescription.
    async fn update_key_description(
        &self,
        key_id: &str,
        description: &str,
    ) -> Result<(), ProviderError>;
    /// GetKeyRotationStatus.
    async fn get_key_rotation_status(&self, key_id: &str) -> Result<bool, ProviderError>;
    /// EnableKeyRotation or DisableKeyRotation.
    async fn set_key_rotation(&self, key_id: &str, enabled: bool) -> Result<(), ProviderError>;
    /// ListKeys, every page: the key ids.
    async fn list_keys(&self) -> Result<Vec<String>, ProviderError>;
    /// ListResourceTags.
    async fn list_resource_tags(&self, key_id: &str) -> Result<Vec<Tag>, ProviderError>;
    /// TagResource.
    async fn tag_resource(&self, key_id: &str, tags: Vec<Tag>) -> Result<(), ProviderError>;
    /// UntagResource.
    async fn untag_resource(&self, key_id: &str, keys: Vec<String>) -> Result<(), ProviderError>;
    /// ScheduleKeyDeletion.
    async fn schedule_key_deletion(
        &self,
        key_id: &str,
        pending_window_in_days: i32,
    ) -> Result<(), ProviderError>;
    /// CreateAlias.
    async fn create_alias(&self, name: &str, target_key_id: &str) -> Result<(), ProviderError>;
    /// UpdateAlias.
    async fn update_alias(&self, name: &str, target_key_id: &str) -> Result<(), ProviderError>;
    /// DeleteAlias.
    async fn delete_alias(&self, name: &str) -> Result<(), ProviderError>;
    /// ListAliases, every page.
    async fn list_aliases(&self) -> Result<Vec<AliasInfo>, ProviderError>;
}

/// [`KmsApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkKms(pub aws_sdk_kms::Client);

fn key_info(
    operation: &str,
    m: Option<aws_sdk_kms::types::KeyMetadata>,
) -> Result<KeyInfo, ProviderError> {
    let m = m.ok_or_else(|| missing(operation, "KeyMetadata"))?;
    Ok(KeyInfo {
        arn: m.arn.ok_or_else(|| missing(operation, "Arn"))?,
        key_id: m.key_id,
        description: m.description.unwrap_or_default(),
        key_spec: m.key_spec.map(|s| s.as_str().to_owned()),
        key_usage: m.key_usage.map(|u| u.as_str().to_owned()),
        state: m
            .key_state
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        enabled: m.enabled,
    })
}

/// Re-map the service codes [`sdk_error`] does not know to the handler contract's codes.
pub(super) fn with_codes(mut err: ProviderError, codes: &[(&str, ErrorCode)]) -> ProviderError {
    if let Some((_, code)) = codes
        .iter()
        .find(|(c, _)| err.service_code.as_deref() == Some(*c))
    {
        err.code = *code;
    }
    err
}

fn kms_error<E>(
    operation: &str,
    err: aws_sdk_kms::error::SdkError<E, aws_sdk_kms::config::http::HttpResponse>,
) -> ProviderError
where
    E: aws_sdk_kms::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    with_codes(
        sdk_error(operation, err),
        &[
            ("NotFoundException", ErrorCode::NotFound),
            ("AlreadyExistsException", ErrorCode::AlreadyExists),
            ("KMSInvalidStateException", ErrorCode::ResourceConflict),
            (
                "MalformedPolicyDocumentException",
                ErrorCode::InvalidRequest,
            ),
        ],
    )
}

fn build<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, ProviderError> {
    r.map_err(|e| ProviderError::new(ErrorCode::InvalidRequest, e.to_string()))
}

fn kms_tags(tags: &[Tag]) -> Result<Vec<aws_sdk_kms::types::Tag>, ProviderError> {
    tags.iter()
        .map(|(k, v)| {
            build(
                aws_sdk_kms::types::Tag::builder()
                    .tag_key(k)
                    .tag_value(v)
                    .build(),
            )
        })
        .collect()
}

#[async_trait]
impl KmsApi for SdkKms {
    async fn create_key(&self, request: &KeyRequest) -> Result<KeyInfo, ProviderError> {
        let out = self
            .0
            .create_key()
            .set_policy(request.policy.clone())
            .set_description(request.description.clone())
            .set_key_spec(request.key_spec.as_deref().map(KeySpec::from))
            .set_key_usage(request.key_usage.as_deref().map(KeyUsageType::from))
            .set_tags(Some(kms_tags(&request.tags)?).filter(|t| !t.is_empty()))
            .send()
            .await
            .map_err(|e| kms_error("CreateKey", e))?;
        key_info("CreateKey", out.key_metadata)
    }
    async fn describe_key(&self, key_id: &str) -> Result<KeyInfo, ProviderError> {
        let out = self
            .0
            .describe_key()
            .key_id(key_id)
            .send()
            .await
            .map_err(|e| kms_error("DescribeKey", e))?;
        key_info("DescribeKey", out.key_metadata)
    }
    async fn get_key_policy(&self, key_id: &str) -> Result<String, ProviderError> {
        let out = self
            .0
            .get_key_policy()
            .key_id(key_id)
            .policy_name("default")
            .send()
            .await
            .map_err(|e| kms_error("GetKeyPolicy", e))?;
        out.policy.ok_or_else(|| missing("GetKeyPolicy", "Policy"))
    }
    async fn put_key_policy(&self, key_id: &str, policy: &str) -> Result<(), ProviderError> {
        self.0
            .put_key_policy()
            .key_id(key_id)
            .policy_name("default")
            .policy(policy)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| kms_error("PutKeyPolicy", e))
    }
    async fn update_key_description(
        &self,
        key_id: &str,
        description: &str,
    ) -> Result<(), ProviderError> {
        self.0
            .update_key_description()
            .key_id(key_id)
            .description(description)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| kms_error("UpdateKeyDescription", e))
    }
    async fn get_key_rotation_status(&self, key_id: &str) -> Result<bool, ProviderError> {
        let out = self
            .0
            .get_key_rotation_status()
            .key_id(key_id)
            .send()
            .await
            .map_err(|e| kms_error("GetKeyRotationStatus", e))?;
        Ok(out.key_rotation_enabled)
    }
    async fn set_key_rotation(&self, key_id: &str, enabled: bool) -> Result<(), ProviderError> {
        if enabled {
            self.0
                .enable_key_rotation()
                .key_id(key_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| kms_error("EnableKeyRotation", e))
        } else {
            self.0
                .disable_key_rotation()
                .key_id(key_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| kms_error("DisableKeyRotation", e))
        }
    }
    async fn list_keys(&self) -> Result<Vec<String>, ProviderError> {
        let mut keys = Vec::new();
        let mut marker = None;
        loop {
            let out = self
                .0
                .list_keys()
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| kms_error("ListKeys", e))?;
            keys.extend(
                out.keys
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|k| k.key_id),
            );
            match out.next_marker {
                Some(m) if out.truncated => marker = Some(m),
                _ => return Ok(keys),
            }
        }
    }
    async fn list_resource_tags(&self, key_id: &str) -> Result<Vec<Tag>, ProviderError> {
        let mut tags = Vec::new();
        let mut marker = None;
        loop {
            let out = self
                .0
                .list_resource_tags()
                .key_id(key_id)
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| kms_error("ListResourceTags", e))?;
            tags.extend(
                out.tags
                    .unwrap_or_default()
                    .into_iter()
                    .map(|t| (t.tag_key, t.tag_value)),
            );
            match out.next_marker {
                Some(m) if out.truncated => marker = Some(m),
                _ => return Ok(tags),
            }
        }
    }
    async fn tag_resource(&self, key_id: &str, tags: Vec<Tag>) -> Result<(), ProviderError> {
        self.0
            .tag_resource()
            .key_id(key_id)
            .set_tags(Some(kms_tags(&tags)?))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| kms_error("TagResource", e))
    }
    async fn untag_resource(&self, key_id: &str, keys: Vec<String>) -> Result<(), ProviderError> {
        self.0
            .untag_resource()
            .key_id(key_id)
            .set_tag_keys(Some(keys))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| kms_error("UntagResource", e))
    }
    async fn schedule_key_deletion(
        &self,
        key_id: &str,
        pending_window_in_days: i32,
    ) -> Result<(), ProviderError> {
        self.0
            .schedule_key_deletion()
            .key_id(key_id)
            .pending_window_in_days(pending_window_in_days)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| kms_error("ScheduleKeyDeletion", e))
    }
    async fn create_alias(&self, name: &str, target_key_id: &str) -> Result<(), ProviderError> {
        self.0
            .create_alias()
            .alias_name(name)
            .target_key_id(target_key_id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| kms_error("CreateAlias", e))
    }
    async fn update_alias(&self, name: &str, target_key_id: &str) -> Result<(), ProviderError> {
        self.0
            .update_alias()
            .alias_name(name)
            .target_key_id(target_key_id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| kms_error("UpdateAlias", e))
    }
    async fn delete_alias(&self, name: &str) -> Result<(), ProviderError> {
        self.0
            .delete_alias()
            .alias_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| kms_error("DeleteAlias", e))
    }
    async fn list_aliases(&self) -> Result<Vec<AliasInfo>, ProviderError> {
        let mut aliases = Vec::new();
        let mut marker = None;
        loop {
            let out = self
                .0
                .list_aliases()
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| kms_error("ListAliases", e))?;
            aliases.extend(out.aliases.unwrap_or_default().into_iter().filter_map(|a| {
                Some(AliasInfo {
                    name: a.alias_name?,
                    arn: a.alias_arn.unwrap_or_default(),
                    target_key_id: a.target_key_id,
                })
            }));
            match out.next_marker {
                Some(m) if out.truncated => marker = Some(m),
                _ => return Ok(aliases),
            }
        }
    }
}
