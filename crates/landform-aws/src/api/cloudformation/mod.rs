//! The CloudFormation calls of the stack and StackSet deployers (`crate::cloudformation`):
//! change sets, stack status and events, and service-managed StackSets. The SDK
//! implementation is in `sdk.rs`.

use std::collections::BTreeMap;

use async_trait::async_trait;
use landform_deploy::ProviderError;

use super::Tag;

/// Where a template comes from: inline (up to 51,200 bytes) or an S3 URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateSource {
    /// TemplateBody.
    Body(String),
    /// TemplateURL (an S3 object URL).
    Url(String),
}

/// ChangeSetType.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeSetType {
    /// CREATE: the stack does not exist yet (or is in REVIEW_IN_PROGRESS).
    Create,
    /// UPDATE: the stack exists.
    Update,
}

/// What CreateChangeSet takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSetSpec {
    /// The stack name.
    pub stack_name: String,
    /// The change set name.
    pub change_set_name: String,
    /// CREATE or UPDATE.
    pub change_set_type: ChangeSetType,
    /// The template.
    pub template: TemplateSource,
    /// Parameter values by key.
    pub parameters: BTreeMap<String, String>,
    /// Capabilities (`CAPABILITY_NAMED_IAM`).
    pub capabilities: Vec<String>,
    /// Stack tags.
    pub tags: Vec<Tag>,
    /// ClientToken: a retried call with the same token creates no second change set.
    pub client_token: String,
}

/// A stack as DescribeStacks answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackDescription {
    /// The stack id (ARN).
    pub stack_id: String,
    /// The stack name.
    pub name: String,
    /// StackStatus (`CREATE_COMPLETE`, `UPDATE_ROLLBACK_FAILED`...).
    pub status: String,
    /// StackStatusReason.
    pub status_reason: Option<String>,
    /// LastUpdatedTime in milliseconds since the epoch.
    pub last_updated_ms: Option<i64>,
    /// Outputs by key.
    pub outputs: BTreeMap<String, String>,
}

/// One resource change of a change set.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ResourceChangeSummary {
    /// Add, Modify, Remove, Import, Dynamic.
    pub action: String,
    /// The logical id.
    pub logical_id: String,
    /// The physical id (none for an Add).
    pub physical_id: Option<String>,
    /// The resource type.
    pub resource_type: String,
    /// Replacement: True, False, Conditional (Modify only).
    pub replacement: Option<String>,
    /// The properties whose change requires recreating the resource (Always or
    /// Conditionally), from the change's details.
    pub replaced_by: Vec<String>,
}

/// A change set as DescribeChangeSet answers (every page of changes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSetDescription {
    /// The change set id (ARN).
    pub id: String,
    /// Status: CREATE_PENDING, CREATE_IN_PROGRESS, CREATE_COMPLETE, DELETE_*, FAILED.
    pub status: String,
    /// ExecutionStatus: UNAVAILABLE, AVAILABLE, EXECUTE_IN_PROGRESS, EXECUTE_COMPLETE,
    /// EXECUTE_FAILED, OBSOLETE.
    pub execution_status: String,
    /// StatusReason.
    pub status_reason: Option<String>,
    /// The resource changes.
    pub changes: Vec<ResourceChangeSummary>,
}

/// One stack event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackEvent {
    /// EventId.
    pub event_id: String,
    /// The logical id (the stack name for the stack's own events).
    pub logical_id: String,
    /// The resource type (`AWS::CloudFormation::Stack` for the stack's own events).
    pub resource_type: String,
    /// ResourceStatus (`CREATE_FAILED`...).
    pub status: String,
    /// ResourceStatusReason.
    pub reason: Option<String>,
    /// The ClientRequestToken of the operation that caused it.
    pub client_request_token: Option<String>,
    /// Timestamp in milliseconds since the epoch.
    pub timestamp_ms: i64,
}

/// One page of DescribeStackEvents (newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackEventPage {
    /// The events, newest first.
    pub events: Vec<StackEvent>,
    /// The token of the next (older) page.
    pub next_token: Option<String>,
}

/// CallAs of the StackSet calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CallAs {
    /// From the management account.
    #[default]
    SelfAccount,
    /// From a delegated administrator account of the organization.
    DelegatedAdmin,
}

/// StackSetOperationPreferences.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationPreferences {
    /// MaxConcurrentPercentage (1-100).
    pub max_concurrent_percentage: Option<i32>,
    /// FailureTolerancePercentage (0-100).
    pub failure_tolerance_percentage: Option<i32>,
    /// MaxConcurrentCount (instead of the percentage).
    pub max_concurrent_count: Option<i32>,
    /// FailureToleranceCount (instead of the percentage).
    pub failure_tolerance_count: Option<i32>,
    /// Deploy regions in parallel rather than one after another.
    pub parallel_regions: bool,
    /// RegionOrder: the regions in the order they are deployed.
    pub region_order: Vec<String>,
}

