//! CloudTrail trails: CreateTrail, then StartLogging when `IsLogging`.

use async_trait::async_trait;
use landform_deploy::{
    CreateRequest, ErrorCode, ProviderError, ResourceState, Session, UpdateRequest,
};
use serde_json::{json, Value as Json};

use super::guardduty::{has_tags, ordered_tags, refuse_unsupported, tag_changes};
use super::{boolean, required, string, tags, unknown, ClientSource, Family};
use crate::api::{CloudTrailApi, TrailInfo, TrailSpec};

/// CloudTrail trails.
pub(super) struct CloudTrail;

const TYPE: &str = "AWS::CloudTrail::Trail";
const SUPPORTED: &[&str] = &[
    "TrailName",
    "S3BucketName",
    "S3KeyPrefix",
    "SnsTopicName",
    "IsLogging",
    "IncludeGlobalServiceEvents",
    "IsMultiRegionTrail",
    "EnableLogFileValidation",
    "KMSKeyId",
    "CloudWatchLogsLogGroupArn",
    "CloudWatchLogsRoleArn",
    "IsOrganizationTrail",
    "Tags",
];

fn trail_name(request: &CreateRequest) -> String {
    string(&request.properties, "TrailName").unwrap_or_else(|| request.physical_name.clone())
}

fn spec(name: &str, p: &Json) -> Result<TrailSpec, ProviderError> {
    refuse_unsupported(TYPE, p, SUPPORTED)?;
    Ok(TrailSpec {
        name: name.to_owned(),
        s3_bucket_name: string(p, "S3BucketName").ok_or_else(|| required(TYPE, "S3BucketName"))?,
        s3_key_prefix: string(p, "S3KeyPrefix"),
        sns_topic_name: string(p, "SnsTopicName"),
        include_global_service_events: boolean(p.get("IncludeGlobalServiceEvents")),
        is_multi_region_trail: boolean(p.get("IsMultiRegionTrail")),
        enable_log_file_validation: boolean(p.get("EnableLogFileValidation")),
        kms_key_id: string(p, "KMSKeyId"),
        cloud_watch_logs_log_group_arn: string(p, "CloudWatchLogsLogGroupArn"),
        cloud_watch_logs_role_arn: string(p, "CloudWatchLogsRoleArn"),
        is_organization_trail: boolean(p.get("IsOrganizationTrail")),
    })
}

fn is_logging(p: &Json) -> Result<bool, ProviderError> {
    boolean(p.get("IsLogging")).ok_or_else(|| required(TYPE, "IsLogging"))
}

fn state(trail: &TrailInfo, properties: Json) -> ResourceState {
    let mut attributes = std::collections::BTreeMap::new();
    attributes.insert("Arn".to_owned(), json!(trail.arn));
    if let Some(topic) = &trail.sns_topic_arn {
        attributes.insert("SnsTopicArn".to_owned(), json!(topic));
    }
    ResourceState::ready(&trail.name, attributes, properties)
}

/// GetTrail answers the key's ARN whatever form was given: give back the template's form
/// (a key id or the same ARN) when it names the same key.
fn kms_key_as_given(actual: &str, hint: &Json) -> String {
    match string(hint, "KMSKeyId") {
        Some(given) if given == actual || actual.ends_with(&format!("/{given}")) => given,
        _ => actual.to_owned(),
    }
}

pub(super) async fn create(
    api: &dyn CloudTrailApi,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let p = &request.properties;
    let spec = spec(&trail_name(request), p)?;
    let logging = is_logging(p)?;
    let trail = api.create_trail(&spec, tags(p)).await?;
    if logging {
        api.start_logging(&trail.name).await?;
    }
    Ok(state(&trail, p.clone()))
}

