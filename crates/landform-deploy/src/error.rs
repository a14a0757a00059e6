//! The deploy crate's error types: [`ProviderError`] for one failed call (shaped like the
//! CloudFormation resource handler contract) and [`DeployError`] for everything the engine,
//! the state stores and the locks report.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The error codes of the CloudFormation resource handler contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The resource does not exist.
    NotFound,
    /// A resource with the same identity (name, email...) already exists.
    AlreadyExists,
    /// The property change cannot be made in place.
    NotUpdatable,
    /// The service throttled the call; retry later.
    Throttling,
    /// Another change to the same object is in progress; retry later.
    ConcurrentModification,
    /// The request is invalid (a property value AWS refuses).
    InvalidRequest,
    /// The caller is not allowed to make the call.
    AccessDenied,
    /// An account or service quota is reached.
    ServiceLimitExceeded,
    /// The resource is in a state that forbids the call (a non-empty bucket...).
    ResourceConflict,
    /// The service failed.
    ServiceInternal,
    /// Any other failure.
    GeneralServiceException,
}

impl ErrorCode {
    /// Whether a retry with backoff may succeed.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorCode::Throttling | ErrorCode::ConcurrentModification
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// One failed provider call: the handler error code, the service's own error code and the
/// request id, so a person can find the call in CloudTrail.
///
/// ```
/// use landform_deploy::{ErrorCode, ProviderError};
/// let e = ProviderError::new(ErrorCode::NotFound, "no such bucket").with_service_code("NoSuchBucket");
/// assert_eq!(e.code, ErrorCode::NotFound);
/// assert!(e.to_string().contains("NoSuchBucket"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code} ({}): {message}{}", service_code.as_deref().unwrap_or("-"), request_id.as_ref().map(|r| format!(" [request id {r}]")).unwrap_or_default())]
pub struct ProviderError {
    /// The handler contract code.
    pub code: ErrorCode,
    /// The service's message.
    pub message: String,
    /// The service's own error code (`EntityAlreadyExists`, `BucketNotEmpty`).
    pub service_code: Option<String>,
    /// The service's request id.
    pub request_id: Option<String>,
}

impl ProviderError {
    /// An error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ProviderError {
            code,
            message: message.into(),
            service_code: None,
            request_id: None,
        }
    }
    /// Attach the service's error code.
    pub fn with_service_code(mut self, code: impl Into<String>) -> Self {
        self.service_code = Some(code.into());
        self
    }
    /// Attach the request id.
    pub fn with_request_id(mut self, id: impl Into<String>) -> Self {
        self.request_id = Some(id.into());
        self
    }
}

