//! One stack through a change set: inspect, clean up or resume, create, wait, execute, wait.

use std::collections::{BTreeMap, HashSet};

use landform_deploy::{ErrorCode, ProviderError};
use tokio::time::{sleep, Instant};

use super::{
    input_hash, CloudFormationError, DeployEvent, DeployOptions, Progress, StackOutcome,
    StackResult,
};
use crate::api::{
    ChangeSetDescription, ChangeSetSpec, ChangeSetType, CloudFormationApi, ResourceChangeSummary,
    StackDescription, TemplateSource,
};

/// What every stack task shares: the options and where progress goes.
pub(crate) struct Context {
    pub options: DeployOptions,
    pub progress: Option<Progress>,
    pub events: std::sync::Mutex<Vec<DeployEvent>>,
}

impl Context {
    pub fn emit(&self, event: DeployEvent) {
        if let Some(progress) = &self.progress {
            progress(&event);
        }
        // A poisoned log only loses events of a task that panicked.
        if let Ok(mut events) = self.events.lock() {
            events.push(event);
        }
    }
}

/// One stack to deploy, its inputs resolved.
pub(crate) struct StackJob {
    pub stack: String,
    pub account: String,
    pub region: String,
    pub template: TemplateSource,
    /// The template text (hashed into the change set name).
    pub template_text: String,
    pub parameters: BTreeMap<String, String>,
    /// Its transit gateway attachments that another account of the app accepts.
    pub acceptances: Vec<super::accept::Acceptance>,
}

impl StackJob {
    pub fn call(&self, operation: &'static str, source: ProviderError) -> CloudFormationError {
        CloudFormationError::Call {
            stack: self.stack.clone(),
            account: self.account.clone(),
            region: self.region.clone(),
            operation,
            source: Box::new(source),
        }
    }

    /// The change set name: `prefix` and a hash of everything the change set is made of, so
    /// a re-run with the same inputs finds the change set of an interrupted run.
    pub fn change_set_name(&self, prefix: &str, options: &DeployOptions) -> String {
        let mut parts: Vec<String> = vec![self.stack.clone(), self.template_text.clone()];
        if let TemplateSource::Url(url) = &self.template {
            parts.push(url.clone());
        }
        for (k, v) in &self.parameters {
            parts.push(format!("{k}={v}"));
        }
        for (k, v) in &options.tags {
            parts.push(format!("tag:{k}={v}"));
        }
        parts.extend(options.capabilities.iter().cloned());
        format!("{prefix}-{}", input_hash(&parts))
    }

    pub fn spec(&self, name: &str, kind: ChangeSetType, options: &DeployOptions) -> ChangeSetSpec {
        ChangeSetSpec {
            stack_name: self.stack.clone(),
            change_set_name: name.to_owned(),
            change_set_type: kind,
            template: self.template.clone(),
            parameters: self.parameters.clone(),
            capabilities: options.capabilities.clone(),
            tags: options.tags.clone(),
            client_token: name.to_owned(),
        }
    }
}

/// A failed change set that only says there is nothing to do.
pub(crate) fn no_changes(change_set: &ChangeSetDescription) -> bool {
    change_set.status == "FAILED"
        && change_set.status_reason.as_deref().is_some_and(|r| {
            r.contains("didn't contain changes")
                || r.contains("No updates are to be performed")
                || r.contains("no changes")
        })
}

fn in_progress(status: &str) -> bool {
    status.ends_with("_IN_PROGRESS") && status != "REVIEW_IN_PROGRESS"
}

/// States no change set can leave: a person must recover the stack.
fn stuck(status: &str) -> bool {
    matches!(
        status,
        "ROLLBACK_FAILED"
            | "UPDATE_ROLLBACK_FAILED"
            | "DELETE_FAILED"
            | "IMPORT_ROLLBACK_FAILED"
            | "DELETE_COMPLETE"
    )
}

/// The stack, or None when it does not exist.
pub(crate) async fn describe(
    api: &dyn CloudFormationApi,
    job: &StackJob,
) -> Result<Option<StackDescription>, CloudFormationError> {
    match api.describe_stack(&job.stack).await {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.code == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(job.call("DescribeStacks", e)),
    }
}

/// The change set, or None when it does not exist.
async fn describe_change_set(
    api: &dyn CloudFormationApi,
    job: &StackJob,
    name: &str,
) -> Result<Option<ChangeSetDescription>, CloudFormationError> {
    match api.describe_change_set(&job.stack, name).await {
        Ok(c) => Ok(Some(c)),
        Err(e) if e.code == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(job.call("DescribeChangeSet", e)),
    }
}