pub(super) async fn read(
    api: &dyn CloudTrailApi,
    name: &str,
    hint: &Json,
) -> Result<ResourceState, ProviderError> {
    let t = api.get_trail(name).await?;
    let logging = api.is_logging(name).await?;
    let tags = ordered_tags(&api.list_tags(&t.arn).await?, hint);
    let mut p = serde_json::Map::new();
    p.insert("TrailName".into(), json!(t.name));
    p.insert("S3BucketName".into(), json!(t.s3_bucket_name));
    p.insert("IsLogging".into(), json!(logging));
    p.insert(
        "IncludeGlobalServiceEvents".into(),
        json!(t.include_global_service_events),
    );
    p.insert("IsMultiRegionTrail".into(), json!(t.is_multi_region_trail));
    p.insert(
        "EnableLogFileValidation".into(),
        json!(t.log_file_validation_enabled),
    );
    p.insert("IsOrganizationTrail".into(), json!(t.is_organization_trail));
    let optional = [
        ("S3KeyPrefix", t.s3_key_prefix.clone()),
        ("SnsTopicName", t.sns_topic_name.clone()),
        (
            "KMSKeyId",
            t.kms_key_id.as_deref().map(|k| kms_key_as_given(k, hint)),
        ),
        (
            "CloudWatchLogsLogGroupArn",
            t.cloud_watch_logs_log_group_arn.clone(),
        ),
        ("CloudWatchLogsRoleArn", t.cloud_watch_logs_role_arn.clone()),
    ];
    for (k, v) in optional {
        if let Some(v) = v {
            p.insert(k.into(), json!(v));
        }
    }
    if has_tags(&tags, hint) {
        p.insert("Tags".into(), tags);
    }
    Ok(state(&t, Json::Object(p)))
}

/// The UpdateTrail settings that change from `before` to `after` (`Some("")` clears a
/// string setting), or None when none does.
fn settings_change(before: &TrailSpec, after: &TrailSpec) -> Option<TrailSpec> {
    fn text(b: &Option<String>, a: &Option<String>) -> Option<String> {
        (b != a).then(|| a.clone().unwrap_or_default())
    }
    fn flag(b: Option<bool>, a: Option<bool>, default: bool) -> Option<bool> {
        (b.unwrap_or(default) != a.unwrap_or(default)).then_some(a.unwrap_or(default))
    }
    let change = TrailSpec {
        name: after.name.clone(),
        s3_bucket_name: after.s3_bucket_name.clone(),
        s3_key_prefix: text(&before.s3_key_prefix, &after.s3_key_prefix),
        sns_topic_name: text(&before.sns_topic_name, &after.sns_topic_name),
        include_global_service_events: flag(
            before.include_global_service_events,
            after.include_global_service_events,
            true,
        ),
        is_multi_region_trail: flag(
            before.is_multi_region_trail,
            after.is_multi_region_trail,
            false,
        ),
        enable_log_file_validation: flag(
            before.enable_log_file_validation,
            after.enable_log_file_validation,
            false,
        ),
        kms_key_id: text(&before.kms_key_id, &after.kms_key_id),
        cloud_watch_logs_log_group_arn: text(
            &before.cloud_watch_logs_log_group_arn,
            &after.cloud_watch_logs_log_group_arn,
        ),
        cloud_watch_logs_role_arn: text(
            &before.cloud_watch_logs_role_arn,
            &after.cloud_watch_logs_role_arn,
        ),
        is_organization_trail: flag(
            before.is_organization_trail,
            after.is_organization_trail,
            false,
        ),
    };
    let unchanged = TrailSpec {
        name: after.name.clone(),
        s3_bucket_name: after.s3_bucket_name.clone(),
        ..TrailSpec::default()
    };
    (change != unchanged || before.s3_bucket_name != after.s3_bucket_name).then_some(change)
}

pub(super) async fn update(
    api: &dyn CloudTrailApi,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    let (prev, next, name) = (&request.previous, &request.properties, &request.physical_id);
    let after = spec(name, next)?;
    let trail = match settings_change(&spec(name, prev)?, &after) {
        Some(change) => api.update_trail(&change).await?,
        None => api.get_trail(name).await?,
    };
    let logging = is_logging(next)?;
    if boolean(prev.get("IsLogging")) != Some(logging) {
        if logging {
            api.start_logging(name).await?;
        } else {
            api.stop_logging(name).await?;
        }
    }
    let (set, remove) = tag_changes(&tags(prev), &tags(next));
    if !set.is_empty() {
        api.add_tags(&trail.arn, set).await?;
    }
    if !remove.is_empty() {
        api.remove_tags(&trail.arn, remove).await?;
    }
    Ok(state(&trail, next.clone()))
}

