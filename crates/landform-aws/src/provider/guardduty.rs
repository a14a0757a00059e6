//! GuardDuty detectors, and the helpers the detective-control families (GuardDuty, Config,
//! CloudTrail, Budgets) share.

use std::collections::BTreeMap;

use async_trait::async_trait;
use landform_deploy::{
    CreateRequest, ErrorCode, ProviderError, ResourceState, Session, UpdateRequest,
};
use serde_json::{json, Value as Json};

use super::{boolean, required, string, tags, tags_json, unknown, ClientSource, Family};
use crate::api::{GuardDutyApi, Tag};

/// The tag an unnamed resource is found by after an interrupted create.
pub(super) const IDEMPOTENCY_TAG: &str = "landform:idempotency-key";

/// Refuse the properties this provider does not handle rather than ignore them.
pub(super) fn refuse_unsupported(
    type_name: &str,
    props: &Json,
    supported: &[&str],
) -> Result<(), ProviderError> {
    let unsupported: Vec<&str> = props
        .as_object()
        .map(|m| {
            m.keys()
                .map(String::as_str)
                .filter(|k| !supported.contains(k))
                .collect()
        })
        .unwrap_or_default();
    if unsupported.is_empty() {
        Ok(())
    } else {
        Err(ProviderError::new(
            ErrorCode::InvalidRequest,
            format!(
                "Landform's {type_name} handler does not support {}: remove them or manage them outside Landform",
                unsupported.join(", ")
            ),
        ))
    }
}

/// Tags read back as CloudFormation writes them: Landform's own tags left out, in the order
/// of the `hint` properties' `Tags`, the others after by key.
pub(super) fn ordered_tags(actual: &[Tag], hint: &Json) -> Json {
    let order: Vec<String> = tags(hint).into_iter().map(|(k, _)| k).collect();
    let mut own: Vec<Tag> = actual
        .iter()
        .filter(|(k, _)| !k.starts_with("landform:"))
        .cloned()
        .collect();
    own.sort_by_key(|(k, _)| {
        (
            order.iter().position(|o| o == k).unwrap_or(usize::MAX),
            k.clone(),
        )
    });
    tags_json(&own)
}

/// Whether the read-back properties should carry `Tags`: when some are set or the
/// template names the property.
pub(super) fn has_tags(actual: &Json, hint: &Json) -> bool {
    actual.as_array().is_some_and(|a| !a.is_empty()) || hint.get("Tags").is_some()
}

/// The tag changes from `before` to `after`: (tags to set, tags to remove).
pub(super) fn tag_changes(before: &[Tag], after: &[Tag]) -> (Vec<Tag>, Vec<Tag>) {
    let set = after
        .iter()
        .filter(|t| !before.contains(t))
        .cloned()
        .collect();
    let remove = before
        .iter()
        .filter(|(k, _)| !after.iter().any(|(a, _)| a == k))
        .cloned()
        .collect();
    (set, remove)
}

/// GuardDuty detectors.
pub(super) struct GuardDuty;

const TYPE: &str = "AWS::GuardDuty::Detector";
const SUPPORTED: &[&str] = &["Enable", "FindingPublishingFrequency", "Tags"];

fn detector_arn(session: &Session, id: &str) -> String {
    format!(
        "arn:{}:guardduty:{}:{}:detector/{id}",
        session.partition, session.region, session.account_id
    )
}

fn state(id: &str, properties: Json) -> ResourceState {
    let attributes = [("Id".to_owned(), json!(id))].into_iter().collect();
    ResourceState::ready(id, attributes, properties)
}

fn enable(props: &Json) -> Result<bool, ProviderError> {
    boolean(props.get("Enable")).ok_or_else(|| required(TYPE, "Enable"))
}

pub(super) async fn create(
    api: &dyn GuardDutyApi,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    refuse_unsupported(TYPE, p, SUPPORTED)?;
    let mut all_tags: BTreeMap<String, String> = tags(p).into_iter().collect();
    all_tags.insert(IDEMPOTENCY_TAG.to_owned(), request.idempotency_key.clone());
    let id = api
        .create_detector(
            enable(p)?,
            string(p, "FindingPublishingFrequency"),
            all_tags,
        )
        .await?;
    Ok(state(&id, p.clone()))
}

