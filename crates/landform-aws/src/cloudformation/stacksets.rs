//! Organization-wide baselines: one synthesised stack rolled out as a service-managed
//! StackSet to OUs and regions, with auto-deployment to accounts that join those OUs.

use std::collections::{BTreeMap, BTreeSet};

use landform_core::stack_set::StackSetAdministrator;
use landform_core::synth::{DeployValue, OutputRef};
use landform_core::StackArtifact;
use landform_deploy::ErrorCode;
use tokio::time::{sleep, Instant};

use super::stack::{Context, StackJob};
use super::{
    input_hash, CloudFormationError, DeployEvent, DeployOptions, PlanStatus, StackOutcome,
    StackPlan, StackResult,
};
use crate::api::{
    CallAs, CloudFormationApi, OperationPreferences, StackInstancesRequest, StackSetDescription,
    StackSetSpec,
};

/// Selects one synthesised stack to roll out as a service-managed StackSet instead of
/// deploying it as a stack. The StackSet is named after the stack and administered from the
/// stack's own environment (its stage's account and region): put the baseline in a stage of
/// the management account, or of a delegated administrator with [`CallAs::DelegatedAdmin`].
/// Its template is the stack's template; parameters fed from other stacks' outputs are
/// resolved as for any stack. No stack may read the baseline's outputs (a StackSet has none
/// to read).
///
/// ```
/// use landform_aws::cloudformation::StackSetTarget;
/// let target = StackSetTarget::new("Management-Baseline", ["ou-ab12-workloads"], ["us-east-1", "eu-west-1"]);
/// assert_eq!(target.regions.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackSetTarget {
    /// The synthesised stack (and StackSet) name.
    pub stack_name: String,
    /// The OUs whose accounts (present and future) get an instance.
    pub organizational_unit_ids: Vec<String>,
    /// The regions of the instances.
    pub regions: Vec<String>,
    /// From the management account or a delegated administrator.
    pub call_as: CallAs,
    /// How fast operations roll out.
    pub preferences: OperationPreferences,
    /// Keep an account's stacks when it leaves the targeted OUs.
    pub retain_stacks_on_account_removal: bool,
}

impl StackSetTarget {
    /// `stack_name` to every account of `organizational_unit_ids`, in `regions`.
    pub fn new<O, R>(
        stack_name: impl Into<String>,
        organizational_unit_ids: impl IntoIterator<Item = O>,
        regions: impl IntoIterator<Item = R>,
    ) -> Self
    where
        O: Into<String>,
        R: Into<String>,
    {
        StackSetTarget {
            stack_name: stack_name.into(),
            organizational_unit_ids: organizational_unit_ids
                .into_iter()
                .map(Into::into)
                .collect(),
            regions: regions.into_iter().map(Into::into).collect(),
            call_as: CallAs::SelfAccount,
            preferences: OperationPreferences::default(),
            retain_stacks_on_account_removal: false,
        }
    }
}

/// Outputs of deployed stacks: stack name to output name to value.
pub(crate) type Outputs = BTreeMap<String, BTreeMap<String, String>>;

impl StackSetTarget {
    /// The target of a stack the app marks as a StackSet (`StackProps::stack_set`, the
    /// manifest's `stackSet`): its OUs, regions and operation preferences, administered
    /// from the stack's environment as the management account (`CallAs::SelfAccount`).
    /// OUs the app creates are read from their stack's output in `outputs`; `Ok(None)` for a
    /// plain stack; `Err` with the outputs not deployed yet.
    pub fn from_manifest(
        artifact: &StackArtifact,
        outputs: &Outputs,
    ) -> Result<Option<StackSetTarget>, Vec<OutputRef>> {
        let Some(set) = &artifact.stack_set else {
            return Ok(None);
        };
        let mut ids = Vec::new();
        let mut missing = Vec::new();
        for unit in &set.organizational_units {
            match &unit.id {
                DeployValue::Literal(id) => ids.push(id.clone()),
                DeployValue::FromOutput(o) => {
                    match outputs.get(&o.stack).and_then(|m| m.get(&o.output)) {
                        Some(id) => ids.push(id.clone()),
                        None => missing.push(o.clone()),
                    }
                }
            }
        }
        if !missing.is_empty() {
            return Err(missing);
        }
        let mut target = StackSetTarget::new(&artifact.name, ids, set.regions.iter().cloned());
        target.preferences = OperationPreferences::from(&set.preferences);
        target.retain_stacks_on_account_removal = set.retain_stacks_on_account_removal;
        target.call_as = call_as(set.call_as);
        Ok(Some(target))
    }
}

/// CloudFormation's `CallAs` for the app's administrator.
pub(crate) fn call_as(administrator: StackSetAdministrator) -> CallAs {
    match administrator {
        StackSetAdministrator::ManagementAccount => CallAs::SelfAccount,
        StackSetAdministrator::DelegatedAdministrator => CallAs::DelegatedAdmin,
    }
}

