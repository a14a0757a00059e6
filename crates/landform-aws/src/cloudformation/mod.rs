//! Deploying a synthesised [`landform_core::Assembly`] through CloudFormation itself:
//! CloudFormation is the engine, Landform the orchestrator.
//!
//! - [`CloudFormationDeployer`] deploys every stack of an assembly into its own account and
//!   region, in dependency order (independent stacks concurrently, up to a limit). Each stack
//!   goes through a change set named after its inputs (template, parameters, tags), so a
//!   re-run after an interruption finds the change set of the killed run and reuses it, or
//!   waits for an execution already under way instead of starting another. Outputs of a
//!   deployed stack feed the parameters (and the account) of the stacks that read them across
//!   accounts, as the synthesiser wired them in the manifest.
//! - [`CloudFormationDeployer::plan`] only creates, describes and deletes change sets: the
//!   diff, per stack, without executing anything.
//! - Organization-wide baselines: name one synthesised stack in a [`StackSetTarget`]; it is
//!   then rolled out as a service-managed StackSet, created in the stack's own account and
//!   region (the management account, or a delegated administrator with
//!   [`CallAs::DelegatedAdmin`]), targeting OUs and regions with auto-deployment, instead of
//!   being deployed as a stack.
//!
//! Waits use tokio time, so tests run them with paused time. Progress is reported through a
//! callback ([`CloudFormationDeployer::on_progress`]) and recorded in the report.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use landform_deploy::ProviderError;

use crate::api::{
    CloudFormationApi, Ec2Api, ResourceChangeSummary, SdkCloudFormation, SdkEc2, Tag,
};
use crate::sessions::AwsSessions;

mod accept;
mod deployer;
mod lifecycle;
mod stack;
mod stacksets;
mod templates;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_accept;
#[cfg(test)]
mod tests_lifecycle;
#[cfg(test)]
mod tests_plan;
#[cfg(test)]
mod tests_stack;
#[cfg(test)]
mod tests_stacksets;

pub use crate::api::CallAs;
pub use crate::api::OperationPreferences;
pub use deployer::{CloudFormationDeployer, DeployReport, PlanStatus, StackPlan};
pub use lifecycle::{DestroyReport, StackDrift};
pub use stacksets::StackSetTarget;
pub use templates::upload_templates;

/// CloudFormation clients per account and region: [`AwsSessions`] makes SDK clients through
/// its (assumed-role) sessions; tests hand out mocks per account.
#[async_trait]
pub trait CloudFormationClients: Send + Sync {
    /// The client for `account` in `region`.
    async fn cloudformation(
        &self,
        account: &str,
        region: &str,
    ) -> Result<Arc<dyn CloudFormationApi>, ProviderError>;

    /// EC2 in `account` and `region`: the transit gateway owner's, to accept the attachments
    /// a stack makes to its gateway (no CloudFormation type accepts one). Clients without it
    /// deploy every stack that needs no acceptance.
    async fn ec2(&self, account: &str, region: &str) -> Result<Arc<dyn Ec2Api>, ProviderError> {
        let _ = (account, region);
        Err(ProviderError::new(
            landform_deploy::ErrorCode::AccessDenied,
            "these CloudFormation clients have no EC2 client",
        ))
    }
}

#[async_trait]
impl CloudFormationClients for AwsSessions {
    async fn cloudformation(
        &self,
        account: &str,
        region: &str,
    ) -> Result<Arc<dyn CloudFormationApi>, ProviderError> {
        let config = self.sdk_config(account, region).await.map_err(|e| {
            ProviderError::new(
                landform_deploy::ErrorCode::AccessDenied,
                format!("no session for account {account} in {region}: {e}"),
            )
        })?;
        Ok(Arc::new(SdkCloudFormation(
            aws_sdk_cloudformation::Client::new(&config),
        )))
    }

    async fn ec2(&self, account: &str, region: &str) -> Result<Arc<dyn Ec2Api>, ProviderError> {
        let config = self.sdk_config(account, region).await.map_err(|e| {
            ProviderError::new(
                landform_deploy::ErrorCode::AccessDenied,
                format!("no session for account {account} in {region}: {e}"),
            )
        })?;
        Ok(Arc::new(SdkEc2(aws_sdk_ec2::Client::new(&config))))
    }
}

/// How the deployer waits and what it sends with every stack.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// Time between two polls of a change set, stack or StackSet operation.
    pub poll_interval: Duration,
    /// The longest wait for one change set, stack operation or StackSet operation.
    pub timeout: Duration,
    /// How many stacks deploy at once.
    pub concurrency: usize,
    /// Capabilities acknowledged on every change set and StackSet.
    pub capabilities: Vec<String>,
    /// Tags on every stack.
    pub tags: Vec<Tag>,
    /// Templates the caller uploaded to S3 (stack name to object URL), sent as TemplateURL:
    /// needed for templates over TemplateBody's 51,200 bytes.
    pub template_urls: BTreeMap<String, String>,
}

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            poll_interval: Duration::from_secs(5),
            timeout: Duration::from_secs(3600),
            concurrency: 4,
            capabilities: vec!["CAPABILITY_NAMED_IAM".to_owned()],
            tags: Vec::new(),
            template_urls: BTreeMap::new(),
        }
    }
}

