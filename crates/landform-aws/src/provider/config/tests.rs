//! Unit tests of the AWS Config handlers against a mocked [`ConfigApi`].

use landform_deploy::{CreateRequest, ErrorCode, ProviderError, UpdateRequest};
use mockall::predicate::eq;
use mockall::Sequence;
use serde_json::{json, Value as Json};

use super::*;
use crate::api::{
    AggregatorInfo, AggregatorSpec, ConfigRuleInfo, ConfigRuleSpec, MockConfigApi,
    OrganizationSourceSpec,
};

fn request(type_name: &str, props: Json) -> CreateRequest {
    CreateRequest {
        type_name: type_name.into(),
        stack: "S".into(),
        logical_id: "Thing".into(),
        properties: props,
        physical_name: "S-Thing-1234".into(),
        idempotency_key: "S/Thing".into(),
    }
}

fn recorder_props() -> Json {
    json!({
        "RecordingGroup": {"AllSupported": true, "IncludeGlobalResourceTypes": true},
        "RoleARN": "arn:aws:iam::111111111111:role/config",
    })
}

fn channel(name: &str) -> DeliveryChannelSpec {
    DeliveryChannelSpec {
        name: name.into(),
        s3_bucket_name: "central-logs".into(),
        ..DeliveryChannelSpec::default()
    }
}

fn recorder(name: &str) -> RecorderSpec {
    RecorderSpec {
        name: name.into(),
        role_arn: "arn:aws:iam::111111111111:role/config".into(),
        all_supported: true,
        include_global_resource_types: true,
        resource_types: vec![],
    }
}

#[tokio::test]
async fn a_recorder_starts_when_a_delivery_channel_exists() {
    let mut api = MockConfigApi::new();
    let mut seq = Sequence::new();
    api.expect_put_configuration_recorder()
        .withf(|s| s.name == "S-Thing-1234" && s.all_supported && s.include_global_resource_types)
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(()));
    api.expect_describe_delivery_channels()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|| Ok(vec![channel("default")]));
    api.expect_start_configuration_recorder()
        .with(eq("S-Thing-1234"))
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(()));
    let s = create_recorder(&api, &request(RECORDER, recorder_props()))
        .await
        .unwrap();
    assert_eq!(s.physical_id, "S-Thing-1234");
    assert_eq!(s.attributes["Recording"], json!(true));
}