/// Where a StackSet lands, for a plan made before its OUs exist: each OU's id when its
/// stack has it, else the construct path of the OU the app will create.
pub(crate) fn landing(artifact: &StackArtifact, outputs: &Outputs) -> Vec<(String, String)> {
    let Some(set) = &artifact.stack_set else {
        return Vec::new();
    };
    let mut targets = Vec::new();
    for unit in &set.organizational_units {
        let ou = match (&unit.id, &unit.path) {
            (DeployValue::Literal(id), _) => id.clone(),
            (DeployValue::FromOutput(o), path) => {
                match outputs.get(&o.stack).and_then(|m| m.get(&o.output)) {
                    Some(id) => id.clone(),
                    None => match path {
                        Some(path) => format!("{path} (not created yet)"),
                        None => format!("{}.{} (not created yet)", o.stack, o.output),
                    },
                }
            }
        };
        for region in &set.regions {
            targets.push((ou.clone(), region.clone()));
        }
    }
    targets
}

fn spec(job: &StackJob, target: &StackSetTarget, options: &DeployOptions) -> StackSetSpec {
    StackSetSpec {
        name: job.stack.clone(),
        description: None,
        template: job.template.clone(),
        parameters: job.parameters.clone(),
        capabilities: options.capabilities.clone(),
        retain_stacks_on_account_removal: target.retain_stacks_on_account_removal,
        call_as: target.call_as,
        preferences: target.preferences.clone(),
        client_token: format!("landform-{}", input_hash(&[&job.stack, &job.template_text])),
    }
}

/// Whether the StackSet's template, parameters, capabilities or auto-deployment differ.
fn differs(current: &StackSetDescription, spec: &StackSetSpec, template_text: &str) -> bool {
    let capabilities: BTreeSet<&String> = current.capabilities.iter().collect();
    let wanted: BTreeSet<&String> = spec.capabilities.iter().collect();
    current.template_body.as_deref() != Some(template_text)
        || current.parameters != spec.parameters
        || capabilities != wanted
        || !current.auto_deployment
}

/// The StackSet, or None when it does not exist.
async fn describe(
    api: &dyn CloudFormationApi,
    job: &StackJob,
    call_as: CallAs,
) -> Result<Option<StackSetDescription>, CloudFormationError> {
    match api.describe_stack_set(&job.stack, call_as).await {
        Ok(s) if s.status != "DELETED" => Ok(Some(s)),
        Ok(_) => Ok(None),
        Err(e) if e.code == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(job.call("DescribeStackSet", e)),
    }
}

/// The (OU, region) targets without any instance.
async fn missing_targets(
    api: &dyn CloudFormationApi,
    job: &StackJob,
    target: &StackSetTarget,
    exists: bool,
) -> Result<Vec<(String, String)>, CloudFormationError> {
    let present: BTreeSet<(String, String)> = if exists {
        api.list_stack_instances(&job.stack, target.call_as)
            .await
            .map_err(|e| job.call("ListStackInstances", e))?
            .into_iter()
            .filter_map(|i| Some((i.organizational_unit_id?, i.region)))
            .collect()
    } else {
        BTreeSet::new()
    };
    let mut missing = Vec::new();
    for ou in &target.organizational_unit_ids {
        for region in &target.regions {
            let pair = (ou.clone(), region.clone());
            if !present.contains(&pair) {
                missing.push(pair);
            }
        }
    }
    Ok(missing)
}

/// Missing targets grouped into CreateStackInstances calls: OUs that lack the same set of
/// regions go together, so no call asks for an instance that exists.
fn groups(missing: &[(String, String)]) -> Vec<(Vec<String>, Vec<String>)> {
    let mut regions_of: BTreeMap<&String, Vec<String>> = BTreeMap::new();
    for (ou, region) in missing {
        regions_of.entry(ou).or_default().push(region.clone());
    }
    let mut by_regions: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for (ou, regions) in regions_of {
        by_regions.entry(regions).or_default().push(ou.clone());
    }
    by_regions
        .into_iter()
        .map(|(regions, ous)| (ous, regions))
        .collect()
}

