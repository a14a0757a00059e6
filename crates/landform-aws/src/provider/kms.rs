//! KMS keys and aliases, and the read-back helpers the other families of this crate's
//! account-level services share (tags in the recorded order, in-place change checks).

use std::collections::BTreeMap;

use async_trait::async_trait;
use landform_deploy::{CreateRequest, ProviderError, ResourceState, Session, UpdateRequest};
use serde_json::{json, Value as Json};

use super::{boolean, document, document_value, integer, string, tags, tags_json, unknown};
use super::{ClientSource, Family};
use crate::api::{KeyRequest, KmsApi, Tag};
use crate::error::ErrorCode;

/// The tag an unnamed resource carries so [`Family::find`] can find it after an
/// interrupted create.
pub(super) const IDEMPOTENCY_TAG: &str = "landform:idempotency-key";

/// Tags read back, without the idempotency tag, in the order `recorded` lists them (the
/// others after, sorted), so an untouched resource reads back as it was written.
pub(super) fn tags_like(mut actual: Vec<Tag>, recorded: &Json) -> Json {
    actual.retain(|(k, _)| k != IDEMPOTENCY_TAG);
    let order: Vec<String> = tags(recorded).into_iter().map(|(k, _)| k).collect();
    actual.sort_by_key(|(k, _)| {
        (
            order.iter().position(|o| o == k).unwrap_or(usize::MAX),
            k.clone(),
        )
    });
    tags_json(&actual)
}

/// The tags to add (new or changed values) and the keys to remove between two property sets.
pub(super) fn tag_changes(previous: &Json, next: &Json) -> (Vec<Tag>, Vec<String>) {
    let (before, after) = (tags(previous), tags(next));
    let added = after
        .iter()
        .filter(|t| !before.contains(t))
        .cloned()
        .collect();
    let removed = before
        .iter()
        .filter(|(k, _)| !after.iter().any(|(a, _)| a == k))
        .map(|(k, _)| k.clone())
        .collect();
    (added, removed)
}

/// Refuse an update touching a property outside `in_place` (the engine replaces for the
/// replacement properties; anything else this provider cannot change must not be ignored).
pub(super) fn only_in_place(
    request: &UpdateRequest,
    in_place: &[&str],
) -> Result<(), ProviderError> {
    let empty = serde_json::Map::new();
    let before = request.previous.as_object().unwrap_or(&empty);
    let after = request.properties.as_object().unwrap_or(&empty);
    let changed: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k) && !in_place.contains(&k.as_str()))
        .collect();
    match changed.first() {
        None => Ok(()),
        Some(k) => Err(ProviderError::new(
            ErrorCode::NotUpdatable,
            format!(
                "{} {}: this provider cannot change {k} in place",
                request.type_name, request.physical_id
            ),
        )),
    }
}

/// A value read back in the JSON type the template used: `"90"` stays a string when the
/// service answers the number 90.
pub(super) fn like(recorded: Option<&Json>, actual: Json) -> Json {
    match (recorded, &actual) {
        (Some(Json::String(s)), Json::Number(_) | Json::Bool(_))
            if serde_json::from_str::<Json>(s).ok().as_ref() == Some(&actual) =>
        {
            Json::String(s.clone())
        }
        _ => actual,
    }
}

/// A policy document read back as the template wrote it: parsed JSON for an object, the
/// text for a string.
pub(super) fn document_like(recorded: Option<&Json>, text: &str) -> Json {
    match recorded {
        Some(Json::String(_)) => json!(text),
        _ => document_value(text),
    }
}

/// KMS keys and aliases.
pub(super) struct Kms;

