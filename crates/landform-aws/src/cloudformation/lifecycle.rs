//! The deployed stacks of an assembly as they stand: where each lives, deleting them in
//! reverse dependency order (`destroy`), and CloudFormation's drift detection (`drift`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use futures::stream::{self, StreamExt};
use landform_core::synth::AccountSpec;
use landform_core::{Assembly, StackArtifact};
use landform_deploy::ErrorCode;
use tokio::time::{sleep, Instant};

use super::{input_hash, CloudFormationError, DeployEvent, DeployOptions, Progress};
use crate::api::{CloudFormationApi, ResourceDrift, StackDescription};
use crate::cloudformation::CloudFormationClients;

/// Where a stack of the assembly lives, and what it is now.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    pub stack: String,
    pub account: Option<String>,
    pub region: String,
    /// The stack, when it exists.
    pub current: Option<StackDescription>,
}

/// A stack one of these verbs acts on.
struct Target<'a> {
    stack: &'a str,
    account: &'a str,
    region: &'a str,
}

impl Target<'_> {
    fn call(
        &self,
        operation: &'static str,
        source: landform_deploy::ProviderError,
    ) -> CloudFormationError {
        CloudFormationError::Call {
            stack: self.stack.to_owned(),
            account: self.account.to_owned(),
            region: self.region.to_owned(),
            operation,
            source: Box::new(source),
        }
    }
}

async fn client(
    clients: &dyn CloudFormationClients,
    target: &Target<'_>,
) -> Result<Arc<dyn CloudFormationApi>, CloudFormationError> {
    clients
        .cloudformation(target.account, target.region)
        .await
        .map_err(|e| target.call("session", e))
}

async fn describe(
    api: &dyn CloudFormationApi,
    target: &Target<'_>,
) -> Result<Option<StackDescription>, CloudFormationError> {
    match api.describe_stack(target.stack).await {
        Ok(s) if s.status == "DELETE_COMPLETE" => Ok(None),
        Ok(s) => Ok(Some(s)),
        Err(e) if e.code == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(target.call("DescribeStacks", e)),
    }
}

/// Every stack of the assembly with its account (literal, or read from its producer's
/// outputs) and its current description. A stack whose account is an output of a stack that
/// does not exist cannot exist either. The stacks whose account is known are described
/// `concurrency` at a time, wave after wave as producers are read.
pub(crate) async fn locate(
    clients: &dyn CloudFormationClients,
    assembly: &Assembly,
    concurrency: usize,
) -> Result<Vec<Located>, CloudFormationError> {
    let mut found: BTreeMap<String, Located> = BTreeMap::new();
    let mut pending: Vec<&StackArtifact> = assembly.stacks().iter().collect();
    while !pending.is_empty() {
        let mut wave: Vec<(&StackArtifact, Option<String>)> = Vec::new();
        pending.retain(|artifact| match &artifact.environment.account {
            AccountSpec::Literal(id) => {
                wave.push((artifact, Some(id.clone())));
                false
            }
            AccountSpec::FromOutput(source) => match found.get(&source.stack) {
                Some(producer) => {
                    let account = producer
                        .current
                        .as_ref()
                        .and_then(|c| c.outputs.get(&source.output))
                        .cloned();
                    wave.push((artifact, account));
                    false
                }
                None => true,
            },
        });
        if wave.is_empty() {
            // A producer that is not in the assembly: the reader cannot exist.
            for artifact in pending.drain(..) {
                found.insert(
                    artifact.name.clone(),
                    Located {
                        stack: artifact.name.clone(),
                        account: None,
                        region: artifact.environment.region.clone(),
                        current: None,
                    },
                );
            }
            break;
        }
        let described: Vec<Result<Located, CloudFormationError>> = stream::iter(wave)
            .map(|(artifact, account)| async move {
                let region = artifact.environment.region.clone();
                let current = match &account {
                    Some(account) => {
                        let target = Target {
                            stack: &artifact.name,
                            account,
                            region: &region,
                        };
                        let api = client(clients, &target).await?;
                        describe(api.as_ref(), &target).await?
                    }
                    None => None,
                };
                Ok(Located {
                    stack: artifact.name.clone(),
                    account,
                    region,
                    current,
                })
            })
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await;
        for located in described {
            let located = located?;
            found.insert(located.stack.clone(), located);
        }
    }
    Ok(assembly
        .stacks()
        .iter()
        .filter_map(|s| found.remove(&s.name))
        .collect())
}

/// What [`super::CloudFormationDeployer::destroy`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DestroyReport {
    /// The stacks deleted, in the order they finished.
    pub deleted: Vec<String>,
    /// The stacks of the assembly that did not exist.
    pub absent: Vec<String>,
    /// The stacks rolled out as StackSets, left in place: delete a StackSet's instances,
    /// then the StackSet, with CloudFormation.
    pub kept_stack_sets: Vec<String>,
}

