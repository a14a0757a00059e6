//! AWS::DynamoDB::Table: key schema, attributes, billing, tags, deletion protection,
//! server-side encryption and the resource-based policy at CreateTable, point-in-time
//! recovery through UpdateContinuousBackups. Any other property is refused rather than
//! ignored.

use std::collections::BTreeMap;
use std::time::Duration;

use landform_deploy::{CreateRequest, ProviderError, ResourceState, UpdateRequest};
use serde_json::{json, Value as Json};

use super::guardduty::refuse_unsupported;
use super::{boolean, document, document_value, integer, name_of, string, tags};
use crate::api::{DynamoDbApi, TableSpec, TableSse};
use crate::error::ErrorCode;

const TABLE: &str = "AWS::DynamoDB::Table";

/// The table properties this provider applies.
const TABLE_PROPERTIES: &[&str] = &[
    "TableName",
    "KeySchema",
    "AttributeDefinitions",
    "BillingMode",
    "ProvisionedThroughput",
    "PointInTimeRecoverySpecification",
    "DeletionProtectionEnabled",
    "SSESpecification",
    "ResourcePolicy",
    "Tags",
];

/// The properties changed in place by [`update`]; any other change is refused.
const IN_PLACE: &[&str] = &[
    "PointInTimeRecoverySpecification",
    "DeletionProtectionEnabled",
    "SSESpecification",
    "ResourcePolicy",
];

/// Refuse what this provider would otherwise silently not apply.
fn check(props: &Json) -> Result<(), ProviderError> {
    refuse_unsupported(TABLE, props, TABLE_PROPERTIES)?;
    if let Some(sse) = props.get("SSESpecification") {
        refuse_unsupported(
            "AWS::DynamoDB::Table SSESpecification",
            sse,
            &["SSEEnabled", "SSEType", "KMSMasterKeyId"],
        )?;
    }
    if let Some(policy) = props.get("ResourcePolicy") {
        refuse_unsupported(
            "AWS::DynamoDB::Table ResourcePolicy",
            policy,
            &["PolicyDocument"],
        )?;
    }
    Ok(())
}

fn deletion_protection(props: &Json) -> Option<bool> {
    boolean(props.get("DeletionProtectionEnabled"))
}

/// SSESpecification as the API takes it.
fn sse(props: &Json) -> Option<TableSse> {
    let s = props.get("SSESpecification")?;
    Some(TableSse {
        enabled: boolean(s.get("SSEEnabled")).unwrap_or(false),
        sse_type: string(s, "SSEType"),
        kms_key: string(s, "KMSMasterKeyId"),
    })
}

/// The resource-based policy document as JSON text.
fn policy(props: &Json) -> Option<String> {
    document(props.get("ResourcePolicy")?, "PolicyDocument")
}

/// Whether the recorded KMSMasterKeyId (an ARN or a key id) names the key of `arn`.
fn same_key(recorded: &str, arn: &str) -> bool {
    recorded == arn || arn.ends_with(&format!(":key/{recorded}"))
}

/// SSEDescription read back in SSESpecification's shape, following the recorded one: the
/// key as recorded when it names the described key, SSEType and KMSMasterKeyId left out
/// when the record leaves them out (the defaults: KMS and the AWS managed key).
fn sse_json(described: Option<&TableSse>, recorded: Option<&Json>) -> Json {
    let Some(d) = described.filter(|d| d.enabled) else {
        return json!({ "SSEEnabled": false });
    };
    let mut out = serde_json::Map::new();
    out.insert("SSEEnabled".into(), json!(true));
    let recorded_key = recorded.and_then(|r| string(r, "KMSMasterKeyId"));
    if let Some(t) = &d.sse_type {
        if !matches!(recorded, Some(r) if r.get("SSEType").is_none()) {
            out.insert("SSEType".into(), json!(t));
        }
    }
    match (&d.kms_key, recorded_key) {
        (Some(arn), Some(r)) if same_key(&r, arn) => {
            out.insert("KMSMasterKeyId".into(), json!(r));
        }
        (Some(arn), Some(_)) => {
            out.insert("KMSMasterKeyId".into(), json!(arn));
        }
        (Some(arn), None) if recorded.is_none() => {
            out.insert("KMSMasterKeyId".into(), json!(arn));
        }
        _ => {}
    }
    Json::Object(out)
}

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
    check(p)?;
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
        deletion_protection: deletion_protection(p),
        sse: sse(p),
        resource_policy: policy(p),
    };
    let arn = dynamodb.create_table(&spec).await?;
    if pitr(p) == Some(true) {
        wait_active(dynamodb, &name).await?;
        dynamodb.update_continuous_backups(&name, true).await?;
    }
    Ok(ResourceState::ready(name, attributes(&arn), p.clone()))
}

