//! The AWS Config recorder, delivery channel, rule and aggregator calls the providers make.

use async_trait::async_trait;
use aws_sdk_config::types as sdk;
use landform_deploy::ProviderError;

use crate::error::{missing, sdk_error, ErrorCode};

/// A configuration recorder, as PutConfigurationRecorder takes it and
/// DescribeConfigurationRecorders answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecorderSpec {
    /// The name (`default` when CloudFormation names it).
    pub name: String,
    /// The role AWS Config assumes.
    pub role_arn: String,
    /// Record every supported resource type.
    pub all_supported: bool,
    /// Record global (IAM) resources too.
    pub include_global_resource_types: bool,
    /// The recorded types when not all supported.
    pub resource_types: Vec<String>,
}

/// A delivery channel, as PutDeliveryChannel takes it and DescribeDeliveryChannels answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryChannelSpec {
    /// The name.
    pub name: String,
    /// The bucket receiving snapshots and history.
    pub s3_bucket_name: String,
    /// The key prefix.
    pub s3_key_prefix: Option<String>,
    /// The KMS key encrypting the objects.
    pub s3_kms_key_arn: Option<String>,
    /// The SNS topic notified.
    pub sns_topic_arn: Option<String>,
    /// `ConfigSnapshotDeliveryProperties.DeliveryFrequency` (`TwentyFour_Hours`...).
    pub delivery_frequency: Option<String>,
}

/// What triggers a custom rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceDetailSpec {
    /// `aws.config`.
    pub event_source: Option<String>,
    /// `ConfigurationItemChangeNotification`, `ScheduledNotification`...
    pub message_type: Option<String>,
    /// The period of a scheduled trigger.
    pub maximum_execution_frequency: Option<String>,
}

/// The resources a rule evaluates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeSpec {
    /// Resource types (`AWS::EC2::SecurityGroup`).
    pub compliance_resource_types: Vec<String>,
    /// A tag key.
    pub tag_key: Option<String>,
    /// A tag value.
    pub tag_value: Option<String>,
    /// One resource id.
    pub compliance_resource_id: Option<String>,
}

/// A config rule, as PutConfigRule takes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigRuleSpec {
    /// The name.
    pub name: String,
    /// The description.
    pub description: Option<String>,
    /// `AWS` (managed), `CUSTOM_LAMBDA`.
    pub owner: String,
    /// The managed rule identifier or the Lambda ARN.
    pub source_identifier: Option<String>,
    /// The triggers of a custom rule.
    pub source_details: Vec<SourceDetailSpec>,
    /// The parameters, a JSON object as a string.
    pub input_parameters: Option<String>,
    /// The period of a periodic rule.
    pub maximum_execution_frequency: Option<String>,
    /// What it evaluates.
    pub scope: Option<ScopeSpec>,
}

/// A config rule as DescribeConfigRules answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigRuleInfo {
    /// The rule.
    pub spec: ConfigRuleSpec,
    /// Its ARN.
    pub arn: String,
    /// Its id (`config-rule-...`).
    pub id: String,
}

/// Accounts an aggregator collects from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountSourceSpec {
    /// The account ids.
    pub account_ids: Vec<String>,
    /// Every region.
    pub all_aws_regions: bool,
    /// The regions when not all.
    pub aws_regions: Vec<String>,
}

/// The organization an aggregator collects from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganizationSourceSpec {
    /// The role AWS Config assumes to list the organization's accounts.
    pub role_arn: String,
    /// Every region.
    pub all_aws_regions: bool,
    /// The regions when not all.
    pub aws_regions: Vec<String>,
}

/// A configuration aggregator, as PutConfigurationAggregator takes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AggregatorSpec {
    /// The name.
    pub name: String,
    /// Account sources (at most one).
    pub account_sources: Vec<AccountSourceSpec>,
    /// The organization source.
    pub organization_source: Option<OrganizationSourceSpec>,
}

/// A configuration aggregator as AWS Config answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AggregatorInfo {
    /// The aggregator.
    pub spec: AggregatorSpec,
    /// Its ARN.
    pub arn: String,
}