/// One stack's drift as CloudFormation's drift detection found it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StackDrift {
    /// The stack.
    pub stack: String,
    /// Its account.
    pub account: String,
    /// Its region.
    pub region: String,
    /// StackDriftStatus: DRIFTED, IN_SYNC, NOT_CHECKED, UNKNOWN.
    pub status: String,
    /// Why some resources were not checked, if CloudFormation says.
    pub reason: Option<String>,
    /// The resources that are MODIFIED or DELETED.
    pub resources: Vec<ResourceDrift>,
}

/// The stacks that still read `stack` (its dependents, and stacks whose account it makes).
fn readers<'a>(assembly: &'a Assembly, stack: &str) -> impl Iterator<Item = &'a str> + 'a {
    let stack = stack.to_owned();
    assembly.stacks().iter().filter_map(move |s| {
        let reads = s.dependencies.iter().any(|d| d.stack == stack)
            || matches!(&s.environment.account, AccountSpec::FromOutput(o) if o.stack == stack);
        reads.then_some(s.name.as_str())
    })
}

/// Delete every existing stack, each once the stacks that read it are gone, up to
/// `options.concurrency` at once. CloudFormation keeps what a template marks `Retain`. On the
/// first failure no new deletion starts; those under way are waited for.
pub(crate) async fn destroy(
    clients: Arc<dyn CloudFormationClients>,
    assembly: &Assembly,
    options: &DeployOptions,
    progress: Option<Progress>,
    stack_sets: &BTreeSet<String>,
) -> Result<DestroyReport, CloudFormationError> {
    let located = locate(clients.as_ref(), assembly, options.concurrency).await?;
    let mut report = DestroyReport::default();
    let mut alive: BTreeMap<String, Located> = BTreeMap::new();
    for l in located {
        if stack_sets.contains(&l.stack) {
            report.kept_stack_sets.push(l.stack);
        } else if l.current.is_some() {
            alive.insert(l.stack.clone(), l);
        } else {
            report.absent.push(l.stack);
        }
    }
    // Which live stacks each stack still waits for (its live readers).
    let mut waits: BTreeMap<String, BTreeSet<String>> = alive
        .keys()
        .map(|name| {
            let live: BTreeSet<String> = readers(assembly, name)
                .filter(|r| alive.contains_key(*r))
                .map(str::to_owned)
                .collect();
            (name.clone(), live)
        })
        .collect();
    let mut running = tokio::task::JoinSet::new();
    let mut failure: Option<CloudFormationError> = None;
    loop {
        while failure.is_none() && running.len() < options.concurrency.max(1) {
            let Some(name) = waits
                .iter()
                .find(|(_, w)| w.is_empty())
                .map(|(n, _)| n.clone())
            else {
                break;
            };
            waits.remove(&name);
            let Some(l) = alive.remove(&name) else {
                continue;
            };
            let clients = clients.clone();
            let options = options.clone();
            let progress = progress.clone();
            running.spawn(async move { delete_one(clients, l, options, progress).await });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        match joined {
            Ok(Ok(name)) => {
                for w in waits.values_mut() {
                    w.remove(&name);
                }
                report.deleted.push(name);
            }
            Ok(Err(e)) => {
                failure.get_or_insert(e);
            }
            Err(join) => {
                failure.get_or_insert(CloudFormationError::Call {
                    stack: String::new(),
                    account: String::new(),
                    region: String::new(),
                    operation: "destroy task",
                    source: Box::new(landform_deploy::ProviderError::new(
                        ErrorCode::GeneralServiceException,
                        join.to_string(),
                    )),
                });
            }
        }
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(report),
    }
}

/// DeleteStack (with a token from the stack id, so a retried call is the same request), then
/// wait for it to be gone. DELETE_FAILED names the first resource that failed and why.
async fn delete_one(
    clients: Arc<dyn CloudFormationClients>,
    located: Located,
    options: DeployOptions,
    progress: Option<Progress>,
) -> Result<String, CloudFormationError> {
    let account = located.account.clone().unwrap_or_default();
    let target = Target {
        stack: &located.stack,
        account: &account,
        region: &located.region,
    };
    let api = client(clients.as_ref(), &target).await?;
    let stack_id = located
        .current
        .as_ref()
        .map(|c| c.stack_id.clone())
        .unwrap_or_default();
    let emit = |event: DeployEvent| {
        if let Some(p) = &progress {
            p(&event);
        }
    };
    emit(DeployEvent::StackStarted {
        stack: located.stack.clone(),
        account: account.clone(),
        region: located.region.clone(),
    });
    let token = format!("landform-destroy-{}", input_hash(&[&stack_id]));
    api.delete_stack(target.stack, &token)
        .await
        .map_err(|e| target.call("DeleteStack", e))?;
    let deadline = Instant::now() + options.timeout;
    loop {
        sleep(options.poll_interval).await;
        let status = match describe(api.as_ref(), &target).await? {
            None => break,
            Some(s) if s.status == "DELETE_FAILED" => {
                let (resource, reason) = first_failure(api.as_ref(), &target).await;
                return Err(CloudFormationError::StackFailed {
                    stack: located.stack.clone(),
                    status: s.status,
                    resource,
                    reason: reason
                        .or(s.status_reason)
                        .unwrap_or_else(|| "no reason given".to_owned()),
                });
            }
            Some(s) => s.status,
        };
        if Instant::now() >= deadline {
            return Err(CloudFormationError::Timeout {
                stack: located.stack.clone(),
                what: "deletion",
                status,
                waited: options.timeout,
            });
        }
    }
    emit(DeployEvent::StackDone {
        stack: located.stack.clone(),
        status: "DELETE_COMPLETE".to_owned(),
    });
    Ok(located.stack)
}

/// The newest resource event that failed, with its reason (best effort: an error reading
/// events leaves the stack's own reason).
async fn first_failure(
    api: &dyn CloudFormationApi,
    target: &Target<'_>,
) -> (Option<String>, Option<String>) {
    let Ok(page) = api.describe_stack_events(target.stack, None).await else {
        return (None, None);
    };
    page.events
        .into_iter()
        .find(|e| e.status.ends_with("_FAILED") && e.logical_id != target.stack)
        .map_or((None, None), |e| (Some(e.logical_id), e.reason))
}

/// Run CloudFormation's drift detection on every existing stack (`concurrency` at a time) and
/// read the resources that drifted.
pub(crate) async fn drift(
    clients: Arc<dyn CloudFormationClients>,
    assembly: &Assembly,
    options: &DeployOptions,
) -> Result<Vec<StackDrift>, CloudFormationError> {
    let located = locate(clients.as_ref(), assembly, options.concurrency).await?;
    let results: Vec<Result<StackDrift, CloudFormationError>> = stream::iter(
        located
            .into_iter()
            .filter(|l| l.current.is_some() && l.account.is_some()),
    )
    .map(|l| {
        let clients = clients.clone();
        async move { detect(clients.as_ref(), l, options).await }
    })
    .buffer_unordered(options.concurrency.max(1))
    .collect()
    .await;
    let mut drifts = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    let order: BTreeMap<&str, usize> = assembly
        .stacks()
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    drifts.sort_by_key(|d| order.get(d.stack.as_str()).copied());
    Ok(drifts)
}

async fn detect(
    clients: &dyn CloudFormationClients,
    located: Located,
    options: &DeployOptions,
) -> Result<StackDrift, CloudFormationError> {
    let account = located.account.clone().unwrap_or_default();
    let target = Target {
        stack: &located.stack,
        account: &account,
        region: &located.region,
    };
    let api = client(clients, &target).await?;
    let id = api
        .detect_stack_drift(target.stack)
        .await
        .map_err(|e| target.call("DetectStackDrift", e))?;
    let deadline = Instant::now() + options.timeout;
    let detection = loop {
        sleep(options.poll_interval).await;
        let d = api
            .describe_stack_drift_detection_status(&id)
            .await
            .map_err(|e| target.call("DescribeStackDriftDetectionStatus", e))?;
        match d.status.as_str() {
            "DETECTION_COMPLETE" => break d,
            // A detection that failed on some resources still reports the others.
            "DETECTION_FAILED" if d.drift_status.is_some() => break d,
            "DETECTION_FAILED" => {
                return Err(CloudFormationError::StackFailed {
                    stack: located.stack.clone(),
                    status: d.status,
                    resource: None,
                    reason: d.reason.unwrap_or_else(|| "no reason given".to_owned()),
                })
            }
            _ if Instant::now() >= deadline => {
                return Err(CloudFormationError::Timeout {
                    stack: located.stack.clone(),
                    what: "drift detection",
                    status: d.status,
                    waited: options.timeout,
                })
            }
            _ => {}
        }
    };
    let status = detection
        .drift_status
        .unwrap_or_else(|| "UNKNOWN".to_owned());
    let resources = if status == "DRIFTED" {
        api.describe_stack_resource_drifts(target.stack)
            .await
            .map_err(|e| target.call("DescribeStackResourceDrifts", e))?
    } else {
        Vec::new()
    };
    Ok(StackDrift {
        stack: located.stack,
        account,
        region: located.region,
        status,
        reason: detection.reason,
        resources,
    })
}