pub(super) async fn read(
    api: &dyn GuardDutyApi,
    id: &str,
    hint: &Json,
) -> Result<ResourceState, ProviderError> {
    let detector = api.get_detector(id).await?;
    let mut props = serde_json::Map::new();
    props.insert("Enable".into(), json!(detector.enabled));
    if let Some(f) = detector.finding_publishing_frequency {
        props.insert("FindingPublishingFrequency".into(), json!(f));
    }
    let actual: Vec<Tag> = detector.tags.into_iter().collect();
    let tags = ordered_tags(&actual, hint);
    if has_tags(&tags, hint) {
        props.insert("Tags".into(), tags);
    }
    Ok(state(id, Json::Object(props)))
}

pub(super) async fn update(
    api: &dyn GuardDutyApi,
    session: &Session,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    let (prev, next, id) = (&request.previous, &request.properties, &request.physical_id);
    refuse_unsupported(TYPE, next, SUPPORTED)?;
    if boolean(prev.get("Enable")) != boolean(next.get("Enable"))
        || string(prev, "FindingPublishingFrequency") != string(next, "FindingPublishingFrequency")
    {
        api.update_detector(
            id,
            enable(next)?,
            string(next, "FindingPublishingFrequency"),
        )
        .await?;
    }
    let (set, remove) = tag_changes(&tags(prev), &tags(next));
    let arn = detector_arn(session, id);
    if !set.is_empty() {
        api.tag_resource(&arn, set.into_iter().collect()).await?;
    }
    if !remove.is_empty() {
        api.untag_resource(&arn, remove.into_iter().map(|(k, _)| k).collect())
            .await?;
    }
    Ok(state(id, next.clone()))
}

/// GuardDuty's DeleteDetector answers success for an unknown id: look first, so a detector
/// already gone is NotFound.
pub(super) async fn delete(api: &dyn GuardDutyApi, id: &str) -> Result<(), ProviderError> {
    api.get_detector(id).await?;
    api.delete_detector(id).await
}

/// One detector per account and region: the existing one is the one a create made (or one
/// enabled before Landform, which a create could not replace either).
pub(super) async fn find(
    api: &dyn GuardDutyApi,
    request: &CreateRequest,
) -> Result<Option<ResourceState>, ProviderError> {
    match api.list_detectors().await?.first() {
        Some(id) => read(api, id, &request.properties).await.map(Some),
        None => Ok(None),
    }
}

