//! AWS Config recorders and delivery channels (here), rules and aggregators ([`rules`]).
//!
//! A region has at most one recorder and one delivery channel. As CloudFormation does, the
//! recorder is started when both exist: on recorder create when a channel exists, and on
//! channel create; deleting the channel stops it (AWS Config refuses to delete the channel
//! of a recording recorder).

mod rules;

use async_trait::async_trait;
use landform_deploy::{
    CreateRequest, ErrorCode, ProviderError, ResourceState, Session, UpdateRequest,
};
use serde_json::{json, Value as Json};

use super::guardduty::refuse_unsupported;
use super::{boolean, string, strings, unknown, ClientSource, Family};
use crate::api::{ConfigApi, DeliveryChannelSpec, RecorderSpec};

const RECORDER: &str = "AWS::Config::ConfigurationRecorder";
const CHANNEL: &str = "AWS::Config::DeliveryChannel";
const RULE: &str = "AWS::Config::ConfigRule";
const AGGREGATOR: &str = "AWS::Config::ConfigurationAggregator";

/// AWS Config recorders, delivery channels, rules and aggregators.
pub(super) struct Config;

/// The name of a singleton: the `Name` property, else the engine's physical name.
fn name(request: &CreateRequest) -> String {
    string(&request.properties, "Name").unwrap_or_else(|| request.physical_name.clone())
}

fn state(name: &str, attributes: &[(&str, Json)], properties: Json) -> ResourceState {
    let attributes = attributes
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    ResourceState::ready(name, attributes, properties)
}

fn recorder_spec(name: &str, p: &Json) -> Result<RecorderSpec, ProviderError> {
    refuse_unsupported(RECORDER, p, &["Name", "RoleARN", "RecordingGroup"])?;
    let group = p.get("RecordingGroup").cloned().unwrap_or(Json::Null);
    if !group.is_null() {
        refuse_unsupported(
            &format!("{RECORDER} RecordingGroup"),
            &group,
            &[
                "AllSupported",
                "IncludeGlobalResourceTypes",
                "ResourceTypes",
            ],
        )?;
    }
    let resource_types = strings(&group, "ResourceTypes");
    Ok(RecorderSpec {
        name: name.to_owned(),
        role_arn: string(p, "RoleARN").ok_or_else(|| super::required(RECORDER, "RoleARN"))?,
        // Without a group AWS Config records every supported type.
        all_supported: boolean(group.get("AllSupported"))
            .unwrap_or(group.is_null() || resource_types.is_empty()),
        include_global_resource_types: boolean(group.get("IncludeGlobalResourceTypes"))
            .unwrap_or(false),
        resource_types,
    })
}

fn recorder_properties(r: &RecorderSpec) -> Json {
    let mut group = serde_json::Map::new();
    group.insert("AllSupported".into(), json!(r.all_supported));
    group.insert(
        "IncludeGlobalResourceTypes".into(),
        json!(r.include_global_resource_types),
    );
    if !r.resource_types.is_empty() {
        group.insert("ResourceTypes".into(), json!(r.resource_types));
    }
    json!({"Name": r.name, "RoleARN": r.role_arn, "RecordingGroup": group})
}

fn channel_spec(name: &str, p: &Json) -> Result<DeliveryChannelSpec, ProviderError> {
    refuse_unsupported(
        CHANNEL,
        p,
        &[
            "Name",
            "S3BucketName",
            "S3KeyPrefix",
            "S3KmsKeyArn",
            "SnsTopicARN",
            "ConfigSnapshotDeliveryProperties",
        ],
    )?;
    Ok(DeliveryChannelSpec {
        name: name.to_owned(),
        s3_bucket_name: string(p, "S3BucketName")
            .ok_or_else(|| super::required(CHANNEL, "S3BucketName"))?,
        s3_key_prefix: string(p, "S3KeyPrefix"),
        s3_kms_key_arn: string(p, "S3KmsKeyArn"),
        sns_topic_arn: string(p, "SnsTopicARN"),
        delivery_frequency: p
            .get("ConfigSnapshotDeliveryProperties")
            .and_then(|d| string(d, "DeliveryFrequency")),
    })
}

