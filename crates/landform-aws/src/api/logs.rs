//! The CloudWatch Logs log groups calls the providers make.

use async_trait::async_trait;
use landform_deploy::ProviderError;

use super::kms::with_codes;
use super::Tag;
use crate::error::{sdk_error, ErrorCode};

/// A log group as DescribeLogGroups answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogGroupInfo {
    /// The name.
    pub name: String,
    /// The ARN as DescribeLogGroups gives it (ending in `:*`).
    pub arn: String,
    /// The retention in days; `None` for never expire.
    pub retention_in_days: Option<i32>,
    /// The KMS key ARN encrypting the group, when one is associated.
    pub kms_key_id: Option<String>,
}

/// The CloudWatch Logs log groups calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait LogsApi: Send + Sync {
    /// CreateLogGroup.
    async fn create_log_group(
        &self,
        name: &str,
        kms_key_id: Option<String>,
        tags: Vec<Tag>,
    ) -> Result<(), ProviderError>;
    /// DescribeLogGroups by prefix, keeping the exact match: `None` when there is none.
    async fn describe_log_group(&self, name: &str) -> Result<Option<LogGroupInfo>, ProviderError>;
    /// PutRetentionPolicy, or DeleteRetentionPolicy for `None`.
    async fn set_retention(&self, name: &str, days: Option<i32>) -> Result<(), ProviderError>;
    /// AssociateKmsKey, or DisassociateKmsKey for `None`.
    async fn set_kms_key(
        &self,
        name: &str,
        kms_key_id: Option<String>,
    ) -> Result<(), ProviderError>;
    /// ListTagsForResource (the ARN without `:*`).
    async fn list_tags(&self, arn: &str) -> Result<Vec<Tag>, ProviderError>;
    /// TagResource (the ARN without `:*`).
    async fn tag(&self, arn: &str, tags: Vec<Tag>) -> Result<(), ProviderError>;
    /// UntagResource (the ARN without `:*`).
    async fn untag(&self, arn: &str, keys: Vec<String>) -> Result<(), ProviderError>;
    /// DeleteLogGroup.
    async fn delete_log_group(&self, name: &str) -> Result<(), ProviderError>;
}

/// [`LogsApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkLogs(pub aws_sdk_cloudwatchlogs::Client);

fn logs_error<E>(
    operation: &str,
    err: aws_sdk_cloudwatchlogs::error::SdkError<
        E,
        aws_sdk_cloudwatchlogs::config::http::HttpResponse,
    >,
) -> ProviderError
where
    E: aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    with_codes(
        sdk_error(operation, err),
        &[
            ("ResourceAlreadyExistsException", ErrorCode::AlreadyExists),
            ("InvalidParameterException", ErrorCode::InvalidRequest),
            (
                "OperationAbortedException",
                ErrorCode::ConcurrentModification,
            ),
        ],
    )
}

#[async_trait]
impl LogsApi for SdkLogs {
    async fn create_log_group(
        &self,
        name: &str,
        kms_key_id: Option<String>,
        tags: Vec<Tag>,
    ) -> Result<(), ProviderError> {
        self.0
            .create_log_group()
            .log_group_name(name)
            .set_kms_key_id(kms_key_id)
            .set_tags((!tags.is_empty()).then(|| tags.into_iter().collect()))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| logs_error("CreateLogGroup", e))
    }
    async fn describe_log_group(&self, name: &str) -> Result<Option<LogGroupInfo>, ProviderError> {
        let mut token = None;
        loop {
            let out = self
                .0
                .describe_log_groups()
                .log_group_name_prefix(name)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| logs_error("DescribeLogGroups", e))?;
            let found = out
                .log_groups
                .unwrap_or_default()
                .into_iter()
                .find(|g| g.log_group_name.as_deref() == Some(name));
            if let Some(g) = found {
                return Ok(Some(LogGroupInfo {
                    name: name.to_owned(),
                    arn: g
                        .arn
                        .ok_or_else(|| crate::error::missing("DescribeLogGroups", "arn"))?,
                    retention_in_days: g.retention_in_days,
                    kms_key_id: g.kms_key_id,
                }));
            }
            match out.next_token {
                Some(t) => token = Some(t),
                None => return Ok(None),
            }
        }
    }
    async fn set_retention(&self, name: &str, days: Option<i32>) -> Result<(), ProviderError> {
        match days {
            Some(days) => self
                .0
                .put_retention_policy()
                .log_group_name(name)
                .retention_in_days(days)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| logs_error("PutRetentionPolicy", e)),
            None => self
                .0
                .delete_retention_policy()
                .log_group_name(name)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| logs_error("DeleteRetentionPolicy", e)),
        }
    }
    async fn set_kms_key(
        &self,
        name: &str,
        kms_key_id: Option<String>,
    ) -> Result<(), ProviderError> {
        match kms_key_id {
            Some(key) => self
                .0
                .associate_kms_key()
                .log_group_name(name)
                .kms_key_id(key)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| logs_error("AssociateKmsKey", e)),
            None => self
                .0
                .disassociate_kms_key()
                .log_group_name(name)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| logs_error("DisassociateKmsKey", e)),
        }
    }
    async fn list_tags(&self, arn: &str) -> Result<Vec<Tag>, ProviderError> {
        let out = self
            .0
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(|e| logs_error("ListTagsForResource", e))?;
        let mut tags: Vec<Tag> = out.tags.unwrap_or_default().into_iter().collect();
        tags.sort();
        Ok(tags)
    }
    async fn tag(&self, arn: &str, tags: Vec<Tag>) -> Result<(), ProviderError> {
        self.0
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(tags.into_iter().collect()))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| logs_error("TagResource", e))
    }
    async fn untag(&self, arn: &str, keys: Vec<String>) -> Result<(), ProviderError> {
        self.0
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(keys))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| logs_error("UntagResource", e))
    }
    async fn delete_log_group(&self, name: &str) -> Result<(), ProviderError> {
        self.0
            .delete_log_group()
            .log_group_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| logs_error("DeleteLogGroup", e))
    }
}