/// Poll the change set until CloudFormation has finished computing it.
pub(crate) async fn wait_change_set(
    api: &dyn CloudFormationApi,
    job: &StackJob,
    name: &str,
    options: &DeployOptions,
) -> Result<ChangeSetDescription, CloudFormationError> {
    let deadline = Instant::now() + options.timeout;
    loop {
        let change_set = api
            .describe_change_set(&job.stack, name)
            .await
            .map_err(|e| job.call("DescribeChangeSet", e))?;
        if !matches!(
            change_set.status.as_str(),
            "CREATE_PENDING" | "CREATE_IN_PROGRESS"
        ) {
            return Ok(change_set);
        }
        if Instant::now() >= deadline {
            return Err(CloudFormationError::Timeout {
                stack: job.stack.clone(),
                what: "change set",
                status: change_set.status,
                waited: options.timeout,
            });
        }
        sleep(options.poll_interval).await;
    }
}

/// What CreateChangeSet did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Created {
    /// A change set exists (made now, or by a concurrent or retried create).
    ChangeSet,
    /// CreateChangeSet refused because nothing would change ("No updates are to be
    /// performed", as some implementations answer instead of a FAILED change set).
    NothingToChange,
}

/// Create the change set; `AlreadyExists` (a concurrent or retried create) is not a failure,
/// and a refusal because nothing changes is no change.
pub(crate) async fn create_change_set(
    api: &dyn CloudFormationApi,
    job: &StackJob,
    spec: &ChangeSetSpec,
) -> Result<Created, CloudFormationError> {
    match api.create_change_set(spec).await {
        Ok(_) => Ok(Created::ChangeSet),
        Err(e) if e.code == ErrorCode::AlreadyExists => Ok(Created::ChangeSet),
        Err(e) if e.message.contains("No updates are to be performed") => {
            Ok(Created::NothingToChange)
        }
        Err(e) => Err(job.call("CreateChangeSet", e)),
    }
}

/// Deploy one stack; see the module docs of [`super`] for the states handled.
pub(crate) async fn deploy_stack(
    api: &dyn CloudFormationApi,
    job: &StackJob,
    ctx: &Context,
) -> Result<StackResult, CloudFormationError> {
    let options = &ctx.options;
    ctx.emit(DeployEvent::StackStarted {
        stack: job.stack.clone(),
        account: job.account.clone(),
        region: job.region.clone(),
    });
    let name = job.change_set_name("landform", options);
    let mut current = describe(api, job).await?;
    if let Some(stack) = &current {
        if stuck(&stack.status) {
            return Err(CloudFormationError::StackNotUpdatable {
                stack: job.stack.clone(),
                status: stack.status.clone(),
                reason: stack.status_reason.clone(),
            });
        }
        if in_progress(&stack.status) {
            // Ours only when the change set of these very inputs is executing.
            let ours = describe_change_set(api, job, &name).await?;
            if ours.is_some_and(|c| c.execution_status == "EXECUTE_IN_PROGRESS") {
                ctx.emit(DeployEvent::WaitingForRunningExecution {
                    stack: job.stack.clone(),
                    change_set: name.clone(),
                });
                let done = wait_stack(api, job, ctx, &name, None).await?;
                return Ok(finish(job, ctx, done, Vec::new()));
            }
            return Err(CloudFormationError::StackBusy {
                stack: job.stack.clone(),
                status: stack.status.clone(),
            });
        }
        if stack.status == "ROLLBACK_COMPLETE" {
            delete_rolled_back(api, job, ctx, stack).await?;
            current = None;
        }
    }
    let kind = match current.as_ref().map(|s| s.status.as_str()) {
        None | Some("REVIEW_IN_PROGRESS") => ChangeSetType::Create,
        Some(_) => ChangeSetType::Update,
    };
    let mut spec = job.spec(&name, kind, options);
    let leftover = match &current {
        Some(_) => describe_change_set(api, job, &name).await?,
        None => None,
    };
    let reusable = |c: &ChangeSetDescription| {
        matches!(c.status.as_str(), "CREATE_PENDING" | "CREATE_IN_PROGRESS")
            || (c.status == "CREATE_COMPLETE" && c.execution_status == "AVAILABLE")
            || no_changes(c)
    };
    let created = match leftover {
        Some(c) if reusable(&c) => {
            ctx.emit(DeployEvent::ChangeSetReused {
                stack: job.stack.clone(),
                change_set: name.clone(),
            });
            Created::ChangeSet
        }
        Some(c) => {
            api.delete_change_set(&job.stack, &name)
                .await
                .map_err(|e| job.call("DeleteChangeSet", e))?;
            ctx.emit(DeployEvent::StaleChangeSetDeleted {
                stack: job.stack.clone(),
                change_set: name.clone(),
                status: format!("{} / {}", c.status, c.execution_status),
            });
            // A new token: the old one named the deleted change set.
            spec.client_token = format!("{name}-{}", &input_hash(&[&c.id])[..8]);
            create_change_set(api, job, &spec).await?
        }
        None => create_change_set(api, job, &spec).await?,
    };
    if created == Created::NothingToChange {
        return Ok(unchanged(job, ctx, current));
    }
    let change_set = wait_change_set(api, job, &name, options).await?;
    if no_changes(&change_set) {
        api.delete_change_set(&job.stack, &name)
            .await
            .map_err(|e| job.call("DeleteChangeSet", e))?;
        return Ok(unchanged(job, ctx, current));
    }
    if change_set.status != "CREATE_COMPLETE" {
        return Err(CloudFormationError::ChangeSetFailed {
            stack: job.stack.clone(),
            change_set: name,
            reason: change_set
                .status_reason
                .unwrap_or_else(|| change_set.status.clone()),
        });
    }
    ctx.emit(DeployEvent::ChangeSetReady {
        stack: job.stack.clone(),
        change_set: name.clone(),
        changes: change_set.changes.clone(),
    });
    api.execute_change_set(&job.stack, &name, &name)
        .await
        .map_err(|e| job.call("ExecuteChangeSet", e))?;
    ctx.emit(DeployEvent::Executing {
        stack: job.stack.clone(),
        change_set: name.clone(),
    });
    let done = wait_stack(api, job, ctx, &name, current.as_ref()).await?;
    Ok(finish(job, ctx, done, change_set.changes))
}

