//! AWS::DynamoDB::Table, with point-in-time recovery through UpdateContinuousBackups.

use std::collections::BTreeMap;
use std::time::Duration;

use landform_deploy::{CreateRequest, ProviderError, ResourceState, UpdateRequest};
use serde_json::{json, Value as Json};

use super::{boolean, integer, name_of, string, tags};
use crate::api::{DynamoDbApi, TableSpec};
use crate::error::ErrorCode;

fn pairs(props: &Json, key: &str, a: &str, b: &str) -> Vec<(String, String)> {
    props
        .get(key)
        .and_then(Json::as_array)
        .map(|v| {
            v.iter()
                .filter_map(|e| Some((string(e, a)?, string(e, b)?)))
                .collect()
        })
        .unwrap_or_default()
}

fn pitr(props: &Json) -> Option<bool> {
    boolean(
        props
            .get("PointInTimeRecoverySpecification")
            .and_then(|p| p.get("PointInTimeRecoveryEnabled")),
    )
}

fn attributes(arn: &str) -> BTreeMap<String, Json> {
    [("Arn".to_owned(), json!(arn))].into_iter().collect()
}

/// Wait for the table to be ACTIVE: UpdateContinuousBackups is refused while it is
/// CREATING. AWS takes seconds; moto is active at once, so no wait happens there.
async fn wait_active(dynamodb: &dyn DynamoDbApi, name: &str) -> Result<(), ProviderError> {
    for _ in 0..120 {
        if dynamodb.describe_table(name).await?.status == "ACTIVE" {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Err(ProviderError::new(
        ErrorCode::ServiceInternal,
        format!("table {name} did not become ACTIVE within two minutes"),
    ))
}

pub(super) async fn create(
    dynamodb: &dyn DynamoDbApi,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    let name = name_of(request);
    let throughput = p.get("ProvisionedThroughput");
    let provisioned = throughput.and_then(|t| {
        Some((
            integer(t.get("ReadCapacityUnits"))?,
            integer(t.get("WriteCapacityUnits"))?,
        ))
    });
    let billing_mode = string(p, "BillingMode").unwrap_or_else(|| {
        if provisioned.is_some() {
            "PROVISIONED".to_owned()
        } else {
            "PAY_PER_REQUEST".to_owned()
        }
    });
    let spec = TableSpec {
        name: name.clone(),
        key_schema: pairs(p, "KeySchema", "AttributeName", "KeyType"),
        attribute_definitions: pairs(p, "AttributeDefinitions", "AttributeName", "AttributeType"),
        billing_mode,
        provisioned,
        tags: tags(p),
    };
    let arn = dynamodb.create_table(&spec).await?;
    if pitr(p) == Some(true) {
        wait_active(dynamodb, &name).await?;
        dynamodb.update_continuous_backups(&name, true).await?;
    }
    Ok(ResourceState::ready(name, attributes(&arn), p.clone()))
}

pub(super) async fn read(
    dynamodb: &dyn DynamoDbApi,
    name: &str,
) -> Result<ResourceState, ProviderError> {
    let table = dynamodb.describe_table(name).await?;
    let pitr = dynamodb.describe_continuous_backups(name).await?;
    let mut props = serde_json::Map::new();
    props.insert("TableName".into(), json!(name));
    props.insert(
        "KeySchema".into(),
        Json::Array(
            table
                .key_schema
                .iter()
                .map(|(a, k)| json!({"AttributeName": a, "KeyType": k}))
                .collect(),
        ),
    );
    if let Some(b) = &table.billing_mode {
        props.insert("BillingMode".into(), json!(b));
    }
    props.insert(
        "PointInTimeRecoverySpecification".into(),
        json!({ "PointInTimeRecoveryEnabled": pitr }),
    );
    Ok(ResourceState::ready(
        name,
        attributes(&table.arn),
        Json::Object(props),
    ))
}

pub(super) async fn update(
    dynamodb: &dyn DynamoDbApi,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    let (prev, next) = (&request.previous, &request.properties);
    // Only point-in-time recovery is changed in place so far; refuse anything else rather
    // than report a change that was not made.
    let others = |p: &Json| {
        let mut p = p.clone();
        if let Some(o) = p.as_object_mut() {
            o.remove("PointInTimeRecoverySpecification");
        }
        p
    };
    if others(prev) != others(next) {
        return Err(ProviderError::new(
            ErrorCode::NotUpdatable,
            format!(
                "table {}: only PointInTimeRecoverySpecification can be changed in place by this provider",
                request.physical_id
            ),
        ));
    }
    if pitr(prev).unwrap_or(false) != pitr(next).unwrap_or(false) {
        dynamodb
            .update_continuous_backups(&request.physical_id, pitr(next).unwrap_or(false))
            .await?;
    }
    let table = dynamodb.describe_table(&request.physical_id).await?;
    Ok(ResourceState::ready(
        request.physical_id.clone(),
        attributes(&table.arn),
        next.clone(),
    ))
}
