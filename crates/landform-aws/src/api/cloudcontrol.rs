//! The AWS Cloud Control API calls of the generic handler: create, read, update (by JSON
//! Patch) and delete any resource type by its CloudFormation name, and the status of a
//! request still running.

use async_trait::async_trait;
use landform_deploy::ProviderError;
use serde_json::Value as Json;

use super::kms::with_codes;
use crate::error::{sdk_error, ErrorCode};

/// Where a resource operation request stands (Cloud Control's `OperationStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    /// Not started yet.
    Pending,
    /// Running.
    InProgress,
    /// Done.
    Success,
    /// Failed: see [`ProgressEvent::error_code`].
    Failed,
    /// Being cancelled, or cancelled.
    Cancelled,
}

/// A resource operation request's progress (Cloud Control's `ProgressEvent`).
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressEvent {
    /// Where it stands.
    pub status: RequestStatus,
    /// The token to ask about it again.
    pub request_token: String,
    /// The resource's primary identifier, once known.
    pub identifier: Option<String>,
    /// For a failed request, the handler error code (`NotUpdatable`, `AlreadyExists`...).
    pub error_code: Option<String>,
    /// The handler's message.
    pub status_message: Option<String>,
    /// How long to wait before asking again, when Cloud Control says.
    pub retry_after_ms: Option<u64>,
}

impl ProgressEvent {
    /// The failure as a handler-contract error, keeping Cloud Control's code.
    pub fn error(&self, type_name: &str) -> ProviderError {
        let code = self
            .error_code
            .as_deref()
            .unwrap_or("GeneralServiceException");
        let message = self
            .status_message
            .clone()
            .unwrap_or_else(|| format!("the Cloud Control request for {type_name} failed"));
        ProviderError::new(handler_code(code), message)
            .with_service_code(code)
            .with_request_id(self.request_token.clone())
    }
}

/// Cloud Control's handler error codes as the handler contract's.
pub fn handler_code(code: &str) -> ErrorCode {
    match code {
        "NotFound" => ErrorCode::NotFound,
        "AlreadyExists" => ErrorCode::AlreadyExists,
        "NotUpdatable" => ErrorCode::NotUpdatable,
        "Throttling" => ErrorCode::Throttling,
        "ResourceConflict" => ErrorCode::ResourceConflict,
        "InvalidRequest" | "InvalidCredentials" | "UnsupportedTarget" => ErrorCode::InvalidRequest,
        "AccessDenied" | "UnauthorizedTaggingOperation" => ErrorCode::AccessDenied,
        "ServiceLimitExceeded" => ErrorCode::ServiceLimitExceeded,
        "ServiceInternalError" | "InternalFailure" | "HandlerInternalFailure" => {
            ErrorCode::ServiceInternal
        }
        _ => ErrorCode::GeneralServiceException,
    }
}

/// The Cloud Control API calls of the generic handler.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait CloudControlApi: Send + Sync {
    /// CreateResource with the desired state; `client_token` makes a retry the same request.
    async fn create_resource(
        &self,
        type_name: &str,
        desired_state: &Json,
        client_token: &str,
    ) -> Result<ProgressEvent, ProviderError>;
    /// GetResource: the resource's identifier and properties (`NotFound` when it is gone).
    async fn get_resource(
        &self,
        type_name: &str,
        identifier: &str,
    ) -> Result<(String, Json), ProviderError>;
    /// UpdateResource with an RFC 6902 JSON Patch of the properties.
    async fn update_resource(
        &self,
        type_name: &str,
        identifier: &str,
        patch: &Json,
        client_token: &str,
    ) -> Result<ProgressEvent, ProviderError>;
    /// DeleteResource.
    async fn delete_resource(
        &self,
        type_name: &str,
        identifier: &str,
        client_token: &str,
    ) -> Result<ProgressEvent, ProviderError>;
    /// GetResourceRequestStatus.
    async fn request_status(&self, request_token: &str) -> Result<ProgressEvent, ProviderError>;
}

/// [`CloudControlApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkCloudControl(pub aws_sdk_cloudcontrol::Client);

