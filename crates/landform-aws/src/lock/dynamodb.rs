//! A lock in a DynamoDB table, taken and released with conditional writes.

use std::collections::HashMap;
use std::path::PathBuf;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use landform_deploy::{DeployError, Lock, LockInfo};

use crate::error::{sdk_error, AwsError};
use crate::sessions::AwsSessions;

/// A lock as one item of a DynamoDB table whose partition key is `LockID` (string), the
/// table the Terraform S3 backend uses.
///
/// Acquire is a `PutItem` with `attribute_not_exists(LockID)`: exactly one of two racing
/// holders wins; the other gets [`DeployError::Locked`] naming the winner (`Holder`,
/// `Host`, `Pid`, `Since`). Release is a `DeleteItem` conditional on `Holder` being the
/// caller, so nobody removes a lock they do not hold.
pub struct DynamoDbLock {
    client: aws_sdk_dynamodb::Client,
    table: String,
    lock_id: String,
}

impl std::fmt::Debug for DynamoDbLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamoDbLock")
            .field("table", &self.table)
            .field("lock_id", &self.lock_id)
            .finish()
    }
}

const KEY: &str = "LockID";

fn s(item: &HashMap<String, AttributeValue>, name: &str) -> String {
    match item.get(name) {
        Some(AttributeValue::S(v)) => v.clone(),
        Some(AttributeValue::N(v)) => v.clone(),
        _ => "unknown".to_owned(),
    }
}

impl DynamoDbLock {
    /// The lock `lock_id` in `table` (which must exist), reached with the sessions'
    /// credentials for `account` in `region`.
    pub async fn new(
        sessions: &AwsSessions,
        account: &str,
        region: &str,
        table: impl Into<String>,
        lock_id: impl Into<String>,
    ) -> Result<Self, AwsError> {
        let config = sessions.sdk_config(account, region).await?;
        Ok(DynamoDbLock {
            client: aws_sdk_dynamodb::Client::new(&config),
            table: table.into(),
            lock_id: lock_id.into(),
        })
    }

    fn error(&self, e: AwsError) -> DeployError {
        DeployError::Io {
            path: PathBuf::from(format!("dynamodb://{}/{}", self.table, self.lock_id)),
            source: std::io::Error::other(e),
        }
    }

    fn key(&self) -> AttributeValue {
        AttributeValue::S(self.lock_id.clone())
    }

    /// The current holder, or a placeholder when the item vanished meanwhile.
    async fn locked_error(&self) -> DeployError {
        match self.holder().await {
            Ok(info) => super::locked(info),
            Err(e) => e,
        }
    }
}

#[async_trait]
impl Lock for DynamoDbLock {
    async fn acquire(&self, holder: &str) -> Result<LockInfo, DeployError> {
        let info = LockInfo::here(holder);
        let out = self
            .client
            .put_item()
            .table_name(&self.table)
            .item(KEY, self.key())
            .item("Holder", AttributeValue::S(info.holder.clone()))
            .item("Host", AttributeValue::S(info.host.clone()))
            .item("Pid", AttributeValue::N(info.pid.to_string()))
            .item("Since", AttributeValue::S(info.acquired_at.clone()))
            .condition_expression("attribute_not_exists(#k)")
            .expression_attribute_names("#k", KEY)
            .send()
            .await;
        match out {
            Ok(_) => Ok(info),
            Err(e) => {
                let e = sdk_error("PutItem", e);
                if e.service_code.as_deref() == Some("ConditionalCheckFailedException") {
                    return Err(self.locked_error().await);
                }
                Err(self.error(AwsError::call("PutItem", e)))
            }
        }
    }

    async fn release(&self, holder: &str) -> Result<(), DeployError> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(KEY, self.key())
            .condition_expression("attribute_not_exists(#k) OR #h = :h")
            .expression_attribute_names("#k", KEY)
            .expression_attribute_names("#h", "Holder")
            .expression_attribute_values(":h", AttributeValue::S(holder.to_owned()))
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            Err(e) => {
                let e = sdk_error("DeleteItem", e);
                if e.service_code.as_deref() == Some("ConditionalCheckFailedException") {
                    return Err(self.locked_error().await);
                }
                Err(self.error(AwsError::call("DeleteItem", e)))
            }
        }
    }

    async fn holder(&self) -> Result<Option<LockInfo>, DeployError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(KEY, self.key())
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.error(AwsError::call("GetItem", sdk_error("GetItem", e))))?;
        Ok(out.item.map(|item| LockInfo {
            holder: s(&item, "Holder"),
            host: s(&item, "Host"),
            pid: s(&item, "Pid").parse().unwrap_or(0),
            acquired_at: s(&item, "Since"),
        }))
    }
}
