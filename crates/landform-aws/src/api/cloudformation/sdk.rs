//! [`super::CloudFormationApi`] over the SDK client.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_cloudformation::types as cfn;
use landform_deploy::ProviderError;

use super::{
    CallAs, ChangeSetDescription, ChangeSetSpec, ChangeSetType, CloudFormationApi, DriftDetection,
    OperationPreferences, PropertyDrift, ResourceChangeSummary, ResourceDrift, StackDescription,
    StackEvent, StackEventPage, StackInstanceInfo, StackInstancesRequest, StackSetDescription,
    StackSetOperationInfo, StackSetSpec, TemplateSource,
};
use crate::error::{missing, sdk_error, ErrorCode};

/// [`CloudFormationApi`] over the SDK client.
#[derive(Debug, Clone)]
pub struct SdkCloudFormation(pub aws_sdk_cloudformation::Client);

/// [`sdk_error`], with CloudFormation's own codes mapped: DescribeStacks answers a missing
/// stack with `ValidationError` "Stack with id X does not exist".
fn cfn_error<E>(
    operation: &str,
    err: aws_sdk_cloudformation::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> ProviderError
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let mut out = sdk_error(operation, err);
    out.code = match out.service_code.as_deref() {
        Some(
            "ChangeSetNotFound"
            | "ChangeSetNotFoundException"
            | "StackSetNotFoundException"
            | "StackNotFoundException"
            | "OperationNotFoundException"
            | "StackInstanceNotFoundException",
        ) => ErrorCode::NotFound,
        Some("ValidationError") if out.message.contains("does not exist") => ErrorCode::NotFound,
        Some(
            "AlreadyExistsException"
            | "NameAlreadyExistsException"
            | "OperationIdAlreadyExistsException"
            | "TokenAlreadyExistsException"
            | "CreatedButModifiedException",
        ) => ErrorCode::AlreadyExists,
        Some("OperationInProgressException" | "StaleRequestException") => {
            ErrorCode::ConcurrentModification
        }
        Some("InvalidChangeSetStatus" | "InvalidChangeSetStatusException") => {
            ErrorCode::ResourceConflict
        }
        Some("InsufficientCapabilitiesException" | "InvalidOperationException") => {
            ErrorCode::InvalidRequest
        }
        _ => out.code,
    };
    out
}

/// The property names of a change's details that require recreation, once each.
fn replaced_by(details: Vec<cfn::ResourceChangeDetail>) -> Vec<String> {
    let mut names: Vec<String> = details
        .into_iter()
        .filter_map(|d| d.target)
        .filter(|t| {
            matches!(
                t.requires_recreation,
                Some(cfn::RequiresRecreation::Always | cfn::RequiresRecreation::Conditionally)
            )
        })
        .filter_map(|t| t.name)
        .collect();
    names.sort();
    names.dedup();
    names
}

fn millis(t: &aws_sdk_cloudformation::primitives::DateTime) -> i64 {
    t.secs() * 1000 + i64::from(t.subsec_nanos() / 1_000_000)
}

fn sdk_parameters(parameters: &BTreeMap<String, String>) -> Vec<cfn::Parameter> {
    parameters
        .iter()
        .map(|(k, v)| {
            cfn::Parameter::builder()
                .parameter_key(k)
                .parameter_value(v)
                .build()
        })
        .collect()
}

fn plain_parameters(parameters: Option<Vec<cfn::Parameter>>) -> BTreeMap<String, String> {
    parameters
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| Some((p.parameter_key?, p.parameter_value.unwrap_or_default())))
        .collect()
}

fn capabilities(names: &[String]) -> Vec<cfn::Capability> {
    names
        .iter()
        .map(|c| cfn::Capability::from(c.as_str()))
        .collect()
}

fn call_as(c: CallAs) -> cfn::CallAs {
    match c {
        CallAs::SelfAccount => cfn::CallAs::SelfValue,
        CallAs::DelegatedAdmin => cfn::CallAs::DelegatedAdmin,
    }
}

