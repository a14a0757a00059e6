//! AWS::Logs::LogGroup.

use std::collections::BTreeMap;

use landform_deploy::{CreateRequest, ProviderError, ResourceState, UpdateRequest};
use serde_json::{json, Value as Json};

use super::super::kms::{like, only_in_place, tag_changes, tags_like};
use super::super::{integer, string, tags};
use crate::api::{LogGroupInfo, LogsApi};
use crate::error::ErrorCode;

/// The group name: `LogGroupName`, else the engine's physical name.
pub(super) fn name(request: &CreateRequest) -> String {
    string(&request.properties, "LogGroupName").unwrap_or_else(|| request.physical_name.clone())
}

fn retention(props: &Json) -> Option<i32> {
    integer(props.get("RetentionInDays")).and_then(|d| i32::try_from(d).ok())
}

/// CloudFormation's `Arn` is DescribeLogGroups' `arn`, ending in `:*`; the tagging calls
/// take it without.
fn tagging_arn(arn: &str) -> &str {
    arn.strip_suffix(":*").unwrap_or(arn)
}

fn attributes(group: &LogGroupInfo) -> BTreeMap<String, Json> {
    [("Arn".to_owned(), json!(group.arn))].into_iter().collect()
}

async fn describe(logs: &dyn LogsApi, name: &str) -> Result<LogGroupInfo, ProviderError> {
    logs.describe_log_group(name).await?.ok_or_else(|| {
        ProviderError::new(ErrorCode::NotFound, format!("log group {name} not found"))
    })
}

pub(super) async fn create(
    logs: &dyn LogsApi,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    let name = name(request);
    logs.create_log_group(&name, string(p, "KmsKeyId"), tags(p))
        .await?;
    if let Some(days) = retention(p) {
        logs.set_retention(&name, Some(days)).await?;
    }
    let group = describe(logs, &name).await?;
    Ok(ResourceState::ready(name, attributes(&group), p.clone()))
}

pub(super) async fn read(
    logs: &dyn LogsApi,
    name: &str,
    recorded: &Json,
) -> Result<ResourceState, ProviderError> {
    let group = describe(logs, name).await?;
    let mut props = serde_json::Map::new();
    props.insert("LogGroupName".into(), json!(group.name));
    if let Some(days) = group.retention_in_days {
        props.insert(
            "RetentionInDays".into(),
            like(recorded.get("RetentionInDays"), json!(days)),
        );
    }
    if let Some(key) = &group.kms_key_id {
        props.insert("KmsKeyId".into(), json!(key));
    }
    let group_tags = tags_like(logs.list_tags(tagging_arn(&group.arn)).await?, recorded);
    if recorded.get("Tags").is_some() || group_tags.as_array().is_some_and(|t| !t.is_empty()) {
        props.insert("Tags".into(), group_tags);
    }
    Ok(ResourceState::ready(
        name,
        attributes(&group),
        Json::Object(props),
    ))
}

pub(super) async fn update(
    logs: &dyn LogsApi,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    only_in_place(request, &["RetentionInDays", "KmsKeyId", "Tags"])?;
    let (prev, next, name) = (&request.previous, &request.properties, &request.physical_id);
    if retention(prev) != retention(next) {
        logs.set_retention(name, retention(next)).await?;
    }
    if prev.get("KmsKeyId") != next.get("KmsKeyId") {
        logs.set_kms_key(name, string(next, "KmsKeyId")).await?;
    }
    let group = describe(logs, name).await?;
    let (added, removed) = tag_changes(prev, next);
    if !removed.is_empty() {
        logs.untag(tagging_arn(&group.arn), removed).await?;
    }
    if !added.is_empty() {
        logs.tag(tagging_arn(&group.arn), added).await?;
    }
    Ok(ResourceState::ready(
        name.clone(),
        attributes(&group),
        next.clone(),
    ))
}

pub(super) async fn delete(logs: &dyn LogsApi, name: &str) -> Result<(), ProviderError> {
    describe(logs, name).await?;
    logs.delete_log_group(name).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::MockLogsApi;
    use mockall::predicate::eq;

    fn group(retention: Option<i32>) -> LogGroupInfo {
        LogGroupInfo {
            name: "g".into(),
            arn: "arn:aws:logs:us-east-1:1:log-group:g:*".into(),
            retention_in_days: retention,
            kms_key_id: None,
        }
    }

    #[tokio::test]
    async fn create_sets_the_retention_and_answers_cloudformations_arn() {
        let mut logs = MockLogsApi::new();
        logs.expect_create_log_group()
            .with(eq("g"), eq(None::<String>), eq(vec![]))
            .times(1)
            .returning(|_, _, _| Ok(()));
        logs.expect_set_retention()
            .with(eq("g"), eq(Some(365)))
            .times(1)
            .returning(|_, _| Ok(()));
        logs.expect_describe_log_group()
            .returning(|_| Ok(Some(group(Some(365)))));
        let request = CreateRequest {
            type_name: "AWS::Logs::LogGroup".into(),
            stack: "S".into(),
            logical_id: "L".into(),
            properties: json!({"LogGroupName": "g", "RetentionInDays": 365}),
            physical_name: "S-L".into(),
            idempotency_key: "k".into(),
        };
        let state = create(&logs, &request).await.unwrap();
        assert_eq!(state.physical_id, "g");
        assert_eq!(
            state.attributes["Arn"],
            json!("arn:aws:logs:us-east-1:1:log-group:g:*")
        );
    }

    #[tokio::test]
    async fn a_missing_group_is_not_found_for_read_and_delete() {
        let mut logs = MockLogsApi::new();
        logs.expect_describe_log_group().returning(|_| Ok(None));
        logs.expect_delete_log_group().never();
        assert_eq!(
            read(&logs, "g", &json!({})).await.unwrap_err().code,
            ErrorCode::NotFound
        );
        assert_eq!(
            delete(&logs, "g").await.unwrap_err().code,
            ErrorCode::NotFound
        );
    }

    #[tokio::test]
    async fn read_keeps_a_string_retention_as_written() {
        let mut logs = MockLogsApi::new();
        logs.expect_describe_log_group()
            .returning(|_| Ok(Some(group(Some(30)))));
        logs.expect_list_tags()
            .with(eq("arn:aws:logs:us-east-1:1:log-group:g"))
            .returning(|_| Ok(vec![]));
        let state = read(&logs, "g", &json!({"RetentionInDays": "30"}))
            .await
            .unwrap();
        assert_eq!(state.properties["RetentionInDays"], json!("30"));
    }

    #[tokio::test]
    async fn removing_the_retention_deletes_the_policy() {
        let mut logs = MockLogsApi::new();
        logs.expect_set_retention()
            .with(eq("g"), eq(None::<i32>))
            .times(1)
            .returning(|_, _| Ok(()));
        logs.expect_describe_log_group()
            .returning(|_| Ok(Some(group(None))));
        update(
            &logs,
            &UpdateRequest {
                type_name: "AWS::Logs::LogGroup".into(),
                physical_id: "g".into(),
                previous: json!({"RetentionInDays": 365}),
                properties: json!({}),
            },
        )
        .await
        .unwrap();
    }
}
