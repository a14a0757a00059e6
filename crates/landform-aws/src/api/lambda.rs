//! The Lambda functions calls the providers make.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Architecture, Environment, FunctionCode, LoggingConfig, Runtime};
use landform_deploy::ProviderError;

use super::kms::with_codes;
use super::Tag;
use crate::error::{missing, sdk_error, ErrorCode};

/// A function's configuration: what CreateFunction and UpdateFunctionConfiguration take.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunctionSpec {
    /// The function name.
    pub name: String,
    /// The execution role ARN.
    pub role: String,
    /// The handler (`index.handler`).
    pub handler: String,
    /// The runtime (`python3.13`).
    pub runtime: String,
    /// The timeout in seconds.
    pub timeout: Option<i32>,
    /// The memory in MB.
    pub memory_size: Option<i32>,
    /// The description.
    pub description: Option<String>,
    /// The environment variables.
    pub environment: BTreeMap<String, String>,
    /// `x86_64` or `arm64` (empty for Lambda's default).
    pub architectures: Vec<String>,
    /// The log group the function writes to (`None` for `/aws/lambda/<name>`).
    pub log_group: Option<String>,
}

/// A function as GetFunction answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunctionInfo {
    /// Its configuration.
    pub spec: FunctionSpec,
    /// The ARN.
    pub arn: String,
    /// Base64 of the SHA-256 of the deployment package.
    pub code_sha256: String,
    /// `Pending`, `Active`, `Failed`...
    pub state: Option<String>,
    /// `InProgress`, `Successful`, `Failed`.
    pub last_update_status: Option<String>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// The Lambda functions calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait LambdaApi: Send + Sync {
    /// CreateFunction from a zip archive: the ARN.
    async fn create_function(
        &self,
        spec: &FunctionSpec,
        zip: Vec<u8>,
        tags: Vec<Tag>,
    ) -> Result<String, ProviderError>;
    /// GetFunction.
    async fn get_function(&self, name: &str) -> Result<FunctionInfo, ProviderError>;
    /// UpdateFunctionCode from a zip archive (with the architectures, which it also sets).
    async fn update_function_code(
        &self,
        name: &str,
        zip: Vec<u8>,
        architectures: Vec<String>,
    ) -> Result<(), ProviderError>;
    /// UpdateFunctionConfiguration.
    async fn update_function_configuration(&self, spec: &FunctionSpec)
        -> Result<(), ProviderError>;
    /// DeleteFunction.
    async fn delete_function(&self, name: &str) -> Result<(), ProviderError>;
}

/// [`LambdaApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkLambda(pub aws_sdk_lambda::Client);

fn lambda_error<E>(
    operation: &str,
    err: aws_sdk_lambda::error::SdkError<E, aws_sdk_lambda::config::http::HttpResponse>,
) -> ProviderError
where
    E: aws_sdk_lambda::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    // Lambda answers ResourceConflictException both for "exists" (CreateFunction) and for
    // "an update is in progress" (the others).
    let conflict = if operation == "CreateFunction" {
        ErrorCode::AlreadyExists
    } else {
        ErrorCode::ConcurrentModification
    };
    with_codes(
        sdk_error(operation, err),
        &[
            ("ResourceConflictException", conflict),
            ("InvalidParameterValueException", ErrorCode::InvalidRequest),
            (
                "CodeStorageExceededException",
                ErrorCode::ServiceLimitExceeded,
            ),
        ],
    )
}

fn environment(spec: &FunctionSpec) -> Environment {
    Environment::builder()
        .set_variables(Some(
            spec.environment
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ))
        .build()
}

fn logging(spec: &FunctionSpec) -> Option<LoggingConfig> {
    spec.log_group
        .as_ref()
        .map(|g| LoggingConfig::builder().log_group(g).build())
}