#[async_trait]
impl Family for Kms {
    fn types(&self) -> &'static [&'static str] {
        &["AWS::KMS::Key", "AWS::KMS::Alias"]
    }
    fn replacement_properties(&self, type_name: &str) -> &'static [&'static str] {
        // Beyond the schema's createOnlyProperties (none for a key): what CreateKey fixes for
        // the key's life and no UpdateKey changes.
        match type_name {
            "AWS::KMS::Key" => &["KeySpec", "KeyUsage", "MultiRegion", "Origin"],
            _ => &[],
        }
    }
    fn permissions(&self, type_name: &str) -> &'static [&'static str] {
        match type_name {
            "AWS::KMS::Key" => &[
                "kms:CreateKey",
                "kms:DescribeKey",
                "kms:GetKeyPolicy",
                "kms:PutKeyPolicy",
                "kms:UpdateKeyDescription",
                "kms:GetKeyRotationStatus",
                "kms:EnableKeyRotation",
                "kms:DisableKeyRotation",
                "kms:ListKeys",
                "kms:ListResourceTags",
                "kms:TagResource",
                "kms:UntagResource",
                "kms:ScheduleKeyDeletion",
            ],
            "AWS::KMS::Alias" => &[
                "kms:CreateAlias",
                "kms:UpdateAlias",
                "kms:DeleteAlias",
                "kms:ListAliases",
            ],
            _ => &[],
        }
    }
    async fn create(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<ResourceState, ProviderError> {
        let kms = clients.kms(session).await?;
        match request.type_name.as_str() {
            "AWS::KMS::Key" => create_key(&*kms, request).await,
            "AWS::KMS::Alias" => create_alias(&*kms, request).await,
            other => Err(unknown(other)),
        }
    }
    async fn read(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        properties: &Json,
    ) -> Result<ResourceState, ProviderError> {
        let kms = clients.kms(session).await?;
        match type_name {
            "AWS::KMS::Key" => read_key(&*kms, physical_id, properties).await,
            "AWS::KMS::Alias" => read_alias(&*kms, physical_id, properties).await,
            other => Err(unknown(other)),
        }
    }
    async fn update(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &UpdateRequest,
    ) -> Result<ResourceState, ProviderError> {
        let kms = clients.kms(session).await?;
        match request.type_name.as_str() {
            "AWS::KMS::Key" => update_key(&*kms, request).await,
            "AWS::KMS::Alias" => {
                only_in_place(request, &["TargetKeyId"])?;
                let target = string(&request.properties, "TargetKeyId")
                    .ok_or_else(|| super::required(&request.type_name, "TargetKeyId"))?;
                kms.update_alias(&request.physical_id, &target).await?;
                Ok(ResourceState::ready(
                    request.physical_id.clone(),
                    BTreeMap::new(),
                    request.properties.clone(),
                ))
            }
            other => Err(unknown(other)),
        }
    }
    async fn delete(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        properties: &Json,
    ) -> Result<(), ProviderError> {
        let kms = clients.kms(session).await?;
        match type_name {
            "AWS::KMS::Key" => delete_key(&*kms, physical_id, properties).await,
            "AWS::KMS::Alias" => kms.delete_alias(physical_id).await,
            other => Err(unknown(other)),
        }
    }
    async fn find(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError> {
        let kms = clients.kms(session).await?;
        let found = match request.type_name.as_str() {
            "AWS::KMS::Key" => match find_key(&*kms, &request.idempotency_key).await? {
                Some(id) => read_key(&*kms, &id, &request.properties).await,
                None => return Ok(None),
            },
            "AWS::KMS::Alias" => {
                let name = string(&request.properties, "AliasName")
                    .ok_or_else(|| super::required(&request.type_name, "AliasName"))?;
                read_alias(&*kms, &name, &request.properties).await
            }
            other => return Err(unknown(other)),
        };
        match found {
            Ok(state) => Ok(Some(state)),
            Err(e) if e.code == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

fn key_attributes(arn: &str, key_id: &str) -> BTreeMap<String, Json> {
    [
        ("Arn".to_owned(), json!(arn)),
        ("KeyId".to_owned(), json!(key_id)),
    ]
    .into_iter()
    .collect()
}

/// Keys scheduled for deletion are gone as far as the engine is concerned: they cannot be
/// used, and come back only through CancelKeyDeletion.
fn is_deleted(state: &str) -> bool {
    matches!(state, "PendingDeletion" | "PendingReplicaDeletion")
}

async fn create_key(
    kms: &dyn KmsApi,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    let mut key_tags = tags(p);
    key_tags.push((IDEMPOTENCY_TAG.to_owned(), request.idempotency_key.clone()));
    let key = kms
        .create_key(&KeyRequest {
            policy: document(p, "KeyPolicy"),
            description: string(p, "Description"),
            key_spec: string(p, "KeySpec"),
            key_usage: string(p, "KeyUsage"),
            tags: key_tags,
        })
        .await?;
    if boolean(p.get("EnableKeyRotation")) == Some(true) {
        kms.set_key_rotation(&key.key_id, true).await?;
    }
    Ok(ResourceState::ready(
        key.key_id.clone(),
        key_attributes(&key.arn, &key.key_id),
        p.clone(),
    ))
}

async fn read_key(
    kms: &dyn KmsApi,
    key_id: &str,
    recorded: &Json,
) -> Result<ResourceState, ProviderError> {
    let key = kms.describe_key(key_id).await?;
    if is_deleted(&key.state) {
        return Err(ProviderError::new(
            ErrorCode::NotFound,
            format!("key {key_id} is {}", key.state),
        ));
    }
    let policy = kms.get_key_policy(key_id).await?;
    let rotation = kms.get_key_rotation_status(key_id).await?;
    let key_tags = kms.list_resource_tags(key_id).await?;
    let mut props = serde_json::Map::new();
    props.insert(
        "KeyPolicy".into(),
        document_like(recorded.get("KeyPolicy"), &policy),
    );
    if !key.description.is_empty() || recorded.get("Description").is_some() {
        props.insert("Description".into(), json!(key.description));
    }
    props.insert(
        "EnableKeyRotation".into(),
        like(recorded.get("EnableKeyRotation"), json!(rotation)),
    );
    props.insert(
        "Enabled".into(),
        like(recorded.get("Enabled"), json!(key.enabled)),
    );
    if let Some(spec) = &key.key_spec {
        props.insert("KeySpec".into(), json!(spec));
    }
    if let Some(usage) = &key.key_usage {
        props.insert("KeyUsage".into(), json!(usage));
    }
    if let Some(days) = recorded.get("PendingWindowInDays") {
        // Not a property of the key: only used when deleting.
        props.insert("PendingWindowInDays".into(), days.clone());
    }
    let key_tags = tags_like(key_tags, recorded);
    if recorded.get("Tags").is_some() || key_tags.as_array().is_some_and(|t| !t.is_empty()) {
        props.insert("Tags".into(), key_tags);
    }
    Ok(ResourceState::ready(
        key.key_id.clone(),
        key_attributes(&key.arn, &key.key_id),
        Json::Object(props),
    ))
}

async fn update_key(
    kms: &dyn KmsApi,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    only_in_place(
        request,
        &[
            "KeyPolicy",
            "Description",
            "EnableKeyRotation",
            "Tags",
            "PendingWindowInDays",
        ],
    )?;
    let (prev, next, id) = (&request.previous, &request.properties, &request.physical_id);
    if prev.get("KeyPolicy") != next.get("KeyPolicy") {
        let policy = document(next, "KeyPolicy").ok_or_else(|| {
            ProviderError::new(
                ErrorCode::NotUpdatable,
                format!("key {id}: removing KeyPolicy would keep the old policy; set the policy to keep"),
            )
        })?;
        kms.put_key_policy(id, &policy).await?;
    }
    if prev.get("Description") != next.get("Description") {
        kms.update_key_description(id, &string(next, "Description").unwrap_or_default())
            .await?;
    }
    let rotation = |p: &Json| boolean(p.get("EnableKeyRotation")).unwrap_or(false);
    if rotation(prev) != rotation(next) {
        kms.set_key_rotation(id, rotation(next)).await?;
    }
    let (added, removed) = tag_changes(prev, next);
    if !removed.is_empty() {
        kms.untag_resource(id, removed).await?;
    }
    if !added.is_empty() {
        kms.tag_resource(id, added).await?;
    }
    let key = kms.describe_key(id).await?;
    Ok(ResourceState::ready(
        id.clone(),
        key_attributes(&key.arn, &key.key_id),
        next.clone(),
    ))
}

async fn delete_key(
    kms: &dyn KmsApi,
    key_id: &str,
    properties: &Json,
) -> Result<(), ProviderError> {
    let key = kms.describe_key(key_id).await?;
    if is_deleted(&key.state) {
        return Err(ProviderError::new(
            ErrorCode::NotFound,
            format!("key {key_id} is already {}", key.state),
        ));
    }
    // Deleting a key is irreversible once the window ends: never shorter than CloudFormation's
    // (the template's PendingWindowInDays, else 30 days).
    let days = integer(properties.get("PendingWindowInDays")).unwrap_or(30);
    let days = i32::try_from(days).unwrap_or(30);
    kms.schedule_key_deletion(key_id, days).await
}

async fn find_key(
    kms: &dyn KmsApi,
    idempotency_key: &str,
) -> Result<Option<String>, ProviderError> {
    for key_id in kms.list_keys().await? {
        let key_tags = match kms.list_resource_tags(&key_id).await {
            Ok(t) => t,
            // AWS managed keys and keys gone meanwhile: not ours.
            Err(e) if matches!(e.code, ErrorCode::NotFound | ErrorCode::AccessDenied) => continue,
            Err(e) => return Err(e),
        };
        if key_tags
            .iter()
            .any(|(k, v)| k == IDEMPOTENCY_TAG && v == idempotency_key)
        {
            return Ok(Some(key_id));
        }
    }
    Ok(None)
}

async fn create_alias(
    kms: &dyn KmsApi,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    let name =
        string(p, "AliasName").ok_or_else(|| super::required(&request.type_name, "AliasName"))?;
    let target = string(p, "TargetKeyId")
        .ok_or_else(|| super::required(&request.type_name, "TargetKeyId"))?;
    kms.create_alias(&name, &target).await?;
    Ok(ResourceState::ready(name, BTreeMap::new(), p.clone()))
}

async fn read_alias(
    kms: &dyn KmsApi,
    name: &str,
    recorded: &Json,
) -> Result<ResourceState, ProviderError> {
    let alias = kms
        .list_aliases()
        .await?
        .into_iter()
        .find(|a| a.name == name)
        .ok_or_else(|| {
            ProviderError::new(ErrorCode::NotFound, format!("alias {name} not found"))
        })?;
    let target = alias.target_key_id.unwrap_or_default();
    // ListAliases answers the key id; keep the template's form when it names the same key
    // by ARN.
    let target = match string(recorded, "TargetKeyId") {
        Some(r) if r.ends_with(&format!("key/{target}")) => r,
        _ => target,
    };
    Ok(ResourceState::ready(
        name,
        BTreeMap::new(),
        json!({"AliasName": name, "TargetKeyId": target}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{AliasInfo, KeyInfo, MockKmsApi};
    use mockall::predicate::eq;

    fn request(type_name: &str, properties: Json) -> CreateRequest {
        CreateRequest {
            type_name: type_name.into(),
            stack: "S".into(),
            logical_id: "L".into(),
            properties,
            physical_name: "S-L".into(),
            idempotency_key: "key-1".into(),
        }
    }

    fn key(state: &str) -> KeyInfo {
        KeyInfo {
            key_id: "k1".into(),
            arn: "arn:aws:kms:us-east-1:111111111111:key/k1".into(),
            description: "d".into(),
            key_spec: Some("SYMMETRIC_DEFAULT".into()),
            key_usage: Some("ENCRYPT_DECRYPT".into()),
            state: state.into(),
            enabled: true,
        }
    }

    #[tokio::test]
    async fn create_key_tags_it_with_the_idempotency_key_and_enables_rotation() {
        let mut kms = MockKmsApi::new();
        kms.expect_create_key()
            .withf(|r| {
                r.policy.as_deref() == Some(r#"{"Version":"2012-10-17"}"#)
                    && r.tags.contains(&(IDEMPOTENCY_TAG.into(), "key-1".into()))
            })
            .times(1)
            .returning(|_| Ok(key("Enabled")));
        kms.expect_set_key_rotation()
            .with(eq("k1"), eq(true))
            .times(1)
            .returning(|_, _| Ok(()));
        let props = json!({"KeyPolicy": {"Version": "2012-10-17"}, "EnableKeyRotation": true});
        let state = create_key(&kms, &request("AWS::KMS::Key", props.clone()))
            .await
            .unwrap();
        assert_eq!(state.physical_id, "k1");
        assert_eq!(state.attributes["KeyId"], json!("k1"));
        assert_eq!(
            state.attributes["Arn"],
            json!("arn:aws:kms:us-east-1:111111111111:key/k1")
        );
        assert_eq!(state.properties, props);
    }

    #[tokio::test]
    async fn a_key_pending_deletion_reads_as_not_found_and_is_not_deleted_again() {
        let mut kms = MockKmsApi::new();
        kms.expect_describe_key()
            .returning(|_| Ok(key("PendingDeletion")));
        kms.expect_schedule_key_deletion().never();
        let read = read_key(&kms, "k1", &json!({})).await.unwrap_err();
        assert_eq!(read.code, ErrorCode::NotFound);
        let delete = delete_key(&kms, "k1", &json!({})).await.unwrap_err();
        assert_eq!(delete.code, ErrorCode::NotFound);
    }

    #[tokio::test]
    async fn delete_schedules_the_template_window_else_thirty_days() {
        let mut kms = MockKmsApi::new();
        kms.expect_describe_key().returning(|_| Ok(key("Enabled")));
        kms.expect_schedule_key_deletion()
            .with(eq("k1"), eq(30))
            .times(1)
            .returning(|_, _| Ok(()));
        kms.expect_schedule_key_deletion()
            .with(eq("k1"), eq(7))
            .times(1)
            .returning(|_, _| Ok(()));
        delete_key(&kms, "k1", &json!({})).await.unwrap();
        delete_key(&kms, "k1", &json!({"PendingWindowInDays": 7}))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn find_adopts_the_key_carrying_the_idempotency_tag() {
        let mut kms = MockKmsApi::new();
        kms.expect_list_keys()
            .returning(|| Ok(vec!["aws-managed".into(), "other".into(), "k1".into()]));
        kms.expect_list_resource_tags()
            .with(eq("aws-managed"))
            .returning(|_| Err(ProviderError::new(ErrorCode::AccessDenied, "no")));
        kms.expect_list_resource_tags()
            .with(eq("other"))
            .returning(|_| Ok(vec![(IDEMPOTENCY_TAG.into(), "key-2".into())]));
        kms.expect_list_resource_tags()
            .with(eq("k1"))
            .returning(|_| Ok(vec![(IDEMPOTENCY_TAG.into(), "key-1".into())]));
        assert_eq!(
            find_key(&kms, "key-1").await.unwrap().as_deref(),
            Some("k1")
        );
        assert_eq!(find_key(&kms, "key-3").await.unwrap(), None);
    }

    #[tokio::test]
    async fn read_key_gives_back_the_template_shapes() {
        let mut kms = MockKmsApi::new();
        kms.expect_describe_key().returning(|_| Ok(key("Enabled")));
        kms.expect_get_key_policy()
            .returning(|_| Ok(r#"{"Version": "2012-10-17"}"#.into()));
        kms.expect_get_key_rotation_status().returning(|_| Ok(true));
        kms.expect_list_resource_tags().returning(|_| {
            Ok(vec![
                ("b".into(), "2".into()),
                (IDEMPOTENCY_TAG.into(), "key-1".into()),
                ("a".into(), "1".into()),
            ])
        });
        let recorded = json!({
            "KeyPolicy": {"Version": "2012-10-17"},
            "Description": "d",
            "EnableKeyRotation": "true",
            "Tags": [{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}],
        });
        let state = read_key(&kms, "k1", &recorded).await.unwrap();
        for k in ["KeyPolicy", "Description", "EnableKeyRotation", "Tags"] {
            assert_eq!(state.properties[k], recorded[k], "{k}");
        }
    }

    #[tokio::test]
    async fn update_key_refuses_what_it_cannot_change_and_changes_the_rest() {
        let kms = MockKmsApi::new();
        let refused = update_key(
            &kms,
            &UpdateRequest {
                type_name: "AWS::KMS::Key".into(),
                physical_id: "k1".into(),
                previous: json!({}),
                properties: json!({"Enabled": false}),
            },
        )
        .await
        .unwrap_err();
        assert_eq!(refused.code, ErrorCode::NotUpdatable);

        let mut kms = MockKmsApi::new();
        kms.expect_put_key_policy()
            .with(eq("k1"), eq(r#"{"v":2}"#))
            .times(1)
            .returning(|_, _| Ok(()));
        kms.expect_set_key_rotation()
            .with(eq("k1"), eq(false))
            .times(1)
            .returning(|_, _| Ok(()));
        kms.expect_untag_resource()
            .with(eq("k1"), eq(vec!["old".to_owned()]))
            .times(1)
            .returning(|_, _| Ok(()));
        kms.expect_tag_resource()
            .with(eq("k1"), eq(vec![("new".to_owned(), "1".to_owned())]))
            .times(1)
            .returning(|_, _| Ok(()));
        kms.expect_update_key_description().never();
        kms.expect_describe_key().returning(|_| Ok(key("Enabled")));
        update_key(
            &kms,
            &UpdateRequest {
                type_name: "AWS::KMS::Key".into(),
                physical_id: "k1".into(),
                previous: json!({"KeyPolicy": {"v": 1}, "EnableKeyRotation": true, "Tags": [{"Key": "old", "Value": "x"}]}),
                properties: json!({"KeyPolicy": {"v": 2}, "EnableKeyRotation": false, "Tags": [{"Key": "new", "Value": "1"}]}),
            },
        )
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn an_alias_reads_back_the_key_as_the_template_named_it() {
        let mut kms = MockKmsApi::new();
        kms.expect_list_aliases().returning(|| {
            Ok(vec![AliasInfo {
                name: "alias/x".into(),
                arn: "arn".into(),
                target_key_id: Some("k1".into()),
            }])
        });
        let recorded =
            json!({"AliasName": "alias/x", "TargetKeyId": "arn:aws:kms:us-east-1:1:key/k1"});
        let state = read_alias(&kms, "alias/x", &recorded).await.unwrap();
        assert_eq!(state.properties, recorded);
        let gone = read_alias(&kms, "alias/y", &json!({})).await.unwrap_err();
        assert_eq!(gone.code, ErrorCode::NotFound);
    }
}
