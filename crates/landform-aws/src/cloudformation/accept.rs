//! The step CloudFormation has no resource type for: accepting, in the transit gateway
//! owner's account, the attachments a stack makes in another account to that gateway.
//!
//! A hub's gateway is shared through RAM with AutoAcceptSharedAttachments `disable` (the
//! TransitHub default: nothing joins the hub unasked). A workload stack's
//! `AWS::EC2::TransitGatewayAttachment` then waits in `pendingAcceptance` until the owner
//! accepts it, and the hub's route table association refuses it until then. The CDK and
//! CloudFormation leave that to a custom resource (aws-cdk#20493); Terraform has a separate
//! `aws_ec2_transit_gateway_vpc_attachment_accepter`. Here the deployer, which holds a session
//! in every account, accepts exactly the attachments the stack made (their physical ids, read
//! with DescribeStackResource), to a gateway the app itself deploys in another account,
//! while the stack's operation runs (CloudFormation may wait for it) and again once it ends,
//! then waits until each is `available`. A re-run finds an attachment left unaccepted by an
//! interrupted run through the same look-up, on a stack with nothing to change.

use std::collections::BTreeMap;

use landform_core::StackArtifact;
use tokio::time::{sleep, Instant};

use super::stack::{Context, StackJob};
use super::{CloudFormationClients, CloudFormationError, DeployEvent};
use crate::api::CloudFormationApi;

/// The attachment types whose gateway may belong to another account.
const ATTACHMENT_TYPES: [&str; 2] = [
    "AWS::EC2::TransitGatewayAttachment",
    "AWS::EC2::TransitGatewayVpcAttachment",
];

/// One attachment of the stack to a gateway the app deploys in another account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Acceptance {
    /// The attachment's logical id in the stack.
    pub logical_id: String,
    /// The account that owns the gateway (and accepts).
    pub owner: String,
}

/// The attachments of `artifact` (deployed into `account`) whose TransitGatewayId is a
/// parameter read from a stack deployed into another account (`accounts`: the stacks
/// deployed so far and their accounts). A gateway id written literally belongs to something
/// the app does not deploy: its owner accepts it, not this deployer.
pub(crate) fn acceptances(
    artifact: &StackArtifact,
    account: &str,
    accounts: &BTreeMap<String, String>,
) -> Vec<Acceptance> {
    let attaches = artifact
        .resources
        .values()
        .any(|r| ATTACHMENT_TYPES.contains(&r.type_name.as_ref()));
    if !attaches {
        return Vec::new();
    }
    let Some(resources) = artifact
        .template
        .get("Resources")
        .and_then(|r| r.as_object())
    else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (logical_id, resource) in resources {
        let kind = resource.get("Type").and_then(|t| t.as_str()).unwrap_or("");
        if !ATTACHMENT_TYPES.contains(&kind) {
            continue;
        }
        let parameter = resource
            .pointer("/Properties/TransitGatewayId/Ref")
            .and_then(|p| p.as_str());
        let owner = parameter
            .and_then(|p| artifact.parameters.get(p))
            .and_then(|source| accounts.get(&source.stack));
        if let Some(owner) = owner.filter(|o| o.as_str() != account) {
            found.push(Acceptance {
                logical_id: logical_id.clone(),
                owner: owner.clone(),
            });
        }
    }
    found
}

/// What one look-up found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Not made yet, or still `pending`.
    Waiting,
    /// `available`.
    Available,
}

/// Look at every attachment of `job` once: accept the ones waiting for acceptance. Returns
/// whether all are available.
async fn pass(
    clients: &dyn CloudFormationClients,
    api: &dyn CloudFormationApi,
    job: &StackJob,
    ctx: &Context,
    done: &mut BTreeMap<String, State>,
) -> Result<bool, CloudFormationError> {
    for acceptance in &job.acceptances {
        if done.get(&acceptance.logical_id) == Some(&State::Available) {
            continue;
        }
        let state = look(clients, api, job, ctx, acceptance).await?;
        done.insert(acceptance.logical_id.clone(), state);
    }
    Ok(done.values().all(|s| *s == State::Available) && done.len() == job.acceptances.len())
}