/// Read a table back in the template's shape; `recorded` (the recorded properties) only
/// guides the shape (attribute order, the KMS key as recorded).
pub(super) async fn read(
    dynamodb: &dyn DynamoDbApi,
    name: &str,
    recorded: &Json,
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
    let order = pairs(
        recorded,
        "AttributeDefinitions",
        "AttributeName",
        "AttributeType",
    );
    let mut definitions = table.attribute_definitions.clone();
    definitions.sort_by_key(|(a, _)| {
        (
            order.iter().position(|(o, _)| o == a).unwrap_or(usize::MAX),
            a.clone(),
        )
    });
    props.insert(
        "AttributeDefinitions".into(),
        Json::Array(
            definitions
                .iter()
                .map(|(a, t)| json!({"AttributeName": a, "AttributeType": t}))
                .collect(),
        ),
    );
    if let Some(b) = &table.billing_mode {
        props.insert("BillingMode".into(), json!(b));
    }
    props.insert(
        "DeletionProtectionEnabled".into(),
        json!(table.deletion_protection.unwrap_or(false)),
    );
    props.insert(
        "SSESpecification".into(),
        sse_json(table.sse.as_ref(), recorded.get("SSESpecification")),
    );
    if let Some(text) = dynamodb.get_resource_policy(&table.arn).await? {
        props.insert(
            "ResourcePolicy".into(),
            json!({ "PolicyDocument": document_value(&text) }),
        );
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
    let name = &request.physical_id;
    check(next)?;
    // Only IN_PLACE properties are changed in place; refuse anything else rather than
    // report a change that was not made.
    let others = |p: &Json| {
        let mut p = p.clone();
        if let Some(o) = p.as_object_mut() {
            o.retain(|k, _| !IN_PLACE.contains(&k.as_str()));
        }
        p
    };
    if others(prev) != others(next) {
        return Err(ProviderError::new(
            ErrorCode::NotUpdatable,
            format!(
                "table {name}: only {} can be changed in place by this provider",
                IN_PLACE.join(", ")
            ),
        ));
    }
    if pitr(prev).unwrap_or(false) != pitr(next).unwrap_or(false) {
        dynamodb
            .update_continuous_backups(name, pitr(next).unwrap_or(false))
            .await?;
    }
    // UpdateTable is refused while the table is UPDATING: one change at a time.
    if deletion_protection(prev).unwrap_or(false) != deletion_protection(next).unwrap_or(false) {
        wait_active(dynamodb, name).await?;
        dynamodb
            .update_deletion_protection(name, deletion_protection(next).unwrap_or(false))
            .await?;
    }
    if sse(prev) != sse(next) {
        wait_active(dynamodb, name).await?;
        // Without SSESpecification the table goes back to the AWS owned key.
        let wanted = sse(next).unwrap_or_default();
        dynamodb.update_sse(name, &wanted).await?;
    }
    if policy(prev).map(|t| document_value(&t)) != policy(next).map(|t| document_value(&t)) {
        let arn = dynamodb.describe_table(name).await?.arn;
        match policy(next) {
            Some(text) => dynamodb.put_resource_policy(&arn, &text).await?,
            None => dynamodb.delete_resource_policy(&arn).await?,
        }
    }
    let table = dynamodb.describe_table(&request.physical_id).await?;
    Ok(ResourceState::ready(
        request.physical_id.clone(),
        attributes(&table.arn),
        next.clone(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{MockDynamoDbApi, TableDescription};
    use mockall::predicate::eq;

    const KEY: &str = "arn:aws:kms:eu-west-1:111111111111:key/k-1";

    fn request(props: Json) -> CreateRequest {
        CreateRequest {
            type_name: TABLE.into(),
            stack: "S".into(),
            logical_id: "T".into(),
            properties: props,
            physical_name: "S-T-0000".into(),
            idempotency_key: "k".into(),
        }
    }

    fn active() -> TableDescription {
        TableDescription {
            arn: "arn:aws:dynamodb:eu-west-1:111111111111:table/locks".into(),
            status: "ACTIVE".into(),
            ..TableDescription::default()
        }
    }

    #[tokio::test]
    async fn create_passes_protection_encryption_and_the_policy_to_create_table() {
        let mut d = MockDynamoDbApi::new();
        d.expect_create_table()
            .withf(|spec| {
                spec.deletion_protection == Some(true)
                    && spec.sse
                        == Some(TableSse {
                            enabled: true,
                            sse_type: Some("KMS".into()),
                            kms_key: Some(KEY.into()),
                        })
                    && serde_json::from_str::<Json>(spec.resource_policy.as_deref().unwrap())
                        .unwrap()
                        == json!({"Statement": []})
            })
            .times(1)
            .returning(|_| Ok("arn".into()));
        create(
            &d,
            &request(json!({
                "TableName": "locks",
                "DeletionProtectionEnabled": true,
                "SSESpecification": {"SSEEnabled": true, "SSEType": "KMS", "KMSMasterKeyId": KEY},
                "ResourcePolicy": {"PolicyDocument": {"Statement": []}}
            })),
        )
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn an_unhandled_property_is_refused_before_any_call() {
        let d = MockDynamoDbApi::new();
        let e = create(
            &d,
            &request(json!({"TableName": "locks", "StreamSpecification": {}})),
        )
        .await
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        assert!(e.message.contains("StreamSpecification"), "{}", e.message);
    }

    #[tokio::test]
    async fn read_gives_the_key_as_recorded_when_it_names_the_described_key() {
        let mut d = MockDynamoDbApi::new();
        d.expect_describe_table().returning(|_| {
            Ok(TableDescription {
                attribute_definitions: vec![("B".into(), "N".into()), ("A".into(), "S".into())],
                deletion_protection: Some(true),
                sse: Some(TableSse {
                    enabled: true,
                    sse_type: Some("KMS".into()),
                    kms_key: Some(KEY.into()),
                }),
                ..active()
            })
        });
        d.expect_describe_continuous_backups()
            .returning(|_| Ok(false));
        d.expect_get_resource_policy()
            .returning(|_| Ok(Some(r#"{"Statement":[]}"#.into())));
        let recorded = json!({
            "AttributeDefinitions": [
                {"AttributeName": "A", "AttributeType": "S"},
                {"AttributeName": "B", "AttributeType": "N"}
            ],
            "SSESpecification": {"SSEEnabled": true, "KMSMasterKeyId": "k-1"}
        });
        let p = read(&d, "locks", &recorded).await.unwrap().properties;
        assert_eq!(p["AttributeDefinitions"], recorded["AttributeDefinitions"]);
        assert_eq!(p["SSESpecification"], recorded["SSESpecification"]);
        assert_eq!(p["DeletionProtectionEnabled"], json!(true));
        assert_eq!(
            p["ResourcePolicy"],
            json!({"PolicyDocument": {"Statement": []}})
        );
    }

    // moto 5.2.5's UpdateTable ignores SSESpecification: the encryption update is
    // checked here only.
    #[tokio::test]
    async fn update_changes_encryption_and_removes_the_policy_in_place() {
        let mut d = MockDynamoDbApi::new();
        d.expect_describe_table().returning(|_| Ok(active()));
        d.expect_update_sse()
            .withf(|name, sse| name == "locks" && !sse.enabled)
            .times(1)
            .returning(|_, _| Ok(()));
        d.expect_delete_resource_policy()
            .with(eq("arn:aws:dynamodb:eu-west-1:111111111111:table/locks"))
            .times(1)
            .returning(|_| Ok(()));
        let previous = json!({
            "TableName": "locks",
            "SSESpecification": {"SSEEnabled": true, "KMSMasterKeyId": KEY},
            "ResourcePolicy": {"PolicyDocument": {"Statement": []}}
        });
        update(
            &d,
            &UpdateRequest {
                type_name: TABLE.into(),
                physical_id: "locks".into(),
                previous,
                properties: json!({"TableName": "locks"}),
            },
        )
        .await
        .unwrap();
    }
}