/// Roll the stack out: create or update the StackSet, then instances for the targets that
/// have none, waiting for each operation. Operation ids come from the inputs, so a re-run
/// after an interruption waits for the operation already issued instead of issuing another.
pub(crate) async fn deploy(
    api: &dyn CloudFormationApi,
    job: &StackJob,
    target: &StackSetTarget,
    ctx: &Context,
) -> Result<StackResult, CloudFormationError> {
    let options = &ctx.options;
    ctx.emit(DeployEvent::StackStarted {
        stack: job.stack.clone(),
        account: job.account.clone(),
        region: job.region.clone(),
    });
    let spec = spec(job, target, options);
    let current = describe(api, job, target.call_as).await?;
    match &current {
        None => {
            match api.create_stack_set(&spec).await {
                Ok(_) => {}
                Err(e) if e.code == ErrorCode::AlreadyExists => {}
                Err(e) => return Err(job.call("CreateStackSet", e)),
            }
            ctx.emit(DeployEvent::StackSetCreated {
                stack_set: job.stack.clone(),
            });
        }
        Some(current) if differs(current, &spec, &job.template_text) => {
            let operation_id = format!(
                "landform-update-{}",
                input_hash(&[
                    &job.stack,
                    &spec.client_token,
                    &format!("{:?}", spec.parameters)
                ])
            );
            // The operation as CloudFormation names it: the id given (an implementation
            // that ignores it answers with its own); an operation of an interrupted run with
            // this id already exists under it.
            let operation_id = match api.update_stack_set(&spec, &operation_id).await {
                Ok(id) if !id.is_empty() => id,
                Ok(_) => operation_id,
                Err(e) if e.code == ErrorCode::AlreadyExists => operation_id,
                Err(e) => return Err(job.call("UpdateStackSet", e)),
            };
            ctx.emit(DeployEvent::StackSetUpdating {
                stack_set: job.stack.clone(),
                operation_id: operation_id.clone(),
            });
            wait_operation(api, job, target.call_as, &operation_id, options).await?;
        }
        Some(_) => {}
    }
    let missing = missing_targets(api, job, target, current.is_some()).await?;
    for (ous, regions) in groups(&missing) {
        let mut parts = vec![job.stack.clone()];
        parts.extend(ous.iter().cloned());
        parts.push(String::new());
        parts.extend(regions.iter().cloned());
        let operation_id = format!("landform-instances-{}", input_hash(&parts));
        let request = StackInstancesRequest {
            stack_set_name: job.stack.clone(),
            organizational_unit_ids: ous.clone(),
            regions: regions.clone(),
            preferences: target.preferences.clone(),
            operation_id: operation_id.clone(),
            call_as: target.call_as,
        };
        let operation_id = match api.create_stack_instances(&request).await {
            Ok(id) if !id.is_empty() => id,
            Ok(_) => operation_id,
            Err(e) if e.code == ErrorCode::AlreadyExists => operation_id,
            Err(e) => return Err(job.call("CreateStackInstances", e)),
        };
        ctx.emit(DeployEvent::StackInstancesCreating {
            stack_set: job.stack.clone(),
            organizational_unit_ids: ous,
            regions,
            operation_id: operation_id.clone(),
        });
        wait_operation(api, job, target.call_as, &operation_id, options).await?;
    }
    ctx.emit(DeployEvent::StackDone {
        stack: job.stack.clone(),
        status: "ACTIVE".to_owned(),
    });
    Ok(StackResult {
        stack: job.stack.clone(),
        account: job.account.clone(),
        region: job.region.clone(),
        outcome: StackOutcome::StackSet,
        changes: Vec::new(),
        outputs: BTreeMap::new(),
    })
}

/// Poll a StackSet operation until it ends.
async fn wait_operation(
    api: &dyn CloudFormationApi,
    job: &StackJob,
    call_as: CallAs,
    operation_id: &str,
    options: &DeployOptions,
) -> Result<(), CloudFormationError> {
    let deadline = Instant::now() + options.timeout;
    loop {
        let operation = api
            .describe_stack_set_operation(&job.stack, operation_id, call_as)
            .await
            .map_err(|e| job.call("DescribeStackSetOperation", e))?;
        match operation.status.as_str() {
            "SUCCEEDED" => return Ok(()),
            "FAILED" | "STOPPED" => {
                return Err(CloudFormationError::StackSetOperationFailed {
                    stack_set: job.stack.clone(),
                    operation_id: operation_id.to_owned(),
                    status: operation.status,
                    reason: operation
                        .status_reason
                        .unwrap_or_else(|| "no reason given".to_owned()),
                })
            }
            _ => {}
        }
        if Instant::now() >= deadline {
            return Err(CloudFormationError::Timeout {
                stack: job.stack.clone(),
                what: "StackSet operation",
                status: operation.status,
                waited: options.timeout,
            });
        }
        sleep(options.poll_interval).await;
    }
}

/// What [`deploy`] would do, without doing it.
pub(crate) async fn plan(
    api: &dyn CloudFormationApi,
    job: &StackJob,
    target: &StackSetTarget,
    options: &DeployOptions,
) -> Result<StackPlan, CloudFormationError> {
    let spec = spec(job, target, options);
    let current = describe(api, job, target.call_as).await?;
    let new_targets = missing_targets(api, job, target, current.is_some()).await?;
    Ok(StackPlan {
        stack: job.stack.clone(),
        account: Some(job.account.clone()),
        region: job.region.clone(),
        status: PlanStatus::StackSet {
            create: current.is_none(),
            update: current
                .as_ref()
                .is_some_and(|c| differs(c, &spec, &job.template_text)),
            new_targets,
        },
        changes: Vec::new(),
    })
}
