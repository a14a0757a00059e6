//! Account-level settings CloudFormation has no resource type for: the IAM account password
//! policy and the account-level S3 public access block.
//!
//! Both are expressed as `Custom::` resources served by one small inline
//! `AWS::Lambda::Function` in the same stack (Python, boto3, the `cfnresponse` module that
//! CloudFormation provides to inline code). The function's role is named
//! [`ACCOUNT_SETTINGS_ROLE_NAME`] so that guardrail SCPs can exempt exactly it, and may call
//! only `iam:UpdateAccountPasswordPolicy`, `iam:DeleteAccountPasswordPolicy` and
//! `s3:PutAccountPublicAccessBlock` (which also governs deleting the block), plus writing its
//! own log group. Templates stay deployable with plain CloudFormation and pass cfn-lint.

use landform_cfn::lambda::{self, function};
use landform_cfn::{iam, logs};
use landform_core::iam::{PolicyDocument, Statement};
use landform_core::{Issue, Pseudo, Resource, ResourceHandle, Scope, Value};

use crate::util::checkov_skips;

/// Name of the role of the account-settings function (one per account).
pub const ACCOUNT_SETTINGS_ROLE_NAME: &str = "landform-account-settings";

/// The IAM account password policy. Defaults follow the CIS AWS Foundations benchmark.
///
/// ```
/// use landform_constructs::settings::PasswordPolicy;
/// let p = PasswordPolicy::default();
/// assert_eq!(p.minimum_length, 14);
/// assert_eq!(p.reuse_prevention, 24);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Minimum length, 6 to 128.
    pub minimum_length: u8,
    /// Require at least one symbol, digit, uppercase and lowercase letter.
    pub require_all_character_classes: bool,
    /// Days before a password expires (1 to 1,095), `None` for never.
    pub max_age_days: Option<u16>,
    /// Previous passwords that cannot be reused (1 to 24).
    pub reuse_prevention: u8,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            minimum_length: 14,
            require_all_character_classes: true,
            max_age_days: Some(90),
            reuse_prevention: 24,
        }
    }
}

const HANDLER: &str = r#"import boto3
import cfnresponse


def flag(value):
    return str(value).lower() == "true"


def handler(event, context):
    kind = event["ResourceType"]
    props = event.get("ResourceProperties", {})
    deleting = event["RequestType"] == "Delete"
    status = cfnresponse.SUCCESS
    try:
        if kind == "Custom::AccountPasswordPolicy":
            iam = boto3.client("iam")
            if deleting:
                try:
                    iam.delete_account_password_policy()
                except iam.exceptions.NoSuchEntityException:
                    pass
            else:
                p = props["Policy"]
                args = {
                    "MinimumPasswordLength": int(p["MinimumPasswordLength"]),
                    "RequireSymbols": flag(p["RequireSymbols"]),
                    "RequireNumbers": flag(p["RequireNumbers"]),
                    "RequireUppercaseCharacters": flag(p["RequireUppercaseCharacters"]),
                    "RequireLowercaseCharacters": flag(p["RequireLowercaseCharacters"]),
                    "AllowUsersToChangePassword": True,
                    "PasswordReusePrevention": int(p["PasswordReusePrevention"]),
                }
                if int(p.get("MaxPasswordAge", 0)) > 0:
                    args["MaxPasswordAge"] = int(p["MaxPasswordAge"])
                iam.update_account_password_policy(**args)
        elif kind == "Custom::AccountPublicAccessBlock":
            s3control = boto3.client("s3control")
            account = props["AccountId"]
            if deleting:
                s3control.delete_public_access_block(AccountId=account)
            else:
                s3control.put_public_access_block(
                    AccountId=account,
                    PublicAccessBlockConfiguration={
                        "BlockPublicAcls": True,
                        "IgnorePublicAcls": True,
                        "BlockPublicPolicy": True,
                        "RestrictPublicBuckets": True,
                    },
                )
        else:
            raise ValueError("unsupported resource type " + kind)
    except Exception as error:  # report every failure to CloudFormation
        print(error)
        status = cfnresponse.FAILED
    cfnresponse.send(event, context, status, {}, kind.split("::")[-1])
"#;

