//! This crate's errors, and the mapping of SDK failures to the handler contract's codes.

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::RequestId;
use landform_deploy::ProviderError;

/// What went wrong in `landform-aws` outside a provider call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AwsError {
    /// An AWS call failed.
    #[error("{operation} failed: {source}")]
    Call {
        /// The SDK operation (`AssumeRole`, `PutObject`).
        operation: &'static str,
        /// The failure, with the AWS error code and request id.
        #[source]
        source: Box<ProviderError>,
    },
    /// An answer lacked a field AWS always sends.
    #[error("{operation} answered without {field}: is the endpoint an AWS-compatible service?")]
    MissingField {
        /// The operation.
        operation: &'static str,
        /// The missing field.
        field: &'static str,
    },
    /// Another writer replaced the state since it was loaded.
    #[error("the state at s3://{bucket}/{key} changed since it was loaded (ETag precondition failed): another apply ran; load it again")]
    StateChanged {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
    },
    /// The state object is not valid JSON.
    #[error("s3://{bucket}/{key} is not a valid Landform state: {reason}")]
    CorruptState {
        /// The bucket.
        bucket: String,
        /// The key.
        key: String,
        /// The parse error.
        reason: String,
    },
}

impl AwsError {
    pub(crate) fn call(operation: &'static str, source: ProviderError) -> Self {
        AwsError::Call {
            operation,
            source: Box::new(source),
        }
    }
}

/// The handler code of an AWS error code.
pub(crate) use landform_deploy::ErrorCode;

/// The handler code of an AWS error code (see [`sdk_error`]).
pub(crate) fn code_of(service_code: &str, http_status: Option<u16>) -> ErrorCode {
    match service_code {
        "NoSuchBucket"
        | "NoSuchKey"
        | "NotFound"
        | "NoSuchEntity"
        | "NoSuchBucketPolicy"
        | "NoSuchPublicAccessBlockConfiguration"
        | "ServerSideEncryptionConfigurationNotFoundError"
        | "NoSuchTagSet"
        | "ResourceNotFoundException"
        | "TableNotFoundException"
        | "OrganizationalUnitNotFoundException"
        | "PolicyNotFoundException"
        | "AccountNotFoundException"
        | "TargetNotFoundException"
        | "ChildNotFoundException"
        | "ParentNotFoundException"
        | "PolicyNotAttachedException"
        | "CreateAccountStatusNotFoundException" => ErrorCode::NotFound,
        "BucketAlreadyExists"
        | "BucketAlreadyOwnedByYou"
        | "EntityAlreadyExists"
        | "ResourceInUseException"
        | "TableAlreadyExistsException"
        | "DuplicateOrganizationalUnitException"
        | "DuplicatePolicyException"
        | "DuplicatePolicyAttachmentException"
        | "DuplicateAccountException" => ErrorCode::AlreadyExists,
        "Throttling"
        | "ThrottlingException"
        | "TooManyRequestsException"
        | "SlowDown"
        | "RequestLimitExceeded"
        | "RequestThrottled"
        | "RequestThrottledException"
        | "ProvisionedThroughputExceededException" => ErrorCode::Throttling,
        "ConcurrentModificationException" | "ConcurrentModification" | "OperationAborted" => {
            ErrorCode::ConcurrentModification
        }
        "AccessDenied"
        | "AccessDeniedException"
        | "AccessDeniedForDependencyException"
        | "UnauthorizedOperation"
        | "InvalidClientTokenId"
        | "ExpiredToken" => ErrorCode::AccessDenied,
        "LimitExceeded"
        | "LimitExceededException"
        | "ConstraintViolationException"
        | "TooManyBuckets" => ErrorCode::ServiceLimitExceeded,
        "BucketNotEmpty"
        | "DeleteConflict"
        | "OrganizationalUnitNotEmptyException"
        | "PolicyInUseException"
        | "ConditionalCheckFailedException"
        | "PreconditionFailed" => ErrorCode::ResourceConflict,
        "InternalError"
        | "InternalFailure"
        | "ServiceException"
        | "ServiceUnavailable"
        | "ServiceFailure"
        | "InternalServerError" => ErrorCode::ServiceInternal,
        "ValidationError"
        | "ValidationException"
        | "InvalidInput"
        | "InvalidInputException"
        | "MalformedPolicyDocument"
        | "MalformedPolicyDocumentException"
        | "MalformedPolicy"
        | "InvalidArgument"
        | "InvalidRequest"
        | "InvalidBucketName"
        | "AWSOrganizationsNotInUseException" => ErrorCode::InvalidRequest,
        _ => match http_status {
            Some(404) => ErrorCode::NotFound,
            Some(429) => ErrorCode::Throttling,
            Some(403) => ErrorCode::AccessDenied,
            Some(s) if s >= 500 => ErrorCode::ServiceInternal,
            _ => ErrorCode::GeneralServiceException,
        },
    }
}

/// Map an SDK failure of `operation` to a [`ProviderError`], keeping the AWS error code and
/// request id.
pub(crate) fn sdk_error<E>(
    operation: &str,
    err: SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let request_id = err.request_id().map(str::to_owned);
    let status = err.raw_response().map(|r| r.status().as_u16());
    let (code, message) = match &err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            (
                e.code().map(str::to_owned),
                e.message().map(str::to_owned).unwrap_or_default(),
            )
        }
        other => (
            None,
            aws_sdk_s3::error::DisplayErrorContext(other).to_string(),
        ),
    };
    let handler = match (&err, code.as_deref()) {
        (_, Some(c)) => code_of(c, status),
        (SdkError::TimeoutError(_), None) => ErrorCode::Throttling,
        (SdkError::ServiceError(_) | SdkError::ResponseError(_), None) => code_of("", status),
        _ => ErrorCode::GeneralServiceException,
    };
    let message = if message.is_empty() {
        format!("{operation} failed")
    } else {
        format!("{operation}: {message}")
    };
    let mut out = ProviderError::new(handler, message);
    if let Some(c) = code {
        out = out.with_service_code(c);
    }
    if let Some(r) = request_id {
        out = out.with_request_id(r);
    }
    out
}

/// A missing field in an answer, as a provider error.
pub(crate) fn missing(operation: &str, field: &str) -> ProviderError {
    ProviderError::new(
        ErrorCode::ServiceInternal,
        format!("{operation} answered without {field}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_and_concurrent_modification_are_retryable() {
        for c in [
            "TooManyRequestsException",
            "ConcurrentModificationException",
            "ThrottlingException",
            "SlowDown",
        ] {
            assert!(code_of(c, Some(400)).is_retryable(), "{c}");
        }
        assert_eq!(code_of("NoSuchBucket", Some(404)), ErrorCode::NotFound);
        assert_eq!(code_of("Whatever", Some(404)), ErrorCode::NotFound);
        assert_eq!(
            code_of("EntityAlreadyExists", Some(409)),
            ErrorCode::AlreadyExists
        );
        assert!(!code_of("AccessDenied", Some(403)).is_retryable());
    }
}