/// The largest TemplateBody CloudFormation takes, in bytes.
pub const MAX_TEMPLATE_BODY: usize = 51_200;

/// How a stack ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StackOutcome {
    /// Created (CREATE_COMPLETE).
    Created,
    /// Updated (UPDATE_COMPLETE).
    Updated,
    /// Nothing to change.
    Unchanged,
    /// Rolled out as a StackSet.
    StackSet,
}

/// One deployed stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackResult {
    /// The stack name.
    pub stack: String,
    /// The account.
    pub account: String,
    /// The region.
    pub region: String,
    /// How it ended.
    pub outcome: StackOutcome,
    /// The changes made.
    pub changes: Vec<ResourceChangeSummary>,
    /// Its outputs after the deployment.
    pub outputs: BTreeMap<String, String>,
}

/// What the deployer reports while it works, in order per stack.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeployEvent {
    /// A stack's deployment starts.
    StackStarted {
        /// The stack.
        stack: String,
        /// Its account.
        account: String,
        /// Its region.
        region: String,
    },
    /// The stack was in ROLLBACK_COMPLETE (its first create failed and left no resources):
    /// it was deleted before being created again.
    RollbackCompleteStackDeleted {
        /// The stack.
        stack: String,
    },
    /// A change set of an interrupted run with the same inputs is used again.
    ChangeSetReused {
        /// The stack.
        stack: String,
        /// The change set.
        change_set: String,
    },
    /// A change set of an interrupted run that can no longer be executed was deleted.
    StaleChangeSetDeleted {
        /// The stack.
        stack: String,
        /// The change set.
        change_set: String,
        /// Its status and execution status.
        status: String,
    },
    /// The change set is ready: the diff.
    ChangeSetReady {
        /// The stack.
        stack: String,
        /// The change set.
        change_set: String,
        /// The resource changes.
        changes: Vec<ResourceChangeSummary>,
    },
    /// The stack is up to date: its change set had no changes and was deleted.
    NoChanges {
        /// The stack.
        stack: String,
    },
    /// The change set is being executed.
    Executing {
        /// The stack.
        stack: String,
        /// The change set.
        change_set: String,
    },
    /// An execution of an interrupted run is still under way: waited for, not repeated.
    WaitingForRunningExecution {
        /// The stack.
        stack: String,
        /// The change set.
        change_set: String,
    },
    /// A resource event of the stack's operation.
    Resource {
        /// The stack.
        stack: String,
        /// The logical id (the stack name for the stack itself).
        logical_id: String,
        /// The resource type.
        resource_type: String,
        /// The status (`CREATE_IN_PROGRESS`...).
        status: String,
        /// The status reason.
        reason: Option<String>,
    },
    /// The stack reached a final status.
    StackDone {
        /// The stack.
        stack: String,
        /// CREATE_COMPLETE, UPDATE_COMPLETE, or the current status when unchanged.
        status: String,
    },
    /// A transit gateway attachment the stack made to a gateway of another account was
    /// accepted in that account (the gateway's AutoAcceptSharedAttachments is `disable`).
    AttachmentAccepted {
        /// The stack that made the attachment.
        stack: String,
        /// Its logical id there.
        logical_id: String,
        /// `tgw-attach-...`.
        attachment: String,
        /// The gateway's owner, which accepted it.
        owner: String,
    },
    /// A StackSet was created.
    StackSetCreated {
        /// The StackSet.
        stack_set: String,
    },
    /// A StackSet's template or parameters changed: every instance is being updated.
    StackSetUpdating {
        /// The StackSet.
        stack_set: String,
        /// The operation.
        operation_id: String,
    },
    /// Instances are being created for OU and region targets that had none.
    StackInstancesCreating {
        /// The StackSet.
        stack_set: String,
        /// The OUs.
        organizational_unit_ids: Vec<String>,
        /// The regions.
        regions: Vec<String>,
        /// The operation.
        operation_id: String,
    },
}

/// A progress callback.
pub type Progress = Arc<dyn Fn(&DeployEvent) + Send + Sync>;

