//! The CloudTrail trail calls the providers make.

use async_trait::async_trait;
use landform_deploy::ProviderError;

use super::Tag;
use crate::error::{missing, sdk_error, ErrorCode};

/// A trail's settings, as CreateTrail and UpdateTrail take them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailSpec {
    /// The name.
    pub name: String,
    /// The bucket receiving the logs (may be in another account).
    pub s3_bucket_name: String,
    /// The key prefix.
    pub s3_key_prefix: Option<String>,
    /// The SNS topic notified of each delivery.
    pub sns_topic_name: Option<String>,
    /// Log global services (IAM, STS) too.
    pub include_global_service_events: Option<bool>,
    /// Log every region.
    pub is_multi_region_trail: Option<bool>,
    /// Write digest files.
    pub enable_log_file_validation: Option<bool>,
    /// The KMS key (alias, ARN or id) encrypting the logs.
    pub kms_key_id: Option<String>,
    /// The log group receiving the events.
    pub cloud_watch_logs_log_group_arn: Option<String>,
    /// The role CloudTrail assumes to write to the log group.
    pub cloud_watch_logs_role_arn: Option<String>,
    /// Log every account of the organization.
    pub is_organization_trail: Option<bool>,
}

/// A trail as GetTrail answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailInfo {
    /// The name.
    pub name: String,
    /// The ARN.
    pub arn: String,
    /// The bucket.
    pub s3_bucket_name: String,
    /// The key prefix.
    pub s3_key_prefix: Option<String>,
    /// The SNS topic name.
    pub sns_topic_name: Option<String>,
    /// The SNS topic ARN.
    pub sns_topic_arn: Option<String>,
    /// Global service events logged.
    pub include_global_service_events: bool,
    /// Every region logged.
    pub is_multi_region_trail: bool,
    /// Digest files written.
    pub log_file_validation_enabled: bool,
    /// The KMS key ARN.
    pub kms_key_id: Option<String>,
    /// The log group.
    pub cloud_watch_logs_log_group_arn: Option<String>,
    /// The log group role.
    pub cloud_watch_logs_role_arn: Option<String>,
    /// An organization trail.
    pub is_organization_trail: bool,
}

/// The CloudTrail trail calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait CloudTrailApi: Send + Sync {
    /// CreateTrail.
    async fn create_trail(
        &self,
        spec: &TrailSpec,
        tags: Vec<Tag>,
    ) -> Result<TrailInfo, ProviderError>;
    /// UpdateTrail: the settings given (`Some`) change, `Some("")` clears a string setting,
    /// `None` leaves a setting as it is.
    async fn update_trail(&self, spec: &TrailSpec) -> Result<TrailInfo, ProviderError>;
    /// GetTrail. NotFound when gone.
    async fn get_trail(&self, name: &str) -> Result<TrailInfo, ProviderError>;
    /// GetTrailStatus: whether the trail is logging.
    async fn is_logging(&self, name: &str) -> Result<bool, ProviderError>;
    /// StartLogging.
    async fn start_logging(&self, name: &str) -> Result<(), ProviderError>;
    /// StopLogging.
    async fn stop_logging(&self, name: &str) -> Result<(), ProviderError>;
    /// DeleteTrail.
    async fn delete_trail(&self, name: &str) -> Result<(), ProviderError>;
    /// ListTags of one trail ARN.
    async fn list_tags(&self, arn: &str) -> Result<Vec<Tag>, ProviderError>;
    /// AddTags.
    async fn add_tags(&self, arn: &str, tags: Vec<Tag>) -> Result<(), ProviderError>;
    /// RemoveTags (the tags as they are, key and value).
    async fn remove_tags(&self, arn: &str, tags: Vec<Tag>) -> Result<(), ProviderError>;
}

/// [`CloudTrailApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkCloudTrail(pub aws_sdk_cloudtrail::Client);

