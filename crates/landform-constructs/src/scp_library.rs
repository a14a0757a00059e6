//! Ready SCP statements for the guardrails landing zones ask for. Combine several into one
//! [`ServiceControlPolicy`](crate::ServiceControlPolicy): the quota is five SCPs per target,
//! FullAWSAccess included.
//!
//! ```
//! use landform_constructs::scp_library;
//! let mut statements = vec![scp_library::deny_actions("DenyLeaveOrganization", ["organizations:LeaveOrganization"])];
//! statements.extend(scp_library::protect_cloudtrail());
//! assert_eq!(statements.len(), 2);
//! ```

use landform_core::iam::Statement;

use crate::settings::ACCOUNT_SETTINGS_ROLE_NAME;

pub use landform_core::iam::GLOBAL_SERVICE_ACTIONS;

fn with_condition<V: Into<landform_core::Value>>(
    statement: Statement,
    operator: &str,
    key: &str,
    values: impl IntoIterator<Item = V>,
) -> Statement {
    // Every helper adds each (operator, key) pair once, so the only error cannot happen; the
    // statement is returned unconditioned rather than panicking if that ever changes.
    statement
        .clone()
        .condition(operator, key, values)
        .unwrap_or(statement)
}

/// Deny a list of actions everywhere (`cloudtrail:StopLogging`,
/// `organizations:LeaveOrganization`, ...).
///
/// ```
/// let s = landform_constructs::scp_library::deny_actions("DenyLeave", ["organizations:LeaveOrganization"]);
/// assert_eq!(s.action_list(), ["organizations:LeaveOrganization"]);
/// ```
pub fn deny_actions<S: Into<String>>(sid: &str, actions: impl IntoIterator<Item = S>) -> Statement {
    Statement::deny().sid(sid).actions(actions).resources(["*"])
}

/// Deny every action outside `allowed_regions`, except the global services of
/// [`GLOBAL_SERVICE_ACTIONS`] and `extra_exempt` actions.
///
/// ```
/// let s = landform_constructs::scp_library::deny_regions_except(&["us-east-1"], &[]);
/// assert!(s.not_action_list().contains(&"iam:*".to_string()));
/// ```
pub fn deny_regions_except(allowed_regions: &[&str], extra_exempt: &[&str]) -> Statement {
    let mut exempt: Vec<&str> = GLOBAL_SERVICE_ACTIONS.to_vec();
    exempt.extend(extra_exempt);
    exempt.sort_unstable();
    exempt.dedup();
    let statement = Statement::deny()
        .sid("DenyOutsideAllowedRegions")
        .not_actions(exempt)
        .resources(["*"]);
    with_condition(
        statement,
        "StringNotEquals",
        "aws:RequestedRegion",
        allowed_regions.iter().copied(),
    )
}

/// Deny `s3:PutObject` requests that do not ask for server-side encryption
/// (`s3:x-amz-server-side-encryption` is null).
///
/// ```
/// let s = landform_constructs::scp_library::require_s3_encryption();
/// assert!(s.condition_map().contains_key("Null"));
/// ```
pub fn require_s3_encryption() -> Statement {
    let statement = Statement::deny()
        .sid("DenyUnencryptedObjectUploads")
        .actions(["s3:PutObject"])
        .resources(["*"]);
    with_condition(
        statement,
        "Null",
        "s3:x-amz-server-side-encryption",
        ["true"],
    )
}

/// Deny stopping, deleting or reconfiguring CloudTrail trails.
///
/// ```
/// let s = landform_constructs::scp_library::protect_cloudtrail();
/// assert!(s[0].action_list().contains(&"cloudtrail:StopLogging".to_string()));
/// ```
pub fn protect_cloudtrail() -> Vec<Statement> {
    vec![deny_actions(
        "ProtectCloudTrail",
        [
            "cloudtrail:DeleteTrail",
            "cloudtrail:PutEventSelectors",
            "cloudtrail:StopLogging",
            "cloudtrail:UpdateTrail",
        ],
    )]
}

/// Protect the log archive: deny object and bucket deletion and stopping or deleting trails.
///
/// ```
/// let s = landform_constructs::scp_library::protect_log_archive();
/// assert!(s.action_list().contains(&"s3:DeleteBucket".to_string()));
/// ```
pub fn protect_log_archive() -> Statement {
    deny_actions(
        "ProtectLogArchive",
        [
            "cloudtrail:DeleteTrail",
            "cloudtrail:StopLogging",
            "s3:DeleteBucket",
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
        ],
    )
}

/// Deny public S3: no public canned ACLs, and no changing the public access blocks except
/// by the account-settings role of the [`SecurityBaseline`](crate::SecurityBaseline).
///
/// ```
/// let s = landform_constructs::scp_library::deny_public_s3();
/// assert_eq!(s.len(), 2);
/// ```
pub fn deny_public_s3() -> Vec<Statement> {
    let acl = Statement::deny()
        .sid("DenyPublicCannedAcls")
        .actions([
            "s3:CreateBucket",
            "s3:PutBucketAcl",
            "s3:PutObject",
            "s3:PutObjectAcl",
        ])
        .resources(["*"]);
    let acl = with_condition(
        acl,
        "StringEquals",
        "s3:x-amz-acl",
        ["authenticated-read", "public-read", "public-read-write"],
    );
    let block = Statement::deny()
        .sid("DenyPublicAccessBlockChanges")
        .actions([
            "s3:PutAccountPublicAccessBlock",
            "s3:PutBucketPublicAccessBlock",
        ])
        .resources(["*"]);
    let block = with_condition(
        block,
        "ArnNotLike",
        "aws:PrincipalArn",
        [format!("arn:*:iam::*:role/{ACCOUNT_SETTINGS_ROLE_NAME}")],
    );
    vec![acl, block]
}

/// Deny IAM users with console access: no login profiles can be created or changed.
///
/// ```
/// let s = landform_constructs::scp_library::deny_iam_console_users();
/// assert!(s.action_list().contains(&"iam:CreateLoginProfile".to_string()));
/// ```
pub fn deny_iam_console_users() -> Statement {
    deny_actions(
        "DenyIamUserConsoleAccess",
        ["iam:CreateLoginProfile", "iam:UpdateLoginProfile"],
    )
}

/// Guard against 0.0.0.0/0 ingress on sensitive ports.
///
/// IAM has no condition key for a security group rule's CIDR or port, so no SCP can deny
/// "0.0.0.0/0 on port 22" precisely. This guardrail is the preventive half that SCPs can
/// express: only the principals matching `exempt_principal_arns` (the network or deploy
/// roles, whose code is reviewed) may add or change ingress rules. The detective half is the
/// `restricted-ssh` Config rule of the [`SecurityBaseline`](crate::SecurityBaseline).
///
/// ```
/// let s = landform_constructs::scp_library::deny_open_ingress(&["arn:*:iam::*:role/deploy"]);
/// assert!(s.action_list().contains(&"ec2:AuthorizeSecurityGroupIngress".to_string()));
/// ```
pub fn deny_open_ingress(exempt_principal_arns: &[&str]) -> Statement {
    let statement = deny_actions(
        "DenyIngressChangesOutsideDeployRoles",
        [
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:ModifySecurityGroupRules",
            "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
        ],
    );
    if exempt_principal_arns.is_empty() {
        return statement;
    }
    with_condition(
        statement,
        "ArnNotLike",
        "aws:PrincipalArn",
        exempt_principal_arns.iter().copied(),
    )
}
