//! The DynamoDB calls the table provider makes.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, PointInTimeRecoverySpecification,
    ProvisionedThroughput, ScalarAttributeType,
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
        let out = call.send().await.map_err(|e| sdk_error("CreateTable", e))?;
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
}