impl From<&landform_core::stack_set::StackSetPreferences> for OperationPreferences {
    /// The typed preferences of an app's StackSet (`StackProps::stack_set`).
    fn from(p: &landform_core::stack_set::StackSetPreferences) -> Self {
        use landform_core::stack_set::{RegionConcurrency, Tolerance};
        let split = |t: Tolerance| match t {
            Tolerance::Count(n) => (Some(i32::try_from(n).unwrap_or(i32::MAX)), None),
            Tolerance::Percentage(p) => (None, Some(i32::from(p))),
        };
        let (max_concurrent_count, max_concurrent_percentage) = split(p.max_concurrent);
        let (failure_tolerance_count, failure_tolerance_percentage) = split(p.failure_tolerance);
        OperationPreferences {
            max_concurrent_percentage,
            failure_tolerance_percentage,
            max_concurrent_count,
            failure_tolerance_count,
            parallel_regions: p.region_concurrency == RegionConcurrency::Parallel,
            region_order: p.region_order.clone(),
        }
    }
}

/// What CreateStackSet and UpdateStackSet take (service-managed, auto-deployment enabled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackSetSpec {
    /// The StackSet name.
    pub name: String,
    /// The description.
    pub description: Option<String>,
    /// The template.
    pub template: TemplateSource,
    /// Parameter values by key.
    pub parameters: BTreeMap<String, String>,
    /// Capabilities.
    pub capabilities: Vec<String>,
    /// Keep the stacks of an account that leaves the targeted OUs.
    pub retain_stacks_on_account_removal: bool,
    /// SELF or DELEGATED_ADMIN.
    pub call_as: CallAs,
    /// Operation preferences (UpdateStackSet).
    pub preferences: OperationPreferences,
    /// ClientRequestToken of CreateStackSet.
    pub client_token: String,
}

/// A StackSet as DescribeStackSet answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackSetDescription {
    /// The StackSet id.
    pub id: String,
    /// ACTIVE or DELETED.
    pub status: String,
    /// The template body.
    pub template_body: Option<String>,
    /// Parameter values by key.
    pub parameters: BTreeMap<String, String>,
    /// Capabilities.
    pub capabilities: Vec<String>,
    /// Whether auto-deployment is enabled.
    pub auto_deployment: bool,
    /// SERVICE_MANAGED or SELF_MANAGED.
    pub permission_model: String,
    /// The OUs it targets.
    pub organizational_unit_ids: Vec<String>,
    /// The regions it deploys to.
    pub regions: Vec<String>,
}

/// What CreateStackInstances takes (OU targets of a service-managed StackSet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackInstancesRequest {
    /// The StackSet name.
    pub stack_set_name: String,
    /// DeploymentTargets.OrganizationalUnitIds.
    pub organizational_unit_ids: Vec<String>,
    /// Regions.
    pub regions: Vec<String>,
    /// OperationPreferences.
    pub preferences: OperationPreferences,
    /// OperationId (also the idempotency token).
    pub operation_id: String,
    /// SELF or DELEGATED_ADMIN.
    pub call_as: CallAs,
}

/// A StackSet operation as DescribeStackSetOperation answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackSetOperationInfo {
    /// RUNNING, SUCCEEDED, FAILED, STOPPING, STOPPED, QUEUED.
    pub status: String,
    /// StatusReason.
    pub status_reason: Option<String>,
}

/// One stack instance as ListStackInstances answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackInstanceInfo {
    /// The account.
    pub account: String,
    /// The region.
    pub region: String,
    /// The OU through which it was deployed.
    pub organizational_unit_id: Option<String>,
    /// CURRENT, OUTDATED, INOPERABLE.
    pub status: String,
    /// StatusReason.
    pub status_reason: Option<String>,
}

/// DescribeStackDriftDetectionStatus's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DriftDetection {
    /// DetectionStatus: DETECTION_IN_PROGRESS, DETECTION_COMPLETE, DETECTION_FAILED.
    pub status: String,
    /// StackDriftStatus: DRIFTED, IN_SYNC, NOT_CHECKED, UNKNOWN (once complete).
    pub drift_status: Option<String>,
    /// DetectionStatusReason (why a detection failed, or which resources were not checked).
    pub reason: Option<String>,
}