fn channel_properties(c: &DeliveryChannelSpec) -> Json {
    let mut p = serde_json::Map::new();
    p.insert("Name".into(), json!(c.name));
    p.insert("S3BucketName".into(), json!(c.s3_bucket_name));
    let optional = [
        ("S3KeyPrefix", &c.s3_key_prefix),
        ("S3KmsKeyArn", &c.s3_kms_key_arn),
        ("SnsTopicARN", &c.sns_topic_arn),
    ];
    for (k, v) in optional {
        if let Some(v) = v {
            p.insert(k.into(), json!(v));
        }
    }
    if let Some(f) = &c.delivery_frequency {
        p.insert(
            "ConfigSnapshotDeliveryProperties".into(),
            json!({ "DeliveryFrequency": f }),
        );
    }
    Json::Object(p)
}

async fn recorder_state(api: &dyn ConfigApi, name: &str) -> Result<ResourceState, ProviderError> {
    let recorder = api
        .describe_configuration_recorders()
        .await?
        .into_iter()
        .find(|r| r.name == name)
        .ok_or_else(|| {
            ProviderError::new(
                ErrorCode::NotFound,
                format!("no configuration recorder {name}"),
            )
        })?;
    let recording = api.recorder_is_recording(name).await?;
    Ok(state(
        name,
        // Not a CloudFormation attribute: whether the recorder records, for the reader.
        &[("Recording", json!(recording))],
        recorder_properties(&recorder),
    ))
}

async fn channel_state(api: &dyn ConfigApi, name: &str) -> Result<ResourceState, ProviderError> {
    let channel = api
        .describe_delivery_channels()
        .await?
        .into_iter()
        .find(|c| c.name == name)
        .ok_or_else(|| {
            ProviderError::new(ErrorCode::NotFound, format!("no delivery channel {name}"))
        })?;
    Ok(state(name, &[], channel_properties(&channel)))
}

/// Start every recorder of the region that is not recording.
async fn start_recorders(api: &dyn ConfigApi) -> Result<(), ProviderError> {
    for r in api.describe_configuration_recorders().await? {
        if !api.recorder_is_recording(&r.name).await? {
            api.start_configuration_recorder(&r.name).await?;
        }
    }
    Ok(())
}

/// Stop every recording recorder of the region.
async fn stop_recorders(api: &dyn ConfigApi) -> Result<(), ProviderError> {
    for r in api.describe_configuration_recorders().await? {
        if api.recorder_is_recording(&r.name).await? {
            api.stop_configuration_recorder(&r.name).await?;
        }
    }
    Ok(())
}

pub(super) async fn create_recorder(
    api: &dyn ConfigApi,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let name = name(request);
    api.put_configuration_recorder(&recorder_spec(&name, &request.properties)?)
        .await?;
    let recording = !api.describe_delivery_channels().await?.is_empty();
    if recording {
        api.start_configuration_recorder(&name).await?;
    }
    Ok(state(
        &name,
        &[("Recording", json!(recording))],
        request.properties.clone(),
    ))
}

pub(super) async fn create_channel(
    api: &dyn ConfigApi,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let name = name(request);
    api.put_delivery_channel(&channel_spec(&name, &request.properties)?)
        .await?;
    start_recorders(api).await?;
    Ok(state(&name, &[], request.properties.clone()))
}

/// The recorder or channel `find` adopts: the one of the same name, or when the template
/// names none, the region's one (there is at most one).
fn adopt(names: Vec<String>, request: &CreateRequest) -> Option<String> {
    let wanted = name(request);
    let named = string(&request.properties, "Name").is_some();
    names
        .iter()
        .find(|n| **n == wanted)
        .or_else(|| if named { None } else { names.first() })
        .cloned()
}