fn cloudcontrol_error<E>(
    operation: &str,
    err: aws_sdk_cloudcontrol::error::SdkError<E, aws_sdk_cloudcontrol::config::http::HttpResponse>,
) -> ProviderError
where
    E: aws_sdk_cloudcontrol::error::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    with_codes(
        sdk_error(operation, err),
        &[
            ("ResourceNotFoundException", ErrorCode::NotFound),
            ("AlreadyExistsException", ErrorCode::AlreadyExists),
            ("NotUpdatableException", ErrorCode::NotUpdatable),
            ("ThrottlingException", ErrorCode::Throttling),
            (
                "ConcurrentOperationException",
                ErrorCode::ConcurrentModification,
            ),
            ("ResourceConflictException", ErrorCode::ResourceConflict),
            ("ClientTokenConflictException", ErrorCode::ResourceConflict),
            ("InvalidRequestException", ErrorCode::InvalidRequest),
            ("UnsupportedActionException", ErrorCode::InvalidRequest),
            ("TypeNotFoundException", ErrorCode::InvalidRequest),
            (
                "ServiceLimitExceededException",
                ErrorCode::ServiceLimitExceeded,
            ),
        ],
    )
}

fn progress(event: Option<aws_sdk_cloudcontrol::types::ProgressEvent>) -> ProgressEvent {
    use aws_sdk_cloudcontrol::types::OperationStatus;
    let event =
        event.unwrap_or_else(|| aws_sdk_cloudcontrol::types::ProgressEvent::builder().build());
    let status = match event.operation_status() {
        Some(OperationStatus::Success) => RequestStatus::Success,
        Some(OperationStatus::Failed) => RequestStatus::Failed,
        Some(OperationStatus::InProgress) => RequestStatus::InProgress,
        Some(OperationStatus::CancelInProgress | OperationStatus::CancelComplete) => {
            RequestStatus::Cancelled
        }
        _ => RequestStatus::Pending,
    };
    let retry_after_ms = event.retry_after().and_then(|at| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_millis() as i64;
        let at = at.to_millis().ok()?;
        Some((at - now).max(0) as u64)
    });
    ProgressEvent {
        status,
        request_token: event.request_token().unwrap_or_default().to_owned(),
        identifier: event.identifier().map(str::to_owned),
        error_code: event.error_code().map(|c| c.as_str().to_owned()),
        status_message: event.status_message().map(str::to_owned),
        retry_after_ms,
    }
}

#[async_trait]
impl CloudControlApi for SdkCloudControl {
    async fn create_resource(
        &self,
        type_name: &str,
        desired_state: &Json,
        client_token: &str,
    ) -> Result<ProgressEvent, ProviderError> {
        self.0
            .create_resource()
            .type_name(type_name)
            .desired_state(desired_state.to_string())
            .client_token(client_token)
            .send()
            .await
            .map(|out| progress(out.progress_event))
            .map_err(|e| cloudcontrol_error("CreateResource", e))
    }
    async fn get_resource(
        &self,
        type_name: &str,
        identifier: &str,
    ) -> Result<(String, Json), ProviderError> {
        let out = self
            .0
            .get_resource()
            .type_name(type_name)
            .identifier(identifier)
            .send()
            .await
            .map_err(|e| cloudcontrol_error("GetResource", e))?;
        let description = out
            .resource_description
            .unwrap_or_else(|| aws_sdk_cloudcontrol::types::ResourceDescription::builder().build());
        let properties = description
            .properties()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| {
                ProviderError::new(
                    ErrorCode::GeneralServiceException,
                    format!("GetResource returned properties that are not JSON: {e}"),
                )
            })?
            .unwrap_or(Json::Object(Default::default()));
        let identifier = description.identifier().unwrap_or(identifier).to_owned();
        Ok((identifier, properties))
    }
    async fn update_resource(
        &self,
        type_name: &str,
        identifier: &str,
        patch: &Json,
        client_token: &str,
    ) -> Result<ProgressEvent, ProviderError> {
        self.0
            .update_resource()
            .type_name(type_name)
            .identifier(identifier)
            .patch_document(patch.to_string())
            .client_token(client_token)
            .send()
            .await
            .map(|out| progress(out.progress_event))
            .map_err(|e| cloudcontrol_error("UpdateResource", e))
    }
    async fn delete_resource(
        &self,
        type_name: &str,
        identifier: &str,
        client_token: &str,
    ) -> Result<ProgressEvent, ProviderError> {
        self.0
            .delete_resource()
            .type_name(type_name)
            .identifier(identifier)
            .client_token(client_token)
            .send()
            .await
            .map(|out| progress(out.progress_event))
            .map_err(|e| cloudcontrol_error("DeleteResource", e))
    }
    async fn request_status(&self, request_token: &str) -> Result<ProgressEvent, ProviderError> {
        self.0
            .get_resource_request_status()
            .request_token(request_token)
            .send()
            .await
            .map(|out| progress(out.progress_event))
            .map_err(|e| cloudcontrol_error("GetResourceRequestStatus", e))
    }
}