async fn look(
    clients: &dyn CloudFormationClients,
    api: &dyn CloudFormationApi,
    job: &StackJob,
    ctx: &Context,
    acceptance: &Acceptance,
) -> Result<State, CloudFormationError> {
    let refused = |attachment: &str, reason: String| CloudFormationError::AttachmentNotAccepted {
        stack: job.stack.clone(),
        logical_id: acceptance.logical_id.clone(),
        attachment: attachment.to_owned(),
        owner: acceptance.owner.clone(),
        reason,
    };
    let Some(id) = api
        .describe_stack_resource(&job.stack, &acceptance.logical_id)
        .await
        .map_err(|e| job.call("DescribeStackResource", e))?
    else {
        return Ok(State::Waiting);
    };
    let ec2 = clients
        .ec2(&acceptance.owner, &job.region)
        .await
        .map_err(|e| refused(&id, format!("no EC2 session in the owner's account: {e}")))?;
    let found = ec2
        .describe_transit_gateway_vpc_attachments(vec![id.clone()], Vec::new())
        .await
        .map_err(|e| refused(&id, format!("DescribeTransitGatewayVpcAttachments: {e}")))?;
    let Some(attachment) = found.into_iter().find(|a| a.id == id) else {
        return Err(refused(
            &id,
            "the gateway's owner does not see it: is the gateway shared with this account \
             through RAM?"
                .to_owned(),
        ));
    };
    match attachment.state.as_str() {
        "available" => Ok(State::Available),
        "pending" | "modifying" => Ok(State::Waiting),
        "pendingAcceptance" => {
            ec2.accept_transit_gateway_vpc_attachment(&id)
                .await
                .map_err(|e| refused(&id, format!("AcceptTransitGatewayVpcAttachment: {e}")))?;
            ctx.emit(DeployEvent::AttachmentAccepted {
                stack: job.stack.clone(),
                logical_id: acceptance.logical_id.clone(),
                attachment: id,
                owner: acceptance.owner.clone(),
            });
            Ok(State::Waiting)
        }
        other => Err(refused(
            &id,
            format!(
                "it is {other}, so it cannot join the gateway; fix or delete it, then run again"
            ),
        )),
    }
}

/// Deploy the stack of `job` with [`super::stack::deploy_stack`], accepting its attachments
/// while the operation runs, then once more after it, and wait until every one is available
/// (bounded by [`super::DeployOptions::timeout`]).
pub(crate) async fn deploy_accepting(
    clients: &dyn CloudFormationClients,
    api: &dyn CloudFormationApi,
    job: &StackJob,
    ctx: &Context,
) -> Result<super::StackResult, CloudFormationError> {
    let mut done: BTreeMap<String, State> = BTreeMap::new();
    let deploy = super::stack::deploy_stack(api, job, ctx);
    tokio::pin!(deploy);
    let result = loop {
        tokio::select! {
            result = &mut deploy => break result?,
            () = sleep(ctx.options.poll_interval) => {
                // While CloudFormation works, a failed look is tried again at the next poll
                // and, for good, once the operation has ended.
                if let Err(e) = pass(clients, api, job, ctx, &mut done).await {
                    tracing::debug!(stack = %job.stack, error = %e, "attachment acceptance: tried again");
                }
            }
        }
    };
    let deadline = Instant::now() + ctx.options.timeout;
    while !pass(clients, api, job, ctx, &mut done).await? {
        if Instant::now() >= deadline {
            let waiting: Vec<&str> = job
                .acceptances
                .iter()
                .filter(|a| done.get(&a.logical_id) != Some(&State::Available))
                .map(|a| a.logical_id.as_str())
                .collect();
            return Err(CloudFormationError::Timeout {
                stack: job.stack.clone(),
                what: "transit gateway attachment acceptance",
                status: format!("waiting for {}", waiting.join(", ")),
                waited: ctx.options.timeout,
            });
        }
        sleep(ctx.options.poll_interval).await;
    }
    Ok(result)
}
