//! The GuardDuty detector calls the providers make.

use std::collections::BTreeMap;

use async_trait::async_trait;
use landform_deploy::ProviderError;

use crate::error::{missing, sdk_error, ErrorCode};

/// A detector as GetDetector answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetectorInfo {
    /// Whether the detector is enabled (`status` ENABLED).
    pub enabled: bool,
    /// `FIFTEEN_MINUTES`, `ONE_HOUR` or `SIX_HOURS`.
    pub finding_publishing_frequency: Option<String>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
}

/// The GuardDuty detector calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait GuardDutyApi: Send + Sync {
    /// CreateDetector: the detector id.
    async fn create_detector(
        &self,
        enable: bool,
        finding_publishing_frequency: Option<String>,
        tags: BTreeMap<String, String>,
    ) -> Result<String, ProviderError>;
    /// GetDetector. NotFound when the account has no such detector.
    async fn get_detector(&self, detector_id: &str) -> Result<DetectorInfo, ProviderError>;
    /// UpdateDetector.
    async fn update_detector(
        &self,
        detector_id: &str,
        enable: bool,
        finding_publishing_frequency: Option<String>,
    ) -> Result<(), ProviderError>;
    /// ListDetectors: the detector ids of the account and region (at most one).
    async fn list_detectors(&self) -> Result<Vec<String>, ProviderError>;
    /// DeleteDetector.
    async fn delete_detector(&self, detector_id: &str) -> Result<(), ProviderError>;
    /// TagResource on the detector's ARN.
    async fn tag_resource(
        &self,
        arn: &str,
        tags: BTreeMap<String, String>,
    ) -> Result<(), ProviderError>;
    /// UntagResource on the detector's ARN.
    async fn untag_resource(&self, arn: &str, keys: Vec<String>) -> Result<(), ProviderError>;
}

/// [`GuardDutyApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkGuardDuty(pub aws_sdk_guardduty::Client);

/// GuardDuty answers an unknown detector id with a `BadRequestException` ("not owned by the
/// current account"): that is NotFound for the handler contract.
fn detector_error(e: ProviderError) -> ProviderError {
    let unknown_detector = e.service_code.as_deref() == Some("BadRequestException")
        && (e.message.contains("not owned by") || e.message.contains("no such resource"));
    if unknown_detector {
        ProviderError {
            code: ErrorCode::NotFound,
            ..e
        }
    } else {
        e
    }
}

#[async_trait]
impl GuardDutyApi for SdkGuardDuty {
    async fn create_detector(
        &self,
        enable: bool,
        finding_publishing_frequency: Option<String>,
        tags: BTreeMap<String, String>,
    ) -> Result<String, ProviderError> {
        let mut call = self
            .0
            .create_detector()
            .enable(enable)
            .set_finding_publishing_frequency(
                finding_publishing_frequency.map(|f| f.as_str().into()),
            );
        if !tags.is_empty() {
            call = call.set_tags(Some(tags.into_iter().collect()));
        }
        let out = call
            .send()
            .await
            .map_err(|e| sdk_error("CreateDetector", e))?;
        out.detector_id
            .ok_or_else(|| missing("CreateDetector", "DetectorId"))
    }
    async fn get_detector(&self, detector_id: &str) -> Result<DetectorInfo, ProviderError> {
        let out = self
            .0
            .get_detector()
            .detector_id(detector_id)
            .send()
            .await
            .map_err(|e| detector_error(sdk_error("GetDetector", e)))?;
        Ok(DetectorInfo {
            enabled: out.status.as_ref().map(|s| s.as_str()) == Some("ENABLED"),
            finding_publishing_frequency: out
                .finding_publishing_frequency
                .map(|f| f.as_str().to_owned()),
            tags: out.tags.unwrap_or_default().into_iter().collect(),
        })
    }
    async fn update_detector(
        &self,
        detector_id: &str,
        enable: bool,
        finding_publishing_frequency: Option<String>,
    ) -> Result<(), ProviderError> {
        self.0
            .update_detector()
            .detector_id(detector_id)
            .enable(enable)
            .set_finding_publishing_frequency(
                finding_publishing_frequency.map(|f| f.as_str().into()),
            )
            .send()
            .await
            .map(|_| ())
            .map_err(|e| detector_error(sdk_error("UpdateDetector", e)))
    }
    async fn list_detectors(&self) -> Result<Vec<String>, ProviderError> {
        let mut ids = Vec::new();
        let mut token = None;
        loop {
            let out = self
                .0
                .list_detectors()
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| sdk_error("ListDetectors", e))?;
            ids.extend(out.detector_ids.unwrap_or_default());
            token = out.next_token.filter(|t| !t.is_empty());
            if token.is_none() {
                return Ok(ids);
            }
        }
    }
    async fn delete_detector(&self, detector_id: &str) -> Result<(), ProviderError> {
        self.0
            .delete_detector()
            .detector_id(detector_id)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| detector_error(sdk_error("DeleteDetector", e)))
    }
    async fn tag_resource(
        &self,
        arn: &str,
        tags: BTreeMap<String, String>,
    ) -> Result<(), ProviderError> {
        self.0
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(tags.into_iter().collect()))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("TagResource", e))
    }
    async fn untag_resource(&self, arn: &str, keys: Vec<String>) -> Result<(), ProviderError> {
        self.0
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(keys))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("UntagResource", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_detector_is_not_found() {
        let e = ProviderError::new(
            ErrorCode::GeneralServiceException,
            "GetDetector: The request is rejected because the input detectorId is not owned by the current account.",
        )
        .with_service_code("BadRequestException");
        assert_eq!(detector_error(e).code, ErrorCode::NotFound);
        let other = ProviderError::new(ErrorCode::GeneralServiceException, "bad frequency")
            .with_service_code("BadRequestException");
        assert_eq!(
            detector_error(other).code,
            ErrorCode::GeneralServiceException
        );
    }
}