/// Add the function and both custom resources under `scope`. Returns the custom resources.
pub(crate) fn add_account_settings(
    scope: &mut Scope<'_>,
    policy: &PasswordPolicy,
) -> (ResourceHandle, ResourceHandle) {
    check_password_policy(scope, policy);
    let logs = scope.add_resource(
        "SettingsLogs",
        Resource::from(logs::LogGroup::default().retention_in_days(365)).metadata(
                "checkov",
                checkov_skips(&[(
                    "CKV_AWS_158",
                    "holds only the account-settings function's own log lines (API call results, no customer data); CloudWatch Logs encrypts them at rest with its service key",
                )]),
            ),
    );
    let trust = crate::util::service_trust("lambda.amazonaws.com");
    let permissions = PolicyDocument::new()
        .statement(
            Statement::allow()
                .sid("AccountSettings")
                .actions([
                    "iam:DeleteAccountPasswordPolicy",
                    "iam:UpdateAccountPasswordPolicy",
                    "s3:PutAccountPublicAccessBlock",
                ])
                .resources(["*"]),
        )
        .statement(
            Statement::allow()
                .sid("OwnLogs")
                .actions(["logs:CreateLogStream", "logs:PutLogEvents"])
                .resources([logs.get_att("Arn")]),
        );
    let role = scope.add_resource(
        "SettingsRole",
        iam::Role::default()
            .role_name(ACCOUNT_SETTINGS_ROLE_NAME)
            .assume_role_policy_document(trust)
            .policies([iam::role::Policy::default()
                .policy_name("account-settings")
                .policy_document(permissions.to_value())]),
    );
    let function = scope.add_resource(
        "SettingsFunction",
        Resource::from(
            lambda::Function::default()
                .description("Landform: applies the IAM account password policy and the account-level S3 public access block")
                .runtime(function::Runtime::Python313)
                .handler("index.handler")
                .architectures([function::Architectures::Arm64])
                .memory_size(128)
                .timeout(60)
                .role(role.get_att("Arn"))
                .code(function::Code::default().zip_file(HANDLER))
                .logging_config(function::LoggingConfig::default().log_group(logs.ref_value())),
        )
        .metadata(
                "checkov",
                checkov_skips(&[
                    ("CKV_AWS_115", "invoked only by CloudFormation during deploys; reserving concurrency would fail in new accounts whose quota is 10 (AWS keeps 10 unreserved)"),
                    ("CKV_AWS_116", "invoked synchronously by CloudFormation, which reports failures itself; a dead-letter queue only applies to asynchronous invocations"),
                    ("CKV_AWS_117", "calls only the public IAM and S3 Control endpoints and holds no data; the baseline stack has no VPC to place it in"),
                ]),
            ),
    );
    let mut policy_props = vec![
        ("MinimumPasswordLength", Value::from(policy.minimum_length)),
        (
            "RequireSymbols",
            Value::from(policy.require_all_character_classes),
        ),
        (
            "RequireNumbers",
            Value::from(policy.require_all_character_classes),
        ),
        (
            "RequireUppercaseCharacters",
            Value::from(policy.require_all_character_classes),
        ),
        (
            "RequireLowercaseCharacters",
            Value::from(policy.require_all_character_classes),
        ),
        (
            "PasswordReusePrevention",
            Value::from(policy.reuse_prevention),
        ),
    ];
    if let Some(age) = policy.max_age_days {
        policy_props.push(("MaxPasswordAge", Value::from(age)));
    }
    let password = scope.add_resource(
        "PasswordPolicy",
        // Custom resources: their properties are the settings function's contract (HANDLER
        // above), not a registry schema, so they are the one place the raw form is right.
        Resource::new("Custom::AccountPasswordPolicy")
            .property("ServiceToken", function.get_att("Arn"))
            .property("Policy", Value::object(policy_props)),
    );
    let block = scope.add_resource(
        "AccountPublicAccessBlock",
        Resource::new("Custom::AccountPublicAccessBlock")
            .property("ServiceToken", function.get_att("Arn"))
            .property("AccountId", Value::Pseudo(Pseudo::AccountId)),
    );
    (password, block)
}

fn check_password_policy(scope: &mut Scope<'_>, p: &PasswordPolicy) {
    if !(6..=128).contains(&p.minimum_length) {
        scope.report(Issue::new(
            "SecurityBaseline.PasswordLength",
            "password_policy.minimum_length",
            p.minimum_length,
            "IAM accepts a minimum password length from 6 to 128",
        ));
    }
    if !(1..=24).contains(&p.reuse_prevention) {
        scope.report(Issue::new(
            "SecurityBaseline.PasswordReuse",
            "password_policy.reuse_prevention",
            p.reuse_prevention,
            "IAM remembers 1 to 24 previous passwords",
        ));
    }
    if let Some(age) = p.max_age_days {
        if !(1..=1095).contains(&age) {
            scope.report(Issue::new(
                "SecurityBaseline.PasswordMaxAge",
                "password_policy.max_age_days",
                age,
                "IAM accepts a maximum password age from 1 to 1,095 days (or none)",
            ));
        }
    }
}