/// The AWS Config recorder, delivery channel, rule and aggregator calls of the providers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait ConfigApi: Send + Sync {
    /// PutConfigurationRecorder (creates or replaces).
    async fn put_configuration_recorder(&self, spec: &RecorderSpec) -> Result<(), ProviderError>;
    /// DescribeConfigurationRecorders: every recorder of the region (there is at most one).
    async fn describe_configuration_recorders(&self) -> Result<Vec<RecorderSpec>, ProviderError>;
    /// DescribeConfigurationRecorderStatus: whether `name` is recording. NotFound when gone.
    async fn recorder_is_recording(&self, name: &str) -> Result<bool, ProviderError>;
    /// StartConfigurationRecorder.
    async fn start_configuration_recorder(&self, name: &str) -> Result<(), ProviderError>;
    /// StopConfigurationRecorder.
    async fn stop_configuration_recorder(&self, name: &str) -> Result<(), ProviderError>;
    /// DeleteConfigurationRecorder.
    async fn delete_configuration_recorder(&self, name: &str) -> Result<(), ProviderError>;
    /// PutDeliveryChannel (creates or replaces).
    async fn put_delivery_channel(&self, spec: &DeliveryChannelSpec) -> Result<(), ProviderError>;
    /// DescribeDeliveryChannels: every channel of the region (there is at most one).
    async fn describe_delivery_channels(&self) -> Result<Vec<DeliveryChannelSpec>, ProviderError>;
    /// DeleteDeliveryChannel.
    async fn delete_delivery_channel(&self, name: &str) -> Result<(), ProviderError>;
    /// PutConfigRule (creates or replaces).
    async fn put_config_rule(&self, spec: &ConfigRuleSpec) -> Result<(), ProviderError>;
    /// DescribeConfigRules for one rule. NotFound when gone.
    async fn describe_config_rule(&self, name: &str) -> Result<ConfigRuleInfo, ProviderError>;
    /// DeleteConfigRule.
    async fn delete_config_rule(&self, name: &str) -> Result<(), ProviderError>;
    /// PutConfigurationAggregator (creates or replaces): the aggregator as stored.
    async fn put_configuration_aggregator(
        &self,
        spec: &AggregatorSpec,
    ) -> Result<AggregatorInfo, ProviderError>;
    /// DescribeConfigurationAggregators for one aggregator. NotFound when gone.
    async fn describe_configuration_aggregator(
        &self,
        name: &str,
    ) -> Result<AggregatorInfo, ProviderError>;
    /// DeleteConfigurationAggregator.
    async fn delete_configuration_aggregator(&self, name: &str) -> Result<(), ProviderError>;
}

/// [`ConfigApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkConfigService(pub aws_sdk_config::Client);

/// AWS Config names each missing thing, and each one-per-region limit, with its own code.
fn config_code(e: ProviderError) -> ProviderError {
    let code = match e.service_code.as_deref() {
        Some(
            "NoSuchConfigurationRecorderException"
            | "NoSuchDeliveryChannelException"
            | "NoSuchConfigRuleException"
            | "NoSuchConfigurationAggregatorException",
        ) => ErrorCode::NotFound,
        Some(
            "MaxNumberOfConfigurationRecordersExceededException"
            | "MaxNumberOfDeliveryChannelsExceededException"
            | "MaxNumberOfConfigRulesExceededException",
        ) => ErrorCode::ServiceLimitExceeded,
        _ => return e,
    };
    ProviderError { code, ..e }
}

fn config_error<E>(
    operation: &str,
    err: aws_sdk_config::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> ProviderError
where
    E: aws_sdk_config::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    config_code(sdk_error(operation, err))
}

fn build<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, ProviderError> {
    r.map_err(|e| ProviderError::new(ErrorCode::InvalidRequest, e.to_string()))
}

fn recorder(r: sdk::ConfigurationRecorder) -> RecorderSpec {
    let group = r
        .recording_group
        .unwrap_or_else(|| sdk::RecordingGroup::builder().all_supported(true).build());
    RecorderSpec {
        name: r.name.unwrap_or_default(),
        role_arn: r.role_arn.unwrap_or_default(),
        all_supported: group.all_supported,
        include_global_resource_types: group.include_global_resource_types,
        resource_types: group
            .resource_types
            .unwrap_or_default()
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect(),
    }
}