fn preferences(p: &OperationPreferences) -> cfn::StackSetOperationPreferences {
    cfn::StackSetOperationPreferences::builder()
        .set_max_concurrent_percentage(p.max_concurrent_percentage)
        .set_failure_tolerance_percentage(p.failure_tolerance_percentage)
        .set_max_concurrent_count(p.max_concurrent_count)
        .set_failure_tolerance_count(p.failure_tolerance_count)
        .set_region_order((!p.region_order.is_empty()).then(|| p.region_order.clone()))
        .region_concurrency_type(if p.parallel_regions {
            cfn::RegionConcurrencyType::Parallel
        } else {
            cfn::RegionConcurrencyType::Sequential
        })
        .build()
}

fn auto_deployment(retain: bool) -> cfn::AutoDeployment {
    cfn::AutoDeployment::builder()
        .enabled(true)
        .retain_stacks_on_account_removal(retain)
        .build()
}

fn split_template(t: &TemplateSource) -> (Option<String>, Option<String>) {
    match t {
        TemplateSource::Body(b) => (Some(b.clone()), None),
        TemplateSource::Url(u) => (None, Some(u.clone())),
    }
}

#[async_trait]
impl CloudFormationApi for SdkCloudFormation {
    async fn describe_stack(&self, stack: &str) -> Result<StackDescription, ProviderError> {
        const OP: &str = "DescribeStacks";
        let out = self
            .0
            .describe_stacks()
            .stack_name(stack)
            .send()
            .await
            .map_err(|e| cfn_error(OP, e))?;
        let s = out
            .stacks
            .unwrap_or_default()
            .into_iter()
            .next()
            .ok_or_else(|| {
                ProviderError::new(ErrorCode::NotFound, format!("stack {stack} does not exist"))
            })?;
        Ok(StackDescription {
            stack_id: s.stack_id.ok_or_else(|| missing(OP, "StackId"))?,
            name: s.stack_name.ok_or_else(|| missing(OP, "StackName"))?,
            status: s
                .stack_status
                .map(|x| x.as_str().to_owned())
                .ok_or_else(|| missing(OP, "StackStatus"))?,
            status_reason: s.stack_status_reason,
            last_updated_ms: s.last_updated_time.as_ref().map(millis),
            outputs: s
                .outputs
                .unwrap_or_default()
                .into_iter()
                .filter_map(|o| Some((o.output_key?, o.output_value.unwrap_or_default())))
                .collect(),
        })
    }