/// One property that differs in a resource's drift.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PropertyDrift {
    /// PropertyPath (`/BucketEncryption/...`).
    pub path: String,
    /// DifferenceType: ADD, REMOVE, NOT_EQUAL.
    pub difference: String,
    /// ExpectedValue (the template's).
    pub expected: Option<String>,
    /// ActualValue (the live one).
    pub actual: Option<String>,
}

/// One resource of DescribeStackResourceDrifts.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ResourceDrift {
    /// The logical id.
    pub logical_id: String,
    /// The physical id.
    pub physical_id: Option<String>,
    /// The resource type.
    pub resource_type: String,
    /// StackResourceDriftStatus: IN_SYNC, MODIFIED, DELETED, NOT_CHECKED.
    pub status: String,
    /// What differs (for MODIFIED).
    pub differences: Vec<PropertyDrift>,
}

/// The CloudFormation calls of the deployers.
#[cfg_attr(test, mockall::automock)]
#[async_trait]
pub trait CloudFormationApi: Send + Sync {
    /// DescribeStacks of one stack; `NotFound` when it does not exist.
    async fn describe_stack(&self, stack: &str) -> Result<StackDescription, ProviderError>;
    /// CreateChangeSet: the change set id.
    async fn create_change_set(&self, spec: &ChangeSetSpec) -> Result<String, ProviderError>;
    /// DescribeChangeSet (every page of changes); `NotFound` when it does not exist.
    async fn describe_change_set(
        &self,
        stack: &str,
        change_set: &str,
    ) -> Result<ChangeSetDescription, ProviderError>;
    /// ExecuteChangeSet.
    async fn execute_change_set(
        &self,
        stack: &str,
        change_set: &str,
        client_request_token: &str,
    ) -> Result<(), ProviderError>;
    /// DeleteChangeSet.
    async fn delete_change_set(&self, stack: &str, change_set: &str) -> Result<(), ProviderError>;
    /// DescribeStackResource: the physical id of the stack's resource `logical_id`, or None
    /// while it has none (not created yet, or no such resource in the stack yet).
    async fn describe_stack_resource(
        &self,
        stack: &str,
        logical_id: &str,
    ) -> Result<Option<String>, ProviderError>;
    /// DescribeStackEvents: one page, newest first.
    async fn describe_stack_events(
        &self,
        stack: &str,
        next_token: Option<String>,
    ) -> Result<StackEventPage, ProviderError>;
    /// DeleteStack.
    async fn delete_stack(
        &self,
        stack: &str,
        client_request_token: &str,
    ) -> Result<(), ProviderError>;
    /// DetectStackDrift: the detection id.
    async fn detect_stack_drift(&self, stack: &str) -> Result<String, ProviderError>;
    /// DescribeStackDriftDetectionStatus.
    async fn describe_stack_drift_detection_status(
        &self,
        detection_id: &str,
    ) -> Result<DriftDetection, ProviderError>;
    /// DescribeStackResourceDrifts (every page) of the resources that are MODIFIED or
    /// DELETED.
    async fn describe_stack_resource_drifts(
        &self,
        stack: &str,
    ) -> Result<Vec<ResourceDrift>, ProviderError>;
    /// CreateStackSet (SERVICE_MANAGED, auto-deployment enabled): the StackSet id.
    async fn create_stack_set(&self, spec: &StackSetSpec) -> Result<String, ProviderError>;
    /// UpdateStackSet of every instance: the operation id.
    async fn update_stack_set(
        &self,
        spec: &StackSetSpec,
        operation_id: &str,
    ) -> Result<String, ProviderError>;
    /// CreateStackInstances: the operation id.
    async fn create_stack_instances(
        &self,
        request: &StackInstancesRequest,
    ) -> Result<String, ProviderError>;
    /// DescribeStackSetOperation.
    async fn describe_stack_set_operation(
        &self,
        stack_set: &str,
        operation_id: &str,
        call_as: CallAs,
    ) -> Result<StackSetOperationInfo, ProviderError>;
    /// ListStackInstances (every page).
    async fn list_stack_instances(
        &self,
        stack_set: &str,
        call_as: CallAs,
    ) -> Result<Vec<StackInstanceInfo>, ProviderError>;
    /// DescribeOrganizationsAccess: whether service-managed StackSets may be used by the
    /// caller (`ENABLED`, `DISABLED`, `DISABLED_PERMANENTLY`).
    async fn describe_organizations_access(&self, call_as: CallAs)
        -> Result<String, ProviderError>;
    /// DescribeStackSet; `NotFound` when it does not exist.
    async fn describe_stack_set(
        &self,
        stack_set: &str,
        call_as: CallAs,
    ) -> Result<StackSetDescription, ProviderError>;
}

mod sdk;
pub use sdk::SdkCloudFormation;