#[async_trait]
impl Family for Config {
    fn types(&self) -> &'static [&'static str] {
        &[RECORDER, CHANNEL, RULE, AGGREGATOR]
    }
    fn permissions(&self, type_name: &str) -> &'static [&'static str] {
        match type_name {
            RECORDER => &[
                "config:PutConfigurationRecorder",
                "config:DescribeConfigurationRecorders",
                "config:DescribeConfigurationRecorderStatus",
                "config:DescribeDeliveryChannels",
                "config:StartConfigurationRecorder",
                "config:StopConfigurationRecorder",
                "config:DeleteConfigurationRecorder",
                // PutConfigurationRecorder hands AWS Config the recorder's role.
                "iam:PassRole",
            ],
            CHANNEL => &[
                "config:PutDeliveryChannel",
                "config:DescribeDeliveryChannels",
                "config:DeleteDeliveryChannel",
                "config:DescribeConfigurationRecorders",
                "config:DescribeConfigurationRecorderStatus",
                "config:StartConfigurationRecorder",
                "config:StopConfigurationRecorder",
            ],
            RULE => &[
                "config:PutConfigRule",
                "config:DescribeConfigRules",
                "config:DeleteConfigRule",
            ],
            AGGREGATOR => &[
                "config:PutConfigurationAggregator",
                "config:DescribeConfigurationAggregators",
                "config:DeleteConfigurationAggregator",
                // An organization source: AWS Config checks the caller may pass the role
                // and read the organization.
                "iam:PassRole",
                "organizations:DescribeOrganization",
                "organizations:EnableAWSServiceAccess",
                "organizations:ListDelegatedAdministrators",
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
        let api = clients.config(session).await?;
        match request.type_name.as_str() {
            RECORDER => create_recorder(&*api, request).await,
            CHANNEL => create_channel(&*api, request).await,
            RULE => rules::create_rule(&*api, request).await,
            AGGREGATOR => rules::create_aggregator(&*api, request).await,
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
        let api = clients.config(session).await?;
        match type_name {
            RECORDER => recorder_state(&*api, physical_id).await,
            CHANNEL => channel_state(&*api, physical_id).await,
            RULE => rules::read_rule(&*api, physical_id, properties).await,
            AGGREGATOR => rules::read_aggregator(&*api, physical_id, properties).await,
            other => Err(unknown(other)),
        }
    }
    async fn update(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &UpdateRequest,
    ) -> Result<ResourceState, ProviderError> {
        let api = clients.config(session).await?;
        let (id, next) = (&request.physical_id, &request.properties);
        match request.type_name.as_str() {
            RECORDER => {
                api.put_configuration_recorder(&recorder_spec(id, next)?)
                    .await?;
                recorder_state(&*api, id).await.map(|s| ResourceState {
                    properties: next.clone(),
                    ..s
                })
            }
            CHANNEL => {
                api.put_delivery_channel(&channel_spec(id, next)?).await?;
                Ok(state(id, &[], next.clone()))
            }
            RULE => rules::update_rule(&*api, request).await,
            AGGREGATOR => rules::update_aggregator(&*api, request).await,
            other => Err(unknown(other)),
        }
    }
    async fn delete(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        type_name: &str,
        physical_id: &str,
        _properties: &Json,
    ) -> Result<(), ProviderError> {
        let api = clients.config(session).await?;
        match type_name {
            RECORDER => {
                if api.recorder_is_recording(physical_id).await? {
                    api.stop_configuration_recorder(physical_id).await?;
                }
                api.delete_configuration_recorder(physical_id).await
            }
            CHANNEL => {
                channel_state(&*api, physical_id).await?;
                stop_recorders(&*api).await?;
                api.delete_delivery_channel(physical_id).await
            }
            RULE => api.delete_config_rule(physical_id).await,
            AGGREGATOR => api.delete_configuration_aggregator(physical_id).await,
            other => Err(unknown(other)),
        }
    }
    async fn find(
        &self,
        clients: &dyn ClientSource,
        session: &Session,
        request: &CreateRequest,
    ) -> Result<Option<ResourceState>, ProviderError> {
        let api = clients.config(session).await?;
        match request.type_name.as_str() {
            RECORDER => {
                let names = api
                    .describe_configuration_recorders()
                    .await?
                    .into_iter()
                    .map(|r| r.name)
                    .collect();
                match adopt(names, request) {
                    Some(n) => recorder_state(&*api, &n).await.map(Some),
                    None => Ok(None),
                }
            }
            CHANNEL => {
                let names = api
                    .describe_delivery_channels()
                    .await?
                    .into_iter()
                    .map(|c| c.name)
                    .collect();
                match adopt(names, request) {
                    Some(n) => channel_state(&*api, &n).await.map(Some),
                    None => Ok(None),
                }
            }
            RULE => rules::find_rule(&*api, request).await,
            AGGREGATOR => rules::find_aggregator(&*api, request).await,
            other => Err(unknown(other)),
        }
    }
}

#[cfg(test)]
mod tests;