/// What went wrong deploying through CloudFormation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CloudFormationError {
    /// Another operation runs on the stack (not one this deployer started).
    #[error("stack {stack} is {status}: another operation is running on it; wait for it to finish and run again")]
    StackBusy {
        /// The stack.
        stack: String,
        /// Its status.
        status: String,
    },
    /// The stack is in a state no change set can leave.
    #[error("stack {stack} is {status} ({}): recover it first (continue the update rollback, or delete it) and run again", reason.as_deref().unwrap_or("no reason given"))]
    StackNotUpdatable {
        /// The stack.
        stack: String,
        /// Its status.
        status: String,
        /// The status reason.
        reason: Option<String>,
    },
    /// CloudFormation could not create the change set.
    #[error("change set {change_set} of stack {stack} failed: {reason}")]
    ChangeSetFailed {
        /// The stack.
        stack: String,
        /// The change set (left in place for inspection; the next run deletes it).
        change_set: String,
        /// The status reason.
        reason: String,
    },
    /// The stack operation failed and rolled back.
    #[error("stack {stack} ended in {status}: {}{reason}", resource.as_ref().map(|r| format!("{r}: ")).unwrap_or_default())]
    StackFailed {
        /// The stack.
        stack: String,
        /// The final status (`ROLLBACK_COMPLETE`, `UPDATE_ROLLBACK_COMPLETE`...).
        status: String,
        /// The logical id of the first resource that failed.
        resource: Option<String>,
        /// Why (that resource's reason, else the stack's status reason).
        reason: String,
    },
    /// A wait outlasted [`DeployOptions::timeout`].
    #[error("{what} of stack {stack} still {status} after {waited:?}: look at it in the console, then run again (it will be waited for, not repeated)")]
    Timeout {
        /// The stack (or StackSet).
        stack: String,
        /// What was waited for.
        what: &'static str,
        /// The last status seen.
        status: String,
        /// How long.
        waited: Duration,
    },
    /// A stack reads an output its producer does not have.
    #[error("stack {stack} reads output {output} of stack {producer}, which has no such output after its deployment")]
    MissingOutput {
        /// The reading stack.
        stack: String,
        /// The producing stack.
        producer: String,
        /// The output.
        output: String,
    },
    /// The template is too large to send inline.
    #[error("the template of stack {stack} is {bytes} bytes, over TemplateBody's {limit}: upload it to S3 and give its URL in DeployOptions::template_urls (on the command line: --template-bucket BUCKET)")]
    TemplateTooLarge {
        /// The stack.
        stack: String,
        /// Its size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// A StackSet operation did not succeed.
    #[error("StackSet {stack_set} operation {operation_id} ended {status}: {reason}")]
    StackSetOperationFailed {
        /// The StackSet.
        stack_set: String,
        /// The operation.
        operation_id: String,
        /// FAILED or STOPPED.
        status: String,
        /// The status reason.
        reason: String,
    },
    /// A StackSet target names a stack that cannot be rolled out as one.
    #[error("stack {stack} cannot be rolled out as a StackSet: {reason}")]
    InvalidStackSetTarget {
        /// The stack.
        stack: String,
        /// Why.
        reason: String,
    },
    /// Service-managed StackSets cannot be used by the caller: checked before the first
    /// change, with what to enable.
    #[error("StackSet {stack} cannot be rolled out from {account}/{region}: {reason}")]
    StackSetsUnavailable {
        /// The stack to roll out as a StackSet.
        stack: String,
        /// The account it would be administered from.
        account: String,
        /// The region.
        region: String,
        /// What is missing and how to enable it.
        reason: String,
    },
    /// A transit gateway attachment the stack made could not be made available in the
    /// gateway owner's account.
    #[error("transit gateway attachment {logical_id} ({attachment}) of stack {stack} to a gateway of account {owner}: {reason}")]
    AttachmentNotAccepted {
        /// The stack that made it.
        stack: String,
        /// Its logical id.
        logical_id: String,
        /// `tgw-attach-...`, or what is known of it.
        attachment: String,
        /// The gateway's owner.
        owner: String,
        /// Why, and what to do.
        reason: String,
    },
    /// A stack named by a dependency or target is not in the assembly.
    #[error("no stack {stack} in the assembly")]
    UnknownStack {
        /// The name.
        stack: String,
    },
    /// A CloudFormation call failed.
    #[error("{operation} for stack {stack} in {account}/{region} failed: {source}")]
    Call {
        /// The stack (or StackSet).
        stack: String,
        /// The account.
        account: String,
        /// The region.
        region: String,
        /// The operation.
        operation: &'static str,
        /// The failure, with the AWS error code and request id.
        #[source]
        source: Box<ProviderError>,
    },
}

/// A 64-bit FNV-1a hash of `parts` (separated), as 16 hex digits: a stable name for a
/// change set or operation from its inputs (not a security hash; stable across releases).
pub(crate) fn input_hash<S: AsRef<str>>(parts: &[S]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.as_ref().bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod hash_tests {
    #[test]
    fn input_hash_is_stable_and_separates_parts() {
        assert_eq!(super::input_hash(&["a"]), super::input_hash(&["a"]));
        assert_ne!(
            super::input_hash(&["ab", "c"]),
            super::input_hash(&["a", "bc"])
        );
        // Pinned: a change would rename every change set of a deployed app.
        assert_eq!(super::input_hash::<&str>(&[]), "cbf29ce484222325");
    }
}