fn channel(c: sdk::DeliveryChannel) -> DeliveryChannelSpec {
    DeliveryChannelSpec {
        name: c.name.unwrap_or_default(),
        s3_bucket_name: c.s3_bucket_name.unwrap_or_default(),
        s3_key_prefix: c.s3_key_prefix,
        s3_kms_key_arn: c.s3_kms_key_arn,
        sns_topic_arn: c.sns_topic_arn,
        delivery_frequency: c
            .config_snapshot_delivery_properties
            .and_then(|p| p.delivery_frequency)
            .map(|f| f.as_str().to_owned()),
    }
}

fn rule(r: sdk::ConfigRule) -> Result<ConfigRuleInfo, ProviderError> {
    let source = r
        .source
        .ok_or_else(|| missing("DescribeConfigRules", "Source"))?;
    Ok(ConfigRuleInfo {
        arn: r
            .config_rule_arn
            .ok_or_else(|| missing("DescribeConfigRules", "ConfigRuleArn"))?,
        id: r
            .config_rule_id
            .ok_or_else(|| missing("DescribeConfigRules", "ConfigRuleId"))?,
        spec: ConfigRuleSpec {
            name: r.config_rule_name.unwrap_or_default(),
            description: r.description.filter(|d| !d.is_empty()),
            owner: source.owner.as_str().to_owned(),
            source_identifier: source.source_identifier,
            source_details: source
                .source_details
                .unwrap_or_default()
                .into_iter()
                .map(|d| SourceDetailSpec {
                    event_source: d.event_source.map(|s| s.as_str().to_owned()),
                    message_type: d.message_type.map(|s| s.as_str().to_owned()),
                    maximum_execution_frequency: d
                        .maximum_execution_frequency
                        .map(|s| s.as_str().to_owned()),
                })
                .collect(),
            input_parameters: r.input_parameters.filter(|p| !p.is_empty()),
            maximum_execution_frequency: r
                .maximum_execution_frequency
                .map(|f| f.as_str().to_owned()),
            scope: r.scope.map(|s| ScopeSpec {
                compliance_resource_types: s.compliance_resource_types.unwrap_or_default(),
                tag_key: s.tag_key,
                tag_value: s.tag_value,
                compliance_resource_id: s.compliance_resource_id,
            }),
        },
    })
}

fn aggregator(a: sdk::ConfigurationAggregator, op: &str) -> Result<AggregatorInfo, ProviderError> {
    Ok(AggregatorInfo {
        arn: a
            .configuration_aggregator_arn
            .ok_or_else(|| missing(op, "ConfigurationAggregatorArn"))?,
        spec: AggregatorSpec {
            name: a.configuration_aggregator_name.unwrap_or_default(),
            account_sources: a
                .account_aggregation_sources
                .unwrap_or_default()
                .into_iter()
                .map(|s| AccountSourceSpec {
                    account_ids: s.account_ids,
                    all_aws_regions: s.all_aws_regions,
                    aws_regions: s.aws_regions.unwrap_or_default(),
                })
                .collect(),
            organization_source: a.organization_aggregation_source.map(|s| {
                OrganizationSourceSpec {
                    role_arn: s.role_arn,
                    all_aws_regions: s.all_aws_regions,
                    aws_regions: s.aws_regions.unwrap_or_default(),
                }
            }),
        },
    })
}

fn regions(all: bool, regions: &[String]) -> Option<Vec<String>> {
    (!all && !regions.is_empty()).then(|| regions.to_vec())
}

