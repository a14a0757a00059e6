//! The orchestrator: stacks of an assembly in dependency order, outputs fed across accounts.

use std::collections::BTreeMap;
use std::sync::Arc;

use landform_core::synth::{AccountSpec, OutputRef};
use landform_core::{Assembly, StackArtifact};
use landform_deploy::ErrorCode;
use tokio::task::JoinSet;

use super::accept;
use super::stack::{self, Context, StackJob};
use super::stacksets::{self, StackSetTarget};
use super::{
    CloudFormationClients, CloudFormationError, DeployEvent, DeployOptions, Progress, StackResult,
    MAX_TEMPLATE_BODY,
};
use crate::api::{CallAs, ChangeSetType, CloudFormationApi, ResourceChangeSummary, TemplateSource};

/// Deploys an assembly's stacks through CloudFormation change sets, one account and region
/// per stack as the manifest says, and named stacks as StackSets ([`StackSetTarget`]).
///
/// ```no_run
/// # async fn run(assembly: landform_core::Assembly) -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use landform_aws::cloudformation::{CloudFormationDeployer, DeployOptions, StackSetTarget};
/// use landform_aws::{AwsConfig, AwsSessions};
///
/// let sessions = Arc::new(AwsSessions::new(AwsConfig::new("us-east-1")).await);
/// let deployer = CloudFormationDeployer::new(sessions, DeployOptions::default())
///     .stack_set(StackSetTarget::new("Management-Baseline", ["ou-ab12-workloads"], ["us-east-1"]))
///     .on_progress(|event| println!("{event:?}"));
/// for stack in deployer.plan(&assembly).await? {
///     println!("{}: {:?} {:?}", stack.stack, stack.status, stack.changes);
/// }
/// let report = deployer.deploy(&assembly).await?;
/// println!("{} stacks", report.stacks.len());
/// # Ok(()) }
/// ```
pub struct CloudFormationDeployer {
    clients: Arc<dyn CloudFormationClients>,
    options: DeployOptions,
    progress: Option<Progress>,
    stack_sets: BTreeMap<String, StackSetTarget>,
}

impl std::fmt::Debug for CloudFormationDeployer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudFormationDeployer")
            .field("options", &self.options)
            .field("stack_sets", &self.stack_sets)
            .finish()
    }
}

/// What [`CloudFormationDeployer::deploy`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeployReport {
    /// Each stack, in the order it finished.
    pub stacks: Vec<StackResult>,
    /// Every event reported, in order.
    pub events: Vec<DeployEvent>,
}

/// What a stack's deployment would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanStatus {
    /// The stack does not exist: every resource of the template is added.
    Create,
    /// The stack is in ROLLBACK_COMPLETE: it is deleted and created again.
    Recreate,
    /// The stack exists; the changes come from a change set.
    Update,
    /// The stack is up to date.
    NoChanges,
    /// The stack exists but reads outputs its producers do not have yet: planned after
    /// they are deployed.
    WaitsForUpstream {
        /// The outputs missing.
        outputs: Vec<OutputRef>,
    },
    /// A StackSet rollout.
    StackSet {
        /// The StackSet does not exist yet.
        create: bool,
        /// Its template or parameters change (every instance is updated).
        update: bool,
        /// (OU, region) targets without instances yet.
        new_targets: Vec<(String, String)>,
    },
}

/// One stack of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackPlan {
    /// The stack.
    pub stack: String,
    /// Its account, when known (an account the app creates is known once created).
    pub account: Option<String>,
    /// Its region.
    pub region: String,
    /// What happens.
    pub status: PlanStatus,
    /// The resource changes (for a new stack: every resource, from the template).
    pub changes: Vec<ResourceChangeSummary>,
}

impl CloudFormationDeployer {
    /// A deployer reaching each account through `clients`.
    pub fn new(clients: Arc<dyn CloudFormationClients>, options: DeployOptions) -> Self {
        CloudFormationDeployer {
            clients,
            options,
            progress: None,
            stack_sets: BTreeMap::new(),
        }
    }

    /// Roll the stack named by `target` out as a service-managed StackSet instead of
    /// deploying it as a stack.
    pub fn stack_set(mut self, target: StackSetTarget) -> Self {
        self.stack_sets.insert(target.stack_name.clone(), target);
        self
    }