/// What went wrong in `landform-deploy`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeployError {
    /// A provider call failed.
    #[error("{operation} of {stack}/{logical_id} ({type_name}) failed: {source}")]
    Provider {
        /// The stack.
        stack: String,
        /// The resource's logical id.
        logical_id: String,
        /// The CloudFormation type.
        type_name: String,
        /// `create`, `read`, `update`, `delete` or `find`.
        operation: &'static str,
        /// The provider's error.
        #[source]
        source: Box<ProviderError>,
    },
    /// A stack of the assembly is a service-managed StackSet (`StackProps::stack_set`),
    /// which only CloudFormation rolls out. Nothing was read or changed.
    #[error("stack {stack} is a service-managed StackSet landing in {targets}: only CloudFormation rolls StackSets out (with auto-deployment to accounts that join later), so the direct engine neither plans nor deploys this app (destroy still deletes what it recorded); use --engine cloudformation (landform_aws::cloudformation::CloudFormationDeployer), or build the app without the StackSet; nothing was read or changed")]
    StackSetNeedsCloudFormation {
        /// The stack.
        stack: String,
        /// Its OUs and regions, as the manifest names them.
        targets: String,
    },
    /// No provider is registered for a type. Nothing was called.
    #[error("no provider handles {type_name} (stack {stack}, resource {logical_id} at {path}): register one with ProviderRegistry::register")]
    UnknownResourceType {
        /// The stack.
        stack: String,
        /// The resource's logical id.
        logical_id: String,
        /// The construct path from the manifest (empty when unknown).
        path: String,
        /// The CloudFormation type.
        type_name: String,
    },
    /// An intrinsic function could not be resolved.
    #[error("cannot resolve {location} in stack {stack}: {reason}")]
    Resolve {
        /// The stack.
        stack: String,
        /// Where (`Resources.Vpc.Properties.CidrBlock`, `Outputs.X`, `environment`).
        location: String,
        /// Why.
        reason: String,
    },
    /// The state was recorded for another target than the engine's ([`crate::Engine::with_target`]).
    #[error("the state was recorded for {recorded}, and this deployer targets {target}: keep one state per target (another --state-dir, LANDFORM_STATE_DIR, state bucket or key); nothing was read or changed")]
    OtherTarget {
        /// The state's target.
        recorded: String,
        /// The engine's target.
        target: String,
    },
    /// Another apply holds the lock.
    #[error("state is locked by {holder} on {host} (pid {pid}) since {since}: wait for it to finish, or remove the lock if that process is gone")]
    Locked {
        /// The holder id.
        holder: String,
        /// The holder's host name.
        host: String,
        /// The holder's process id.
        pid: u32,
        /// When the lock was taken (RFC 3339, UTC).
        since: String,
    },
    /// A file of the state, lock or in-memory cloud could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A state (or cloud) file holds invalid JSON.
    #[error("{path} is not a valid Landform file: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The parse error.
        reason: String,
    },
    /// No client context for an account.
    #[error("no session for account {account} in {region}: {reason}")]
    Session {
        /// The account id.
        account: String,
        /// The region.
        region: String,
        /// Why.
        reason: String,
    },
    /// Resources of one stack depend on each other in a cycle.
    #[error("resources depend on each other in a cycle: {cycle}")]
    Cycle {
        /// The resources, `stack/logical id`, joined with ` -> `.
        cycle: String,
    },
    /// An apply would replace a resource this app adopted (found live, not created by it)
    /// because a create-only property differs. Nothing was changed.
    #[error("{resource} ({type_name}) was adopted as {physical_id}, and the app's {} differs from the live value: a create-only property, so deploying would delete {physical_id} and create a new one. Set the app's value to the live one, or pass --replace-adopted (Engine::with_replace_adopted) to replace it; nothing was changed", properties.join(", "))]
    ReplaceAdopted {
        /// `stack/logicalId`.
        resource: String,
        /// The CloudFormation type.
        type_name: String,
        /// The live resource.
        physical_id: String,
        /// The create-only properties that differ.
        properties: Vec<String>,
    },
    /// Creates would take what already exists (same natural key: name, email, one per
    /// account and region) and is not recorded in this state: every one is listed. Nothing
    /// was changed.
    #[error("{} resource(s) would be created where their name or key is taken already, by what is not in this state:\n{}\nrun `adopt` to record them (then `diff` shows what differs), or give the app's resources other names; nothing was changed", taken.len(), list_taken(taken))]
    Unadopted {
        /// What is taken, in dependency order.
        taken: Vec<Taken>,
    },
    /// The app names organizational units by id (`OrganizationalUnit::existing`, a literal
    /// `ParentId` or SCP target) that the organization does not have. Nothing was changed.
    #[error("{} is not an organizational unit of the organization (named by {}): check the id with `aws organizations list-organizational-units-for-parent`; nothing was changed", ids.join(", "), resources.join(", "))]
    UnknownUnits {
        /// The OU ids that do not exist.
        ids: Vec<String>,
        /// `stack/logicalId` of the resources naming them.
        resources: Vec<String>,
    },
    /// Several resources failed; the first failure is the source.
    #[error("{count} resource operations failed; first: {first}")]
    Failed {
        /// How many failed.
        count: usize,
        /// The first failure.
        #[source]
        first: Box<DeployError>,
    },
}

/// A resource a deploy would create whose natural key an existing resource has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taken {
    /// `stack/logicalId`.
    pub resource: String,
    /// The CloudFormation type.
    pub type_name: String,
    /// `account <id> (<region>)`.
    pub place: String,
    /// What exists.
    pub physical_id: String,
}

fn list_taken(taken: &[Taken]) -> String {
    const SHOWN: usize = 10;
    let mut lines: Vec<String> = taken
        .iter()
        .take(SHOWN)
        .map(|t| {
            format!(
                "  {} ({}): {} exists in {}",
                t.resource, t.type_name, t.physical_id, t.place
            )
        })
        .collect();
    if taken.len() > SHOWN {
        lines.push(format!("  ... and {} more", taken.len() - SHOWN));
    }
    lines.join("\n")
}

impl DeployError {
    /// `Ok` when `errors` is empty, the error itself when there is one, and
    /// [`DeployError::Failed`] (counting them, the first as its source) when there are more.
    pub fn all(errors: Vec<DeployError>) -> Result<(), DeployError> {
        let count = errors.len();
        match errors.into_iter().next() {
            None => Ok(()),
            Some(first) if count == 1 => Err(first),
            Some(first) => Err(DeployError::Failed {
                count,
                first: Box::new(first),
            }),
        }
    }
}
