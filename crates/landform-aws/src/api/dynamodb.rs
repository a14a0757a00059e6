//! The DynamoDB calls the table provider makes.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, PointInTimeRecoverySpecification,
    ProvisionedThroughput, ScalarAttributeType, SseSpecification, SseType,
};
use landform_deploy::ProviderError;

use super::Tag;
use crate::error::{sdk_error, ErrorCode};

/// What CreateTable takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableSpec {
    /// The table name.
    pub name: String,
    /// `(attribute, HASH|RANGE)`.
    pub key_schema: Vec<(String, String)>,
    /// `(attribute, S|N|B)`.
    pub attribute_definitions: Vec<(String, String)>,
    /// `PAY_PER_REQUEST` or `PROVISIONED`.
    pub billing_mode: String,
    /// Read and write capacity, for `PROVISIONED`.
    pub provisioned: Option<(i64, i64)>,
    /// Tags.
    pub tags: Vec<Tag>,
    /// DeletionProtectionEnabled, when set.
    pub deletion_protection: Option<bool>,
    /// SSESpecification, when set.
    pub sse: Option<TableSse>,
    /// The resource-based policy document (JSON text), when set.
    pub resource_policy: Option<String>,
}

/// A table's server-side encryption, as set (SSESpecification) or described (SSEDescription).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableSse {
    /// Whether encryption with a KMS key (rather than the AWS owned key) is on; when
    /// described, `true` for `ENABLED` and `ENABLING`.
    pub enabled: bool,
    /// `KMS`, when set or reported.
    pub sse_type: Option<String>,
    /// The KMS key: as given when set, its ARN when described.
    pub kms_key: Option<String>,
}

/// What DescribeTable answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableDescription {
    /// The ARN.
    pub arn: String,
    /// `CREATING`, `ACTIVE`...
    pub status: String,
    /// `(attribute, HASH|RANGE)`.
    pub key_schema: Vec<(String, String)>,
    /// The billing mode, when reported.
    pub billing_mode: Option<String>,
    /// `(attribute, S|N|B)`.
    pub attribute_definitions: Vec<(String, String)>,
    /// Whether deletion protection is on, when reported.
    pub deletion_protection: Option<bool>,
    /// The SSEDescription, `None` when the table uses the AWS owned key.
    pub sse: Option<TableSse>,
}

/// The DynamoDB calls of the table provider.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait DynamoDbApi: Send + Sync {
    /// CreateTable: the ARN.
    async fn create_table(&self, spec: &TableSpec) -> Result<String, ProviderError>;
    /// DescribeTable.
    async fn describe_table(&self, name: &str) -> Result<TableDescription, ProviderError>;
    /// DeleteTable.
    async fn delete_table(&self, name: &str) -> Result<(), ProviderError>;
    /// UpdateContinuousBackups (point-in-time recovery on or off).
    async fn update_continuous_backups(
        &self,
        name: &str,
        enabled: bool,
    ) -> Result<(), ProviderError>;
    /// DescribeContinuousBackups: whether point-in-time recovery is on.
    async fn describe_continuous_backups(&self, name: &str) -> Result<bool, ProviderError>;
    /// UpdateTable with only DeletionProtectionEnabled.
    async fn update_deletion_protection(
        &self,
        name: &str,
        enabled: bool,
    ) -> Result<(), ProviderError>;
    /// UpdateTable with only SSESpecification.
    async fn update_sse(&self, name: &str, sse: &TableSse) -> Result<(), ProviderError>;
    /// GetResourcePolicy: the policy text, `None` when the table has none.
    async fn get_resource_policy(&self, arn: &str) -> Result<Option<String>, ProviderError>;
    /// PutResourcePolicy.
    async fn put_resource_policy(&self, arn: &str, policy: &str) -> Result<(), ProviderError>;
    /// DeleteResourcePolicy.
    async fn delete_resource_policy(&self, arn: &str) -> Result<(), ProviderError>;
}

fn sse_specification(sse: &TableSse) -> SseSpecification {
    SseSpecification::builder()
        .enabled(sse.enabled)
        .set_sse_type(sse.sse_type.as_deref().map(SseType::from))
        .set_kms_master_key_id(sse.kms_key.clone())
        .build()
}

/// [`DynamoDbApi`] over the SDK.
#[derive(Debug, Clone)]
pub struct SdkDynamoDb(pub(crate) aws_sdk_dynamodb::Client);

fn build<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, ProviderError> {
    r.map_err(|e| ProviderError::new(ErrorCode::InvalidRequest, e.to_string()))
}