/// The result of a stack with nothing to change.
fn unchanged(job: &StackJob, ctx: &Context, current: Option<StackDescription>) -> StackResult {
    ctx.emit(DeployEvent::NoChanges {
        stack: job.stack.clone(),
    });
    let stack = current.unwrap_or_default();
    ctx.emit(DeployEvent::StackDone {
        stack: job.stack.clone(),
        status: stack.status.clone(),
    });
    StackResult {
        stack: job.stack.clone(),
        account: job.account.clone(),
        region: job.region.clone(),
        outcome: StackOutcome::Unchanged,
        changes: Vec::new(),
        outputs: stack.outputs,
    }
}

fn finish(
    job: &StackJob,
    ctx: &Context,
    done: StackDescription,
    changes: Vec<ResourceChangeSummary>,
) -> StackResult {
    ctx.emit(DeployEvent::StackDone {
        stack: job.stack.clone(),
        status: done.status.clone(),
    });
    StackResult {
        stack: job.stack.clone(),
        account: job.account.clone(),
        region: job.region.clone(),
        outcome: if done.status == "CREATE_COMPLETE" {
            StackOutcome::Created
        } else {
            StackOutcome::Updated
        },
        changes,
        outputs: done.outputs,
    }
}

/// Delete a stack left in ROLLBACK_COMPLETE by a failed first create (it holds no
/// resources), and wait until it is gone.
async fn delete_rolled_back(
    api: &dyn CloudFormationApi,
    job: &StackJob,
    ctx: &Context,
    stack: &StackDescription,
) -> Result<(), CloudFormationError> {
    let token = format!("landform-delete-{}", input_hash(&[&stack.stack_id]));
    api.delete_stack(&job.stack, &token)
        .await
        .map_err(|e| job.call("DeleteStack", e))?;
    let deadline = Instant::now() + ctx.options.timeout;
    loop {
        sleep(ctx.options.poll_interval).await;
        let status = match describe(api, job).await? {
            None => break,
            Some(s) if s.status == "DELETE_COMPLETE" => break,
            Some(s) if s.status == "DELETE_FAILED" => {
                return Err(CloudFormationError::StackNotUpdatable {
                    stack: job.stack.clone(),
                    status: s.status,
                    reason: s.status_reason,
                })
            }
            Some(s) => s.status,
        };
        if Instant::now() >= deadline {
            return Err(CloudFormationError::Timeout {
                stack: job.stack.clone(),
                what: "deletion of the rolled back stack",
                status,
                waited: ctx.options.timeout,
            });
        }
    }
    ctx.emit(DeployEvent::RollbackCompleteStackDeleted {
        stack: job.stack.clone(),
    });
    Ok(())
}