#[tokio::test]
async fn a_recorder_without_a_channel_is_not_started() {
    let mut api = MockConfigApi::new();
    api.expect_put_configuration_recorder()
        .returning(|_| Ok(()));
    api.expect_describe_delivery_channels()
        .returning(|| Ok(vec![]));
    api.expect_start_configuration_recorder().never();
    create_recorder(&api, &request(RECORDER, recorder_props()))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_channel_create_starts_the_stopped_recorder() {
    let mut api = MockConfigApi::new();
    let mut seq = Sequence::new();
    api.expect_put_delivery_channel()
        .withf(|c| {
            c.name == "S-Thing-1234" && c.delivery_frequency.as_deref() == Some("TwentyFour_Hours")
        })
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(()));
    api.expect_describe_configuration_recorders()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|| Ok(vec![recorder("default")]));
    api.expect_recorder_is_recording()
        .with(eq("default"))
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(false));
    api.expect_start_configuration_recorder()
        .with(eq("default"))
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(()));
    let props = json!({"S3BucketName": "central-logs",
        "ConfigSnapshotDeliveryProperties": {"DeliveryFrequency": "TwentyFour_Hours"}});
    create_channel(&api, &request(CHANNEL, props))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_channel_delete_stops_the_recorder_first() {
    let mut api = MockConfigApi::new();
    let mut seq = Sequence::new();
    api.expect_describe_delivery_channels()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|| Ok(vec![channel("c1")]));
    api.expect_describe_configuration_recorders()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|| Ok(vec![recorder("default")]));
    api.expect_recorder_is_recording()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(true));
    api.expect_stop_configuration_recorder()
        .with(eq("default"))
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(()));
    api.expect_delete_delivery_channel()
        .with(eq("c1"))
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(()));
    let clients = Mocked(std::sync::Arc::new(api));
    Config
        .delete(
            &clients,
            &Session::new("1", "r"),
            CHANNEL,
            "c1",
            &Json::Null,
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_gone_channel_is_not_found() {
    let mut api = MockConfigApi::new();
    api.expect_describe_delivery_channels()
        .returning(|| Ok(vec![]));
    api.expect_delete_delivery_channel().never();
    let clients = Mocked(std::sync::Arc::new(api));
    let e = Config
        .delete(
            &clients,
            &Session::new("1", "r"),
            CHANNEL,
            "c1",
            &Json::Null,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn find_adopts_the_region_recorder_only_when_the_template_names_none() {
    let mut api = MockConfigApi::new();
    api.expect_describe_configuration_recorders()
        .returning(|| Ok(vec![recorder("default")]));
    api.expect_recorder_is_recording().returning(|_| Ok(true));
    let clients = Mocked(std::sync::Arc::new(api));
    let session = Session::new("1", "r");
    let unnamed = request(RECORDER, recorder_props());
    let found = Config.find(&clients, &session, &unnamed).await.unwrap();
    let found = found.unwrap();
    assert_eq!(found.physical_id, "default");
    assert_eq!(
        found.properties["RecordingGroup"],
        recorder_props()["RecordingGroup"]
    );

    let mut named = recorder_props();
    named["Name"] = json!("mine");
    let none = Config
        .find(&clients, &session, &request(RECORDER, named))
        .await
        .unwrap();
    assert!(none.is_none());
}

fn rule_info(spec: ConfigRuleSpec) -> ConfigRuleInfo {
    ConfigRuleInfo {
        spec,
        arn: "arn:aws:config:us-east-1:111111111111:config-rule/config-rule-abc123".into(),
        id: "config-rule-abc123".into(),
    }
}

#[tokio::test]
async fn a_rule_sends_its_parameters_as_a_string_and_reads_back_the_template_form() {
    let mut api = MockConfigApi::new();
    api.expect_put_config_rule()
        .withf(|s| {
            s.name == "access-keys-rotated"
                && s.owner == "AWS"
                && s.input_parameters.as_deref() == Some(r#"{"maxAccessKeyAge":"90"}"#)
                && s.maximum_execution_frequency.as_deref() == Some("TwentyFour_Hours")
        })
        .times(1)
        .returning(|_| Ok(()));
    api.expect_describe_config_rule()
        .with(eq("access-keys-rotated"))
        .returning(|_| {
            Ok(rule_info(ConfigRuleSpec {
                name: "access-keys-rotated".into(),
                owner: "AWS".into(),
                source_identifier: Some("ACCESS_KEYS_ROTATED".into()),
                input_parameters: Some(r#"{"maxAccessKeyAge": "90"}"#.into()),
                maximum_execution_frequency: Some("TwentyFour_Hours".into()),
                ..ConfigRuleSpec::default()
            }))
        });
    let props = json!({
        "ConfigRuleName": "access-keys-rotated",
        "Source": {"Owner": "AWS", "SourceIdentifier": "ACCESS_KEYS_ROTATED"},
        "InputParameters": {"maxAccessKeyAge": "90"},
        "MaximumExecutionFrequency": "TwentyFour_Hours",
    });
    let created = rules::create_rule(&api, &request(RULE, props.clone()))
        .await
        .unwrap();
    assert_eq!(
        created.attributes["ConfigRuleId"],
        json!("config-rule-abc123")
    );
    assert_eq!(
        created.attributes["Compliance.Type"],
        json!("INSUFFICIENT_DATA")
    );
    let read = rules::read_rule(&api, "access-keys-rotated", &props)
        .await
        .unwrap();
    assert_eq!(read.properties, props);

    // Written as a string in the template, the same string comes back.
    let mut as_string = props.clone();
    as_string["InputParameters"] = json!(r#"{"maxAccessKeyAge":"90"}"#);
    let read = rules::read_rule(&api, "access-keys-rotated", &as_string)
        .await
        .unwrap();
    assert_eq!(read.properties, as_string);
}

#[tokio::test]
async fn find_of_a_missing_rule_is_none() {
    let mut api = MockConfigApi::new();
    api.expect_describe_config_rule()
        .returning(|_| Err(ProviderError::new(ErrorCode::NotFound, "no rule")));
    let props = json!({"Source": {"Owner": "AWS", "SourceIdentifier": "X"}});
    assert!(rules::find_rule(&api, &request(RULE, props))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn an_organization_aggregator_round_trips() {
    let mut api = MockConfigApi::new();
    let stored = AggregatorInfo {
        spec: AggregatorSpec {
            name: "landform-organization".into(),
            account_sources: vec![],
            organization_source: Some(OrganizationSourceSpec {
                role_arn: "arn:aws:iam::111111111111:role/agg".into(),
                all_aws_regions: true,
                aws_regions: vec![],
            }),
        },
        arn: "arn:aws:config:us-east-1:111111111111:config-aggregator/config-aggregator-x".into(),
    };
    let put = stored.clone();
    api.expect_put_configuration_aggregator()
        .withf(|s| {
            s.organization_source
                .as_ref()
                .is_some_and(|o| o.all_aws_regions && o.role_arn.ends_with("role/agg"))
        })
        .times(1)
        .returning(move |_| Ok(put.clone()));
    api.expect_describe_configuration_aggregator()
        .returning(move |_| Ok(stored.clone()));
    let props = json!({
        "ConfigurationAggregatorName": "landform-organization",
        "OrganizationAggregationSource": {
            "AllAwsRegions": true, "RoleArn": "arn:aws:iam::111111111111:role/agg"},
    });
    let created = rules::create_aggregator(&api, &request(AGGREGATOR, props.clone()))
        .await
        .unwrap();
    assert!(created.attributes["ConfigurationAggregatorArn"]
        .as_str()
        .unwrap()
        .contains("config-aggregator/"));
    let read = rules::read_aggregator(&api, "landform-organization", &props)
        .await
        .unwrap();
    assert_eq!(read.properties, props);
}

#[tokio::test]
async fn a_recorder_update_puts_the_new_group() {
    let mut api = MockConfigApi::new();
    api.expect_put_configuration_recorder()
        .withf(|s| s.name == "default" && !s.include_global_resource_types)
        .times(1)
        .returning(|_| Ok(()));
    api.expect_describe_configuration_recorders()
        .returning(|| Ok(vec![recorder("default")]));
    api.expect_recorder_is_recording().returning(|_| Ok(true));
    let mut next = recorder_props();
    next["RecordingGroup"]["IncludeGlobalResourceTypes"] = json!(false);
    let clients = Mocked(std::sync::Arc::new(api));
    let request = UpdateRequest {
        type_name: RECORDER.into(),
        physical_id: "default".into(),
        previous: recorder_props(),
        properties: next.clone(),
    };
    let s = Config
        .update(&clients, &Session::new("1", "r"), &request)
        .await
        .unwrap();
    assert_eq!(s.properties, next);
}

/// A client source handing out one mocked [`ConfigApi`].
struct Mocked(std::sync::Arc<MockConfigApi>);

#[async_trait]
impl ClientSource for Mocked {
    async fn s3(
        &self,
        _: &Session,
    ) -> Result<std::sync::Arc<dyn crate::api::S3Api>, ProviderError> {
        Err(unknown("s3"))
    }
    async fn dynamodb(
        &self,
        _: &Session,
    ) -> Result<std::sync::Arc<dyn crate::api::DynamoDbApi>, ProviderError> {
        Err(unknown("dynamodb"))
    }
    async fn iam(
        &self,
        _: &Session,
    ) -> Result<std::sync::Arc<dyn crate::api::IamApi>, ProviderError> {
        Err(unknown("iam"))
    }
    async fn organizations(
        &self,
        _: &Session,
    ) -> Result<std::sync::Arc<dyn crate::api::OrganizationsApi>, ProviderError> {
        Err(unknown("organizations"))
    }
    async fn config(&self, _: &Session) -> Result<std::sync::Arc<dyn ConfigApi>, ProviderError> {
        Ok(self.0.clone())
    }
}