#[async_trait]
impl ConfigApi for SdkConfigService {
    async fn put_configuration_recorder(&self, spec: &RecorderSpec) -> Result<(), ProviderError> {
        let mut group = sdk::RecordingGroup::builder()
            .all_supported(spec.all_supported)
            .include_global_resource_types(spec.include_global_resource_types);
        for t in &spec.resource_types {
            group = group.resource_types(t.as_str().into());
        }
        let recorder = sdk::ConfigurationRecorder::builder()
            .name(&spec.name)
            .role_arn(&spec.role_arn)
            .recording_group(group.build())
            .build();
        self.0
            .put_configuration_recorder()
            .configuration_recorder(recorder)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| config_error("PutConfigurationRecorder", e))
    }
    async fn describe_configuration_recorders(&self) -> Result<Vec<RecorderSpec>, ProviderError> {
        let out = self
            .0
            .describe_configuration_recorders()
            .send()
            .await
            .map_err(|e| config_error("DescribeConfigurationRecorders", e))?;
        Ok(out
            .configuration_recorders
            .unwrap_or_default()
            .into_iter()
            .map(recorder)
            .collect())
    }
    async fn recorder_is_recording(&self, name: &str) -> Result<bool, ProviderError> {
        let out = self
            .0
            .describe_configuration_recorder_status()
            .configuration_recorder_names(name)
            .send()
            .await
            .map_err(|e| config_error("DescribeConfigurationRecorderStatus", e))?;
        Ok(out
            .configuration_recorders_status
            .unwrap_or_default()
            .iter()
            .any(|s| s.name.as_deref() == Some(name) && s.recording))
    }
    async fn start_configuration_recorder(&self, name: &str) -> Result<(), ProviderError> {
        self.0
            .start_configuration_recorder()
            .configuration_recorder_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| config_error("StartConfigurationRecorder", e))
    }
    async fn stop_configuration_recorder(&self, name: &str) -> Result<(), ProviderError> {
        self.0
            .stop_configuration_recorder()
            .configuration_recorder_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| config_error("StopConfigurationRecorder", e))
    }
    async fn delete_configuration_recorder(&self, name: &str) -> Result<(), ProviderError> {
        self.0
            .delete_configuration_recorder()
            .configuration_recorder_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| config_error("DeleteConfigurationRecorder", e))
    }
    async fn put_delivery_channel(&self, spec: &DeliveryChannelSpec) -> Result<(), ProviderError> {
        let channel = sdk::DeliveryChannel::builder()
            .name(&spec.name)
            .s3_bucket_name(&spec.s3_bucket_name)
            .set_s3_key_prefix(spec.s3_key_prefix.clone())
            .set_s3_kms_key_arn(spec.s3_kms_key_arn.clone())
            .set_sns_topic_arn(spec.sns_topic_arn.clone())
            .set_config_snapshot_delivery_properties(spec.delivery_frequency.as_deref().map(|f| {
                sdk::ConfigSnapshotDeliveryProperties::builder()
                    .delivery_frequency(f.into())
                    .build()
            }))
            .build();
        self.0
            .put_delivery_channel()
            .delivery_channel(channel)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| config_error("PutDeliveryChannel", e))
    }
    async fn describe_delivery_channels(&self) -> Result<Vec<DeliveryChannelSpec>, ProviderError> {
        let out = self
            .0
            .describe_delivery_channels()
            .send()
            .await
            .map_err(|e| config_error("DescribeDeliveryChannels", e))?;
        Ok(out
            .delivery_channels
            .unwrap_or_default()
            .into_iter()
            .map(channel)
            .collect())
    }
    async fn delete_delivery_channel(&self, name: &str) -> Result<(), ProviderError> {
        self.0
            .delete_delivery_channel()
            .delivery_channel_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| config_error("DeleteDeliveryChannel", e))
    }
    async fn put_config_rule(&self, spec: &ConfigRuleSpec) -> Result<(), ProviderError> {
        let mut source = sdk::Source::builder()
            .owner(spec.owner.as_str().into())
            .set_source_identifier(spec.source_identifier.clone());
        for d in &spec.source_details {
            source = source.source_details(
                sdk::SourceDetail::builder()
                    .set_event_source(d.event_source.as_deref().map(Into::into))
                    .set_message_type(d.message_type.as_deref().map(Into::into))
                    .set_maximum_execution_frequency(
                        d.maximum_execution_frequency.as_deref().map(Into::into),
                    )
                    .build(),
            );
        }
        let scope = spec.scope.as_ref().map(|s| {
            sdk::Scope::builder()
                .set_compliance_resource_types(
                    (!s.compliance_resource_types.is_empty())
                        .then(|| s.compliance_resource_types.clone()),
                )
                .set_tag_key(s.tag_key.clone())
                .set_tag_value(s.tag_value.clone())
                .set_compliance_resource_id(s.compliance_resource_id.clone())
                .build()
        });
        let rule = sdk::ConfigRule::builder()
            .config_rule_name(&spec.name)
            .set_description(spec.description.clone())
            .source(build(source.build())?)
            .set_input_parameters(spec.input_parameters.clone())
            .set_maximum_execution_frequency(
                spec.maximum_execution_frequency.as_deref().map(Into::into),
            )
            .set_scope(scope)
            .build();
        self.0
            .put_config_rule()
            .config_rule(rule)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| config_error("PutConfigRule", e))
    }
    async fn describe_config_rule(&self, name: &str) -> Result<ConfigRuleInfo, ProviderError> {
        let out = self
            .0
            .describe_config_rules()
            .config_rule_names(name)
            .send()
            .await
            .map_err(|e| config_error("DescribeConfigRules", e))?;
        let found = out
            .config_rules
            .unwrap_or_default()
            .into_iter()
            .find(|r| r.config_rule_name.as_deref() == Some(name))
            .ok_or_else(|| {
                ProviderError::new(ErrorCode::NotFound, format!("no config rule {name}"))
            })?;
        rule(found)
    }
    async fn delete_config_rule(&self, name: &str) -> Result<(), ProviderError> {
        self.0
            .delete_config_rule()
            .config_rule_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| config_error("DeleteConfigRule", e))
    }
    async fn put_configuration_aggregator(
        &self,
        spec: &AggregatorSpec,
    ) -> Result<AggregatorInfo, ProviderError> {
        let mut call = self
            .0
            .put_configuration_aggregator()
            .configuration_aggregator_name(&spec.name);
        for s in &spec.account_sources {
            call = call.account_aggregation_sources(build(
                sdk::AccountAggregationSource::builder()
                    .set_account_ids(Some(s.account_ids.clone()))
                    .all_aws_regions(s.all_aws_regions)
                    .set_aws_regions(regions(s.all_aws_regions, &s.aws_regions))
                    .build(),
            )?);
        }
        if let Some(s) = &spec.organization_source {
            call = call.organization_aggregation_source(build(
                sdk::OrganizationAggregationSource::builder()
                    .role_arn(&s.role_arn)
                    .all_aws_regions(s.all_aws_regions)
                    .set_aws_regions(regions(s.all_aws_regions, &s.aws_regions))
                    .build(),
            )?);
        }
        let out = call
            .send()
            .await
            .map_err(|e| config_error("PutConfigurationAggregator", e))?;
        aggregator(
            out.configuration_aggregator
                .ok_or_else(|| missing("PutConfigurationAggregator", "ConfigurationAggregator"))?,
            "PutConfigurationAggregator",
        )
    }
    async fn describe_configuration_aggregator(
        &self,
        name: &str,
    ) -> Result<AggregatorInfo, ProviderError> {
        let out = self
            .0
            .describe_configuration_aggregators()
            .configuration_aggregator_names(name)
            .send()
            .await
            .map_err(|e| config_error("DescribeConfigurationAggregators", e))?;
        let found = out
            .configuration_aggregators
            .unwrap_or_default()
            .into_iter()
            .find(|a| a.configuration_aggregator_name.as_deref() == Some(name))
            .ok_or_else(|| {
                ProviderError::new(ErrorCode::NotFound, format!("no aggregator {name}"))
            })?;
        aggregator(found, "DescribeConfigurationAggregators")
    }
    async fn delete_configuration_aggregator(&self, name: &str) -> Result<(), ProviderError> {
        self.0
            .delete_configuration_aggregator()
            .configuration_aggregator_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| config_error("DeleteConfigurationAggregator", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_codes_map_to_the_handler_contract() {
        let e = |c: &str| {
            config_code(
                ProviderError::new(ErrorCode::GeneralServiceException, "x").with_service_code(c),
            )
            .code
        };
        assert_eq!(e("NoSuchDeliveryChannelException"), ErrorCode::NotFound);
        assert_eq!(e("NoSuchConfigRuleException"), ErrorCode::NotFound);
        assert_eq!(
            e("MaxNumberOfConfigurationRecordersExceededException"),
            ErrorCode::ServiceLimitExceeded
        );
        assert_eq!(
            e("InsufficientPermissionsException"),
            ErrorCode::GeneralServiceException
        );
    }
}