/// Look first: CloudTrail may answer DeleteTrail of a gone trail without error.
pub(super) async fn delete(api: &dyn CloudTrailApi, name: &str) -> Result<(), ProviderError> {
    api.get_trail(name).await?;
    api.delete_trail(name).await
}

pub(super) async fn find(
    api: &dyn CloudTrailApi,
    request: &CreateRequest,
) -> Result<Option<ResourceState>, ProviderError> {
    match read(api, &trail_name(request), &request.properties).await {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.code == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

#[async_trait]
impl Family for CloudTrail {
    fn types(&self) -> &'static [&'static str] {
        &[TYPE]
    }
    fn permissions(&self, _type_name: &str) -> &'static [&'static str] {
        &[
            "cloudtrail:CreateTrail",
            "cloudtrail:GetTrail",
            "cloudtrail:GetTrailStatus",
            "cloudtrail:UpdateTrail",
            "cloudtrail:StartLogging",
            "cloudtrail:StopLogging",
            "cloudtrail:DeleteTrail",
            "cloudtrail:AddTags",
            "cloudtrail:RemoveTags",
            "cloudtrail:ListTags",
            // CloudWatchLogsRoleArn is passed to CloudTrail.
            "iam:PassRole",
            // An organization trail: CloudTrail checks the organization and makes its
            // service-linked role.
            "iam:CreateServiceLinkedRole",
            "organizations:DescribeOrganization",
            "organizations:ListAWSServiceAccessForOrganization",
        ]
    }
    async fn create(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<ResourceState, ProviderError> {
        create(&*clients.cloudtrail(session).await?, request).await
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
        read(
            &*clients.cloudtrail(session).await?,
            physical_id,
            properties,
        )
        .await
    }
    async fn update(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &UpdateRequest,
    ) -> Result<ResourceState, ProviderError> {
        update(&*clients.cloudtrail(session).await?, request).await
    }
    async fn delete(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        _type_name: &str,
        physical_id: &str,
        _properties: &Json,
    ) -> Result<(), ProviderError> {
        delete(&*clients.cloudtrail(session).await?, physical_id).await
    }
    async fn find(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError> {
        find(&*clients.cloudtrail(session).await?, request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::MockCloudTrailApi;
    use mockall::predicate::eq;
    use mockall::Sequence;

    const KEY: &str = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    fn props() -> Json {
        json!({
            "EnableLogFileValidation": true,
            "IncludeGlobalServiceEvents": true,
            "IsLogging": true,
            "IsMultiRegionTrail": true,
            "KMSKeyId": KEY,
            "S3BucketName": "central-logs",
        })
    }

    fn info(name: &str) -> TrailInfo {
        TrailInfo {
            name: name.into(),
            arn: format!("arn:aws:cloudtrail:us-east-1:111111111111:trail/{name}"),
            s3_bucket_name: "central-logs".into(),
            include_global_service_events: true,
            is_multi_region_trail: true,
            log_file_validation_enabled: true,
            kms_key_id: Some(KEY.into()),
            ..TrailInfo::default()
        }
    }

    fn request(props: Json) -> CreateRequest {
        CreateRequest {
            type_name: TYPE.into(),
            stack: "S".into(),
            logical_id: "Trail".into(),
            properties: props,
            physical_name: "S-Trail-1234".into(),
            idempotency_key: "S/Trail".into(),
        }
    }

    #[tokio::test]
    async fn create_makes_the_trail_then_starts_logging() {
        let mut api = MockCloudTrailApi::new();
        let mut seq = Sequence::new();
        api.expect_create_trail()
            .withf(|s, tags| {
                s.name == "S-Trail-1234"
                    && s.is_multi_region_trail == Some(true)
                    && s.enable_log_file_validation == Some(true)
                    && s.kms_key_id.as_deref() == Some(KEY)
                    && tags.is_empty()
            })
            .times(1)
            .in_sequence(&mut seq)
            .returning(|s, _| Ok(info(&s.name)));
        api.expect_start_logging()
            .with(eq("S-Trail-1234"))
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_| Ok(()));
        let s = create(&api, &request(props())).await.unwrap();
        assert_eq!(s.physical_id, "S-Trail-1234");
        assert_eq!(
            s.attributes["Arn"],
            json!("arn:aws:cloudtrail:us-east-1:111111111111:trail/S-Trail-1234")
        );
        assert!(!s.attributes.contains_key("SnsTopicArn"));
    }

    #[tokio::test]
    async fn create_refuses_event_selectors_it_would_ignore() {
        let mut p = props();
        p["EventSelectors"] = json!([{"ReadWriteType": "All"}]);
        let e = create(&MockCloudTrailApi::new(), &request(p))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
    }

    #[tokio::test]
    async fn read_gives_back_the_created_properties_and_the_key_as_given() {
        let mut api = MockCloudTrailApi::new();
        api.expect_get_trail().returning(|n| Ok(info(n)));
        api.expect_is_logging().returning(|_| Ok(true));
        api.expect_list_tags().returning(|_| Ok(vec![]));
        let s = read(&api, "t1", &props()).await.unwrap();
        for (k, v) in props().as_object().unwrap() {
            assert_eq!(&s.properties[k], v, "{k}");
        }
        // Given as a key id, the key id comes back.
        let mut by_id = props();
        by_id["KMSKeyId"] = json!("1234abcd-12ab-34cd-56ef-1234567890ab");
        let s = read(&api, "t1", &by_id).await.unwrap();
        assert_eq!(s.properties["KMSKeyId"], by_id["KMSKeyId"]);
    }

    #[tokio::test]
    async fn update_sends_only_the_changes_and_stops_logging() {
        let mut api = MockCloudTrailApi::new();
        api.expect_update_trail()
            .withf(|s| {
                s.enable_log_file_validation == Some(false)
                    && s.kms_key_id.as_deref() == Some("")
                    && s.is_multi_region_trail.is_none()
            })
            .times(1)
            .returning(|s| Ok(info(&s.name)));
        api.expect_stop_logging()
            .with(eq("t1"))
            .times(1)
            .returning(|_| Ok(()));
        api.expect_add_tags()
            .withf(|_, tags| *tags == [("team".to_owned(), "sec".to_owned())])
            .times(1)
            .returning(|_, _| Ok(()));
        let mut next = props();
        next["EnableLogFileValidation"] = json!(false);
        next["IsLogging"] = json!(false);
        next.as_object_mut().unwrap().remove("KMSKeyId");
        next["Tags"] = json!([{"Key": "team", "Value": "sec"}]);
        let request = UpdateRequest {
            type_name: TYPE.into(),
            physical_id: "t1".into(),
            previous: props(),
            properties: next,
        };
        update(&api, &request).await.unwrap();
    }

    #[tokio::test]
    async fn find_is_none_when_no_trail_has_the_name() {
        let mut api = MockCloudTrailApi::new();
        api.expect_get_trail()
            .with(eq("S-Trail-1234"))
            .returning(|_| Err(ProviderError::new(ErrorCode::NotFound, "no trail")));
        assert!(find(&api, &request(props())).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn delete_of_a_gone_trail_is_not_found() {
        let mut api = MockCloudTrailApi::new();
        api.expect_get_trail()
            .returning(|_| Err(ProviderError::new(ErrorCode::NotFound, "no trail")));
        api.expect_delete_trail().never();
        assert_eq!(
            delete(&api, "t1").await.unwrap_err().code,
            ErrorCode::NotFound
        );
    }
}