fn trail_code(e: ProviderError) -> ProviderError {
    let code = match e.service_code.as_deref() {
        Some("TrailNotFoundException") => ErrorCode::NotFound,
        Some("TrailAlreadyExistsException") => ErrorCode::AlreadyExists,
        _ => return e,
    };
    ProviderError { code, ..e }
}

fn trail_error<E>(
    operation: &str,
    err: aws_sdk_cloudtrail::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> ProviderError
where
    E: aws_sdk_cloudtrail::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    trail_code(sdk_error(operation, err))
}

fn cloudtrail_tag(key: &str, value: &str) -> Result<aws_sdk_cloudtrail::types::Tag, ProviderError> {
    aws_sdk_cloudtrail::types::Tag::builder()
        .key(key)
        .value(value)
        .build()
        .map_err(|e| ProviderError::new(ErrorCode::InvalidRequest, e.to_string()))
}

macro_rules! trail_info {
    ($out:expr, $op:expr) => {{
        let out = $out;
        TrailInfo {
            name: out.name.ok_or_else(|| missing($op, "Name"))?,
            arn: out.trail_arn.ok_or_else(|| missing($op, "TrailARN"))?,
            s3_bucket_name: out.s3_bucket_name.unwrap_or_default(),
            s3_key_prefix: out.s3_key_prefix.filter(|p| !p.is_empty()),
            sns_topic_name: out.sns_topic_name.filter(|p| !p.is_empty()),
            sns_topic_arn: out.sns_topic_arn.filter(|p| !p.is_empty()),
            include_global_service_events: out.include_global_service_events.unwrap_or(false),
            is_multi_region_trail: out.is_multi_region_trail.unwrap_or(false),
            log_file_validation_enabled: out.log_file_validation_enabled.unwrap_or(false),
            kms_key_id: out.kms_key_id.filter(|p| !p.is_empty()),
            cloud_watch_logs_log_group_arn: out
                .cloud_watch_logs_log_group_arn
                .filter(|p| !p.is_empty()),
            cloud_watch_logs_role_arn: out.cloud_watch_logs_role_arn.filter(|p| !p.is_empty()),
            is_organization_trail: out.is_organization_trail.unwrap_or(false),
        }
    }};
}

