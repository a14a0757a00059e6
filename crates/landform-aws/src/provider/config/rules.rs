//! AWS::Config::ConfigRule and AWS::Config::ConfigurationAggregator.

use landform_deploy::{CreateRequest, ErrorCode, ProviderError, ResourceState, UpdateRequest};
use serde_json::{json, Value as Json};

use super::{state, AGGREGATOR, RULE};
use crate::api::{
    AccountSourceSpec, AggregatorInfo, AggregatorSpec, ConfigApi, ConfigRuleInfo, ConfigRuleSpec,
    OrganizationSourceSpec, ScopeSpec, SourceDetailSpec,
};
use crate::provider::guardduty::refuse_unsupported;
use crate::provider::{boolean, required, string, strings};

/// A rule created a moment ago has no evaluation yet. Landform does not follow compliance
/// afterwards (DescribeComplianceByConfigRule is not called; moto lacks it).
const NEW_RULE_COMPLIANCE: &str = "INSUFFICIENT_DATA";

fn rule_name(request: &CreateRequest) -> String {
    string(&request.properties, "ConfigRuleName").unwrap_or_else(|| request.physical_name.clone())
}

/// `InputParameters`: an object in a template, a JSON string in the API.
fn input_parameters(p: &Json) -> Option<String> {
    match p.get("InputParameters")? {
        Json::Null => None,
        Json::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn rule_spec(name: &str, p: &Json) -> Result<ConfigRuleSpec, ProviderError> {
    refuse_unsupported(
        RULE,
        p,
        &[
            "ConfigRuleName",
            "Description",
            "Source",
            "InputParameters",
            "MaximumExecutionFrequency",
            "Scope",
        ],
    )?;
    let source = p.get("Source").ok_or_else(|| required(RULE, "Source"))?;
    refuse_unsupported(
        &format!("{RULE} Source"),
        source,
        &["Owner", "SourceIdentifier", "SourceDetails"],
    )?;
    let source_details = source
        .get("SourceDetails")
        .and_then(Json::as_array)
        .map(|details| {
            details
                .iter()
                .map(|d| SourceDetailSpec {
                    event_source: string(d, "EventSource"),
                    message_type: string(d, "MessageType"),
                    maximum_execution_frequency: string(d, "MaximumExecutionFrequency"),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(ConfigRuleSpec {
        name: name.to_owned(),
        description: string(p, "Description"),
        owner: string(source, "Owner").ok_or_else(|| required(RULE, "Source.Owner"))?,
        source_identifier: string(source, "SourceIdentifier"),
        source_details,
        input_parameters: input_parameters(p),
        maximum_execution_frequency: string(p, "MaximumExecutionFrequency"),
        scope: p.get("Scope").map(|s| ScopeSpec {
            compliance_resource_types: strings(s, "ComplianceResourceTypes"),
            tag_key: string(s, "TagKey"),
            tag_value: string(s, "TagValue"),
            compliance_resource_id: string(s, "ComplianceResourceId"),
        }),
    })
}

fn rule_state(rule: &ConfigRuleInfo, properties: Json) -> ResourceState {
    state(
        &rule.spec.name,
        &[
            ("Arn", json!(rule.arn)),
            ("ConfigRuleId", json!(rule.id)),
            ("Compliance.Type", json!(NEW_RULE_COMPLIANCE)),
        ],
        properties,
    )
}

/// The rule as CloudFormation writes it. `InputParameters` comes back in the form the
/// template used (an object, or the same string when it means the same object).
fn rule_properties(rule: &ConfigRuleSpec, hint: &Json) -> Json {
    let mut p = serde_json::Map::new();
    p.insert("ConfigRuleName".into(), json!(rule.name));
    if let Some(d) = &rule.description {
        p.insert("Description".into(), json!(d));
    }
    let mut source = serde_json::Map::new();
    source.insert("Owner".into(), json!(rule.owner));
    if let Some(id) = &rule.source_identifier {
        source.insert("SourceIdentifier".into(), json!(id));
    }
    if !rule.source_details.is_empty() {
        let details: Vec<Json> = rule
            .source_details
            .iter()
            .map(|d| {
                let mut o = serde_json::Map::new();
                let fields = [
                    ("EventSource", &d.event_source),
                    ("MessageType", &d.message_type),
                    ("MaximumExecutionFrequency", &d.maximum_execution_frequency),
                ];
                for (k, v) in fields {
                    if let Some(v) = v {
                        o.insert(k.into(), json!(v));
                    }
                }
                Json::Object(o)
            })
            .collect();
        source.insert("SourceDetails".into(), Json::Array(details));
    }
    p.insert("Source".into(), Json::Object(source));
    if let Some(text) = &rule.input_parameters {
        let actual: Json =
            serde_json::from_str(text).unwrap_or_else(|_| Json::String(text.clone()));
        let same_string = match hint.get("InputParameters") {
            Some(Json::String(s)) => serde_json::from_str::<Json>(s).ok() == Some(actual.clone()),
            _ => false,
        };
        let value = if same_string {
            hint["InputParameters"].clone()
        } else {
            actual
        };
        p.insert("InputParameters".into(), value);
    }
    if let Some(f) = &rule.maximum_execution_frequency {
        p.insert("MaximumExecutionFrequency".into(), json!(f));
    }
    if let Some(s) = &rule.scope {
        let mut o = serde_json::Map::new();
        if !s.compliance_resource_types.is_empty() {
            o.insert(
                "ComplianceResourceTypes".into(),
                json!(s.compliance_resource_types),
            );
        }
        let fields = [
            ("TagKey", &s.tag_key),
            ("TagValue", &s.tag_value),
            ("ComplianceResourceId", &s.compliance_resource_id),
        ];
        for (k, v) in fields {
            if let Some(v) = v {
                o.insert(k.into(), json!(v));
            }
        }
        if !o.is_empty() {
            p.insert("Scope".into(), Json::Object(o));
        }
    }
    Json::Object(p)
}

pub(super) async fn create_rule(
    api: &dyn ConfigApi,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let name = rule_name(request);
    api.put_config_rule(&rule_spec(&name, &request.properties)?)
        .await?;
    let rule = api.describe_config_rule(&name).await?;
    Ok(rule_state(&rule, request.properties.clone()))
}

pub(super) async fn read_rule(
    api: &dyn ConfigApi,
    name: &str,
    hint: &Json,
) -> Result<ResourceState, ProviderError> {
    let rule = api.describe_config_rule(name).await?;
    Ok(rule_state(&rule, rule_properties(&rule.spec, hint)))
}

/// PutConfigRule replaces the rule's settings under the same name (and ARN and id).
pub(super) async fn update_rule(
    api: &dyn ConfigApi,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    let name = &request.physical_id;
    api.put_config_rule(&rule_spec(name, &request.properties)?)
        .await?;
    let rule = api.describe_config_rule(name).await?;
    Ok(rule_state(&rule, request.properties.clone()))
}

pub(super) async fn find_rule(
    api: &dyn ConfigApi,
    request: &CreateRequest,
) -> Result<Option<ResourceState>, ProviderError> {
    match read_rule(api, &rule_name(request), &request.properties).await {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.code == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn aggregator_name(request: &CreateRequest) -> String {
    string(&request.properties, "ConfigurationAggregatorName")
        .unwrap_or_else(|| request.physical_name.clone())
}

fn regions_of(source: &Json) -> (bool, Vec<String>) {
    (
        boolean(source.get("AllAwsRegions")).unwrap_or(false),
        strings(source, "AwsRegions"),
    )
}

fn aggregator_spec(name: &str, p: &Json) -> Result<AggregatorSpec, ProviderError> {
    refuse_unsupported(
        AGGREGATOR,
        p,
        &[
            "ConfigurationAggregatorName",
            "AccountAggregationSources",
            "OrganizationAggregationSource",
        ],
    )?;
    let account_sources = p
        .get("AccountAggregationSources")
        .and_then(Json::as_array)
        .map(|sources| {
            sources
                .iter()
                .map(|s| {
                    let (all_aws_regions, aws_regions) = regions_of(s);
                    AccountSourceSpec {
                        account_ids: strings(s, "AccountIds"),
                        all_aws_regions,
                        aws_regions,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let organization_source = match p.get("OrganizationAggregationSource") {
        Some(s) => {
            let (all_aws_regions, aws_regions) = regions_of(s);
            Some(OrganizationSourceSpec {
                role_arn: string(s, "RoleArn")
                    .ok_or_else(|| required(AGGREGATOR, "OrganizationAggregationSource.RoleArn"))?,
                all_aws_regions,
                aws_regions,
            })
        }
        None => None,
    };
    Ok(AggregatorSpec {
        name: name.to_owned(),
        account_sources,
        organization_source,
    })
}

/// `AllAwsRegions` and `AwsRegions` as a template writes them: set ones, and unset ones the
/// template names.
fn regions_json(o: &mut serde_json::Map<String, Json>, all: bool, regions: &[String], hint: &Json) {
    if all || hint.get("AllAwsRegions").is_some() {
        o.insert("AllAwsRegions".into(), json!(all));
    }
    if !regions.is_empty() || hint.get("AwsRegions").is_some() {
        o.insert("AwsRegions".into(), json!(regions));
    }
}

fn aggregator_properties(a: &AggregatorSpec, hint: &Json) -> Json {
    let mut p = serde_json::Map::new();
    p.insert("ConfigurationAggregatorName".into(), json!(a.name));
    if !a.account_sources.is_empty() {
        let hints = hint.get("AccountAggregationSources");
        let sources: Vec<Json> = a
            .account_sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let h = hints.and_then(|h| h.get(i)).cloned().unwrap_or(Json::Null);
                let mut o = serde_json::Map::new();
                o.insert("AccountIds".into(), json!(s.account_ids));
                regions_json(&mut o, s.all_aws_regions, &s.aws_regions, &h);
                Json::Object(o)
            })
            .collect();
        p.insert("AccountAggregationSources".into(), Json::Array(sources));
    }
    if let Some(s) = &a.organization_source {
        let h = hint
            .get("OrganizationAggregationSource")
            .cloned()
            .unwrap_or(Json::Null);
        let mut o = serde_json::Map::new();
        o.insert("RoleArn".into(), json!(s.role_arn));
        regions_json(&mut o, s.all_aws_regions, &s.aws_regions, &h);
        p.insert("OrganizationAggregationSource".into(), Json::Object(o));
    }
    Json::Object(p)
}

fn aggregator_state(a: &AggregatorInfo, properties: Json) -> ResourceState {
    state(
        &a.spec.name,
        &[("ConfigurationAggregatorArn", json!(a.arn))],
        properties,
    )
}

pub(super) async fn create_aggregator(
    api: &dyn ConfigApi,
    request: &CreateRequest,
) -> Result<ResourceState, ProviderError> {
    let name = aggregator_name(request);
    let a = api
        .put_configuration_aggregator(&aggregator_spec(&name, &request.properties)?)
        .await?;
    Ok(aggregator_state(&a, request.properties.clone()))
}

pub(super) async fn read_aggregator(
    api: &dyn ConfigApi,
    name: &str,
    hint: &Json,
) -> Result<ResourceState, ProviderError> {
    let a = api.describe_configuration_aggregator(name).await?;
    Ok(aggregator_state(&a, aggregator_properties(&a.spec, hint)))
}

pub(super) async fn update_aggregator(
    api: &dyn ConfigApi,
    request: &UpdateRequest,
) -> Result<ResourceState, ProviderError> {
    let a = api
        .put_configuration_aggregator(&aggregator_spec(&request.physical_id, &request.properties)?)
        .await?;
    Ok(aggregator_state(&a, request.properties.clone()))
}

pub(super) async fn find_aggregator(
    api: &dyn ConfigApi,
    request: &CreateRequest,
) -> Result<Option<ResourceState>, ProviderError> {
    match read_aggregator(api, &aggregator_name(request), &request.properties).await {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.code == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}