#[async_trait]
impl Family for GuardDuty {
    fn types(&self) -> &'static [&'static str] {
        &[TYPE]
    }
    fn permissions(&self, _type_name: &str) -> &'static [&'static str] {
        &[
            "guardduty:CreateDetector",
            "guardduty:GetDetector",
            "guardduty:UpdateDetector",
            "guardduty:DeleteDetector",
            "guardduty:ListDetectors",
            "guardduty:TagResource",
            "guardduty:UntagResource",
            // The first CreateDetector of an account creates GuardDuty's service-linked role.
            "iam:CreateServiceLinkedRole",
        ]
    }
    async fn create(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<ResourceState, ProviderError> {
        create(&*clients.guardduty(session).await?, request).await
    }
    async fn read(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        properties: &Json,
    ) -> Result<ResourceState, ProviderError> {
        if type_name != TYPE {
            return Err(unknown(type_name));
        }
        read(&*clients.guardduty(session).await?, physical_id, properties).await
    }
    async fn update(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &UpdateRequest,
    ) -> Result<ResourceState, ProviderError> {
        update(&*clients.guardduty(session).await?, session, request).await
    }
    async fn delete(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        _type_name: &str,
        physical_id: &str,
        _properties: &Json,
    ) -> Result<(), ProviderError> {
        delete(&*clients.guardduty(session).await?, physical_id).await
    }
    async fn find(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError> {
        find(&*clients.guardduty(session).await?, request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{DetectorInfo, MockGuardDutyApi};
    use mockall::predicate::eq;

    fn request(props: Json) -> CreateRequest {
        CreateRequest {
            type_name: TYPE.into(),
            stack: "S".into(),
            logical_id: "Detector".into(),
            properties: props,
            physical_name: "S-Detector-1234".into(),
            idempotency_key: "S/Detector".into(),
        }
    }

    #[tokio::test]
    async fn create_tags_the_detector_with_the_idempotency_key() {
        let mut api = MockGuardDutyApi::new();
        api.expect_create_detector()
            .withf(|enable, freq, tags| {
                *enable
                    && freq.as_deref() == Some("FIFTEEN_MINUTES")
                    && tags.get(IDEMPOTENCY_TAG).map(String::as_str) == Some("S/Detector")
                    && tags.get("team").map(String::as_str) == Some("sec")
            })
            .times(1)
            .returning(|_, _, _| Ok("abc123".into()));
        let props = json!({"Enable": true, "FindingPublishingFrequency": "FIFTEEN_MINUTES",
            "Tags": [{"Key": "team", "Value": "sec"}]});
        let s = create(&api, &request(props.clone())).await.unwrap();
        assert_eq!(s.physical_id, "abc123");
        assert_eq!(s.attributes["Id"], json!("abc123"));
        assert_eq!(s.properties, props);
    }

    #[tokio::test]
    async fn create_refuses_properties_it_would_ignore() {
        let api = MockGuardDutyApi::new();
        let e = create(
            &api,
            &request(json!({"Enable": true, "DataSources": {"S3Logs": {"Enable": true}}})),
        )
        .await
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        assert!(e.message.contains("DataSources"), "{e}");
    }

    #[tokio::test]
    async fn read_leaves_landform_tags_out_and_keeps_the_template_order() {
        let mut api = MockGuardDutyApi::new();
        api.expect_get_detector().with(eq("d1")).returning(|_| {
            Ok(DetectorInfo {
                enabled: true,
                finding_publishing_frequency: Some("SIX_HOURS".into()),
                tags: [
                    ("a".to_owned(), "1".to_owned()),
                    ("z".to_owned(), "2".to_owned()),
                    (IDEMPOTENCY_TAG.to_owned(), "k".to_owned()),
                ]
                .into_iter()
                .collect(),
            })
        });
        let hint = json!({"Tags": [{"Key": "z", "Value": "2"}, {"Key": "a", "Value": "1"}]});
        let s = read(&api, "d1", &hint).await.unwrap();
        assert_eq!(
            s.properties,
            json!({"Enable": true, "FindingPublishingFrequency": "SIX_HOURS",
                "Tags": [{"Key": "z", "Value": "2"}, {"Key": "a", "Value": "1"}]})
        );
    }

    #[tokio::test]
    async fn update_changes_settings_and_tags_only_when_they_differ() {
        let mut api = MockGuardDutyApi::new();
        api.expect_update_detector()
            .with(eq("d1"), eq(false), eq(Some("ONE_HOUR".to_owned())))
            .times(1)
            .returning(|_, _, _| Ok(()));
        api.expect_tag_resource()
            .withf(|arn, tags| {
                arn == "arn:aws:guardduty:us-east-1:111111111111:detector/d1"
                    && tags.get("b").map(String::as_str) == Some("2")
                    && tags.len() == 1
            })
            .times(1)
            .returning(|_, _| Ok(()));
        api.expect_untag_resource()
            .withf(|_, keys| *keys == ["a"])
            .times(1)
            .returning(|_, _| Ok(()));
        let request = UpdateRequest {
            type_name: TYPE.into(),
            physical_id: "d1".into(),
            previous: json!({"Enable": true, "Tags": [{"Key": "a", "Value": "1"}]}),
            properties: json!({"Enable": false, "FindingPublishingFrequency": "ONE_HOUR",
                "Tags": [{"Key": "b", "Value": "2"}]}),
        };
        let session = Session::new("111111111111", "us-east-1");
        update(&api, &session, &request).await.unwrap();

        // Nothing changed: no call at all (the mock has no expectations).
        let quiet = MockGuardDutyApi::new();
        let same = UpdateRequest {
            previous: request.properties.clone(),
            ..request
        };
        update(&quiet, &session, &same).await.unwrap();
    }

    #[tokio::test]
    async fn delete_of_a_gone_detector_is_not_found_and_deletes_nothing() {
        let mut api = MockGuardDutyApi::new();
        api.expect_get_detector()
            .returning(|_| Err(ProviderError::new(ErrorCode::NotFound, "gone")));
        api.expect_delete_detector().never();
        assert_eq!(
            delete(&api, "d1").await.unwrap_err().code,
            ErrorCode::NotFound
        );
    }

    #[tokio::test]
    async fn find_adopts_the_one_detector_of_the_region() {
        let mut api = MockGuardDutyApi::new();
        api.expect_list_detectors()
            .times(1)
            .returning(|| Ok(vec!["d9".into()]));
        api.expect_get_detector().with(eq("d9")).returning(|_| {
            Ok(DetectorInfo {
                enabled: true,
                ..DetectorInfo::default()
            })
        });
        let found = find(&api, &request(json!({"Enable": true}))).await.unwrap();
        assert_eq!(found.map(|s| s.physical_id).as_deref(), Some("d9"));

        let mut none = MockGuardDutyApi::new();
        none.expect_list_detectors().returning(|| Ok(vec![]));
        assert!(find(&none, &request(json!({"Enable": true})))
            .await
            .unwrap()
            .is_none());
    }
}