    async fn describe_stack_resource(
        &self,
        stack: &str,
        logical_id: &str,
    ) -> Result<Option<String>, ProviderError> {
        let out = match self
            .0
            .describe_stack_resource()
            .stack_name(stack)
            .logical_resource_id(logical_id)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                let e = cfn_error("DescribeStackResource", e);
                // "Resource X does not exist for stack Y": not created yet.
                return match e.code {
                    ErrorCode::NotFound => Ok(None),
                    _ => Err(e),
                };
            }
        };
        Ok(out
            .stack_resource_detail
            .and_then(|d| d.physical_resource_id)
            .filter(|id| !id.is_empty()))
    }

    async fn create_change_set(&self, spec: &ChangeSetSpec) -> Result<String, ProviderError> {
        let (body, url) = split_template(&spec.template);
        let tags = spec
            .tags
            .iter()
            .map(|(k, v)| cfn::Tag::builder().key(k).value(v).build())
            .collect();
        let out = self
            .0
            .create_change_set()
            .stack_name(&spec.stack_name)
            .change_set_name(&spec.change_set_name)
            .change_set_type(match spec.change_set_type {
                ChangeSetType::Create => cfn::ChangeSetType::Create,
                ChangeSetType::Update => cfn::ChangeSetType::Update,
            })
            .set_template_body(body)
            .set_template_url(url)
            .set_parameters(Some(sdk_parameters(&spec.parameters)))
            .set_capabilities(Some(capabilities(&spec.capabilities)))
            .set_tags(Some(tags))
            .client_token(&spec.client_token)
            .send()
            .await
            .map_err(|e| cfn_error("CreateChangeSet", e))?;
        out.id.ok_or_else(|| missing("CreateChangeSet", "Id"))
    }

    async fn describe_change_set(
        &self,
        stack: &str,
        change_set: &str,
    ) -> Result<ChangeSetDescription, ProviderError> {
        const OP: &str = "DescribeChangeSet";
        let mut next: Option<String> = None;
        let mut description = ChangeSetDescription::default();
        loop {
            let out = self
                .0
                .describe_change_set()
                .stack_name(stack)
                .change_set_name(change_set)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| cfn_error(OP, e))?;
            description.id = out
                .change_set_id
                .ok_or_else(|| missing(OP, "ChangeSetId"))?;
            description.status = out
                .status
                .map(|s| s.as_str().to_owned())
                .ok_or_else(|| missing(OP, "Status"))?;
            description.execution_status = out
                .execution_status
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default();
            description.status_reason = out.status_reason;
            for change in out.changes.unwrap_or_default() {
                let Some(r) = change.resource_change else {
                    continue;
                };
                description.changes.push(ResourceChangeSummary {
                    action: r.action.map(|a| a.as_str().to_owned()).unwrap_or_default(),
                    logical_id: r.logical_resource_id.unwrap_or_default(),
                    physical_id: r.physical_resource_id,
                    resource_type: r.resource_type.unwrap_or_default(),
                    replacement: r.replacement.map(|x| x.as_str().to_owned()),
                    replaced_by: replaced_by(r.details.unwrap_or_default()),
                });
            }
            match out.next_token {
                Some(t) if !t.is_empty() => next = Some(t),
                _ => return Ok(description),
            }
        }
    }

    async fn execute_change_set(
        &self,
        stack: &str,
        change_set: &str,
        client_request_token: &str,
    ) -> Result<(), ProviderError> {
        self.0
            .execute_change_set()
            .stack_name(stack)
            .change_set_name(change_set)
            .client_request_token(client_request_token)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| cfn_error("ExecuteChangeSet", e))
    }

    async fn delete_change_set(&self, stack: &str, change_set: &str) -> Result<(), ProviderError> {
        self.0
            .delete_change_set()
            .stack_name(stack)
            .change_set_name(change_set)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| cfn_error("DeleteChangeSet", e))
    }

    async fn describe_stack_events(
        &self,
        stack: &str,
        next_token: Option<String>,
    ) -> Result<StackEventPage, ProviderError> {
        let out = self
            .0
            .describe_stack_events()
            .stack_name(stack)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| cfn_error("DescribeStackEvents", e))?;
        Ok(StackEventPage {
            events: out
                .stack_events
                .unwrap_or_default()
                .into_iter()
                .map(|e| StackEvent {
                    event_id: e.event_id.unwrap_or_default(),
                    logical_id: e.logical_resource_id.unwrap_or_default(),
                    resource_type: e.resource_type.unwrap_or_default(),
                    status: e
                        .resource_status
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    reason: e.resource_status_reason,
                    client_request_token: e.client_request_token,
                    timestamp_ms: e.timestamp.as_ref().map(millis).unwrap_or_default(),
                })
                .collect(),
            next_token: out.next_token.filter(|t| !t.is_empty()),
        })
    }

    async fn delete_stack(
        &self,
        stack: &str,
        client_request_token: &str,
    ) -> Result<(), ProviderError> {
        self.0
            .delete_stack()
            .stack_name(stack)
            .client_request_token(client_request_token)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| cfn_error("DeleteStack", e))
    }

    async fn detect_stack_drift(&self, stack: &str) -> Result<String, ProviderError> {
        const OP: &str = "DetectStackDrift";
        let out = self
            .0
            .detect_stack_drift()
            .stack_name(stack)
            .send()
            .await
            .map_err(|e| cfn_error(OP, e))?;
        out.stack_drift_detection_id
            .ok_or_else(|| missing(OP, "StackDriftDetectionId"))
    }

    async fn describe_stack_drift_detection_status(
        &self,
        detection_id: &str,
    ) -> Result<DriftDetection, ProviderError> {
        let out = self
            .0
            .describe_stack_drift_detection_status()
            .stack_drift_detection_id(detection_id)
            .send()
            .await
            .map_err(|e| cfn_error("DescribeStackDriftDetectionStatus", e))?;
        Ok(DriftDetection {
            status: out
                .detection_status
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            drift_status: out.stack_drift_status.map(|s| s.as_str().to_owned()),
            reason: out.detection_status_reason,
        })
    }

    async fn describe_stack_resource_drifts(
        &self,
        stack: &str,
    ) -> Result<Vec<ResourceDrift>, ProviderError> {
        let mut next: Option<String> = None;
        let mut drifts = Vec::new();
        loop {
            let out = self
                .0
                .describe_stack_resource_drifts()
                .stack_name(stack)
                .stack_resource_drift_status_filters(cfn::StackResourceDriftStatus::Modified)
                .stack_resource_drift_status_filters(cfn::StackResourceDriftStatus::Deleted)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| cfn_error("DescribeStackResourceDrifts", e))?;
            for d in out.stack_resource_drifts.unwrap_or_default() {
                drifts.push(ResourceDrift {
                    logical_id: d.logical_resource_id.unwrap_or_default(),
                    physical_id: d.physical_resource_id,
                    resource_type: d.resource_type.unwrap_or_default(),
                    status: d
                        .stack_resource_drift_status
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    differences: d
                        .property_differences
                        .unwrap_or_default()
                        .into_iter()
                        .map(|p| PropertyDrift {
                            path: p.property_path.unwrap_or_default(),
                            difference: p
                                .difference_type
                                .map(|t| t.as_str().to_owned())
                                .unwrap_or_default(),
                            expected: p.expected_value,
                            actual: p.actual_value,
                        })
                        .collect(),
                });
            }
            match out.next_token {
                Some(t) if !t.is_empty() => next = Some(t),
                _ => return Ok(drifts),
            }
        }
    }

    async fn create_stack_set(&self, spec: &StackSetSpec) -> Result<String, ProviderError> {
        let (body, url) = split_template(&spec.template);
        let out = self
            .0
            .create_stack_set()
            .stack_set_name(&spec.name)
            .set_description(spec.description.clone())
            .set_template_body(body)
            .set_template_url(url)
            .set_parameters(Some(sdk_parameters(&spec.parameters)))
            .set_capabilities(Some(capabilities(&spec.capabilities)))
            .permission_model(cfn::PermissionModels::ServiceManaged)
            .auto_deployment(auto_deployment(spec.retain_stacks_on_account_removal))
            .call_as(call_as(spec.call_as))
            .client_request_token(&spec.client_token)
            .send()
            .await
            .map_err(|e| cfn_error("CreateStackSet", e))?;
        out.stack_set_id
            .ok_or_else(|| missing("CreateStackSet", "StackSetId"))
    }

    async fn update_stack_set(
        &self,
        spec: &StackSetSpec,
        operation_id: &str,
    ) -> Result<String, ProviderError> {
        let (body, url) = split_template(&spec.template);
        let out = self
            .0
            .update_stack_set()
            .stack_set_name(&spec.name)
            .set_description(spec.description.clone())
            .set_template_body(body)
            .set_template_url(url)
            .set_parameters(Some(sdk_parameters(&spec.parameters)))
            .set_capabilities(Some(capabilities(&spec.capabilities)))
            .permission_model(cfn::PermissionModels::ServiceManaged)
            .auto_deployment(auto_deployment(spec.retain_stacks_on_account_removal))
            .operation_preferences(preferences(&spec.preferences))
            .operation_id(operation_id)
            .call_as(call_as(spec.call_as))
            .send()
            .await
            .map_err(|e| cfn_error("UpdateStackSet", e))?;
        out.operation_id
            .ok_or_else(|| missing("UpdateStackSet", "OperationId"))
    }

    async fn create_stack_instances(
        &self,
        request: &StackInstancesRequest,
    ) -> Result<String, ProviderError> {
        let out = self
            .0
            .create_stack_instances()
            .stack_set_name(&request.stack_set_name)
            .deployment_targets(
                cfn::DeploymentTargets::builder()
                    .set_organizational_unit_ids(Some(request.organizational_unit_ids.clone()))
                    .build(),
            )
            .set_regions(Some(request.regions.clone()))
            .operation_preferences(preferences(&request.preferences))
            .operation_id(&request.operation_id)
            .call_as(call_as(request.call_as))
            .send()
            .await
            .map_err(|e| cfn_error("CreateStackInstances", e))?;
        out.operation_id
            .ok_or_else(|| missing("CreateStackInstances", "OperationId"))
    }

    async fn describe_stack_set_operation(
        &self,
        stack_set: &str,
        operation_id: &str,
        call_as_: CallAs,
    ) -> Result<StackSetOperationInfo, ProviderError> {
        const OP: &str = "DescribeStackSetOperation";
        let out = self
            .0
            .describe_stack_set_operation()
            .stack_set_name(stack_set)
            .operation_id(operation_id)
            .call_as(call_as(call_as_))
            .send()
            .await
            .map_err(|e| cfn_error(OP, e))?;
        let op = out
            .stack_set_operation
            .ok_or_else(|| missing(OP, "StackSetOperation"))?;
        Ok(StackSetOperationInfo {
            status: op
                .status
                .map(|s| s.as_str().to_owned())
                .ok_or_else(|| missing(OP, "Status"))?,
            status_reason: op.status_reason,
        })
    }

    async fn list_stack_instances(
        &self,
        stack_set: &str,
        call_as_: CallAs,
    ) -> Result<Vec<StackInstanceInfo>, ProviderError> {
        let mut next: Option<String> = None;
        let mut instances = Vec::new();
        loop {
            let out = self
                .0
                .list_stack_instances()
                .stack_set_name(stack_set)
                .call_as(call_as(call_as_))
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| cfn_error("ListStackInstances", e))?;
            for s in out.summaries.unwrap_or_default() {
                instances.push(StackInstanceInfo {
                    account: s.account.unwrap_or_default(),
                    region: s.region.unwrap_or_default(),
                    organizational_unit_id: s.organizational_unit_id,
                    status: s.status.map(|x| x.as_str().to_owned()).unwrap_or_default(),
                    status_reason: s.status_reason,
                });
            }
            match out.next_token {
                Some(t) if !t.is_empty() => next = Some(t),
                _ => return Ok(instances),
            }
        }
    }

    async fn describe_organizations_access(
        &self,
        call_as_: CallAs,
    ) -> Result<String, ProviderError> {
        const OP: &str = "DescribeOrganizationsAccess";
        let out = self
            .0
            .describe_organizations_access()
            .call_as(call_as(call_as_))
            .send()
            .await
            .map_err(|e| cfn_error(OP, e))?;
        Ok(out
            .status
            .map(|s| s.as_str().to_owned())
            .ok_or_else(|| missing(OP, "Status"))?)
    }

    async fn describe_stack_set(
        &self,
        stack_set: &str,
        call_as_: CallAs,
    ) -> Result<StackSetDescription, ProviderError> {
        const OP: &str = "DescribeStackSet";
        let out = self
            .0
            .describe_stack_set()
            .stack_set_name(stack_set)
            .call_as(call_as(call_as_))
            .send()
            .await
            .map_err(|e| cfn_error(OP, e))?;
        let s = out.stack_set.ok_or_else(|| missing(OP, "StackSet"))?;
        Ok(StackSetDescription {
            id: s.stack_set_id.ok_or_else(|| missing(OP, "StackSetId"))?,
            status: s.status.map(|x| x.as_str().to_owned()).unwrap_or_default(),
            template_body: s.template_body,
            parameters: plain_parameters(s.parameters),
            capabilities: s
                .capabilities
                .unwrap_or_default()
                .into_iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            auto_deployment: s.auto_deployment.and_then(|a| a.enabled).unwrap_or(false),
            permission_model: s
                .permission_model
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            organizational_unit_ids: s.organizational_unit_ids.unwrap_or_default(),
            regions: s.regions.unwrap_or_default(),
        })
    }
}