    /// Call `progress` with every event as it happens.
    pub fn on_progress(mut self, progress: impl Fn(&DeployEvent) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// Every stack rolled out as a StackSet, and how it is administered: the targets given
    /// to [`CloudFormationDeployer::stack_set`], and the stacks the app marks as StackSets
    /// (the manifest's `stackSet`, administered as it says).
    fn stack_set_names(&self, assembly: &Assembly) -> BTreeMap<String, CallAs> {
        let mut names: BTreeMap<String, CallAs> = assembly
            .stacks()
            .iter()
            .filter_map(|s| {
                let set = s.stack_set.as_ref()?;
                Some((s.name.clone(), stacksets::call_as(set.call_as)))
            })
            .collect();
        for (name, target) in &self.stack_sets {
            names.insert(name.clone(), target.call_as);
        }
        names
    }

    /// The StackSet target of `artifact`, if it is one: the one given to
    /// [`CloudFormationDeployer::stack_set`], else the app's, its OUs read from `outputs`.
    fn target(
        &self,
        artifact: &StackArtifact,
        outputs: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> Result<Option<StackSetTarget>, CloudFormationError> {
        if let Some(target) = self.stack_sets.get(&artifact.name) {
            return Ok(Some(target.clone()));
        }
        StackSetTarget::from_manifest(artifact, outputs).map_err(|missing| {
            let first = &missing[0];
            CloudFormationError::MissingOutput {
                stack: artifact.name.clone(),
                producer: first.stack.clone(),
                output: first.output.clone(),
            }
        })
    }

    /// Check the StackSet targets against the assembly before any call.
    fn check_targets(&self, assembly: &Assembly) -> Result<(), CloudFormationError> {
        for name in self.stack_set_names(assembly).keys() {
            if assembly.stack(name).is_none() {
                return Err(CloudFormationError::UnknownStack {
                    stack: name.clone(),
                });
            }
            let reader = assembly.stacks().iter().find(|s| {
                s.dependencies.iter().any(|d| &d.stack == name)
                    || matches!(&s.environment.account, AccountSpec::FromOutput(o) if &o.stack == name)
            });
            if let Some(reader) = reader {
                return Err(CloudFormationError::InvalidStackSetTarget {
                    stack: name.clone(),
                    reason: format!(
                        "stack {} depends on it, and a StackSet has no outputs to read",
                        reader.name
                    ),
                });
            }
        }
        for stack in assembly.stacks() {
            // Synth refuses a template over CloudFormation's maximum (1,000,000 bytes,
            // Stack.TemplateTooLarge); one over TemplateBody's limit needs a URL.
            let bytes = Assembly::template_text(stack).len();
            if bytes > MAX_TEMPLATE_BODY && !self.options.template_urls.contains_key(&stack.name) {
                return Err(CloudFormationError::TemplateTooLarge {
                    stack: stack.name.clone(),
                    bytes,
                    limit: MAX_TEMPLATE_BODY,
                });
            }
            for dep in &stack.dependencies {
                if assembly.stack(&dep.stack).is_none() {
                    return Err(CloudFormationError::UnknownStack {
                        stack: dep.stack.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Service-managed StackSets need CloudFormation's trusted access with Organizations
    /// and, from a delegated administrator, that account's registration: asked once per
    /// administering account, region and CallAs (DescribeOrganizationsAccess), before the
    /// first change. A stack whose account comes from another stack's output is asked when
    /// it is rolled out.
    async fn check_stack_set_access(&self, assembly: &Assembly) -> Result<(), CloudFormationError> {
        let mut asked = std::collections::BTreeSet::new();
        for (name, call_as) in &self.stack_set_names(assembly) {
            let call_as = *call_as;
            let Some(artifact) = assembly.stack(name) else {
                continue;
            };
            let AccountSpec::Literal(account) = &artifact.environment.account else {
                continue;
            };
            let region = &artifact.environment.region;
            if !asked.insert((
                account.clone(),
                region.clone(),
                call_as == CallAs::DelegatedAdmin,
            )) {
                continue;
            }
            let unavailable = |reason: String| CloudFormationError::StackSetsUnavailable {
                stack: name.clone(),
                account: account.clone(),
                region: region.clone(),
                reason,
            };
            let call = |operation, source| CloudFormationError::Call {
                stack: name.clone(),
                account: account.clone(),
                region: region.clone(),
                operation,
                source: Box::new(source),
            };
            let api = self
                .clients
                .cloudformation(account, region)
                .await
                .map_err(|e| call("session", e))?;
            let delegated = call_as == CallAs::DelegatedAdmin;
            match api.describe_organizations_access(call_as).await {
                Ok(status) if status == "ENABLED" => {}
                Ok(status) => {
                    return Err(unavailable(format!(
                        "trusted access between CloudFormation StackSets and Organizations is {status}; enable it from the management account (CloudFormation console, StackSets, \"Activate trusted access\", or `aws cloudformation activate-organizations-access`){}",
                        if status == "DISABLED_PERMANENTLY" {
                            ": DISABLED_PERMANENTLY means it was turned off in Organizations, which must enable it again first"
                        } else {
                            ""
                        }
                    )))
                }
                Err(e) if delegated && e.code == ErrorCode::AccessDenied => {
                    return Err(unavailable(format!(
                        "{account} is not a delegated administrator for StackSets ({}); register it from the management account: `aws organizations register-delegated-administrator --service-principal member.org.stacksets.cloudformation.amazonaws.com --account-id {account}`",
                        e.message
                    )))
                }
                Err(e) => return Err(call("DescribeOrganizationsAccess", e)),
            }
        }
        Ok(())
    }

    /// Deploy every stack, each after the stacks it depends on, up to
    /// [`DeployOptions::concurrency`] at once. On the first failure no new stack starts;
    /// the stacks under way are waited for, then the failure is returned.
    pub async fn deploy(&self, assembly: &Assembly) -> Result<DeployReport, CloudFormationError> {
        self.check_targets(assembly)?;
        self.check_stack_set_access(assembly).await?;
        let ctx = Arc::new(Context {
            options: self.options.clone(),
            progress: self.progress.clone(),
            events: Default::default(),
        });
        let mut pending: Vec<&StackArtifact> = assembly.stacks().iter().collect();
        let mut outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        // Each deployed stack's account: who accepts the attachments to its gateways.
        let mut accounts: BTreeMap<String, String> = BTreeMap::new();
        let mut report = DeployReport::default();
        let mut running: JoinSet<Result<StackResult, CloudFormationError>> = JoinSet::new();
        let mut failure: Option<CloudFormationError> = None;
        loop {
            while failure.is_none() && running.len() < self.options.concurrency.max(1) {
                let Some(at) = pending.iter().position(|s| {
                    s.dependencies
                        .iter()
                        .all(|d| outputs.contains_key(&d.stack))
                }) else {
                    break;
                };
                let artifact = pending.remove(at);
                let job = self.job(artifact, &outputs).and_then(|mut job| {
                    job.acceptances = accept::acceptances(artifact, &job.account, &accounts);
                    Ok((job, self.target(artifact, &outputs)?))
                });
                match job {
                    Ok((job, target)) => {
                        let clients = self.clients.clone();
                        let ctx = ctx.clone();
                        running.spawn(async move { run(clients, ctx, job, target).await });
                    }
                    Err(e) => failure = Some(e),
                }
            }
            let Some(joined) = running.join_next().await else {
                break;
            };
            match joined {
                Ok(Ok(result)) => {
                    accounts.insert(result.stack.clone(), result.account.clone());
                    outputs.insert(result.stack.clone(), result.outputs.clone());
                    report.stacks.push(result);
                }
                Ok(Err(e)) => {
                    failure.get_or_insert(e);
                }
                Err(join) => {
                    failure.get_or_insert(CloudFormationError::Call {
                        stack: String::new(),
                        account: String::new(),
                        region: String::new(),
                        operation: "deploy task",
                        source: Box::new(landform_deploy::ProviderError::new(
                            ErrorCode::GeneralServiceException,
                            join.to_string(),
                        )),
                    });
                }
            }
        }
        if let Some(e) = failure {
            return Err(e);
        }
        if let Ok(mut events) = ctx.events.lock() {
            report.events = std::mem::take(&mut events);
        }
        Ok(report)
    }

    /// The job of `artifact`: account and parameters resolved from upstream outputs.
    fn job(
        &self,
        artifact: &StackArtifact,
        outputs: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> Result<StackJob, CloudFormationError> {
        let output = |source: &OutputRef| {
            outputs
                .get(&source.stack)
                .and_then(|o| o.get(&source.output))
                .cloned()
                .ok_or_else(|| CloudFormationError::MissingOutput {
                    stack: artifact.name.clone(),
                    producer: source.stack.clone(),
                    output: source.output.clone(),
                })
        };
        let account = match &artifact.environment.account {
            AccountSpec::Literal(id) => id.clone(),
            AccountSpec::FromOutput(source) => output(source)?,
        };
        let mut parameters = BTreeMap::new();
        for (name, source) in &artifact.parameters {
            parameters.insert(name.clone(), output(source)?);
        }
        let template_text = Assembly::template_text(artifact).to_owned();
        let template = match self.options.template_urls.get(&artifact.name) {
            Some(url) => TemplateSource::Url(url.clone()),
            // check_targets refused a template over TemplateBody's limit without a URL.
            None => TemplateSource::Body(template_text.clone()),
        };
        Ok(StackJob {
            stack: artifact.name.clone(),
            account,
            region: artifact.environment.region.clone(),
            template,
            template_text,
            parameters,
            acceptances: Vec::new(),
        })
    }

    /// The changes a deployment would make, stack by stack, without executing anything:
    /// existing stacks get a change set that is described then deleted; new stacks list
    /// their template's resources (a change set would leave an empty stack behind).
    /// Parameters read the producers' current outputs. Stacks are planned up to
    /// [`DeployOptions::concurrency`] at once, each after the stacks whose outputs it reads;
    /// the plans come back in the assembly's order.
    pub async fn plan(&self, assembly: &Assembly) -> Result<Vec<StackPlan>, CloudFormationError> {
        self.check_targets(assembly)?;
        self.check_stack_set_access(assembly).await?;
        let mut outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut plans: BTreeMap<String, StackPlan> = BTreeMap::new();
        let mut pending: Vec<&StackArtifact> = assembly.stacks().iter().collect();
        let mut running = futures::stream::FuturesUnordered::new();
        let mut failure = None;
        loop {
            while failure.is_none() && running.len() < self.options.concurrency.max(1) {
                let Some(at) = pending
                    .iter()
                    .position(|s| s.dependencies.iter().all(|d| plans.contains_key(&d.stack)))
                else {
                    break;
                };
                let artifact = pending.remove(at);
                // Only the outputs this stack reads: a copy of all of them per stack would
                // grow with the square of the organization.
                let read: BTreeMap<String, BTreeMap<String, String>> = artifact
                    .dependencies
                    .iter()
                    .filter_map(|d| outputs.get(&d.stack).map(|o| (d.stack.clone(), o.clone())))
                    .collect();
                running.push(async move { (artifact, self.plan_one(artifact, read).await) });
            }
            let Some((artifact, result)) = futures::StreamExt::next(&mut running).await else {
                break;
            };
            match result {
                Ok((plan, found)) => {
                    if let Some(found) = found {
                        outputs.insert(artifact.name.clone(), found);
                    }
                    plans.insert(artifact.name.clone(), plan);
                }
                // The plans under way finish (their change sets deleted) before the error.
                Err(e) => {
                    failure.get_or_insert(e);
                }
            }
        }
        if let Some(e) = failure {
            return Err(e);
        }
        Ok(assembly
            .stacks()
            .iter()
            .filter_map(|s| plans.remove(&s.name))
            .collect())
    }

    /// One stack's plan, with the outputs of the stacks it reads that exist; and its own
    /// current outputs when it exists.
    async fn plan_one(
        &self,
        artifact: &StackArtifact,
        outputs: BTreeMap<String, BTreeMap<String, String>>,
    ) -> Result<(StackPlan, Option<BTreeMap<String, String>>), CloudFormationError> {
        let mut found = None;
        let region = artifact.environment.region.clone();
        let all_added = || template_resources(artifact);
        let job = self
            .job(artifact, &outputs)
            .and_then(|job| Ok((job, self.target(artifact, &outputs)?)));
        let (job, target) = match job {
            Ok(job) => job,
            Err(CloudFormationError::MissingOutput { .. }) if artifact.stack_set.is_some() => {
                return Ok((
                    self.plan_unplaced_stack_set(artifact, &outputs).await?,
                    None,
                ));
            }
            Err(CloudFormationError::MissingOutput { .. }) => {
                let missing = self.missing_outputs(artifact, &outputs);
                // Without its account the stack cannot exist yet.
                let account = known_account(artifact, &outputs);
                let exists = match &account {
                    Some(account) => {
                        let api = self.client(&artifact.name, account, &region).await?;
                        probe(api.as_ref(), &artifact.name, account, &region).await?
                    }
                    None => None,
                };
                let (status, changes) = match exists {
                    Some(_) => (PlanStatus::WaitsForUpstream { outputs: missing }, vec![]),
                    None => (PlanStatus::Create, all_added()),
                };
                return Ok((
                    StackPlan {
                        stack: artifact.name.clone(),
                        account,
                        region,
                        status,
                        changes,
                    },
                    None,
                ));
            }
            Err(e) => return Err(e),
        };
        let api = self.client(&job.stack, &job.account, &job.region).await?;
        let plan = if let Some(target) = &target {
            stacksets::plan(api.as_ref(), &job, target, &self.options).await?
        } else {
            let current = stack::describe(api.as_ref(), &job).await?;
            found = current.as_ref().map(|c| c.outputs.clone());
            let (status, changes) = match current.as_ref().map(|c| c.status.as_str()) {
                None | Some("REVIEW_IN_PROGRESS") => (PlanStatus::Create, all_added()),
                Some("ROLLBACK_COMPLETE") => (PlanStatus::Recreate, all_added()),
                Some(_) => plan_update(api.as_ref(), &job, &self.options).await?,
            };
            StackPlan {
                stack: job.stack.clone(),
                account: Some(job.account.clone()),
                region: job.region.clone(),
                status,
                changes,
            }
        };
        Ok((plan, found))
    }

    /// Delete every stack of the assembly that exists, each after the stacks that read it
    /// (its dependents, and the stacks in an account it makes), up to
    /// [`DeployOptions::concurrency`] at once, waiting for each to be gone. CloudFormation
    /// keeps the resources a template marks `Retain`. StackSet rollouts are left in place
    /// and listed. A stack that fails to delete (DELETE_FAILED) is an error naming the first
    /// resource that failed and why; no new deletion starts after it.
    pub async fn destroy(
        &self,
        assembly: &Assembly,
    ) -> Result<super::DestroyReport, CloudFormationError> {
        let stack_sets = self.stack_set_names(assembly).into_keys().collect();
        super::lifecycle::destroy(
            self.clients.clone(),
            assembly,
            &self.options,
            self.progress.clone(),
            &stack_sets,
        )
        .await
    }

    /// Run CloudFormation's drift detection (DetectStackDrift) on every stack of the
    /// assembly that exists, and read the resources that drifted
    /// (DescribeStackResourceDrifts): per stack, in the assembly's order.
    pub async fn drift(
        &self,
        assembly: &Assembly,
    ) -> Result<Vec<super::StackDrift>, CloudFormationError> {
        super::lifecycle::drift(self.clients.clone(), assembly, &self.options).await
    }

    /// The plan of an app's StackSet whose OUs or parameters come from stacks not deployed
    /// yet: a new StackSet (or the existing one's update) landing where the manifest says,
    /// OUs not created yet named by their construct path.
    async fn plan_unplaced_stack_set(
        &self,
        artifact: &StackArtifact,
        outputs: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> Result<StackPlan, CloudFormationError> {
        let region = artifact.environment.region.clone();
        let account = known_account(artifact, outputs);
        let exists = match &account {
            Some(account) => {
                let api = self.client(&artifact.name, account, &region).await?;
                match api
                    .describe_stack_set(&artifact.name, CallAs::SelfAccount)
                    .await
                {
                    Ok(s) => s.status != "DELETED",
                    Err(e) if e.code == ErrorCode::NotFound => false,
                    Err(e) => {
                        return Err(CloudFormationError::Call {
                            stack: artifact.name.clone(),
                            account: account.clone(),
                            region,
                            operation: "DescribeStackSet",
                            source: Box::new(e),
                        })
                    }
                }
            }
            None => false,
        };
        Ok(StackPlan {
            stack: artifact.name.clone(),
            account,
            region,
            status: PlanStatus::StackSet {
                create: !exists,
                // Its parameters are not known yet: an existing StackSet is updated once
                // the stacks it reads are deployed, if they differ.
                update: false,
                new_targets: stacksets::landing(artifact, outputs),
            },
            changes: Vec::new(),
        })
    }

    fn missing_outputs(
        &self,
        artifact: &StackArtifact,
        outputs: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> Vec<OutputRef> {
        let account = match &artifact.environment.account {
            AccountSpec::FromOutput(o) => Some(o),
            AccountSpec::Literal(_) => None,
        };
        let mut missing: Vec<OutputRef> = account
            .into_iter()
            .chain(artifact.parameters.values())
            .filter(|o| {
                outputs
                    .get(&o.stack)
                    .and_then(|m| m.get(&o.output))
                    .is_none()
            })
            .cloned()
            .collect();
        missing.sort();
        missing.dedup();
        missing
    }

    async fn client(
        &self,
        stack: &str,
        account: &str,
        region: &str,
    ) -> Result<Arc<dyn CloudFormationApi>, CloudFormationError> {
        self.clients
            .cloudformation(account, region)
            .await
            .map_err(|e| CloudFormationError::Call {
                stack: stack.to_owned(),
                account: account.to_owned(),
                region: region.to_owned(),
                operation: "session",
                source: Box::new(e),
            })
    }
}

/// The stack's account when it is known so far: literal, or read from a deployed stack.
fn known_account(
    artifact: &StackArtifact,
    outputs: &BTreeMap<String, BTreeMap<String, String>>,
) -> Option<String> {
    match &artifact.environment.account {
        AccountSpec::Literal(id) => Some(id.clone()),
        AccountSpec::FromOutput(source) => outputs
            .get(&source.stack)
            .and_then(|o| o.get(&source.output))
            .cloned(),
    }
}

/// The stack, if it exists (for a plan that has no job).
async fn probe(
    api: &dyn CloudFormationApi,
    stack: &str,
    account: &str,
    region: &str,
) -> Result<Option<crate::api::StackDescription>, CloudFormationError> {
    match api.describe_stack(stack).await {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.code == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(CloudFormationError::Call {
            stack: stack.to_owned(),
            account: account.to_owned(),
            region: region.to_owned(),
            operation: "DescribeStacks",
            source: Box::new(e),
        }),
    }
}

/// A plan change set: created, waited for, described, deleted; never executed.
async fn plan_update(
    api: &dyn CloudFormationApi,
    job: &StackJob,
    options: &DeployOptions,
) -> Result<(PlanStatus, Vec<ResourceChangeSummary>), CloudFormationError> {
    let name = job.change_set_name("landform-plan", options);
    let spec = job.spec(&name, ChangeSetType::Update, options);
    if stack::create_change_set(api, job, &spec).await? == stack::Created::NothingToChange {
        return Ok((PlanStatus::NoChanges, Vec::new()));
    }
    let change_set = stack::wait_change_set(api, job, &name, options).await;
    api.delete_change_set(&job.stack, &name)
        .await
        .map_err(|e| job.call("DeleteChangeSet", e))?;
    let change_set = change_set?;
    if stack::no_changes(&change_set) {
        return Ok((PlanStatus::NoChanges, Vec::new()));
    }
    if change_set.status != "CREATE_COMPLETE" {
        return Err(CloudFormationError::ChangeSetFailed {
            stack: job.stack.clone(),
            change_set: name,
            reason: change_set.status_reason.unwrap_or(change_set.status),
        });
    }
    Ok((PlanStatus::Update, change_set.changes))
}

/// Every resource of the template, as additions.
fn template_resources(artifact: &StackArtifact) -> Vec<ResourceChangeSummary> {
    artifact
        .resources
        .iter()
        .map(|(lid, info)| ResourceChangeSummary {
            action: "Add".to_owned(),
            logical_id: lid.clone(),
            physical_id: None,
            resource_type: info.type_name.to_string(),
            replacement: None,
            replaced_by: Vec::new(),
        })
        .collect()
}

/// One stack's task: a stack through a change set, or a StackSet rollout.
async fn run(
    clients: Arc<dyn CloudFormationClients>,
    ctx: Arc<Context>,
    job: StackJob,
    target: Option<StackSetTarget>,
) -> Result<StackResult, CloudFormationError> {
    let api = clients
        .cloudformation(&job.account, &job.region)
        .await
        .map_err(|e| job.call("session", e))?;
    match target {
        Some(target) => stacksets::deploy(api.as_ref(), &job, &target, &ctx).await,
        None if job.acceptances.is_empty() => stack::deploy_stack(api.as_ref(), &job, &ctx).await,
        None => accept::deploy_accepting(clients.as_ref(), api.as_ref(), &job, &ctx).await,
    }
}