// `SnsTopicName` is deprecated in the API for `SnsTopicARN`, but it is what CloudFormation's
// property names.
#[allow(deprecated)]
#[async_trait]
impl CloudTrailApi for SdkCloudTrail {
    async fn create_trail(
        &self,
        spec: &TrailSpec,
        tags: Vec<Tag>,
    ) -> Result<TrailInfo, ProviderError> {
        let mut call = self
            .0
            .create_trail()
            .name(&spec.name)
            .s3_bucket_name(&spec.s3_bucket_name)
            .set_s3_key_prefix(spec.s3_key_prefix.clone())
            .set_sns_topic_name(spec.sns_topic_name.clone())
            .set_include_global_service_events(spec.include_global_service_events)
            .set_is_multi_region_trail(spec.is_multi_region_trail)
            .set_enable_log_file_validation(spec.enable_log_file_validation)
            .set_kms_key_id(spec.kms_key_id.clone())
            .set_cloud_watch_logs_log_group_arn(spec.cloud_watch_logs_log_group_arn.clone())
            .set_cloud_watch_logs_role_arn(spec.cloud_watch_logs_role_arn.clone())
            .set_is_organization_trail(spec.is_organization_trail);
        for (k, v) in &tags {
            call = call.tags_list(cloudtrail_tag(k, v)?);
        }
        let out = call
            .send()
            .await
            .map_err(|e| trail_error("CreateTrail", e))?;
        Ok(trail_info!(out, "CreateTrail"))
    }
    async fn update_trail(&self, spec: &TrailSpec) -> Result<TrailInfo, ProviderError> {
        let out = self
            .0
            .update_trail()
            .name(&spec.name)
            .s3_bucket_name(&spec.s3_bucket_name)
            .set_s3_key_prefix(spec.s3_key_prefix.clone())
            .set_sns_topic_name(spec.sns_topic_name.clone())
            .set_include_global_service_events(spec.include_global_service_events)
            .set_is_multi_region_trail(spec.is_multi_region_trail)
            .set_enable_log_file_validation(spec.enable_log_file_validation)
            .set_kms_key_id(spec.kms_key_id.clone())
            .set_cloud_watch_logs_log_group_arn(spec.cloud_watch_logs_log_group_arn.clone())
            .set_cloud_watch_logs_role_arn(spec.cloud_watch_logs_role_arn.clone())
            .set_is_organization_trail(spec.is_organization_trail)
            .send()
            .await
            .map_err(|e| trail_error("UpdateTrail", e))?;
        Ok(trail_info!(out, "UpdateTrail"))
    }
    async fn get_trail(&self, name: &str) -> Result<TrailInfo, ProviderError> {
        let out = self
            .0
            .get_trail()
            .name(name)
            .send()
            .await
            .map_err(|e| trail_error("GetTrail", e))?;
        let trail = out.trail.ok_or_else(|| missing("GetTrail", "Trail"))?;
        Ok(trail_info!(trail, "GetTrail"))
    }
    async fn is_logging(&self, name: &str) -> Result<bool, ProviderError> {
        let out = self
            .0
            .get_trail_status()
            .name(name)
            .send()
            .await
            .map_err(|e| trail_error("GetTrailStatus", e))?;
        Ok(out.is_logging.unwrap_or(false))
    }
    async fn start_logging(&self, name: &str) -> Result<(), ProviderError> {
        self.0
            .start_logging()
            .name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| trail_error("StartLogging", e))
    }
    async fn stop_logging(&self, name: &str) -> Result<(), ProviderError> {
        self.0
            .stop_logging()
            .name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| trail_error("StopLogging", e))
    }
    async fn delete_trail(&self, name: &str) -> Result<(), ProviderError> {
        self.0
            .delete_trail()
            .name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| trail_error("DeleteTrail", e))
    }
    async fn list_tags(&self, arn: &str) -> Result<Vec<Tag>, ProviderError> {
        let out = self
            .0
            .list_tags()
            .resource_id_list(arn)
            .send()
            .await
            .map_err(|e| trail_error("ListTags", e))?;
        Ok(out
            .resource_tag_list
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.resource_id.as_deref() == Some(arn))
            .flat_map(|r| r.tags_list.unwrap_or_default())
            .map(|t| (t.key, t.value.unwrap_or_default()))
            .collect())
    }
    async fn add_tags(&self, arn: &str, tags: Vec<Tag>) -> Result<(), ProviderError> {
        let mut call = self.0.add_tags().resource_id(arn);
        for (k, v) in &tags {
            call = call.tags_list(cloudtrail_tag(k, v)?);
        }
        call.send()
            .await
            .map(|_| ())
            .map_err(|e| trail_error("AddTags", e))
    }
    async fn remove_tags(&self, arn: &str, tags: Vec<Tag>) -> Result<(), ProviderError> {
        let mut call = self.0.remove_tags().resource_id(arn);
        for (k, v) in &tags {
            call = call.tags_list(cloudtrail_tag(k, v)?);
        }
        call.send()
            .await
            .map(|_| ())
            .map_err(|e| trail_error("RemoveTags", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trail_codes_map_to_the_handler_contract() {
        let e = |c: &str| {
            trail_code(
                ProviderError::new(ErrorCode::GeneralServiceException, "x").with_service_code(c),
            )
            .code
        };
        assert_eq!(e("TrailNotFoundException"), ErrorCode::NotFound);
        assert_eq!(e("TrailAlreadyExistsException"), ErrorCode::AlreadyExists);
        assert_eq!(
            e("AccessDeniedException"),
            ErrorCode::GeneralServiceException
        );
    }
}