/// Poll the stack until the operation of `token` ends, reporting its events. `before` is the
/// stack as it was before the execution: a final status only counts once the stack has
/// moved (DescribeStacks may still show the previous operation's status right after
/// ExecuteChangeSet).
async fn wait_stack(
    api: &dyn CloudFormationApi,
    job: &StackJob,
    ctx: &Context,
    token: &str,
    before: Option<&StackDescription>,
) -> Result<StackDescription, CloudFormationError> {
    let options = &ctx.options;
    let deadline = Instant::now() + options.timeout;
    let mut moved = !matches!(before, Some(b) if b.status.ends_with("_COMPLETE"));
    let mut seen: HashSet<String> = HashSet::new();
    let mut first_failure: Option<(String, String)> = None;
    loop {
        sleep(options.poll_interval).await;
        let stack = api
            .describe_stack(&job.stack)
            .await
            .map_err(|e| job.call("DescribeStacks", e))?;
        report_events(api, job, ctx, token, &mut seen, &mut first_failure).await?;
        moved = moved
            || in_progress(&stack.status)
            || before.is_some_and(|b| {
                b.last_updated_ms != stack.last_updated_ms || b.status != stack.status
            });
        if moved && !stack.status.ends_with("_IN_PROGRESS") {
            if matches!(
                stack.status.as_str(),
                "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "IMPORT_COMPLETE"
            ) {
                return Ok(stack);
            }
            let (resource, reason) = match first_failure {
                Some((r, why)) => (Some(r), why),
                None => (
                    None,
                    stack
                        .status_reason
                        .clone()
                        .unwrap_or_else(|| "no reason given".to_owned()),
                ),
            };
            return Err(CloudFormationError::StackFailed {
                stack: job.stack.clone(),
                status: stack.status,
                resource,
                reason,
            });
        }
        if Instant::now() >= deadline {
            return Err(CloudFormationError::Timeout {
                stack: job.stack.clone(),
                what: "execution",
                status: stack.status,
                waited: options.timeout,
            });
        }
    }
}

/// Report the events of the operation of `token` not reported yet, oldest first, and keep
/// the first resource failure.
async fn report_events(
    api: &dyn CloudFormationApi,
    job: &StackJob,
    ctx: &Context,
    token: &str,
    seen: &mut HashSet<String>,
    first_failure: &mut Option<(String, String)>,
) -> Result<(), CloudFormationError> {
    let mut fresh = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = match api.describe_stack_events(&job.stack, next.take()).await {
            Ok(page) => page,
            // Events are progress, not the outcome (DescribeStacks' status is): when they are
            // throttled past the SDK's own retries, they are read at the next poll instead,
            // the events seen so far kept, and the wait stays bounded by its timeout.
            Err(e) if e.code.is_retryable() && fresh.is_empty() => {
                tracing::debug!(stack = %job.stack, error = %e, "stack events throttled: read at the next poll");
                return Ok(());
            }
            Err(e) => return Err(job.call("DescribeStackEvents", e)),
        };
        let mut older_reached = false;
        for event in page.events {
            if seen.contains(&event.event_id)
                || event.client_request_token.as_deref() != Some(token)
            {
                older_reached = true;
                break;
            }
            fresh.push(event);
        }
        match page.next_token {
            Some(t) if !older_reached => next = Some(t),
            _ => break,
        }
    }
    for event in fresh.into_iter().rev() {
        seen.insert(event.event_id.clone());
        let failed = event.status.ends_with("_FAILED") && event.logical_id != job.stack;
        let cancelled = event
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("cancelled"));
        if failed && !cancelled && first_failure.is_none() {
            *first_failure = Some((
                event.logical_id.clone(),
                event.reason.clone().unwrap_or_default(),
            ));
        }
        ctx.emit(DeployEvent::Resource {
            stack: job.stack.clone(),
            logical_id: event.logical_id,
            resource_type: event.resource_type,
            status: event.status,
            reason: event.reason,
        });
    }
    Ok(())
}