#[async_trait]
impl LambdaApi for SdkLambda {
    async fn create_function(
        &self,
        spec: &FunctionSpec,
        zip: Vec<u8>,
        tags: Vec<Tag>,
    ) -> Result<String, ProviderError> {
        let out = self
            .0
            .create_function()
            .function_name(&spec.name)
            .role(&spec.role)
            .handler(&spec.handler)
            .runtime(Runtime::from(spec.runtime.as_str()))
            .set_timeout(spec.timeout)
            .set_memory_size(spec.memory_size)
            .set_description(spec.description.clone())
            .environment(environment(spec))
            .set_architectures(
                Some(
                    spec.architectures
                        .iter()
                        .map(|a| Architecture::from(a.as_str()))
                        .collect::<Vec<_>>(),
                )
                .filter(|a| !a.is_empty()),
            )
            .set_logging_config(logging(spec))
            .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
            .set_tags((!tags.is_empty()).then(|| tags.into_iter().collect()))
            .send()
            .await
            .map_err(|e| lambda_error("CreateFunction", e))?;
        out.function_arn
            .ok_or_else(|| missing("CreateFunction", "FunctionArn"))
    }
    async fn get_function(&self, name: &str) -> Result<FunctionInfo, ProviderError> {
        let out = self
            .0
            .get_function()
            .function_name(name)
            .send()
            .await
            .map_err(|e| lambda_error("GetFunction", e))?;
        let c = out
            .configuration
            .ok_or_else(|| missing("GetFunction", "Configuration"))?;
        let mut tags: Vec<Tag> = out.tags.unwrap_or_default().into_iter().collect();
        tags.sort();
        Ok(FunctionInfo {
            spec: FunctionSpec {
                name: c.function_name.unwrap_or_else(|| name.to_owned()),
                role: c.role.unwrap_or_default(),
                handler: c.handler.unwrap_or_default(),
                runtime: c.runtime.map(|r| r.as_str().to_owned()).unwrap_or_default(),
                timeout: c.timeout,
                memory_size: c.memory_size,
                description: c.description,
                environment: c
                    .environment
                    .and_then(|e| e.variables)
                    .unwrap_or_default()
                    .into_iter()
                    .collect(),
                architectures: c
                    .architectures
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| a.as_str().to_owned())
                    .collect(),
                log_group: c.logging_config.and_then(|l| l.log_group),
            },
            arn: c
                .function_arn
                .ok_or_else(|| missing("GetFunction", "FunctionArn"))?,
            code_sha256: c.code_sha256.unwrap_or_default(),
            state: c.state.map(|s| s.as_str().to_owned()),
            last_update_status: c.last_update_status.map(|s| s.as_str().to_owned()),
            tags,
        })
    }
    async fn update_function_code(
        &self,
        name: &str,
        zip: Vec<u8>,
        architectures: Vec<String>,
    ) -> Result<(), ProviderError> {
        self.0
            .update_function_code()
            .function_name(name)
            .zip_file(Blob::new(zip))
            .set_architectures(
                Some(
                    architectures
                        .iter()
                        .map(|a| Architecture::from(a.as_str()))
                        .collect::<Vec<_>>(),
                )
                .filter(|a| !a.is_empty()),
            )
            .send()
            .await
            .map(|_| ())
            .map_err(|e| lambda_error("UpdateFunctionCode", e))
    }
    async fn update_function_configuration(
        &self,
        spec: &FunctionSpec,
    ) -> Result<(), ProviderError> {
        self.0
            .update_function_configuration()
            .function_name(&spec.name)
            .role(&spec.role)
            .handler(&spec.handler)
            .runtime(Runtime::from(spec.runtime.as_str()))
            .set_timeout(spec.timeout)
            .set_memory_size(spec.memory_size)
            .description(spec.description.clone().unwrap_or_default())
            .environment(environment(spec))
            .set_logging_config(logging(spec))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| lambda_error("UpdateFunctionConfiguration", e))
    }
    async fn delete_function(&self, name: &str) -> Result<(), ProviderError> {
        self.0
            .delete_function()
            .function_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| lambda_error("DeleteFunction", e))
    }
}