#[async_trait]
impl DynamoDbApi for SdkDynamoDb {
    async fn create_table(&self, spec: &TableSpec) -> Result<String, ProviderError> {
        let mut call = self
            .0
            .create_table()
            .table_name(&spec.name)
            .billing_mode(BillingMode::from(spec.billing_mode.as_str()));
        for (name, key_type) in &spec.key_schema {
            call = call.key_schema(build(
                KeySchemaElement::builder()
                    .attribute_name(name)
                    .key_type(KeyType::from(key_type.as_str()))
                    .build(),
            )?);
        }
        for (name, t) in &spec.attribute_definitions {
            call = call.attribute_definitions(build(
                AttributeDefinition::builder()
                    .attribute_name(name)
                    .attribute_type(ScalarAttributeType::from(t.as_str()))
                    .build(),
            )?);
        }
        if let Some((r, w)) = spec.provisioned {
            call = call.provisioned_throughput(build(
                ProvisionedThroughput::builder()
                    .read_capacity_units(r)
                    .write_capacity_units(w)
                    .build(),
            )?);
        }
        for (k, v) in &spec.tags {
            call = call.tags(build(
                aws_sdk_dynamodb::types::Tag::builder()
                    .key(k)
                    .value(v)
                    .build(),
            )?);
        }
        if let Some(sse) = &spec.sse {
            call = call.sse_specification(sse_specification(sse));
        }
        let out = call
            .set_deletion_protection_enabled(spec.deletion_protection)
            .set_resource_policy(spec.resource_policy.clone())
            .send()
            .await
            .map_err(|e| sdk_error("CreateTable", e))?;
        out.table_description
            .and_then(|d| d.table_arn)
            .ok_or_else(|| crate::error::missing("CreateTable", "TableArn"))
    }
    async fn describe_table(&self, name: &str) -> Result<TableDescription, ProviderError> {
        let out = self
            .0
            .describe_table()
            .table_name(name)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeTable", e))?;
        let t = out
            .table
            .ok_or_else(|| crate::error::missing("DescribeTable", "Table"))?;
        Ok(TableDescription {
            arn: t.table_arn.unwrap_or_default(),
            status: t
                .table_status
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            key_schema: t
                .key_schema
                .unwrap_or_default()
                .into_iter()
                .map(|k| (k.attribute_name, k.key_type.as_str().to_owned()))
                .collect(),
            billing_mode: t
                .billing_mode_summary
                .and_then(|b| b.billing_mode)
                .map(|b| b.as_str().to_owned()),
            attribute_definitions: t
                .attribute_definitions
                .unwrap_or_default()
                .into_iter()
                .map(|a| (a.attribute_name, a.attribute_type.as_str().to_owned()))
                .collect(),
            deletion_protection: t.deletion_protection_enabled,
            sse: t.sse_description.map(|d| TableSse {
                enabled: matches!(
                    d.status.as_ref().map(|s| s.as_str()),
                    Some("ENABLED" | "ENABLING")
                ),
                sse_type: d.sse_type.map(|t| t.as_str().to_owned()),
                kms_key: d.kms_master_key_arn,
            }),
        })
    }
    async fn delete_table(&self, name: &str) -> Result<(), ProviderError> {
        self.0
            .delete_table()
            .table_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("DeleteTable", e))
    }
    async fn update_continuous_backups(
        &self,
        name: &str,
        enabled: bool,
    ) -> Result<(), ProviderError> {
        self.0
            .update_continuous_backups()
            .table_name(name)
            .point_in_time_recovery_specification(build(
                PointInTimeRecoverySpecification::builder()
                    .point_in_time_recovery_enabled(enabled)
                    .build(),
            )?)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("UpdateContinuousBackups", e))
    }
    async fn describe_continuous_backups(&self, name: &str) -> Result<bool, ProviderError> {
        let out = self
            .0
            .describe_continuous_backups()
            .table_name(name)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeContinuousBackups", e))?;
        Ok(out
            .continuous_backups_description
            .and_then(|d| d.point_in_time_recovery_description)
            .and_then(|p| p.point_in_time_recovery_status)
            .map(|s| s.as_str() == "ENABLED")
            .unwrap_or(false))
    }
    async fn update_deletion_protection(
        &self,
        name: &str,
        enabled: bool,
    ) -> Result<(), ProviderError> {
        self.0
            .update_table()
            .table_name(name)
            .deletion_protection_enabled(enabled)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("UpdateTable", e))
    }
    async fn update_sse(&self, name: &str, sse: &TableSse) -> Result<(), ProviderError> {
        self.0
            .update_table()
            .table_name(name)
            .sse_specification(sse_specification(sse))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("UpdateTable", e))
    }
    async fn get_resource_policy(&self, arn: &str) -> Result<Option<String>, ProviderError> {
        match self
            .0
            .get_resource_policy()
            .resource_arn(arn)
            .send()
            .await
            .map_err(|e| sdk_error("GetResourcePolicy", e))
        {
            Ok(out) => Ok(out.policy),
            Err(e) if e.service_code.as_deref() == Some("PolicyNotFoundException") => Ok(None),
            Err(e) => Err(e),
        }
    }
    async fn put_resource_policy(&self, arn: &str, policy: &str) -> Result<(), ProviderError> {
        self.0
            .put_resource_policy()
            .resource_arn(arn)
            .policy(policy)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("PutResourcePolicy", e))
    }
    async fn delete_resource_policy(&self, arn: &str) -> Result<(), ProviderError> {
        self.0
            .delete_resource_policy()
            .resource_arn(arn)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| sdk_error("DeleteResourcePolicy", e))
    }
}
